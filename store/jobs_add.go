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
