package reminders_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"suivi/domain"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/reminders"
	"suivi/store"
)

// batchRecorder is Events with PushAll, as the bot's are: it pushes a batch
// into the inbox in one round trip, records it, and can fail a batch after
// pushing it (a crash between the push and the finish).
type batchRecorder struct {
	st      *store.Store
	mu      sync.Mutex
	batches [][]reminders.DueData
	queued  int
	failNow bool
	pushed  chan struct{}
}

func (b *batchRecorder) Push(context.Context, store.Event) (bool, error) {
	return false, errors.New("one at a time: the scheduler should push its batch with PushAll")
}

func (b *batchRecorder) PushAll(ctx context.Context, evs []store.Event) ([]bool, []error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var batch []reminders.DueData
	for _, ev := range evs {
		var d reminders.DueData
		if err := json.Unmarshal(ev.Data, &d); err != nil || ev.Kind != reminders.EventDue || ev.ID != d.Key {
			panic(fmt.Sprintf("not a due event: %+v", ev))
		}
		batch = append(batch, d)
	}
	b.batches = append(b.batches, batch)
	isNew, errs := b.st.PushEvents(ctx, evs, time.Now())
	for i := range isNew {
		if isNew[i] && errs[i] == nil {
			b.queued++
		}
		if b.failNow && errs[i] == nil {
			errs[i] = errors.New("crash after queueing")
		}
	}
	b.failNow = false
	if b.pushed != nil {
		select {
		case b.pushed <- struct{}{}:
		default:
		}
	}
	return isNew, errs
}

func (b *batchRecorder) all() []reminders.DueData {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []reminders.DueData
	for _, batch := range b.batches {
		out = append(out, batch...)
	}
	return out
}

// newBeneficiaries makes n beneficiaries with one step due on the 20th
// March 2027 (the first with a second step, due the 21st), synced.
func newBeneficiaries(t *testing.T, st *store.Store, s *reminders.Scheduler, clk *clock.Fake, n int) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for i := range n {
		p := &domain.Plan{
			Beneficiary: domain.Person{Name: fmt.Sprintf("Awa%d", i)},
			AdvisorID:   111,
			Checkin:     domain.Checkin{Schedule: "0 10 1 1 *"},
			Steps:       []domain.Step{{Title: "CV", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 20}}}},
		}
		if i == 0 {
			p.Steps = append(p.Steps, domain.Step{Title: "Lettre", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 21}}})
		}
		p.Normalize("Europe/Paris")
		inv, err := st.CreatePlan(ctx, p, clk.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.RedeemInvite(ctx, inv.Code, int64(2000+i), clk.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateBeneficiary(ctx, p.ID, func(b *domain.Beneficiary) error {
			b.State = domain.StateActive
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.Sync(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	return ids
}

// With an Events that pushes batches, a claimed batch's occurrences go in
// one PushAll: each once, one beneficiary's in their order, and every job
// goes on to its next firing.
func TestRunOncePushesABatch(t *testing.T) {
	ctx := context.Background()
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	paris, _ := time.LoadLocation("Europe/Paris")
	clk := clock.NewFake(time.Date(2027, 3, 10, 12, 0, 0, 0, paris))
	b := &batchRecorder{st: st}
	s := reminders.New(st, b, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{Zone: paris})
	const n = 12
	ids := newBeneficiaries(t, st, s, clk, n)
	clk.Set(time.Date(2027, 3, 18, 12, 0, 0, 0, paris))
	fired, err := s.RunOnce(ctx)
	if err != nil || fired != n+1 {
		t.Fatalf("fired %d, %v; want %d", fired, err, n+1)
	}
	if len(b.batches) != 1 || len(b.batches[0]) != n+1 || b.queued != n+1 {
		t.Fatalf("%d batches, %d queued; want one batch of %d", len(b.batches), b.queued, n+1)
	}
	var first []string
	for _, d := range b.batches[0] {
		if d.Ben == ids[0] {
			first = append(first, d.Key)
		}
	}
	if len(first) != 2 || first[0] >= first[1] {
		t.Fatalf("the first beneficiary's occurrences %v: want step 1's (the 17th) then step 2's (the 18th)", first)
	}
	// Every reminder goes on to the day before its step.
	for i, id := range ids {
		jobs, err := s.Planned(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := jobs["r|"+id+"|1"], time.Date(2027, 3, 19, 10, 0, 0, 0, paris); !got.Equal(want) {
			t.Fatalf("beneficiary %d: next reminder at %s, want %s", i, got, want)
		}
	}
	if k, err := s.RunOnce(ctx); k != 0 || err != nil {
		t.Fatalf("fired again: %d %v", k, err)
	}
}

// A batch pushed and then not finished (the push reported a failure after
// queueing) is tried again later, and its occurrences are not queued twice.
func TestBatchCrashAfterPushDoesNotDouble(t *testing.T) {
	ctx := context.Background()
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	paris, _ := time.LoadLocation("Europe/Paris")
	clk := clock.NewFake(time.Date(2027, 3, 10, 12, 0, 0, 0, paris))
	b := &batchRecorder{st: st}
	s := reminders.New(st, b, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{Zone: paris})
	const n = 3
	newBeneficiaries(t, st, s, clk, n)
	clk.Set(time.Date(2027, 3, 18, 12, 0, 0, 0, paris))
	b.failNow = true
	if _, err := s.RunOnce(ctx); err == nil {
		t.Fatal("the crash was not reported")
	}
	clk.Advance(time.Minute)
	if k, _ := s.RunOnce(ctx); k != 0 {
		t.Fatalf("a failed job fired again before its retry: %d", k)
	}
	clk.Advance(2 * time.Minute)
	if k, err := s.RunOnce(ctx); k != n+1 || err != nil {
		t.Fatalf("retried jobs: %d %v", k, err)
	}
	all := b.all()
	keys := map[string]int{}
	for _, d := range all {
		keys[d.Key]++
	}
	if len(all) != 2*(n+1) || len(keys) != n+1 || b.queued != n+1 {
		t.Fatalf("%d pushes of %d occurrences, %d queued: each must be queued once", len(all), len(keys), b.queued)
	}
}

// An idle Run is woken by a Sync of this process that schedules a job
// before its next look: the job fires without waiting for the idle cap.
func TestRunWokenBySync(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	paris, _ := time.LoadLocation("Europe/Paris")
	clk := clock.NewFake(time.Date(2027, 3, 17, 9, 0, 0, 0, paris))
	b := &batchRecorder{st: st, pushed: make(chan struct{}, 1)}
	s := reminders.New(st, b, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{Zone: paris})
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	// Just past 10:00 on the 17th (within the grace a Sync gives an
	// occurrence not fired yet), the -3d reminder of the 20th is due at
	// once when synced.
	clk.Set(time.Date(2027, 3, 17, 10, 2, 0, 0, paris))
	newBeneficiaries(t, st, s, clk, 1)
	select {
	case <-b.pushed:
	case <-time.After(4 * time.Second): // the idle cap is 5 s
		t.Fatal("the synced job did not fire: Run was not woken")
	}
	cancel()
	<-done
}
