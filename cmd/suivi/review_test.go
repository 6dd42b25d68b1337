package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/telegramtest"
)

// Regression tests for defects found in review: consent given in the middle
// of a check-in, a closed accompaniment reopened by the beneficiary, and
// updates handled again after a failed send (each must repeat its replies
// once and change nothing twice).

// Answers given while not sharing stay private when the beneficiary starts
// sharing before the end of the same check-in.
func TestConsentGivenMidCheckinKeepsEarlierAnswersPrivate(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Nora", frQuestion, [2]string{cv, "2026-12-08"}), 7401, "Nora", false)
	c := newTalk(t, u)
	c.text("/progres")
	c.tap(txtScoreQ, btnScore4)
	c.expect(frQuestion)
	c.text("SECRET-ANSWER")
	c.expect(cv)
	// Now the beneficiary chooses to share.
	c.text("/confidentialite")
	c.tap("Confidentialité", "✅ Oui, je partage mes réponses")
	c.mark = 0 // the step question came before
	c.tap(cv, btnProgress)
	c.text("SECRET-NOTE")
	c.tap(txtShareQ, btnShare) // asked now that they share: this note is shared
	c.tap(txtHelpQ, btnHelpNo)
	w.settle(t)
	fwd := one(t, w.adv, txtFwdTitle)
	for _, secret := range []string{"SECRET-ANSWER", "4/5", "Progrès"} {
		if strings.Contains(fwd.PlainText, secret) {
			t.Errorf("the forward reveals %q, given while not sharing:\n%s", secret, fwd.PlainText)
		}
	}
	if !strings.Contains(fwd.PlainText, "SECRET-NOTE") {
		t.Errorf("the note given while sharing is missing:\n%s", fwd.PlainText)
	}
}

// A closed accompaniment cannot be reopened by the beneficiary: pause,
// resume, stop then start keep it closed, with its after-care and the
// deletion scheduled.
func TestClosedAccompanimentStaysClosed(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Nora", "", [2]string{"Refaire son CV", "2026-12-08"}), 7402, "Nora", true)
	benID := w.ben(t, u).ID
	w.adv.SendText("/cloturer nora")
	press(t, w.adv, "✅ Oui, clôturer pour Nora")
	if _, err := w.adv.WaitMessage(wait, has("clôturé")); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	c := newTalk(t, u)
	for _, cmd := range []string{"/pause", "/reprendre", "/stop", "/start", "/reprendre"} {
		c.text(cmd)
		w.settle(t)
	}
	b := w.ben(t, u)
	if b.State != domain.StateClosed || b.Ended.IsZero() {
		t.Fatalf("state %s, ended %v: the accompaniment was reopened", b.State, b.Ended)
	}
	jobs := w.jobs(t, benID)
	if !hasJob(jobs, "x", benID, 0) || !hasJob(jobs, "f", benID, 0) || len(jobs) != 2 {
		t.Fatalf("jobs after closing and the beneficiary's commands: %v", jobs)
	}
	if got := len(containing(u.Messages(), "Votre accompagnement est terminé")); got < 2 {
		t.Errorf("the beneficiary should be told the accompaniment has ended (%d times)", got)
	}
}

// The press that completes a check-in, handled again because the thank-you
// failed (502): the thank-you comes once, the advisor's forward once.
func TestCompletingPressRetriedThanksOnce(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Nora", "", [2]string{cv, "2026-12-08"}), 7403, "Nora", true)
	c := newTalk(t, u)
	c.text("/progres")
	c.tap(txtScoreQ, btnScore4)
	c.tap(cv, btnProgress)
	c.tap(txtNoteQ, btnNothing)
	c.expect(txtHelpQ)
	w.srv.InjectFault("sendMessage", u.ID(), 1, telegramtest.Fault{Status: http.StatusBadGateway})
	c.tap(txtHelpQ, btnHelpNo)
	retryAfterBackoff(t, w)
	if got := containing(u.Messages(), txtThanksHigh); len(got) != 1 {
		t.Fatalf("thank-you %d times:\n%s", len(got), dump(u.Messages()))
	}
	if got := forwards(w.adv); len(got) != 1 {
		t.Fatalf("forward %d times", len(got))
	}
	if un := w.srv.UnansweredCallbacks(); len(un) != 0 {
		t.Errorf("unanswered presses: %v", un)
	}
}

// An onboarding press handled again because the next question failed
// (502): the next question comes, once, and onboarding goes on.
func TestOnboardingPressRetriedAsksNextOnce(t *testing.T) {
	w := newWorld(t)
	code := importPlan(t, w.e, w.clk, stepPlan(t, "Nora", "", [2]string{"Refaire son CV", "2026-12-08"}))
	u := w.srv.NewUser(7404, "Nora")
	u.SendText("/start " + code)
	m, err := u.WaitMessage(wait, has("Acceptez-vous"))
	if err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	w.srv.InjectFault("sendMessage", u.ID(), 1, telegramtest.Fault{Status: http.StatusBadGateway})
	if _, err := u.PressButton(m.ID, "✅ Oui, je partage mes réponses"); err != nil {
		t.Fatal(err)
	}
	retryAfterBackoff(t, w)
	if got := containing(u.Messages(), "Dans quelle langue"); len(got) != 1 {
		t.Fatalf("language question %d times:\n%s", len(got), dump(u.Messages()))
	}
	press(t, u, "🇫🇷 Français")
	press(t, u, "✅ Oui, c'est ça")
	if _, err := u.WaitMessage(wait, has("Quel jour vous convient")); err != nil {
		t.Fatal(err)
	}
}

// "+1 jour" handled again because its confirmation failed (502): the step
// moves by one day, not two.
func TestPostponePressRetriedMovesOnce(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Nora", "", [2]string{cv, "2026-12-08"}), 7405, "Nora", true)
	benID := w.ben(t, u).ID
	w.runUntil(t, time.Date(2026, 12, 5, 12, 0, 0, 0, paris)) // the -3d reminder
	c := newTalk(t, u)
	c.mark = 0
	c.tap(cv, "📅 Reporter")
	w.settle(t)
	w.srv.InjectFault("editMessageText", u.ID(), 1, telegramtest.Fault{Status: http.StatusBadGateway})
	c.mark = 0
	c.tap("Reporter", "+1 jour")
	retryAfterBackoff(t, w)
	if due := w.plan(t, benID).Steps[0].Due.Date; due != (domain.Date{Year: 2026, Month: 12, Day: 9}) {
		t.Fatalf("due %s, want 2026-12-09 (moved once)", due)
	}
}

// "Créer le plan" handled again because the link failed (502): one plan
// is stored, and the link and QR code that arrive name the same invite.
func TestCreatePlanPressRetriedStoresOnePlan(t *testing.T) {
	w := newWorld(t)
	addAdvisor(t, w.e, advisorID, "Claire")
	w.adv.SendText("/nouveauplan")
	if _, err := w.adv.WaitMessage(wait, has("Comment s'appelle")); err != nil {
		t.Fatal(err)
	}
	w.adv.SendText("Nora")
	press(t, w.adv, "📄 Plan vide")
	if _, err := w.adv.WaitMessage(wait, has("Ajoutez des étapes")); err != nil {
		t.Fatal(err)
	}
	w.adv.SendText("20/12 Refaire son CV")
	press(t, w.adv, "➡️ Continuer")
	press(t, w.adv, "Chaque semaine")
	press(t, w.adv, "Sans question")
	press(t, w.adv, "Pas encore de date")
	if _, err := w.adv.WaitMessage(wait, has("On le crée")); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	w.srv.InjectFault("sendMessage", advisorID, 1, telegramtest.Fault{Status: http.StatusBadGateway})
	press(t, w.adv, "✅ Créer le plan")
	retryAfterBackoff(t, w)
	ids, err := w.r.app.store.AdvisorBeneficiaries(context.Background(), advisorID)
	if err != nil || len(ids) != 1 {
		t.Fatalf("plans stored: %v %v", ids, err)
	}
	links := containing(w.adv.Messages(), "Plan créé pour Nora")
	if len(links) != 1 {
		t.Fatalf("link sent %d times", len(links))
	}
	qr, err := w.adv.WaitMessage(wait, func(m telegramtest.Message) bool { return m.Kind == "photo" })
	if err != nil {
		t.Fatal(err)
	}
	_ = qr
	code := links[0].PlainText[strings.Index(links[0].PlainText, "?start=")+7:]
	code = strings.Fields(code)[0]
	// The link works.
	u := w.srv.NewUser(7406, "Nora")
	join(t, u, code, true)
}
