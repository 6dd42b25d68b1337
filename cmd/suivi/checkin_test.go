package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/telegramtest"
)

// A check-in answered with buttons only, at its scheduled time: the step
// marked done is done in the shared plan (with its history) and its
// reminders stop, the one in progress goes on; the advisor gets exactly one
// forward with everything shared; the beneficiary is thanked.
func TestCheckinWithButtonsOnly(t *testing.T) {
	w := newWorld(t)
	const (
		fle = "Inscription aux cours de FLE"
		cv  = "Refaire son CV"
		ml  = "Appeler la Mission Locale"
	)
	u := w.enrol(t, stepPlan(t, "Moussa", frQuestion,
		[2]string{fle, "2026-12-04"}, [2]string{cv, "2026-12-08"}, [2]string{ml, "2026-12-11"}), 7301, "Moussa", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	w.runUntil(t, mondayCheckin)
	ask := c.expect(txtCheckinIntro)
	if !ask.Date.Equal(mondayCheckin) || !strings.Contains(ask.PlainText, txtScoreQ) {
		t.Fatalf("check-in at %s, want %s, with the score question: %q", ask.Date, mondayCheckin, ask.PlainText)
	}
	c.tap(txtCheckinIntro, btnScore4)
	c.tap(frQuestion, btnMuch)
	c.tap(fle, btnDone)
	c.expectEdit("Bravo")
	c.tap(cv, btnProgress)
	c.tap(ml, btnSkip)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	thanks := c.expect(txtThanksHigh)
	if !strings.Contains(thanks.PlainText, txtShared) {
		t.Errorf("the thank-you should say the answers are passed on: %q", thanks.PlainText)
	}
	w.settle(t)

	// Exactly one forward, with everything shared.
	fwd := one(t, w.adv, txtFwdTitle)
	for _, want := range []string{"Moussa", "4/5", frQuestion, "Beaucoup", fle + " : Fait", cv + " : En cours", "Besoin d'aide : non"} {
		if !strings.Contains(fwd.PlainText, want) {
			t.Errorf("forward lacks %q:\n%s", want, fwd.PlainText)
		}
	}
	if strings.Contains(fwd.PlainText, ml) {
		t.Errorf("a skipped step is not news for the advisor:\n%s", fwd.PlainText)
	}
	if n := len(news(w.adv)); n != 1 {
		t.Errorf("advisor got %d messages besides the digest, want only the forward:\n%s", n, dump(w.adv.Messages()))
	}

	// The shared plan follows, with history; the done step's reminders stop.
	p := w.plan(t, benID)
	wantStatus := map[string]domain.Status{fle: domain.StatusDone, cv: domain.StatusInProgress, ml: domain.StatusTodo}
	for _, s := range p.Steps {
		if s.Status != wantStatus[s.Title] {
			t.Errorf("step %q is %s, want %s", s.Title, s.Status, wantStatus[s.Title])
		}
		if s.Status == domain.StatusTodo {
			continue
		}
		if len(s.History) == 0 {
			t.Errorf("step %q changed without history", s.Title)
			continue
		}
		h := s.History[len(s.History)-1]
		if h.Status != s.Status || h.By != domain.ByBeneficiary || !h.At.Equal(mondayCheckin) {
			t.Errorf("step %q: last history entry %+v, want %s by the beneficiary at %s", s.Title, h, s.Status, mondayCheckin)
		}
	}
	jobs := w.jobs(t, benID)
	if hasJob(jobs, "r", benID, 1) || hasJob(jobs, "o", benID, 1) {
		t.Errorf("the done step still has reminders: %v", jobs)
	}
	if !hasJob(jobs, "r", benID, 2) || !hasJob(jobs, "r", benID, 3) {
		t.Errorf("open steps lost their reminders: %v", jobs)
	}
	ci := w.checkins(t, benID)
	if len(ci) != 1 || !ci[0].Done() || ci[0].Score != 4 || ci[0].AnswerChoice != domain.AnswerMuch || ci[0].HelpAsked {
		t.Fatalf("check-ins: %+v", ci)
	}

	// Asking again the same week: already done, nothing sent to the advisor.
	c.text("/progres")
	c.expect("Vous avez déjà fait le point cette semaine")

	// Two weeks on: the done step is never mentioned again, the one in
	// progress is reminded; still one forward.
	n := len(u.Messages())
	w.runUntil(t, time.Date(2026, 12, 7, 12, 0, 0, 0, paris))
	reminded := false
	for _, m := range u.Messages()[n:] {
		if strings.Contains(m.PlainText, fle) {
			t.Errorf("a reminder about the done step: %s", m)
		}
		if strings.Contains(m.PlainText, "⏰") && strings.Contains(m.PlainText, cv) {
			reminded = true
		}
	}
	if !reminded {
		t.Errorf("no reminder for the step in progress:\n%s", dump(u.Messages()[n:]))
	}
	one(t, w.adv, txtFwdTitle)
}

// Voice notes, as the answer to the plan's question and as the final note:
// with consent, Suivi asks before passing each on; the advisor gets the
// text forward once and each voice note once, by the same file.
func TestCheckinVoiceNotesForwardedOnce(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Awa", frQuestion, [2]string{cv, "2026-12-08"}), 7302, "Awa", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	w.runUntil(t, mondayCheckin)
	c.tap(txtCheckinIntro, btnScore4)
	c.expect(frQuestion)
	answerVoice := c.voice()
	c.expect("Bien reçu")
	c.tap(txtShareQ, btnShare)
	c.tap(cv, btnProgress)
	c.expect(txtNoteQ)
	noteVoice := c.voice()
	c.expect("Bien reçu")
	c.tap(txtShareQ, btnShare)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanksHigh)
	w.settle(t)

	check := func(when string) {
		t.Helper()
		fwd := one(t, w.adv, txtFwdTitle)
		for _, want := range []string{"4/5", "réponse en message vocal", "🗒️ 🎙️ message vocal", cv + " : En cours", "Besoin d'aide : non"} {
			if !strings.Contains(fwd.PlainText, want) {
				t.Errorf("%s: forward lacks %q:\n%s", when, want, fwd.PlainText)
			}
		}
		vs := voices(w.adv)
		got := map[string]int{}
		for _, v := range vs {
			got[v.FileID]++
			if !strings.Contains(v.PlainCaption, "Awa") {
				t.Errorf("%s: voice caption %q does not name the beneficiary", when, v.PlainCaption)
			}
		}
		if len(vs) != 2 || got[answerVoice] != 1 || got[noteVoice] != 1 {
			t.Errorf("%s: advisor voices %v, want %s and %s once each", when, got, answerVoice, noteVoice)
		}
		if n := len(news(w.adv)); n != 3 {
			t.Errorf("%s: advisor got %d messages besides the digest, want the forward and two voices:\n%s", when, n, dump(w.adv.Messages()))
		}
	}
	check("at once")
	ci := w.checkins(t, benID)
	if len(ci) != 1 || ci[0].AnswerVoice != answerVoice || ci[0].Voice != noteVoice || ci[0].AnswerPrivate || ci[0].NotePrivate {
		t.Fatalf("check-in: %+v", ci)
	}
	w.runUntil(t, mondayCheckin.Add(50*time.Hour))
	check("two days later")
}

// Without consent, the advisor only learns that a check-in happened and
// whether help was asked: no score, no text, no voice, no step. Asking for
// help still reaches the advisor at once.
func TestCheckinWithoutConsentSharesNothing(t *testing.T) {
	w := newWorld(t)
	const (
		cv    = "Refaire son CV"
		salon = "Visiter le salon de l'apprentissage"
		note  = "Le patron de la boulangerie me rappelle jeudi"
	)
	u := w.enrol(t, stepPlan(t, "Inès", frQuestion, [2]string{cv, "2026-12-08"}, [2]string{salon, "2026-12-10"}), 7303, "Inès", false)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	c.text("/progres")
	c.tap(txtScoreQ, btnScore4)
	c.expect(frQuestion)
	c.voice()
	c.expect("Bien reçu")
	c.tap(cv, btnDone)
	c.tap(salon, btnProgress)
	c.expect(txtNoteQ)
	c.text(note)
	c.expect("Bien reçu")
	c.tap(txtHelpQ, btnHelpNo)
	thanks := c.expect(txtThanksHigh)
	if !strings.Contains(thanks.PlainText, txtNotShared) {
		t.Errorf("the thank-you should say nothing is shared: %q", thanks.PlainText)
	}
	w.settle(t)

	msgs := news(w.adv)
	if len(msgs) != 1 {
		t.Fatalf("advisor got %d messages besides the digest, want 1:\n%s", len(msgs), dump(msgs))
	}
	got := msgs[0]
	if got.Kind != "text" || !strings.Contains(got.PlainText, "Inès "+txtFwdPrivate) || !strings.Contains(got.PlainText, "Besoin d'aide : non") {
		t.Errorf("advisor message: %s", got)
	}
	for _, secret := range []string{"4/5", "Progrès", "Bien", "boulangerie", frQuestion, cv, salon, "vocal", "Fait", "En cours"} {
		if strings.Contains(got.PlainText, secret) {
			t.Errorf("without consent the advisor must not read %q:\n%s", secret, got.PlainText)
		}
	}
	if n := len(w.srv.CallsTo("sendVoice")); n != 0 {
		t.Errorf("%d voice notes sent without consent", n)
	}
	// Kept, for the beneficiary's own record.
	ci := w.checkins(t, benID)
	if len(ci) != 1 || ci[0].Score != 4 || ci[0].Note != note || ci[0].AnswerVoice == "" {
		t.Errorf("check-in not recorded: %+v", ci)
	}

	// The next week, help asked: the advisor is told at once, first in the
	// check-in's one message (without the clock moving), still without any
	// answer.
	w.runUntil(t, mondayCheckin)
	c.tap(txtCheckinIntro, btnKeep)
	c.tap(frQuestion, btnSkip)
	c.tap(salon, btnSkip)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpYes)
	c.expectEdit("votre conseiller va revenir vers vous")
	c.expect(txtThanks)
	w.settle(t)
	msgs = news(w.adv)
	if len(msgs) != 2 {
		t.Fatalf("advisor got %d messages besides the digest, want the first forward and one message opening on the help asked:\n%s", len(msgs), dump(msgs))
	}
	fwd := msgs[1]
	if !strings.HasPrefix(fwd.PlainText, "🙋 Inès "+txtHelpAlert) || fwd.DisableNotification || !fwd.Date.Equal(mondayCheckin) {
		t.Errorf("help asked: %s (silent=%v, at %s)", fwd, fwd.DisableNotification, fwd.Date)
	}
	if !strings.Contains(fwd.PlainText, txtFwdPrivate) {
		t.Errorf("second forward: %s", fwd)
	}
	// Nothing the advisor reads, the weekly digest included, tells an answer.
	for _, m := range w.adv.Messages() {
		for _, secret := range []string{"4/5", "Bien", "boulangerie", frQuestion, salon, "vocal"} {
			if strings.Contains(m.PlainText+m.PlainCaption, secret) {
				t.Errorf("without consent the advisor must not read %q:\n%s", secret, m.PlainText+m.PlainCaption)
			}
		}
	}
}

// "Garder pour moi" on the score: the forward has everything else, not
// the score.
func TestCheckinScoreKeptPrivate(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Léo", frQuestion, [2]string{cv, "2026-12-08"}), 7304, "Léo", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	w.runUntil(t, mondayCheckin)
	c.tap(txtCheckinIntro, btnKeep)
	c.tap(frQuestion, btnSome)
	c.tap(cv, btnTodo)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanks)
	w.settle(t)

	fwd := one(t, w.adv, txtFwdTitle)
	for _, want := range []string{"Léo", "Un peu", cv + " : À faire", "Besoin d'aide : non"} {
		if !strings.Contains(fwd.PlainText, want) {
			t.Errorf("forward lacks %q:\n%s", want, fwd.PlainText)
		}
	}
	for _, score := range []string{"/5", "Progrès", "📊"} {
		if strings.Contains(fwd.PlainText, score) {
			t.Errorf("the score was kept private, the forward shows %q:\n%s", score, fwd.PlainText)
		}
	}
	if ci := w.checkins(t, benID); len(ci) != 1 || ci[0].Score != 0 || !ci[0].ScorePrivate || !ci[0].ScoreDone {
		t.Errorf("check-in: %+v", ci)
	}
}

// Buttons of earlier weeks (a completed check-in, an unfinished one that a
// newer one closed) are answered "closed" and change nothing, and the
// current check-in goes on.
func TestCheckinStaleButtonsChangeNothing(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Sami", frQuestion, [2]string{cv, "2027-01-15"}), 7305, "Sami", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	// Week 1: completed.
	w.runUntil(t, mondayCheckin)
	w1 := c.tap(txtCheckinIntro, btnScore4)
	c.tap(frQuestion, btnMuch)
	c.tap(cv, btnProgress)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanksHigh)

	// Week 2: the score only; the plan's question is left with its buttons.
	w.runUntil(t, mondayCheckin.AddDate(0, 0, 7))
	w2 := c.tap(txtCheckinIntro, btnScore4)
	w2q := c.expect(frQuestion)

	// Week 3 starts and closes week 2.
	w.runUntil(t, mondayCheckin.AddDate(0, 0, 14))
	c.expect(txtCheckinIntro)
	w.settle(t)
	cis := w.checkins(t, benID)
	if len(cis) != 3 || !cis[0].Done() || cis[1].Done() || cis[1].Open() || !cis[2].Open() {
		t.Fatalf("check-ins before the stale presses: %+v", cis)
	}
	week1, week2 := cis[0].Week, cis[1].Week

	before := w.snapshot(t, benID)
	// Last week's question still shows its buttons: press one.
	n := answerCount(w.srv)
	if _, err := u.PressButton(w2q.ID, btnMuch); err != nil {
		t.Fatal(err)
	}
	if got := callbackAnswer(t, w.srv, n); got != txtClosed {
		t.Errorf("stale button answered %q, want %q", got, txtClosed)
	}
	// Forged presses of old questions.
	for _, p := range []struct {
		msg  int
		data string
	}{
		{w2.ID, fmt.Sprintf("ci:%s:s:5", week2)},
		{w2q.ID, fmt.Sprintf("ci:%s:a:notyet", week2)},
		{w2q.ID, fmt.Sprintf("ci:%s:h:y", week2)},
		{w1.ID, fmt.Sprintf("ci:%s:s:1", week1)},
		{w1.ID, fmt.Sprintf("ci:%s:t:1:done", week1)},
		{w1.ID, fmt.Sprintf("ci:%s:h:y", week1)},
	} {
		if got := forge(t, w.srv, u, p.msg, p.data); got != txtClosed {
			t.Errorf("%q answered %q, want %q", p.data, got, txtClosed)
		}
	}
	w.settle(t)
	if after := w.snapshot(t, benID); after != before {
		t.Errorf("stale buttons changed the beneficiary's records:\nbefore %s\nafter %s", before, after)
	}
	if n := len(containing(w.adv.Messages(), txtHelpAlert)); n != 0 {
		t.Errorf("a stale help button alerted the advisor")
	}
	if m := messageByID(u, w2q.ID); len(m.Keyboard) != 0 {
		t.Errorf("the dead buttons should be taken away: %s", m)
	}

	// This week's check-in is untouched and goes on.
	c.tap(txtCheckinIntro, btnScore4)
	c.expect(frQuestion)
}

// Forged callback data (naming another beneficiary's step, values no
// button offers, unknown kinds, junk) is answered "closed" and changes
// nothing, for the presser or anyone else.
func TestForgedCallbacksChangeNothing(t *testing.T) {
	w := newWorld(t)
	a := w.enrol(t, stepPlan(t, "Awa", frQuestion,
		[2]string{"Refaire son CV", "2026-11-27"}, [2]string{"Visite d'entreprise", "2026-12-15"}), 7306, "Awa", true)
	b := w.enrol(t, stepPlan(t, "Bilal", frQuestion,
		[2]string{"Permis B : code", "2026-12-01"}, [2]string{"Permis B : conduite", "2026-12-05"},
		[2]string{"Aide à la mobilité", "2026-12-09"}, [2]string{"Inscription auto-école", "2026-12-12"},
		[2]string{"Dossier CPF", "2026-12-16"}), 7307, "Bilal", true)
	benA, benB := w.ben(t, a).ID, w.ben(t, b).ID
	ca := newTalk(t, a)

	// Both have an open check-in; A has answered the score, and A gets a
	// reminder with its step buttons.
	w.runUntil(t, mondayCheckin)
	ca.tap(txtCheckinIntro, btnScore4)
	ca.expect(frQuestion)
	w.runUntil(t, time.Date(2026, 11, 24, 10, 0, 0, 0, paris))
	rem := ca.expect("⏰")
	if !strings.Contains(rem.PlainText, "Refaire son CV") || !hasButton(rem, "✅ Fait") {
		t.Fatalf("reminder: %s", rem)
	}
	if p := w.plan(t, benB); p.Step(5) == nil || w.plan(t, benA).Step(5) != nil {
		t.Fatalf("step 5 should exist only in B's plan")
	}
	week := w.checkins(t, benA)[0].Week
	if bw := w.checkins(t, benB); len(bw) != 1 || bw[0].Week != week || !bw[0].Open() {
		t.Fatalf("B's check-in: %+v", bw)
	}

	beforeA, beforeB := w.snapshot(t, benA), w.snapshot(t, benB)
	bSeen, advSeen := len(b.Messages()), len(w.adv.Messages())
	tomorrow := time.Date(2026, 11, 25, 0, 0, 0, 0, paris).Format("20060102")
	junk := strings.Repeat("Zz9:", 16)
	forged := []string{
		"st:5:done",
		"st:4:prog",
		"st:5:help",
		"st:5:post",
		"sp:5:1w",
		"sd:5:" + tomorrow,
		fmt.Sprintf("ci:%s:t:5:done", week),
		fmt.Sprintf("ci:%s:t:3:block", week),
		fmt.Sprintf("ci:%s:s:9", week),
		fmt.Sprintf("ci:%s:s:0", week),
		fmt.Sprintf("ci:%s:a:tout", week),
		fmt.Sprintf("ci:%s:h:peut-etre", week),
		fmt.Sprintf("ci:%s:t:1:fini", week),
		fmt.Sprintf("ci:%s:t:1", week),
		"ci:2026-W01:s:5",
		"sd:1:20991231",
		"sd:1:20261124",
		"sd:1:pasdate",
		"st:1:zzz",
		"st:1",
		"st:-1:done",
		"ob:zzzzzz:lang:en",
		"pv:maybe",
		"pa:forever",
		"go:ailleurs",
		"zz:1",
		junk,
	}
	if len(junk) != 64 {
		t.Fatalf("junk is %d bytes", len(junk))
	}
	for _, data := range forged {
		if got := forge(t, w.srv, a, rem.ID, data); got != txtClosed {
			t.Errorf("%q answered %q, want %q", data, got, txtClosed)
		}
	}
	w.settle(t)
	if after := w.snapshot(t, benA); after != beforeA {
		t.Errorf("forged data changed A's records:\nbefore %s\nafter %s", beforeA, after)
	}
	if after := w.snapshot(t, benB); after != beforeB {
		t.Errorf("forged data changed B's records:\nbefore %s\nafter %s", beforeB, after)
	}
	if n := len(w.adv.Messages()); n != advSeen {
		t.Errorf("forged data reached the advisor:\n%s", dump(w.adv.Messages()[advSeen:]))
	}
	if n := len(b.Messages()); n != bSeen {
		t.Errorf("B was told something:\n%s", dump(b.Messages()[bSeen:]))
	}
}

// Telegram fails twice (502) then asks to slow down (429, 30 s) while the
// forward goes to the advisor: it is retried after 2 s, 8 s, then 30 s on
// the injected clock, and arrives exactly once.
func TestForwardSurvives5xxAnd429(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Nora", "", [2]string{cv, "2026-12-08"}), 7308, "Nora", true)
	c := newTalk(t, u)
	w.srv.InjectFault("sendMessage", advisorID, 2, telegramtest.Fault{Status: http.StatusBadGateway})
	w.srv.InjectFault("sendMessage", advisorID, 1, telegramtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 30})

	c.text("/progres")
	c.tap(txtScoreQ, btnScore4)
	c.tap(cv, btnProgress)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanksHigh)
	w.settle(t)
	done := w.clk.Now()

	attempts := func() []telegramtest.Call {
		var out []telegramtest.Call
		for _, c := range sendsTo(w.srv, "sendMessage", advisorID) {
			if strings.Contains(c.Params["text"], txtFwdTitle) {
				out = append(out, c)
			}
		}
		return out
	}
	expect := func(n int, when string) {
		t.Helper()
		if got := len(attempts()); got != n {
			t.Fatalf("%s: %d attempts to the advisor, want %d", when, got, n)
		}
		if f := containing(w.adv.Messages(), txtFwdTitle); len(f) != 0 && n < 4 {
			t.Fatalf("%s: forward delivered before recovery", when)
		}
	}
	expect(1, "at once")
	step := func(d time.Duration, n int) {
		t.Helper()
		w.clk.Advance(d)
		w.settle(t)
		expect(n, fmt.Sprintf("%s after completion", w.clk.Now().Sub(done)))
	}
	step(time.Second, 1)    // 1s: backoff is 2s
	step(time.Second, 2)    // 2s: second try, 502
	step(7*time.Second, 2)  // 9s: backoff is 8s after the second try
	step(time.Second, 3)    // 10s: third try, 429 retry after 30s
	step(29*time.Second, 3) // 39s: still waiting
	step(time.Second, 4)    // 40s: delivered
	step(time.Minute, 4)    // no more
	w.runUntil(t, done.Add(24*time.Hour))

	calls := attempts()
	if len(calls) != 4 {
		t.Fatalf("%d attempts to the advisor, want 4", len(calls))
	}
	wantStatus := []int{502, 502, 429, 200}
	wantAt := []time.Duration{0, 2 * time.Second, 10 * time.Second, 40 * time.Second}
	for i, call := range calls {
		if call.Status != wantStatus[i] || !call.At.Equal(done.Add(wantAt[i])) {
			t.Errorf("attempt %d: status %d at +%s, want %d at +%s", i+1, call.Status, call.At.Sub(done), wantStatus[i], wantAt[i])
		}
	}
	fwd := one(t, w.adv, txtFwdTitle)
	if !strings.Contains(fwd.PlainText, "4/5") || !strings.Contains(fwd.PlainText, cv+" : En cours") {
		t.Errorf("forward: %s", fwd)
	}
	if n := len(news(w.adv)); n != 1 {
		t.Errorf("advisor got %d messages besides the digest:\n%s", n, dump(w.adv.Messages()))
	}
	if parked, err := w.r.app.store.Outbox().Parked(context.Background(), 10); err != nil || len(parked) != 0 {
		t.Errorf("parked outbox items: %v %v", parked, err)
	}
}

// An unfinished check-in is resumed where it was left: after the score,
// /progres the next day asks the plan's question, not the score again.
func TestUnfinishedCheckinResumesAtNextQuestion(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Yanis", frQuestion, [2]string{cv, "2027-01-15"}), 7309, "Yanis", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	w.runUntil(t, mondayCheckin)
	c.tap(txtCheckinIntro, btnScore4)
	c.expect(frQuestion)

	w.runUntil(t, time.Date(2026, 11, 24, 18, 0, 0, 0, paris))
	c.text("/progres")
	sent := c.mark
	got := c.expect(frQuestion)
	if !hasButton(got, btnMuch) {
		t.Errorf("the plan's question comes with its buttons: %s", got)
	}
	w.settle(t)
	for _, m := range u.Messages() {
		if m.ID > sent && (strings.Contains(m.PlainText, txtScoreQ) || strings.Contains(m.PlainText, "Faisons le point")) {
			t.Errorf("the score was asked again (or the check-in restarted): %s", m)
		}
	}
	ci := w.checkins(t, benID)
	if len(ci) != 1 || ci[0].Score != 4 || !ci[0].ScoreDone || !ci[0].Open() {
		t.Fatalf("check-ins: %+v", ci)
	}
	c.tap(frQuestion, btnMuch)
	c.tap(cv, btnProgress)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanksHigh)
	w.settle(t)
	if fwd := one(t, w.adv, txtFwdTitle); !strings.Contains(fwd.PlainText, "4/5") {
		t.Errorf("forward lost the score given the day before: %s", fwd)
	}
}

// Telegram fails (502) to deliver the next question after a button press:
// the update is handled again, and the next question must still come,
// once, and the press be answered.
func TestCheckinButtonRetriedAfterTelegramErrorStillAsksNext(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Nora", frQuestion, [2]string{cv, "2026-12-08"}), 7310, "Nora", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	c.text("/progres")
	c.expect(txtScoreQ)
	w.srv.InjectFault("sendMessage", u.ID(), 1, telegramtest.Fault{Status: http.StatusBadGateway})
	c.tap(txtScoreQ, btnScore4)
	c.expectEdit("✔️ 🙂 Bien")
	w.settle(t)
	if failed := sendsTo(w.srv, "sendMessage", u.ID()); failed[len(failed)-1].Status != http.StatusBadGateway {
		t.Fatalf("the fault did not hit the next question")
	}
	// The inbox tries the update again after its backoff.
	w.clk.Advance(2 * time.Second)
	w.settle(t)
	w.clk.Advance(time.Minute)
	w.settle(t)
	if un := w.srv.UnansweredCallbacks(); len(un) != 0 {
		t.Errorf("the press was never answered: %v", un)
	}
	if ci := w.checkins(t, benID); len(ci) != 1 || ci[0].Score != 4 {
		t.Fatalf("check-in: %+v", ci)
	}
	if got := containing(u.Messages(), frQuestion); len(got) != 1 {
		answers := w.srv.CallsTo("answerCallbackQuery")
		t.Errorf("the next question was asked %d times, want once (the press was answered %q):\n%s",
			len(got), answers[len(answers)-1].Params["text"], dump(u.Messages()))
	}
}

// Telegram fails (502) to acknowledge a typed note: the update is handled
// again, and the note must be kept once, not twice.
func TestCheckinNoteRetriedIsNotDuplicated(t *testing.T) {
	w := newWorld(t)
	const (
		cv   = "Refaire son CV"
		note = "J'ai un entretien mardi"
	)
	u := w.enrol(t, stepPlan(t, "Nora", "", [2]string{cv, "2026-12-08"}), 7311, "Nora", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	c.text("/progres")
	c.tap(txtScoreQ, btnScore4)
	c.tap(cv, btnProgress)
	c.expect(txtNoteQ)
	w.srv.InjectFault("sendMessage", u.ID(), 1, telegramtest.Fault{Status: http.StatusBadGateway})
	c.text(note)
	if err := w.srv.WaitCalls(wait, func([]telegramtest.Call) bool {
		s := sendsTo(w.srv, "sendMessage", u.ID())
		return s[len(s)-1].Status == http.StatusBadGateway
	}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	w.clk.Advance(2 * time.Second)
	w.settle(t)
	c.expect("Bien reçu")
	c.tap(txtShareQ, btnShare)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanksHigh)
	w.settle(t)

	if ci := w.checkins(t, benID); len(ci) != 1 || ci[0].Note != note {
		t.Errorf("stored check-in: %+v, want the note %q once", ci, note)
	}
	if fwd := one(t, w.adv, txtFwdTitle); strings.Count(fwd.PlainText, note) != 1 {
		t.Errorf("forward should quote the note once:\n%s", fwd.PlainText)
	}
}

// Telegram's flood control on the advisor's chat (429, retry after 30 s)
// holds every send for 30 s; a beneficiary who answers meanwhile must
// still get the next question once the wait is over.
func TestFloodWaitElsewhereDoesNotLoseNextQuestion(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	awa := w.enrol(t, stepPlan(t, "Awa", "", [2]string{cv, "2026-12-08"}), 7312, "Awa", true)
	nora := w.enrol(t, stepPlan(t, "Nora", frQuestion, [2]string{cv, "2026-12-08"}), 7313, "Nora", true)
	a, n := newTalk(t, awa), newTalk(t, nora)
	w.srv.InjectFault("sendMessage", advisorID, 1, telegramtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 30})

	n.text("/progres")
	n.expect(txtScoreQ)
	// Awa's forward meets the 429.
	a.text("/progres")
	a.tap(txtScoreQ, btnScore4)
	a.tap(cv, btnProgress)
	a.tap(txtNoteQ, btnNothing)
	a.tap(txtHelpQ, btnHelpNo)
	w.settle(t)
	if s := sendsTo(w.srv, "sendMessage", advisorID); len(s) != 1 || s[0].Status != http.StatusTooManyRequests {
		t.Fatalf("the forward should have met the 429")
	}
	// Nora answers during the wait, then the wait ends.
	n.tap(txtScoreQ, btnScore4)
	w.settle(t)
	w.clk.Advance(31 * time.Second)
	w.settle(t)
	// Awa's thanks waited with every send (a short retry_after is the bot's).
	a.expect(txtThanksHigh)
	if f := forwards(w.adv); len(f) != 1 {
		t.Errorf("Awa's forward: %d after the wait", len(f))
	}
	if ci := w.checkins(t, w.ben(t, nora).ID); len(ci) != 1 || ci[0].Score != 4 {
		t.Fatalf("Nora's check-in: %+v", ci)
	}
	if got := containing(nora.Messages(), frQuestion); len(got) != 1 {
		t.Errorf("Nora's next question was asked %d times, want once:\n%s", len(got), dump(nora.Messages()))
	}
}
