package reminders_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/reminders"
	"suivi/store"
)

// joined creates a followed beneficiary with a three-step plan and weekly
// check-ins, in chat.
func joined(t *testing.T, st *store.Store, clk *clock.Fake, chat int64) string {
	t.Helper()
	ctx := context.Background()
	p := &domain.Plan{
		Beneficiary: domain.Person{Name: "Awa"},
		AdvisorID:   111,
		Checkin:     domain.Checkin{Schedule: "0 10 * * MON"},
		Steps: []domain.Step{
			{Title: "CV", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 20}}},
			{Title: "Lettre", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 27}}},
			{Title: "Salon", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 4, Day: 10}}},
		},
	}
	p.Normalize("Europe/Paris")
	inv, err := st.CreatePlan(ctx, p, clk.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvite(ctx, inv.Code, chat, clk.Now()); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// bare is a scheduler on an empty store, on the 10th of March 2027.
func bare(t *testing.T) (*store.Store, *clock.Fake, *eventRecorder, *reminders.Scheduler) {
	t.Helper()
	return bareOn(t, redistest.Client(t))
}

// bareOn is bare on rdb.
func bareOn(t *testing.T, rdb redis.UniversalClient) (*store.Store, *clock.Fake, *eventRecorder, *reminders.Scheduler) {
	t.Helper()
	st := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	clk := clock.NewFake(time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC))
	n := &eventRecorder{st: st}
	return st, clk, n, reminders.New(st, n, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{})
}

// fireUntil fires every job as its time comes, up to end, and returns the
// occurrence keys pushed, in order.
func fireUntil(t *testing.T, st *store.Store, clk *clock.Fake, s *reminders.Scheduler, n *eventRecorder, end time.Time, each func()) {
	t.Helper()
	ctx := context.Background()
	for range 1000 {
		at, ok, err := st.NextJob(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || at.After(end) {
			return
		}
		if at.After(clk.Now()) {
			clk.Set(at)
		}
		if _, err := s.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		each()
	}
	t.Fatal("the jobs never reach the end")
}

// A beneficiary has one job, due at the earliest of their series (three
// steps' reminders, nudges and overdue alerts, the check-ins: 10 series),
// and it stays one job as they fire; each occurrence is pushed once.
func TestOneJobPerBeneficiary(t *testing.T) {
	ctx := context.Background()
	st, clk, n, s := bare(t)
	id := joined(t, st, clk, 42)
	if err := s.Sync(ctx, id); err != nil {
		t.Fatal(err)
	}
	planned := mustJobs(t, st, s, id)
	if len(planned) != 10 {
		t.Fatalf("series planned: %v", planned)
	}
	first := time.Time{}
	for _, at := range planned {
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	jobs, err := st.Jobs(ctx, id)
	if err != nil || len(jobs) != 1 || !jobs["b|"+id].Equal(first) {
		t.Fatalf("jobs %v (%v): want one, b|%s at %s", jobs, err, id, first)
	}
	fireUntil(t, st, clk, s, n, time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC), func() {
		if jobs, _ := st.Jobs(ctx, id); len(jobs) > 1 {
			t.Fatalf("jobs %v: more than one", jobs)
		}
	})
	seen := map[string]bool{}
	kinds := map[reminders.Kind]int{}
	for _, c := range n.calls {
		if seen[c.Key] {
			t.Fatalf("%s pushed twice", c.Key)
		}
		seen[c.Key] = true
		kinds[c.Kind]++
	}
	// Per step three reminders (the default offsets), three nudges and the overdue
	// alert; the Mondays from the 15th of March to the 26th of April.
	if kinds[reminders.KindReminder] != 9 || kinds[reminders.KindNudge] != 9 || kinds[reminders.KindOverdue] != 3 || kinds[reminders.KindCheckin] != 7 {
		t.Fatalf("pushed by kind %v", kinds)
	}
}

// Series jobs an earlier version wrote ("r|<id>|<step>", "c|<id>", ...)
// fire as the beneficiary's job: the same occurrences, once each, as for a
// beneficiary on one job, and after their first firing only the one job
// is left.
func TestSeriesJobsOfAnEarlierLayoutGiveWay(t *testing.T) {
	ctx := context.Background()
	st, clk, n, s := bare(t)
	now, old := joined(t, st, clk, 42), joined(t, st, clk, 43)
	for _, id := range []string{now, old} {
		if err := s.Sync(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	series := mustJobs(t, st, s, old)
	if err := st.SyncJobs(ctx, old, series); err != nil { // as an earlier version kept them
		t.Fatal(err)
	}
	if jobs, _ := st.Jobs(ctx, old); len(jobs) != len(series) || !jobs["r|"+old+"|1"].Equal(series["r|"+old+"|1"]) {
		t.Fatalf("old layout not written: %v", jobs)
	}
	fireUntil(t, st, clk, s, n, time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC), func() {
		if len(n.calls) > 0 {
			if jobs, _ := st.Jobs(ctx, old); len(jobs) > 1 {
				t.Fatalf("after a firing, jobs %v", jobs)
			}
		}
	})
	if jobs, _ := st.Jobs(ctx, old); len(jobs) != 1 {
		t.Fatalf("jobs left %v: want the one job", jobs)
	}
	of := map[string][]string{}
	for _, c := range n.calls {
		of[c.Ben] = append(of[c.Ben], strings.ReplaceAll(c.Key, c.Ben, "X"))
	}
	if got, want := strings.Join(of[old], " "), strings.Join(of[now], " "); got != want || len(of[now]) < 20 {
		t.Fatalf("the earlier layout pushed\n%s\nthe one job\n%s", got, want)
	}
}

// An erasure cut short late in the evening finishes at the end of quiet
// hours (as a retention job fired then did): the job is due then, and
// fires it, instead of firing nothing at 23:10 and going.
func TestErasureCutShortInQuietHoursFinishes(t *testing.T) {
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	st, clk, n, s, id := setup(t, time.Date(2027, 3, 16, 23, 0, 0, 0, paris))
	if _, err := st.UpdateBeneficiary(ctx, id, func(b *domain.Beneficiary) error {
		b.Erasing = clk.Now()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx, id); err != nil {
		t.Fatal(err)
	}
	at, ok, err := st.NextJob(ctx)
	if err != nil || !ok || !at.After(clk.Now().Add(reminders.EraseRetry)) {
		t.Fatalf("next job %s %v %v: want after quiet hours", at.In(paris), ok, err)
	}
	clk.Set(clk.Now().Add(reminders.EraseRetry))
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Set(at)
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(n.calls) != 1 || n.calls[0].Kind != reminders.KindRetention {
		t.Fatalf("pushed %+v: want the end of the erasure", n.calls)
	}
}

// Check-ins that cannot be read (a record altered in Redis) hold back only
// the series that need them: the job fails (reported) and is tried again,
// never parked, no later than its next series, so that a step's reminder
// still goes on time, once.
func TestUnreadableCheckinsHoldBackOnlyTheirSeries(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	st, clk, n, s := bareOn(t, rdb)
	id := joined(t, st, clk, 42)
	if err := s.Sync(ctx, id); err != nil {
		t.Fatal(err)
	}
	planned := mustJobs(t, st, s, id)
	reminder := planned["r|"+id+"|1"]
	if c := planned["c|"+id]; !c.Before(reminder) {
		t.Fatalf("the check-in (%s) should come before the reminder (%s)", c, reminder)
	}
	if err := rdb.HSet(ctx, "suivi:{b:"+id+"}:checkins", "2027-W10", "{not json").Err(); err != nil {
		t.Fatal(err)
	}
	failures := 0
	for range 100 {
		at, ok, err := st.NextJob(ctx)
		if err != nil || !ok {
			t.Fatalf("the job is gone (%v): parked?", err)
		}
		if at.After(reminder.Add(time.Hour)) {
			break
		}
		if at.After(clk.Now()) {
			clk.Set(at)
		}
		if _, err := s.RunOnce(ctx); err != nil {
			failures++
		}
	}
	if failures == 0 {
		t.Fatal("unreadable check-ins were never reported")
	}
	var got []reminders.DueData
	for _, c := range n.calls {
		if c.Kind == reminders.KindReminder {
			got = append(got, c)
		}
	}
	if len(got) == 0 || got[0].Late || n.queued != 1 {
		t.Fatalf("reminders pushed %+v, queued %d: want the step's reminder, queued once", got, n.queued)
	}
	if _, count, err := st.ParkedJobs(ctx, 10); err != nil || count != 0 {
		t.Fatalf("parked %d (%v): a job held by its check-ins is never parked", count, err)
	}
	if _, ok, _ := st.NextJob(ctx); !ok {
		t.Fatal("no job left")
	}
}

// Series jobs of the earlier layout claimed together fire together: when
// the push fails, every one of them is failed and tried again (none is
// finished and lost with the one that fired for them all).
func TestEarlierLayoutJobsFailTogether(t *testing.T) {
	ctx := context.Background()
	st, clk, _, s := bare(t)
	id := joined(t, st, clk, 42)
	if err := s.Sync(ctx, id); err != nil {
		t.Fatal(err)
	}
	series := mustJobs(t, st, s, id)
	due := series["r|"+id+"|1"]
	old := map[string]time.Time{"r|" + id + "|1": due, "c|" + id: due, "o|" + id + "|1": series["o|"+id+"|1"]}
	if err := st.SyncJobs(ctx, id, old); err != nil {
		t.Fatal(err)
	}
	fail := &failingEvents{now: clk.Now}
	sf := reminders.New(st, fail, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), reminders.Options{})
	clk.Set(due)
	if _, err := sf.RunOnce(ctx); err == nil {
		t.Fatal("the failed push was not reported")
	}
	if len(fail.calls) == 0 {
		t.Fatal("nothing was pushed")
	}
	jobs, err := st.Jobs(ctx, id)
	if err != nil || len(jobs) != 3 {
		t.Fatalf("jobs after the failed firing %v (%v): want the three, waiting for their retry", jobs, err)
	}
	for m := range old {
		if at := jobs[m]; !at.After(due) {
			t.Fatalf("%s at %s: want a retry after %s", m, at, due)
		}
	}
}
