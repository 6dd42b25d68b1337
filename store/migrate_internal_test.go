package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
	"suivi/internal/redistest"
)

// The scripts of layout 1 (store/lanes.go, jobs.go, advisors.go at
// 29d23e2), run on the names of layout 1, so that the fixture writes what
// a deployment of that code left in Redis.
var (
	v1LanePush = redis.NewScript(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[4]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[1])
if not redis.call('ZSCORE', KEYS[5], ARGV[5]) then
  redis.call('ZADD', KEYS[4], 'NX', ARGV[3], ARGV[5])
end
return 1`)
	v1LaneClaim = redis.NewScript(`
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
	v1JobsSync = redis.NewScript(`
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
	v1JobsClaim = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i = 1, #due, 2 do
  local m = due[i]
  local at = redis.call('HGET', KEYS[5], m) or due[i+1]
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], ARGV[2], m)
  redis.call('HSET', KEYS[3], m, at)
  out[#out+1] = m
end
return out`)
)

// layout1 is what the fixture wrote, to check against.
type layout1 struct {
	advisors []int64
	bens     map[int64][]string
	tokens   map[int64]map[string]string // advisor -> token -> value
	held     map[int64]map[string]string
	dialogs  map[int64]string
	jobs     map[string]time.Time // member -> due (owner: memberOwner)
	leased   string               // a job leased by a replica that stopped
	leasedAt time.Time
	lanes    map[string]map[int64][]string // queue -> chat -> item ids in order
	leaseEnd time.Time                     // a lane leased by a replica that stopped, till then
	handled  map[string][]string           // queue -> ids handled before the upgrade (seen only)
}

const (
	v1Now      = 1_795_000_000_000 // unix ms, the upgrade
	v1SeenIn   = 7 * 24 * time.Hour
	v1SeenOut  = 60 * 24 * time.Hour
	v1Advisors = 5
	v1Bens     = 8 // per advisor
)

// writeLayout1 writes a deployment of layout 1 the way its code did.
func writeLayout1(t *testing.T, ctx context.Context, rdb redis.UniversalClient, ring *Keyring) layout1 {
	t.Helper()
	k := keys{prefix: "suivi:"}
	adv := func(id int64, part string) string { return k.v1AdvisorPrefix() + i64(id) + ":" + part }
	due := func(part string) string { return k.v1Jobs(part) }
	lanes := func(q, part string) string { return k.v1Lanes(q, part) }
	must := func(err error) {
		t.Helper()
		if err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
	}
	f := layout1{bens: map[int64][]string{}, tokens: map[int64]map[string]string{}, held: map[int64]map[string]string{},
		dialogs: map[int64]string{}, jobs: map[string]time.Time{}, lanes: map[string]map[int64][]string{inboxQueue: {}, outboxQueue: {}},
		handled: map[string][]string{}}
	push := func(q string, chat int64, id string, payload string, ttl time.Duration) {
		must(v1LanePush.Run(ctx, rdb, []string{lanes(q, "seen:"+id), lanes(q, "q:"+i64(chat)), lanes(q, "items"), lanes(q, "ready"), lanes(q, "lease")},
			id, ring.seal([]byte(payload), aadItem(q, id)), v1Now-1000, ttl.Milliseconds(), chat).Err())
		f.lanes[q][chat] = append(f.lanes[q][chat], id)
	}
	for a := range int64(v1Advisors) {
		id := 500 + a
		f.advisors = append(f.advisors, id)
		must(rdb.HSet(ctx, k.advisors(), i64(id), mustJSON(domain.Advisor{ID: id, Name: fmt.Sprintf("A%d", a)})).Err())
		f.tokens[id] = map[string]string{}
		f.held[id] = map[string]string{}
		for b := range v1Bens {
			ben := fmt.Sprintf("b%d-%d", id, b)
			f.bens[id] = append(f.bens[id], ben)
			must(rdb.SAdd(ctx, adv(id, "beneficiaries"), ben).Err())
			tok := fmt.Sprintf("t%d%d", a, b)
			value := "ben:" + ben
			// layout 1's refScript, in commands: its two keys were on two
			// slots (layout 1 ran on one node only).
			must(rdb.HSet(ctx, adv(id, "refs"), tok, value).Err())
			must(rdb.HSet(ctx, adv(id, "rrefs"), value, tok).Err())
			must(rdb.PExpire(ctx, adv(id, "refs"), refTTL).Err())
			must(rdb.PExpire(ctx, adv(id, "rrefs"), refTTL).Err())
			f.tokens[id][tok] = value
			// Each beneficiary: check-ins every week, reminders of a step.
			ci, rm := "c|"+ben, "r|"+ben+"|1"
			f.jobs[ci] = time.UnixMilli(v1Now + int64(b)*60_000).UTC()
			f.jobs[rm] = time.UnixMilli(v1Now + int64(b)*60_000 + 1).UTC()
			must(v1JobsSync.Run(ctx, rdb, []string{due("of:" + ben), due("q"), due("fails"), due("since")},
				ci, f.jobs[ci].UnixMilli(), rm, f.jobs[rm].UnixMilli()).Err())
		}
		key := fmt.Sprintf("news:%d", id)
		f.held[id][key] = "held news " + key
		must(rdb.HSetNX(ctx, adv(id, "held"), key, ring.seal([]byte(f.held[id][key]), aadHeld(id, key))).Err())
		f.dialogs[id] = fmt.Sprintf(`{"draft":%d}`, id)
		must(rdb.Set(ctx, adv(id, "dialog"), ring.seal([]byte(f.dialogs[id]), aadAdvisorDialog(id)), time.Hour).Err())
		must(rdb.SAdd(ctx, adv(id, "sessions"), "sess"+i64(id)).Err())
		must(rdb.Set(ctx, adv(id, "logins"), "2", time.Hour).Err())
		// The advisor's digest, owned by "a<id>".
		dg := "d|a" + i64(id)
		f.jobs[dg] = time.UnixMilli(v1Now + 3_600_000).UTC()
		must(v1JobsSync.Run(ctx, rdb, []string{due("of:a" + i64(id)), due("q"), due("fails"), due("since")}, dg, f.jobs[dg].UnixMilli()).Err())
	}
	// A job a replica was firing when it stopped: leased, its firing time kept.
	f.leased = "c|b500-0"
	f.leasedAt = f.jobs[f.leased]
	delete(f.jobs, f.leased)
	must(rdb.ZAdd(ctx, due("q"), redis.Z{Score: float64(f.leasedAt.UnixMilli()), Member: f.leased}).Err())
	must(v1JobsClaim.Run(ctx, rdb, []string{due("q"), due("lease"), due("orig"), due("fails"), due("since")},
		f.leasedAt.UnixMilli(), v1Now+120_000, 1).Err())
	// A job that failed twice, and one parked.
	must(rdb.HSet(ctx, due("fails"), "r|b501-2|1", 2).Err())
	must(rdb.HSet(ctx, due("since"), "r|b501-2|1", f.jobs["r|b501-2|1"].UnixMilli()).Err())
	must(rdb.LPush(ctx, due("parked"), `{"member":"r|b502-3|1","fails":5,"due":1,"reason":"x","at":1}`).Err())
	// Waiting updates and messages, in many chats, some several.
	for c := range int64(12) {
		chat := 9000 + c
		for i := range int(c%3) + 1 {
			push(inboxQueue, chat, fmt.Sprintf("%d", 100*c+int64(i)), fmt.Sprintf(`{"update_id":%d}`, 100*c+int64(i)), v1SeenIn)
			push(outboxQueue, chat, fmt.Sprintf("msg:%d:%d", chat, i), fmt.Sprintf(`{"text":"m%d"}`, i), v1SeenOut)
		}
	}
	// A chat with a payload-less id (left by an old bug): still handed out.
	must(rdb.RPush(ctx, lanes(outboxQueue, "q:9003"), "lost").Err())
	f.lanes[outboxQueue][9003] = append(f.lanes[outboxQueue][9003], "lost")
	// One lane held by a replica that stopped: its lease lapses, then it is handed out.
	f.leaseEnd = time.UnixMilli(v1Now + 30_000)
	if v, err := v1LaneClaim.Run(ctx, rdb, []string{lanes(inboxQueue, "ready"), lanes(inboxQueue, "lease"), lanes(inboxQueue, "owner")},
		v1Now, f.leaseEnd.UnixMilli(), "old-worker").Text(); err != nil || v == "" {
		t.Fatalf("claim: %q %v", v, err)
	}
	must(rdb.HSet(ctx, lanes(outboxQueue, "tries"), "msg:9005:0", 2).Err())
	must(rdb.Set(ctx, lanes(inboxQueue, "flood:9004"), "1", time.Hour).Err())
	must(rdb.LPush(ctx, lanes(inboxQueue, "parked"), `{"id":"77","lane":"9007","tries":0,"reason":"backlog","at":5,"item":"x"}`).Err())
	// Items handled before the upgrade: only their seen markers are left.
	for i := range 3 {
		id := fmt.Sprintf("done:%d", i)
		must(rdb.Set(ctx, lanes(outboxQueue, "seen:"+id), "1", v1SeenOut).Err())
		f.handled[outboxQueue] = append(f.handled[outboxQueue], id)
		must(rdb.Set(ctx, lanes(inboxQueue, "seen:"+i64(int64(50+i))), "1", v1SeenIn).Err())
		f.handled[inboxQueue] = append(f.handled[inboxQueue], i64(int64(50+i)))
	}
	return f
}

// checkLayout2 checks that everything of the fixture is reachable through
// the store, then processes it: each item and job once, in order.
func checkLayout2(t *testing.T, ctx context.Context, rdb redis.UniversalClient, s *Store, f layout1) {
	t.Helper()
	for _, pattern := range []string{"suivi:advisor:*", "suivi:{due}:*", "suivi:{inbox}:[^s]*", "suivi:{outbox}:[^s]*"} {
		if ks, err := redistest.Keys(ctx, rdb, pattern); err != nil || len(ks) > 0 {
			t.Fatalf("layout-1 keys left (%s): %v %v", pattern, ks, err)
		}
	}
	for _, id := range f.advisors {
		bens, err := s.AdvisorBeneficiaries(ctx, id)
		slices.Sort(bens)
		if err != nil || !slices.Equal(bens, f.bens[id]) {
			t.Fatalf("advisor %d's list: %v %v, want %v", id, bens, err, f.bens[id])
		}
		for tok, v := range f.tokens[id] {
			got, ok, err := s.ResolveRef(ctx, id, tok)
			if err != nil || !ok || got != v {
				t.Fatalf("advisor %d token %s: %q %v %v", id, tok, got, ok, err)
			}
			if again, err := s.Ref(ctx, id, v); err != nil || again != tok {
				t.Fatalf("advisor %d: %s has a new token %q (%v), was %q", id, v, again, err, tok)
			}
		}
		held, err := s.HeldNews(ctx, id)
		if err != nil || len(held) != len(f.held[id]) {
			t.Fatalf("advisor %d held news: %v %v", id, held, err)
		}
		for key, v := range f.held[id] {
			if string(held[key]) != v {
				t.Fatalf("held %s: %q", key, held[key])
			}
		}
		if st, err := s.AdvisorState(ctx, id); err != nil || string(st) != f.dialogs[id] {
			t.Fatalf("advisor %d dialog: %q %v", id, st, err)
		}
		if ttl, err := rdb.TTL(ctx, s.k.advisorDialog(id)).Result(); err != nil || ttl <= 0 || ttl > time.Hour {
			t.Fatalf("advisor %d dialog TTL %v %v", id, ttl, err)
		}
		if ok, err := rdb.SIsMember(ctx, s.k.advisorSessions(id), "sess"+i64(id)).Result(); err != nil || !ok {
			t.Fatalf("advisor %d sessions: %v %v", id, ok, err)
		}
	}
	// Jobs: each owner's jobs listed, then every job claimed once at its time.
	for m, at := range f.jobs {
		js, err := s.Jobs(ctx, memberOwner(m))
		if err != nil || !js[m].Equal(at) {
			t.Fatalf("jobs of %s: %v %v, want %s at %s", memberOwner(m), js, err, m, at)
		}
	}
	claimed := map[string]time.Time{}
	claimAll := func(at time.Time) {
		for {
			js, err := s.ClaimJobs(ctx, at, at.Add(time.Minute), 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(js) == 0 {
				return
			}
			for _, j := range js {
				if _, dup := claimed[j.Member]; dup {
					t.Fatalf("job %s claimed twice", j.Member)
				}
				claimed[j.Member] = j.Due
				if err := s.FinishJob(ctx, memberOwner(j.Member), j.Member, time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	claimAll(time.UnixMilli(v1Now + 119_000))
	if _, ok := claimed[f.leased]; ok {
		t.Fatal("a job leased before the upgrade was claimed before its lease lapsed")
	}
	claimAll(time.UnixMilli(v1Now + 4_000_000))
	if len(claimed) != len(f.jobs)+1 || !claimed[f.leased].Equal(f.leasedAt) {
		t.Fatalf("%d jobs claimed, want %d; leased job due %s, want %s", len(claimed), len(f.jobs)+1, claimed[f.leased], f.leasedAt)
	}
	for m, at := range f.jobs {
		if !claimed[m].Equal(at) {
			t.Fatalf("job %s claimed for %s, due %s", m, claimed[m], at)
		}
	}
	if recs, n, err := s.ParkedJobs(ctx, 10); err != nil || n != 1 || !strings.Contains(recs[0], "r|b502-3|1") {
		t.Fatalf("parked jobs: %v %d %v", recs, n, err)
	}
	// Lanes: every item handed out once, in its chat's order.
	for _, q := range []string{inboxQueue, outboxQueue} {
		l := s.Inbox()
		if q == outboxQueue {
			l = s.Outbox()
		}
		got := map[int64][]string{}
		drain := func(now time.Time) {
			for {
				lane, ok, err := l.Claim(ctx, now, now.Add(time.Minute), "w")
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					return
				}
				for {
					it, ok, err := l.Head(ctx, lane)
					if err != nil {
						t.Fatal(err)
					}
					if !ok {
						break
					}
					if it.ID != "lost" && !strings.Contains(string(it.Payload), "{") {
						t.Fatalf("%s item %s: payload %q", q, it.ID, it.Payload)
					}
					if q == outboxQueue && it.ID == "msg:9005:0" && it.Tries != 2 {
						t.Fatalf("tries of %s: %d", it.ID, it.Tries)
					}
					got[lane] = append(got[lane], it.ID)
					if err := l.Ack(ctx, lane, "w", it.ID); err != nil {
						t.Fatal(err)
					}
				}
				if err := l.Release(ctx, lane, "w", now); err != nil {
					t.Fatal(err)
				}
			}
		}
		drain(time.UnixMilli(v1Now + 1000))
		for chat := range f.lanes[q] {
			if q == inboxQueue && chat == 9000 && len(got[chat]) > 0 {
				t.Fatalf("a lane leased before the upgrade was handed out before its lease lapsed")
			}
		}
		drain(f.leaseEnd.Add(time.Second))
		if len(got) != len(f.lanes[q]) {
			t.Fatalf("%s: %d lanes handed out, want %d", q, len(got), len(f.lanes[q]))
		}
		for chat, ids := range f.lanes[q] {
			if !slices.Equal(got[chat], ids) {
				t.Fatalf("%s chat %d: %v, want %v", q, chat, got[chat], ids)
			}
		}
		// Pushed again (a webhook retried, a job fired again): not queued,
		// whether it waited at the upgrade or was handled before.
		for _, id := range append(slices.Clone(f.handled[q]), f.lanes[q][9001][0]) {
			if isNew, err := l.Push(ctx, id, 9001, []byte("{}"), time.UnixMilli(v1Now)); err != nil || isNew {
				t.Fatalf("%s: %s pushed again after the upgrade: new=%v %v", q, id, isNew, err)
			}
		}
	}
	if recs, err := s.Inbox().Parked(ctx, 10); err != nil || len(recs) != 1 || !strings.Contains(recs[0], `"77"`) {
		t.Fatalf("parked updates: %v %v", recs, err)
	}
	if n, err := rdb.Exists(ctx, s.Inbox().flood(9004)).Result(); err != nil || n != 1 {
		t.Fatalf("flood marker: %d %v", n, err)
	}
}

// An existing deployment of layout 1 is upgraded at start: every advisor
// list, button token, held news, job and waiting item is found under the
// new names and processed once; the migration runs once.
func TestMigrateLayout1(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	ring := EphemeralKeyring()
	f := writeLayout1(t, ctx, rdb, ring)
	s := New(rdb, Options{Keys: ring})
	if err := s.CheckShards(ctx); err != nil {
		t.Fatal(err)
	}
	// Before the migration (it runs later in start-up), a webhook's push of
	// an update handled by the old deployment is not taken as new.
	if current, err := s.LoadLayout(ctx); err != nil || current {
		t.Fatalf("layout current before migrating: %v %v", current, err)
	}
	if isNew, err := s.Inbox().Push(ctx, f.handled[inboxQueue][0], 1, []byte("{}"), time.UnixMilli(v1Now)); err != nil || isNew {
		t.Fatalf("an update handled before the upgrade pushed again: new=%v %v", isNew, err)
	}
	m, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantItems := 0
	for _, q := range f.lanes {
		for _, ids := range q {
			wantItems += len(ids)
		}
	}
	if !m.Done || m.Items != wantItems || m.Lanes != 24 || m.Jobs != len(f.jobs) || m.Orphans != 0 || m.SeenMarkers != wantItems-1+6 {
		t.Fatalf("migration: %+v; want %d items, 24 lanes, %d jobs", m, wantItems, len(f.jobs))
	}
	checkLayout2(t, ctx, rdb, s, f)
	// Once: another start finds the layout recorded.
	again := New(rdb, Options{Keys: ring})
	if m, err := again.Migrate(ctx); err != nil || m.Done {
		t.Fatalf("second migration: %+v %v", m, err)
	}
	if isNew, err := again.Outbox().Push(ctx, f.handled[outboxQueue][1], 1, []byte("{}"), time.UnixMilli(v1Now)); err != nil || isNew {
		t.Fatalf("a message sent before the upgrade queued again by a later replica: new=%v %v", isNew, err)
	}
}

// A migration cut short at any write (the replica killed) and run again
// finishes the same: nothing lost, nothing twice.
func TestMigrateCutShortAndRunAgain(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	ring := EphemeralKeyring()
	wipe := func() {
		ks, err := redistest.Keys(ctx, rdb, "suivi:*")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range ks {
			if err := rdb.Del(ctx, k).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Count the writes of a whole migration.
	writeLayout1(t, ctx, rdb, ring)
	s := New(rdb, Options{Keys: ring})
	writes := 0
	s.migrateStep = func() error { writes++; return nil }
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if writes < 50 {
		t.Fatalf("only %d writes counted", writes)
	}
	crash := errors.New("killed")
	stride := max(1, writes/40)
	for cut := 1; cut < writes; cut += stride {
		wipe()
		f := writeLayout1(t, ctx, rdb, ring)
		s := New(rdb, Options{Keys: ring})
		n := 0
		s.migrateStep = func() error {
			if n++; n == cut {
				return crash
			}
			return nil
		}
		if _, err := s.Migrate(ctx); !errors.Is(err, crash) {
			t.Fatalf("cut at write %d: %v", cut, err)
		}
		// The killed replica's lock lapses; the next start migrates.
		if err := rdb.Del(ctx, s.k.layoutLock()).Err(); err != nil {
			t.Fatal(err)
		}
		next := New(rdb, Options{Keys: ring})
		if m, err := next.Migrate(ctx); err != nil || !m.Done {
			t.Fatalf("after a cut at write %d: %+v %v", cut, m, err)
		}
		checkLayout2(t, ctx, rdb, next, f)
	}
}

// Replicas starting together: one migrates, the others wait for it.
func TestMigrateOneReplicaAtATime(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	ring := EphemeralKeyring()
	f := writeLayout1(t, ctx, rdb, ring)
	errs := make(chan error, 3)
	done := make(chan Migration, 3)
	for range 3 {
		go func() {
			m, err := New(rdb, Options{Keys: ring}).Migrate(ctx)
			errs <- err
			done <- m
		}()
	}
	ran := 0
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if (<-done).Done {
			ran++
		}
	}
	if ran != 1 {
		t.Fatalf("%d replicas migrated", ran)
	}
	// A replica started later reads the recorded layout (Migrate, done).
	later := New(rdb, Options{Keys: ring})
	if m, err := later.Migrate(ctx); err != nil || m.Done {
		t.Fatalf("a later start: %+v %v", m, err)
	}
	checkLayout2(t, ctx, rdb, later, f)
}
