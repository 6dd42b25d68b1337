package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"

	"suivi/catalog"
	"suivi/domain"
	"suivi/examples"
	"suivi/internal/clock"
	"suivi/planfile"
	"suivi/sandbox"
	"suivi/store"
	"suivi/telegramtest"
)

// The sandbox (`suivi sandbox`) runs the bot exactly as `suivi run` does —
// same configuration, same newApp, same run — with three things swapped:
// the clock (real time plus an offset the page moves forward), the Redis
// (an embedded miniredis unless REDIS_URL is set) and the Bot API (the
// in-process fake, with simulated people). Everything else is production.

const (
	// sandboxAdvisor is the advisor of the example plans, "Claire", an admin.
	sandboxAdvisor     = 111111111
	sandboxAdvisorName = "Claire"
	// Simulated beneficiaries get Telegram ids from here on.
	firstSandboxBen = 200000001
	// sandboxPlan is the example the first scene is made of: a weekly
	// check-in, so a week shows a check-in and step reminders.
	sandboxPlan = "immersion-gardienne"
	// sandboxFirstDue: a new person's first step is due this many days
	// ahead, so its reminders fall within the first week.
	sandboxFirstDue = 5
	sandboxBot      = "suivi_sandbox_bot"
)

// sandboxOptions are the command line's choices.
type sandboxOptions struct {
	getenv   func(string) string
	planFile string
	empty    bool
	stderr   io.Writer
	// publicURL is the page's address: the web desk is served there too.
	publicURL string
}

func cmdSandbox(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address of the sandbox's web page")
	planFile := fs.String("plan", "", "seed this plan file instead of the example")
	empty := fs.Bool("empty", false, "seed nobody but the advisor")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "suivi: sandbox: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *empty && *planFile != "" {
		fmt.Fprintln(stderr, "suivi: sandbox: -plan and -empty don't go together")
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(stderr, "suivi: sandbox: %s is already in use (another sandbox?): choose another address with -addr, e.g. -addr 127.0.0.1:8081\n", *addr)
		} else {
			fmt.Fprintf(stderr, "suivi: sandbox: cannot listen on %s: %v\n", *addr, err)
		}
		return exitFailure
	}
	defer ln.Close()
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	so := sandboxOptions{getenv: getenv, planFile: *planFile, empty: *empty, stderr: stderr, publicURL: strings.TrimSuffix(pageURL(ln.Addr()), "/")}
	srv, err := sandbox.New(ctx, sandbox.Options{
		Open: func(ctx context.Context) (sandbox.World, error) { return openSandbox(ctx, so) },
	})
	if err != nil {
		fmt.Fprintln(stderr, "suivi: sandbox:", err)
		return exitFailure
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "Suivi sandbox: open %s in your browser (Ctrl+C to stop).\n", pageURL(ln.Addr()))
	return serveSandbox(ctx, ln, srv, stderr)
}

// pageURL is the address to open for a listener.
func pageURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// serveSandbox serves the page until ctx ends.
func serveSandbox(ctx context.Context, ln net.Listener, h http.Handler, stderr io.Writer) int {
	// Requests (the page's event stream among them) end with the server.
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return base }}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(stderr, "suivi: sandbox:", err)
			return exitFailure
		}
	}
	cancel()
	sctx, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer done()
	_ = hs.Shutdown(sctx)
	return exitOK
}

// sandboxWorld is one running Suivi and its simulated people.
type sandboxWorld struct {
	clk  *clock.Offset
	mr   *miniredis.Miniredis // nil with REDIS_URL
	fake *telegramtest.Server
	app  *app
	cat  *catalog.Catalog
	stop context.CancelFunc
	done chan error

	mu      sync.Mutex
	people  []sandbox.Person
	users   map[int64]*telegramtest.User
	bens    map[int64]string // Telegram id -> beneficiary id
	nextBen int64
	nextAdv int64
}

var _ sandbox.World = (*sandboxWorld)(nil)

// openSandbox starts a world: Redis, the fake Bot API, the bot wired by
// newApp and run by run, and the first scene.
func openSandbox(ctx context.Context, so sandboxOptions) (_ *sandboxWorld, err error) {
	w := &sandboxWorld{
		clk:     clock.NewOffset(nil),
		cat:     catalog.New(),
		users:   map[int64]*telegramtest.User{},
		bens:    map[int64]string{},
		nextBen: firstSandboxBen,
		nextAdv: sandboxAdvisor + 1,
		done:    make(chan error, 1),
	}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	redisURL := so.getenv("REDIS_URL")
	if redisURL == "" {
		w.mr = miniredis.NewMiniRedis()
		if err := w.mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("embedded Redis: %w", err)
		}
		redisURL = "redis://" + w.mr.Addr()
	}
	sandboxKey, err := store.NewKeyEntry("sandbox")
	if err != nil {
		return nil, err
	}
	w.fake = telegramtest.NewServer(telegramtest.Options{BotUsername: sandboxBot, Now: w.clk.Now, MaxCalls: 5000})
	w.addUser(sandbox.Person{ID: sandboxAdvisor, Name: sandboxAdvisorName, Role: sandbox.RoleAdvisor, Lang: "fr"})

	// Production's configuration, with the three seams swapped.
	overlay := map[string]string{
		"TELEGRAM_BOT_TOKEN":   w.fake.Token(),
		"TELEGRAM_API_URL":     w.fake.URL(),
		"REDIS_URL":            redisURL,
		"SUIVI_ADMIN_IDS":      strconv.Itoa(sandboxAdvisor),
		"SUIVI_HTTP_ADDR":      "",
		"SUIVI_WEBHOOK_URL":    "",
		"SUIVI_WEBHOOK_SECRET": "",
		"SUIVI_BOT_USERNAME":   "",
		"SUIVI_PUBLIC_URL":     so.publicURL,
		// The sandbox wipes its Redis at each start: a key for the session.
		"SUIVI_DATA_KEYS": sandboxKey,
	}
	if so.getenv("SUIVI_LOG_LEVEL") == "" {
		overlay["SUIVI_LOG_LEVEL"] = "warn"
	}
	getenv := func(k string) string {
		if v, ok := overlay[k]; ok {
			return v
		}
		return so.getenv(k)
	}
	cfg, probs := loadConfig(getenv, true)
	if len(probs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(probs, "; "))
	}
	w.clk.AdvanceTo(sceneStart(time.Now(), cfg.Zone))
	w.app, err = newApp(ctx, cfg, w.clk.Now, newLogger(so.stderr, cfg.LogLevel))
	if err != nil {
		return nil, err
	}
	if err := w.app.store.ClaimForSandbox(ctx); err != nil {
		if errors.Is(err, store.ErrNotSandbox) {
			return nil, fmt.Errorf("REDIS_URL %s holds Suivi data a sandbox did not write; the sandbox starts from an empty Redis, so give it one (or unset REDIS_URL for an embedded one)", redactURL(redisURL))
		}
		return nil, err
	}
	if err := w.seed(ctx, so); err != nil {
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	w.stop = stop
	go func() { w.done <- w.app.run(runCtx) }()
	// Ready once the bot has published its menus.
	if err := w.fake.Wait(15*time.Second, func() bool { return len(w.fake.Commands("")) > 0 }); err != nil {
		return nil, errors.New("the bot did not start within 15 s")
	}
	return w, w.Settle(ctx)
}

// sceneStart is when the sandbox's clock starts: the coming Saturday at
// 10:00. Someone who checks in at once has answered that ISO week; a week
// later they have had the next weekly check-in (Friday for the scene's
// plan), the reminders of a step due on Thursday and their advisor the
// Monday digest — everything a week brings, whatever day the sandbox is
// opened.
func sceneStart(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	d := domain.DateOf(local).AddDays((int(time.Saturday) - int(local.Weekday()) + 7) % 7)
	start := d.At(loc, 10, 0)
	if !start.After(now) {
		start = d.AddDays(7).At(loc, 10, 0)
	}
	return start
}

// seed writes the first scene: Claire, and a plan unless -empty.
func (w *sandboxWorld) seed(ctx context.Context, so sandboxOptions) error {
	st := w.app.store
	now := w.clk.Now().UTC()
	// Claire works Monday to Saturday, 8:00 to 20:00 (the scene starts on a
	// Saturday morning): news outside those hours wait for her.
	work := domain.WorkHours{Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}, From: 8 * 60, To: 20 * 60}
	if err := st.PutAdvisor(ctx, &domain.Advisor{ID: sandboxAdvisor, Name: sandboxAdvisorName, Admin: true, Created: now, Work: &work}); err != nil {
		return err
	}
	switch {
	case so.empty:
		return nil
	case so.planFile != "":
		data, err := readPlanFile(so.planFile)
		if err != nil {
			return err
		}
		p, err := planfile.Parse(data, w.app.cfg.ZoneName)
		if err != nil {
			printPlanProblems(so.stderr, so.planFile, err)
			return fmt.Errorf("%s is not a valid plan file", so.planFile)
		}
		if p.AdvisorID != sandboxAdvisor {
			if err := w.ensureAdvisor(ctx, p.AdvisorID); err != nil {
				return err
			}
		}
		_, err = w.addPlan(ctx, p, "")
		return err
	}
	_, err := w.AddBeneficiary(ctx, sandbox.NewBeneficiary{Template: sandboxPlan, Advisor: sandboxAdvisor})
	return err
}

// ensureAdvisor gives the advisor of a plan file a phone (and a name if the
// store has none).
func (w *sandboxWorld) ensureAdvisor(ctx context.Context, id int64) error {
	a := &domain.Advisor{ID: id, Name: "Camille", Created: w.clk.Now().UTC()}
	if _, err := w.app.store.EnsureAdvisor(ctx, a); err != nil {
		return err
	}
	if stored, err := w.app.store.Advisor(ctx, id); err == nil && stored.Name != "" {
		a.Name = stored.Name
	}
	w.addUser(sandbox.Person{ID: id, Name: a.Name, Role: sandbox.RoleAdvisor, Lang: "fr"})
	return nil
}

func (w *sandboxWorld) addUser(p sandbox.Person) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u := w.fake.NewUser(p.ID, p.Name)
	u.LanguageCode = p.Lang
	w.users[p.ID] = u
	w.people = append(w.people, p)
}

// uniqueName makes a second "Moussa" "Moussa 2".
func (w *sandboxWorld) uniqueName(name string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	taken := func(n string) bool {
		for _, p := range w.people {
			if p.Name == n {
				return true
			}
		}
		return false
	}
	out := name
	for i := 2; taken(out); i++ {
		out = fmt.Sprintf("%s %d", name, i)
	}
	return out
}

// addPlan stores a plan as `suivi plan import` does and gives its
// beneficiary a phone with the invite link.
func (w *sandboxWorld) addPlan(ctx context.Context, p *domain.Plan, template string) (sandbox.Person, error) {
	inv, err := w.app.store.CreatePlan(ctx, p, w.clk.Now(), w.app.cfg.InviteTTL)
	if err != nil {
		return sandbox.Person{}, err
	}
	w.mu.Lock()
	id := w.nextBen
	w.nextBen++
	w.bens[id] = p.ID
	w.mu.Unlock()
	person := sandbox.Person{
		ID: id, Name: p.Beneficiary.Name, Role: sandbox.RoleBeneficiary, Lang: string(p.Beneficiary.Language),
		Invite: inviteLink(w.app.me, inv.Code), Advisor: p.AdvisorID, Template: template,
	}
	w.addUser(person)
	return person, nil
}

func inviteLink(bot, code string) string { return "https://t.me/" + bot + "?start=" + code }

// AddBeneficiary implements sandbox.World.
func (w *sandboxWorld) AddBeneficiary(ctx context.Context, nb sandbox.NewBeneficiary) (sandbox.Person, error) {
	if nb.Invite != "" {
		return w.invited(ctx, nb.Invite)
	}
	if !isTemplate(nb.Template) {
		return sandbox.Person{}, &sandbox.BadRequestError{Msg: fmt.Sprintf("no template %q (see GET /api/templates)", nb.Template)}
	}
	if nb.Advisor == 0 {
		nb.Advisor = sandboxAdvisor
	}
	if !w.isAdvisor(nb.Advisor) {
		return sandbox.Person{}, &sandbox.BadRequestError{Msg: fmt.Sprintf("%d is not an advisor here (see GET /api/people)", nb.Advisor)}
	}
	p, err := w.template(nb.Template)
	if err != nil {
		return sandbox.Person{}, err
	}
	p.ID, p.AdvisorID = "", nb.Advisor
	p.Beneficiary.Name = w.uniqueName(p.Beneficiary.Name)
	return w.addPlan(ctx, p, nb.Template)
}

// template makes an example plan current: the person's first step is due
// in sandboxFirstDue days, and the advisor's steps before it are done.
func (w *sandboxWorld) template(name string) (*domain.Plan, error) {
	now := w.clk.Now()
	today := domain.DateOf(now.In(w.app.cfg.Zone))
	first := today.AddDays(sandboxFirstDue)
	p, err := examples.Template(name, w.app.cfg.ZoneName, first)
	if err != nil {
		return nil, err
	}
	for _, s := range p.Steps {
		if s.Owner == domain.OwnerBeneficiary {
			p.MoveDates(s.Due.Date.DaysUntil(first))
			break
		}
	}
	for i := range p.Steps {
		if s := &p.Steps[i]; s.Due.Date.Before(today) {
			s.Status = domain.StatusDone
			s.History = append(s.History, domain.Change{At: now.UTC(), By: domain.ByAdvisor, Status: domain.StatusDone})
		}
	}
	return p, nil
}

// invited gives a phone to the person an invite link made in Telegram is
// for (an advisor's /nouveauplan), or returns the one who has it.
func (w *sandboxWorld) invited(ctx context.Context, code string) (sandbox.Person, error) {
	link := inviteLink(w.app.me, code)
	w.mu.Lock()
	for _, p := range w.people {
		if p.Invite == link {
			w.mu.Unlock()
			return p, nil
		}
	}
	w.mu.Unlock()
	benID, err := w.app.store.InviteBeneficiary(ctx, code)
	if errors.Is(err, store.ErrInviteUnknown) {
		return sandbox.Person{}, &sandbox.BadRequestError{Msg: "this invitation is unknown (or expired long ago)"}
	}
	if err != nil {
		return sandbox.Person{}, err
	}
	b, err := w.app.store.Beneficiary(ctx, benID)
	if err != nil {
		return sandbox.Person{}, err
	}
	w.mu.Lock()
	id := w.nextBen
	w.nextBen++
	w.bens[id] = benID
	w.mu.Unlock()
	p := sandbox.Person{ID: id, Name: w.uniqueName(b.Name), Role: sandbox.RoleBeneficiary, Lang: string(b.Language), Invite: link, Advisor: b.AdvisorID}
	w.addUser(p)
	return p, nil
}

func isTemplate(name string) bool {
	for _, n := range examples.Names() {
		if n == name {
			return true
		}
	}
	return false
}

func (w *sandboxWorld) isAdvisor(id int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.people {
		if p.ID == id && p.Role == sandbox.RoleAdvisor {
			return true
		}
	}
	return false
}

// AddAdvisor implements sandbox.World: registered as `suivi advisor add`
// does, with a digest scheduled.
func (w *sandboxWorld) AddAdvisor(ctx context.Context, name string) (sandbox.Person, error) {
	w.mu.Lock()
	id := w.nextAdv
	w.nextAdv++
	w.mu.Unlock()
	if _, err := w.app.store.EnsureAdvisor(ctx, &domain.Advisor{ID: id, Name: name, Created: w.clk.Now().UTC()}); err != nil {
		return sandbox.Person{}, err
	}
	if err := w.app.sched.SyncAdvisor(ctx, id); err != nil {
		return sandbox.Person{}, err
	}
	p := sandbox.Person{ID: id, Name: w.uniqueName(name), Role: sandbox.RoleAdvisor, Lang: "fr"}
	w.addUser(p)
	return p, nil
}

// Templates implements sandbox.World: the six cases, in the guide's order
// (as /nouveauplan offers them).
func (w *sandboxWorld) Templates() []sandbox.Template {
	var out []sandbox.Template
	for _, name := range examples.Names() {
		t := sandbox.Template{Name: name, Title: w.cat.T(domain.French, catalog.Key("tpl."+name))}
		if raw, err := examples.Read(name); err == nil {
			if p, err := planfile.Parse(raw, w.app.cfg.ZoneName); err == nil {
				t.Person = p.Beneficiary.Name
			}
		}
		out = append(out, t)
	}
	return out
}

// Clock implements sandbox.World.
func (w *sandboxWorld) Clock() *clock.Offset { return w.clk }

// Fake implements sandbox.World.
func (w *sandboxWorld) Fake() *telegramtest.Server { return w.fake }

// User implements sandbox.World.
func (w *sandboxWorld) User(id int64) (*telegramtest.User, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u, ok := w.users[id]
	return u, ok
}

// People implements sandbox.World.
func (w *sandboxWorld) People() []sandbox.Person {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]sandbox.Person(nil), w.people...)
}

// Zone implements sandbox.World: a beneficiary's zone as their profile says
// (they may have changed it at onboarding), the default zone for advisors.
func (w *sandboxWorld) Zone(ctx context.Context, id int64) string {
	w.mu.Lock()
	benID, ok := w.bens[id]
	w.mu.Unlock()
	if ok {
		if b, err := w.app.store.Beneficiary(ctx, benID); err == nil {
			return b.Location(w.app.cfg.Zone).String()
		}
	}
	return w.app.cfg.ZoneName
}

// DefaultZone implements sandbox.World.
func (w *sandboxWorld) DefaultZone() string { return w.app.cfg.ZoneName }

// NextJob implements sandbox.World.
func (w *sandboxWorld) NextJob(ctx context.Context) (time.Time, bool, error) {
	return w.app.store.NextJob(ctx)
}

// Settle implements sandbox.World: the updates the people sent are fetched,
// and the bot has done what is due — including what waits a moment for a
// chat's rate limit (the sandbox's clock runs with real time, so those
// come by themselves within a second or two).
func (w *sandboxWorld) Settle(ctx context.Context) error {
	lastCalls, lastCallAt := int64(-1), time.Now()
	for {
		if err := w.fake.Wait(time.Until(deadline(ctx)), func() bool { return w.fake.Pending() == 0 }); err != nil {
			return fmt.Errorf("updates not fetched: %w", context.DeadlineExceeded)
		}
		if err := w.app.settle(ctx); err != nil {
			return err
		}
		soon, err := w.app.readySoon(ctx, rateWaitHorizon)
		if err != nil {
			return err
		}
		if w.fake.Pending() == 0 && soon == 0 {
			// Idle as the queues read; and no call to the Bot API for a
			// moment either: the queues are read one after the other, so
			// a piece of work passing from one to the next between two
			// reads may look like none (seen under load: an answer not
			// yet sent when the action returned).
			if calls := w.fake.Actions(); calls == lastCalls && time.Since(lastCallAt) >= settleCalm {
				return nil
			} else if calls != lastCalls {
				lastCalls, lastCallAt = calls, time.Now()
			}
		}
		t := time.NewTimer(20 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("settle: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// settleCalm is how long the Bot API must see no call before Settle says
// the bot is done.
const settleCalm = 100 * time.Millisecond

// rateWaitHorizon: chats that may go on within this long are still
// being served (a per-chat rate limit is a second or so).
const rateWaitHorizon = 3 * time.Second

func deadline(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(time.Minute)
}

// Handler implements sandbox.World.
func (w *sandboxWorld) Handler() http.Handler { return w.app.handler() }

// Close implements sandbox.World.
func (w *sandboxWorld) Close() {
	if w.stop != nil {
		w.stop()
		select {
		case <-w.done:
		case <-time.After(20 * time.Second):
		}
	}
	if w.app != nil {
		w.app.close()
	}
	if w.fake != nil {
		w.fake.Close()
	}
	if w.mr != nil {
		w.mr.Close()
	}
}
