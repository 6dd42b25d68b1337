package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Claiming a lane and moving from one item to the next, in as few round
// trips as the guarantees allow (issue 9: a stranger's text cost 14 round
// trips, 5 of them here). A claim is one pipelined round trip in the usual
// case: the claim script on the shard whose turn it is, and a probe of
// every other shard; only when that shard had nothing ready does a second
// round trip claim from a shard the probe found ready. The claim hands the
// lane's first item with it, and Ack's successor AckNext hands the next one
// or, when the lane is empty, releases it in the same script: serving a
// chat with one item is claim, the handler's own calls, AckNext.
//
// The lane's own keys are not in KEYS in laneClaim (the lane is chosen by
// the script): they share the shard's hash tag, so the script stays on one
// Redis Cluster slot.

// laneClaim returns expired leases to the ready set, then leases the first
// ready lane and returns it with its first item.
//
// KEYS[1] ready, KEYS[2] lease, KEYS[3] owner (of one shard)
// ARGV[1] now (ms), ARGV[2] lease until (ms), ARGV[3] token, ARGV[4] the
// shard's key prefix (the lane's queue is <prefix>q:<lane>), ARGV[5] the
// shard's items hash, ARGV[6] tries, ARGV[7] waits
// Returns false (the shard holds no lane), the earliest time (ms) a lane is
// ready or a lease expires (nothing ready now), {lane, more} (its queue is
// empty) or
// {lane, more, id, payload, tries, waits}; more counts the shard's other
// ready lanes.
var laneClaim = redis.NewScript(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, c in ipairs(expired) do
  redis.call('ZREM', KEYS[2], c)
  redis.call('HDEL', KEYS[3], c)
  redis.call('ZADD', KEYS[1], ARGV[1], c)
end
local r = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #r == 0 then
  local e = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local l = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  local m = false
  if e[2] then m = tonumber(e[2]) end
  if l[2] and (not m or tonumber(l[2]) < m) then m = tonumber(l[2]) end
  return m
end
local c = r[1]
redis.call('ZREM', KEYS[1], c)
redis.call('ZADD', KEYS[2], ARGV[2], c)
redis.call('HSET', KEYS[3], c, ARGV[3])
local more = redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])
local id = redis.call('LINDEX', ARGV[4] .. 'q:' .. c, 0)
if not id then return {c, more} end
return {c, more, id, redis.call('HGET', ARGV[5], id) or '', redis.call('HGET', ARGV[6], id) or '0',
  redis.call('HGET', ARGV[7], id) or '0'}`)

// laneProbe returns the earliest time (ms) a lane of the shard is ready or
// a lease of it expires, or false when the shard holds no lane.
//
// KEYS[1] ready, KEYS[2] lease
var laneProbe = redis.NewScript(`
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local l = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local m = false
if r[2] then m = tonumber(r[2]) end
if l[2] and (not m or tonumber(l[2]) < m) then m = tonumber(l[2]) end
return m`)

// laneAckNext removes a handled item from a held lane and returns the next
// one; when none is left, the lane is released.
//
// KEYS[1] the lane's queue, KEYS[2] items, KEYS[3] tries, KEYS[4] owner,
// KEYS[5] waits, KEYS[6] lease
// ARGV[1] lane, ARGV[2] lease token, ARGV[3] item id
// Returns -1 (lease lost), {0} (empty: released) or {1, id, payload,
// tries, waits}.
var laneAckNext = redis.NewScript(`
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return -1 end
if redis.call('LINDEX', KEYS[1], 0) == ARGV[3] then redis.call('LPOP', KEYS[1]) end
redis.call('HDEL', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[3])
redis.call('HDEL', KEYS[5], ARGV[3])
local id = redis.call('LINDEX', KEYS[1], 0)
if not id then
  redis.call('ZREM', KEYS[6], ARGV[1])
  redis.call('HDEL', KEYS[4], ARGV[1])
  return {0}
end
return {1, id, redis.call('HGET', KEYS[2], id) or '', redis.call('HGET', KEYS[3], id) or '0',
  redis.call('HGET', KEYS[5], id) or '0'}`)

// Claimed is a lane handed out by ClaimHead.
type Claimed struct {
	Lane int64
	// Head is the lane's first item; nil when its queue is empty (then the
	// lane is only to be released).
	Head *Item
	// More says other lanes were ready too: another worker may claim.
	More bool
}

// Claim hands out one lane whose items are ready, under a lease that lasts
// until leaseUntil, and first returns expired leases to the ready set.
// ok is false when no lane is ready.
func (l *Lanes) Claim(ctx context.Context, now, leaseUntil time.Time, token string) (lane int64, ok bool, err error) {
	c, ok, _, err := l.ClaimHead(ctx, now, leaseUntil, token)
	return c.Lane, ok, err
}

// ClaimHead is Claim, also returning the lane's first item and, when no
// lane is ready, the earliest time one will be (a lane waiting for its
// ready time, or a lease that will expire; zero when the queue is empty):
// an idle worker may sleep until then. The shard whose turn it is is
// claimed from while the others are probed, in one pipelined round trip;
// each call starts at the next shard, so every shard gets its turn.
func (l *Lanes) ClaimHead(ctx context.Context, now, leaseUntil time.Time, token string) (c Claimed, ok bool, next time.Time, err error) {
	n := l.s.shards
	start := int(l.s.turn.Add(1)) % n
	p := l.s.rdb.Pipeline()
	claim := l.claimCmd(ctx, p, start, now, leaseUntil, token)
	probes := make([]*redis.Cmd, n)
	for sh := range n {
		if sh != start {
			probes[sh] = laneProbe.Run(ctx, p, []string{l.key(sh, "ready"), l.key(sh, "lease")})
		}
	}
	// Each command's answer is read on its own; a script Redis does not
	// hold yet (a fresh or restarted server: NOSCRIPT, which a pipeline
	// cannot fall back from) is run again alone, or loaded.
	_, _ = p.Exec(ctx)
	if noScript(claim.Err()) {
		claim = l.claimCmd(ctx, l.s.rdb, start, now, leaseUntil, token)
	}
	at := ms(now)
	var earliest int64
	c, ok, earliest, err = l.claimed(claim)
	if err != nil || ok {
		if ok && !c.More {
			for _, pr := range probes {
				if pr == nil {
					continue
				}
				if v, err := pr.Int64(); err == nil && v <= at || noScript(err) {
					c.More = true
					break
				}
			}
		}
		return c, ok, next, err
	}
	for i := 1; i < n; i++ {
		sh := (start + i) % n
		v, err := probes[sh].Int64()
		switch {
		case errors.Is(err, redis.Nil):
			continue
		case noScript(err):
			if err := laneProbe.Load(ctx, l.s.rdb).Err(); err != nil {
				return c, false, next, fmt.Errorf("%s probe: %w", l.name, err)
			}
			v = at // not known: try to claim
		case err != nil:
			return c, false, next, fmt.Errorf("%s probe: %w", l.name, err)
		}
		if v > at {
			if earliest == 0 || v < earliest {
				earliest = v
			}
			continue
		}
		c, ok, e, err := l.claimed(l.claimCmd(ctx, l.s.rdb, sh, now, leaseUntil, token))
		if err != nil || ok {
			return c, ok, next, err
		}
		if e > 0 && (earliest == 0 || e < earliest) {
			earliest = e
		}
	}
	if earliest > 0 {
		next = time.UnixMilli(earliest)
	}
	return c, false, next, nil
}

func (l *Lanes) claimCmd(ctx context.Context, c redis.Scripter, sh int, now, leaseUntil time.Time, token string) *redis.Cmd {
	return laneClaim.Run(ctx, c, []string{l.key(sh, "ready"), l.key(sh, "lease"), l.key(sh, "owner")},
		ms(now), ms(leaseUntil), token, l.key(sh, ""), l.key(sh, "items"), l.key(sh, "tries"), l.key(sh, "waits"))
}

// claimed reads laneClaim's answer: a lane, or the earliest time one of
// the shard will be ready (unix ms; 0: none).
func (l *Lanes) claimed(cmd *redis.Cmd) (c Claimed, ok bool, earliest int64, err error) {
	if at, err := cmd.Int64(); err == nil {
		return c, false, at, nil
	}
	v, err := cmd.Slice()
	if errors.Is(err, redis.Nil) {
		return c, false, 0, nil
	}
	if err != nil {
		return c, false, 0, fmt.Errorf("%s claim: %w", l.name, err)
	}
	s, _ := v[0].(string)
	if c.Lane, err = strconv.ParseInt(s, 10, 64); err != nil {
		return c, false, 0, fmt.Errorf("%s claim: bad lane %q", l.name, s)
	}
	more, _ := v[1].(int64)
	c.More = more > 0
	if len(v) == 6 {
		it := l.scriptItem(v[2:])
		c.Head = &it
	}
	return c, true, 0, nil
}

// scriptItem reads {id, payload, tries, waits} as the scripts return them.
func (l *Lanes) scriptItem(v []any) Item {
	str := func(x any) string { s, _ := x.(string); return s }
	id, raw := str(v[0]), str(v[1])
	tries, _ := strconv.Atoi(str(v[2]))
	waits, _ := strconv.Atoi(str(v[3]))
	var payload []byte
	if raw != "" {
		payload = []byte(raw)
	}
	return l.item(id, payload, tries, waits)
}

// AckNext removes a handled item, as Ack does, and returns the lane's next
// item; when none is left (ok false) the lane is released in the same step
// (no Release needed). ErrLeaseLost means another worker now owns the
// lane; the item is left alone.
func (l *Lanes) AckNext(ctx context.Context, lane int64, token, id string) (next Item, ok bool, err error) {
	v, err := laneAckNext.Run(ctx, l.s.rdb,
		[]string{l.queue(lane), l.lkey(lane, "items"), l.lkey(lane, "tries"), l.lkey(lane, "owner"), l.lkey(lane, "waits"), l.lkey(lane, "lease")},
		lane, token, id).Result()
	if err != nil {
		return next, false, fmt.Errorf("%s ack %s: %w", l.name, id, err)
	}
	r, isList := v.([]any)
	if !isList || len(r) == 0 {
		return next, false, ErrLeaseLost
	}
	if len(r) == 5 {
		return l.scriptItem(r[1:]), true, nil
	}
	return next, false, nil
}

// noScript reports Redis's answer to EVALSHA of a script it does not hold.
func noScript(err error) bool {
	return err != nil && redis.HasErrorPrefix(err, "NOSCRIPT")
}
