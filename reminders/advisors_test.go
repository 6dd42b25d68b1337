package reminders_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/reminders"
	"suivi/store"
)

var tAdv = time.Date(2027, 1, 6, 9, 0, 0, 0, time.UTC)

func advisorScheduler(t *testing.T) (redis.UniversalClient, *store.Store, *reminders.Scheduler) {
	t.Helper()
	rdb := redistest.Client(t)
	st := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	clk := clock.NewFake(tAdv)
	s := reminders.New(st, &eventRecorder{st: st}, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{})
	return rdb, st, s
}

// syncAdvisors is SyncAdvisors, failing the test on an error.
func syncAdvisors(t *testing.T, s *reminders.Scheduler) reminders.AdvisorsSynced {
	t.Helper()
	got, err := s.SyncAdvisors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// wantDigests checks that every advisor of ids has a digest job.
func wantDigests(t *testing.T, st *store.Store, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		jobs, err := st.Jobs(context.Background(), fmt.Sprintf("a%d", id))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := jobs[fmt.Sprintf("d|a%d", id)]; !ok {
			t.Errorf("advisor %d: no digest job (%v)", id, jobs)
		}
	}
}

// A start looks at the advisors created since the last one, whatever how
// many were scheduled before: none when nobody was created.
func TestSyncAdvisorsLooksOnlyAtAdvisorsCreatedSinceTheLastStart(t *testing.T) {
	ctx := context.Background()
	_, st, s := advisorScheduler(t)
	// 1,200 advisors (more than a page of the pending set), the first of
	// an empty deployment: the set is complete from the start.
	var ids []int64
	for i := range 1200 {
		id := int64(5_000_000 + i)
		ids = append(ids, id)
		if _, err := st.EnsureAdvisor(ctx, &domain.Advisor{ID: id, Created: tAdv}); err != nil {
			t.Fatal(err)
		}
	}
	if got := syncAdvisors(t, s); got.Full || got.Looked != 1200 {
		t.Fatalf("first start: %+v, want 1200 looked at and no full pass", got)
	}
	wantDigests(t, st, ids...)

	// Started again with all of them scheduled: no advisor looked at.
	if got := syncAdvisors(t, s); got.Full || got.Looked != 0 {
		t.Fatalf("start with every advisor scheduled: %+v, want none looked at", got)
	}

	// Created meanwhile by each path of the store: a plan's advisor, an
	// advisor put whole, an advisor invite; and one whose digest the
	// running bot scheduled (SyncAdvisor takes them out of the set).
	p := &domain.Plan{
		Beneficiary: domain.Person{Name: "Awa"},
		AdvisorID:   6_000_001,
		Checkin:     domain.Checkin{Schedule: "0 10 1 1 *"},
		Steps:       []domain.Step{{Title: "CV", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 20}}}},
	}
	p.Normalize("Europe/Paris")
	if _, err := st.CreatePlan(ctx, p, tAdv, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := st.PutAdvisor(ctx, &domain.Advisor{ID: 6_000_002, Name: "Léa", Created: tAdv}); err != nil {
		t.Fatal(err)
	}
	inv, err := st.NewAdvisorInvite(ctx, 5_000_000, tAdv, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemAdvisorInvite(ctx, inv.Code, 6_000_003, "Inès", tAdv); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EnsureAdvisor(ctx, &domain.Advisor{ID: 6_000_004, Created: tAdv}); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncAdvisor(ctx, 6_000_004); err != nil {
		t.Fatal(err)
	}
	// Renaming or putting an existing advisor creates nobody.
	if err := st.PutAdvisor(ctx, &domain.Advisor{ID: 5_000_001, Name: "Marc", Created: tAdv}); err != nil {
		t.Fatal(err)
	}
	if got := syncAdvisors(t, s); got.Full || got.Looked != 3 {
		t.Fatalf("start after three advisors created: %+v, want 3 looked at", got)
	}
	wantDigests(t, st, 6_000_001, 6_000_002, 6_000_003, 6_000_004)
	if got := syncAdvisors(t, s); got.Looked != 0 {
		t.Fatalf("started again: %+v, want none looked at", got)
	}
}

// A deployment from before the pending set (advisors written without it,
// no marker) gets one full pass, at its first start, and never again; an
// advisor created by the new code before that start is in it too.
func TestSyncAdvisorsFullPassOnceForAnOldDeployment(t *testing.T) {
	ctx := context.Background()
	rdb, st, s := advisorScheduler(t)
	var ids []int64
	for i := range 40 {
		id := int64(7_000_000 + i)
		ids = append(ids, id)
		// As the previous version wrote an advisor: the record alone.
		b := fmt.Sprintf(`{"id":%d,"created":%q}`, id, tAdv.Format(time.RFC3339))
		if err := rdb.HSet(ctx, "suivi:advisors", id, b).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := st.AdvisorsComplete(ctx); err != nil || ok {
		t.Fatalf("old deployment complete: %v %v", ok, err)
	}
	// `suivi advisor add` of the new version, before the bot's first start.
	if _, err := st.EnsureAdvisor(ctx, &domain.Advisor{ID: 7_100_000, Created: tAdv}); err != nil {
		t.Fatal(err)
	}
	ids = append(ids, 7_100_000)
	if ok, err := st.AdvisorsComplete(ctx); err != nil || ok {
		t.Fatalf("an advisor added to an old deployment made the set complete: %v %v", ok, err)
	}
	if got := syncAdvisors(t, s); !got.Full || got.Looked != 41 {
		t.Fatalf("first start of an old deployment: %+v, want a full pass over 41 advisors", got)
	}
	wantDigests(t, st, ids...)
	for range 2 {
		if got := syncAdvisors(t, s); got.Full || got.Looked != 0 {
			t.Fatalf("next start: %+v, want no full pass and none looked at", got)
		}
	}
}

// A drain cut short after an advisor's digest was scheduled and before
// they left the set: the next start looks at them again, schedules nothing
// twice, and takes them out.
func TestSyncAdvisorsFinishesADrainCutShort(t *testing.T) {
	ctx := context.Background()
	rdb, st, s := advisorScheduler(t)
	if _, err := st.EnsureAdvisor(ctx, &domain.Advisor{ID: 8_000_000, Created: tAdv}); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncAdvisor(ctx, 8_000_000); err != nil {
		t.Fatal(err)
	}
	// The crash: scheduled, still pending (the set's key: store/keys.go).
	if err := rdb.SAdd(ctx, "suivi:{suivi:advisors}:pending", 8_000_000).Err(); err != nil {
		t.Fatal(err)
	}
	before, err := st.Jobs(ctx, "a8000000")
	if err != nil {
		t.Fatal(err)
	}
	if got := syncAdvisors(t, s); got.Looked != 1 {
		t.Fatalf("start after a drain cut short: %+v, want 1 looked at", got)
	}
	after, err := st.Jobs(ctx, "a8000000")
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 1 || len(before) != 1 || !after["d|a8000000"].Equal(before["d|a8000000"]) {
		t.Errorf("jobs before %v, after %v: want the same one digest", before, after)
	}
	if got := syncAdvisors(t, s); got.Looked != 0 {
		t.Fatalf("started again: %+v, want none looked at", got)
	}
}
