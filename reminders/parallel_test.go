package reminders_test

import (
	"context"
	"encoding/json"
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

// gate records pushes and holds each until `want` pushes are in flight at
// once (or a generous timeout passes): the firings of a batch overlap only
// if they are made in parallel.
type gate struct {
	mu       sync.Mutex
	want     int
	inFlight int
	most     int
	reached  chan struct{}
	closed   bool
	events   []reminders.DueData
}

func (g *gate) Push(_ context.Context, ev store.Event) (bool, error) {
	var d reminders.DueData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return false, err
	}
	g.mu.Lock()
	g.events = append(g.events, d)
	g.inFlight++
	g.most = max(g.most, g.inFlight)
	if g.inFlight == g.want && !g.closed {
		// Once: after the gate opens, pushes may again be `want` in
		// flight at once (closing twice panicked, on main too).
		g.closed = true
		close(g.reached)
	}
	g.mu.Unlock()
	select {
	case <-g.reached:
	case <-time.After(10 * time.Second):
	}
	g.mu.Lock()
	g.inFlight--
	g.mu.Unlock()
	return true, nil
}

// The jobs of a batch fire for several beneficiaries at once, at most
// Options.Parallel at a time; every occurrence is pushed once, and the
// jobs of one beneficiary fire in their order.
func TestRunOnceFiresInParallel(t *testing.T) {
	ctx := context.Background()
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	paris, _ := time.LoadLocation("Europe/Paris")
	clk := clock.NewFake(time.Date(2027, 3, 10, 12, 0, 0, 0, paris))
	g := &gate{want: 3, reached: make(chan struct{})}
	s := reminders.New(st, g, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{Zone: paris, Parallel: 3})
	const n = 12
	var ids []string
	for i := range n {
		p := &domain.Plan{
			Beneficiary: domain.Person{Name: fmt.Sprintf("Awa%d", i)},
			AdvisorID:   111,
			Checkin:     domain.Checkin{Schedule: "0 10 1 1 *"},
			Steps:       []domain.Step{{Title: "CV", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 20}}}},
		}
		if i == 0 { // two steps: two jobs of one beneficiary in the batch
			p.Steps = append(p.Steps, domain.Step{Title: "Lettre", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 21}}})
		}
		p.Normalize("Europe/Paris")
		inv, err := st.CreatePlan(ctx, p, clk.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.RedeemInvite(ctx, inv.Code, int64(1000+i), clk.Now()); err != nil {
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
	// The -3d reminders of the 20th and the 21st (17th and 18th, 10:00)
	// are due.
	clk.Set(time.Date(2027, 3, 18, 12, 0, 0, 0, paris))
	fired, err := s.RunOnce(ctx)
	if err != nil || fired != n+1 {
		t.Fatalf("fired %d, %v; want %d", fired, err, n+1)
	}
	if g.most < 2 || g.most > 3 {
		t.Fatalf("at most %d firings at once, want 2 or 3 (Parallel: 3)", g.most)
	}
	seen := map[string]int{}
	var first []string
	for _, d := range g.events {
		seen[d.Key]++
		if d.Ben == ids[0] {
			first = append(first, d.Key)
		}
	}
	if len(seen) != n+1 || len(g.events) != n+1 {
		t.Fatalf("%d events, %d distinct; want %d once each", len(g.events), len(seen), n+1)
	}
	if len(first) != 2 || first[0] >= first[1] {
		t.Fatalf("the first beneficiary's occurrences %v: want step 1's (the 17th) then step 2's (the 18th)", first)
	}
}
