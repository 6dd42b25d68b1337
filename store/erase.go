package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
)

// Erasure: a beneficiary who asks for it (/mesdonnees), or whose retention
// period ended, leaves no trace — no key named after them, no field, member
// or element that mentions their id or their Telegram id (Mentions checks
// it). What is erased:
//
//	records          profile, plan, check-ins, conversation state
//	links            Telegram id, advisor's list, invites
//	jobs             their due jobs, and parked ones
//	queues           items of their inbox and outbox lanes, items about
//	                 them waiting in their advisors' lanes, parked items,
//	                 dedupe and sent-message markers of what was about them,
//	                 their chat's rate limit
//	advisors         button tokens that point to them, news held about
//	                 them, a conversation state that names them
//
// Each step is idempotent. The records go last, profile and plan together
// (one transaction): until then the profile says who the person was, so
// an erasure cut short is finished by running it again (the dialogs mark
// the profile first, and a job finishes what a crash left). After them
// come the Telegram link (a link left pointing at nothing is removed when
// it is next looked up) and the jobs (a job left over finds no one, and
// ends).
//
// What names a person is found where Suivi puts their id, never wherever
// the id could appear as a word: the records under their hash tag
// {b:<id>}, and the message keys and event ids that hold the id as one of
// their ":"-parts (concerns). Ids made since erasure exists hold two
// letters and a digit (ValidNewID): such a part is no one else's, nor a
// word or a number of the layout.

// EraseBeneficiary removes everything Suivi keeps about a beneficiary. The
// item a worker holds in their lane right now (the request being handled)
// is left to that worker, which acks it.
func (s *Store) EraseBeneficiary(ctx context.Context, id string) error {
	b, err := s.Beneficiary(ctx, id)
	if err != nil {
		return err
	}
	for _, step := range []func(context.Context, *domain.Beneficiary) error{
		s.eraseInvites, s.eraseQueues, s.eraseAdvisorTraces, s.eraseMarkers,
	} {
		if err := step(ctx, b); err != nil {
			return fmt.Errorf("erase %s: %w", id, err)
		}
	}
	// One slot ({b:<id>}): all or nothing.
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.k.plan(id), s.k.checkins(id), s.k.dialog(id), s.k.profile(id))
		return nil
	}); err != nil {
		return fmt.Errorf("erase %s: records: %w", id, err)
	}
	if b.TelegramID != 0 {
		// Only if the Telegram user still points at this beneficiary.
		if err := lockRelease.Run(ctx, s.rdb, []string{s.k.telegram(b.TelegramID)}, id).Err(); err != nil {
			return fmt.Errorf("erase %s: telegram link: %w", id, err)
		}
	}
	if err := s.eraseJobs(ctx, b); err != nil {
		return fmt.Errorf("erase %s: %w", id, err)
	}
	return nil
}

// ErasureTokens are what no key, field or value may mention once a
// beneficiary is erased: their id, and their Telegram id if they joined.
func ErasureTokens(b *domain.Beneficiary) []string {
	tokens := []string{b.ID}
	if b.TelegramID != 0 {
		tokens = append(tokens, i64(b.TelegramID))
	}
	return tokens
}

// Kinds of occurrence and families of message keys and event ids that
// hold a beneficiary's id as their second part ("fwd:<id>:<week>"); an
// occurrence key holds it first ("<id>:reminder:…", reminders.Key). Parts
// in front ("e:" of events, "sees:", "held:", "ack:") wrap another key.
var (
	occurrenceKinds = []string{"reminder", "nudge", "checkin", "resume", "overdue", "brief", "aftercare", "retention", "grace"}
	keyFamilies     = []string{"ben", "fwd", "fwdpart", "fwdvoice", "help", "stepblocked", "blocked", "closed", "rev", "rv", "rvn", "relance", "close"}
	keyWrappers     = []string{"e", "sees", "held", "ack"}
)

// concerns reports whether a message key, an event id or a button token's
// value is about beneficiary id: one of its ":"-parts is the id (the last
// part without the ".<n>" of a long message's pieces). An id of the shape
// of ValidNewID cannot be anything else; an older one that could be a word
// or a number only counts where Suivi puts ids.
func concerns(key, id string) bool {
	parts := strings.Split(key, ":")
	last := &parts[len(parts)-1]
	if i := strings.LastIndexByte(*last, '.'); i > 0 && allDigits((*last)[i+1:]) {
		*last = (*last)[:i]
	}
	if ValidNewID(id) {
		return slices.Contains(parts, id)
	}
	for len(parts) > 2 && slices.Contains(keyWrappers, parts[0]) {
		parts = parts[1:]
	}
	if len(parts) < 2 {
		return false
	}
	return parts[0] == id && slices.Contains(occurrenceKinds, parts[1]) ||
		slices.Contains(keyFamilies, parts[0]) && parts[1] == id
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// eraseJobs removes the beneficiary's jobs and their parked records.
func (s *Store) eraseJobs(ctx context.Context, b *domain.Beneficiary) error {
	if err := s.SyncJobs(ctx, b.ID, nil); err != nil {
		return err
	}
	return s.dropListElements(ctx, s.ownerKey(b.ID, "parked"), func(el string) bool {
		var r struct {
			Member string `json:"member"`
		}
		if json.Unmarshal([]byte(el), &r) != nil {
			return false
		}
		parts := strings.Split(r.Member, "|") // kind|owner|step
		return len(parts) >= 2 && parts[1] == b.ID
	})
}

// eraseInvites removes the invites made for the beneficiary (a bounded
// SCAN of the invites: there is no index of them per person).
func (s *Store) eraseInvites(ctx context.Context, b *domain.Beneficiary) error {
	err := s.scan(ctx, s.k.invite("*"), mentionPage, func(keys []string) error {
		for _, key := range keys {
			owner, err := s.rdb.HGet(ctx, key, "beneficiary").Result()
			if errors.Is(err, redis.Nil) {
				continue
			}
			if err != nil {
				return fmt.Errorf("invite: %w", err)
			}
			if owner == b.ID {
				if err := s.rdb.Del(ctx, key).Err(); err != nil {
					return fmt.Errorf("invite: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("invites: %w", err)
	}
	return nil
}

// laneForget removes items from a lane: all of them (ARGV[2] = '*') or the
// ones named. The item at the head of a leased lane is in a worker's hands:
// it is left for that worker to ack. A lane left empty is no longer ready.
//
// KEYS[1] the lane's queue, KEYS[2] items, KEYS[3] tries, KEYS[4] waits,
// KEYS[5] ready, KEYS[6] owner, KEYS[7] the lane's flood marker
// ARGV[1] lane, ARGV[2...] '*' or item ids
// Returns how many items were removed.
var laneForget = redis.NewScript(`
local leased = redis.call('HEXISTS', KEYS[6], ARGV[1]) == 1
local head = redis.call('LINDEX', KEYS[1], 0)
local n = 0
local function drop(id)
  if leased and id == head then return end
  n = n + redis.call('LREM', KEYS[1], 0, id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
end
if ARGV[2] == '*' then
  for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do drop(id) end
  redis.call('DEL', KEYS[7])
else
  for i = 2, #ARGV do drop(ARGV[i]) end
end
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[5], ARGV[1]) end
return n`)

// forget runs laneForget on one lane.
func (l *Lanes) forget(ctx context.Context, lane int64, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{lane}
	for _, id := range ids {
		args = append(args, id)
	}
	err := laneForget.Run(ctx, l.s.rdb,
		[]string{l.queue(lane), l.lkey(lane, "items"), l.lkey(lane, "tries"), l.lkey(lane, "waits"), l.lkey(lane, "ready"), l.lkey(lane, "owner"), l.flood(lane)},
		args...).Err()
	if err != nil {
		return fmt.Errorf("%s forget: %w", l.name, err)
	}
	return nil
}

// forgetAbout removes the items of a lane whose id is about beneficiary id.
func (l *Lanes) forgetAbout(ctx context.Context, lane int64, id string) error {
	ids, err := l.s.rdb.LRange(ctx, l.queue(lane), 0, -1).Result()
	if err != nil {
		return fmt.Errorf("%s lane: %w", l.name, err)
	}
	var about []string
	for _, item := range ids {
		if concerns(item, id) {
			about = append(about, item)
		}
	}
	return l.forget(ctx, lane, about...)
}

// eraseQueues empties the beneficiary's lanes (their chat's, and the one
// used before they joined) in both queues, removes the messages about them
// waiting in their advisors' lanes, and the parked items about them. A
// beneficiary who is also an advisor (someone trying Suivi on their own
// account) shares their chat with that role: only what is about them goes.
func (s *Store) eraseQueues(ctx context.Context, b *domain.Beneficiary) error {
	advisors, err := s.Advisors(ctx)
	if err != nil {
		return err
	}
	own := []int64{BeneficiaryLane(&domain.Beneficiary{ID: b.ID})}
	sharedChat := false
	if b.TelegramID != 0 {
		own = append(own, b.TelegramID)
		sharedChat = slices.ContainsFunc(advisors, func(a domain.Advisor) bool { return a.ID == b.TelegramID })
	}
	for _, l := range []*Lanes{s.Inbox(), s.Outbox()} {
		for _, lane := range own {
			var err error
			if lane == b.TelegramID && sharedChat {
				err = l.forgetAbout(ctx, lane, b.ID)
			} else {
				err = l.forget(ctx, lane, "*")
			}
			if err != nil {
				return err
			}
		}
		for _, a := range advisors {
			if a.ID == b.TelegramID {
				continue // done above
			}
			if err := l.forgetAbout(ctx, a.ID, b.ID); err != nil {
				return err
			}
		}
		err := s.dropParked(ctx, l, func(rec string) bool {
			r, item, _, err := parkedItem(rec)
			if err != nil {
				return false
			}
			var lane string
			if json.Unmarshal(r["lane"], &lane) != nil {
				var n int64
				_ = json.Unmarshal(r["lane"], &n)
				lane = strconv.FormatInt(n, 10)
			}
			ownLane := slices.ContainsFunc(own, func(o int64) bool { return i64(o) == lane && !(o == b.TelegramID && sharedChat) })
			return ownLane || concerns(item, b.ID)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eraseAdvisorTraces removes, for every advisor, the button tokens that
// point to the beneficiary, the news held about them, their place in the
// advisor's list, and a conversation state that names them (a reply being
// written to them, a revision of their plan).
func (s *Store) eraseAdvisorTraces(ctx context.Context, b *domain.Beneficiary) error {
	advisors, err := s.Advisors(ctx)
	if err != nil {
		return err
	}
	for _, a := range advisors {
		tag := s.k.advisorTag(a.ID)
		var values, tokens []string
		err := s.hscan(ctx, tag+"rrefs", func(value, token string) {
			if concerns(value, b.ID) {
				values, tokens = append(values, value), append(tokens, token)
			}
		})
		if err != nil {
			return err
		}
		var held []string
		if err := s.hscan(ctx, s.k.advisorHeld(a.ID), func(key, _ string) {
			if concerns(key, b.ID) {
				held = append(held, key)
			}
		}); err != nil {
			return err
		}
		st, err := s.AdvisorState(ctx, a.ID)
		// A state that cannot be opened may name them: it goes too.
		dialog := errors.Is(err, ErrUnsealable) || err == nil && strings.Contains(string(st), `"`+b.ID+`"`)
		if err != nil && !errors.Is(err, ErrUnsealable) {
			return err
		}
		_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if len(values) > 0 {
				p.HDel(ctx, tag+"rrefs", values...)
				p.HDel(ctx, tag+"refs", tokens...)
			}
			if len(held) > 0 {
				p.HDel(ctx, s.k.advisorHeld(a.ID), held...)
			}
			if dialog {
				p.Del(ctx, s.k.advisorDialog(a.ID))
			}
			p.SRem(ctx, s.k.advisorBens(a.ID), b.ID)
			return nil
		})
		if err != nil {
			return fmt.Errorf("advisor %d: %w", a.ID, err)
		}
	}
	return nil
}

// eraseMarkers removes the dedupe markers of the queues (in the outbox
// also the record of what was sent) and the sent markers a version before
// wrote (suivi:sent:<key>) that were about the beneficiary (their keys
// hold the id), with a bounded SCAN, and their chat's rate limit.
func (s *Store) eraseMarkers(ctx context.Context, b *domain.Beneficiary) error {
	if b.TelegramID != 0 {
		if err := s.rdb.Del(ctx, s.rateChatKey(b.TelegramID)).Err(); err != nil {
			return fmt.Errorf("chat rate: %w", err)
		}
	}
	prefixes := []string{s.k.sent("")}
	for sh := range s.shards {
		prefixes = append(prefixes, s.k.lanes(inboxQueue, sh, "seen:"), s.k.lanes(outboxQueue, sh, "seen:"))
	}
	err := s.scan(ctx, s.k.prefix+"*"+b.ID+"*", mentionPage, func(keys []string) error {
		var batch []string
		for _, key := range keys {
			for _, prefix := range prefixes {
				if rest, ok := strings.CutPrefix(key, prefix); ok && concerns(rest, b.ID) {
					batch = append(batch, key)
					break
				}
			}
		}
		return s.unlink(ctx, batch)
	})
	if err != nil {
		return fmt.Errorf("markers: %w", err)
	}
	return nil
}

// dropParked removes the parked records of every shard of a queue that
// drop selects.
func (s *Store) dropParked(ctx context.Context, l *Lanes, drop func(string) bool) error {
	for sh := range s.shards {
		if err := s.dropListElements(ctx, l.key(sh, "parked"), drop); err != nil {
			return err
		}
	}
	return nil
}

// dropListElements removes the elements of a list that drop selects.
func (s *Store) dropListElements(ctx context.Context, key string, drop func(string) bool) error {
	els, err := s.rdb.LRange(ctx, key, 0, -1).Result()
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	for _, el := range els {
		if drop(el) {
			if err := s.rdb.LRem(ctx, key, 0, el).Err(); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	return nil
}
