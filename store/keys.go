package store

import (
	"strconv"
	"strings"
)

// The key layout, in one place. Every key starts with "suivi:".
//
// Keys of one beneficiary share the hash tag {b:<id>}, and keys of one
// advisor the tag {a:<id>}, so that a script or transaction on several of
// them stays on one Redis Cluster slot. The queues are split in shards,
// each shard one tag (see shards.go). Indexes that cross tags (an advisor's
// list of beneficiaries, Telegram ids, invite codes) are written after,
// and idempotently with, the records they point to (the rule and every
// multi-key operation: doc.go).
//
//	suivi:{b:<id>}:profile          string  JSON domain.Beneficiary
//	suivi:{b:<id>}:plan             string  JSON domain.Plan
//
// Records keep their free-text fields sealed (seal.go's freeText: check-in
// answers, notes and voice notes, plan objectives, resources, indicators
// and question).
//
//	suivi:{b:<id>}:dialog           string  state of the current conversation, sealed (TTL)
//	suivi:{b:<id>}:checkins         hash    week -> JSON domain.CheckIn
//	suivi:advisors                  hash    advisor id -> JSON domain.Advisor
//	suivi:{suivi:advisors}:pending  set     advisors created without a digest job yet (pending.go; the
//	                                        tag puts it in the slot of suivi:advisors)
//	suivi:{suivi:advisors}:complete string  the pending set holds every such advisor (pending.go)
//	suivi:{a:<id>}:beneficiaries    set     beneficiary ids followed by the advisor
//	suivi:tg:<telegram user id>     string  beneficiary id linked to that Telegram user
//	suivi:invite:<code>             hash    beneficiary, expires, used_by, used_at (TTL: expiry + grace)
//	suivi:advinvite:<code>          hash    advisor invite: by, expires, used_by (TTL)
//	suivi:{a:<id>}:dialog           string  state of the advisor's current conversation, sealed (TTL)
//	suivi:{a:<id>}:refs             hash    button token -> what it points to (TTL), and
//	suivi:{a:<id>}:rrefs            hash    the reverse, so a thing keeps one token
//	suivi:sent:<message key>        string  message id of a message sent by a version before this
//	                                        one (7 days); read, never written, until the last expires
//	suivi:{due:<n>}:...             shard n of the due-queue of jobs (see jobs.go)
//	suivi:shards                    string  the number of shards of the queues (shards.go)
//	suivi:layout                    hash    key layout version; until when layout-1 seen markers may exist (migrate.go)
//	suivi:layout:lock               string  token of the replica upgrading the layout (PX)
//
//	suivi:desk:login:<token>        string  advisor id of a single-use login link to the web desk (TTL)
//	suivi:desk:session:<id>         hash    a web desk session: advisor, csrf token (TTL)
//	suivi:{a:<id>}:sessions         set     the advisor's desk session ids (to end them all)
//	suivi:{a:<id>}:logins           string  login links made in the current window (TTL)
//	suivi:{a:<id>}:held             hash    message key -> news held until the advisor's working hours (sealed)
//	suivi:sealkeys                  hash    id -> fingerprint of each key values are sealed under (seal.go)
//	suivi:sandbox                   string  marks a Redis that a sandbox (suivi sandbox) owns
//	suivi:poll:offset               string  next getUpdates offset
//	suivi:poll:lock                 string  token of the replica allowed to long-poll (PX)
//	suivi:rate:bot                  hash    the bot's shared send rate, its pause and its last sends' times (rate.go)
//	suivi:rate:chat:<pseudonym>     hash    one chat's send rate (rate.go; TTL)
//	Lanes (see lanes.go), for <q> = inbox (Telegram updates) and outbox (messages to send),
//	in shards <n> (a chat's lane and its items are in the shard of the chat: shards.go):
//	suivi:{<q>:<n>}:seen:<item id>  string  dedupe marker of a pushed item (TTL: 7 days). In the
//	                                        outbox it is also the one record of a message sent:
//	                                        "1" queued, "=<id>[,<id>…]" sent, the message ids of
//	                                        its parts so far (a long text), 7 days from the send;
//	                                        a reply sent in a turn of the inbox (not queued) has
//	                                        the same marker, in its chat's outbox shard. Markers
//	                                        of 60 days written before stay until they expire.
//	suivi:{<q>:<n>}:q:<chat id>     list    item ids of one chat waiting, oldest first
//	suivi:{<q>:<n>}:items           hash    item id -> payload (sealed)
//	suivi:{<q>:<n>}:tries           hash    item id -> failed attempts
//	suivi:{<q>:<n>}:waits           hash    item id -> attempts that found Telegram unavailable
//	suivi:{<q>:<n>}:ready           zset    chat id -> when it may be processed (unix ms)
//	suivi:{<q>:<n>}:lease           zset    chat id -> lease expiry (unix ms)
//	suivi:{<q>:<n>}:owner           hash    chat id -> lease token
//	suivi:{<q>:<n>}:parked          list    JSON of items given up on, payload sealed (bounded, expiring)
//	suivi:{<q>:<n>}:flood:<chat id> string  the chat was told its backlog is full (TTL)
type keys struct{ prefix string }

func (k keys) benTag(id string) string       { return k.prefix + "{b:" + id + "}:" }
func (k keys) profile(id string) string      { return k.benTag(id) + "profile" }
func (k keys) plan(id string) string         { return k.benTag(id) + "plan" }
func (k keys) dialog(id string) string       { return k.benTag(id) + "dialog" }
func (k keys) checkins(id string) string     { return k.benTag(id) + "checkins" }
func (k keys) advisors() string              { return k.prefix + "advisors" }
func (k keys) advisorsPending() string       { return k.prefix + "{" + k.advisors() + "}:pending" }
func (k keys) advisorsComplete() string      { return k.prefix + "{" + k.advisors() + "}:complete" }
func (k keys) advisorBens(id int64) string   { return k.advisorTag(id) + "beneficiaries" }
func (k keys) telegram(userID int64) string  { return k.prefix + "tg:" + i64(userID) }
func (k keys) invite(code string) string     { return k.prefix + "invite:" + code }
func (k keys) sent(key string) string        { return k.prefix + "sent:" + key }
func (k keys) advInvite(code string) string  { return k.prefix + "advinvite:" + code }
func (k keys) advisorTag(id int64) string    { return k.prefix + "{a:" + i64(id) + "}:" }
func (k keys) advisorDialog(id int64) string { return k.advisorTag(id) + "dialog" }

// jobs names the keys of one shard of the due-queue (layout in jobs.go).
func (k keys) jobs(shard int, part string) string {
	return k.prefix + "{due:" + strconv.Itoa(shard) + "}:" + part
}

func (k keys) deskLogin(token string) string   { return k.prefix + "desk:login:" + token }
func (k keys) deskSession(id string) string    { return k.prefix + "desk:session:" + id }
func (k keys) advisorSessions(id int64) string { return k.advisorTag(id) + "sessions" }
func (k keys) advisorLogins(id int64) string   { return k.advisorTag(id) + "logins" }
func (k keys) advisorHeld(id int64) string     { return k.advisorTag(id) + "held" }

func (k keys) sandbox() string    { return k.prefix + "sandbox" }
func (k keys) sealKeys() string   { return k.prefix + "sealkeys" }
func (k keys) all() string        { return k.prefix + "*" }
func (k keys) pollOffset() string { return k.prefix + "poll:offset" }
func (k keys) pollLock() string   { return k.prefix + "poll:lock" }

// The shared rate limits (rate.go).
func (k keys) rateBot() string { return k.prefix + "rate:bot" }

// rateChat names a chat's rate limit by a pseudonym of its id (the key
// would otherwise list who was written to).
func (s *Store) rateChatKey(chat int64) string {
	return s.k.prefix + "rate:chat:" + s.keys.pseudonym("chat:"+i64(chat))
}

// The queues of lanes.go.
const (
	inboxQueue  = "inbox"
	outboxQueue = "outbox"
)

// lanes names the keys of one shard of a queue of lanes (lanes.go).
func (k keys) lanes(queue string, shard int, part string) string {
	return k.prefix + "{" + queue + ":" + strconv.Itoa(shard) + "}:" + part
}

// shards records the number of shards of a deployment (shards.go).
func (k keys) shards() string { return k.prefix + "shards" }

func i64(v int64) string { return strconv.FormatInt(v, 10) }

func parseI64(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// sealedKind is what sealed values a key holds, for a rotation.
type sealedKind int

const (
	notSealed           sealedKind = iota
	sealedCheckins                 // hash week -> check-in record; id: the beneficiary
	sealedPlan                     // string plan record; id: the plan
	sealedDialog                   // string sealed whole; id: the beneficiary
	sealedAdvisorDialog            // string sealed whole; id: the advisor
	sealedLaneItems                // hash item id -> payload sealed whole; id: the queue
	sealedLaneParked               // list of parked records, item sealed; id: the queue
	sealedHeld                     // hash message key -> payload sealed whole; id: the advisor
)

// sealed reads a key name back: what sealed values it holds, and the id
// they are bound to (the inverse of the builders above).
func (k keys) sealed(key string) (sealedKind, string) {
	rest, ok := strings.CutPrefix(key, k.prefix)
	if !ok {
		return notSealed, ""
	}
	if tag, ok := strings.CutPrefix(rest, "{b:"); ok {
		id, part, ok := strings.Cut(tag, "}:")
		if !ok {
			return notSealed, ""
		}
		switch part {
		case "checkins":
			return sealedCheckins, id
		case "plan":
			return sealedPlan, id
		case "dialog":
			return sealedDialog, id
		}
		return notSealed, ""
	}
	if tag, ok := strings.CutPrefix(rest, "{a:"); ok {
		id, part, ok := strings.Cut(tag, "}:")
		if !ok {
			return notSealed, ""
		}
		switch part {
		case "dialog":
			return sealedAdvisorDialog, id
		case "held":
			return sealedHeld, id
		}
		return notSealed, ""
	}
	for _, q := range []string{inboxQueue, outboxQueue} {
		tag, ok := strings.CutPrefix(rest, "{"+q+":")
		if !ok {
			continue
		}
		n, part, ok := strings.Cut(tag, "}:")
		if _, err := strconv.Atoi(n); !ok || err != nil {
			continue
		}
		switch part {
		case "items":
			return sealedLaneItems, q
		case "parked":
			return sealedLaneParked, q
		}
	}
	return notSealed, ""
}
