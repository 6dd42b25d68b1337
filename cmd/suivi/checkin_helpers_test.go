package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/internal/clock"
	"suivi/telegramtest"
)

// Texts the check-in and control tests match on (catalog/fr.go).
const (
	txtCheckinIntro = "C'est le moment de faire le point"
	txtScoreQ       = "Quels progrès cette semaine"
	txtStepQ        = "Où en êtes-vous ?"
	txtNoteQ        = "Voulez-vous ajouter quelque chose"
	txtShareQ       = "Je transmets ce message à votre conseiller ?"
	txtHelpQ        = "Avez-vous besoin d'aide"
	txtThanks       = "Merci d'avoir fait le point"
	txtThanksHigh   = "Bravo pour cette semaine"
	txtShared       = "Vos réponses sont transmises"
	txtNotShared    = "Votre conseiller saura seulement que vous avez fait le point"
	txtClosed       = "Cette question est close. Merci !"
	txtFwdTitle     = "Point de suivi de"
	txtFwdPrivate   = "a fait son point de suivi"
	txtBlocked      = "a bloqué Suivi sur Telegram"
	txtHelpAlert    = "demande de l'aide"

	btnScore4   = "🙂 Bien"
	btnKeep     = "🔒 Garder pour moi"
	btnSkip     = "⏭️ Passer"
	btnMuch     = "👍 Beaucoup"
	btnSome     = "👌 Un peu"
	btnDone     = "✅ Fait"
	btnProgress = "🔄 En cours"
	btnTodo     = "⬜ À faire"
	btnNothing  = "Rien à ajouter"
	btnShare    = "✅ Oui, transmettre"
	btnHelpYes  = "🙋 Oui, j'aimerais de l'aide"
	btnHelpNo   = "👍 Non, ça va"
)

// paris is the zone of the test plans.
var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// mondayCheckin is the first scheduled check-in after t0 (Sunday 22
// November 2026): Monday 23 November, 10:00 in Paris (the default rhythm).
var mondayCheckin = time.Date(2026, 11, 23, 10, 0, 0, 0, paris)

// stepPlan writes a plan for name with the plan's own check-in question
// and the given steps (title and due date), in Paris, for advisorID.
func stepPlan(t *testing.T, name, question string, steps ...[2]string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "beneficiary: {name: %s, timezone: Europe/Paris}\nadvisor: %d\n", name, advisorID)
	if question != "" {
		fmt.Fprintf(&b, "checkin: {question: %q}\n", question)
	}
	b.WriteString("steps:\n")
	for _, s := range steps {
		fmt.Fprintf(&b, "  - {title: %q, due: %s}\n", s[0], s[1])
	}
	return writePlan(t, b.String())
}

// world is a running Suivi with the fake Telegram, a fake clock at t0 and
// the advisor's chat.
type world struct {
	clk *clock.Fake
	srv *telegramtest.Server
	e   env
	r   *running
	adv *telegramtest.User
}

func newWorld(t *testing.T) *world {
	t.Helper()
	clk := clock.NewFake(t0)
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	t.Cleanup(srv.Close)
	e := baseEnv(t, srv)
	r := start(t, e, clk)
	return &world{clk: clk, srv: srv, e: e, r: r, adv: srv.NewUser(advisorID, "Claire")}
}

// enrol imports a plan file and has a new user join it.
func (w *world) enrol(t *testing.T, path string, id int64, name string, share bool) *telegramtest.User {
	t.Helper()
	code := importPlan(t, w.e, w.clk, path)
	u := w.srv.NewUser(id, name)
	join(t, u, code, share)
	w.r.settle(t, w.clk)
	return u
}

func (w *world) settle(t *testing.T)                  { t.Helper(); w.r.settle(t, w.clk) }
func (w *world) runUntil(t *testing.T, end time.Time) { t.Helper(); w.r.runUntil(t, w.clk, end) }

// ben returns the stored beneficiary linked to u.
func (w *world) ben(t *testing.T, u *telegramtest.User) *domain.Beneficiary {
	t.Helper()
	b, err := w.r.app.store.BeneficiaryByTelegram(context.Background(), u.ID())
	if err != nil {
		t.Fatalf("beneficiary of %d: %v", u.ID(), err)
	}
	return b
}

func (w *world) plan(t *testing.T, benID string) *domain.Plan {
	t.Helper()
	p, err := w.r.app.store.Plan(context.Background(), benID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (w *world) checkins(t *testing.T, benID string) []domain.CheckIn {
	t.Helper()
	cs, err := w.r.app.store.CheckIns(context.Background(), benID)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (w *world) jobs(t *testing.T, benID string) map[string]time.Time {
	t.Helper()
	j, err := w.r.app.store.Jobs(context.Background(), benID)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// snapshot is everything Suivi keeps about a beneficiary, as JSON: profile,
// plan, check-ins, conversation state and scheduled jobs.
func (w *world) snapshot(t *testing.T, benID string) string {
	t.Helper()
	ctx := context.Background()
	st := w.r.app.store
	b, err := st.Beneficiary(ctx, benID)
	if err != nil {
		t.Fatal(err)
	}
	dialog, err := st.DialogState(ctx, benID)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(map[string]any{
		"profile": b, "plan": w.plan(t, benID), "checkins": w.checkins(t, benID),
		"dialog": string(dialog), "jobs": w.jobs(t, benID),
	}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// botMessages returns the bot's messages of u's chat whose text or caption
// contains s.
func botMessages(u *telegramtest.User, s string) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range u.Messages() {
		if strings.Contains(m.PlainText, s) || strings.Contains(m.PlainCaption, s) {
			out = append(out, m)
		}
	}
	return out
}

// voices returns the voice notes the bot sent to u's chat.
func voices(u *telegramtest.User) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range u.Messages() {
		if m.Kind == "voice" {
			out = append(out, m)
		}
	}
	return out
}

// one returns the only bot message of u's chat containing s, failing the
// test if there are none or several.
func one(t *testing.T, u *telegramtest.User, s string) telegramtest.Message {
	t.Helper()
	ms := botMessages(u, s)
	if len(ms) != 1 {
		t.Fatalf("chat %d: %d messages containing %q, want exactly 1:\n%s", u.ID(), len(ms), s, dump(u.Messages()))
	}
	return ms[0]
}

func dump(ms []telegramtest.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("  " + m.String() + "\n")
	}
	return b.String()
}

// talk follows one beneficiary's chat in order: every wait is for a bot
// message newer than the last thing acted on, so a question answered
// earlier (whose buttons may still show) is never taken for the next one.
type talk struct {
	t    *testing.T
	u    *telegramtest.User
	mark int
}

func newTalk(t *testing.T, u *telegramtest.User) *talk {
	c := &talk{t: t, u: u}
	c.markNow()
	return c
}

// markNow makes only messages from now on count as new.
func (c *talk) markNow() {
	for _, m := range c.u.Messages() {
		c.mark = max(c.mark, m.ID)
	}
	for _, m := range c.u.UserMessages() {
		c.mark = max(c.mark, m.ID)
	}
}

// expect waits for a new bot message containing s.
func (c *talk) expect(s string) telegramtest.Message {
	c.t.Helper()
	m, err := c.u.WaitMessage(wait, func(m telegramtest.Message) bool { return m.ID > c.mark && strings.Contains(m.PlainText, s) })
	if err != nil {
		c.t.Fatalf("waiting for %q after message %d: %v", s, c.mark, err)
	}
	return m
}

// tap presses label on the newest new bot message that contains s and
// offers it, and returns that message as it was.
func (c *talk) tap(s, label string) telegramtest.Message {
	c.t.Helper()
	match := func(m telegramtest.Message) bool {
		return m.ID > c.mark && strings.Contains(m.PlainText, s) && hasButton(m, label)
	}
	if _, err := c.u.WaitMessage(wait, match); err != nil {
		c.t.Fatalf("no new message with %q and button %q: %v", s, label, err)
	}
	msgs := c.u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if match(msgs[i]) {
			if _, err := c.u.PressButton(msgs[i].ID, label); err != nil {
				c.t.Fatalf("press %q: %v", label, err)
			}
			c.mark = msgs[i].ID
			return msgs[i]
		}
	}
	c.t.Fatalf("button %q vanished", label)
	return telegramtest.Message{}
}

// text sends a text message; what follows answers it.
func (c *talk) text(s string) {
	c.u.SendText(s)
	c.markSent()
}

// voice sends a voice note and returns its file id.
func (c *talk) voice() string {
	_, id := c.u.SendVoice(5)
	c.markSent()
	return id
}

// markSent makes only the answers to the user's last message count as new.
func (c *talk) markSent() {
	ms := c.u.UserMessages()
	c.mark = ms[len(ms)-1].ID
}

// expectEdit waits until the message last tapped on reads s (its buttons
// were answered in place).
func (c *talk) expectEdit(s string) telegramtest.Message {
	c.t.Helper()
	m, err := c.u.WaitMessage(wait, func(m telegramtest.Message) bool { return m.ID == c.mark && strings.Contains(m.PlainText, s) })
	if err != nil {
		c.t.Fatalf("message %d never read %q: %v", c.mark, s, err)
	}
	return m
}

// answerCount is how many callback answers the bot gave so far.
func answerCount(srv *telegramtest.Server) int { return len(srv.CallsTo("answerCallbackQuery")) }

// forge presses forged callback data on message msgID of u's chat and
// returns the text the bot answered the callback with.
func forge(t *testing.T, srv *telegramtest.Server, u *telegramtest.User, msgID int, data string) string {
	t.Helper()
	n := answerCount(srv)
	u.PressData(msgID, data)
	return callbackAnswer(t, srv, n)
}

// callbackAnswer waits until every callback query was answered and one
// more answer than n was given, and returns the text of answer n.
func callbackAnswer(t *testing.T, srv *telegramtest.Server, n int) string {
	t.Helper()
	err := srv.Wait(wait, func() bool {
		calls := srv.CallsTo("answerCallbackQuery")
		return len(calls) > n && calls[n].Done && len(srv.UnansweredCallbacks()) == 0
	})
	if err != nil {
		t.Fatalf("callback not answered: %v (unanswered %v)", err, srv.UnansweredCallbacks())
	}
	c := srv.CallsTo("answerCallbackQuery")[n]
	if c.Status != 200 {
		t.Fatalf("answerCallbackQuery refused: %d %s", c.Status, c.Error)
	}
	return c.Params["text"]
}

// sendsTo returns the calls to method addressed to chat.
func sendsTo(srv *telegramtest.Server, method string, chat int64) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range srv.CallsTo(method) {
		if c.Params["chat_id"] == strconv.FormatInt(chat, 10) {
			out = append(out, c)
		}
	}
	return out
}

// hasJob reports whether a beneficiary has a job of kind code ("r"
// reminder, "o" nudge, "c" check-in, "p" end of pause), for step (0: none).
func hasJob(jobs map[string]time.Time, code, benID string, step int) bool {
	m := code + "|" + benID
	if step > 0 {
		m += "|" + strconv.Itoa(step)
	}
	_, ok := jobs[m]
	return ok
}

// joinQuiet is join with another choice of quiet hours (a button label of
// the French onboarding).
func joinQuiet(t *testing.T, u *telegramtest.User, code string, share bool, quiet string) {
	t.Helper()
	u.SendText("/start " + code)
	if share {
		press(t, u, "✅ Oui, je partage mes réponses")
	} else {
		press(t, u, "🔒 Non, je les garde pour moi")
	}
	press(t, u, "🇫🇷 Français")
	press(t, u, "✅ Oui, c'est ça")
	m, err := u.WaitMessage(wait, has("Quel jour vous convient"))
	if err != nil {
		t.Fatal(err)
	}
	keep := m.Keyboard[0][0].Text
	if !strings.HasPrefix(keep, "Comme prévu") {
		t.Fatalf("first rhythm button is %q", keep)
	}
	press(t, u, keep)
	press(t, u, quiet)
	if _, err := u.WaitMessage(wait, has("C'est noté, merci")); err != nil {
		t.Fatal(err)
	}
}

// isDigest reports whether an advisor message belongs to the weekly
// digest (its text or its chart).
func isDigest(m telegramtest.Message) bool {
	return strings.Contains(m.PlainText, "Votre point de la semaine") || strings.Contains(m.PlainCaption, "Scores des")
}

// news returns the advisor's messages other than the weekly digest.
func news(adv *telegramtest.User) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range adv.Messages() {
		if !isDigest(m) {
			out = append(out, m)
		}
	}
	return out
}

// forwards returns the advisor's check-in forwards, shared or private.
func forwards(adv *telegramtest.User) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range adv.Messages() {
		if strings.Contains(m.PlainText, txtFwdTitle) || strings.Contains(m.PlainText, txtFwdPrivate) {
			out = append(out, m)
		}
	}
	return out
}

// messageByID returns the bot message id of u's chat as it is now.
func messageByID(u *telegramtest.User, id int) telegramtest.Message {
	for _, m := range u.Messages() {
		if m.ID == id {
			return m
		}
	}
	return telegramtest.Message{}
}
