// Package reminders decides when things are due: step reminders, overdue
// nudges, check-ins, the end of a pause. It keeps ONE job per beneficiary
// in a Redis due-queue (store's jobs: a sorted set by due time, an atomic
// claim of a small batch under a lease, recovery of expired leases), due at
// the earliest of their series, and uses robfig/cron only to compute next
// times, on the local wall clock (see occurrences.go), so DST neither skips
// nor doubles a firing.
//
// One job per beneficiary, not one per series: a 5-step plan has 17
// series (three per step, the check-ins, the briefs), and their 17 jobs
// were 2,959 of a beneficiary's 7,356 Redis bytes at rest (1M
// beneficiaries; issue 9's target is 4 KiB); one job costs 310 bytes, and
// with the plan's texts sealed together a beneficiary 3,396 (BENCHMARKS.md,
// run of 2026-12-03). The series are
// computed, not stored: firing a job reads the records (which it did
// anyway, to check the step is still open), computes each series' first
// time since the job's time (seriesTimes), fires those that have come, and
// sets the job at the earliest next one. Planned shows the series' times.
// Series jobs of the earlier layout ("r|<id>|<step>", ...) fire the same
// way and give way to the one job (store.ReplaceJobs); a Sync does the
// same. Advisors keep their jobs: a digest and a release of held news.
// The price: a firing that fails (an event not pushed) fails the person's
// one job, retried from its first time (what went is not queued twice) and
// parked after five failures, for all their series at once; check-ins that
// cannot be read hold back only the series that need them (the others
// fire, on time: the job is retried no later than its next series, and
// never parked for that).
//
// Why not asynq, as the guide suggests weighing: asynq stores one task per
// occurrence (a hash of ~0.5 KB plus sorted-set entries) and deduplicates
// by TaskID only while a task is retained. Suivi needs "only the latest
// missed occurrence per step and kind after downtime", which a job that
// looks at the occurrences that passed gives by construction: it sends
// the latest one of each series. Measured (BENCHMARKS.md): 189 bytes of
// Redis per job, claims at ~130k jobs/s from a 1M-job queue, and the bot's
// own heap flat at ~3 MiB whether it follows 1,000 or 100,000 people.
//
// Each occurrence has a deterministic key (plan, step, kind, local
// date-time) under which the message is queued in the outbox: the outbox
// queues a key once, so an occurrence is sent at most once across restarts
// and replicas. What is said is not decided here: the scheduler pushes each
// occurrence as an event into the lane of the one it is about (their inbox
// lane: see store.Event), where the dialogs build the messages on fresh
// data, one change at a time with everything else that happens to that
// person.
//
// Firing (fire.go) takes a claimed batch (50 jobs) in a fixed number of
// round trips, whatever its size: one pipelined probe and a claim per shard
// due, one pipelined read of the owners' records, one pipelined push of the
// occurrences, one pipelined finish. Measured with the scheduler alone
// (2000 due reminders, 16 shards, real redis-server): 3.05 Redis round trips
// per fired reminder before (a read, a push and a finish each), 0.11 after;
// in the whole replica's fan-out (suivi-bench -throughput) 26.9 round trips
// per reminder became 24.2, the rest being the lanes and the sender.
// Between batches, an idle Run sleeps until the earliest job or lease
// expiry the claim's probe saw, at most 5 s (for jobs other processes
// write); this process's Sync, AddJob and SyncAdvisor wake it at once when
// they schedule something earlier. The scheduler's idle load went from 32
// Redis commands/s (every shard probed every second) to 6.4.
//
// At start-up (SyncAdvisors) the scheduler looks at the advisors created
// since the last start, not at all of them: the store adds every new
// advisor to a set of advisors pending a digest job in the same step as
// the record, SyncAdvisor takes them out, and the start drains what is
// left. A deployment from before the set gets one full pass, once.
package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"suivi/domain"
	"suivi/internal/metrics"
	"suivi/store"
)

// Kind names a series of occurrences.
type Kind string

// Kinds of jobs. Each has a one-letter code in job members.
const (
	KindReminder  Kind = "reminder"  // r: before a step's due date
	KindNudge     Kind = "nudge"     // o: after a step's due date, at most three
	KindCheckin   Kind = "checkin"   // c: the self-evaluation
	KindResume    Kind = "resume"    // p: the end of a pause
	KindOverdue   Kind = "overdue"   // v: tell the advisor a step is overdue by more than 7 days
	KindBrief     Kind = "brief"     // m: the day before a follow-up meeting, brief the advisor
	KindAftercare Kind = "aftercare" // f: after the end, monthly check-ins then a last one at 6 months
	KindRetention Kind = "retention" // x: the end of the retention period: delete the data
	KindDigest    Kind = "digest"    // d: an advisor's weekly digest
	KindRelease   Kind = "release"   // w: the start of an advisor's working hours: the news held come
	KindGrace     Kind = "grace"     // g: a check-in left unfinished: what was answered goes to the advisor
	// KindBeneficiary is no series but the one job of a beneficiary, due
	// at the earliest of their series (b).
	KindBeneficiary Kind = "beneficiary"
)

func kindCode(k Kind) string {
	switch k {
	case KindReminder:
		return "r"
	case KindNudge:
		return "o"
	case KindCheckin:
		return "c"
	case KindResume:
		return "p"
	case KindOverdue:
		return "v"
	case KindBrief:
		return "m"
	case KindAftercare:
		return "f"
	case KindRetention:
		return "x"
	case KindDigest:
		return "d"
	case KindRelease:
		return "w"
	case KindGrace:
		return "g"
	case KindBeneficiary:
		return "b"
	}
	return ""
}

func kindOf(code string) Kind {
	for _, k := range []Kind{KindReminder, KindNudge, KindCheckin, KindResume, KindOverdue, KindBrief, KindAftercare, KindRetention, KindDigest, KindRelease, KindGrace, KindBeneficiary} {
		if kindCode(k) == code {
			return k
		}
	}
	return ""
}

// forAdvisor reports whether a kind's messages go to the advisor (no quiet
// hours of the beneficiary).
func forAdvisor(k Kind) bool {
	return k == KindOverdue || k == KindBrief || k == KindDigest || k == KindRelease || k == KindGrace
}

// Due is one occurrence, as the lane's handler rebuilds it from its event.
type Due struct {
	Kind Kind
	// Ben and Plan are set for every kind but the digest.
	Ben  *domain.Beneficiary
	Plan *domain.Plan
	// Advisor is set for the digest.
	Advisor *domain.Advisor
	// Step is set for reminders and nudges.
	Step *domain.Step
	Occ  Occurrence
	// Late is true when the occurrence is sent well after its time (after
	// downtime); older missed occurrences of the same series were dropped.
	Late bool
	// Key is the occurrence's deterministic id: queue its message under it.
	Key string
	// Index is the rank of the occurrence in its series: a nudge (1..3), a
	// meeting (1..), an after-care check-in (1..6).
	Index int
	// Last is true for the last occurrence of a finite series.
	Last bool
	// Week is the check-in an unfinished check-in's grace is about.
	Week domain.Week
}

// Events takes what is due into the lane of the one it is about (see
// store.Event): the beneficiary's, or for a digest the advisor's. The lane's
// handler (the dialogs) says it, on fresh data, one change at a time with
// everything else that happens to that person. A job is finished only
// once its event is pushed; pushed again after a crash, the event's id (the
// occurrence key) keeps it from being handled twice.
type Events interface {
	Push(ctx context.Context, ev store.Event) (bool, error)
}

// EventDue is the kind of the events the scheduler pushes; their Data is a
// DueData.
const EventDue = "due"

// DueData is a Due as its event carries it: ids, not records.
type DueData struct {
	Kind    Kind        `json:"kind"`
	Ben     string      `json:"ben,omitempty"`
	Advisor int64       `json:"advisor,omitempty"`
	Step    int         `json:"step,omitempty"`
	Occ     *Occurrence `json:"occ,omitempty"` // none for the end of a pause
	Late    bool        `json:"late,omitempty"`
	Key     string      `json:"key"`
	Index   int         `json:"index,omitempty"`
	Last    bool        `json:"last,omitempty"`
	Week    domain.Week `json:"week,omitempty"`
}

// Data returns what d's event carries.
func (d Due) Data() DueData {
	dd := DueData{Kind: d.Kind, Late: d.Late, Key: d.Key, Index: d.Index, Last: d.Last, Week: d.Week}
	if !d.Occ.At.IsZero() {
		dd.Occ = &d.Occ
	}
	if d.Ben != nil {
		dd.Ben = d.Ben.ID
	}
	if d.Advisor != nil {
		dd.Advisor = d.Advisor.ID
	}
	if d.Step != nil {
		dd.Step = d.Step.ID
	}
	return dd
}

// StillDue reports whether a Due rebuilt from its event on fresh records
// still calls for its message: the step may have been done, the person may
// have paused or left since the job fired. The scheduler applies the same
// rules before it pushes.
func StillDue(d Due) bool {
	switch d.Kind {
	case KindDigest, KindRelease:
		return d.Advisor != nil
	case KindResume:
		return d.Ben.State == domain.StatePaused && d.Key == resumeKey(d.Ben)
	case KindGrace:
		// Answers given go to the advisor whatever the person did since
		// (paused, stopped): the lane looks at the check-in itself.
		return d.Ben != nil
	}
	return stillDue(d.Kind, d.Ben, d.Step)
}

// stillDue says whether a beneficiary's series of kind k still runs.
func stillDue(k Kind, b *domain.Beneficiary, step *domain.Step) bool {
	switch k {
	case KindAftercare:
		return !b.Ended.IsZero() && b.State == domain.StateClosed && b.TelegramID != 0
	case KindRetention:
		return !b.Ended.IsZero() || !b.Erasing.IsZero()
	case KindBrief:
		return b.Ended.IsZero()
	case KindReminder, KindNudge, KindOverdue:
		return b.Followed() && step != nil && step.Status.Open()
	case KindCheckin:
		return b.Followed()
	}
	return false
}

func resumeKey(b *domain.Beneficiary) string {
	return fmt.Sprintf("%s:resume:%d", b.ID, b.PausedUntil.Unix())
}

// Scheduler keeps the due-queue of every beneficiary and fires its jobs.
type Scheduler struct {
	store     *store.Store
	events    Events
	now       func() time.Time
	log       *slog.Logger
	zone      *time.Location
	at        Clock
	retention int
	grace     time.Duration
	metrics   *metrics.Metrics
	lease     time.Duration
	parallel  int
	zones     zoneCache
	wake      chan struct{}
	// planned is when Run looks at the queue next (unix ns of the
	// process's clock, time.Now), 0 while it is looking.
	planned atomic.Int64
}

// Options tune a Scheduler.
type Options struct {
	// Zone is used for beneficiaries without a valid zone, and for
	// advisors (default UTC).
	Zone *time.Location
	// At is the local time of day of reminders for steps without a due time
	// (default 10:00).
	At Clock
	// RetentionMonths is how long data is kept after the end of an
	// accompaniment (default 24).
	RetentionMonths int
	// CheckinGrace is how long a check-in left unfinished waits for a new
	// answer before what was answered goes to the advisor (default 6h).
	CheckinGrace time.Duration
	// Metrics, when set, counts the firings of jobs: fired, failed, parked.
	Metrics *metrics.Metrics
	// Lease is how long a claimed job stays with its worker: a replica
	// that dies while firing jobs leaves them to the others after it
	// (default DefaultLease; SUIVI_JOB_LEASE). A firing must end well
	// within it.
	Lease time.Duration
	// Parallel is how many beneficiaries' jobs of one claimed batch fire
	// at once (default DefaultParallel); the jobs of one beneficiary fire
	// one after the other, in their order, on one read of their records.
	Parallel int
}

// DefaultParallel: the owners of a batch are decided (their records
// decoded, their occurrences computed) a few at once; with an Events that
// has no PushAll, each also pushes and finishes its own jobs, one round trip
// each, and a few in flight multiply the rate (BENCHMARKS.md, fan-out).
const DefaultParallel = 8

// Fixed rhythms.
const (
	firstCheckinAfter = 12 * time.Hour
	overdueAfterDays  = 8 // "overdue by more than 7 days"
	aftercareMonths   = 6 // monthly check-ins after the end, the last at 6 months
)

// briefAt is when the advisor gets a pre-meeting brief, the day before.
var briefAt = Clock{Hour: 9}

// DefaultCheckin is the check-in spec of a plan that names none.
const DefaultCheckin = "0 10 * * MON"

// DefaultCheckinGrace is how long an unfinished check-in waits for a new
// answer before what was answered goes to the advisor (SUIVI_CHECKIN_GRACE).
const DefaultCheckinGrace = 6 * time.Hour

// DefaultLease bounds how long a claimed job stays with a worker that died
// (SUIVI_JOB_LEASE).
const DefaultLease = 2 * time.Minute

// retryBase is the wait before the first retry of a failed firing.
const retryBase = 2 * time.Minute

// lateAfter: an occurrence sent more than this after its time is "late".
const lateAfter = 30 * time.Minute

// EraseRetry is when an erasure begun (Beneficiary.Erasing) and cut short
// is finished: its retention job fires then.
const EraseRetry = 10 * time.Minute

// syncGrace: a Sync does not drop an occurrence this recent that the
// workers have not fired yet (the outbox key keeps it from doubling).
const syncGrace = 5 * time.Minute

// New returns a Scheduler that pushes what is due through ev.
func New(st *store.Store, ev Events, now func() time.Time, log *slog.Logger, o Options) *Scheduler {
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	if o.At == (Clock{}) {
		o.At = Clock{Hour: 10}
	}
	if o.RetentionMonths <= 0 {
		o.RetentionMonths = 24
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.CheckinGrace <= 0 {
		o.CheckinGrace = DefaultCheckinGrace
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	return &Scheduler{store: st, events: ev, now: now, log: log, zone: o.Zone, at: o.At, retention: o.RetentionMonths,
		grace: o.CheckinGrace, metrics: o.Metrics, lease: o.Lease, parallel: o.Parallel,
		zones: zoneCache{m: map[string]*time.Location{}}, wake: make(chan struct{}, 1)}
}

func member(k Kind, benID string, step int) string {
	if step > 0 {
		return kindCode(k) + "|" + benID + "|" + strconv.Itoa(step)
	}
	return kindCode(k) + "|" + benID
}

// beneficiaryMember is the member of a beneficiary's one job.
func beneficiaryMember(benID string) string { return member(KindBeneficiary, benID, 0) }

// advisorOwner names an advisor as the owner of jobs.
func advisorOwner(id int64) string { return "a" + strconv.FormatInt(id, 10) }

func parseMember(m string) (k Kind, benID string, step int, err error) {
	parts := strings.Split(m, "|")
	k = kindOf(parts[0])
	if k == "" || len(parts) < 2 || len(parts) > 3 {
		return "", "", 0, fmt.Errorf("bad job %q", m)
	}
	if len(parts) == 3 {
		if step, err = strconv.Atoi(parts[2]); err != nil {
			return "", "", 0, fmt.Errorf("bad job %q", m)
		}
	}
	return k, parts[1], step, nil
}

// jobKind names a job member's kind for metrics ("malformed" if it has none).
func jobKind(m string) string {
	if k, _, _, err := parseMember(m); err == nil {
		return string(k)
	}
	return "malformed"
}

// Key returns the deterministic id of an occurrence.
func Key(k Kind, benID string, step int, occ Occurrence) string {
	if step > 0 {
		return fmt.Sprintf("%s:%s:%d:%s", benID, k, step, occ.ID())
	}
	return fmt.Sprintf("%s:%s:%s", benID, k, occ.ID())
}

// series is what the scheduler needs to know of one beneficiary.
type series struct {
	ben   *domain.Beneficiary
	plan  *domain.Plan
	loc   *time.Location
	quiet Quiet
}

// load reads a beneficiary's profile, plan and check-ins in one round trip
// (store.JobRecords); cisErr is the check-ins' own error.
func (s *Scheduler) load(ctx context.Context, benID string) (sr *series, cis []domain.CheckIn, cisErr, err error) {
	recs, _ := s.store.JobRecords(ctx, []store.JobRead{{ID: benID, CheckIns: true}}, nil)
	if recs[0].Err != nil {
		return nil, nil, nil, recs[0].Err
	}
	return s.seriesOf(recs[0].Ben, recs[0].Plan), recs[0].CheckIns, recs[0].CheckInsErr, nil
}

// seriesOf is what the scheduler needs of a beneficiary's records.
func (s *Scheduler) seriesOf(ben *domain.Beneficiary, plan *domain.Plan) *series {
	qs, qe := ben.QuietWindow()
	return &series{ben: ben, plan: plan, loc: s.location(ben), quiet: Quiet{Start: qs, End: qe}}
}

// zoneCache keeps the zones loaded: time.LoadLocation reads and parses the
// zone's file each time (tens of µs and a few KB), for every firing.
type zoneCache struct {
	mu sync.Mutex
	m  map[string]*time.Location
}

// location is ben.Location(s.zone), each zone loaded once.
func (s *Scheduler) location(ben *domain.Beneficiary) *time.Location {
	name := ben.Timezone
	if name == "" {
		return s.zone
	}
	s.zones.mu.Lock()
	loc, ok := s.zones.m[name]
	s.zones.mu.Unlock()
	if ok {
		return loc
	}
	loc = ben.Location(s.zone)
	s.zones.mu.Lock()
	if len(s.zones.m) < 1000 { // IANA has about 600 names
		s.zones.m[name] = loc
	}
	s.zones.mu.Unlock()
	return loc
}

// deliver is when an occurrence may be sent: its time, or the end of the
// beneficiary's quiet hours.
func (sr *series) deliver(o Occurrence) time.Time { return sr.quiet.Defer(o.At, sr.loc) }

// deliverFor is deliver for messages to the beneficiary, the time itself
// for messages to the advisor.
func (sr *series) deliverFor(k Kind, o Occurrence) time.Time {
	if forAdvisor(k) {
		return o.At
	}
	return sr.deliver(o)
}

// CheckinSchedule returns a beneficiary's check-in schedule: their own
// choice, else the plan's, else Monday 10:00 local.
func CheckinSchedule(ben *domain.Beneficiary, plan *domain.Plan, loc *time.Location) (*Schedule, error) {
	spec := ben.CheckinSpec
	if spec == "" && plan != nil {
		spec = plan.Checkin.Schedule
	}
	if spec == "" {
		spec = DefaultCheckin
	}
	anchor := ben.Joined
	if anchor.IsZero() {
		anchor = ben.Created
	}
	return ParseSchedule(spec, loc, anchor)
}

// finite returns the occurrences of a finite series of a beneficiary (all
// kinds but check-ins and pause ends), in order.
func (s *Scheduler) finite(sr *series, k Kind, st *domain.Step) []Occurrence {
	switch k {
	case KindReminder:
		return StepReminders(st, sr.loc, s.at)
	case KindNudge:
		return OverdueNudges(st, sr.loc, s.at)
	case KindOverdue:
		if st.Due.IsZero() {
			return nil
		}
		return []Occurrence{occurrenceAt(st.Due.Date.AddDays(overdueAfterDays).At(sr.loc, s.at.Hour, s.at.Minute), sr.loc)}
	case KindBrief:
		var out []Occurrence
		for _, m := range sr.plan.Meetings {
			meeting := m.In(sr.loc, s.at.Hour)
			brief := occurrenceAt(m.Date.AddDays(-1).At(sr.loc, briefAt.Hour, briefAt.Minute), sr.loc)
			if brief.At.Before(meeting) {
				out = append(out, brief)
			}
		}
		return sortOccurrences(out)
	case KindAftercare:
		if sr.ben.Ended.IsZero() {
			return nil
		}
		var out []Occurrence
		for _, d := range AftercareDates(sr.ben.Ended, sr.loc) {
			out = append(out, occurrenceAt(d.At(sr.loc, s.at.Hour, s.at.Minute), sr.loc))
		}
		return out
	case KindRetention:
		if !sr.ben.Erasing.IsZero() {
			return []Occurrence{occurrenceAt(sr.ben.Erasing.Add(EraseRetry), sr.loc)}
		}
		if sr.ben.Ended.IsZero() {
			return nil
		}
		return []Occurrence{occurrenceAt(sr.ben.Ended.AddDate(0, s.retention, 0), sr.loc)}
	}
	return nil
}

// AftercareDates are the local dates of the check-ins after the end of an
// accompaniment: one a month, the last at six months (a 31st becomes the
// 28th, so that each falls in its month).
func AftercareDates(ended time.Time, loc *time.Location) []domain.Date {
	end := domain.DateOf(ended.In(loc))
	var out []domain.Date
	for i := 1; i <= aftercareMonths; i++ {
		out = append(out, domain.DateOf(time.Date(end.Year, end.Month+time.Month(i), min(end.Day, 28), 12, 0, 0, 0, time.UTC)))
	}
	return out
}

// firstAfter returns the delivery time of the first occurrence delivered
// after from.
func firstAfter(sr *series, k Kind, occs []Occurrence, from time.Time) (time.Time, bool) {
	for _, o := range occs {
		if at := sr.deliverFor(k, o); at.After(from) {
			return at, true
		}
	}
	return time.Time{}, false
}

// Sync recomputes the job of a beneficiary from their plan and state: one
// job, due at the earliest of their series (seriesTimes). Call it after
// anything that changes when they should hear from Suivi.
func (s *Scheduler) Sync(ctx context.Context, benID string) error {
	sr, cis, cisErr, err := s.load(ctx, benID)
	if err != nil {
		return fmt.Errorf("sync %s: %w", benID, err)
	}
	times, err := s.seriesTimes(sr, cis, cisErr, s.now().Add(-syncGrace), true)
	if err != nil {
		return fmt.Errorf("sync %s: %w", benID, err)
	}
	jobs := map[string]time.Time{}
	if at, ok := earliest(times); ok {
		jobs[beneficiaryMember(benID)] = at
	}
	if err := s.store.SyncJobs(ctx, benID, jobs); err != nil {
		return err
	}
	s.scheduledAll(jobs)
	return nil
}

// Planned returns when each series of a beneficiary fires next, by series
// (the member a series had as a job of its own: "r|<id>|<step>", "c|<id>",
// ...), as their one job stands: empty when they have none. A job being
// fired right now is not looked at.
func (s *Scheduler) Planned(ctx context.Context, benID string) (map[string]time.Time, error) {
	jobs, err := s.store.Jobs(ctx, benID)
	if err != nil {
		return nil, err
	}
	due, ok := jobs[beneficiaryMember(benID)]
	if !ok {
		return map[string]time.Time{}, nil
	}
	sr, cis, cisErr, err := s.load(ctx, benID)
	if err != nil {
		return nil, fmt.Errorf("planned %s: %w", benID, err)
	}
	return s.seriesTimes(sr, cis, cisErr, due.Add(-time.Second), false)
}

// earliest is the first of times.
func earliest(times map[string]time.Time) (time.Time, bool) {
	var first time.Time
	for _, at := range times {
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	return first, !first.IsZero()
}

// seriesTimes says when each series of a beneficiary is delivered next
// after from, by series member: the reminders, nudges and overdue alert of
// each open step, the check-in, the brief before a meeting, the end of a
// pause, the grace of an unfinished check-in, after-care and retention.
// keepPast keeps the series that have one time only (the end of a pause, a
// grace, an erasure cut short) even when that time is before from: a Sync
// schedules them however late. When the check-ins could not be read
// (cisErr), the times of the series that need none are returned with it.
func (s *Scheduler) seriesTimes(sr *series, cis []domain.CheckIn, cisErr error, from time.Time, keepPast bool) (map[string]time.Time, error) {
	benID := sr.ben.ID
	times := map[string]time.Time{}
	fixed := func(m string, at time.Time) {
		if keepPast || at.After(from) {
			times[m] = at
		}
	}
	if !sr.ben.Erasing.IsZero() {
		// Being erased: nothing more for them, but the end of the erasure
		// if it is cut short (delivered as firing delivers it: after
		// quiet hours).
		fixed(member(KindRetention, benID, 0), sr.deliverFor(KindRetention, occurrenceAt(sr.ben.Erasing.Add(EraseRetry), sr.loc)))
		return times, nil
	}
	put := func(k Kind, step *domain.Step) {
		id := 0
		if step != nil {
			id = step.ID
		}
		if at, ok := firstAfter(sr, k, s.finite(sr, k, step), from); ok {
			times[member(k, benID, id)] = at
		}
	}
	if sr.ben.Ended.IsZero() && sr.ben.State != domain.StateInvited {
		// The advisor's briefs before meetings, whatever the beneficiary does.
		put(KindBrief, nil)
	}
	switch {
	case !sr.ben.Ended.IsZero():
		// The accompaniment has ended: after-care check-ins (unless the
		// person stopped all messages), then deletion.
		put(KindRetention, nil)
	case sr.ben.State == domain.StatePaused && !sr.ben.PausedUntil.IsZero():
		fixed(member(KindResume, benID, 0), sr.deliver(occurrenceAt(sr.ben.PausedUntil, sr.loc)))
	case sr.ben.Followed():
		for i := range sr.plan.Steps {
			st := &sr.plan.Steps[i]
			if !st.Status.Open() {
				continue
			}
			for _, k := range []Kind{KindReminder, KindNudge, KindOverdue} {
				put(k, st)
			}
		}
	}
	if cisErr != nil {
		// The series that need no check-in stand; the caller says what
		// becomes of the others.
		return times, cisErr
	}
	// The next check-in (or after-care check-in): the one NextCheckin
	// tells the person about.
	if k, at, ok := s.nextCheckin(sr, cis, from, false); ok {
		times[member(k, benID, 0)] = at
	}
	// A check-in left unfinished: what was answered goes to the advisor
	// once the grace has passed without a new answer, whatever the person
	// does meanwhile (the advisor's working hours apply, not quiet hours).
	if _, at, ok := graceDue(cis, s.grace); ok {
		fixed(member(KindGrace, benID, 0), at)
	}
	return times, nil
}

// NextCheckin returns when the beneficiary will next be asked to take
// stock, delivered: the time of the check-in job Sync keeps, computed the
// same way (quiet hours, the delay before a first check-in, a week already
// answered with /progres skipped, after-care only once the accompaniment
// has ended; during a dated pause, the first one after it). ok is false
// when none is to come (stopped, paused until further notice, after-care
// over).
//
// change, when set, is applied to the beneficiary's record first (not
// saved): when would it be with these settings?
func (s *Scheduler) NextCheckin(ctx context.Context, benID string, change func(*domain.Beneficiary)) (at time.Time, ok bool, err error) {
	sr, cis, cisErr, err := s.load(ctx, benID)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next check-in of %s: %w", benID, err)
	}
	if change != nil {
		change(sr.ben)
		sr.loc = s.location(sr.ben)
		qs, qe := sr.ben.QuietWindow()
		sr.quiet = Quiet{Start: qs, End: qe}
	}
	if cisErr != nil {
		return time.Time{}, false, fmt.Errorf("next check-in of %s: %w", benID, cisErr)
	}
	_, at, ok = s.nextCheckin(sr, cis, s.now(), true)
	return at, ok, nil
}

// nextCheckin returns the kind (check-in or after-care) and delivery time
// of the first check-in delivered after from that will be asked: one in a
// week whose check-in is already over (answered, with /progres say) asks
// nothing, and is passed over. afterPause: for a dated pause, the first
// after its end (Sync schedules the end of the pause instead).
func (s *Scheduler) nextCheckin(sr *series, cis []domain.CheckIn, from time.Time, afterPause bool) (Kind, time.Time, bool) {
	over := map[domain.Week]bool{}
	for i := range cis {
		if !cis[i].Open() {
			over[cis[i].Week] = true
		}
	}
	asks := func(o Occurrence) bool { return !over[domain.WeekOf(o.At.In(sr.loc))] }
	b := sr.ben
	switch {
	case !b.Erasing.IsZero():
		return "", time.Time{}, false
	case !b.Ended.IsZero():
		if !stillDue(KindAftercare, b, nil) {
			return "", time.Time{}, false
		}
		for _, o := range s.finite(sr, KindAftercare, nil) {
			if at := sr.deliver(o); at.After(from) && asks(o) {
				return KindAftercare, at, true
			}
		}
		return "", time.Time{}, false
	case b.State == domain.StatePaused && afterPause && !b.PausedUntil.IsZero() && b.TelegramID != 0:
		if end := sr.deliver(occurrenceAt(b.PausedUntil, sr.loc)); end.After(from) {
			from = end
		}
	case !b.Followed():
		return "", time.Time{}, false
	}
	// The first check-in comes some hours after joining, not in the middle
	// of the welcome.
	if first := b.Joined.Add(firstCheckinAfter); first.After(from) {
		from = first
	}
	sched, err := CheckinSchedule(b, sr.plan, sr.loc)
	if err != nil {
		s.log.Error("check-in schedule", "beneficiary", b.ID, "err", err)
		return "", time.Time{}, false
	}
	for range 1000 {
		o, ok := s.nextDelivery(sr, sched, from)
		if !ok {
			return "", time.Time{}, false
		}
		if asks(o) {
			return KindCheckin, sr.deliver(o), true
		}
		from = sr.deliver(o)
	}
	return "", time.Time{}, false
}

// EnsureAdvisor schedules an advisor's digest if it is not scheduled (an
// advisor created by a plan import in another process, when their first
// beneficiary joins; the advisors pending at start, SyncAdvisors). When it
// schedules, SyncAdvisor takes the advisor out of the pending set; one
// found scheduled is left to the caller (SyncAdvisors removes its page at
// once), so that a join costs no more round trip.
func (s *Scheduler) EnsureAdvisor(ctx context.Context, id int64) error {
	jobs, err := s.store.Jobs(ctx, advisorOwner(id))
	if _, ok := jobs[member(KindDigest, advisorOwner(id), 0)]; err != nil || ok {
		return err
	}
	if err := s.SyncAdvisor(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// nextDelivery returns the first check-in occurrence delivered after from.
func (s *Scheduler) nextDelivery(sr *series, sched *Schedule, from time.Time) (Occurrence, bool) {
	t := from.Add(-48 * time.Hour) // an occurrence deferred by quiet hours may lie before from
	for range 1000 {
		o, ok := sched.Next(t)
		if !ok {
			return Occurrence{}, false
		}
		if sr.deliver(o).After(from) {
			return o, true
		}
		t = o.At
	}
	return Occurrence{}, false
}

// graceDue returns the oldest check-in whose answers wait to go to the
// advisor in part, and when they go.
func graceDue(cis []domain.CheckIn, grace time.Duration) (*domain.CheckIn, time.Time, bool) {
	for i := range cis {
		if at, ok := cis[i].PartDue(grace); ok {
			return &cis[i], at, true
		}
	}
	return nil, time.Time{}, false
}

// graceKey is the id of one grace: the check-in's week and the time of the
// answer it follows, so that a grace is handled once.
func graceKey(benID string, c *domain.CheckIn) string {
	return fmt.Sprintf("%s:grace:%s:%d", benID, c.Week, c.LastAnswer.Unix())
}

// pick chooses, among occurrences in order, the latest delivered between
// the job's time and now (the older ones it passed over after downtime are
// dropped), its 1-based rank, and the delivery time of the next one.
func pick(occs []Occurrence, deliver func(Occurrence) time.Time, due, now time.Time) (latest *Occurrence, index int, next time.Time) {
	for i := range occs {
		at := deliver(occs[i])
		if at.After(now) {
			return latest, index, at
		}
		if !at.Before(due.Add(-time.Second)) {
			latest, index = &occs[i], i+1
		}
	}
	return latest, index, time.Time{}
}

// HoldRelease schedules the release of the news held for an advisor at at
// (the start of their next working period); an earlier one stands.
func (s *Scheduler) HoldRelease(ctx context.Context, advisorID int64, at time.Time) error {
	if err := s.store.AddJob(ctx, advisorOwner(advisorID), member(KindRelease, advisorOwner(advisorID), 0), at); err != nil {
		return err
	}
	s.scheduled(at)
	return nil
}

// SyncAdvisor schedules an advisor's weekly digest (a release of held news
// stays as it is) and takes them out of the advisors pending a digest job
// (SyncAdvisors).
func (s *Scheduler) SyncAdvisor(ctx context.Context, advisorID int64) error {
	a, err := s.store.Advisor(ctx, advisorID)
	if err != nil {
		return err
	}
	jobs, err := s.store.Jobs(ctx, advisorOwner(a.ID))
	if err != nil {
		return err
	}
	for m := range jobs {
		if k, _, _, err := parseMember(m); err != nil || k != KindRelease {
			delete(jobs, m)
		}
	}
	if sched, err := digestSchedule(a, s.zone); err != nil {
		s.log.Error("digest schedule", "advisor", a.ID, "err", err)
	} else if o, ok := sched.Next(s.now().Add(-syncGrace)); ok {
		jobs[member(KindDigest, advisorOwner(a.ID), 0)] = o.At
	}
	if err := s.store.SyncJobs(ctx, advisorOwner(a.ID), jobs); err != nil {
		return err
	}
	s.scheduledAll(jobs)
	// Scheduled: no longer pending (after the job, so that a crash between
	// leaves the advisor to the next start's drain).
	return s.store.AdvisorsScheduled(ctx, a.ID)
}

// AdvisorsSynced is what SyncAdvisors did.
type AdvisorsSynced struct {
	// Looked is how many advisors' digests it looked at: the advisors
	// pending a digest job, plus every advisor in the full pass.
	Looked int
	// Full: the one full pass of a deployment from before the pending set
	// ran (store's pending.go).
	Full bool
}

// SyncAdvisors schedules, at start-up, the digest of the advisors created
// without one since the last start (by a plan import or `suivi advisor
// add` while the bot was down, the admins of the configuration, a
// redemption cut short): the store keeps them in a pending set, written
// with the advisor, and this drains it a page at a time, each digest
// scheduled before its advisor leaves the set (a crash leaves them
// pending; doing it again is harmless). Its work grows with the advisors
// created since the last start, not with all of them: with 20,000
// advisors, reading and looking at every one was most of a replica's
// start-up (0.8 s at 1M beneficiaries; 0.07 s with the pending set,
// BENCHMARKS.md, run of 2026-12-03).
//
// A deployment upgraded from a version without the pending set has
// advisors that are in no set: the first start looks at every advisor
// once (many at once), then records it (the store's complete marker) so
// that later starts skip it.
func (s *Scheduler) SyncAdvisors(ctx context.Context) (AdvisorsSynced, error) {
	var out AdvisorsSynced
	complete, err := s.store.AdvisorsComplete(ctx)
	if err != nil {
		return out, err
	}
	if !complete {
		advs, err := s.store.Advisors(ctx)
		if err != nil {
			return out, err
		}
		ids := make([]int64, len(advs))
		for i := range advs {
			ids[i] = advs[i].ID
		}
		out.Full, out.Looked = true, len(ids)
		if err := s.ensureAdvisors(ctx, ids); err != nil {
			return out, err
		}
		if err := s.store.MarkAdvisorsComplete(ctx); err != nil {
			return out, err
		}
	}
	var cursor uint64
	for {
		ids, next, err := s.store.PendingAdvisors(ctx, cursor, pendingPage)
		if err != nil {
			return out, err
		}
		out.Looked += len(ids)
		if err := s.ensureAdvisors(ctx, ids); err != nil {
			return out, err
		}
		if err := s.store.AdvisorsScheduled(ctx, ids...); err != nil {
			return out, err
		}
		if cursor = next; cursor == 0 {
			return out, nil
		}
	}
}

// pendingPage is how many pending advisors SyncAdvisors reads at once.
const pendingPage = 1000

// ensureAdvisors runs EnsureAdvisor for each of ids, many at once.
func (s *Scheduler) ensureAdvisors(ctx context.Context, ids []int64) error {
	var (
		next atomic.Int64
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for range min(syncAdvisorsParallel, len(ids)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) || ctx.Err() != nil {
					return
				}
				if err := s.EnsureAdvisor(ctx, ids[i]); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}

// syncAdvisorsParallel is how many advisors SyncAdvisors looks at at once.
const syncAdvisorsParallel = 32

func digestSchedule(a *domain.Advisor, zone *time.Location) (*Schedule, error) {
	spec := a.DigestSpec
	if spec == "" {
		spec = domain.DefaultDigest
	}
	return ParseSchedule(spec, zone, a.Created)
}

// window lists the check-in occurrences delivered from due up to the first
// one after now.
func (s *Scheduler) window(sr *series, sched *Schedule, due, now time.Time) []Occurrence {
	var out []Occurrence
	t := due.Add(-48 * time.Hour)
	for range 2000 {
		o, ok := sched.Next(t)
		if !ok {
			break
		}
		t = o.At
		if sr.deliver(o).Before(due.Add(-time.Second)) {
			continue
		}
		out = append(out, o)
		if sr.deliver(o).After(now) {
			break
		}
		if len(out) > 200 {
			out = out[len(out)-1:] // a long outage: only the latest matters
		}
	}
	return out
}
