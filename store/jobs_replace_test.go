package store_test

import (
	"context"
	"testing"
	"time"
)

// ReplaceJobs takes an owner's other jobs out (a leased one is not
// scheduled again when it is finished) and keeps the one job at the earlier
// of its time and the one given.
func TestReplaceJobsLeavesOneJob(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	t0 := time.Date(2027, 3, 16, 9, 0, 0, 0, time.UTC)
	if err := s.SyncJobs(ctx, "ben1", map[string]time.Time{
		"r|ben1|1": t0, "o|ben1|1": t0.Add(48 * time.Hour), "c|ben1": t0.Add(72 * time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	jobs, err := s.ClaimJobs(ctx, t0, t0.Add(time.Minute), 10)
	if err != nil || len(jobs) != 1 || jobs[0].Member != "r|ben1|1" {
		t.Fatalf("claimed %v %v", jobs, err)
	}
	if err := s.ReplaceJobs(ctx, "ben1", "b|ben1", t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishJob(ctx, "ben1", "r|ben1|1", t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Jobs(ctx, "ben1")
	if err != nil || len(got) != 1 || !got["b|ben1"].Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("jobs %v %v: want b|ben1 alone, a day later", got, err)
	}
	// A later time does not move it; an earlier one does.
	if err := s.ReplaceJobs(ctx, "ben1", "b|ben1", t0.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Jobs(ctx, "ben1"); !got["b|ben1"].Equal(t0.Add(24 * time.Hour)) {
		t.Fatalf("moved later: %v", got)
	}
	if err := s.ReplaceJobs(ctx, "ben1", "b|ben1", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Jobs(ctx, "ben1"); !got["b|ben1"].Equal(t0.Add(time.Hour)) {
		t.Fatalf("not moved earlier: %v", got)
	}
	if waiting, leased, err := s.JobStats(ctx); err != nil || waiting != 1 || leased != 0 {
		t.Fatalf("queue holds %d waiting, %d leased (%v): want the one job", waiting, leased, err)
	}
	// A series job waiting for its retry brings the time that first
	// failed: the one job is due then, not later.
	if err := s.SyncJobs(ctx, "ben2", map[string]time.Time{"c|ben2": t0}); err != nil {
		t.Fatal(err)
	}
	if jobs, err := s.ClaimJobs(ctx, t0, t0.Add(time.Minute), 10); err != nil || len(jobs) != 1 {
		t.Fatalf("claimed %v %v", jobs, err)
	}
	if _, _, err := s.FailJob(ctx, "c|ben2", t0, t0.Add(8*time.Minute), 5, "test"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceJobs(ctx, "ben2", "b|ben2", t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Jobs(ctx, "ben2"); len(got) != 1 || !got["b|ben2"].Equal(t0) {
		t.Fatalf("jobs %v: want b|ben2 at the failed time %s", got, t0)
	}
}
