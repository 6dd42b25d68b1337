package dialogs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/planfile"
	"suivi/reminders"
	"suivi/store"
)

// The fixtures of this package's tests, in one place: a harness that runs
// the dialogs on a real Redis without the whole app (a recording Sender,
// outbox and event queue; the real store and scheduler), charts, fuzzing.

// ------------------------------------------------------------------------
// Charts

// chartOf draws the chart of beneficiaries with these names, in lang, and
// decodes it.
func chartOf(t *testing.T, lang domain.Lang, names ...string) image.Image {
	t.Helper()
	var cases []Case
	for _, n := range names {
		cases = append(cases, Case{Ben: &domain.Beneficiary{Name: n}, Cells: map[domain.Week]int{"2037-W10": 4, "2037-W11": CellSilent}})
	}
	data, err := Chart(catalog.New(), lang, cases, []domain.Week{"2037-W10", "2037-W11"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// region returns the pixels of r, for comparing what two charts drew.
func region(img image.Image, r image.Rectangle) string {
	var b bytes.Buffer
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.At(x, y)
			r, g, bl, _ := c.RGBA()
			fmt.Fprintf(&b, "%d,%d,%d;", r>>8, g>>8, bl>>8)
		}
	}
	return b.String()
}

func nameCell(i int) image.Rectangle {
	y := ChartHeader + i*ChartCellH
	return image.Rect(0, y, ChartNameWidth, y+ChartCellH)
}

// ------------------------------------------------------------------------
// Fuzzing

// fuzzNow is the "today" of the fuzz tests.
var fuzzNow = time.Date(2037, 12, 20, 10, 0, 0, 0, time.UTC)

// fuzzPlan is a valid plan around steps and meetings typed in Telegram.
func fuzzPlan(steps []domain.Step, meetings []domain.DateTime) *domain.Plan {
	p := &domain.Plan{Beneficiary: domain.Person{Name: "Awa"}, AdvisorID: 1, Meetings: meetings}
	for i, s := range steps {
		if i == domain.MaxSteps {
			break
		}
		s.ID = p.NextStepID()
		p.Steps = append(p.Steps, s)
	}
	if len(p.Steps) == 0 {
		p.Steps = []domain.Step{{Title: "Étape", Due: domain.DateTime{Date: domain.Date{Year: 2038, Month: 1, Day: 1}}}}
	}
	p.Normalize("Europe/Paris")
	return p
}

// roundTrip checks that a plan built in Telegram is valid and survives plan
// export and plan import.
func roundTrip(t *testing.T, p *domain.Plan) {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatalf("the plan breaks its own rules: %v", err)
	}
	data, err := planfile.Marshal(p)
	if err != nil {
		t.Fatalf("plan export: %v", err)
	}
	if _, err := planfile.Parse(data, "Europe/Paris"); err != nil {
		t.Fatalf("plan import refuses what plan export wrote: %v\n%s", err, data)
	}
}

// ------------------------------------------------------------------------
// The harness: a Router on a real Redis, without Telegram or workers

func TestMain(m *testing.M) { redistest.Run(m) }

// sent is one message the dialogs sent, as a chat shows it.
type sent struct {
	ID       int
	Chat     int64
	Text     string // HTML, or a caption
	Keyboard bot.Keyboard
	Edits    int
	Key      string
}

// recorder stands for the Sender, the outbox and the event queue: it keeps
// what the dialogs send, queue and push, in order, once per key or id (as
// the real ones do).
type recorder struct {
	mu       sync.Mutex
	msgs     []*sent
	byKey    map[string]*sent
	answers  []string
	menus    map[int64][]models.BotCommand
	outbox   []bot.Outgoing
	queued   map[string]bool
	events   []store.Event
	pushed   map[string]bool
	nextID   int
	failSend bool
}

func newRecorder() *recorder {
	return &recorder{byKey: map[string]*sent{}, menus: map[int64][]models.BotCommand{}, queued: map[string]bool{}, pushed: map[string]bool{}}
}

func (r *recorder) Send(_ context.Context, m bot.Message) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.Key != "" {
		if s := r.byKey[m.Key]; s != nil {
			return s.ID, nil
		}
	}
	if r.failSend {
		return 0, errors.New("telegram unavailable")
	}
	r.nextID++
	s := &sent{ID: r.nextID, Chat: m.ChatID, Text: m.Text, Keyboard: m.Keyboard, Key: m.Key}
	r.msgs = append(r.msgs, s)
	if m.Key != "" {
		r.byKey[m.Key] = s
	}
	return s.ID, nil
}

func (r *recorder) SendLong(ctx context.Context, m bot.Message) (int, error) { return r.Send(ctx, m) }

func (r *recorder) Edit(_ context.Context, chat int64, id int, text string, kb bot.Keyboard) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.msgs {
		if s.ID == id && s.Chat == chat {
			s.Text, s.Keyboard = text, kb
			s.Edits++
		}
	}
	return nil
}

func (r *recorder) EditKeyboard(_ context.Context, chat int64, id int, kb bot.Keyboard) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.msgs {
		if s.ID == id && s.Chat == chat {
			s.Keyboard = kb
		}
	}
	return nil
}

func (r *recorder) Answer(_ context.Context, _, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = append(r.answers, text)
	return nil
}

func (r *recorder) SendPhoto(ctx context.Context, chat int64, key, _ string, _ []byte, caption string) (int, error) {
	return r.Send(ctx, bot.Message{ChatID: chat, Key: key, Text: caption})
}

func (r *recorder) SendDocument(ctx context.Context, chat int64, key, _ string, _ []byte, caption string) (int, error) {
	return r.Send(ctx, bot.Message{ChatID: chat, Key: key, Text: caption})
}

func (r *recorder) SetChatCommands(_ context.Context, chat int64, cmds []models.BotCommand) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.menus[chat] = cmds
	return nil
}

// Enqueue stands for the outbox: queued once per key.
func (r *recorder) Enqueue(_ context.Context, m bot.Outgoing) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.queued[m.Key] {
		return false, nil
	}
	r.queued[m.Key] = true
	r.outbox = append(r.outbox, m)
	return true, nil
}

// Push stands for the inbox's lanes: pushed once per id.
func (r *recorder) Push(_ context.Context, ev store.Event) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pushed[ev.ID] {
		return false, nil
	}
	r.pushed[ev.ID] = true
	r.events = append(r.events, ev)
	return true, nil
}

// harness runs the dialogs of one Router.
type harness struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	clk    *clock.Fake
	rec    *recorder
	r      *Router
	sched  *reminders.Scheduler
	nextUp int64
}

// adviserID is the advisor of the harness's plans.
const adviserID = 500

var harnessStart = time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC) // a Monday

func newHarness(t *testing.T) *harness {
	t.Helper()
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	clk := clock.NewFake(harnessStart)
	rec := newRecorder()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	paris, _ := time.LoadLocation("Europe/Paris")
	sched := reminders.New(st, rec, clk.Now, log, reminders.Options{Zone: paris})
	r := New(Deps{Store: st, Send: rec, Outbox: rec, Events: rec, Sched: sched, Catalog: catalog.New(),
		Now: clk.Now, Log: log, DefaultZone: paris, BotUsername: "suivi_test_bot"})
	return &harness{t: t, ctx: context.Background(), st: st, clk: clk, rec: rec, r: r, sched: sched, nextUp: 1000}
}

// person is a beneficiary of the harness, joined and onboarded.
type person struct {
	h   *harness
	id  int64 // Telegram id
	ben string
}

// join stores a plan for name with these steps (title, owner, due) and
// has Telegram user id join it, onboarded and sharing, without a word.
func (h *harness) join(id int64, name string, steps ...domain.Step) *person {
	h.t.Helper()
	p := &domain.Plan{Beneficiary: domain.Person{Name: name, Timezone: "Europe/Paris", Language: domain.French}, AdvisorID: adviserID, Steps: steps}
	p.Normalize("Europe/Paris")
	inv, err := h.st.CreatePlan(h.ctx, p, h.clk.Now(), time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.st.RedeemInvite(h.ctx, inv.Code, id, h.clk.Now()); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.st.UpdateBeneficiary(h.ctx, p.ID, func(b *domain.Beneficiary) error {
		b.Onboarded, b.Consent, b.State = h.clk.Now(), domain.ConsentYes, domain.StateActive
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	return &person{h: h, id: id, ben: p.ID}
}

func (h *harness) update() *models.Update {
	h.nextUp++
	return &models.Update{ID: h.nextUp}
}

// says has the person send a text (or a command) and handles it.
func (p *person) says(text string) {
	p.h.t.Helper()
	u := p.h.update()
	u.Message = &models.Message{ID: int(u.ID), Text: text, Chat: models.Chat{ID: p.id, Type: models.ChatTypePrivate}, From: &models.User{ID: p.id, FirstName: "X"}}
	if err := p.h.r.HandleUpdate(p.h.ctx, u); err != nil {
		p.h.t.Fatalf("%q: %v", text, err)
	}
}

// sendsVoice has the person send a voice note (file id fileID) and
// handles it.
func (p *person) sendsVoice(fileID string) {
	p.h.t.Helper()
	u := p.h.update()
	u.Message = &models.Message{ID: int(u.ID), Voice: &models.Voice{FileID: fileID, Duration: 5},
		Chat: models.Chat{ID: p.id, Type: models.ChatTypePrivate}, From: &models.User{ID: p.id, FirstName: "X"}}
	if err := p.h.r.HandleUpdate(p.h.ctx, u); err != nil {
		p.h.t.Fatalf("voice: %v", err)
	}
}

// queuedFor returns what the outbox took for a chat, in order.
func (h *harness) queuedFor(chat int64) []bot.Outgoing {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	var out []bot.Outgoing
	for _, m := range h.rec.outbox {
		if m.ChatID == chat {
			out = append(out, m)
		}
	}
	return out
}

// presses presses the button labelled label on the newest message of the
// person's chat that has it, and handles the press.
func (p *person) presses(label string) {
	p.h.t.Helper()
	m, b := p.h.button(p.id, label)
	if m == nil {
		p.h.t.Fatalf("no button %q in chat %d:\n%s", label, p.id, p.h.chat(p.id))
	}
	u := p.h.update()
	u.CallbackQuery = &models.CallbackQuery{ID: fmt.Sprint(u.ID), From: models.User{ID: p.id}, Data: b.Data,
		Message: models.MaybeInaccessibleMessage{Message: &models.Message{ID: m.ID, Chat: models.Chat{ID: p.id, Type: models.ChatTypePrivate}}}}
	if err := p.h.r.HandleUpdate(p.h.ctx, u); err != nil {
		p.h.t.Fatalf("press %q: %v", label, err)
	}
}

// button finds the newest message of a chat with a button so labelled.
func (h *harness) button(chat int64, label string) (*sent, bot.Button) {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	for i := len(h.rec.msgs) - 1; i >= 0; i-- {
		m := h.rec.msgs[i]
		if m.Chat != chat {
			continue
		}
		for _, row := range m.Keyboard {
			for _, b := range row {
				if b.Text == label {
					return m, b
				}
			}
		}
	}
	return nil, bot.Button{}
}

// texts returns the texts sent to a chat (immediate replies and the
// outbox), in order.
func (h *harness) texts(chat int64) []string {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	var out []string
	for _, m := range h.rec.msgs {
		if m.Chat == chat {
			out = append(out, m.Text)
		}
	}
	for _, m := range h.rec.outbox {
		if m.ChatID == chat {
			out = append(out, m.Text)
		}
	}
	return out
}

func (h *harness) chat(chat int64) string { return strings.Join(h.texts(chat), "\n---\n") }

// saysSomething reports whether a chat got a text containing s.
func (h *harness) saysSomething(chat int64, s string) bool {
	for _, t := range h.texts(chat) {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// deliver handles the events pushed so far, in order, as their lanes
// would; it returns how many.
func (h *harness) deliver() int {
	h.t.Helper()
	n := 0
	for {
		h.rec.mu.Lock()
		if len(h.rec.events) == 0 {
			h.rec.mu.Unlock()
			return n
		}
		ev := h.rec.events[0]
		h.rec.events = h.rec.events[1:]
		h.rec.mu.Unlock()
		if err := h.r.HandleEvent(h.ctx, &ev); err != nil {
			h.t.Fatalf("event %s: %v", ev.ID, err)
		}
		n++
	}
}

// fire moves the clock to at and lets the scheduler push what is due.
func (h *harness) fire(at time.Time) {
	h.t.Helper()
	h.clk.Set(at)
	for {
		n, err := h.sched.RunOnce(h.ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (h *harness) plan(p *person) *domain.Plan {
	h.t.Helper()
	pl, err := h.st.Plan(h.ctx, p.ben)
	if err != nil {
		h.t.Fatal(err)
	}
	return pl
}

func (h *harness) state(p *person) *state {
	h.t.Helper()
	st, err := h.r.loadState(h.ctx, p.ben)
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

// dueGrace is the grace of a person's check-in of week as its event
// brings it to the lane.
func (h *harness) dueGrace(p *person, week domain.Week) reminders.Due {
	h.t.Helper()
	b, err := h.st.Beneficiary(h.ctx, p.ben)
	if err != nil {
		h.t.Fatal(err)
	}
	return reminders.Due{Kind: reminders.KindGrace, Ben: b, Plan: h.plan(p), Week: week}
}
