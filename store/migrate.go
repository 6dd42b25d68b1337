package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Upgrading a deployment from the first key layout (layout 1, before
// Redis Cluster support) to this one (layout 2):
//
//	layout 1                               layout 2
//	suivi:advisor:<id>:<part>              suivi:{a:<id>}:<part>
//	suivi:{due}:q, lease, orig, fails,     suivi:{due:<n>}:..., n the shard of the job's owner
//	since, parked, of:<owner>
//	suivi:{<q>}:q:<chat>, items, tries,    suivi:{<q>:<n>}:..., n the shard of the chat
//	waits, ready, lease, owner, parked,
//	flood:<chat>
//	suivi:{<q>}:seen:<id>                  left where they are (the chat is not in the
//	                                       name), read beside the new markers until
//	                                       the last one expires (legacy seen, below)
//
// Migrate moves every key of layout 1 to its layout-2 name, then records
// the layout (suivi:layout, hash: version, and until when layout-1 seen
// markers may still exist per queue). It runs at start, before any worker,
// under a lock (suivi:layout:lock) so that one replica migrates while the
// others wait; once recorded it is one HGET.
//
// It is crash-safe and idempotent: every step writes the new key first,
// without overwriting (RESTORE into a missing key, else a merge that keeps
// what is there: HSETNX, SADD, ZADD NX; a lane's items are added in one
// script that skips the ids it already holds), and deletes the old key
// after. A migration cut short leaves old keys not yet deleted; the next
// start (this replica's or another's, once the lock lapses) moves them
// again, and the new side ignores what it already has. The version is
// recorded only when no old key is left.
//
// A lane's items keep their order and are put before anything pushed into
// the new lane meanwhile (a webhook may push while the migration runs:
// the old items are older). A leased lane keeps its lease (it lapses, then
// the lane is claimed again, as before); a job keeps its due time, its
// lease, its firing time and its failures.
//
// Seen markers (the dedupe of pushed items: 7 days for the inbox, 60 for
// the outbox) name the item, not the chat, so they cannot be moved to the
// chat's shard. They are left in place and, until the last of them
// expires, a push, Seen and Unsee also look at the old marker (one more
// round trip each). Nothing writes an old marker any more.

// LayoutVersion is the key layout this code reads and writes.
const LayoutVersion = 2

// layoutLockTTL is how long the migration lock lasts without renewal; a
// migrating replica renews it at every step.
const layoutLockTTL = 30 * time.Second

func (k keys) layout() string     { return k.prefix + "layout" }
func (k keys) layoutLock() string { return k.prefix + "layout:lock" }

// Names of layout 1.
func (k keys) v1AdvisorPrefix() string           { return k.prefix + "advisor:" }
func (k keys) v1Jobs(part string) string         { return k.prefix + "{due}:" + part }
func (k keys) v1Lanes(queue, part string) string { return k.prefix + "{" + queue + "}:" + part }

// legacy holds, per queue, until when (unix ms) layout-1 seen markers may
// exist: 0 none, -1 not known yet (Migrate has not finished: look).
type legacy struct{ inbox, outbox atomic.Int64 }

func (s *Store) legacyUntil(queue string) *atomic.Int64 {
	if queue == inboxQueue {
		return &s.legacy.inbox
	}
	return &s.legacy.outbox
}

// legacySeen reports whether a layout-1 seen marker of id exists.
func (l *Lanes) legacySeen(ctx context.Context, id string) (bool, error) {
	until := l.s.legacyUntil(l.name).Load()
	if until == 0 || (until > 0 && time.Now().UnixMilli() > until) {
		return false, nil
	}
	n, err := l.s.rdb.Exists(ctx, l.s.k.v1Lanes(l.name, "seen:"+id)).Result()
	if err != nil {
		return false, fmt.Errorf("%s seen (layout 1): %w", l.name, err)
	}
	return n > 0, nil
}

// legacyUnsee deletes the layout-1 seen marker of id, if any may exist.
func (l *Lanes) legacyUnsee(ctx context.Context, id string) error {
	if l.s.legacyUntil(l.name).Load() == 0 {
		return nil
	}
	if err := l.s.rdb.Del(ctx, l.s.k.v1Lanes(l.name, "seen:"+id)).Err(); err != nil {
		return fmt.Errorf("%s unsee (layout 1): %w", l.name, err)
	}
	return nil
}

// LoadLayout reads the recorded layout. When it is not this one yet (a
// migration is to come or under way), pushes look at layout-1 seen
// markers until Migrate has finished. It is cheap: call it before taking
// any update.
func (s *Store) LoadLayout(ctx context.Context) (current bool, err error) {
	h, err := s.rdb.HGetAll(ctx, s.k.layout()).Result()
	if err != nil {
		return false, fmt.Errorf("layout: %w", err)
	}
	if v, _ := strconv.Atoi(h["version"]); v >= LayoutVersion {
		in, _ := strconv.ParseInt(h["inbox_seen_until"], 10, 64)
		out, _ := strconv.ParseInt(h["outbox_seen_until"], 10, 64)
		s.legacy.inbox.Store(in)
		s.legacy.outbox.Store(out)
		return true, nil
	}
	s.legacy.inbox.Store(-1)
	s.legacy.outbox.Store(-1)
	return false, nil
}

// Migration is what a Migrate did.
type Migration struct {
	// Done is false when the layout was already this one.
	Done bool
	// Keys moved under a new name whole (advisors' keys, jobs' owner sets,
	// flood markers), lanes and their items, jobs (entries of the queue,
	// leases, firing times, failures), parked records.
	Keys, Lanes, Items, Jobs, Parked int
	// Orphans counts items of layout 1 that no lane pointed to (nothing
	// could have handled them): dropped.
	Orphans int
	// SeenMarkers counts layout-1 seen markers left to expire.
	SeenMarkers int
}

// Migrate upgrades a Redis written with layout 1 to this layout, once (see
// the top of this file). Call it at start after CheckShards and before
// any worker; replicas starting together wait for the one migrating.
func (s *Store) Migrate(ctx context.Context) (Migration, error) {
	var m Migration
	current, err := s.LoadLayout(ctx)
	if err != nil || current {
		return m, err
	}
	token := randomToken(10)
	for {
		ok, err := lockAcquire.Run(ctx, s.rdb, []string{s.k.layoutLock()}, token, layoutLockTTL.Milliseconds()).Int()
		if err != nil {
			return m, fmt.Errorf("layout lock: %w", err)
		}
		if ok == 1 {
			break
		}
		// Another replica migrates: wait for it (or for its lock to lapse).
		t := time.NewTimer(200 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return m, ctx.Err()
		case <-t.C:
		}
		if current, err := s.LoadLayout(ctx); err != nil || current {
			return m, err
		}
	}
	defer func() {
		_ = lockRelease.Run(context.WithoutCancel(ctx), s.rdb, []string{s.k.layoutLock()}, token).Err()
	}()
	if current, err := s.LoadLayout(ctx); err != nil || current {
		return m, err
	}
	mg := &migration{s: s, m: &m, ctx: ctx, renew: func() error {
		ok, err := lockAcquire.Run(ctx, s.rdb, []string{s.k.layoutLock()}, token, layoutLockTTL.Milliseconds()).Int()
		if err != nil {
			return fmt.Errorf("layout lock: %w", err)
		}
		if ok != 1 {
			return errors.New("layout lock lost: another replica migrates")
		}
		return nil
	}}
	until, err := mg.run()
	if err != nil {
		return m, fmt.Errorf("migrate to layout %d: %w", LayoutVersion, err)
	}
	if err := s.rdb.HSet(ctx, s.k.layout(), "version", LayoutVersion,
		"inbox_seen_until", until[inboxQueue], "outbox_seen_until", until[outboxQueue]).Err(); err != nil {
		return m, fmt.Errorf("record layout: %w", err)
	}
	s.legacy.inbox.Store(until[inboxQueue])
	s.legacy.outbox.Store(until[outboxQueue])
	m.Done = true
	return m, nil
}

// migration is one run of Migrate.
type migration struct {
	s     *Store
	m     *Migration
	ctx   context.Context
	renew func() error
	// step, in tests, is called before each write to Redis and may stop
	// the migration there (a crash).
	step func() error
}

func (mg *migration) before() error {
	if mg.step != nil {
		return mg.step()
	}
	return nil
}

func (mg *migration) run() (map[string]int64, error) {
	s, ctx := mg.s, mg.ctx
	if mg.step == nil {
		mg.step = s.migrateStep
	}
	// Advisors' keys.
	pre := s.k.v1AdvisorPrefix()
	err := s.scan(ctx, pre+"*", 500, func(keys []string) error {
		if err := mg.renew(); err != nil {
			return err
		}
		for _, k := range keys {
			id, part, ok := strings.Cut(strings.TrimPrefix(k, pre), ":")
			if _, err := strconv.ParseInt(id, 10, 64); !ok || err != nil || part == "" {
				continue
			}
			if err := mg.moveKey(k, s.k.prefix+"{a:"+id+"}:"+part); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The queues' keys that carry an owner or a chat; seen markers counted.
	until := map[string]int64{}
	var lanes []struct {
		queue string
		lane  int64
	}
	err = s.scan(ctx, s.k.prefix+"{[dio]*", 500, func(keys []string) error {
		if err := mg.renew(); err != nil {
			return err
		}
		var seen []string
		for _, k := range keys {
			if owner, ok := strings.CutPrefix(k, s.k.v1Jobs("of:")); ok {
				if err := mg.moveKey(k, s.ownerKey(owner, "of:"+owner)); err != nil {
					return err
				}
				continue
			}
			for _, q := range []string{inboxQueue, outboxQueue} {
				rest, ok := strings.CutPrefix(k, s.k.v1Lanes(q, ""))
				if !ok {
					continue
				}
				if c, ok := strings.CutPrefix(rest, "q:"); ok {
					if lane, err := parseI64(c); err == nil {
						lanes = append(lanes, struct {
							queue string
							lane  int64
						}{q, lane})
					}
				} else if c, ok := strings.CutPrefix(rest, "flood:"); ok {
					if lane, err := parseI64(c); err == nil {
						if err := mg.moveKey(k, s.k.lanes(q, s.laneShard(lane), "flood:"+c)); err != nil {
							return err
						}
					}
				} else if strings.HasPrefix(rest, "seen:") {
					seen = append(seen, k)
				}
			}
		}
		return mg.countSeen(seen, until)
	})
	if err != nil {
		return nil, err
	}
	for _, l := range lanes {
		if err := mg.renew(); err != nil {
			return nil, err
		}
		if err := mg.moveLane(l.queue, l.lane); err != nil {
			return nil, err
		}
	}
	for _, q := range []string{inboxQueue, outboxQueue} {
		if err := mg.moveParked(s.k.v1Lanes(q, "parked"), func(rec map[string]json.RawMessage) string {
			return s.k.lanes(q, s.laneShard(jsonInt(rec["lane"])), "parked")
		}, parkedMax); err != nil {
			return nil, err
		}
		if err := mg.dropLeftovers(q); err != nil {
			return nil, err
		}
	}
	if err := mg.moveJobs(); err != nil {
		return nil, err
	}
	return until, nil
}

// countSeen notes the latest expiry of layout-1 seen markers, per queue.
func (mg *migration) countSeen(seen []string, until map[string]int64) error {
	if len(seen) == 0 {
		return nil
	}
	p := mg.s.rdb.Pipeline()
	ttls := make([]*redis.DurationCmd, len(seen))
	for i, k := range seen {
		ttls[i] = p.PTTL(mg.ctx, k)
	}
	if _, err := p.Exec(mg.ctx); err != nil {
		return fmt.Errorf("seen markers: %w", err)
	}
	now := time.Now()
	for i, k := range seen {
		d := ttls[i].Val()
		if d < 0 {
			// No expiry (not written by Suivi) or gone: the longest dedupe.
			d = 60 * 24 * time.Hour
		}
		q := outboxQueue
		if strings.HasPrefix(k, mg.s.k.v1Lanes(inboxQueue, "")) {
			q = inboxQueue
		}
		if at := now.Add(d).UnixMilli() + 1000; at > until[q] {
			until[q] = at
		}
		mg.m.SeenMarkers++
	}
	return nil
}

// moveKey moves one key to a new name: restored whole when the new name is
// free, else merged into it without overwriting; the old key deleted after.
func (mg *migration) moveKey(old, new string) error {
	ctx, rdb := mg.ctx, mg.s.rdb
	n, err := rdb.Exists(ctx, new).Result()
	if err != nil {
		return fmt.Errorf("move %s: %w", old, err)
	}
	if n == 0 {
		dump, err := rdb.Dump(ctx, old).Result()
		if errors.Is(err, redis.Nil) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("move %s: %w", old, err)
		}
		ttl, err := rdb.PTTL(ctx, old).Result()
		if err != nil {
			return fmt.Errorf("move %s: %w", old, err)
		}
		if ttl == -2*time.Nanosecond || ttl == -2*time.Millisecond {
			return nil // expired meanwhile
		}
		if ttl < 0 {
			ttl = 0
		}
		if err := mg.before(); err != nil {
			return err
		}
		err = rdb.Restore(ctx, new, ttl, dump).Err()
		if err != nil && !strings.Contains(err.Error(), "BUSYKEY") {
			return fmt.Errorf("move %s: %w", old, err)
		}
		if err != nil {
			n = 1 // written meanwhile: merge
		}
	}
	if n > 0 {
		if err := mg.merge(old, new); err != nil {
			return err
		}
	}
	if err := mg.before(); err != nil {
		return err
	}
	if err := rdb.Del(ctx, old).Err(); err != nil {
		return fmt.Errorf("move %s: %w", old, err)
	}
	mg.m.Keys++
	return nil
}

// merge adds what old holds to new without overwriting anything of new's
// (a string of new's is kept as it is).
func (mg *migration) merge(old, new string) error {
	ctx, rdb := mg.ctx, mg.s.rdb
	typ, err := rdb.Type(ctx, old).Result()
	if err != nil {
		return fmt.Errorf("merge %s: %w", old, err)
	}
	if err := mg.before(); err != nil {
		return err
	}
	switch typ {
	case "hash":
		h, err := rdb.HGetAll(ctx, old).Result()
		if err != nil {
			return fmt.Errorf("merge %s: %w", old, err)
		}
		p := rdb.Pipeline()
		for f, v := range h {
			p.HSetNX(ctx, new, f, v)
		}
		_, err = p.Exec(ctx)
		if err != nil {
			return fmt.Errorf("merge %s: %w", old, err)
		}
	case "set":
		v, err := rdb.SMembers(ctx, old).Result()
		if err != nil {
			return fmt.Errorf("merge %s: %w", old, err)
		}
		if len(v) > 0 {
			if err := rdb.SAdd(ctx, new, anys(v)...).Err(); err != nil {
				return fmt.Errorf("merge %s: %w", old, err)
			}
		}
	case "zset":
		v, err := rdb.ZRangeWithScores(ctx, old, 0, -1).Result()
		if err != nil {
			return fmt.Errorf("merge %s: %w", old, err)
		}
		if len(v) > 0 {
			if err := rdb.ZAddNX(ctx, new, v...).Err(); err != nil {
				return fmt.Errorf("merge %s: %w", old, err)
			}
		}
	}
	return nil
}

func anys(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

// laneMigrate adds a lane's layout-1 items in front of its layout-2 lane,
// in order, skipping the ids it already holds, and carries over its lease
// or its ready time and the items' seen markers.
//
// KEYS[1] lane, KEYS[2] items, KEYS[3] tries, KEYS[4] waits, KEYS[5] ready,
// KEYS[6] lease, KEYS[7] owner, KEYS[8..] the items' seen markers
// ARGV[1] lane, ARGV[2] ready time (unix ms), ARGV[3] lease expiry or ”,
// ARGV[4] lease token, ARGV[5] seen TTL (ms), then per item (in order):
// id, payload or ” (none), tries, waits, seen TTL (ms) or ”
// Returns the items added.
var laneMigrate = redis.NewScript(`
local add = {}
local n = 0
for i = 6, #ARGV, 5 do
  n = n + 1
  local id, payload = ARGV[i], ARGV[i+1]
  local have
  if payload ~= '' then
    have = redis.call('HEXISTS', KEYS[2], id) == 1
  else
    have = redis.call('LPOS', KEYS[1], id) ~= false
  end
  if not have then
    if payload ~= '' then redis.call('HSET', KEYS[2], id, payload) end
    if ARGV[i+2] ~= '' then redis.call('HSET', KEYS[3], id, ARGV[i+2]) end
    if ARGV[i+3] ~= '' then redis.call('HSET', KEYS[4], id, ARGV[i+3]) end
    add[#add+1] = id
  end
  local ttl = ARGV[i+4]
  if ttl == '' then ttl = ARGV[5] end
  redis.call('SET', KEYS[7+n], '1', 'NX', 'PX', ttl)
end
for i = #add, 1, -1 do redis.call('LPUSH', KEYS[1], add[i]) end
if ARGV[3] ~= '' then
  if not redis.call('ZSCORE', KEYS[6], ARGV[1]) then
    redis.call('ZADD', KEYS[6], ARGV[3], ARGV[1])
    redis.call('HSET', KEYS[7], ARGV[1], ARGV[4])
    redis.call('ZREM', KEYS[5], ARGV[1])
  end
elseif not redis.call('ZSCORE', KEYS[6], ARGV[1]) then
  local cur = redis.call('ZSCORE', KEYS[5], ARGV[1])
  if (not cur) or tonumber(cur) > tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[5], ARGV[2], ARGV[1])
  end
end
return #add`)

// moveLane moves one chat's lane of a queue into its shard: the new side
// in one script (laneMigrate), then the old side in one transaction.
func (mg *migration) moveLane(queue string, lane int64) error {
	ctx, s := mg.ctx, mg.s
	old := func(part string) string { return s.k.v1Lanes(queue, part) }
	c := i64(lane)
	ids, err := s.rdb.LRange(ctx, old("q:"+c), 0, -1).Result()
	if err != nil {
		return fmt.Errorf("move lane %s %d: %w", queue, lane, err)
	}
	p := s.rdb.Pipeline()
	var payloads, tries, waits *redis.SliceCmd
	ttls := make([]*redis.DurationCmd, len(ids))
	if len(ids) > 0 {
		payloads = p.HMGet(ctx, old("items"), ids...)
		tries = p.HMGet(ctx, old("tries"), ids...)
		waits = p.HMGet(ctx, old("waits"), ids...)
		for i, id := range ids {
			ttls[i] = p.PTTL(ctx, old("seen:"+id))
		}
	}
	ready := p.ZScore(ctx, old("ready"), c)
	lease := p.ZScore(ctx, old("lease"), c)
	owner := p.HGet(ctx, old("owner"), c)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("move lane %s %d: %w", queue, lane, err)
	}
	if len(ids) > 0 {
		l := s.Inbox()
		if queue == outboxQueue {
			l = s.Outbox()
		}
		keys := []string{l.queue(lane), l.lkey(lane, "items"), l.lkey(lane, "tries"), l.lkey(lane, "waits"),
			l.lkey(lane, "ready"), l.lkey(lane, "lease"), l.lkey(lane, "owner")}
		readyAt := time.Now().UnixMilli()
		if v, err := ready.Result(); err == nil {
			readyAt = int64(v)
		}
		leaseAt := ""
		if v, err := lease.Result(); err == nil {
			leaseAt = strconv.FormatInt(int64(v), 10)
		}
		args := []any{lane, readyAt, leaseAt, owner.Val(), l.seenTTL.Milliseconds()}
		for i, id := range ids {
			keys = append(keys, l.lkey(lane, "seen:"+id))
			ttl := ""
			if d := ttls[i].Val(); d > 0 {
				ttl = strconv.FormatInt(d.Milliseconds()+1, 10)
			}
			args = append(args, id, str(payloads.Val()[i]), str(tries.Val()[i]), str(waits.Val()[i]), ttl)
		}
		if err := mg.before(); err != nil {
			return err
		}
		n, err := laneMigrate.Run(ctx, s.rdb, keys, args...).Int()
		if err != nil {
			return fmt.Errorf("move lane %s %d: %w", queue, lane, err)
		}
		mg.m.Items += n
	}
	if err := mg.before(); err != nil {
		return err
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, old("q:"+c))
		if len(ids) > 0 {
			p.HDel(ctx, old("items"), ids...)
			p.HDel(ctx, old("tries"), ids...)
			p.HDel(ctx, old("waits"), ids...)
		}
		p.ZRem(ctx, old("ready"), c)
		p.ZRem(ctx, old("lease"), c)
		p.HDel(ctx, old("owner"), c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("move lane %s %d: %w", queue, lane, err)
	}
	mg.m.Lanes++
	return nil
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// dropLeftovers deletes what is left of a layout-1 queue once its lanes
// are moved: items no lane pointed to (counted), and the queue-wide keys.
func (mg *migration) dropLeftovers(queue string) error {
	ctx, s := mg.ctx, mg.s
	old := func(part string) string { return s.k.v1Lanes(queue, part) }
	n, err := s.rdb.HLen(ctx, old("items")).Result()
	if err != nil {
		return fmt.Errorf("%s leftovers: %w", queue, err)
	}
	mg.m.Orphans += int(n)
	if err := mg.before(); err != nil {
		return err
	}
	if err := s.rdb.Del(ctx, old("items"), old("tries"), old("waits"), old("ready"), old("lease"), old("owner")).Err(); err != nil {
		return fmt.Errorf("%s leftovers: %w", queue, err)
	}
	return nil
}

// parkedMigrate appends parked records to a parked list, oldest last, each
// unless it is there already, bounded and expiring like the list.
//
// KEYS[1] parked list; ARGV[1] most records, ARGV[2] TTL (ms), ARGV[3..] records
var parkedMigrate = redis.NewScript(`
local n = 0
for i = 3, #ARGV do
  if not redis.call('LPOS', KEYS[1], ARGV[i]) then
    redis.call('RPUSH', KEYS[1], ARGV[i])
    n = n + 1
  end
end
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n`)

// moveParked spreads a layout-1 parked list over the shards, by where
// each record belongs.
func (mg *migration) moveParked(old string, to func(map[string]json.RawMessage) string, most int) error {
	ctx, s := mg.ctx, mg.s
	recs, err := s.rdb.LRange(ctx, old, 0, -1).Result()
	if err != nil {
		return fmt.Errorf("move %s: %w", old, err)
	}
	if len(recs) == 0 {
		return nil
	}
	ttl, err := s.rdb.PTTL(ctx, old).Result()
	if err != nil {
		return fmt.Errorf("move %s: %w", old, err)
	}
	if ttl <= 0 {
		ttl = parkedTTL
	}
	byKey := map[string][]any{}
	var order []string
	for _, rec := range recs {
		var r map[string]json.RawMessage
		_ = json.Unmarshal([]byte(rec), &r)
		k := to(r)
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], rec)
	}
	for _, k := range order {
		if err := mg.before(); err != nil {
			return err
		}
		n, err := parkedMigrate.Run(ctx, s.rdb, []string{k}, append([]any{most, ttl.Milliseconds()}, byKey[k]...)...).Int()
		if err != nil {
			return fmt.Errorf("move %s: %w", old, err)
		}
		mg.m.Parked += n
	}
	if err := mg.before(); err != nil {
		return err
	}
	if err := s.rdb.Del(ctx, old).Err(); err != nil {
		return fmt.Errorf("move %s: %w", old, err)
	}
	return nil
}

// jsonInt reads a number written as a JSON number or string.
func jsonInt(raw json.RawMessage) int64 {
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return n
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	n, _ = parseI64(s)
	return n
}

func jsonString(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// moveJobs moves the due-queue's entries, leases, firing times and
// failures into the shards of the jobs' owners, a page at a time: written
// on the new side without overwriting (ZADD NX, HSETNX), deleted on the
// old side after.
func (mg *migration) moveJobs() error {
	ctx, s := mg.ctx, mg.s
	shardKey := func(member, part string) string { return s.ownerKey(memberOwner(member), part) }
	for _, part := range []string{"q", "lease"} {
		old := s.k.v1Jobs(part)
		for {
			if err := mg.renew(); err != nil {
				return err
			}
			page, err := s.rdb.ZRangeWithScores(ctx, old, 0, 499).Result()
			if err != nil {
				return fmt.Errorf("move jobs: %w", err)
			}
			if len(page) == 0 {
				break
			}
			if err := mg.before(); err != nil {
				return err
			}
			p := s.rdb.Pipeline()
			members := make([]any, len(page))
			for i, z := range page {
				m := z.Member.(string)
				members[i] = m
				p.ZAddNX(ctx, shardKey(m, part), z)
			}
			if _, err := p.Exec(ctx); err != nil {
				return fmt.Errorf("move jobs: %w", err)
			}
			if err := mg.before(); err != nil {
				return err
			}
			if err := s.rdb.ZRem(ctx, old, members...).Err(); err != nil {
				return fmt.Errorf("move jobs: %w", err)
			}
			if part == "q" {
				mg.m.Jobs += len(page)
			}
		}
	}
	for _, part := range []string{"orig", "fails", "since"} {
		old := s.k.v1Jobs(part)
		for {
			if err := mg.renew(); err != nil {
				return err
			}
			kv, _, err := s.rdb.HScan(ctx, old, 0, "", 500).Result()
			if err != nil {
				return fmt.Errorf("move jobs: %w", err)
			}
			if len(kv) == 0 {
				break
			}
			if err := mg.before(); err != nil {
				return err
			}
			p := s.rdb.Pipeline()
			fields := make([]string, 0, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				p.HSetNX(ctx, shardKey(kv[i], part), kv[i], kv[i+1])
				fields = append(fields, kv[i])
			}
			if _, err := p.Exec(ctx); err != nil {
				return fmt.Errorf("move jobs: %w", err)
			}
			if err := mg.before(); err != nil {
				return err
			}
			if err := s.rdb.HDel(ctx, old, fields...).Err(); err != nil {
				return fmt.Errorf("move jobs: %w", err)
			}
		}
	}
	return mg.moveParked(s.k.v1Jobs("parked"), func(rec map[string]json.RawMessage) string {
		return shardKey(jsonString(rec["member"]), "parked")
	}, parkedJobsMax)
}
