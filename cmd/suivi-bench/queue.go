package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/store"
)

const week = 7 * 24 * time.Hour

// Keys of the due-queue (one shard) as documented in store/jobs.go; used only to load
// jobs in bulk.
const (
	queueKey    = "suivi:{due:0}:q"
	ownerPrefix = "suivi:{due:0}:of:"
)

// jobsPerOwner: a beneficiary with a 5-step plan has a reminder, a nudge
// and an overdue series per step, a check-in and a meeting brief.
const jobsPerOwner = 17

// jobMember returns the member of the j-th job and its owner, shaped as
// the scheduler's members.
func jobMember(j int) (member, owner string) {
	owner = fmt.Sprintf("q%07d", j/jobsPerOwner)
	switch k := j % jobsPerOwner; {
	case k < 15:
		return fmt.Sprintf("%c|%s|%d", "rov"[k/5], owner, k%5+1), owner
	case k == 15:
		return "c|" + owner, owner
	default:
		return "m|" + owner, owner
	}
}

func ownerOf(member string) string {
	parts := strings.Split(member, "|")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// loadJobs puts n jobs in the queue, due between base-24h and base, and
// returns the used_memory growth of the sorted set and of the owner sets.
func loadJobs(ctx context.Context, rdb *redis.Client, n int, base time.Time) (zsetBytes, setBytes int64, err error) {
	m0, err := usedMemory(ctx, rdb)
	if err != nil {
		return 0, 0, err
	}
	const perCmd, perExec = 1000, 50
	p := rdb.Pipeline()
	flush := func(force bool) error {
		if p.Len() >= perExec || force && p.Len() > 0 {
			_, err := p.Exec(ctx)
			return err
		}
		return nil
	}
	from := base.Add(-24 * time.Hour).UnixMilli()
	span := (24 * time.Hour).Milliseconds()
	zs := make([]redis.Z, 0, perCmd)
	for j := range n {
		m, _ := jobMember(j)
		zs = append(zs, redis.Z{Score: float64(from + span*int64(j)/int64(n)), Member: m})
		if len(zs) == perCmd || j == n-1 {
			p.ZAdd(ctx, queueKey, zs...)
			zs = zs[:0]
			if err := flush(false); err != nil {
				return 0, 0, fmt.Errorf("load queue: %w", err)
			}
		}
	}
	if err := flush(true); err != nil {
		return 0, 0, fmt.Errorf("load queue: %w", err)
	}
	m1, err := usedMemory(ctx, rdb)
	if err != nil {
		return 0, 0, err
	}
	for j := 0; j < n; j += jobsPerOwner {
		_, owner := jobMember(j)
		members := make([]any, 0, jobsPerOwner)
		for k := j; k < min(n, j+jobsPerOwner); k++ {
			m, _ := jobMember(k)
			members = append(members, m)
		}
		p.SAdd(ctx, ownerPrefix+owner, members...)
		if err := flush(false); err != nil {
			return 0, 0, fmt.Errorf("load owner sets: %w", err)
		}
	}
	if err := flush(true); err != nil {
		return 0, 0, fmt.Errorf("load owner sets: %w", err)
	}
	m2, err := usedMemory(ctx, rdb)
	if err != nil {
		return 0, 0, err
	}
	return m1 - m0, m2 - m1, nil
}

// benchQueue is part 1.
func benchQueue(ctx context.Context, rdb *redis.Client, st *store.Store, n int, batches []int) error {
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return err
	}
	base := time.Now().Truncate(time.Millisecond)
	progress("part 1: loading %d jobs", n)
	t0 := time.Now()
	zsetBytes, setBytes, err := loadJobs(ctx, rdb, n, base)
	if err != nil {
		return err
	}
	loadTime := time.Since(t0)
	if waiting, leased, err := st.JobStats(ctx); err != nil {
		return err
	} else if waiting != int64(n) || leased != 0 {
		return fmt.Errorf("after loading: %d waiting, %d leased, want %d, 0", waiting, leased, n)
	}

	fmt.Printf("## Due-queue: %d jobs, all due\n\n", n)
	fmt.Printf("Loaded in %s (%s, pipelined ZADD/SADD; not part of the rates below).\n", secs(loadTime), rate(n, loadTime))
	fmt.Printf("Redis used_memory per job: %s (sorted set %s + owner sets %s).\n\n",
		perUnit(zsetBytes+setBytes, n), perUnit(zsetBytes, n), perUnit(setBytes, n))
	fmt.Println("| batch | jobs | claim only | claim + finish | ClaimJobs p50 | ClaimJobs p99 | FinishJob mean |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|")

	for round, size := range batches {
		// Each round claims a week after the previous one: the jobs the
		// previous round rescheduled are all due again.
		now := base.Add(time.Duration(round) * week)
		progress("part 1: claiming in batches of %d", size)
		var (
			claimTime, finishTime time.Duration
			lat                   = make([]time.Duration, 0, n/size+1)
			done                  int
		)
		start := time.Now()
		for {
			c := time.Now()
			jobs, err := st.ClaimJobs(ctx, now, now.Add(2*time.Minute), size)
			d := time.Since(c)
			if err != nil {
				return err
			}
			if len(jobs) == 0 {
				break
			}
			claimTime += d
			lat = append(lat, d)
			f := time.Now()
			for _, j := range jobs {
				if err := st.FinishJob(ctx, ownerOf(j.Member), j.Member, j.Due.Add(week)); err != nil {
					return err
				}
			}
			finishTime += time.Since(f)
			done += len(jobs)
		}
		wall := time.Since(start)
		if done != n {
			return fmt.Errorf("batch %d: claimed %d jobs, want %d", size, done, n)
		}
		if waiting, leased, err := st.JobStats(ctx); err != nil {
			return err
		} else if waiting != int64(n) || leased != 0 {
			return fmt.Errorf("after batch %d: %d waiting, %d leased, want %d, 0", size, waiting, leased, n)
		}
		slices.Sort(lat)
		fmt.Printf("| %d | %d | %s | %s | %s | %s | %s |\n", size, done, rate(done, claimTime), rate(done, wall),
			ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99)), us(finishTime/time.Duration(done)))
	}
	after, err := usedMemory(ctx, rdb)
	if err != nil {
		return err
	}
	fmt.Printf("\nRedis used_memory after the rounds: %s (every job rescheduled, no lease left).\n\n", mib(uint64(after)))
	return rdb.FlushDB(ctx).Err()
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }
