package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// jobsAdd schedules one job of an owner at a time, or keeps it at the
// earlier of its time and that one.
//
// KEYS[1] queue, KEYS[2] the owner's members
// ARGV[1] member, ARGV[2] time (unix ms)
var jobsAdd = redis.NewScript(`
local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not cur) or tonumber(cur) > tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
end
redis.call('SADD', KEYS[2], ARGV[1])
return 1`)

// AddJob schedules one job of owner at at, leaving its other jobs alone; a
// job already scheduled earlier keeps its time.
func (s *Store) AddJob(ctx context.Context, owner, member string, at time.Time) error {
	if err := jobsAdd.Run(ctx, s.rdb, []string{s.ownerKey(owner, "q"), s.ownerKey(owner, "of:"+owner)}, member, ms(at)).Err(); err != nil {
		return fmt.Errorf("add job %s: %w", member, err)
	}
	return nil
}

// jobsReplace makes an owner's jobs one job: every other member is taken
// out of the queue and of the owner's members, with its failures; the one
// kept is scheduled at a time, or keeps the earlier of its time and that
// one (a Sync that ran meanwhile stands, or fires it early: a firing
// recomputes). A member taken out while it waits in the queue brings its
// own time (or, waiting for a retry, the time that first failed): the kept
// one is due no later, so that what it was to fire is not skipped. With no
// time (ARGV[2] 0) and none brought, only the others go.
//
// KEYS[1] the owner's members, KEYS[2] queue, KEYS[3] fails, KEYS[4] since
// ARGV[1] member kept, ARGV[2] its time (unix ms) or 0
// Returns how many members went.
var jobsReplace = redis.NewScript(`
local gone = 0
local at = tonumber(ARGV[2])
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if m ~= ARGV[1] then
    local sc = redis.call('ZSCORE', KEYS[2], m)
    if sc then
      local t = tonumber(redis.call('HGET', KEYS[4], m) or sc)
      if at <= 0 or t < at then at = t end
    end
    redis.call('ZREM', KEYS[2], m)
    redis.call('SREM', KEYS[1], m)
    redis.call('HDEL', KEYS[3], m)
    redis.call('HDEL', KEYS[4], m)
    gone = gone + 1
  end
end
if at > 0 then
  local cur = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if (not cur) or tonumber(cur) > at then
    redis.call('ZADD', KEYS[2], at, ARGV[1])
  end
  redis.call('SADD', KEYS[1], ARGV[1])
end
return gone`)

// ReplaceJobs makes owner's jobs the one job member, at at (an earlier
// time it has stands; none when at is zero): the scheduler's way from one
// job per series, an earlier layout, to one job per beneficiary. A job of
// owner leased right now and taken out is not scheduled again when it is
// finished (FinishJob looks at the owner's members).
func (s *Store) ReplaceJobs(ctx context.Context, owner, member string, at time.Time) error {
	var when int64
	if !at.IsZero() {
		when = ms(at)
	}
	if err := jobsReplace.Run(ctx, s.rdb, []string{s.ownerKey(owner, "of:"+owner), s.ownerKey(owner, "q"),
		s.ownerKey(owner, "fails"), s.ownerKey(owner, "since")}, member, when).Err(); err != nil {
		return fmt.Errorf("replace jobs of %s: %w", owner, err)
	}
	return nil
}
