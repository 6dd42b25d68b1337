package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Batches of the due-queue: a claim that also says when to look next, and
// the finishing of a claimed batch in one round trip. Firing is bound by
// round trips, not by Redis's work: one script call per job in a pipeline
// costs Redis the same as one call per job each in its own round trip, and
// the scheduler one round trip instead of fifty.

// scriptCall is one call of a script in a pipelined batch.
type scriptCall struct {
	keys []string
	args []any
}

// runScripts runs sc once per call, pipelined in one round trip (more on a
// Redis Cluster: one per node), and returns each call's result in order. A
// call the server refused with NOSCRIPT (its script cache was flushed, or
// never had it) did nothing, and is sent again in full (EVAL, which also
// loads the script).
func (s *Store) runScripts(ctx context.Context, sc *redis.Script, calls []scriptCall) []*redis.Cmd {
	out := make([]*redis.Cmd, len(calls))
	if len(calls) == 0 {
		return out
	}
	p := s.rdb.Pipeline()
	for i, c := range calls {
		out[i] = sc.EvalSha(ctx, p, c.keys, c.args...)
	}
	_, _ = p.Exec(ctx) // each call's error is its own
	var again []int
	for i, c := range out {
		if noScript(c.Err()) {
			again = append(again, i)
		}
	}
	if len(again) == 0 {
		return out
	}
	p = s.rdb.Pipeline()
	for _, i := range again {
		out[i] = sc.Eval(ctx, p, calls[i].keys, calls[i].args...)
	}
	_, _ = p.Exec(ctx)
	return out
}

// ClaimDue is ClaimJobs that also returns when to look next: the earliest
// firing or lease expiry over every shard, as its probe saw it before
// claiming (zero when the queue and the leases are empty). With no job
// claimed, nothing is to be claimed before next, unless a job is scheduled
// meanwhile; with jobs claimed, more may be due at once.
//
// The probe, one pipelined round trip, is the first entry of each shard's
// queue and of its leases (two commands a shard): the shards due now are
// claimed from, the others left alone.
func (s *Store) ClaimDue(ctx context.Context, now, leaseUntil time.Time, n int) (jobs []Job, next time.Time, err error) {
	p := s.rdb.Pipeline()
	firsts := make([][2]*redis.ZSliceCmd, s.shards)
	for sh := range firsts {
		firsts[sh] = [2]*redis.ZSliceCmd{p.ZRangeWithScores(ctx, s.jobsKey(sh, "q"), 0, 0), p.ZRangeWithScores(ctx, s.jobsKey(sh, "lease"), 0, 0)}
	}
	if _, err := p.Exec(ctx); err != nil {
		return nil, time.Time{}, fmt.Errorf("claim jobs: %w", err)
	}
	busy := make([]bool, s.shards)
	at := ms(now)
	for sh, f := range firsts {
		for _, c := range f {
			v := c.Val()
			if len(v) == 0 {
				continue
			}
			t := int64(v[0].Score)
			if t <= at {
				busy[sh] = true
			}
			if tt := time.UnixMilli(t).UTC(); next.IsZero() || tt.Before(next) {
				next = tt
			}
		}
	}
	start := int(s.turn.Add(1)) % s.shards
	for i := 0; i < s.shards && len(jobs) < n; i++ {
		sh := (start + i) % s.shards
		if !busy[sh] {
			continue
		}
		k := func(part string) string { return s.jobsKey(sh, part) }
		v, err := jobsClaim.Run(ctx, s.rdb, []string{k("q"), k("lease"), k("orig"), k("fails"), k("since")},
			ms(now), ms(leaseUntil), n-len(jobs)).StringSlice()
		if err != nil && !errors.Is(err, redis.Nil) {
			return jobs, next, fmt.Errorf("claim jobs: %w", err)
		}
		for i := 0; i+2 < len(v); i += 3 {
			at, _ := strconv.ParseFloat(v[i+1], 64)
			fails, _ := strconv.Atoi(v[i+2])
			jobs = append(jobs, Job{Member: v[i], Due: time.UnixMilli(int64(at)).UTC(), Fails: fails})
		}
	}
	return jobs, next, nil
}

// Finish is one claimed job to release, and its next firing (none when
// zero), for FinishJobs.
type Finish struct {
	Owner  string
	Member string
	Next   time.Time
}

// FinishJobs is FinishJob for a batch of jobs, in one round trip: each
// job's own script call, pipelined. It returns each job's error (nil when
// finished) in order.
func (s *Store) FinishJobs(ctx context.Context, fs []Finish) []error {
	calls := make([]scriptCall, len(fs))
	for i, f := range fs {
		at := int64(0)
		if !f.Next.IsZero() {
			at = ms(f.Next)
		}
		k := func(part string) string { return s.ownerKey(f.Owner, part) }
		calls[i] = scriptCall{
			keys: []string{k("q"), k("lease"), k("orig"), k("of:" + f.Owner), k("fails"), k("since")},
			args: []any{f.Member, at},
		}
	}
	errs := make([]error, len(fs))
	for i, c := range s.runScripts(ctx, jobsDone, calls) {
		if err := c.Err(); err != nil {
			errs[i] = fmt.Errorf("finish job %s: %w", fs[i].Member, err)
		}
	}
	return errs
}
