// Package reminders decides when things are due: step reminders, overdue
// nudges, check-ins, the end of a pause. It keeps one job per series in a
// Redis due-queue (store's jobs: a sorted set by due time, an atomic claim
// of a small batch under a lease, recovery of expired leases) and uses
// robfig/cron only to compute next times, on the local wall clock (see
// occurrences.go), so DST neither skips nor doubles a firing.
//
// Why not asynq, as the guide suggests weighing: asynq stores one task per
// occurrence (a hash of ~0.5 KB plus sorted-set entries) and deduplicates
// by TaskID only while a task is retained. Suivi needs "only the latest
// missed occurrence per step and kind after downtime", which a per-series
// job gives by construction: when it fires it looks at the occurrences that
// passed and sends the latest one. One member per series costs ~140 bytes
// of Redis per job (see BENCHMARKS.md) and a beneficiary has a handful.
//
// Each occurrence has a deterministic key (plan, step, kind, local
// date-time) under which the message is queued in the outbox: the outbox
// queues a key once, so an occurrence is sent at most once across restarts
// and replicas. What is said is not decided here: a Notifier (the dialogs)
// builds the messages.
package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"suivi/domain"
	"suivi/store"
)

// Kind names a series of occurrences.
type Kind string

// Kinds of jobs.
const (
	KindReminder Kind = "reminder" // before a step's due date
	KindNudge    Kind = "nudge"    // after a step's due date, at most three
	KindCheckin  Kind = "checkin"  // the self-evaluation
	KindResume   Kind = "resume"   // the end of a pause
)

var kindCode = map[Kind]string{KindReminder: "r", KindNudge: "o", KindCheckin: "c", KindResume: "p"}

// Due is one occurrence handed to the Notifier.
type Due struct {
	Kind Kind
	Ben  *domain.Beneficiary
	Plan *domain.Plan
	// Step is set for reminders and nudges.
	Step *domain.Step
	Occ  Occurrence
	// Late is true when the occurrence is sent well after its time (after
	// downtime); older missed occurrences of the same series were dropped.
	Late bool
	// Key is the occurrence's deterministic id: queue its message under it.
	Key string
	// Index is the rank of a nudge (1..3) or of a reminder among the step's.
	Index int
}

// Notifier says what is due. An error leaves the job to be tried again.
type Notifier interface {
	Notify(ctx context.Context, d Due) error
}

// Scheduler keeps the due-queue of every beneficiary and fires its jobs.
type Scheduler struct {
	store  *store.Store
	notify Notifier
	now    func() time.Time
	log    *slog.Logger
	zone   *time.Location
	at     Clock
	wake   chan struct{}
}

// Options tune a Scheduler.
type Options struct {
	// Zone is used for beneficiaries without a valid zone (default UTC).
	Zone *time.Location
	// At is the local time of day of reminders for steps without a due time
	// (default 10:00).
	At Clock
}

// DefaultCheckin is the check-in spec of a plan that names none.
const DefaultCheckin = "0 10 * * MON"

// lease bounds how long a claimed job stays with a worker that died.
const lease = 2 * time.Minute

// lateAfter: an occurrence sent more than this after its time is "late".
const lateAfter = 30 * time.Minute

// syncGrace: a Sync does not drop an occurrence this recent that the
// workers have not fired yet (the outbox key keeps it from doubling).
const syncGrace = 5 * time.Minute

// New returns a Scheduler.
func New(st *store.Store, n Notifier, now func() time.Time, log *slog.Logger, o Options) *Scheduler {
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	if o.At == (Clock{}) {
		o.At = Clock{Hour: 10}
	}
	return &Scheduler{store: st, notify: n, now: now, log: log, zone: o.Zone, at: o.At, wake: make(chan struct{}, 1)}
}

func member(k Kind, benID string, step int) string {
	if step > 0 {
		return kindCode[k] + "|" + benID + "|" + strconv.Itoa(step)
	}
	return kindCode[k] + "|" + benID
}

func parseMember(m string) (k Kind, benID string, step int, err error) {
	parts := strings.Split(m, "|")
	for kk, c := range kindCode {
		if parts[0] == c {
			k = kk
		}
	}
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

func (s *Scheduler) load(ctx context.Context, benID string) (*series, error) {
	ben, err := s.store.Beneficiary(ctx, benID)
	if err != nil {
		return nil, err
	}
	plan, err := s.store.Plan(ctx, benID)
	if err != nil {
		return nil, err
	}
	qs, qe := ben.QuietWindow()
	return &series{ben: ben, plan: plan, loc: ben.Location(s.zone), quiet: Quiet{Start: qs, End: qe}}, nil
}

// deliver is when an occurrence may be sent: its time, or the end of the
// beneficiary's quiet hours.
func (sr *series) deliver(o Occurrence) time.Time { return sr.quiet.Defer(o.At, sr.loc) }

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

func (sr *series) stepOccurrences(k Kind, st *domain.Step, at Clock) []Occurrence {
	if k == KindNudge {
		return OverdueNudges(st, sr.loc, at)
	}
	return StepReminders(st, sr.loc, at)
}

// Sync recomputes every job of a beneficiary from their plan and state.
// Call it after anything that changes when they should hear from Suivi.
func (s *Scheduler) Sync(ctx context.Context, benID string) error {
	sr, err := s.load(ctx, benID)
	if err != nil {
		return fmt.Errorf("sync %s: %w", benID, err)
	}
	from := s.now().Add(-syncGrace)
	jobs := map[string]time.Time{}
	switch {
	case sr.ben.State == domain.StatePaused && !sr.ben.PausedUntil.IsZero():
		jobs[member(KindResume, benID, 0)] = sr.ben.PausedUntil
	case sr.ben.Followed():
		for i := range sr.plan.Steps {
			st := &sr.plan.Steps[i]
			if !st.Status.Open() {
				continue
			}
			for _, k := range []Kind{KindReminder, KindNudge} {
				for _, o := range sr.stepOccurrences(k, st, s.at) {
					if at := sr.deliver(o); at.After(from) {
						jobs[member(k, benID, st.ID)] = at
						break
					}
				}
			}
		}
		if sched, err := CheckinSchedule(sr.ben, sr.plan, sr.loc); err != nil {
			s.log.Error("check-in schedule", "beneficiary", benID, "err", err)
		} else if o, ok := s.nextDelivery(sr, sched, from); ok {
			jobs[member(KindCheckin, benID, 0)] = sr.deliver(o)
		}
	}
	if err := s.store.SyncJobs(ctx, benID, jobs); err != nil {
		return err
	}
	s.Wake()
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

// Wake makes Run look at the queue now.
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run fires due jobs until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for ctx.Err() == nil {
		n, err := s.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("reminders", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-t.C:
		}
	}
}

// batch is how many jobs one claim takes.
const batch = 50

// RunOnce claims the jobs due now and fires them. It returns how many.
func (s *Scheduler) RunOnce(ctx context.Context) (int, error) {
	now := s.now()
	jobs, err := s.store.ClaimJobs(ctx, now, now.Add(lease), batch)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, j := range jobs {
		if err := s.fire(ctx, j, now); err != nil {
			// The job stays leased; it is claimed again when the lease lapses.
			s.log.Warn("job failed, will retry", "job", j.Member, "err", err)
			errs = append(errs, err)
		}
	}
	return len(jobs), errors.Join(errs...)
}

func (s *Scheduler) fire(ctx context.Context, j store.Job, now time.Time) error {
	k, benID, stepID, err := parseMember(j.Member)
	if err != nil {
		s.log.Error("dropping malformed job", "job", j.Member)
		return s.store.FinishJob(ctx, "", j.Member, time.Time{})
	}
	sr, err := s.load(ctx, benID)
	if errors.Is(err, store.ErrNotFound) {
		return s.store.FinishJob(ctx, benID, j.Member, time.Time{})
	}
	if err != nil {
		return err
	}
	finish := func(next time.Time) error { return s.store.FinishJob(ctx, benID, j.Member, next) }
	if k == KindResume {
		if sr.ben.State != domain.StatePaused || sr.ben.PausedUntil.After(now) {
			return finish(time.Time{})
		}
		if err := s.notify.Notify(ctx, Due{Kind: k, Ben: sr.ben, Plan: sr.plan, Key: fmt.Sprintf("%s:resume:%d", benID, sr.ben.PausedUntil.Unix())}); err != nil {
			return err
		}
		return finish(time.Time{})
	}
	if !sr.ben.Followed() {
		return finish(time.Time{})
	}
	var occs []Occurrence
	var step *domain.Step
	switch k {
	case KindReminder, KindNudge:
		if step = sr.plan.Step(stepID); step == nil || !step.Status.Open() {
			return finish(time.Time{})
		}
		occs = sr.stepOccurrences(k, step, s.at)
	case KindCheckin:
		sched, err := CheckinSchedule(sr.ben, sr.plan, sr.loc)
		if err != nil {
			s.log.Error("check-in schedule", "beneficiary", benID, "err", err)
			return finish(time.Time{})
		}
		occs = s.window(sr, sched, j.Due, now)
	}
	// The latest occurrence that fell due since the job's time is sent; the
	// older ones it passed over (downtime) are dropped.
	var latest *Occurrence
	index := 0
	var next time.Time
	for i := range occs {
		at := sr.deliver(occs[i])
		if at.After(now) {
			next = at
			break
		}
		if !at.Before(j.Due.Add(-time.Second)) {
			latest, index = &occs[i], i+1
		}
	}
	if latest != nil {
		d := Due{
			Kind: k, Ben: sr.ben, Plan: sr.plan, Step: step, Occ: *latest, Index: index,
			Late: now.Sub(sr.deliver(*latest)) > lateAfter,
			Key:  Key(k, benID, stepID, *latest),
		}
		if err := s.notify.Notify(ctx, d); err != nil {
			return err
		}
		s.log.Info("due", "job", j.Member, "occurrence", latest.ID(), "late", d.Late)
	}
	return finish(next)
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
