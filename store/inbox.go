package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The inbox keeps every Telegram update from the moment we receive it until
// it has been handled. Updates wait in one list per chat; a chat is handed
// to one worker at a time under a lease, so one chat's updates are handled
// one at a time and in order, across replicas, while different chats run in
// parallel. A lease that is not extended (the worker died) expires and the
// chat becomes ready again.

// seenTTL is how long an update id is remembered for deduplication.
// Telegram keeps undelivered updates for 24 hours.
const seenTTL = 7 * 24 * time.Hour

// parkedTTL bounds how long updates given up on are kept for inspection.
const (
	parkedTTL = 30 * 24 * time.Hour
	parkedMax = 1000
)

var inboxPush = redis.NewScript(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[4]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[1])
if not redis.call('ZSCORE', KEYS[5], ARGV[5]) then
  redis.call('ZADD', KEYS[4], 'NX', ARGV[3], ARGV[5])
end
return 1`)

var inboxClaim = redis.NewScript(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, c in ipairs(expired) do
  redis.call('ZREM', KEYS[2], c)
  redis.call('HDEL', KEYS[3], c)
  redis.call('ZADD', KEYS[1], ARGV[1], c)
end
local r = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #r == 0 then return false end
local c = r[1]
redis.call('ZREM', KEYS[1], c)
redis.call('ZADD', KEYS[2], ARGV[2], c)
redis.call('HSET', KEYS[3], c, ARGV[3])
return c`)

var inboxAck = redis.NewScript(`
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return -1 end
if redis.call('LINDEX', KEYS[1], 0) == ARGV[3] then redis.call('LPOP', KEYS[1]) end
redis.call('HDEL', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[3])
return 1`)

var inboxFail = redis.NewScript(`
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return -1 end
local n = redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
if n < tonumber(ARGV[4]) then return 1 end
local payload = redis.call('HGET', KEYS[2], ARGV[3])
redis.call('LPUSH', KEYS[5], cjson.encode({update_id = tonumber(ARGV[3]), chat = ARGV[1], tries = n,
  reason = ARGV[5], at = tonumber(ARGV[6]), update = payload}))
redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[7]) - 1)
redis.call('PEXPIRE', KEYS[5], ARGV[8])
if redis.call('LINDEX', KEYS[1], 0) == ARGV[3] then redis.call('LPOP', KEYS[1]) end
redis.call('HDEL', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[3])
return 2`)

var inboxRelease = redis.NewScript(`
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return -1 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('LLEN', KEYS[1]) > 0 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
return 1`)

var inboxExtend = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return -1 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1`)

func (s *Store) inboxQueue(chat int64) string { return s.k.inboxQueuePrefix() + i64(chat) }

// InboxPush persists an update for chat unless an update with the same id
// was already persisted. It reports whether the update is new.
func (s *Store) InboxPush(ctx context.Context, updateID, chat int64, payload []byte, now time.Time) (bool, error) {
	n, err := inboxPush.Run(ctx, s.rdb,
		[]string{s.k.inboxSeenPrefix() + i64(updateID), s.inboxQueue(chat), s.k.inboxUpdates(), s.k.inboxReady(), s.k.inboxLease()},
		updateID, payload, ms(now), seenTTL.Milliseconds(), chat).Int()
	if err != nil {
		return false, fmt.Errorf("inbox push update %d: %w", updateID, err)
	}
	return n == 1, nil
}

// InboxClaim hands out one chat whose updates are ready, under a lease that
// lasts until leaseUntil, and first returns expired leases to the ready set.
// ok is false when no chat is ready.
func (s *Store) InboxClaim(ctx context.Context, now, leaseUntil time.Time, token string) (chat int64, ok bool, err error) {
	v, err := inboxClaim.Run(ctx, s.rdb,
		[]string{s.k.inboxReady(), s.k.inboxLease(), s.k.inboxOwner()},
		ms(now), ms(leaseUntil), token).Text()
	if errors.Is(err, redis.Nil) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("inbox claim: %w", err)
	}
	chat, err = strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("inbox claim: bad chat %q", v)
	}
	return chat, true, nil
}

// InboxItem is the oldest update waiting in a chat.
type InboxItem struct {
	UpdateID int64
	Payload  []byte
	// Tries counts earlier failed attempts.
	Tries int
}

// InboxHead returns the oldest update of a chat; ok is false when the chat
// has none.
func (s *Store) InboxHead(ctx context.Context, chat int64) (it InboxItem, ok bool, err error) {
	id, err := s.rdb.LIndex(ctx, s.inboxQueue(chat), 0).Int64()
	if errors.Is(err, redis.Nil) {
		return it, false, nil
	}
	if err != nil {
		return it, false, fmt.Errorf("inbox head: %w", err)
	}
	sid := i64(id)
	p := s.rdb.Pipeline()
	pl := p.HGet(ctx, s.k.inboxUpdates(), sid)
	tr := p.HGet(ctx, s.k.inboxTries(), sid)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return it, false, fmt.Errorf("inbox head: %w", err)
	}
	it.UpdateID = id
	it.Payload, _ = pl.Bytes()
	it.Tries, _ = tr.Int()
	return it, true, nil
}

// InboxAck removes a handled update. ErrLeaseLost means another worker now
// owns the chat; the update is left alone.
func (s *Store) InboxAck(ctx context.Context, chat int64, token string, updateID int64) error {
	n, err := inboxAck.Run(ctx, s.rdb,
		[]string{s.inboxQueue(chat), s.k.inboxUpdates(), s.k.inboxTries(), s.k.inboxOwner()},
		chat, token, updateID).Int()
	if err != nil {
		return fmt.Errorf("inbox ack %d: %w", updateID, err)
	}
	if n < 0 {
		return ErrLeaseLost
	}
	return nil
}

// InboxFail records a failed attempt at an update. After maxTries attempts
// the update is parked (kept aside for an operator, bounded and expiring)
// and removed from the chat's queue; parked reports that.
func (s *Store) InboxFail(ctx context.Context, chat int64, token string, updateID int64, maxTries int, reason string, now time.Time) (parked bool, err error) {
	n, err := inboxFail.Run(ctx, s.rdb,
		[]string{s.inboxQueue(chat), s.k.inboxUpdates(), s.k.inboxTries(), s.k.inboxOwner(), s.k.inboxParked()},
		chat, token, updateID, maxTries, reason, ms(now), parkedMax, parkedTTL.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("inbox fail %d: %w", updateID, err)
	}
	if n < 0 {
		return false, ErrLeaseLost
	}
	return n == 2, nil
}

// InboxRelease gives a chat back: if updates still wait, it becomes ready at
// readyAt.
func (s *Store) InboxRelease(ctx context.Context, chat int64, token string, readyAt time.Time) error {
	n, err := inboxRelease.Run(ctx, s.rdb,
		[]string{s.inboxQueue(chat), s.k.inboxReady(), s.k.inboxLease(), s.k.inboxOwner()},
		chat, token, ms(readyAt)).Int()
	if err != nil {
		return fmt.Errorf("inbox release: %w", err)
	}
	if n < 0 {
		return ErrLeaseLost
	}
	return nil
}

// InboxExtend pushes a held lease out to until.
func (s *Store) InboxExtend(ctx context.Context, chat int64, token string, until time.Time) error {
	n, err := inboxExtend.Run(ctx, s.rdb,
		[]string{s.k.inboxLease(), s.k.inboxOwner()}, chat, token, ms(until)).Int()
	if err != nil {
		return fmt.Errorf("inbox extend: %w", err)
	}
	if n < 0 {
		return ErrLeaseLost
	}
	return nil
}

// InboxStats counts chats ready, chats leased and updates parked.
type InboxStats struct{ Ready, Leased, Parked int64 }

// InboxStats returns the inbox's counters.
func (s *Store) InboxStats(ctx context.Context) (InboxStats, error) {
	p := s.rdb.Pipeline()
	r := p.ZCard(ctx, s.k.inboxReady())
	l := p.ZCard(ctx, s.k.inboxLease())
	k := p.LLen(ctx, s.k.inboxParked())
	if _, err := p.Exec(ctx); err != nil {
		return InboxStats{}, fmt.Errorf("inbox stats: %w", err)
	}
	return InboxStats{Ready: r.Val(), Leased: l.Val(), Parked: k.Val()}, nil
}

// InboxParked returns up to n parked records (JSON), newest first.
func (s *Store) InboxParked(ctx context.Context, n int64) ([]string, error) {
	v, err := s.rdb.LRange(ctx, s.k.inboxParked(), 0, n-1).Result()
	if err != nil {
		return nil, fmt.Errorf("inbox parked: %w", err)
	}
	return v, nil
}

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

// SentMessage returns the Telegram message id recorded for a message key,
// if a message with that key was already sent.
func (s *Store) SentMessage(ctx context.Context, key string) (id int, ok bool, err error) {
	id, err = s.rdb.Get(ctx, s.k.sent(key)).Int()
	if errors.Is(err, redis.Nil) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("sent %s: %w", key, err)
	}
	return id, true, nil
}

// MarkSent records that the message with this key was sent as message id.
func (s *Store) MarkSent(ctx context.Context, key string, id int, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, s.k.sent(key), id, ttl).Err(); err != nil {
		return fmt.Errorf("mark sent %s: %w", key, err)
	}
	return nil
}
