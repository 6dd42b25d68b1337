package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"suivi/store"
)

func TestInboxDedupeOrderAndLease(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for _, id := range []int64{10, 11, 10} {
		if _, err := s.InboxPush(ctx, id, 7, []byte(`{"update_id":1}`), t0); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := s.InboxPush(ctx, 11, 7, nil, t0); ok {
		t.Fatal("duplicate update accepted")
	}
	chat, ok, err := s.InboxClaim(ctx, t0, t0.Add(time.Minute), "w1")
	if err != nil || !ok || chat != 7 {
		t.Fatalf("claim: %d %v %v", chat, ok, err)
	}
	// The chat is leased: a second worker gets nothing, even when a new update arrives.
	if _, err := s.InboxPush(ctx, 12, 7, []byte(`{}`), t0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.InboxClaim(ctx, t0, t0.Add(time.Minute), "w2"); ok {
		t.Fatal("leased chat handed out twice")
	}
	var seen []int64
	for {
		it, ok, err := s.InboxHead(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		seen = append(seen, it.UpdateID)
		if err := s.InboxAck(ctx, 7, "w1", it.UpdateID); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 3 || seen[0] != 10 || seen[1] != 11 || seen[2] != 12 {
		t.Fatalf("order %v", seen)
	}
	if err := s.InboxRelease(ctx, 7, "w1", t0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.InboxClaim(ctx, t0, t0.Add(time.Minute), "w2"); ok {
		t.Fatal("empty chat ready")
	}
}

func TestInboxExpiredLeaseIsRecovered(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.InboxPush(ctx, 1, 5, []byte(`{}`), t0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.InboxClaim(ctx, t0, t0.Add(30*time.Second), "dead"); !ok {
		t.Fatal("no claim")
	}
	if _, ok, _ := s.InboxClaim(ctx, t0.Add(29*time.Second), t0.Add(time.Minute), "w2"); ok {
		t.Fatal("live lease stolen")
	}
	chat, ok, err := s.InboxClaim(ctx, t0.Add(31*time.Second), t0.Add(time.Minute), "w2")
	if err != nil || !ok || chat != 5 {
		t.Fatalf("expired lease not recovered: %v %v", ok, err)
	}
	// The dead worker can no longer ack.
	if err := s.InboxAck(ctx, 5, "dead", 1); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("stale ack: %v", err)
	}
	if it, ok, _ := s.InboxHead(ctx, 5); !ok || it.UpdateID != 1 {
		t.Fatal("update lost")
	}
}

func TestInboxParksAfterMaxTries(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	_, _ = s.InboxPush(ctx, 1, 5, []byte(`{"update_id":1}`), t0)
	_, _ = s.InboxPush(ctx, 2, 5, []byte(`{"update_id":2}`), t0)
	_, _, _ = s.InboxClaim(ctx, t0, t0.Add(time.Minute), "w")
	for i := 1; i <= 3; i++ {
		parked, err := s.InboxFail(ctx, 5, "w", 1, 3, "panic", t0)
		if err != nil {
			t.Fatal(err)
		}
		if parked != (i == 3) {
			t.Fatalf("try %d parked=%v", i, parked)
		}
	}
	it, ok, _ := s.InboxHead(ctx, 5)
	if !ok || it.UpdateID != 2 || it.Tries != 0 {
		t.Fatalf("next update %+v %v", it, ok)
	}
	st, _ := s.InboxStats(ctx)
	if st.Parked != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPollOffsetAndLock(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	_ = s.SetPollOffset(ctx, 10)
	_ = s.SetPollOffset(ctx, 5)
	if o, _ := s.PollOffset(ctx); o != 10 {
		t.Fatalf("offset moved back: %d", o)
	}
	if ok, _ := s.AcquirePollLock(ctx, "a", time.Minute); !ok {
		t.Fatal("a")
	}
	if ok, _ := s.AcquirePollLock(ctx, "b", time.Minute); ok {
		t.Fatal("b took a's lock")
	}
	_ = s.ReleasePollLock(ctx, "a")
	if ok, _ := s.AcquirePollLock(ctx, "b", time.Minute); !ok {
		t.Fatal("b after release")
	}
}
