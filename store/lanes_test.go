package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"suivi/store"
)

func TestInboxDedupeOrderAndLease(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	in := s.Inbox()
	for _, id := range []int64{10, 11, 10} {
		if _, err := in.Push(ctx, fmt.Sprint(id), 7, []byte(`{"update_id":1}`), t0); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := in.Push(ctx, "11", 7, nil, t0); ok {
		t.Fatal("duplicate update accepted")
	}
	chat, ok, err := in.Claim(ctx, t0, t0.Add(time.Minute), "w1")
	if err != nil || !ok || chat != 7 {
		t.Fatalf("claim: %d %v %v", chat, ok, err)
	}
	// The chat is leased: a second worker gets nothing, even when a new update arrives.
	if _, err := in.Push(ctx, "12", 7, []byte(`{}`), t0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := in.Claim(ctx, t0, t0.Add(time.Minute), "w2"); ok {
		t.Fatal("leased chat handed out twice")
	}
	var seen []string
	for {
		it, ok, err := in.Head(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		seen = append(seen, it.ID)
		if err := in.Ack(ctx, 7, "w1", it.ID); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 3 || seen[0] != "10" || seen[1] != "11" || seen[2] != "12" {
		t.Fatalf("order %v", seen)
	}
	if err := in.Release(ctx, 7, "w1", t0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := in.Claim(ctx, t0, t0.Add(time.Minute), "w2"); ok {
		t.Fatal("empty chat ready")
	}
}

func TestInboxExpiredLeaseIsRecovered(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	in := s.Inbox()
	if _, err := in.Push(ctx, "1", 5, []byte(`{}`), t0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := in.Claim(ctx, t0, t0.Add(30*time.Second), "dead"); !ok {
		t.Fatal("no claim")
	}
	if _, ok, _ := in.Claim(ctx, t0.Add(29*time.Second), t0.Add(time.Minute), "w2"); ok {
		t.Fatal("live lease stolen")
	}
	chat, ok, err := in.Claim(ctx, t0.Add(31*time.Second), t0.Add(time.Minute), "w2")
	if err != nil || !ok || chat != 5 {
		t.Fatalf("expired lease not recovered: %v %v", ok, err)
	}
	// The dead worker can no longer ack.
	if err := in.Ack(ctx, 5, "dead", "1"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("stale ack: %v", err)
	}
	if it, ok, _ := in.Head(ctx, 5); !ok || it.ID != "1" {
		t.Fatal("update lost")
	}
}

func TestInboxParksAfterMaxTries(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	in := s.Inbox()
	_, _ = in.Push(ctx, "1", 5, []byte(`{"update_id":1}`), t0)
	_, _ = in.Push(ctx, "2", 5, []byte(`{"update_id":2}`), t0)
	_, _, _ = in.Claim(ctx, t0, t0.Add(time.Minute), "w")
	for i := 1; i <= 3; i++ {
		parked, err := in.Fail(ctx, 5, "w", "1", 3, "panic", t0)
		if err != nil {
			t.Fatal(err)
		}
		if parked != (i == 3) {
			t.Fatalf("try %d parked=%v", i, parked)
		}
	}
	it, ok, _ := in.Head(ctx, 5)
	if !ok || it.ID != "2" || it.Tries != 0 {
		t.Fatalf("next update %+v %v", it, ok)
	}
	st, _ := in.Stats(ctx)
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
