package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Lanes is a durable queue whose items wait in lanes (one per chat). A lane
// is handed to one worker at a time under a lease, so one lane's items are
// handled one at a time and in order, across replicas, while different lanes
// run in parallel. A lease that is not extended (the worker died) expires
// and the lane becomes ready again. Items are deduplicated by id.
//
// The inbox (Telegram updates, by update_id) and the outbox (messages to
// send, by message key) are both Lanes.
type Lanes struct {
	s    *Store
	name string
	// seenTTL is how long an item id is remembered for deduplication.
	seenTTL time.Duration
}

// Inbox holds Telegram updates until they are handled. Telegram keeps an
// undelivered update 24 hours; ids are remembered for 7 days.
func (s *Store) Inbox() *Lanes { return &Lanes{s: s, name: inboxQueue, seenTTL: 7 * 24 * time.Hour} }

// Outbox holds messages until Telegram has accepted them. A message key is
// remembered for 7 days from its push, and again from its send: its one
// marker (seen:<key>) is both the lane's dedupe and the record of what was
// sent (MarkSent), so the same key is not queued twice in that time, and a
// message redelivered after a crash between its send and its ack is not
// sent again. The retry horizon is hours (LaneConfig.MaxWaits); 7 days is
// also the inbox's. Markers written with 60 days by a version before stay
// until they expire, and work the same.
func (s *Store) Outbox() *Lanes { return &Lanes{s: s, name: outboxQueue, seenTTL: outboxSeenTTL} }

// outboxSeenTTL is how long an outbox key is remembered, from its push and
// from its send.
const outboxSeenTTL = 7 * 24 * time.Hour

// parked items are kept for an operator, bounded and expiring (they may
// carry personal data).
const (
	parkedTTL = 30 * 24 * time.Hour
	parkedMax = 1000
)

var lanePush = redis.NewScript(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[4]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[1])
if not redis.call('ZSCORE', KEYS[5], ARGV[5]) then
  redis.call('ZADD', KEYS[4], 'NX', ARGV[3], ARGV[5])
end
return 1`)

// lanePushCapped is lanePush for a lane whose backlog is capped: an item
// that finds ARGV[6] items waiting is parked instead of queued, and the
// first such item of a flood (the flood marker was not set) also queues a
// notice right after the item in hand, so the chat is told once.
//
// KEYS[1] seen marker of the item, KEYS[2] the lane's queue, KEYS[3] items,
// KEYS[4] ready, KEYS[5] lease, KEYS[6] parked, KEYS[7] the lane's flood marker
// ARGV[1] item id, ARGV[2] payload, ARGV[3] now (unix ms), ARGV[4] seen TTL
// (ms), ARGV[5] lane, ARGV[6] most items waiting, ARGV[7] notice id,
// ARGV[8] notice payload, ARGV[9] flood marker TTL (ms), ARGV[10] most
// parked records kept, ARGV[11] TTL of the parked list (ms)
// Returns 0 (seen before), 1 (queued), 2 (parked), 3 (parked, notice queued).
var lanePushCapped = redis.NewScript(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[4]) then return 0 end
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[6]) then
  redis.call('LPUSH', KEYS[6], cjson.encode({id = ARGV[1], lane = ARGV[5], tries = 0,
    reason = 'backlog', at = tonumber(ARGV[3]), item = ARGV[2]}))
  redis.call('LTRIM', KEYS[6], 0, tonumber(ARGV[10]) - 1)
  redis.call('PEXPIRE', KEYS[6], ARGV[11])
  if not redis.call('SET', KEYS[7], '1', 'NX', 'PX', ARGV[9]) then return 2 end
  local head = redis.call('LINDEX', KEYS[2], 0)
  redis.call('HSET', KEYS[3], ARGV[7], ARGV[8])
  if head then
    redis.call('LINSERT', KEYS[2], 'AFTER', head, ARGV[7])
  else
    redis.call('RPUSH', KEYS[2], ARGV[7])
  end
  return 3
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[1])
if not redis.call('ZSCORE', KEYS[5], ARGV[5]) then
  redis.call('ZADD', KEYS[4], 'NX', ARGV[3], ARGV[5])
end
return 1`)

// laneAck removes a handled item from a held lane.
//
// KEYS[1] the lane's queue, KEYS[2] items, KEYS[3] tries, KEYS[4] owner,
// KEYS[5] waits
// ARGV[1] lane, ARGV[2] lease token, ARGV[3] item id
var laneAck = redis.NewScript(`
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return -1 end
if redis.call('LINDEX', KEYS[1], 0) == ARGV[3] then redis.call('LPOP', KEYS[1]) end
redis.call('HDEL', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[3])
redis.call('HDEL', KEYS[5], ARGV[3])
return 1`)

// laneFail counts one failed attempt (ARGV[6] = 'tries') or one wait for an
// unavailable Telegram (ARGV[6] = 'waits') at an item of a held lane, and
// parks the item when that count reaches its limit.
//
// KEYS[1] the lane's queue, KEYS[2] items, KEYS[3] tries, KEYS[4] owner,
// KEYS[5] parked, KEYS[6] waits
// ARGV[1] lane, ARGV[2] lease token, ARGV[3] item id, ARGV[4] limit,
// ARGV[5] reason, ARGV[6] which count, ARGV[7] now (unix ms),
// ARGV[8] most parked records kept, ARGV[9] TTL of the parked list (ms)
// Returns -1 (lease lost), or {1 (counted) or 2 (parked), the count}.
var laneFail = redis.NewScript(`
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return -1 end
local counter = KEYS[3]
if ARGV[6] == 'waits' then counter = KEYS[6] end
local n = redis.call('HINCRBY', counter, ARGV[3], 1)
if n < tonumber(ARGV[4]) then return {1, n} end
local payload = redis.call('HGET', KEYS[2], ARGV[3])
local tries = tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')
local waits = tonumber(redis.call('HGET', KEYS[6], ARGV[3]) or '0')
redis.call('LPUSH', KEYS[5], cjson.encode({id = ARGV[3], lane = ARGV[1], tries = tries,
  waits = waits, reason = ARGV[5], at = tonumber(ARGV[7]), item = payload}))
redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[8]) - 1)
redis.call('PEXPIRE', KEYS[5], ARGV[9])
if redis.call('LINDEX', KEYS[1], 0) == ARGV[3] then redis.call('LPOP', KEYS[1]) end
redis.call('HDEL', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[3])
redis.call('HDEL', KEYS[6], ARGV[3])
return {2, n}`)

// laneDrop removes every item of a held lane.
//
// KEYS[1] the lane's queue, KEYS[2] items, KEYS[3] tries, KEYS[4] owner,
// KEYS[5] waits
// ARGV[1] lane, ARGV[2] lease token
var laneDrop = redis.NewScript(`
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return -1 end
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
for _, id in ipairs(ids) do
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[5], id)
end
redis.call('DEL', KEYS[1])
return #ids`)

var laneRelease = redis.NewScript(`
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return -1 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('LLEN', KEYS[1]) > 0 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
return 1`)

var laneExtend = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return -1 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1`)

// lanePark keeps aside an item that never entered a lane (an update that
// cannot be decoded), as laneFail does for an item given up on; an item
// parked before (same id, within the dedupe period) is not parked twice.
//
// KEYS[1] seen marker of the item, KEYS[2] parked list
// ARGV[1] item id, ARGV[2] lane, ARGV[3] reason, ARGV[4] now (unix ms),
// ARGV[5] payload, ARGV[6] most records kept, ARGV[7] TTL of the list (ms),
// ARGV[8] TTL of the seen marker (ms)
var lanePark = redis.NewScript(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[8]) then return 0 end
redis.call('LPUSH', KEYS[2], cjson.encode({id = ARGV[1], lane = ARGV[2], tries = 0,
  reason = ARGV[3], at = tonumber(ARGV[4]), item = ARGV[5]}))
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[6]) - 1)
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return 1`)

// key names a key of one shard of the queue; lkey one of the shard of a
// lane (a chat's lane lives in one shard: Store.laneShard).
func (l *Lanes) key(shard int, part string) string { return l.s.k.lanes(l.name, shard, part) }
func (l *Lanes) lkey(lane int64, part string) string {
	return l.key(l.s.laneShard(lane), part)
}
func (l *Lanes) queue(lane int64) string { return l.lkey(lane, "q:"+i64(lane)) }
func (l *Lanes) flood(lane int64) string { return l.lkey(lane, "flood:"+i64(lane)) }

// Push persists an item in lane unless an item with the same id was pushed
// before (within the dedupe period). It reports whether the item is new.
// The payload is sealed (seal.go) and opened again by Head.
func (l *Lanes) Push(ctx context.Context, id string, lane int64, payload []byte, now time.Time) (bool, error) {
	if seen, err := l.legacySeen(ctx, id); err != nil || seen {
		return false, err
	}
	n, err := lanePush.Run(ctx, l.s.rdb,
		[]string{l.lkey(lane, "seen:"+id), l.queue(lane), l.lkey(lane, "items"), l.lkey(lane, "ready"), l.lkey(lane, "lease")},
		id, l.seal(id, payload), ms(now), l.seenTTL.Milliseconds(), lane).Int()
	if err != nil {
		return false, fmt.Errorf("%s push %s: %w", l.name, id, err)
	}
	return n == 1, nil
}

// PushResult is what became of an item pushed into a capped lane.
type PushResult int

// Outcomes of PushCapped.
const (
	PushSeen         PushResult = iota // pushed before (within the dedupe period): nothing done
	PushQueued                         // queued in its lane
	PushParked                         // the lane was full: parked, not queued
	PushParkedNotice                   // parked, and the lane's flood notice queued
)

// Capped describes the cap on one lane's backlog for PushCapped.
type Capped struct {
	// Max is how many items may wait in the lane; an item beyond is parked.
	Max int
	// NoticeID and Notice are queued, right after the item in hand, when
	// an item is parked and the lane has not been told within NoticeEvery.
	NoticeID    string
	Notice      []byte
	NoticeEvery time.Duration
}

// PushCapped is Push for a lane whose backlog is capped (see Capped).
func (l *Lanes) PushCapped(ctx context.Context, id string, lane int64, payload []byte, now time.Time, c Capped) (PushResult, error) {
	if seen, err := l.legacySeen(ctx, id); err != nil || seen {
		return PushSeen, err
	}
	n, err := lanePushCapped.Run(ctx, l.s.rdb,
		[]string{l.lkey(lane, "seen:"+id), l.queue(lane), l.lkey(lane, "items"), l.lkey(lane, "ready"), l.lkey(lane, "lease"), l.lkey(lane, "parked"), l.flood(lane)},
		id, l.seal(id, payload), ms(now), l.seenTTL.Milliseconds(), lane, c.Max, c.NoticeID, l.seal(c.NoticeID, c.Notice), c.NoticeEvery.Milliseconds(),
		parkedMax, parkedTTL.Milliseconds()).Int()
	if err != nil {
		return PushSeen, fmt.Errorf("%s push %s: %w", l.name, id, err)
	}
	return PushResult(n), nil
}

// Seen reports whether an item with this id was pushed into lane (within
// the dedupe period).
func (l *Lanes) Seen(ctx context.Context, lane int64, id string) (bool, error) {
	if seen, err := l.legacySeen(ctx, id); err != nil || seen {
		return seen, err
	}
	n, err := l.s.rdb.Exists(ctx, l.lkey(lane, "seen:"+id)).Result()
	if err != nil {
		return false, fmt.Errorf("%s seen: %w", l.name, err)
	}
	return n > 0, nil
}

// Item is the oldest item waiting in a lane.
type Item struct {
	ID string
	// Payload is the item as pushed (opened: see seal.go). It is nil when
	// it cannot be opened (sealed under a key the ring lacks): its handler
	// finds it undecodable and parks it, still sealed.
	Payload []byte
	// Tries counts earlier failed attempts.
	Tries int
	// Waits counts earlier attempts that found Telegram unavailable.
	Waits int
}

// Head returns the oldest item of a lane; ok is false when it has none.
func (l *Lanes) Head(ctx context.Context, lane int64) (it Item, ok bool, err error) {
	id, err := l.s.rdb.LIndex(ctx, l.queue(lane), 0).Result()
	if errors.Is(err, redis.Nil) {
		return it, false, nil
	}
	if err != nil {
		return it, false, fmt.Errorf("%s head: %w", l.name, err)
	}
	p := l.s.rdb.Pipeline()
	pl := p.HGet(ctx, l.lkey(lane, "items"), id)
	tr := p.HGet(ctx, l.lkey(lane, "tries"), id)
	wt := p.HGet(ctx, l.lkey(lane, "waits"), id)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return it, false, fmt.Errorf("%s head: %w", l.name, err)
	}
	raw, _ := pl.Bytes()
	tries, _ := tr.Int()
	waits, _ := wt.Int()
	return l.item(id, raw, tries, waits), true, nil
}

// item builds an Item from its stored parts, opening its payload.
func (l *Lanes) item(id string, raw []byte, tries, waits int) Item {
	it := Item{ID: id, Tries: tries, Waits: waits}
	if raw != nil {
		it.Payload, _ = l.s.keys.open(raw, aadItem(l.name, id))
	}
	return it
}

// Ack removes a handled item. ErrLeaseLost means another worker now owns
// the lane; the item is left alone.
func (l *Lanes) Ack(ctx context.Context, lane int64, token, id string) error {
	n, err := laneAck.Run(ctx, l.s.rdb,
		[]string{l.queue(lane), l.lkey(lane, "items"), l.lkey(lane, "tries"), l.lkey(lane, "owner"), l.lkey(lane, "waits")},
		lane, token, id).Int()
	if err != nil {
		return fmt.Errorf("%s ack %s: %w", l.name, id, err)
	}
	if n < 0 {
		return ErrLeaseLost
	}
	return nil
}

// Fail records a failed attempt at an item. After maxTries attempts the
// item is parked (kept aside for an operator) and removed from its lane;
// parked reports that.
func (l *Lanes) Fail(ctx context.Context, lane int64, token, id string, maxTries int, reason string, now time.Time) (parked bool, err error) {
	_, parked, err = l.count(ctx, lane, token, id, "tries", maxTries, reason, now)
	return parked, err
}

// Wait records an attempt at an item that found Telegram unavailable (5xx,
// timeouts, network errors): not the item's fault, counted apart from its
// tries. After maxWaits of them the item is parked. It returns the count.
func (l *Lanes) Wait(ctx context.Context, lane int64, token, id string, maxWaits int, reason string, now time.Time) (waits int, parked bool, err error) {
	return l.count(ctx, lane, token, id, "waits", maxWaits, reason, now)
}

func (l *Lanes) count(ctx context.Context, lane int64, token, id, which string, limit int, reason string, now time.Time) (int, bool, error) {
	v, err := laneFail.Run(ctx, l.s.rdb,
		[]string{l.queue(lane), l.lkey(lane, "items"), l.lkey(lane, "tries"), l.lkey(lane, "owner"), l.lkey(lane, "parked"), l.lkey(lane, "waits")},
		lane, token, id, limit, reason, which, ms(now), parkedMax, parkedTTL.Milliseconds()).Result()
	if err != nil {
		return 0, false, fmt.Errorf("%s fail %s: %w", l.name, id, err)
	}
	r, ok := v.([]any)
	if !ok || len(r) != 2 {
		return 0, false, ErrLeaseLost
	}
	state, _ := r[0].(int64)
	n, _ := r[1].(int64)
	return int(n), state == 2, nil
}

// Park keeps aside, with the parked items, an item that cannot be queued
// (an update that cannot be decoded): bounded and expiring like them. An id
// parked before is not parked again; parked reports whether this call did.
func (l *Lanes) Park(ctx context.Context, id string, lane int64, reason string, payload []byte, now time.Time) (parked bool, err error) {
	if seen, err := l.legacySeen(ctx, id); err != nil || seen {
		return false, err
	}
	n, err := lanePark.Run(ctx, l.s.rdb, []string{l.lkey(lane, "seen:"+id), l.lkey(lane, "parked")},
		id, lane, reason, ms(now), l.seal(id, payload), parkedMax, parkedTTL.Milliseconds(), l.seenTTL.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("%s park %s: %w", l.name, id, err)
	}
	return n == 1, nil
}

// Drop removes every item of a held lane (its chat is gone) and returns how
// many there were.
func (l *Lanes) Drop(ctx context.Context, lane int64, token string) (int, error) {
	n, err := laneDrop.Run(ctx, l.s.rdb,
		[]string{l.queue(lane), l.lkey(lane, "items"), l.lkey(lane, "tries"), l.lkey(lane, "owner"), l.lkey(lane, "waits")}, lane, token).Int()
	if err != nil {
		return 0, fmt.Errorf("%s drop: %w", l.name, err)
	}
	if n < 0 {
		return 0, ErrLeaseLost
	}
	return n, nil
}

// Release gives a lane back: if items still wait, it becomes ready at readyAt.
func (l *Lanes) Release(ctx context.Context, lane int64, token string, readyAt time.Time) error {
	n, err := laneRelease.Run(ctx, l.s.rdb,
		[]string{l.queue(lane), l.lkey(lane, "ready"), l.lkey(lane, "lease"), l.lkey(lane, "owner")},
		lane, token, ms(readyAt)).Int()
	if err != nil {
		return fmt.Errorf("%s release: %w", l.name, err)
	}
	if n < 0 {
		return ErrLeaseLost
	}
	return nil
}

// Extend pushes a held lease out to until.
func (l *Lanes) Extend(ctx context.Context, lane int64, token string, until time.Time) error {
	n, err := laneExtend.Run(ctx, l.s.rdb,
		[]string{l.lkey(lane, "lease"), l.lkey(lane, "owner")}, lane, token, ms(until)).Int()
	if err != nil {
		return fmt.Errorf("%s extend: %w", l.name, err)
	}
	if n < 0 {
		return ErrLeaseLost
	}
	return nil
}

// LaneStats counts lanes ready, lanes leased and items parked.
type LaneStats struct{ Ready, Leased, Parked int64 }

// Stats returns the queue's counters, summed over its shards.
func (l *Lanes) Stats(ctx context.Context) (LaneStats, error) {
	p := l.s.rdb.Pipeline()
	type shard struct{ r, le, k *redis.IntCmd }
	cmds := make([]shard, l.s.shards)
	for sh := range cmds {
		cmds[sh] = shard{p.ZCard(ctx, l.key(sh, "ready")), p.ZCard(ctx, l.key(sh, "lease")), p.LLen(ctx, l.key(sh, "parked"))}
	}
	if _, err := p.Exec(ctx); err != nil {
		return LaneStats{}, fmt.Errorf("%s stats: %w", l.name, err)
	}
	var st LaneStats
	for _, c := range cmds {
		st.Ready += c.r.Val()
		st.Leased += c.le.Val()
		st.Parked += c.k.Val()
	}
	return st, nil
}

// Parked returns up to n parked records (JSON: id, lane, tries, waits,
// reason, at, item), newest first over every shard, with each item opened
// (an item that cannot be opened is left sealed).
func (l *Lanes) Parked(ctx context.Context, n int64) ([]string, error) {
	var all []string
	for sh := range l.s.shards {
		v, err := l.s.rdb.LRange(ctx, l.key(sh, "parked"), 0, n-1).Result()
		if err != nil {
			return nil, fmt.Errorf("%s parked: %w", l.name, err)
		}
		all = append(all, v...)
	}
	newestFirst(all)
	if int64(len(all)) > n {
		all = all[:n]
	}
	for i, rec := range all {
		if opened, err := l.openParked(rec); err == nil {
			all[i] = opened
		}
	}
	return all, nil
}

// newestFirst sorts parked records (JSON with "at", unix ms) newest first.
func newestFirst(recs []string) {
	at := func(rec string) int64 {
		var r struct {
			At int64 `json:"at"`
		}
		_ = json.Unmarshal([]byte(rec), &r)
		return r.At
	}
	slices.SortStableFunc(recs, func(a, b string) int { return cmp.Compare(at(b), at(a)) })
}

func (l *Lanes) seal(id string, payload []byte) []byte {
	return l.s.keys.seal(payload, aadItem(l.name, id))
}

// parkedRecord is a parked record as the lane scripts write it; only its
// id and item matter here.
type parkedRecord map[string]json.RawMessage

// parkedItem returns a parked record's id and (sealed) item.
func parkedItem(rec string) (parkedRecord, string, []byte, error) {
	var r parkedRecord
	if err := json.Unmarshal([]byte(rec), &r); err != nil {
		return nil, "", nil, fmt.Errorf("parked record: %w", err)
	}
	var id, item string
	if err := json.Unmarshal(r["id"], &id); err != nil {
		return nil, "", nil, fmt.Errorf("parked record id: %w", err)
	}
	if raw := r["item"]; raw != nil {
		if err := json.Unmarshal(raw, &item); err != nil {
			return nil, "", nil, fmt.Errorf("parked record item: %w", err)
		}
	}
	return r, id, []byte(item), nil
}

func (l *Lanes) openParked(rec string) (string, error) {
	r, id, item, err := parkedItem(rec)
	if err != nil || item == nil {
		return rec, err
	}
	plain, err := l.s.keys.open(item, aadItem(l.name, id))
	if err != nil {
		return rec, err
	}
	r["item"] = mustJSON(string(plain))
	return string(mustJSON(r)), nil
}

// Pending returns how many items wait in a lane.
func (l *Lanes) Pending(ctx context.Context, lane int64) (int64, error) {
	n, err := l.s.rdb.LLen(ctx, l.queue(lane)).Result()
	if err != nil {
		return 0, fmt.Errorf("%s pending: %w", l.name, err)
	}
	return n, nil
}

// ReadyBy counts the lanes ready to be served at now.
func (l *Lanes) ReadyBy(ctx context.Context, now time.Time) (int64, error) {
	p := l.s.rdb.Pipeline()
	cmds := make([]*redis.IntCmd, l.s.shards)
	at := strconv.FormatInt(ms(now), 10)
	for sh := range cmds {
		cmds[sh] = p.ZCount(ctx, l.key(sh, "ready"), "-inf", at)
	}
	if _, err := p.Exec(ctx); err != nil {
		return 0, fmt.Errorf("%s ready: %w", l.name, err)
	}
	var n int64
	for _, c := range cmds {
		n += c.Val()
	}
	return n, nil
}
