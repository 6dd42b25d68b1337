package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"suivi/domain"
)

// A 30-minute Bot API outage in the middle of a check-in: the answers given
// during it are kept, in order, handled once; nothing is parked; when
// Telegram is back the beneficiary gets each next question once, and the
// advisor one forward with every answer.
func TestTelegramOutageDuringACheckinLosesNoAnswer(t *testing.T) {
	w := newWorld(t)
	const (
		fle = "Inscription aux cours de FLE"
		cv  = "Refaire son CV"
	)
	u := w.enrol(t, stepPlan(t, "Moussa", frQuestion, [2]string{fle, "2026-12-04"}, [2]string{cv, "2026-12-08"}), 7401, "Moussa", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)
	w.runUntil(t, mondayCheckin)
	c.tap(txtCheckinIntro, btnScore4)
	c.expect(frQuestion)

	telegramDown(w.srv)
	q := c.tap(frQuestion, btnMuch)
	// Impatient, the beneficiary taps again: the buttons are still there.
	if _, err := u.PressButton(q.ID, btnMuch); err != nil {
		t.Fatal(err)
	}
	w.advance(t, 30*time.Minute, 30*time.Second)
	if got := containing(u.Messages(), fle); len(got) != 0 {
		t.Fatalf("a message got through the outage: %s", dump(got))
	}
	for name, q := range map[string]interface {
		Parked(context.Context, int64) ([]string, error)
	}{"inbox": w.r.app.store.Inbox(), "outbox": w.r.app.store.Outbox()} {
		if parked, _ := q.Parked(context.Background(), 10); len(parked) != 0 {
			t.Fatalf("%s: %d items parked during the outage: %v", name, len(parked), parked)
		}
	}

	w.srv.ClearFaults()
	w.advance(t, 6*time.Minute, 30*time.Second)
	c.tap(fle, btnDone)
	c.tap(cv, btnProgress)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanksHigh)
	w.settle(t)

	for _, s := range []string{frQuestion, fle, cv, txtNoteQ, txtHelpQ, txtThanksHigh} {
		if got := containing(u.Messages(), s); len(got) != 1 {
			t.Errorf("%d messages with %q, want 1:\n%s", len(got), s, dump(u.Messages()))
		}
	}
	ci := w.checkins(t, benID)
	if len(ci) != 1 || !ci[0].Done() || ci[0].Score != 4 || ci[0].AnswerChoice != domain.AnswerMuch {
		t.Fatalf("check-ins: %+v", ci)
	}
	fwd := one(t, w.adv, txtFwdTitle)
	for _, want := range []string{"4/5", "Beaucoup", fle + " : Fait", cv + " : En cours"} {
		if !strings.Contains(fwd.PlainText, want) {
			t.Errorf("forward lacks %q:\n%s", want, fwd.PlainText)
		}
	}
	for name, q := range map[string]interface {
		Parked(context.Context, int64) ([]string, error)
	}{"inbox": w.r.app.store.Inbox(), "outbox": w.r.app.store.Outbox()} {
		if parked, _ := q.Parked(context.Background(), 10); len(parked) != 0 {
			t.Errorf("%s: %d items parked: %v", name, len(parked), parked)
		}
	}
	if un := w.srv.UnansweredCallbacks(); len(un) != 0 {
		t.Errorf("button presses never answered: %v", un)
	}
}
