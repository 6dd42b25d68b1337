package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/telegramtest"
)

// One writer per beneficiary: what the scheduler, the advisor or the
// outbox change for someone happens in that person's lane, in turn with
// their own messages, so no conversation overwrites another.

// TestCheckinDueMidReplyKeepsBothConversations: the weekly check-in comes
// due while the beneficiary is writing to their advisor. The message still
// goes to the advisor (not into the check-in), and the check-in comes
// right after it.
func TestCheckinDueMidReplyKeepsBothConversations(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Awa", "", [2]string{"Refaire son CV", "2026-12-08"}), 7501, "Awa", true)
	u.SendText("/progres")
	answerCheckin(t, u, btnScore4)
	w.settle(t)
	relay := advisorWrites(t, w, u, "Awa, pouvez-vous m'envoyer votre CV ?")
	c := newTalk(t, u)
	if _, err := u.PressButton(relay.ID, "↩️ Répondre"); err != nil {
		t.Fatal(err)
	}
	c.expect(txtAnswerPrompt)

	// Monday 10:00: the check-in comes due while the answer is being written.
	w.clk.Set(mondayCheckin)
	w.settle(t)
	if n := len(containing(newerThan(u, c.mark), txtScoreQ)); n != 0 {
		t.Fatalf("the check-in cut into the message to the advisor:\n%s", dump(u.Messages()))
	}
	const answer = "Oui, je vous l'envoie ce soir."
	c.text(answer)
	c.expect(txtAnswerSent)
	c.expect(txtScoreQ)
	w.settle(t)
	if n := len(containing(w.adv.Messages(), answer)); n != 1 {
		t.Errorf("the advisor got the answer %d times, want once:\n%s", n, dump(w.adv.Messages()))
	}
	b := w.ben(t, u)
	for _, ci := range w.checkins(t, b.ID) {
		if strings.Contains(ci.Note, answer) {
			t.Errorf("the message to the advisor was taken as a check-in note (week %s)", ci.Week)
		}
	}
	// And the check-in goes on as usual.
	c.tap(txtScoreQ, btnScore4)
	c.expect(txtStepQ)
}

// TestAdvisorMessageMidCheckinComesBackToTheCheckin: the beneficiary
// answers a message of their advisor in the middle of a check-in; once it
// is sent, the check-in takes up where it was.
func TestAdvisorMessageMidCheckinComesBackToTheCheckin(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Awa", "", [2]string{"Refaire son CV", "2026-12-08"}), 7502, "Awa", true)
	u.SendText("/progres")
	answerCheckin(t, u, btnScore4)
	w.settle(t)
	w.clk.Set(mondayCheckin)
	w.settle(t)
	c := newTalk(t, u)
	c.mark = 0
	c.tap(txtScoreQ, btnScore4)
	c.expect(txtStepQ)
	relay := advisorWrites(t, w, u, "Une offre pour vous à la Mission Locale.")
	c.markNow()
	if _, err := u.PressButton(relay.ID, "↩️ Répondre"); err != nil {
		t.Fatal(err)
	}
	c.expect(txtAnswerPrompt)
	c.text("Merci, j'y vais demain.")
	c.expect(txtAnswerSent)
	// The step question comes again; the check-in finishes with taps.
	c.tap(txtStepQ, btnProgress)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtNextCheckin)
	w.settle(t)
	if n := len(containing(w.adv.Messages(), "Merci, j'y vais demain.")); n != 1 {
		t.Errorf("the advisor got the answer %d times, want once", n)
	}
	if n := len(forwards(w.adv)); n != 2 {
		t.Errorf("%d check-in forwards, want the two weeks'", n)
	}
}

// TestRelanceMidReplyWaitsForTheMessage: /relancer from the advisor, while
// the beneficiary writes to them, waits for the message too.
func TestRelanceMidReplyWaitsForTheMessage(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Awa", "", [2]string{"Refaire son CV", "2026-12-08"}), 7503, "Awa", true)
	u.SendText("/progres")
	answerCheckin(t, u, btnScore4)
	w.settle(t)
	w.clk.Set(mondayCheckin.Add(-time.Hour)) // a new week, before its check-in
	relay := advisorWrites(t, w, u, "On fait le point ?")
	c := newTalk(t, u)
	if _, err := u.PressButton(relay.ID, "↩️ Répondre"); err != nil {
		t.Fatal(err)
	}
	c.expect(txtAnswerPrompt)
	w.adv.SendText("/relancer Awa")
	w.settle(t)
	if n := len(containing(newerThan(u, c.mark), txtScoreQ)); n != 0 {
		t.Fatalf("/relancer cut into the message to the advisor:\n%s", dump(u.Messages()))
	}
	c.text("D'accord !")
	c.expect(txtAnswerSent)
	c.expect(txtScoreQ)
	w.settle(t)
	if n := len(containing(w.adv.Messages(), "D'accord !")); n != 1 {
		t.Errorf("the advisor got the answer %d times, want once", n)
	}
}

// TestBlockedAfterAPartialFirstAttemptStillTellsTheAdvisor: a beneficiary
// already marked blocked by an attempt that failed before the advisor was
// told (the process died): the next 403 finishes the job.
func TestBlockedAfterAPartialFirstAttemptStillTellsTheAdvisor(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Awa", "", [2]string{"Refaire son CV", "2026-12-08"}), 7504, "Awa", true)
	b := w.ben(t, u)
	ctx := context.Background()
	// What the first attempt left: the state changed, nothing else.
	if _, err := w.r.app.store.UpdateBeneficiary(ctx, b.ID, func(b *domain.Beneficiary) error {
		b.State, b.Blocks = domain.StateBlocked, b.Blocks+1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	u.Block()
	u.SendText("/plan") // its reply meets the 403
	w.settle(t)
	if n := len(containing(w.adv.Messages(), txtBlocked)); n != 1 {
		t.Fatalf("the advisor was told %d times that Awa blocked Suivi, want once:\n%s", n, dump(w.adv.Messages()))
	}
	if jobs := w.jobs(t, b.ID); len(jobs) != 0 {
		t.Errorf("reminders still scheduled after the block: %v", jobs)
	}
}

// TestAdvisorRevisionWaitsItsTurnInTheBeneficiarysLane: a step the
// advisor renames while the beneficiary's own message is being handled is
// changed after that message, in the beneficiary's lane, not at the same
// time from the advisor's.
func TestAdvisorRevisionWaitsItsTurnInTheBeneficiarysLane(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Awa", "", [2]string{"Refaire son CV", "2026-12-08"}), 7505, "Awa", true)
	id := w.ben(t, u).ID
	// Awa's /plan is being answered (Telegram holds the reply)...
	w.srv.InjectFault("sendMessage", u.ID(), 1, telegramtest.Fault{Hang: true})
	u.SendText("/plan")
	if err := w.srv.Wait(wait, func() bool { return w.srv.InFlight("sendMessage") > 0 }); err != nil {
		t.Fatal(err)
	}
	// ...when her advisor renames the step.
	step := func(label string) {
		t.Helper()
		m, err := w.adv.WaitMessage(wait, func(m telegramtest.Message) bool { return hasButton(m, label) })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.adv.PressButton(m.ID, label); err != nil {
			t.Fatal(err)
		}
	}
	w.adv.SendText("/modifier awa")
	step("⬜ Refaire son CV · 08/12")
	step(btnRvTitle)
	if _, err := w.adv.WaitMessage(wait, has("Nouveau titre")); err != nil {
		t.Fatal(err)
	}
	w.adv.SendText("Refaire son CV avec l'atelier")
	if _, err := w.adv.WaitMessage(wait, func(m telegramtest.Message) bool {
		return strings.Contains(m.PlainText, txtRvMenu) && hasButton(m, "⬜ Refaire son CV avec l'atelier · 08/12")
	}); err != nil {
		t.Fatalf("the advisor does not see the plan as it will be: %v", err)
	}
	if got := w.plan(t, id).Steps[0].Title; got != "Refaire son CV" {
		t.Fatalf("the plan changed to %q while Awa's own message was being handled", got)
	}
	w.srv.ReleaseHangs()
	w.settle(t)
	if got := w.plan(t, id).Steps[0].Title; got != "Refaire son CV avec l'atelier" {
		t.Fatalf("after Awa's message, the step is %q: the rename was lost", got)
	}
	step(btnRvDone)
	w.settle(t)
	notice, err := u.WaitMessage(wait, has("a mis à jour votre plan"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notice.PlainText, "« Refaire son CV » devient « Refaire son CV avec l'atelier »") {
		t.Errorf("notice: %s", notice.PlainText)
	}
}
