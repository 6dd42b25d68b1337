package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The due-queue: when each scheduled job of Suivi fires next. A job is
// named by a member string: the scheduler keeps one per beneficiary (due at
// the earliest of their series: the reminders of each step, their
// check-ins, ...) and an advisor's digest and release; it holds ONE entry,
// its next firing, not one per occurrence. Workers claim due jobs
// atomically into a lease set; a job whose lease expires (its worker died)
// is claimed again at its original time. This is asynq's queue design with
// one member per beneficiary instead of one task per occurrence (see
// reminders' package doc for why).
//
// The queue is split in shards (shards.go): an owner's jobs are all in the
// shard of the owner (a beneficiary's id, "a<id>" for an advisor), so each
// script below touches one shard, {due:<n>}.
//
//	suivi:{due:<n>}:q            zset  member -> next firing (unix ms)
//	suivi:{due:<n>}:lease        zset  member -> lease expiry (unix ms)
//	suivi:{due:<n>}:orig         hash  member -> firing time it was claimed for
//	suivi:{due:<n>}:of:<owner>   set   members owned by a beneficiary or advisor
//	suivi:{due:<n>}:fails        hash  member -> failed firings in a row
//	suivi:{due:<n>}:since        hash  member -> firing time of the first of them
//	suivi:{due:<n>}:parked       list  JSON of jobs given up on (bounded, expiring)
//
// A job whose firing fails is tried again later (FailJob), for the same
// firing time, and parked after a few failures in a row; a Sync of its
// owner starts it afresh.

// jobsSync makes an owner's jobs exactly the given ones, forgetting their
// failures: a Sync starts every series afresh.
//
// KEYS[1] the owner's members, KEYS[2] queue, KEYS[3] fails, KEYS[4] since
// ARGV: member, next firing (unix ms), member, next firing, ...
var jobsSync = redis.NewScript(`
local old = redis.call('SMEMBERS', KEYS[1])
local keep = {}
for i = 1, #ARGV, 2 do keep[ARGV[i]] = true end
for _, m in ipairs(old) do
  if not keep[m] then
    redis.call('ZREM', KEYS[2], m)
    redis.call('SREM', KEYS[1], m)
  end
  redis.call('HDEL', KEYS[3], m)
  redis.call('HDEL', KEYS[4], m)
end
for i = 1, #ARGV, 2 do
  redis.call('ZADD', KEYS[2], ARGV[i+1], ARGV[i])
  redis.call('SADD', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[3], ARGV[i])
  redis.call('HDEL', KEYS[4], ARGV[i])
end
return #old`)

// jobsClaim returns expired leases to the queue at their original time,
// then leases the jobs due. A job retried after failures is claimed for the
// firing time that first failed.
//
// KEYS[1] queue, KEYS[2] lease, KEYS[3] orig, KEYS[4] fails, KEYS[5] since
// ARGV[1] now (unix ms), ARGV[2] lease expiry (unix ms), ARGV[3] most jobs
// Returns member, firing time, failures so far, member, ...
var jobsClaim = redis.NewScript(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, m in ipairs(expired) do
  local at = redis.call('HGET', KEYS[3], m) or ARGV[1]
  redis.call('ZREM', KEYS[2], m)
  redis.call('HDEL', KEYS[3], m)
  redis.call('ZADD', KEYS[1], 'NX', at, m)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i = 1, #due, 2 do
  local m = due[i]
  local at = redis.call('HGET', KEYS[5], m) or due[i+1]
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], ARGV[2], m)
  redis.call('HSET', KEYS[3], m, at)
  out[#out+1] = m
  out[#out+1] = at
  out[#out+1] = redis.call('HGET', KEYS[4], m) or '0'
end
return out`)

// jobsDone releases a claimed job and schedules its next firing (none when
// ARGV[2] is 0), unless it was rescheduled meanwhile, or removed meanwhile
// from its owner's jobs (a Sync that no longer wants it, an erasure).
//
// KEYS[1] queue, KEYS[2] lease, KEYS[3] orig, KEYS[4] the owner's members,
// KEYS[5] fails, KEYS[6] since
// ARGV[1] member, ARGV[2] next firing (unix ms) or 0
var jobsDone = redis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('HDEL', KEYS[6], ARGV[1])
if tonumber(ARGV[2]) > 0 then
  if redis.call('SISMEMBER', KEYS[4], ARGV[1]) == 1 then
    redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
  end
elseif not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('SREM', KEYS[4], ARGV[1])
end
return 1`)

// jobsFail releases a claimed job whose firing failed: it is tried again at
// ARGV[2] for the same firing time, or, after ARGV[3] failures in a row,
// parked (kept aside for an operator) and left out of the queue.
//
// KEYS[1] queue, KEYS[2] lease, KEYS[3] orig, KEYS[4] fails, KEYS[5] since,
// KEYS[6] parked
// ARGV[1] member, ARGV[2] retry time (unix ms), ARGV[3] most failures,
// ARGV[4] now (unix ms), ARGV[5] reason, ARGV[6] most parked records kept,
// ARGV[7] TTL of the parked list (ms)
// Returns {0, 0} (not leased: its lease lapsed and it was taken over),
// or {1 (to retry) or 2 (parked), failures}.
var jobsFail = redis.NewScript(`
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {0, 0} end
local due = redis.call('HGET', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
local n = redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
if due and not redis.call('HGET', KEYS[5], ARGV[1]) then redis.call('HSET', KEYS[5], ARGV[1], due) end
if n >= tonumber(ARGV[3]) then
  redis.call('LPUSH', KEYS[6], cjson.encode({member = ARGV[1], fails = n, due = tonumber(redis.call('HGET', KEYS[5], ARGV[1]) or '0'),
    reason = ARGV[5], at = tonumber(ARGV[4])}))
  redis.call('LTRIM', KEYS[6], 0, tonumber(ARGV[6]) - 1)
  redis.call('PEXPIRE', KEYS[6], ARGV[7])
  redis.call('HDEL', KEYS[4], ARGV[1])
  redis.call('HDEL', KEYS[5], ARGV[1])
  return {2, n}
end
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
return {1, n}`)

func (s *Store) jobsKey(shard int, part string) string { return s.k.jobs(shard, part) }

// ownerKey names a key of the shard of owner's jobs.
func (s *Store) ownerKey(owner, part string) string { return s.jobsKey(s.ownerShard(owner), part) }

// Job is a claimed job: its member, the time it was due and how many times
// in a row its firing failed before.
type Job struct {
	Member string
	Due    time.Time
	Fails  int
}

// SyncJobs makes the jobs of owner exactly jobs (member -> next firing):
// jobs no longer wanted are removed, the others (re)scheduled.
func (s *Store) SyncJobs(ctx context.Context, owner string, jobs map[string]time.Time) error {
	args := make([]any, 0, 2*len(jobs))
	for m, at := range jobs {
		args = append(args, m, ms(at))
	}
	k := func(part string) string { return s.ownerKey(owner, part) }
	if err := jobsSync.Run(ctx, s.rdb, []string{k("of:" + owner), k("q"), k("fails"), k("since")}, args...).Err(); err != nil {
		return fmt.Errorf("sync jobs of %s: %w", owner, err)
	}
	return nil
}

// ClaimJobs takes up to n jobs due at now under a lease until leaseUntil,
// after returning expired leases to the queue at their original time. The
// shards are probed in one pipelined round trip, then claimed from in
// turn, starting at the next shard each time (ClaimDue, which also says
// when to look next).
func (s *Store) ClaimJobs(ctx context.Context, now, leaseUntil time.Time, n int) ([]Job, error) {
	jobs, _, err := s.ClaimDue(ctx, now, leaseUntil, n)
	return jobs, err
}

// FinishJob releases a claimed job and schedules its next firing (none when
// next is zero). A job rescheduled meanwhile by SyncJobs keeps that time.
func (s *Store) FinishJob(ctx context.Context, owner, member string, next time.Time) error {
	at := int64(0)
	if !next.IsZero() {
		at = ms(next)
	}
	k := func(part string) string { return s.ownerKey(owner, part) }
	err := jobsDone.Run(ctx, s.rdb, []string{k("q"), k("lease"), k("orig"), k("of:" + owner), k("fails"), k("since")},
		member, at).Err()
	if err != nil {
		return fmt.Errorf("finish job %s: %w", member, err)
	}
	return nil
}

// parked jobs are kept for an operator, bounded and expiring.
const (
	parkedJobsTTL = 30 * 24 * time.Hour
	parkedJobsMax = 1000
)

// FailJob releases a claimed job whose firing failed: it is tried again at
// retryAt, for the same firing time, unless this was its maxFails-th failure
// in a row; then it is parked (kept aside, see ParkedJobs) and leaves the
// queue until its owner's next SyncJobs. It returns the failures in a row;
// 0 when the job is no longer leased (taken over after its lease lapsed):
// then nothing is recorded.
func (s *Store) FailJob(ctx context.Context, member string, now, retryAt time.Time, maxFails int, reason string) (fails int, parked bool, err error) {
	k := func(part string) string { return s.ownerKey(memberOwner(member), part) }
	v, err := jobsFail.Run(ctx, s.rdb,
		[]string{k("q"), k("lease"), k("orig"), k("fails"), k("since"), k("parked")},
		member, ms(retryAt), maxFails, ms(now), reason, parkedJobsMax, parkedJobsTTL.Milliseconds()).Int64Slice()
	if err != nil || len(v) != 2 {
		return 0, false, fmt.Errorf("fail job %s: %w", member, err)
	}
	return int(v[1]), v[0] == 2, nil
}

// ParkedJobs returns up to n parked jobs (JSON: member, fails, due, reason,
// at), newest first over every shard, and how many are parked in all.
func (s *Store) ParkedJobs(ctx context.Context, n int64) ([]string, int64, error) {
	p := s.rdb.Pipeline()
	lists := make([]*redis.StringSliceCmd, s.shards)
	counts := make([]*redis.IntCmd, s.shards)
	for sh := range lists {
		lists[sh] = p.LRange(ctx, s.jobsKey(sh, "parked"), 0, n-1)
		counts[sh] = p.LLen(ctx, s.jobsKey(sh, "parked"))
	}
	if _, err := p.Exec(ctx); err != nil {
		return nil, 0, fmt.Errorf("parked jobs: %w", err)
	}
	var all []string
	var count int64
	for sh := range lists {
		all = append(all, lists[sh].Val()...)
		count += counts[sh].Val()
	}
	newestFirst(all)
	if int64(len(all)) > n {
		all = all[:n]
	}
	return all, count, nil
}

// Jobs returns the scheduled jobs of owner (member -> next firing); a job
// being worked on right now is not listed.
func (s *Store) Jobs(ctx context.Context, owner string) (map[string]time.Time, error) {
	members, err := s.rdb.SMembers(ctx, s.ownerKey(owner, "of:"+owner)).Result()
	if err != nil {
		return nil, fmt.Errorf("jobs of %s: %w", owner, err)
	}
	out := map[string]time.Time{}
	if len(members) == 0 {
		return out, nil
	}
	scores, err := s.rdb.ZMScore(ctx, s.ownerKey(owner, "q"), members...).Result()
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

// NextJob returns the earliest scheduled firing over every shard; ok is
// false when the queue is empty.
func (s *Store) NextJob(ctx context.Context) (at time.Time, ok bool, err error) {
	p := s.rdb.Pipeline()
	firsts := make([]*redis.ZSliceCmd, s.shards)
	for sh := range firsts {
		firsts[sh] = p.ZRangeWithScores(ctx, s.jobsKey(sh, "q"), 0, 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		return time.Time{}, false, fmt.Errorf("next job: %w", err)
	}
	for _, f := range firsts {
		if v := f.Val(); len(v) > 0 {
			t := time.UnixMilli(int64(v[0].Score)).UTC()
			if !ok || t.Before(at) {
				at, ok = t, true
			}
		}
	}
	return at, ok, nil
}

// JobStats counts jobs waiting and jobs leased, over every shard.
func (s *Store) JobStats(ctx context.Context) (waiting, leased int64, err error) {
	p := s.rdb.Pipeline()
	ws := make([]*redis.IntCmd, s.shards)
	ls := make([]*redis.IntCmd, s.shards)
	for sh := range ws {
		ws[sh] = p.ZCard(ctx, s.jobsKey(sh, "q"))
		ls[sh] = p.ZCard(ctx, s.jobsKey(sh, "lease"))
	}
	if _, err := p.Exec(ctx); err != nil {
		return 0, 0, fmt.Errorf("job stats: %w", err)
	}
	for sh := range ws {
		waiting += ws[sh].Val()
		leased += ls[sh].Val()
	}
	return waiting, leased, nil
}

// DueJobs counts the jobs due at now and not claimed yet, over every shard.
func (s *Store) DueJobs(ctx context.Context, now time.Time) (int64, error) {
	p := s.rdb.Pipeline()
	cs := make([]*redis.IntCmd, s.shards)
	at := strconv.FormatInt(ms(now), 10)
	for sh := range cs {
		cs[sh] = p.ZCount(ctx, s.jobsKey(sh, "q"), "-inf", at)
	}
	if _, err := p.Exec(ctx); err != nil {
		return 0, fmt.Errorf("due jobs: %w", err)
	}
	var n int64
	for _, c := range cs {
		n += c.Val()
	}
	return n, nil
}
