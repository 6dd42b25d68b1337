package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"suivi/internal/redistest"
	"suivi/store"
)

// benchQueueJobs is the size of the queue the benchmarks claim from; the
// 1M-job run is cmd/suivi-bench's (see BENCHMARKS.md).
const benchQueueJobs = 100_000

// loadQueue schedules n jobs, eleven per owner as a beneficiary with a
// 5-step plan has, all due between base-24h and base.
func loadQueue(b *testing.B, s *store.Store, n int, base time.Time) {
	b.Helper()
	ctx := context.Background()
	for o := 0; o*11 < n; o++ {
		owner := fmt.Sprintf("b%07d", o)
		jobs := map[string]time.Time{}
		for k := 0; k < 11 && o*11+k < n; k++ {
			j := o*11 + k
			jobs[fmt.Sprintf("r|%s|%d", owner, k+1)] = base.Add(-24 * time.Hour).Add(time.Duration(j) * 24 * time.Hour / time.Duration(n))
		}
		if err := s.SyncJobs(ctx, owner, jobs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClaimFinish claims due jobs in batches and finishes each one,
// rescheduled a week later, as the scheduler does. One op is one batch;
// jobs/s counts claim and finish, claim-jobs/s the ClaimJobs calls alone.
func BenchmarkClaimFinish(b *testing.B) {
	for _, batch := range []int{50, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ctx := context.Background()
			s := store.New(redistest.Client(b), store.Options{Keys: store.EphemeralKeyring()})
			now := time.Now().Truncate(time.Millisecond)
			loadQueue(b, s, benchQueueJobs, now)
			var claimed int
			var inClaim time.Duration
			start := time.Now()
			for b.Loop() {
				c := time.Now()
				jobs, err := s.ClaimJobs(ctx, now, now.Add(2*time.Minute), batch)
				inClaim += time.Since(c)
				if err != nil {
					b.Fatal(err)
				}
				if len(jobs) == 0 { // every job is done for this week: a week later they are due again
					now = now.Add(7 * 24 * time.Hour)
					continue
				}
				for _, j := range jobs {
					owner := strings.Split(j.Member, "|")[1]
					if err := s.FinishJob(ctx, owner, j.Member, j.Due.Add(7*24*time.Hour)); err != nil {
						b.Fatal(err)
					}
				}
				claimed += len(jobs)
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(claimed)/elapsed.Seconds(), "jobs/s")
			b.ReportMetric(float64(claimed)/inClaim.Seconds(), "claim-jobs/s")
		})
	}
}
