package reminders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"suivi/domain"
	"suivi/internal/metrics"
	"suivi/store"
)

// Firing a claimed batch, in a fixed number of round trips whatever its
// size (Redis round trips were most of the cost of a firing: a read of the
// records, a push and a finish per job, ~3 of them per reminder, at 343
// msgs/s end to end, BENCHMARKS.md):
//
//  1. claim (store.ClaimDue: one pipelined probe of every shard, one script
//     call per shard due);
//  2. read the records of every owner of the batch in one pipeline
//     (store.JobRecords: profile and plan, check-ins for the kinds that
//     need them, advisors for digests);
//  3. decide each job (in parallel across owners, Options.Parallel; one
//     owner's jobs in their order, on that one read);
//  4. push the batch's occurrences in one pipeline (BatchEvents; with an
//     Events that has no PushAll, one push at a time per owner, owners in
//     parallel, as before);
//  5. finish the jobs whose occurrence is pushed in one pipeline
//     (store.FinishJobs). A job whose firing failed is failed (FailJob) on
//     its own: it is rare.
//
// Every guarantee stays as it was: a job is finished only once its event is
// pushed (a crash in between leaves it leased, claimed again after its
// lease, and its event's id, the occurrence key, keeps it from being
// queued twice); a job rescheduled or removed by a Sync meanwhile keeps
// what the Sync said (the finish script is the same).
//
// Idle, Run sleeps until the earliest firing or lease expiry the claim's
// probe saw, capped at idleCap for the jobs other processes write (a
// replica's own Sync, AddJob and SyncAdvisor wake it at once when they
// schedule something earlier than its planned look). Before, it probed
// every shard every second: 32 commands/s with 16 shards; now 32 commands
// every idleCap (3.2/s; 6.4/s with a 5 s cap, which with the lanes' looks
// left an idle replica at 28 commands/s, over issue 9's 20), fewer when a
// job is due sooner than that and then fired.

// BatchEvents is Events that pushes a batch in one round trip. When the
// scheduler's Events has PushAll, a claimed batch's occurrences are pushed
// with it, in order (the occurrences of one lane are pushed in the order
// they fired); it returns, for each, whether it is new and its error.
type BatchEvents interface {
	PushAll(ctx context.Context, evs []store.Event) ([]bool, []error)
}

// idleCap bounds how long an idle Run waits before it looks at the queue
// again: for jobs written by other processes (another replica, an import)
// that do not wake it.
const idleCap = 10 * time.Second

// minWait is the shortest wait of an idle Run: a job seen due that another
// replica claimed first is not looked at in a tight loop.
const minWait = 10 * time.Millisecond

// errorWait is the wait after a failed claim.
const errorWait = time.Second

// Wake makes Run look at the queue now.
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// scheduled wakes Run if this process scheduled a job at at, before Run's
// next planned look (or while it is looking: it looks once more).
func (s *Scheduler) scheduled(at time.Time) {
	if at.IsZero() {
		return
	}
	// When that is on the process's own clock (the scheduler's may be
	// another, moved by tests and the sandbox).
	when := time.Now().Add(at.Sub(s.now())).UnixNano()
	if p := s.planned.Load(); p == 0 || when < p {
		s.Wake()
	}
}

// scheduledAll is scheduled for the earliest of jobs.
func (s *Scheduler) scheduledAll(jobs map[string]time.Time) {
	first, _ := earliest(jobs)
	s.scheduled(first)
}

// Run fires due jobs until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for ctx.Err() == nil {
		s.planned.Store(0) // looking: whatever is scheduled now wakes it again
		n, next, err := s.runOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("reminders", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		now := s.now()
		wait := idleCap
		switch {
		case err != nil:
			wait = errorWait
		case !next.IsZero():
			wait = min(wait, max(next.Sub(now), minWait))
		}
		s.planned.Store(time.Now().Add(wait).UnixNano())
		t.Reset(wait)
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-t.C:
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
	}
}

// batch is how many jobs one claim takes.
const batch = 50

// RunOnce claims the jobs due now and fires them. It returns how many
// series fired (an occurrence pushed each; a job that had none to push
// counts one). The jobs of different beneficiaries fire in parallel
// (Options.Parallel); a beneficiary's series fire together, in their
// order, on one read of their records.
func (s *Scheduler) RunOnce(ctx context.Context) (int, error) {
	n, _, err := s.runOnce(ctx)
	return n, err
}

// act is what firing one job comes to: an occurrence to push into a lane
// (none when due is nil), then the job finished with its next firing; or,
// when err is set, a failed firing.
type act struct {
	job   store.Job
	owner string
	lane  int64
	dues  []Due
	next  time.Time
	err   error
	logs  [][]any // what the "due" line of each of dues says once pushed
	done  bool    // finished already
	// replace: the owner's jobs become their one job at next (series jobs
	// of an earlier layout give way, store.ReplaceJobs).
	replace bool
	// failAfter fails the job once its occurrences are pushed: the series
	// that could be fired were, the others are tried again (the job's
	// retry recomputes them all from its first time; what went is not
	// queued twice).
	failAfter error
	// held: the job failed by failAfter (check-ins that cannot be read):
	// it is tried again no later than its next series, and never parked,
	// so that the other series go on while the check-ins are repaired.
	held bool
	// follows is, for a job that fired with another of its owner (series
	// jobs of an earlier layout), 1 + the index of that act among its
	// owner's: it is finished, or failed, as that one is.
	follows int
}

// records is what a batch read of its owners.
type records struct {
	bens map[string]*store.JobRecord
	advs map[int64]*store.AdvisorRecord
}

// advisorID is the id of an advisor owner ("a<id>").
func advisorID(owner string) (int64, error) {
	return strconv.ParseInt(strings.TrimPrefix(owner, "a"), 10, 64)
}

// runOnce is RunOnce, and when the claim's probe saw the next job due (see
// store.ClaimDue).
func (s *Scheduler) runOnce(ctx context.Context) (int, time.Time, error) {
	now := s.now()
	jobs, next, err := s.store.ClaimDue(ctx, now, now.Add(s.lease), batch)
	if err != nil {
		return 0, next, err
	}
	if len(jobs) == 0 {
		return 0, next, nil
	}
	var (
		groups [][]store.Job
		owners []string
		index  = map[string]int{}
	)
	for _, j := range jobs {
		_, owner, _, _ := parseMember(j.Member)
		i, ok := index[owner]
		if !ok {
			i = len(groups)
			index[owner] = i
			groups = append(groups, nil)
			owners = append(owners, owner)
		}
		groups[i] = append(groups[i], j)
	}
	batchEv, batched := s.events.(BatchEvents)
	var recs records
	if batched {
		recs = s.read(ctx, groups, owners)
	}
	acts := make([][]act, len(groups))
	var (
		wg   sync.WaitGroup
		work = make(chan int)
	)
	for range min(s.parallel, len(groups)) {
		wg.Go(func() {
			for g := range work {
				recs := recs
				if !batched {
					// One owner at a time, as an Events without
					// PushAll is: read, then push and finish each job.
					recs = s.readOne(ctx, groups[g], owners[g])
				}
				for _, a := range s.fireOwner(groups[g], now, recs) {
					if !batched && a.follows > 0 {
						a.err = acts[g][a.follows-1].err
					}
					if !batched && a.err == nil {
						for _, d := range a.dues {
							if a.err = s.push(ctx, a.lane, d); a.err != nil {
								break
							}
						}
						if a.err == nil && a.failAfter != nil {
							a.err, a.held = a.failAfter, true
						}
						if a.err == nil {
							a.err = s.replace(ctx, &a)
						}
						if a.err == nil {
							a.err = s.store.FinishJob(ctx, a.owner, a.job.Member, a.next)
							a.done = true
						}
					}
					acts[g] = append(acts[g], a)
				}
			}
		})
	}
	for g := range groups {
		work <- g
	}
	close(work)
	wg.Wait()

	var all []*act
	for g := range acts {
		for i := range acts[g] {
			all = append(all, &acts[g][i])
		}
	}
	if batched {
		s.pushAll(ctx, batchEv, all)
	}
	var (
		errs     []error
		finishes []store.Finish
		finished []*act
	)
	for _, a := range all {
		if a.err != nil || a.done || a.follows > 0 {
			continue
		}
		for _, l := range a.logs {
			s.log.Info("due", l...)
		}
		if a.failAfter != nil {
			a.err, a.held = a.failAfter, true
		} else {
			a.err = s.replace(ctx, a)
		}
	}
	for g := range acts {
		for i := range acts[g] {
			if f := acts[g][i].follows; f > 0 && !acts[g][i].done {
				acts[g][i].err = acts[g][f-1].err
			}
		}
	}
	for _, a := range all {
		if a.err != nil || a.done {
			continue
		}
		finishes = append(finishes, store.Finish{Owner: a.owner, Member: a.job.Member, Next: a.next})
		finished = append(finished, a)
	}
	for i, err := range s.store.FinishJobs(ctx, finishes) {
		finished[i].err = err
	}
	fired := 0
	for _, a := range all {
		if a.err == nil {
			if a.follows > 0 {
				continue // fired with another
			}
			for _, d := range a.dues {
				s.metrics.Job(string(d.Kind), metrics.JobFired)
			}
			if k := jobKind(a.job.Member); len(a.dues) == 0 && k != string(KindBeneficiary) {
				s.metrics.Job(k, metrics.JobFired)
			}
			fired += max(len(a.dues), 1)
			continue
		}
		errs = append(errs, a.err)
		if ferr := s.failed(ctx, a, now); ferr != nil {
			// Not recorded: the job stays leased and is claimed again
			// when the lease lapses.
			errs = append(errs, ferr)
		}
	}
	return fired, time.Time{}, errors.Join(errs...)
}

// replace makes the owner's jobs their one job when series jobs of an
// earlier layout fired (fireBeneficiary).
func (s *Scheduler) replace(ctx context.Context, a *act) error {
	if !a.replace {
		return nil
	}
	if err := s.store.ReplaceJobs(ctx, a.owner, beneficiaryMember(a.owner), a.next); err != nil {
		return err
	}
	s.scheduled(a.next)
	return nil
}

// read reads the records of a batch's owners in one round trip.
func (s *Scheduler) read(ctx context.Context, groups [][]store.Job, owners []string) records {
	var (
		reads    []store.JobRead
		advisors []int64
	)
	for g, jobs := range groups {
		ben, digest := false, false
		for _, j := range jobs {
			k, _, _, err := parseMember(j.Member)
			switch {
			case err != nil, k == KindRelease:
			case k == KindDigest:
				digest = true
			default:
				ben = true
			}
		}
		if ben {
			// Their one job looks at every series, the check-ins too.
			reads = append(reads, store.JobRead{ID: owners[g], CheckIns: true})
		}
		if digest {
			if id, err := advisorID(owners[g]); err == nil {
				advisors = append(advisors, id)
			}
		}
	}
	bens, advs := s.store.JobRecords(ctx, reads, advisors)
	r := records{bens: make(map[string]*store.JobRecord, len(reads)), advs: make(map[int64]*store.AdvisorRecord, len(advisors))}
	for i := range reads {
		r.bens[reads[i].ID] = &bens[i]
	}
	for i, id := range advisors {
		r.advs[id] = &advs[i]
	}
	return r
}

// readOne reads the records of one owner's jobs, one call each (for an
// Events without PushAll, which pushes one at a time anyway).
func (s *Scheduler) readOne(ctx context.Context, jobs []store.Job, owner string) records {
	r := records{bens: map[string]*store.JobRecord{}, advs: map[int64]*store.AdvisorRecord{}}
	for _, j := range jobs {
		k, _, _, err := parseMember(j.Member)
		switch {
		case err != nil, k == KindRelease:
		case k == KindDigest:
			id, err := advisorID(owner)
			if _, ok := r.advs[id]; err != nil || ok {
				continue
			}
			a, err := s.store.Advisor(ctx, id)
			r.advs[id] = &store.AdvisorRecord{Advisor: a, Err: err}
		default:
			rec := r.bens[owner]
			if rec == nil {
				rec = new(store.JobRecord)
				rec.Ben, rec.Plan, rec.Err = s.store.BeneficiaryPlan(ctx, owner)
				r.bens[owner] = rec
			}
			if rec.Err == nil && rec.CheckIns == nil && rec.CheckInsErr == nil {
				rec.CheckIns, rec.CheckInsErr = s.store.CheckIns(ctx, owner)
				if rec.CheckIns == nil && rec.CheckInsErr == nil {
					rec.CheckIns = []domain.CheckIn{}
				}
			}
		}
	}
	return r
}

// pushAll pushes the occurrences of a batch in one round trip; a push that
// failed fails its job.
func (s *Scheduler) pushAll(ctx context.Context, ev BatchEvents, all []*act) {
	var (
		evs  []store.Event
		with []*act
	)
	for _, a := range all {
		if a.err != nil {
			continue
		}
		for _, d := range a.dues {
			e, err := dueEvent(a.lane, d)
			if err != nil {
				a.err = err
				break
			}
			evs = append(evs, e)
			with = append(with, a)
		}
	}
	if len(evs) == 0 {
		return
	}
	_, errs := ev.PushAll(ctx, evs)
	for i, a := range with {
		if i >= len(errs) {
			a.err = fmt.Errorf("push %s: no answer", evs[i].ID)
		} else if errs[i] != nil {
			a.err = fmt.Errorf("push %s: %w", evs[i].ID, errs[i])
		}
	}
}

// dueEvent is the event of an occurrence, into lane.
func dueEvent(lane int64, d Due) (store.Event, error) {
	data, err := json.Marshal(d.Data())
	if err != nil {
		return store.Event{}, fmt.Errorf("encode due: %w", err)
	}
	return store.Event{ID: d.Key, Lane: lane, Kind: EventDue, Data: data}, nil
}

// push hands an occurrence to the lane it is about.
func (s *Scheduler) push(ctx context.Context, lane int64, d Due) error {
	ev, err := dueEvent(lane, d)
	if err != nil {
		return err
	}
	if _, err := s.events.Push(ctx, ev); err != nil {
		return fmt.Errorf("push %s: %w", d.Key, err)
	}
	return nil
}

// maxJobFails is how many failed firings in a row park a job.
const maxJobFails = 5

// heldRetryMax bounds the wait of a job held back by its check-ins.
const heldRetryMax = 24 * time.Hour

// retryAfter is the wait before the n-th retry of a failed job: 2 min (the
// default lease a crashed worker's job waits), 8 min, 32 min, 2 h 8 min;
// the fifth failure, about 2 h 50 min after the first, parks the job.
func retryAfter(n int) time.Duration {
	d := retryBase
	for range min(n, 12) - 1 { // 4^11 × 2 min: 8 years, far below overflow
		d *= 4
	}
	return d
}

// failed records a failed firing: the job is tried again later for the same
// time, or parked after maxJobFails failures in a row (its owner's next Sync
// starts it afresh).
//
// A job held back by its check-ins (act.held) is tried again no later than
// its next series' time, and never parked: the series that can fire, fire
// on time, each retry from the job's first failed time (what went is not
// queued twice), and the check-ins' own go once they can be read again.
func (s *Scheduler) failed(ctx context.Context, a *act, now time.Time) error {
	j, cause := a.job, a.err
	wait, most := retryAfter(j.Fails+1), maxJobFails
	if a.held {
		most = math.MaxInt32
		wait = min(wait, heldRetryMax)
		if !a.next.IsZero() && a.next.After(now) {
			wait = min(wait, a.next.Sub(now))
		}
	}
	fails, parked, err := s.store.FailJob(context.WithoutCancel(ctx), j.Member, now, now.Add(wait), most, "notify failed")
	if err != nil {
		return err
	}
	s.metrics.Job(jobKind(j.Member), map[bool]string{true: metrics.JobParked, false: metrics.JobFailed}[parked])
	switch {
	case fails == 0:
		s.log.Warn("job failed after its lease lapsed", "job", j.Member, "err", cause)
		return nil
	case parked:
		s.log.Error("job parked after failing", "job", j.Member, "fails", fails, "err", cause)
		return nil
	}
	s.log.Warn("job failed, will retry", "job", j.Member, "fails", fails, "retry_in_s", int(wait.Seconds()), "err", cause)
	return nil
}

// fireOwner decides what the claimed jobs of one owner come to, on the
// batch's records: an advisor's, each on its own; a beneficiary's, together.
func (s *Scheduler) fireOwner(jobs []store.Job, now time.Time, recs records) []act {
	var (
		acts []act
		mine []store.Job
	)
	for _, j := range jobs {
		if k, _, _, err := parseMember(j.Member); err == nil && k != KindDigest && k != KindRelease {
			mine = append(mine, j)
			continue
		}
		acts = append(acts, s.fire(j, now, recs))
	}
	if len(mine) > 0 {
		at := len(acts)
		for _, a := range s.fireBeneficiary(mine, now, recs) {
			if a.follows > 0 {
				a.follows += at
			}
			acts = append(acts, a)
		}
	}
	return acts
}

// fire decides what one claimed job of an advisor comes to (or drops a
// malformed one).
func (s *Scheduler) fire(j store.Job, now time.Time, recs records) act {
	k, owner, _, err := parseMember(j.Member)
	a := act{job: j, owner: owner}
	switch {
	case err != nil:
		s.log.Error("dropping malformed job", "job", j.Member)
		a.owner = ""
	case k == KindDigest:
		a = s.fireDigest(a, recs, now)
	case k == KindRelease:
		a = s.fireRelease(a)
	}
	if len(a.dues) > 0 {
		a.logs = [][]any{{"job", j.Member, "occurrence", a.dues[0].Occ.ID(), "late", a.dues[0].Late}}
	}
	return a
}

// fireBeneficiary fires the job of a beneficiary: every series whose time
// has come since the job's, on one read of their records; the job goes on
// to the earliest next time of them all. Series jobs of an earlier layout
// ("r|<id>|<step>", "c|<id>", ...) fire the same way, together, from the
// earliest of them, and give way to the one job (act.replace).
func (s *Scheduler) fireBeneficiary(jobs []store.Job, now time.Time, recs records) []act {
	_, benID, _, _ := parseMember(jobs[0].Member)
	main, due, old := 0, jobs[0].Due, false
	for i, j := range jobs {
		if j.Member == beneficiaryMember(benID) {
			main = i
		} else {
			old = true
		}
		if j.Due.Before(due) {
			due = j.Due
		}
	}
	a := s.fireSeries(act{job: jobs[main], owner: benID, replace: old}, due, now, recs)
	acts := []act{a}
	for i, j := range jobs {
		if i != main {
			// Finished with the main one (their series fired with it,
			// and ReplaceJobs took them out), or failed with it.
			acts = append(acts, act{job: j, owner: benID, err: a.err, follows: 1})
		}
	}
	return acts
}

// fireSeries fills a beneficiary's act: the occurrences of every series
// due from due to now, and when the job fires next.
func (s *Scheduler) fireSeries(a act, due, now time.Time, recs records) act {
	rec := recs.bens[a.owner]
	switch {
	case rec == nil:
		a.err = fmt.Errorf("beneficiary %s: not read", a.owner)
		return a
	case errors.Is(rec.Err, store.ErrNotFound):
		return a
	case rec.Err != nil:
		a.err = rec.Err
		return a
	}
	sr := s.seriesOf(rec.Ben, rec.Plan)
	a.lane = store.BeneficiaryLane(sr.ben)
	// Check-ins that cannot be read hold back the series that need them,
	// not the others: those fire, then the job fails (failAfter).
	times, cisErr := s.seriesTimes(sr, rec.CheckIns, rec.CheckInsErr, due.Add(-time.Second), false)
	if cisErr != nil {
		a.failAfter = fmt.Errorf("check-ins of %s: %w", a.owner, cisErr)
	}
	type timed struct {
		m  string
		at time.Time
	}
	var todo []timed
	for m, at := range times {
		if !at.After(now) {
			todo = append(todo, timed{m, at})
		}
	}
	// In their order: a reminder before a later check-in.
	sort.Slice(todo, func(i, j int) bool {
		if !todo[i].at.Equal(todo[j].at) {
			return todo[i].at.Before(todo[j].at)
		}
		return todo[i].m < todo[j].m
	})
	for _, t := range todo {
		d, err := s.fireOne(t.m, t.at, sr, rec, now)
		if err != nil {
			a.err = err
			return a
		}
		if d != nil {
			a.dues = append(a.dues, *d)
			a.logs = append(a.logs, []any{"job", t.m, "occurrence", d.Occ.ID(), "late", d.Late})
		}
	}
	next, _ := s.seriesTimes(sr, rec.CheckIns, rec.CheckInsErr, now, false)
	a.next, _ = earliest(next)
	return a
}

// fireOne decides the occurrence of one series of a beneficiary (member
// m, as seriesTimes names it) whose time, at, has come: the latest one
// delivered from at to now, if the series still runs.
func (s *Scheduler) fireOne(m string, at time.Time, sr *series, rec *store.JobRecord, now time.Time) (*Due, error) {
	k, benID, stepID, err := parseMember(m)
	if err != nil {
		return nil, err
	}
	var (
		occs []Occurrence
		step *domain.Step
	)
	switch k {
	case KindGrace:
		return s.fireGrace(sr, rec, now), nil
	case KindResume:
		if sr.ben.State != domain.StatePaused || sr.deliver(occurrenceAt(sr.ben.PausedUntil, sr.loc)).After(now) {
			return nil, nil
		}
		return &Due{Kind: k, Ben: sr.ben, Plan: sr.plan, Key: resumeKey(sr.ben)}, nil
	case KindAftercare, KindRetention, KindBrief:
		if !stillDue(k, sr.ben, nil) {
			return nil, nil
		}
		occs = s.finite(sr, k, nil)
	case KindReminder, KindNudge, KindOverdue:
		if step = sr.plan.Step(stepID); !stillDue(k, sr.ben, step) {
			return nil, nil
		}
		occs = s.finite(sr, k, step)
	case KindCheckin:
		if !stillDue(k, sr.ben, nil) {
			return nil, nil
		}
		sched, err := CheckinSchedule(sr.ben, sr.plan, sr.loc)
		if err != nil {
			s.log.Error("check-in schedule", "beneficiary", benID, "err", err)
			return nil, nil
		}
		occs = s.window(sr, sched, at, now)
	default:
		return nil, nil
	}
	latest, index, _ := pick(occs, func(o Occurrence) time.Time { return sr.deliverFor(k, o) }, at, now)
	if latest == nil {
		return nil, nil
	}
	return &Due{
		Kind: k, Ben: sr.ben, Plan: sr.plan, Step: step, Occ: *latest, Index: index,
		Last: index == len(occs) && k != KindCheckin,
		Late: now.Sub(sr.deliverFor(k, *latest)) > lateAfter,
		Key:  Key(k, benID, stepID, *latest),
	}, nil
}

// fireGrace hands an unfinished check-in whose grace has passed to the
// beneficiary's lane, where its answers go to the advisor. Its series ends
// there: the lane's Sync, once the answers are sent, sets the next one.
func (s *Scheduler) fireGrace(sr *series, rec *store.JobRecord, now time.Time) *Due {
	c, at, ok := graceDue(rec.CheckIns, s.grace)
	if !ok || at.After(now) {
		return nil // completed, sent in part, or answered again meanwhile
	}
	return &Due{Kind: KindGrace, Ben: sr.ben, Plan: sr.plan, Week: c.Week, Occ: occurrenceAt(at, sr.loc),
		Late: now.Sub(at) > lateAfter, Key: graceKey(sr.ben.ID, c)}
}

// fireRelease hands the release of an advisor's held news to their lane.
func (s *Scheduler) fireRelease(a act) act {
	id, err := advisorID(a.owner)
	if err != nil {
		return a
	}
	a.lane = id
	a.dues = []Due{{Kind: KindRelease, Advisor: &domain.Advisor{ID: id}, Occ: occurrenceAt(a.job.Due, s.zone),
		Key: fmt.Sprintf("%s:release:%d", a.owner, a.job.Due.Unix())}}
	return a
}

func (s *Scheduler) fireDigest(a act, recs records, now time.Time) act {
	id, err := advisorID(a.owner)
	if err != nil {
		return a
	}
	rec := recs.advs[id]
	switch {
	case rec == nil:
		a.err = fmt.Errorf("advisor %d: not read", id)
		return a
	case errors.Is(rec.Err, store.ErrNotFound):
		return a
	case rec.Err != nil:
		a.err = rec.Err
		return a
	}
	adv := rec.Advisor
	sched, err := digestSchedule(adv, s.zone)
	if err != nil {
		return a
	}
	sr := &series{loc: s.zone} // no quiet hours for advisors
	occs := s.window(sr, sched, a.job.Due, now)
	latest, _, next := pick(occs, func(o Occurrence) time.Time { return o.At }, a.job.Due, now)
	if latest != nil {
		// The advisor's lane is their chat.
		a.lane = adv.ID
		a.dues = []Due{{Kind: KindDigest, Advisor: adv, Occ: *latest, Late: now.Sub(latest.At) > lateAfter,
			Key: fmt.Sprintf("%s:digest:%s", a.owner, latest.ID())}}
	}
	a.next = next
	return a
}
