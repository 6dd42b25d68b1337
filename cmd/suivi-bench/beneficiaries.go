package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the zones of the simulated beneficiaries

	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"

	"suivi/domain"
	"suivi/internal/clock"
	"suivi/reminders"
	"suivi/store"
)

var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Most beneficiaries live in mainland France; some overseas, which spreads
// the instants their reminders fire at.
var zones = []string{
	"Europe/Paris", "Europe/Paris", "Europe/Paris", "Europe/Paris", "Europe/Paris",
	"Europe/Paris", "Europe/Paris", "Europe/Paris", "America/Cayenne", "Indian/Reunion",
}

var (
	names   = []string{"Moussa", "Léa", "Karim", "Inès", "Jordan", "Fatou", "Kevin", "Amina", "Lucas", "Sofia"}
	weekday = []string{"MON", "TUE", "WED", "THU", "FRI"}
	steps   = [5]struct{ title, objective, resource, indicator string }{
		{"Inscription à des cours de FLE", "Améliorer mon français pour les entretiens d'embauche", "Cours FLE au Greta", "Inscription confirmée"},
		{"Mettre à jour mon CV", "Un CV d'une page qui met en avant mon expérience sur les chantiers", "Atelier CV de la Mission Locale", "CV relu par la conseillère"},
		{"Visite d'un centre de formation", "Découvrir la formation d'électricien et ses prérequis", "AFPA, journée portes ouvertes", "Visite faite, questions notées"},
		{"Candidater à trois offres", "Envoyer trois candidatures à des entreprises du bâtiment", "France Travail, offres en ligne", "Trois candidatures envoyées"},
		{"Rendez-vous avec la conseillère", "Faire le point sur les démarches et choisir la formation", "Dossier de suivi", "Rendez-vous honoré"},
	}
)

func benID(i int) string { return fmt.Sprintf("ben%07d", i) }

// makePlan returns the 5-step plan of the i-th beneficiary, its steps due
// over the ten days from the first day of the week.
func makePlan(i int, first domain.Date) *domain.Plan {
	p := &domain.Plan{
		ID: benID(i),
		Beneficiary: domain.Person{
			Name: names[i%len(names)], Language: domain.French, Timezone: zones[i%len(zones)],
		},
		AdvisorID: 1_000_000 + int64(i/50), // a caseload of 50
		Checkin: domain.Checkin{
			Schedule: fmt.Sprintf("%d %d * * %s", (i%4)*15, 9+i%9, weekday[i%5]),
			Question: "Quels progrès avez-vous faits cette semaine ?",
		},
		Meetings: []domain.DateTime{{Date: first.AddDays(21), Hour: 10, HasTime: true}},
	}
	if i%10 == 3 {
		p.Beneficiary.Language = domain.English
	}
	for k, s := range steps {
		due := domain.DateTime{Date: first.AddDays(1 + (i+2*k)%9)}
		if k%2 == 1 {
			due.Hour, due.Minute, due.HasTime = 14, 30, true
		}
		p.Steps = append(p.Steps, domain.Step{
			Title: s.title, Objective: s.objective, Due: due,
			Resources: []string{s.resource}, Indicators: []string{s.indicator},
		})
	}
	p.Normalize("Europe/Paris")
	return p
}

// counter stands for the inbox the scheduler pushes its events into: it
// counts them by kind.
type counter struct {
	mu sync.Mutex
	by map[reminders.Kind]int
	n  atomic.Int64
}

func (c *counter) Push(_ context.Context, ev store.Event) (bool, error) {
	var d reminders.DueData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return false, err
	}
	c.n.Add(1)
	c.mu.Lock()
	c.by[d.Kind]++
	c.mu.Unlock()
	return true, nil
}

// parallel calls fn(0..n-1) on workers goroutines and stops at the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		next   atomic.Int64
		failed atomic.Bool
		wg     sync.WaitGroup
		errs   = make([]error, workers)
	)
	for w := range workers {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					errs[w] = err
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// benResult is what part 2 measured for one N.
type benResult struct {
	n                                 int
	created, linked, synced, afterWk  int64 // used_memory growth since empty, bytes
	jobs, jobsAfter                   int64
	planJSON, profileJSON             int
	heapBase, heapRest, heapWeek      runtime.MemStats
	loadTime, weekTime                time.Duration
	notified                          int
	byKind                            map[reminders.Kind]int
	instants, runOnce                 int
	cronHeap                          uint64 // bytes per entry; 0 if not measured
	cronInUse                         uint64
	redisBaseline, redisRest, redisWk int64
}

// benchBeneficiaries is part 2 (and 3).
func benchBeneficiaries(ctx context.Context, rdb *redis.Client, st *store.Store, counts []int, workers int, start time.Time, withCron bool) error {
	// A warm-up, not reported, fills the connection pool, the buffers and
	// caches the process keeps whatever N is: "empty" below is that floor.
	progress("part 2: warm-up with 100 beneficiaries")
	if _, err := runBeneficiaries(ctx, rdb, st, 100, workers, start); err != nil {
		return err
	}
	var results []benResult
	for _, n := range counts {
		r, err := runBeneficiaries(ctx, rdb, st, n, workers, start)
		if err != nil {
			return err
		}
		if withCron {
			progress("part 3: robfig/cron with %d entries", n)
			r.cronHeap, r.cronInUse = cronHeap(n)
		}
		results = append(results, r)
	}

	fmt.Printf("## Memory with N beneficiaries (5-step plans, one simulated week from %s)\n\n", start.Format("Mon 2006-01-02"))
	row := func(label string, f func(r benResult) string) {
		fmt.Printf("| %s |", label)
		for _, r := range results {
			fmt.Printf(" %s |", f(r))
		}
		fmt.Println()
	}
	fmt.Print("| |")
	for _, r := range results {
		fmt.Printf(" N = %d |", r.n)
	}
	fmt.Print("\n|---|")
	for range results {
		fmt.Print("---:|")
	}
	fmt.Println()
	row("Redis per beneficiary: plan, profile, invite, advisor list", func(r benResult) string { return perUnit(r.created, r.n) })
	row("+ Telegram link, onboarding", func(r benResult) string { return perUnit(r.linked-r.created, r.n) })
	row("+ jobs (Scheduler.Sync)", func(r benResult) string { return perUnit(r.synced-r.linked, r.n) })
	row("= Redis per beneficiary, total", func(r benResult) string { return perUnit(r.synced, r.n) })
	row("Redis per beneficiary after the week", func(r benResult) string { return perUnit(r.afterWk, r.n) })
	row("Redis used_memory at rest / after the week", func(r benResult) string {
		return mib(uint64(r.redisRest)) + " / " + mib(uint64(r.redisWk))
	})
	row("jobs at rest / after the week", func(r benResult) string { return fmt.Sprintf("%d / %d", r.jobs, r.jobsAfter) })
	row("Go HeapInuse: empty (after warm-up) / N loaded / after the week", func(r benResult) string {
		return fmt.Sprintf("%s / %s / %s", mib(r.heapBase.HeapInuse), mib(r.heapRest.HeapInuse), mib(r.heapWeek.HeapInuse))
	})
	row("Go HeapAlloc: empty (after warm-up) / N loaded / after the week", func(r benResult) string {
		return fmt.Sprintf("%s / %s / %s", mib(r.heapBase.HeapAlloc), mib(r.heapRest.HeapAlloc), mib(r.heapWeek.HeapAlloc))
	})
	row("loading (create, redeem, onboard, Sync; all workers)", func(r benResult) string { return secs(r.loadTime) })
	row("simulated week: wall time (one goroutine)", func(r benResult) string { return secs(r.weekTime) })
	row("notifications (by kind)", func(r benResult) string {
		kinds := slices.Sorted(maps.Keys(r.byKind))
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = fmt.Sprintf("%s %d", k, r.byKind[k])
		}
		return fmt.Sprintf("%d (%s)", r.notified, strings.Join(parts, ", "))
	})
	row("notifications per second", func(r benResult) string { return rate(r.notified, r.weekTime) })
	row("clock steps / RunOnce calls", func(r benResult) string { return fmt.Sprintf("%d / %d", r.instants, r.runOnce) })
	if withCron {
		row("for comparison: robfig/cron, Go heap per entry", func(r benResult) string { return fmt.Sprintf("%d B", r.cronHeap) })
		row("for comparison: robfig/cron, HeapInuse with N entries", func(r benResult) string { return mib(r.cronInUse) })
	}
	if len(results) > 0 {
		fmt.Printf("\nSizes of the JSON values of one beneficiary: plan %d B, profile %d B.\n",
			results[0].planJSON, results[0].profileJSON)
	}
	return nil
}

// runBeneficiaries loads n beneficiaries and runs the scheduler over a week.
func runBeneficiaries(ctx context.Context, rdb *redis.Client, st *store.Store, n, workers int, start time.Time) (benResult, error) {
	r := benResult{n: n}
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return r, err
	}
	clk := clock.NewFake(start)
	notes := &counter{by: map[reminders.Kind]int{}}
	log := slog.New(slog.DiscardHandler)
	sched := reminders.New(st, notes, clk.Now, log, reminders.Options{Zone: paris})
	first := domain.DateOf(start)
	if err := makePlan(0, first).Validate(); err != nil {
		return r, fmt.Errorf("sample plan: %w", err)
	}
	used := func() int64 {
		m, err := usedMemory(ctx, rdb)
		if err != nil {
			panic(err)
		}
		return m
	}
	r.heapBase = goHeap()
	r.redisBaseline = used()
	base := r.redisBaseline

	progress("part 2: N = %d: creating plans", n)
	t0 := time.Now()
	codes := make([]string, n)
	now := clk.Now()
	err := parallel(n, workers, func(i int) error {
		inv, err := st.CreatePlan(ctx, makePlan(i, first), now, 14*24*time.Hour)
		codes[i] = inv.Code
		return err
	})
	if err != nil {
		return r, err
	}
	r.created = used() - base

	progress("part 2: N = %d: redeeming invites, onboarding", n)
	err = parallel(n, workers, func(i int) error {
		if _, err := st.RedeemInvite(ctx, codes[i], 5_000_000_000+int64(i), now); err != nil {
			return err
		}
		_, err := st.UpdateBeneficiary(ctx, benID(i), func(b *domain.Beneficiary) error {
			b.State = domain.StateActive
			b.Onboarded = now
			b.Consent = domain.ConsentYes
			return nil
		})
		return err
	})
	if err != nil {
		return r, err
	}
	codes = nil
	r.linked = used() - base

	progress("part 2: N = %d: Scheduler.Sync", n)
	if err := parallel(n, workers, func(i int) error { return sched.Sync(ctx, benID(i)) }); err != nil {
		return r, err
	}
	r.loadTime = time.Since(t0)
	r.redisRest = used()
	r.synced = r.redisRest - base
	w, l, err := st.JobStats(ctx)
	if err != nil {
		return r, err
	}
	r.jobs = w + l
	if p, err := st.Plan(ctx, benID(0)); err == nil {
		b, _ := json.Marshal(p)
		r.planJSON = len(b)
	}
	if b, err := st.Beneficiary(ctx, benID(0)); err == nil {
		j, _ := json.Marshal(b)
		r.profileJSON = len(j)
	}
	r.heapRest = goHeap()

	progress("part 2: N = %d: simulated week (%d jobs)", n, r.jobs)
	end := start.Add(week)
	t1 := time.Now()
	for {
		at, ok, err := st.NextJob(ctx)
		if err != nil {
			return r, err
		}
		if !ok || at.After(end) {
			break
		}
		if at.After(clk.Now()) {
			clk.Set(at)
		}
		r.instants++
		for {
			fired, err := sched.RunOnce(ctx)
			r.runOnce++
			if err != nil {
				return r, err
			}
			if fired == 0 {
				break
			}
		}
	}
	r.weekTime = time.Since(t1)
	r.notified = int(notes.n.Load())
	r.byKind = notes.by
	r.heapWeek = goHeap()
	r.redisWk = used()
	r.afterWk = r.redisWk - base
	w, l, err = st.JobStats(ctx)
	if err != nil {
		return r, err
	}
	r.jobsAfter = w + l
	progress("part 2: N = %d: %d notifications in %s", n, r.notified, secs(r.weekTime))
	return r, rdb.FlushDB(ctx).Err()
}

// cronHeap measures the Go heap of a robfig/cron holding n check-in entries,
// one per beneficiary in the beneficiary's zone, and returns the bytes per
// entry and the HeapInuse with the entries.
func cronHeap(n int) (perEntry, inUse uint64) {
	before := goHeap()
	c := cron.New()
	for i := range n {
		id := benID(i)
		spec := fmt.Sprintf("CRON_TZ=%s %d %d * * %s", zones[i%len(zones)], (i%4)*15, 9+i%9, weekday[i%5])
		if _, err := c.AddFunc(spec, func() { _ = id }); err != nil {
			panic(err)
		}
	}
	after := goHeap()
	runtime.KeepAlive(c)
	if after.HeapAlloc < before.HeapAlloc {
		return 0, after.HeapInuse
	}
	return (after.HeapAlloc - before.HeapAlloc) / uint64(n), after.HeapInuse
}
