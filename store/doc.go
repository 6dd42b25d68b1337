// Package store is the only place that talks to Redis: every command, Lua
// script and key name of Suivi lives here, with the key layout in keys.go.
// It stores domain types and the transport's durable queues (the inbox of
// Telegram updates, the outbox of messages to send, whose dedupe markers are
// also the record of messages sent). It never uses KEYS.
//
// Free text never reaches Redis in clear: the store seals it (seal.go)
// under the key ring it is given (Options.Keys), in records (freeText's
// fields), conversation states and every queue payload, and opens it on
// the way back, so callers see plain values. Rotate re-encrypts everything
// under a new key.
//
// # One node or a Redis Cluster
//
// The store runs on one Redis node or on a Redis Cluster (or Valkey
// cluster): it takes a redis.UniversalClient. On a cluster a script, a
// MULTI/EXEC or a WATCH may only touch keys of one hash slot, and a SCAN
// sees the keys of one node. The rule:
//
//   - every script and transaction touches keys of one hash tag only:
//     {b:<id>} (a beneficiary), {a:<id>} (an advisor), {due:<n>},
//     {inbox:<n>} or {outbox:<n>} (one shard of a queue: shards.go), the
//     slot of suivi:advisors (the hash of every advisor, untagged, and the
//     keys tagged {suivi:advisors} with it: pending.go), or a single key;
//   - an operation that spans tags is a sequence of such steps, each
//     idempotent, ordered so that a crash between two leaves nothing a
//     user sees half done: the record first, what points to it (an index
//     across tags) after; doing the operation again finishes it;
//   - a walk of the keyspace (Mentions, Rotate, erasure, the sandbox's
//     wipe) scans every master, a bounded page at a time;
//   - plain pipelines are not atomic and may span slots (go-redis sends
//     each command to its node): they only batch reads and single-key
//     writes.
//
// Every multi-key operation and its slot:
//
//	operation                      keys                                             slot
//	lanePush, lanePushCapped       seen marker, lane, items, ready, lease,          {inbox:<n>} / {outbox:<n>},
//	                               parked, flood marker                             n: the chat's shard
//	laneRelease, laneExtend,       lane, ready, lease, owner, items, tries,         {inbox:<n>} / {outbox:<n>},
//	laneAck, laneFail, laneDrop,   waits, parked, flood marker                      n: the chat's shard
//	laneForget, lanePark
//	laneAckNext                    lane, items, tries, waits, owner, lease          {inbox:<n>} / {outbox:<n>}
//	laneClaim                      ready, lease, owner; the claimed lane's queue    each shard in turn
//	                               and its first item (items, tries, waits: same
//	                               tag, named by the script from the shard's
//	                               prefix)
//	laneProbe                      ready, lease                                     each shard
//	jobsSync, jobsAdd, jobsDone,   queue, lease, orig, of:<owner>, fails, since,    {due:<n>}, n: the owner's
//	jobsFail, jobsReplace          parked                                           shard
//	jobsClaim                      queue, lease, orig, fails, since                 each shard in turn
//	refScript (Ref)                refs, rrefs                                      {a:<id>}
//	laneMigrate (Migrate)          lane, items, tries, waits, ready, lease, owner,  {inbox:<n>} / {outbox:<n>},
//	                               seen markers                                     n: the chat's shard
//	parkedMigrate (Migrate)        one parked list                                  its key
//	eraseAdvisorTraces (MULTI)     refs, rrefs, held, dialog, beneficiaries         {a:<id>}
//	planCreate (CreatePlan)        plan, profile                                    {b:<id>}
//	advisorCreate (EnsureAdvisor,  advisors, pending advisors, complete marker      suivi:advisors' slot
//	PutAdvisor, CreatePlan's                                                        ({suivi:advisors})
//	advisor)
//	erase records (MULTI)          plan, check-ins, dialog, profile                 {b:<id>}
//	update (WATCH/MULTI)           one record (string or hash field)                its key
//	rateTake, rateCut, rateChat    the bot's rate; one chat's rate (rate.go)        its key
//	inviteClaim, lockAcquire,      one key each                                     its key
//	lockRelease, setMax, useKeys,
//	resetKeys, cas*, putInvite,
//	NewAdvisorInvite, desk session
//
// Operations in steps (one slot each, in this order):
//
//	CreatePlan           advisor record and pending (advisorCreate) → plan +
//	                     profile (planCreate, {b:<id>}) → advisor's list
//	                     ({a:<id>}) → invite;
//	                     created again (same id and advisor, nobody joined,
//	                     not listed) it is finished
//	RedeemInvite         code used up (inviteClaim, the one decision) →
//	                     profile linked ({b:<id>}) → Telegram id → profile;
//	                     the same user opening the code again finishes it
//	RedeemAdvisorInvite  code used up → advisor record and pending
//	                     (advisorCreate)
//	digests at start     (reminders' SyncAdvisors) complete marker read →
//	                     if unset (a deployment from before the pending
//	                     set), every advisor's digest job ({due:<n>}) →
//	                     marker set; then per page of pending advisors:
//	                     each digest job → the page removed from pending.
//	                     A crash leaves advisors pending or the marker
//	                     unset: the next start does it again
//	SyncAdvisor          (reminders) digest job ({due:<n>}) → removed from
//	                     pending
//	NewInvite            new invite → profile naming it (WATCH, {b:<id>});
//	                     a code the profile does not name is refused
//	NewDeskSession       session → advisor's sessions ({a:<id>})
//	HoldNews             outbox's seen marker read (the advisor's shard) →
//	                     held ({a:<id>})
//	ReleaseHeldNews      seen markers set → held fields removed
//	Sender.wait          the chat's token (rate:chat) → the bot's slot
//	                     (rate:bot) → about to go, its count in the ring
//	                     of sends (rate:bot, BotGo): a token or a slot
//	                     taken for a message that then waits only delays
//	                     that chat or wastes one slot
//	CheckSend            the key's outbox marker and the sent marker of a
//	                     version before, the chat's token, the bot's slot
//	                     in one pipeline (four slots, not atomic): a key
//	                     found sent has taken a token and a slot for nothing
//	send, then MarkSent  Telegram accepts → the key's outbox marker records
//	                     it (one SET, the chat's shard) → the outbox's ack;
//	                     a crash between two leaves the item queued, and its
//	                     redelivery finds the marker: not sent again
//	Claim, ClaimHead     the claim script on the shard whose turn it is and
//	                     laneProbe on the others, one pipeline (the probes
//	                     only a hint) → if nothing was claimed, the claim
//	                     script on a shard the probe found ready
//	ClaimJobs            one pipelined probe of every shard (not atomic,
//	                     only a hint) → the claim script, shard by shard
//	Migrate              per key of layout 1: the new key written (RESTORE
//	                     or a merge that overwrites nothing) → the old one
//	                     deleted; a lane: laneMigrate on its shard → the old
//	                     lane's keys (one MULTI on {inbox} / {outbox});
//	                     the layout recorded last (migrate.go)
//	EraseBeneficiary     invites, queues, advisors' traces, markers →
//	                     records (one MULTI on {b:<id>}) → Telegram link →
//	                     jobs; the profile is marked first, a job or the
//	                     person's next message runs it again (erase.go)
package store
