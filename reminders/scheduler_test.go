package reminders_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"suivi/domain"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/reminders"
	"suivi/store"
)

func TestMain(m *testing.M) { redistest.Run(m) }

// eventRecorder pushes each occurrence into the inbox as the scheduler's
// Events do, records it, and can fail after pushing (a crash between the
// two).
type eventRecorder struct {
	st      *store.Store
	mu      sync.Mutex
	calls   []reminders.DueData
	queued  int
	failNow bool
}

func (n *eventRecorder) Push(ctx context.Context, ev store.Event) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var d reminders.DueData
	if err := json.Unmarshal(ev.Data, &d); err != nil || ev.Kind != reminders.EventDue || ev.ID != d.Key {
		return false, fmt.Errorf("not a due event: %+v", ev)
	}
	n.calls = append(n.calls, d)
	isNew, err := n.st.PushEvent(ctx, ev, time.Now())
	if err != nil {
		return false, err
	}
	if isNew {
		n.queued++
	}
	if n.failNow {
		n.failNow = false
		return isNew, errors.New("crash after queueing")
	}
	return isNew, nil
}

func setup(t *testing.T, start time.Time) (*store.Store, *clock.Fake, *eventRecorder, *reminders.Scheduler, string) {
	t.Helper()
	ctx := context.Background()
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	clk := clock.NewFake(start)
	p := &domain.Plan{
		Beneficiary: domain.Person{Name: "Awa"},
		AdvisorID:   111,
		Checkin:     domain.Checkin{Schedule: "0 10 1 1 *"},
		Steps:       []domain.Step{{Title: "CV", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 20}}}},
	}
	p.Normalize("Europe/Paris")
	inv, err := st.CreatePlan(ctx, p, clk.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvite(ctx, inv.Code, 42, clk.Now()); err != nil {
		t.Fatal(err)
	}
	n := &eventRecorder{st: st}
	s := reminders.New(st, n, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{})
	if err := s.Sync(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	return st, clk, n, s, p.ID
}

// A worker that dies between queueing an occurrence and finishing its job:
// the job comes back after its lease, and the occurrence is not queued twice.
func TestCrashAfterNotifyDoesNotDouble(t *testing.T) {
	ctx := context.Background()
	st, clk, n, s, _ := setup(t, time.Date(2027, 3, 16, 12, 0, 0, 0, time.UTC))
	at, ok, _ := st.NextJob(ctx)
	if !ok {
		t.Fatal("no job")
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	if want := time.Date(2027, 3, 17, 10, 0, 0, 0, paris); !at.Equal(want) {
		t.Fatalf("next job at %s, want the -3d reminder at %s", at, want)
	}
	clk.Set(at)
	n.failNow = true
	if _, err := s.RunOnce(ctx); err == nil {
		t.Fatal("the crash was not reported")
	}
	// Still leased: nothing fires again before the lease lapses.
	clk.Advance(time.Minute)
	if k, _ := s.RunOnce(ctx); k != 0 {
		t.Fatalf("a leased job fired again: %d", k)
	}
	clk.Advance(2 * time.Minute)
	if k, err := s.RunOnce(ctx); k != 1 || err != nil {
		t.Fatalf("recovered job: %d %v", k, err)
	}
	if len(n.calls) != 2 || n.queued != 1 || n.calls[0].Key != n.calls[1].Key {
		t.Fatalf("calls %d, queued %d: the same occurrence must be queued once", len(n.calls), n.queued)
	}
	// And the series goes on: next is the day before the due date.
	at, _, _ = st.NextJob(ctx)
	if want := time.Date(2027, 3, 19, 10, 0, 0, 0, paris); !at.Equal(want) {
		t.Fatalf("next %s, want %s", at, want)
	}
}

// Two replicas firing the same due jobs at once send each occurrence once.
func TestTwoReplicasFireOnce(t *testing.T) {
	ctx := context.Background()
	st, clk, n, s1, _ := setup(t, time.Date(2027, 3, 16, 12, 0, 0, 0, time.UTC))
	s2 := reminders.New(st, n, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{})
	for range 8 {
		at, ok, _ := st.NextJob(ctx)
		if !ok {
			break
		}
		clk.Set(at)
		var wg sync.WaitGroup
		for _, s := range []*reminders.Scheduler{s1, s2} {
			wg.Go(func() {
				if _, err := s.RunOnce(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	keys := map[string]int{}
	steps := 0
	for _, c := range n.calls {
		keys[c.Key]++
		if c.Kind == reminders.KindReminder || c.Kind == reminders.KindNudge {
			steps++
		}
	}
	if len(n.calls) != len(keys) || steps < 5 {
		t.Fatalf("each occurrence must fire once: %v", keys)
	}
}

// A done step stops its reminders; a postponed one moves them.
func TestSyncFollowsThePlan(t *testing.T) {
	ctx := context.Background()
	st, clk, _, s, id := setup(t, time.Date(2027, 3, 16, 12, 0, 0, 0, time.UTC))
	jobs, _ := s.Planned(ctx, id)
	if len(jobs) != 4 { // reminder, nudge, overdue alert, check-in
		t.Fatalf("jobs %v", jobs)
	}
	if _, err := st.UpdatePlan(ctx, id, clk.Now(), func(p *domain.Plan) error {
		p.Steps[0].Postpone(domain.DateTime{Date: domain.Date{Year: 2027, Month: 4, Day: 10}}, clk.Now(), domain.ByBeneficiary)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_ = s.Sync(ctx, id)
	jobs, _ = s.Planned(ctx, id)
	paris, _ := time.LoadLocation("Europe/Paris")
	if got, want := jobs["r|"+id+"|1"], time.Date(2027, 4, 7, 10, 0, 0, 0, paris); !got.Equal(want) {
		t.Fatalf("postponed reminder at %s, want %s", got, want)
	}
	if _, err := st.UpdatePlan(ctx, id, clk.Now(), func(p *domain.Plan) error {
		p.Steps[0].SetStatus(domain.StatusDone, clk.Now(), domain.ByBeneficiary)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_ = s.Sync(ctx, id)
	jobs, _ = s.Planned(ctx, id)
	if len(jobs) != 1 {
		t.Fatalf("a done step keeps jobs: %v", jobs)
	}
}

// failingEvents fails every push, as when Redis is broken for that
// beneficiary.
type failingEvents struct {
	mu    sync.Mutex
	calls []reminders.DueData
	at    []time.Time
	now   func() time.Time
}

func (n *failingEvents) Push(ctx context.Context, ev store.Event) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var d reminders.DueData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return false, err
	}
	n.calls = append(n.calls, d)
	n.at = append(n.at, n.now())
	return false, errors.New("inbox unavailable")
}

// A job whose firing keeps failing is retried for the same occurrence with
// a growing backoff (2 min, 8 min, 32 min, 2 h 8 min), then parked: kept
// aside, counted, out of the queue. A Sync of its beneficiary starts it
// afresh.
func TestFailingJobBacksOffThenIsParked(t *testing.T) {
	ctx := context.Background()
	st, clk, _, _, id := setup(t, time.Date(2027, 3, 16, 12, 0, 0, 0, time.UTC))
	n := &failingEvents{now: clk.Now}
	s := reminders.New(st, n, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{})
	first, _, _ := st.NextJob(ctx)
	clk.Set(first)
	for end := first.Add(12 * time.Hour); clk.Now().Before(end); clk.Advance(time.Minute) {
		if _, err := s.RunOnce(ctx); err != nil && len(n.calls) == 0 {
			t.Fatal(err)
		}
	}
	var gaps []time.Duration
	for i := range n.calls {
		if n.calls[i].Key != n.calls[0].Key {
			t.Fatalf("retry %d is for %s, not the occurrence that failed (%s)", i, n.calls[i].Key, n.calls[0].Key)
		}
		if i > 0 {
			gaps = append(gaps, n.at[i].Sub(n.at[i-1]))
		}
	}
	want := []time.Duration{2 * time.Minute, 8 * time.Minute, 32 * time.Minute, 128 * time.Minute}
	if fmt.Sprint(gaps) != fmt.Sprint(want) {
		t.Fatalf("%d firings, %v apart; want 5, %v apart", len(n.calls), gaps, want)
	}
	parked, count, err := st.ParkedJobs(ctx, 10)
	if err != nil || count != 1 || !strings.Contains(parked[0], `"member":"b|`+id+`"`) || !strings.Contains(parked[0], `"fails":5`) {
		t.Fatalf("parked jobs %d %v %v", count, parked, err)
	}
	if _, ok := mustJobs(t, st, s, id)["r|"+id+"|1"]; ok {
		t.Fatal("a parked job is still scheduled")
	}
	if err := s.Sync(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, ok := mustJobs(t, st, s, id)["r|"+id+"|1"]; !ok {
		t.Fatal("a Sync did not schedule the parked series again")
	}
}

// mustJobs is when each series of a beneficiary fires next, and checks
// that their one job stored is due at the earliest of them.
func mustJobs(t *testing.T, st *store.Store, s *reminders.Scheduler, owner string) map[string]time.Time {
	t.Helper()
	jobs, err := s.Planned(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.Jobs(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	var first time.Time
	for _, at := range jobs {
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	if b := stored["b|"+owner]; len(jobs) > 0 && !b.Equal(first) {
		t.Fatalf("the job is due at %s, the earliest series at %s: %v", b, first, jobs)
	}
	return jobs
}

// A check-in left unfinished: Sync derives its grace job from the last
// answer (six real hours, across the spring clock change), the job pushes
// the grace once, under a key naming the week and the answer, and goes; a
// Sync before the lane marked it sent schedules it again, and the push is
// not queued twice; once marked, no job is left.
func TestGraceOfAnUnfinishedCheckin(t *testing.T) {
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	st, clk, n, s, id := setup(t, time.Date(2027, 3, 27, 12, 0, 0, 0, paris))
	last := time.Date(2027, 3, 27, 23, 30, 0, 0, paris) // CET, the night the clocks go forward
	week := domain.WeekOf(last)
	if _, err := st.CreateCheckIn(ctx, &domain.CheckIn{BeneficiaryID: id, Week: week, Asked: last.Add(-time.Hour),
		Score: 4, ScoreDone: true, LastAnswer: last}); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx, id); err != nil {
		t.Fatal(err)
	}
	grace := time.Date(2027, 3, 28, 6, 30, 0, 0, paris) // CEST: six real hours, seven on the wall clock
	if got := mustJobs(t, st, s, id)["g|"+id]; !got.Equal(grace) {
		t.Fatalf("grace job at %s, want %s", got.In(paris), grace)
	}
	graces := func() []reminders.DueData {
		var out []reminders.DueData
		for _, c := range n.calls {
			if c.Kind == reminders.KindGrace {
				out = append(out, c)
			}
		}
		return out
	}
	clk.Set(grace.Add(-time.Second))
	if _, err := s.RunOnce(ctx); err != nil || len(graces()) != 0 {
		t.Fatalf("before the grace: %v %v", graces(), err)
	}
	clk.Set(grace)
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%s:grace:%s:%d", id, week, last.Unix())
	if g := graces(); len(g) != 1 || g[0].Key != want || g[0].Week != week || g[0].Ben != id || g[0].Late {
		t.Fatalf("graces pushed: %+v, want one keyed %s", g, want)
	}
	if _, ok := mustJobs(t, st, s, id)["g|"+id]; ok {
		t.Fatal("the grace job stays after firing")
	}
	// A Sync before the lane handled it: fired again, queued once.
	if err := s.Sync(ctx, id); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	queued := n.queued
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if g := graces(); len(g) != 2 || g[1].Key != want || n.queued != queued {
		t.Fatalf("fired again: %+v, queued %d more", g, n.queued-queued)
	}
	// Sent in part: nothing left to schedule.
	if _, err := st.UpdateCheckIn(ctx, id, week, func(c *domain.CheckIn) error {
		c.Partial, c.PartialShared = clk.Now(), true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, ok := mustJobs(t, st, s, id)["g|"+id]; ok {
		t.Fatal("a grace job for a check-in already sent in part")
	}
}

// blockingEvents holds every push until released: a replica stuck (or
// dying) in the middle of firing its jobs.
type blockingEvents struct {
	release chan struct{}
	entered chan struct{}
}

func (b *blockingEvents) Push(ctx context.Context, ev store.Event) (bool, error) {
	select {
	case b.entered <- struct{}{}:
	default:
	}
	<-b.release
	return false, errors.New("died")
}

// The job lease (SUIVI_JOB_LEASE) is how long the jobs of a replica that
// died while firing them wait: another replica takes them over after it,
// not before.
func TestJobLeaseIsConfigurable(t *testing.T) {
	ctx := context.Background()
	st, clk, n, _, _ := setup(t, time.Date(2027, 3, 16, 12, 0, 0, 0, time.UTC))
	at, _, _ := st.NextJob(ctx)
	clk.Set(at)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	stuck := &blockingEvents{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	dying := reminders.New(st, stuck, clk.Now, log, reminders.Options{Lease: 20 * time.Second})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = dying.RunOnce(ctx)
	}()
	<-stuck.entered
	other := reminders.New(st, n, clk.Now, log, reminders.Options{Lease: 20 * time.Second})
	clk.Advance(19 * time.Second)
	if k, _ := other.RunOnce(ctx); k != 0 {
		t.Fatalf("taken over within the lease: %d", k)
	}
	clk.Advance(2 * time.Second)
	if k, err := other.RunOnce(ctx); k != 1 || err != nil {
		t.Fatalf("after the 20s lease: %d jobs, %v", k, err)
	}
	if len(n.calls) != 1 {
		t.Fatalf("occurrences fired by the other replica: %d", len(n.calls))
	}
	close(stuck.release)
	<-done
}
