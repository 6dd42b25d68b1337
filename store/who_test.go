package store_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
	"suivi/internal/redistest"
	"suivi/store"
)

// roundTrips counts what a client sends: one per command, one per
// pipeline (each node's share, on a cluster).
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}
func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// Who says in one round trip that a user is a stranger or an advisor, and
// in two that they are a beneficiary (the profile follows the link).
func TestWho(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	p := samplePlan()
	inv, err := s.CreatePlan(ctx, p, t0, 14*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemInvite(ctx, inv.Code, 4242, t0); err != nil {
		t.Fatal(err)
	}
	rt := &roundTrips{}
	rdb.AddHook(rt)
	check := func(user int64, wantBen string, wantAdv bool, trips int64) {
		t.Helper()
		before := rt.n.Load()
		ben, adv, err := s.Who(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		if got := rt.n.Load() - before; !redistest.Cluster() && got != trips {
			t.Errorf("user %d: %d round trips, want %d", user, got, trips)
		}
		if (ben == nil) != (wantBen == "") || ben != nil && ben.ID != wantBen {
			t.Errorf("user %d: beneficiary %+v, want %q", user, ben, wantBen)
		}
		if (adv != nil) != wantAdv {
			t.Errorf("user %d: advisor %+v, want %v", user, adv, wantAdv)
		}
	}
	check(999, "", false, 1)    // a stranger
	check(111, "", true, 1)     // the plan's advisor
	check(4242, p.ID, false, 2) // the beneficiary

	// An advisor who is also followed: both.
	if _, err := s.EnsureAdvisor(ctx, &domain.Advisor{ID: 4242, Created: t0}); err != nil {
		t.Fatal(err)
	}
	check(4242, p.ID, true, 2)
}

// A redeemed invite is remembered a week (its user opening it again, an
// update retried, someone else told it was used), not the invite's life
// plus the grace of an unused one (44 days).
func TestRedeemedInviteKeptAWeek(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	inv, err := s.CreatePlan(ctx, samplePlan(), t0, 14*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := redistest.Keys(ctx, rdb, "*invite:"+inv.Code)
	if err != nil || len(keys) != 1 {
		t.Fatalf("invite key: %v %v", keys, err)
	}
	if ttl := rdb.PTTL(ctx, keys[0]).Val(); ttl < 40*24*time.Hour {
		t.Fatalf("an unused invite lives %s, want its life and the grace (44 days)", ttl)
	}
	if _, err := s.RedeemInvite(ctx, inv.Code, 4243, t0); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > 7*24*time.Hour {
		t.Fatalf("a redeemed invite lives %s, want at most 7 days", ttl)
	}
	if r, err := s.RedeemInvite(ctx, inv.Code, 4243, t0.Add(6*24*time.Hour)); err != nil || !r.Again {
		t.Fatalf("opened again by its user within the week: %+v %v", r, err)
	}
	if _, err := s.RedeemInvite(ctx, inv.Code, 4244, t0.Add(time.Hour)); !errors.Is(err, store.ErrInviteUsed) {
		t.Fatalf("someone else: %v, want ErrInviteUsed", err)
	}
}
