package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"suivi/dialogs"
	"suivi/domain"
	"suivi/telegramtest"
)

// Unfinished check-ins: what was answered of a check-in left halfway goes
// to the advisor once, after SUIVI_CHECKIN_GRACE (6 h) without a new
// answer, with consent and minus what was kept private; the digest counts
// it as answered in part; /progres, the next check-in of the week and a
// step reminder's button resume it on the same week.

// A check-in answered with the score, a typed answer kept private and one
// step's status, then left: six hours after the last answer the advisor
// gets one unfinished check-in with only what was shared, and never again
// (later, after a restart). /progres resumes it the same week; the whole
// check-in follows, saying it completes the one passed on in part.
func TestUnfinishedCheckinReachesAdvisorOnceAfterGrace(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Awa", frQuestion, [2]string{unfCV, "2026-12-04"}, [2]string{unfVisit, "2026-12-10"}), 7401, "Awa", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	w.runUntil(t, mondayCheckin)
	leaveAfterOneStep(t, c, unfSecret)
	w.settle(t)

	grace := mondayCheckin.Add(6 * time.Hour)
	w.runUntil(t, grace.Add(-time.Minute))
	if got := containing(w.adv.Messages(), txtFwdPart); len(got) != 0 {
		t.Fatalf("the unfinished check-in reached the advisor before the grace:\n%s", dump(got))
	}
	w.runUntil(t, grace)
	part := one(t, w.adv, txtFwdPart)
	if !part.Date.Equal(grace) {
		t.Errorf("unfinished check-in sent at %s, want %s (6 h after the last answer)", part.Date, grace)
	}
	for _, want := range []string{"Awa", "Pas terminé pour l'instant", "4/5", unfCV + " : En cours"} {
		if !strings.Contains(part.PlainText, want) {
			t.Errorf("unfinished check-in lacks %q:\n%s", want, part.PlainText)
		}
	}
	for _, not := range []string{"deux entreprises", frQuestion, unfVisit, "Besoin d'aide : non"} {
		if strings.Contains(part.PlainText, not) {
			t.Errorf("unfinished check-in shows %q (kept private, or not answered):\n%s", not, part.PlainText)
		}
	}
	if n := len(news(w.adv)); n != 1 {
		t.Errorf("advisor got %d messages besides the digest, want only the unfinished check-in:\n%s", n, dump(w.adv.Messages()))
	}
	if hasJob(w.jobs(t, benID), "g", benID, 0) {
		t.Errorf("a grace job is left after it was handled: %v", w.jobs(t, benID))
	}

	// Days later, and after a restart: never again.
	w.runUntil(t, time.Date(2026, 11, 26, 9, 0, 0, 0, paris))
	w.r.shutdown(t)
	w.r = start(t, w.e, w.clk)
	w.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, paris))
	one(t, w.adv, txtFwdPart)
	if got := containing(w.adv.Messages(), txtFwdTitle); len(got) != 0 {
		t.Fatalf("a completed forward for an unfinished check-in:\n%s", dump(got))
	}

	// Thursday, same week: /progres resumes where Awa stopped.
	c.text("/progres")
	asked := c.mark
	c.expect(txtResume)
	c.tap(unfVisit, btnSkip)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanksHigh)
	w.settle(t)
	for _, m := range newerThan(u, asked) {
		if strings.Contains(m.PlainText, txtScoreQ) || strings.Contains(m.PlainText, "Faisons le point") {
			t.Errorf("the check-in restarted instead of resuming: %s", m)
		}
	}
	cis := w.checkins(t, benID)
	if len(cis) != 1 || !cis[0].Done() || cis[0].Week != "2026-W48" || cis[0].Partial.IsZero() {
		t.Fatalf("check-ins after resuming: %+v", cis)
	}
	full := one(t, w.adv, txtFwdTitle)
	for _, want := range []string{txtFwdAfterPart, "4/5", unfCV + " : En cours", "Besoin d'aide : non"} {
		if !strings.Contains(full.PlainText, want) {
			t.Errorf("the completed check-in lacks %q:\n%s", want, full.PlainText)
		}
	}
	if strings.Contains(full.PlainText, "deux entreprises") {
		t.Errorf("the completed check-in shows an answer kept private:\n%s", full.PlainText)
	}
	one(t, w.adv, txtFwdPart)
}

// Completed before the grace: no unfinished check-in at all, only the
// usual forward.
func TestCheckinCompletedWithinGraceIsNotSentInPart(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Awa", frQuestion, [2]string{unfCV, "2026-12-04"}, [2]string{unfVisit, "2026-12-10"}), 7402, "Awa", true)
	c := newTalk(t, u)

	w.runUntil(t, mondayCheckin)
	leaveAfterOneStep(t, c, unfSecret)
	w.runUntil(t, mondayCheckin.Add(5*time.Hour+50*time.Minute))
	c.text("/progres")
	c.expect(txtResume)
	c.tap(unfVisit, btnProgress)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanksHigh)
	w.runUntil(t, mondayCheckin.AddDate(0, 0, 3))

	if got := containing(w.adv.Messages(), txtFwdPart); len(got) != 0 {
		t.Fatalf("a check-in completed within the grace was also sent in part:\n%s", dump(got))
	}
	full := one(t, w.adv, txtFwdTitle)
	if strings.Contains(full.PlainText, txtFwdAfterPart) {
		t.Errorf("the forward says it completes a part never sent:\n%s", full.PlainText)
	}
	if n := len(news(w.adv)); n != 1 {
		t.Errorf("advisor got %d messages besides the digest, want the forward only:\n%s", n, dump(w.adv.Messages()))
	}
}

// Without consent, the unfinished check-in says only that a check-in was
// begun: no score, no step, no answer.
func TestUnfinishedCheckinWithoutConsentSaysOnlyItWasBegun(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Léo", frQuestion, [2]string{unfCV, "2026-12-04"}, [2]string{unfVisit, "2026-12-10"}), 7403, "Léo", false)
	c := newTalk(t, u)

	w.runUntil(t, mondayCheckin)
	c.tap(txtCheckinIntro, btnScore4)
	c.tap(frQuestion, btnMuch)
	c.tap(unfCV, btnProgress)
	c.expect(unfVisit)
	w.runUntil(t, mondayCheckin.AddDate(0, 0, 2))

	part := one(t, w.adv, txtFwdPartPrivate)
	for _, not := range []string{"/5", unfCV, unfVisit, "Beaucoup", frQuestion, txtFwdPart} {
		if strings.Contains(part.PlainText, not) {
			t.Errorf("without consent the unfinished check-in shows %q:\n%s", not, part.PlainText)
		}
	}
	if !strings.Contains(part.PlainText, "Léo") || !strings.Contains(part.PlainText, "restent privées") {
		t.Errorf("unfinished check-in without consent: %s", part.PlainText)
	}
	if n := len(news(w.adv)); n != 1 {
		t.Errorf("advisor got %d messages besides the digest:\n%s", n, dump(w.adv.Messages()))
	}
}

// Left at 23:30 in Paris on the Saturday before the clocks go back: the
// grace is six real hours (Sunday 04:30 CET, not 05:30 as six hours on
// the wall clock would say), and the advisor's working hours (Monday to
// Friday 9:00–18:00) hold it until Monday 9:00, in the morning's one
// message. Nothing reaches the beneficiary in their quiet hours.
func TestUnfinishedCheckinGraceAcrossDSTWaitsForWorkingHours(t *testing.T) {
	w := newWorldAt(t, time.Date(2037, 10, 24, 11, 0, 0, 0, paris), env{"SUIVI_WORKING_HOURS": "mon-fri 09:00-18:00"})
	u := w.enrol(t, stepPlan(t, "Awa", "", [2]string{unfCV, "2037-11-20"}, [2]string{unfVisit, "2037-11-27"}), 9601, "Awa", true)
	benID := w.ben(t, u).ID
	ctx := context.Background()

	left := time.Date(2037, 10, 24, 23, 30, 0, 0, paris) // CEST, UTC+2
	w.runUntil(t, left)
	c := newTalk(t, u)
	c.text("/progres")
	c.tap(txtScoreQ, btnScore4)
	c.tap(unfCV, btnProgress)
	c.expect(unfVisit)
	w.settle(t)

	grace := time.Date(2037, 10, 24, 21, 30, 0, 0, time.UTC).Add(6 * time.Hour)
	if want := time.Date(2037, 10, 25, 4, 30, 0, 0, paris); !grace.Equal(want) {
		t.Fatalf("test setup: grace %s, want %s", grace, want)
	}
	if at := jobAt(w.jobs(t, benID), "g", benID, 0); !at.Equal(grace) {
		t.Fatalf("grace job at %s, want %s (six real hours after 23:30 CEST)", at.In(paris), grace.In(paris))
	}
	heldPart := func() bool {
		held, err := w.r.app.store.HeldNews(ctx, advisorID)
		if err != nil {
			t.Fatal(err)
		}
		_, ok := held["fwdpart:"+benID+":2037-W43"]
		return ok
	}
	advBefore := len(w.adv.Messages())
	w.runUntil(t, grace.Add(-time.Minute))
	if heldPart() {
		t.Fatalf("the unfinished check-in was taken before the grace (%s)", w.clk.Now().In(paris))
	}
	w.runUntil(t, grace)
	if !heldPart() {
		t.Fatalf("at %s the unfinished check-in is not waiting for the advisor's working hours", grace.In(paris))
	}
	if got := since(w.adv, advBefore); len(got) != 0 {
		t.Fatalf("the advisor got news on Sunday night:\n%s", dump(got))
	}
	for _, m := range u.Messages() {
		if m.Date.After(left) && m.Date.Before(time.Date(2037, 10, 25, 8, 0, 0, 0, paris)) {
			t.Errorf("a message reached the beneficiary in their quiet hours: %s", m)
		}
	}

	morning := time.Date(2037, 10, 26, 9, 0, 0, 0, paris)
	w.runUntil(t, morning.Add(-time.Minute))
	if got := containing(since(w.adv, advBefore), txtFwdPart); len(got) != 0 {
		t.Fatalf("the unfinished check-in came before Monday 9:00:\n%s", dump(got))
	}
	w.runUntil(t, morning)
	got := containing(since(w.adv, advBefore), txtFwdPart)
	if len(got) != 1 || !got[0].Date.Equal(morning) || !strings.Contains(got[0].PlainText, "Arrivé en dehors de vos horaires") ||
		!strings.Contains(got[0].PlainText, unfCV+" : En cours") {
		t.Fatalf("want the unfinished check-in once, in Monday 9:00's message:\n%s", dump(since(w.adv, advBefore)))
	}
	if heldPart() {
		t.Errorf("still held after the release")
	}
}

// The digest counts a check-in begun and left as answered in part: not
// silence, not a completed check-in; its shared score shows with consent,
// and its chart cell is neither grey (silence) nor blue (private).
func TestDigestCountsUnfinishedCheckinAnsweredInPart(t *testing.T) {
	w := newWorld(t)
	plan := func(name string) string {
		return stepPlan(t, name, "", [2]string{unfCV, "2026-12-04"}, [2]string{unfVisit, "2026-12-10"})
	}
	awa := w.enrol(t, plan("Awa"), 7411, "Awa", true)
	leo := w.enrol(t, plan("Léo"), 7412, "Léo", false)
	w.enrol(t, plan("Yanis"), 7413, "Yanis", true)

	w.runUntil(t, mondayCheckin)
	for _, u := range []*telegramtest.User{awa, leo} {
		c := newTalk(t, u)
		c.mark = 0
		c.tap(txtCheckinIntro, btnScore4)
		c.tap(unfCV, btnProgress)
		c.expect(unfVisit)
	}
	w.runUntil(t, time.Date(2026, 11, 25, 12, 0, 0, 0, paris))
	got := w.say(t, w.adv, "/digest")
	if len(got) != 2 {
		t.Fatalf("/digest: want a text and a chart:\n%s", dump(got))
	}
	var lines []string // the beneficiaries' lines, in the chart's order
	for _, l := range strings.Split(got[0].PlainText, "\n")[2:] {
		if l != "" {
			lines = append(lines, l)
		}
	}
	for _, want := range []string{
		"🟢 Awa — ◐ 1 point répondu en partie · 📊 4/5",
		"🟢 Léo — ◐ 1 point répondu en partie · 🔒 réponses privées",
		"🟢 Yanis — 🔇 1 point sans réponse · pas encore de point",
	} {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("digest lacks the line %q:\n%s", want, got[0].PlainText)
		}
	}
	img := decodeChart(t, got[1])
	cell := func(name string) string {
		for i, l := range lines {
			if strings.Contains(l, " "+name+" — ") {
				// This week is the chart's last column.
				return colorName(rgba(img, dialogs.ChartNameWidth+7*dialogs.ChartCellW+3, dialogs.ChartHeader+i*dialogs.ChartCellH+3))
			}
		}
		t.Fatalf("%s is not in the digest", name)
		return ""
	}
	if have, want := cell("Awa"), colorName(dialogs.ScoreColors()[4]); have != want {
		t.Errorf("chart cell of Awa this week: %s, want her shared score's %s", have, want)
	}
	if have, want := cell("Yanis"), colorName(dialogs.SilentColor()); have != want {
		t.Errorf("chart cell of Yanis this week: %s, want silence's %s", have, want)
	}
	if have, want := cell("Léo"), colorName(dialogs.PartialColor()); have != want {
		t.Errorf("chart cell of Léo this week: %s, want answered in part's %s (not silence, private, empty or a score)", have, want)
	}
	if cis := w.checkins(t, w.ben(t, leo).ID); len(cis) != 1 || cis[0].Partial.IsZero() || cis[0].PartialShared {
		t.Errorf("Léo's check-in after the grace: %+v", cis)
	}
}

// A step reminder sent while a check-in of the week is begun and open
// offers "Continuer mon point": one tap resumes it where it stopped, on the
// same week's record. The button of a check-in since completed, or forged
// for another week, gets the usual clear answer and changes nothing.
func TestStepReminderOffersToContinueCheckin(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, stepPlan(t, "Awa", frQuestion, [2]string{unfCV, "2026-11-26"}, [2]string{unfVisit, "2026-12-10"}), 7421, "Awa", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	w.runUntil(t, mondayCheckin)
	c.tap(txtCheckinIntro, btnScore4)
	c.expect(frQuestion)
	w.settle(t)

	// Wednesday 10:00, the day before the step is due.
	w.runUntil(t, time.Date(2026, 11, 25, 10, 0, 0, 0, paris))
	rem := lastOf(t, u)
	if !strings.Contains(rem.PlainText, unfCV) || !hasButton(rem, btnContinue) || !hasButton(rem, btnStepDone) {
		t.Fatalf("the reminder does not offer to continue the check-in: %s", rem)
	}
	data := buttonData(rem, btnContinue)
	if data != "ci:2026-W48:go" {
		t.Errorf("continue button data %q", data)
	}
	c.markNow()
	if _, err := u.PressButton(rem.ID, btnContinue); err != nil {
		t.Fatal(err)
	}
	c.expect(txtResume)
	c.tap(frQuestion, btnMuch)
	c.tap(unfCV, btnProgress)
	c.tap(unfVisit, btnSkip)
	c.tap(txtNoteQ, btnNothing)
	c.tap(txtHelpQ, btnHelpNo)
	c.expect(txtThanksHigh)
	w.settle(t)
	cis := w.checkins(t, benID)
	if len(cis) != 1 || !cis[0].Done() || cis[0].Week != "2026-W48" || cis[0].Score != 4 || cis[0].AnswerChoice != domain.AnswerMuch {
		t.Fatalf("check-ins after continuing: %+v", cis)
	}
	one(t, w.adv, txtFwdTitle)

	// Pressed again once completed, or forged for another week: closed.
	before := domainSnapshot(t, w.r.app.rdb)
	for _, d := range []string{data, "ci:2026-W47:go", "ci:nope:go", "ci::go"} {
		if got := forge(t, w.srv, u, rem.ID, d); got != txtClosedToast {
			t.Errorf("press %q answered %q, want %q", d, got, txtClosedToast)
		}
	}
	w.settle(t)
	sameSnapshot(t, "stale and forged continue buttons", before, domainSnapshot(t, w.r.app.rdb))

	// Thursday's reminder, the check-in done: no continue button.
	w.runUntil(t, time.Date(2026, 11, 26, 10, 0, 0, 0, paris))
	if rem := lastOf(t, u); !strings.Contains(rem.PlainText, unfCV) || hasButton(rem, btnContinue) {
		t.Errorf("Thursday's reminder, the check-in done: %s", rem)
	}
}

// A plan with two check-ins a week: Thursday's resumes Monday's where it
// stopped, with the resuming intro, not from the first question.
func TestScheduledCheckinOfTheSameWeekResumes(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, writePlan(t, "beneficiary: {name: Awa, timezone: Europe/Paris}\nadvisor: 111111111\n"+
		"checkin: {schedule: \"0 10 * * 1,4\", question: \""+frQuestion+"\"}\n"+
		"steps:\n  - {title: \""+unfCV+"\", due: 2026-12-20}\n"), 7431, "Awa", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	w.runUntil(t, mondayCheckin)
	c.tap(txtCheckinIntro, btnScore4)
	c.expect(frQuestion)
	c.markNow()
	w.runUntil(t, time.Date(2026, 11, 26, 10, 0, 0, 0, paris))
	ask := c.expect(txtResume)
	if !strings.Contains(ask.PlainText, frQuestion) || strings.Contains(ask.PlainText, txtScoreQ) || strings.Contains(ask.PlainText, txtCheckinIntro) {
		t.Errorf("Thursday's check-in does not resume Monday's: %s", ask)
	}
	if cis := w.checkins(t, benID); len(cis) != 1 || !cis[0].Open() || cis[0].Score != 4 {
		t.Errorf("check-ins: %+v", cis)
	}
}
