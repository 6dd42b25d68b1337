package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/telegramtest"
)

// A digest for an advisor with 30 beneficiaries followed for eight weeks:
// one message and one chart, every figure matching what is stored, the
// beneficiaries needing attention listed first; the weekly digest comes on
// Monday at 08:30, once, even across a restart.
func TestDigestThirtyBeneficiaries(t *testing.T) {
	start0 := time.Date(2037, 10, 4, 12, 0, 0, 0, paris) // a Sunday
	w := newWorldAt(t, start0, nil)
	clk, srv, e := w.clk, w.srv, w.e
	ctx := context.Background()

	cast := digestCast()
	var ids []string
	for i, p := range cast {
		code := importPlan(t, e, clk, writePlan(t, p.planYAML()))
		p.user = srv.NewUser(int64(8101+i), p.name)
		join(t, p.user, code, p.share)
		p.id = w.ben(t, p.user).ID
		ids = append(ids, p.id)
	}
	// Invited, never joined: not in the digest.
	importPlan(t, e, clk, writePlan(t, fmt.Sprintf("beneficiary: {name: Nora}\nadvisor: %d\nsteps:\n  - {title: Rien, due: 2037-12-01}\n", advisorID)))
	w.settle(t)

	monday := time.Date(2037, 10, 5, 10, 0, 0, 0, paris)
	for k := range 8 {
		w.runUntil(t, monday.AddDate(0, 0, 7*k))
		for _, p := range cast {
			w.act(t, p, p.weeks[k])
		}
		w.settle(t)
	}

	// The scenario went as meant (the buttons did their part).
	check := func(p *digestPerson, what string, ok bool) {
		t.Helper()
		if !ok {
			t.Fatalf("scenario: %s: %s", p.name, what)
		}
	}
	byName := map[string]*digestPerson{}
	for _, p := range cast {
		byName[p.name] = p
	}
	last := func(name string) domain.CheckIn {
		cis := w.checkins(t, byName[name].id)
		return cis[len(cis)-1]
	}
	check(byName["Awa"], "step done by button", w.plan(t, byName["Awa"].id).Steps[0].Status == domain.StatusDone)
	check(byName["Inès"], "step blocked by button", w.plan(t, byName["Inès"].id).Steps[0].Status == domain.StatusBlocked)
	check(byName["Moussa"], "help asked by button", last("Moussa").HelpAsked && last("Moussa").Score == 3)
	check(byName["Léo"], "score 5 by button", last("Léo").Score == 5 && w.ben(t, byName["Léo"].user).Consent == domain.ConsentNo)
	check(byName["Rayan"], "stopped", w.ben(t, byName["Rayan"].user).State == domain.StateStopped)
	sami := w.checkins(t, byName["Sami"].id)
	check(byName["Sami"], "score kept private by button", len(sami) == 8 && sami[6].ScorePrivate && sami[5].Score == 5)

	// Wednesday noon: the advisor asks for the digest.
	w.runUntil(t, time.Date(2037, 11, 25, 12, 0, 0, 0, paris))
	n := len(w.adv.Messages())
	c := newTalk(t, w.adv)
	c.text("/digest")
	c.expect(txtDigestTitle)
	if _, err := w.adv.WaitMessage(wait, func(m telegramtest.Message) bool { return m.Kind == "photo" && len(since(w.adv, n)) >= 2 }); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	got := since(w.adv, n)
	if len(got) != 2 || got[0].Kind != "text" || got[1].Kind != "photo" {
		t.Fatalf("/digest: want one text and one photo, got:\n%s", dump(got))
	}
	if !strings.Contains(got[1].PlainCaption, txtChartCaption) {
		t.Errorf("chart caption: %q", got[1].PlainCaption)
	}
	// Someone who never joined has no line of their own, only a name
	// among the invitations not opened yet.
	for _, l := range strings.Split(got[0].PlainText, "\n") {
		if strings.Contains(l, "Nora") && !strings.HasPrefix(l, "📨 1 invitation pas encore ouverte : Nora (il y a") {
			t.Errorf("a beneficiary who never joined is in the digest: %q", l)
		}
	}
	// A few lines computed by hand, so that the recomputation itself is checked.
	for _, want := range []string{
		"🔴 Moussa — 🙋 aide demandée · ⏰ 1 en retard · 📊 3/5 ↘ · dernier point il y a 2 j",
		"🔴 Inès — ⛔ 1 bloquée · 📊 2/5 ↘ · dernier point il y a 2 j",
		"🟢 Awa — 📊 4/5 ↗ · ✅ 1 faite · dernier point il y a 2 j",
		"🟢 Léo — 🔒 réponses privées · dernier point il y a 2 j",
		"🟢 Sami — 🔇 1 point sans réponse · 📊 5/5 ↗ · dernier point il y a 9 j",
		"🔴 Yanis — 🔇 8 points sans réponse · pas encore de point",
		"🔴 Malik — 🔇 2 points sans réponse · 🔒 réponses privées · dernier point il y a 16 j",
		"🔴 Rayan — 🛑 a arrêté les messages · 🔇 1 point sans réponse · 📊 3/5 → · dernier point il y a 37 j",
		"🔴 Karim — ⏰ 3 en retard · 📊 3/5 → · dernier point il y a 2 j",
		"🟢 Nadia — 📊 3/5 → · dernier point il y a 2 j",
		"🟢 Jade — ◐ 1 point répondu en partie · 📊 4/5 → · dernier point il y a 9 j",
		"🟢 Théo — 📊 3/5 · dernier point il y a 23 j",
	} {
		if !slices.Contains(strings.Split(got[0].PlainText, "\n"), want) {
			t.Errorf("digest lacks the line %q:\n%s", want, got[0].PlainText)
		}
	}
	bugs := checkDigest(t, "/digest", w.r.app.store, ids, clk.Now(), got[0], got[1])

	// Monday 08:30 in Paris: the weekly digest, once, through the outbox.
	mondayDigest := time.Date(2037, 11, 30, 8, 30, 0, 0, paris)
	n = len(w.adv.Messages())
	w.runUntil(t, mondayDigest)
	weekly := func() (texts, charts []telegramtest.Message) {
		for _, m := range since(w.adv, n) {
			switch {
			case m.Kind == "photo":
				charts = append(charts, m)
			case strings.Contains(m.PlainText, txtDigestTitle):
				texts = append(texts, m)
			}
		}
		return texts, charts
	}
	texts, charts := weekly()
	if len(texts) != 1 || len(charts) != 1 {
		t.Fatalf("Monday 08:30: %d digests and %d charts, want 1 and 1:\n%s", len(texts), len(charts), dump(since(w.adv, n)))
	}
	if !texts[0].Date.Equal(mondayDigest) || !charts[0].Date.Equal(mondayDigest) {
		t.Errorf("weekly digest at %s and %s, want %s", texts[0].Date, charts[0].Date, mondayDigest)
	}
	bugs = append(bugs, checkDigest(t, "Monday 08:30", w.r.app.store, ids, mondayDigest, texts[0], charts[0])...)

	// A new process on the same Redis: no second digest this Monday.
	w.r.shutdown(t)
	w.r = start(t, e, clk)
	w.settle(t)
	w.runUntil(t, mondayDigest.Add(time.Hour))
	if texts, charts := weekly(); len(texts) != 1 || len(charts) != 1 {
		t.Errorf("after a restart: %d digests and %d charts this Monday, want 1 and 1", len(texts), len(charts))
	}
	if _, err := w.r.app.store.Advisor(ctx, advisorID); err != nil {
		t.Fatal(err)
	}

	if len(bugs) > 0 {
		t.Errorf("a check-in still open and unanswered for two days or more counts as silence in the digest text "+
			"(🔇 n points sans réponse) but the chart draws it as a week without check-in, not grey « - » "+
			"(dialogs.ChartCell only counts closed check-ins); so the latest week of every non-responder, in every "+
			"Monday digest, is never grey. %d cells:\n%s", len(bugs), strings.Join(bugs, "\n"))
	}
}

// Help asked with the "Besoin d'aide" button of a step reminder alerts the
// advisor at once, and the digest lists that person among those who asked
// for help, first.
func TestDigestShowsHelpAskedOnAStepReminder(t *testing.T) {
	w := newWorldAt(t, time.Date(2037, 3, 1, 11, 0, 0, 0, paris), nil)
	awa := w.enrol(t, writePlan(t, fmt.Sprintf("beneficiary: {name: Awa, timezone: Europe/Paris}\nadvisor: %d\nsteps:\n  - {title: Refaire son CV, due: 2037-03-05}\n", advisorID)), 9401, "Awa", true)
	w.enrol(t, writePlan(t, fmt.Sprintf("beneficiary: {name: Karim, timezone: Europe/Paris}\nadvisor: %d\nsteps:\n  - {title: Atelier CV, due: 2037-03-02}\n", advisorID)), 9402, "Karim", true)

	// Monday 10:00: the reminder three days before; Awa asks for help on it.
	w.runUntil(t, time.Date(2037, 3, 2, 10, 0, 0, 0, paris))
	c := newTalk(t, awa)
	c.mark = 0
	c.tap("Refaire son CV", "🙋 Besoin d'aide")
	c.expectEdit("votre conseiller va revenir vers vous")
	w.settle(t)
	if len(containing(w.adv.Messages(), "Awa demande de l'aide")) != 1 {
		t.Fatalf("no help alert:\n%s", dump(w.adv.Messages()))
	}

	w.runUntil(t, time.Date(2037, 3, 4, 12, 0, 0, 0, paris))
	got := w.say(t, w.adv, "/digest")
	lines := strings.Split(got[0].PlainText, "\n")
	if len(got) != 2 || len(lines) != 5 {
		t.Fatalf("/digest: want a text of two lines and a chart, got:\n%s", dump(got))
	}
	line := map[string]string{}
	for _, l := range lines[3:] {
		_, rest, _ := strings.Cut(l, " ")
		name, _, _ := strings.Cut(rest, " — ")
		line[name] = l
	}
	if !strings.HasPrefix(line["Karim"], "🟠 Karim — ⏰ 1 en retard") {
		t.Errorf("Karim's line: %q", line["Karim"])
	}
	if line["Awa"] == "" {
		t.Fatalf("Awa is not in the digest:\n%s", got[0].PlainText)
	}
	if !strings.HasPrefix(line["Awa"], "🔴 Awa — 🙋 aide demandée") || lines[3] != line["Awa"] {
		t.Errorf("help asked with a step reminder's « Besoin d'aide » button (dialogs/steps.go st:help) is only "+
			"alerted, never recorded: two days later the digest (and /beneficiaires) show no « 🙋 aide demandée » "+
			"and do not list Awa first; Case.Help only looks at check-ins. Digest:\n%s", got[0].PlainText)
	}
}
