package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"suivi/internal/clock"
	"suivi/planfile"
	"suivi/telegramtest"
)

// A plan is imported, the beneficiary joins through the invite and sees the
// whole plan; the code works only once; strangers change nothing.
func TestInviteJoinAndPlan(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	clk := clock.NewFake(t0)
	e := baseEnv(t, srv)
	const example = "../../examples/fle-electricien.yaml"
	code := importPlan(t, e, clk, example)
	r := start(t, e, clk)
	rdb := r.app.rdb

	// The menu is published in French (default) and English.
	if err := srv.WaitCalls(wait, func(cs []telegramtest.Call) bool { return len(srv.Commands("")) > 0 && len(srv.Commands("en")) > 0 }); err != nil {
		t.Fatalf("setMyCommands: %v", err)
	}
	if c := srv.Commands(""); c[0].Command != "plan" || !strings.Contains(c[0].Description, "plan") {
		t.Fatalf("French commands: %+v", c)
	}

	moussa := srv.NewUser(5001, "Moussa")
	// Welcomed, then the welcome questions (they come before anything else).
	join(t, moussa, code, true)
	if _, err := moussa.WaitMessage(wait, has("Bienvenue Moussa")); err != nil {
		t.Fatal(err)
	}
	before := len(moussa.Messages())
	moussa.SendText("/plan")
	if _, err := moussa.WaitMessage(wait, has("Votre plan d'action")); err != nil {
		t.Fatal(err)
	}
	data, err := readPlanFile(example)
	if err != nil {
		t.Fatal(err)
	}
	p, err := planfile.Parse(data, "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the last step's title: the plan may come in several messages.
	last := p.Steps[len(p.Steps)-1].Title
	if _, err := moussa.WaitMessage(wait, has(last)); err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	for _, m := range moussa.Messages()[before:] {
		shown.WriteString(m.PlainText + "\n")
	}
	for _, s := range p.Steps {
		if !strings.Contains(shown.String(), s.Title) {
			t.Errorf("/plan does not show step %q", s.Title)
		}
	}
	// Dates are shown in words, in French.
	if !strings.Contains(shown.String(), "mardi 12 janvier 2027 à 09:30") {
		t.Errorf("/plan does not show the first due date in French:\n%s", shown.String())
	}

	// The same code a second time, by someone else: refused, nothing changes.
	snap := domainSnapshot(t, rdb)
	other := srv.NewUser(5002, "Léa")
	other.SendText("/start " + code)
	if _, err := other.WaitMessage(wait, has("déjà servi")); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, "a used code", snap, domainSnapshot(t, rdb))

	// A stranger's /start, and other messages: explained, nothing changes.
	stranger := srv.NewUser(5003, "Inconnu")
	stranger.SendText("/start")
	if _, err := stranger.WaitMessage(wait, has("lien personnel")); err != nil {
		t.Fatal(err)
	}
	stranger.SendText("/plan")
	stranger.SendText("/start pas-un-code")
	stranger.SendSticker()
	if _, err := stranger.WaitMessage(wait, has("Je ne reconnais pas ce lien")); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitCalls(wait, func([]telegramtest.Call) bool { return len(stranger.Messages()) == 4 }); err != nil {
		t.Fatalf("a stranger's message went unanswered: %v", stranger.Messages())
	}
	sameSnapshot(t, "a stranger", snap, domainSnapshot(t, rdb))
}

// Any message from a known user gets an answer: text, sticker, photo,
// voice, unknown command, /aide. A text or a voice note outside a flow is
// offered to the advisor (see journeys_b_test.go).
func TestEveryMessageGetsAnAnswer(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	clk := clock.NewFake(t0)
	e := baseEnv(t, srv)
	code := importPlan(t, e, clk, "../../examples/permis-mobilite.yaml")
	start(t, e, clk)
	u := srv.NewUser(6001, "Karim")
	join(t, u, code, true) // during the welcome, see TestJourneyCommandDuringOnboardingFinishesItFirst
	cases := []struct {
		send func()
		want string
	}{
		{func() { u.SendText("Bonjour, j'ai une question") }, "envoie ce message"},
		{func() { u.SendSticker() }, "ce type de message"},
		{func() { u.SendPhoto() }, "ce type de message"},
		{func() { u.SendVoice(4) }, "envoie ce message"},
		{func() { u.SendText("/nimportequoi") }, "Je ne connais pas cette commande"},
		{func() { u.SendText("/aide") }, "/progres"},
		{func() { u.SendText(strings.Repeat("très long message ", 240)) }, "envoie ce message"},
	}
	for i, c := range cases {
		n := len(u.Messages())
		c.send()
		if err := srv.WaitCalls(wait, func([]telegramtest.Call) bool { return len(u.Messages()) > n }); err != nil {
			t.Fatalf("case %d: no answer", i)
		}
		if got := u.Messages()[n].PlainText; !strings.Contains(got, c.want) {
			t.Errorf("case %d: answer %q does not contain %q", i, got, c.want)
		}
	}
}

// A plan too long for one message comes in several, each valid for
// Telegram (the fake rejects over 4096 characters and broken HTML), with
// every step and the user's special characters intact.
func TestLongPlanIsSplitAndEscaped(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	clk := clock.NewFake(t0)
	e := baseEnv(t, srv)
	var b strings.Builder
	b.WriteString("beneficiary: {name: \"Zoé <&> \\\"Z\\\"\"}\nadvisor: 111\nsteps:\n")
	for i := range 40 {
		fmt.Fprintf(&b, "  - title: \"Étape %d <b>pas du HTML</b> & co\"\n    objective: \"%s\"\n    due: 2027-01-%02d\n    resources: [\"R&D <x>\", \"Greta\"]\n",
			i+1, strings.Repeat("objectif très détaillé & <précis> ", 17), i%28+1)
	}
	path := filepath.Join(t.TempDir(), "long.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code := importPlan(t, e, clk, path)
	start(t, e, clk)
	u := srv.NewUser(9001, "Zoé")
	join(t, u, code, true)
	if _, err := u.WaitMessage(wait, has("Bienvenue Zoé <&>")); err != nil {
		t.Fatal(err)
	}
	n := len(u.Messages())
	u.SendText("/plan")
	if _, err := u.WaitMessage(wait, has("40. Étape")); err != nil {
		t.Fatal(err)
	}
	parts := u.Messages()[n:]
	if len(parts) < 3 {
		t.Fatalf("plan sent in %d messages, expected it split", len(parts))
	}
	var all strings.Builder
	for _, m := range parts {
		all.WriteString(m.PlainText + "\n")
	}
	for i := range 40 {
		if !strings.Contains(all.String(), fmt.Sprintf("Étape %d <b>pas du HTML</b> & co", i+1)) {
			t.Errorf("step %d missing or mangled", i+1)
		}
	}
	for _, c := range srv.CallsTo("sendMessage") {
		if c.Done && c.Status != 200 {
			t.Errorf("Telegram refused a part: %d %s", c.Status, c.Error)
		}
	}
}
