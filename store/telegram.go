package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// PollOffset returns the next getUpdates offset (0 when none is stored).
func (s *Store) PollOffset(ctx context.Context) (int64, error) {
	v, err := s.rdb.Get(ctx, s.k.pollOffset()).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("poll offset: %w", err)
	}
	return v, nil
}

var setMax = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`)

// SetPollOffset stores the next getUpdates offset; it never moves backwards.
func (s *Store) SetPollOffset(ctx context.Context, offset int64) error {
	if err := setMax.Run(ctx, s.rdb, []string{s.k.pollOffset()}, offset).Err(); err != nil {
		return fmt.Errorf("set poll offset: %w", err)
	}
	return nil
}

var lockAcquire = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`)

var lockRelease = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// AcquirePollLock takes or renews the right to long-poll Telegram (only one
// replica may). It reports whether token holds it for ttl.
func (s *Store) AcquirePollLock(ctx context.Context, token string, ttl time.Duration) (bool, error) {
	n, err := lockAcquire.Run(ctx, s.rdb, []string{s.k.pollLock()}, token, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("poll lock: %w", err)
	}
	return n == 1, nil
}

// ReleasePollLock gives the polling right up if token holds it.
func (s *Store) ReleasePollLock(ctx context.Context, token string) error {
	if err := lockRelease.Run(ctx, s.rdb, []string{s.k.pollLock()}, token).Err(); err != nil {
		return fmt.Errorf("poll unlock: %w", err)
	}
	return nil
}
