package store

import (
	"strconv"
)

// The key layout, in one place. Every key starts with "suivi:".
//
// Keys of one beneficiary share the hash tag {b:<id>}, so scripts that touch
// several of them stay on one Redis Cluster slot. The inbox and the queues
// each share one tag of their own ({inbox}, {due}, {out}) like asynq's
// per-queue tags. Indexes that cross beneficiaries (advisor lists, Telegram
// ids, invite codes) are plain keys written after, and idempotently with,
// the records they point to.
//
//	suivi:{b:<id>}:profile          string  JSON domain.Beneficiary
//	suivi:{b:<id>}:plan             string  JSON domain.Plan
//	suivi:advisors                  hash    advisor id -> JSON domain.Advisor
//	suivi:advisor:<id>:beneficiaries set    beneficiary ids followed by the advisor
//	suivi:tg:<telegram user id>     string  beneficiary id linked to that Telegram user
//	suivi:invite:<code>             hash    beneficiary, expires, used_by, used_at (TTL: expiry + grace)
//	suivi:sent:<message key>        string  message id of a message already sent (TTL)
//
//	suivi:poll:offset               string  next getUpdates offset
//	suivi:poll:lock                 string  token of the replica allowed to long-poll (PX)
//	suivi:{inbox}:seen:<update id>  string  dedupe marker of a persisted update (TTL)
//	suivi:{inbox}:q:<chat id>       list    update ids of one chat waiting, oldest first
//	suivi:{inbox}:upd               hash    update id -> update JSON
//	suivi:{inbox}:tries             hash    update id -> failed attempts
//	suivi:{inbox}:ready             zset    chat id -> when it may be processed (unix ms)
//	suivi:{inbox}:lease             zset    chat id -> lease expiry (unix ms)
//	suivi:{inbox}:owner             hash    chat id -> lease token
//	suivi:{inbox}:parked            list    JSON of updates given up on (bounded)
type keys struct{ prefix string }

func (k keys) benTag(id string) string      { return k.prefix + "{b:" + id + "}:" }
func (k keys) profile(id string) string     { return k.benTag(id) + "profile" }
func (k keys) plan(id string) string        { return k.benTag(id) + "plan" }
func (k keys) advisors() string             { return k.prefix + "advisors" }
func (k keys) advisorBens(id int64) string  { return k.prefix + "advisor:" + i64(id) + ":beneficiaries" }
func (k keys) telegram(userID int64) string { return k.prefix + "tg:" + i64(userID) }
func (k keys) invite(code string) string    { return k.prefix + "invite:" + code }
func (k keys) sent(key string) string       { return k.prefix + "sent:" + key }

func (k keys) pollOffset() string { return k.prefix + "poll:offset" }
func (k keys) pollLock() string   { return k.prefix + "poll:lock" }

const inboxTag = "{inbox}:"

func (k keys) inboxSeenPrefix() string  { return k.prefix + inboxTag + "seen:" }
func (k keys) inboxQueuePrefix() string { return k.prefix + inboxTag + "q:" }
func (k keys) inboxUpdates() string     { return k.prefix + inboxTag + "upd" }
func (k keys) inboxTries() string       { return k.prefix + inboxTag + "tries" }
func (k keys) inboxReady() string       { return k.prefix + inboxTag + "ready" }
func (k keys) inboxLease() string       { return k.prefix + inboxTag + "lease" }
func (k keys) inboxOwner() string       { return k.prefix + inboxTag + "owner" }
func (k keys) inboxParked() string      { return k.prefix + inboxTag + "parked" }

func i64(v int64) string { return strconv.FormatInt(v, 10) }
