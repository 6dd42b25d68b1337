package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The due-queue: when each scheduled job of Suivi fires next. A job is a
// series (the reminders of one step, a beneficiary's check-ins, ...) named
// by a member string; it holds ONE entry, its next firing, not one per
// occurrence. Workers claim due jobs atomically into a lease set; a job
// whose lease expires (its worker died) is claimed again at its original
// time. This is asynq's queue design with one member per series instead of
// one task per occurrence (see reminders' package doc for why).
//
//	suivi:{due}:q            zset  member -> next firing (unix ms)
//	suivi:{due}:lease        zset  member -> lease expiry (unix ms)
//	suivi:{due}:orig         hash  member -> firing time it was claimed for
//	suivi:{due}:of:<owner>   set   members owned by a beneficiary or advisor

var jobsSync = redis.NewScript(`
local old = redis.call('SMEMBERS', KEYS[1])
local keep = {}
for i = 1, #ARGV, 2 do keep[ARGV[i]] = true end
for _, m in ipairs(old) do
  if not keep[m] then
    redis.call('ZREM', KEYS[2], m)
    redis.call('SREM', KEYS[1], m)
  end
end
for i = 1, #ARGV, 2 do
  redis.call('ZADD', KEYS[2], ARGV[i+1], ARGV[i])
  redis.call('SADD', KEYS[1], ARGV[i])
end
return #old`)

var jobsClaim = redis.NewScript(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, m in ipairs(expired) do
  local at = redis.call('HGET', KEYS[3], m) or ARGV[1]
  redis.call('ZREM', KEYS[2], m)
  redis.call('HDEL', KEYS[3], m)
  redis.call('ZADD', KEYS[1], 'NX', at, m)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #due, 2 do
  redis.call('ZREM', KEYS[1], due[i])
  redis.call('ZADD', KEYS[2], ARGV[2], due[i])
  redis.call('HSET', KEYS[3], due[i], due[i+1])
end
return due`)

var jobsDone = redis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if tonumber(ARGV[2]) > 0 then
  redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
  redis.call('SADD', KEYS[4], ARGV[1])
elseif not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('SREM', KEYS[4], ARGV[1])
end
return 1`)

func (s *Store) jobsKey(part string) string { return s.k.prefix + "{due}:" + part }

// Job is a claimed job: its member and the time it was due.
type Job struct {
	Member string
	Due    time.Time
}

// SyncJobs makes the jobs of owner exactly jobs (member -> next firing):
// jobs no longer wanted are removed, the others (re)scheduled.
func (s *Store) SyncJobs(ctx context.Context, owner string, jobs map[string]time.Time) error {
	args := make([]any, 0, 2*len(jobs))
	for m, at := range jobs {
		args = append(args, m, ms(at))
	}
	if err := jobsSync.Run(ctx, s.rdb, []string{s.jobsKey("of:" + owner), s.jobsKey("q")}, args...).Err(); err != nil {
		return fmt.Errorf("sync jobs of %s: %w", owner, err)
	}
	return nil
}

// ClaimJobs takes up to n jobs due at now under a lease until leaseUntil,
// after returning expired leases to the queue at their original time.
func (s *Store) ClaimJobs(ctx context.Context, now, leaseUntil time.Time, n int) ([]Job, error) {
	v, err := jobsClaim.Run(ctx, s.rdb, []string{s.jobsKey("q"), s.jobsKey("lease"), s.jobsKey("orig")},
		ms(now), ms(leaseUntil), n).StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	jobs := make([]Job, 0, len(v)/2)
	for i := 0; i+1 < len(v); i += 2 {
		at, _ := strconv.ParseFloat(v[i+1], 64)
		jobs = append(jobs, Job{Member: v[i], Due: time.UnixMilli(int64(at)).UTC()})
	}
	return jobs, nil
}

// FinishJob releases a claimed job and schedules its next firing (none when
// next is zero). A job rescheduled meanwhile by SyncJobs keeps that time.
func (s *Store) FinishJob(ctx context.Context, owner, member string, next time.Time) error {
	at := int64(0)
	if !next.IsZero() {
		at = ms(next)
	}
	err := jobsDone.Run(ctx, s.rdb, []string{s.jobsKey("q"), s.jobsKey("lease"), s.jobsKey("orig"), s.jobsKey("of:" + owner)},
		member, at).Err()
	if err != nil {
		return fmt.Errorf("finish job %s: %w", member, err)
	}
	return nil
}

// Jobs returns the scheduled jobs of owner (member -> next firing); a job
// being worked on right now is not listed.
func (s *Store) Jobs(ctx context.Context, owner string) (map[string]time.Time, error) {
	members, err := s.rdb.SMembers(ctx, s.jobsKey("of:"+owner)).Result()
	if err != nil {
		return nil, fmt.Errorf("jobs of %s: %w", owner, err)
	}
	out := map[string]time.Time{}
	if len(members) == 0 {
		return out, nil
	}
	scores, err := s.rdb.ZMScore(ctx, s.jobsKey("q"), members...).Result()
	if err != nil {
		return nil, fmt.Errorf("jobs of %s: %w", owner, err)
	}
	for i, m := range members {
		if scores[i] != 0 {
			out[m] = time.UnixMilli(int64(scores[i])).UTC()
		}
	}
	return out, nil
}

// NextJob returns the earliest scheduled firing; ok is false when the queue
// is empty.
func (s *Store) NextJob(ctx context.Context) (at time.Time, ok bool, err error) {
	v, err := s.rdb.ZRangeWithScores(ctx, s.jobsKey("q"), 0, 0).Result()
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next job: %w", err)
	}
	if len(v) == 0 {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(int64(v[0].Score)).UTC(), true, nil
}

// JobStats counts jobs waiting and jobs leased.
func (s *Store) JobStats(ctx context.Context) (waiting, leased int64, err error) {
	p := s.rdb.Pipeline()
	w := p.ZCard(ctx, s.jobsKey("q"))
	l := p.ZCard(ctx, s.jobsKey("lease"))
	if _, err := p.Exec(ctx); err != nil {
		return 0, 0, fmt.Errorf("job stats: %w", err)
	}
	return w.Val(), l.Val(), nil
}

// DueJobs counts the jobs due at now and not claimed yet.
func (s *Store) DueJobs(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.rdb.ZCount(ctx, s.jobsKey("q"), "-inf", strconv.FormatInt(ms(now), 10)).Result()
	if err != nil {
		return 0, fmt.Errorf("due jobs: %w", err)
	}
	return n, nil
}
