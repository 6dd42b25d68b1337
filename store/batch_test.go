package store_test

import (
	"context"
	"testing"
	"time"

	"suivi/internal/redistest"
	"suivi/store"
)

// A batch pushed in one round trip queues each id once, one lane's items in
// the order given, even after Redis forgot its scripts (a restart: the
// pipelined calls are refused with NOSCRIPT, and sent again in full).
func TestPushBatchDedupesInOrder(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	in := s.Inbox()
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	isNew, errs := in.PushBatch(ctx, []store.PushItem{
		{ID: "a", Lane: 7, Payload: []byte(`{"n":1}`)},
		{ID: "b", Lane: 7, Payload: []byte(`{"n":2}`)},
		{ID: "a", Lane: 7, Payload: []byte(`{"n":3}`)},
		{ID: "c", Lane: 8, Payload: []byte(`{"n":4}`)},
	}, t0)
	for i, want := range []bool{true, true, false, true} {
		if errs[i] != nil || isNew[i] != want {
			t.Fatalf("item %d: new %v, %v; want %v", i, isNew[i], errs[i], want)
		}
	}
	if ok, _ := in.Push(ctx, "b", 7, nil, t0); ok {
		t.Fatal("an id pushed in a batch was queued again")
	}
	lane, ok, err := in.Claim(ctx, t0, t0.Add(time.Minute), "w1")
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	var seen []string
	for {
		it, ok, err := in.Head(ctx, lane)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		seen = append(seen, it.ID+string(it.Payload))
		if err := in.Ack(ctx, lane, "w1", it.ID); err != nil {
			t.Fatal(err)
		}
	}
	want := map[int64][]string{7: {`a{"n":1}`, `b{"n":2}`}, 8: {`c{"n":4}`}}[lane]
	if len(seen) != len(want) || (len(want) > 0 && seen[0] != want[0]) || (len(want) > 1 && seen[1] != want[1]) {
		t.Fatalf("lane %d: %v, want %v", lane, seen, want)
	}
}

// ClaimDue says when to look next; FinishJobs releases a batch in one
// round trip and schedules each job's next firing, even after Redis forgot
// its scripts.
func TestClaimDueAndFinishJobs(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	if _, next, err := s.ClaimDue(ctx, t0, t0.Add(time.Minute), 10); err != nil || !next.IsZero() {
		t.Fatalf("empty queue: next %s, %v", next, err)
	}
	if err := s.SyncJobs(ctx, "b1", map[string]time.Time{"r|b1|1": t0, "r|b1|2": t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncJobs(ctx, "b2", map[string]time.Time{"r|b2|1": t0.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if jobs, next, err := s.ClaimDue(ctx, t0.Add(-2*time.Minute), t0, 10); err != nil || len(jobs) != 0 || !next.Equal(t0.Add(-time.Minute)) {
		t.Fatalf("before anything is due: %v, next %s, %v", jobs, next, err)
	}
	jobs, _, err := s.ClaimDue(ctx, t0, t0.Add(time.Minute), 10)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("claimed %v, %v; want the two jobs due", jobs, err)
	}
	// Leased: the lease's expiry is the next look.
	if jobs, next, err := s.ClaimDue(ctx, t0, t0.Add(time.Minute), 10); err != nil || len(jobs) != 0 || !next.Equal(t0.Add(time.Minute)) {
		t.Fatalf("while leased: %v, next %s, %v", jobs, next, err)
	}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	var fs []store.Finish
	for _, j := range jobs {
		owner := "b1"
		if j.Member == "r|b2|1" {
			owner = "b2"
		}
		fs = append(fs, store.Finish{Owner: owner, Member: j.Member, Next: t0.Add(2 * time.Hour)})
	}
	for i, err := range s.FinishJobs(ctx, fs) {
		if err != nil {
			t.Fatalf("finish %s: %v", fs[i].Member, err)
		}
	}
	if jobs, next, err := s.ClaimDue(ctx, t0, t0.Add(time.Minute), 10); err != nil || len(jobs) != 0 || !next.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after finishing: %v, next %s, %v; want nothing before the second step's reminder", jobs, next, err)
	}
	for owner, want := range map[string]int{"b1": 2, "b2": 1} {
		js, err := s.Jobs(ctx, owner)
		if err != nil || len(js) != want {
			t.Fatalf("jobs of %s: %v, %v", owner, js, err)
		}
	}
}
