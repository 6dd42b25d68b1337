package store_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"suivi/internal/redistest"
	"suivi/store"
)

// The number of shards is fixed for a deployment: the first store records
// it, another number is refused in one line.
func TestShardsAreFixedPerDeployment(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	keys := store.EphemeralKeyring()
	if err := store.New(rdb, store.Options{Keys: keys}).CheckShards(ctx); err != nil {
		t.Fatal(err)
	}
	err := store.New(rdb, store.Options{Keys: keys, Shards: 8}).CheckShards(ctx)
	if !errors.Is(err, store.ErrShards) || err.Error() != "SUIVI_SHARDS does not match Redis's queues: SUIVI_SHARDS is 8, but the queues of this Redis are in 16 shards (it is fixed for a deployment)" {
		t.Fatalf("another number of shards: %v", err)
	}
	if err := store.New(rdb, store.Options{Keys: keys, Shards: 16}).CheckShards(ctx); err != nil {
		t.Fatal(err)
	}
}

// Lanes and jobs spread over the shards; every ready lane and every due
// job is claimed, once, whichever shard it is in; a lane keeps its order.
func TestQueuesSpreadOverShards(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	in := s.Inbox()
	const lanes = 200
	for l := int64(1); l <= lanes; l++ {
		for i := range 2 {
			if _, err := in.Push(ctx, fmt.Sprintf("%d-%d", l, i), 1000+l, []byte("x"), t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SyncJobs(ctx, fmt.Sprintf("ben%03d", l), map[string]time.Time{fmt.Sprintf("r|ben%03d|1", l): t0}); err != nil {
			t.Fatal(err)
		}
	}
	shardsOf := func(pattern string) int {
		ks, err := redistest.Keys(ctx, rdb, pattern)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`\{(inbox|due):(\d+)\}`)
		seen := map[string]bool{}
		for _, k := range ks {
			seen[re.FindString(k)] = true
		}
		return len(seen)
	}
	if n := shardsOf("suivi:{inbox:*}:q:*"); n != 16 {
		t.Fatalf("200 lanes in %d shards of 16", n)
	}
	if n := shardsOf("suivi:{due:*}:q"); n != 16 {
		t.Fatalf("200 owners' jobs in %d shards of 16", n)
	}
	claimed := map[int64]bool{}
	for {
		lane, ok, err := in.Claim(ctx, t0, t0.Add(time.Minute), "w")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if claimed[lane] {
			t.Fatalf("lane %d claimed twice", lane)
		}
		claimed[lane] = true
		if it, ok, err := in.Head(ctx, lane); err != nil || !ok || it.ID != fmt.Sprintf("%d-0", lane-1000) {
			t.Fatalf("lane %d head %+v %v %v", lane, it, ok, err)
		}
	}
	if len(claimed) != lanes {
		t.Fatalf("%d lanes claimed of %d", len(claimed), lanes)
	}
	jobs := map[string]bool{}
	for {
		got, err := s.ClaimJobs(ctx, t0, t0.Add(time.Minute), 30)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
		for _, j := range got {
			if jobs[j.Member] {
				t.Fatalf("job %s claimed twice", j.Member)
			}
			jobs[j.Member] = true
		}
	}
	if len(jobs) != lanes {
		t.Fatalf("%d jobs claimed of %d", len(jobs), lanes)
	}
	if w, l, err := s.JobStats(ctx); err != nil || w != 0 || l != lanes {
		t.Fatalf("job stats %d waiting %d leased %v", w, l, err)
	}
}
