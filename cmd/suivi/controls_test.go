package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/telegramtest"
)

// /pause with the "2 semaines" button: nothing during the pause, then the
// automatic resume message at 08:00 on the last day, and reminders and
// check-ins again afterwards.
func TestPauseTwoWeeksThenAutomaticResume(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, controlPlan(t, "Awa"), 7401, "Awa", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	c.text("/pause")
	c.tap("Pour combien de temps", "2 semaines")
	c.expectEdit("pause jusqu'au dimanche 6 décembre 2026")
	resumeAt := time.Date(2026, 12, 6, 8, 0, 0, 0, paris)
	b := w.ben(t, u)
	if b.State != domain.StatePaused || !b.PausedUntil.Equal(resumeAt) {
		t.Fatalf("after /pause: state %s until %s, want paused until %s", b.State, b.PausedUntil, resumeAt)
	}
	if jobs := w.jobs(t, benID); len(jobs) != 1 || !jobs["p|"+benID].Equal(resumeAt) {
		t.Fatalf("during a pause only its end is scheduled: %v", jobs)
	}

	// Two check-ins and five reminders or nudges fall in the pause.
	n, calls := len(u.Messages()), len(sendsTo(w.srv, "sendMessage", u.ID()))
	w.runUntil(t, resumeAt.Add(-time.Minute))
	assertSilence(t, w, u, n, calls, "during the pause")

	w.runUntil(t, resumeAt)
	back := c.expect("la pause est terminée")
	if !back.Date.Equal(resumeAt) {
		t.Errorf("resume message at %s, want %s", back.Date, resumeAt)
	}
	if b := w.ben(t, u); b.State != domain.StateActive || !b.PausedUntil.IsZero() {
		t.Errorf("after the pause: state %s until %s", b.State, b.PausedUntil)
	}

	w.runUntil(t, time.Date(2026, 12, 8, 12, 0, 0, 0, paris))
	var checkin, reminder bool
	for _, m := range u.Messages()[n+1:] {
		switch {
		case strings.Contains(m.PlainText, txtCheckinIntro):
			checkin = checkin || m.Date.Equal(time.Date(2026, 12, 7, 10, 0, 0, 0, paris))
		case strings.Contains(m.PlainText, "⏰") && strings.Contains(m.PlainText, visiteTitle):
			reminder = true
		}
	}
	if !checkin || !reminder {
		t.Errorf("after the pause: check-in %v, reminder %v:\n%s", checkin, reminder, dump(u.Messages()[n:]))
	}
}

// /pause 24/12: paused until the 24th of December (a bad date is refused
// and changes nothing); /reprendre earlier brings the reminders back and
// there is no "pause is over" message on the 24th.
func TestPauseUntilTypedDateAndResumeEarly(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, controlPlan(t, "Awa"), 7402, "Awa", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	before := w.snapshot(t, benID)
	c.text("/pause 31/02")
	c.expect("Je n'ai pas compris la date")
	w.settle(t)
	if after := w.snapshot(t, benID); after != before {
		t.Errorf("a bad date changed the beneficiary:\nbefore %s\nafter %s", before, after)
	}

	c.text("/pause 24/12")
	c.expect("pause jusqu'au jeudi 24 décembre 2026")
	until := time.Date(2026, 12, 24, 8, 0, 0, 0, paris)
	if b := w.ben(t, u); b.State != domain.StatePaused || !b.PausedUntil.Equal(until) {
		t.Fatalf("after /pause 24/12: state %s until %s, want paused until %s", b.State, b.PausedUntil, until)
	}
	if jobs := w.jobs(t, benID); len(jobs) != 1 || !jobs["p|"+benID].Equal(until) {
		t.Fatalf("during a pause only its end is scheduled: %v", jobs)
	}

	// Monday's check-in and Tuesday's reminder fall in the pause.
	n, calls := len(u.Messages()), len(sendsTo(w.srv, "sendMessage", u.ID()))
	w.runUntil(t, time.Date(2026, 11, 25, 12, 0, 0, 0, paris))
	assertSilence(t, w, u, n, calls, "during the pause")

	c.text("/reprendre")
	c.expect("C'est reparti")
	b := w.ben(t, u)
	if b.State != domain.StateActive || !b.PausedUntil.IsZero() {
		t.Errorf("after /reprendre: state %s until %s", b.State, b.PausedUntil)
	}
	jobs := w.jobs(t, benID)
	if hasJob(jobs, "p", benID, 0) || !hasJob(jobs, "r", benID, 1) || !hasJob(jobs, "c", benID, 0) {
		t.Errorf("after /reprendre: jobs %v", jobs)
	}
	n = len(u.Messages())
	w.runUntil(t, time.Date(2026, 11, 27, 12, 0, 0, 0, paris))
	var got []string
	for _, m := range u.Messages()[n:] {
		if strings.Contains(m.PlainText, "⏰") && strings.Contains(m.PlainText, cvTitle) {
			got = append(got, m.Date.In(paris).Format("02/01 15:04"))
		}
	}
	if strings.Join(got, ",") != "26/11 10:00,27/11 10:00" {
		t.Errorf("reminders after /reprendre at %v, want the day before and the day itself at 10:00", got)
	}
	w.runUntil(t, time.Date(2026, 12, 24, 12, 0, 0, 0, paris))
	if ms := containing(u.Messages(), "la pause est terminée"); len(ms) != 0 {
		t.Errorf("a pause ended early must not end again: %s", ms[0])
	}
}

// The automatic end of a pause is a message like any other: not during
// the beneficiary's quiet hours (here 20:00–09:00).
func TestPauseEndRespectsQuietHours(t *testing.T) {
	w := newWorld(t)
	code := importPlan(t, w.e, w.clk, controlPlan(t, "Awa"))
	u := w.srv.NewUser(7403, "Awa")
	joinQuiet(t, u, code, true, "20 h – 9 h")
	c := newTalk(t, u)
	c.text("/pause")
	c.tap("Pour combien de temps", "1 semaine")
	c.expectEdit("pause jusqu'au dimanche 29 novembre 2026")

	w.runUntil(t, time.Date(2026, 11, 29, 12, 0, 0, 0, paris))
	back := c.expect("la pause est terminée")
	local := back.Date.In(paris)
	if h := local.Hour(); h < 9 || h >= 20 || local.Day() != 29 {
		t.Errorf("end of pause at %s, inside the quiet hours (20:00–09:00); want on the 29th from 09:00", local.Format("02/01 15:04"))
	}
}

// /stop: nothing at all for two weeks of due steps and check-ins; /start
// brings the follow-up back.
func TestStopThenStart(t *testing.T) {
	w := newWorld(t)
	u := w.enrol(t, controlPlan(t, "Awa"), 7404, "Awa", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)

	c.text("/stop")
	c.expect("je ne vous enverrai plus de message")
	if b := w.ben(t, u); b.State != domain.StateStopped {
		t.Fatalf("after /stop: state %s", b.State)
	}
	if jobs := w.jobs(t, benID); len(jobs) != 0 {
		t.Fatalf("after /stop: jobs %v", jobs)
	}
	n, calls := len(u.Messages()), len(sendsTo(w.srv, "sendMessage", u.ID()))
	w.runUntil(t, t0.AddDate(0, 0, 14))
	assertSilence(t, w, u, n, calls, "after /stop")
	if n := len(news(w.adv)); n != 0 {
		t.Errorf("the advisor got messages besides the digest: %s", dump(w.adv.Messages()))
	}

	c.text("/start")
	c.expect("Quel plaisir de vous revoir")
	if b := w.ben(t, u); b.State != domain.StateActive {
		t.Fatalf("after /start: state %s", b.State)
	}
	if jobs := w.jobs(t, benID); !hasJob(jobs, "c", benID, 0) || !hasJob(jobs, "o", benID, 1) {
		t.Errorf("after /start: jobs %v", jobs)
	}
	n = len(u.Messages())
	w.runUntil(t, time.Date(2026, 12, 7, 12, 0, 0, 0, paris))
	var checkin, nudge bool
	for _, m := range u.Messages()[n:] {
		checkin = checkin || strings.Contains(m.PlainText, txtCheckinIntro)
		nudge = nudge || strings.Contains(m.PlainText, "C'était prévu") && strings.Contains(m.PlainText, cvTitle)
	}
	if !checkin || !nudge {
		t.Errorf("after /start: check-in %v, nudge %v:\n%s", checkin, nudge, dump(u.Messages()[n:]))
	}
}

// The beneficiary blocks the bot with several messages queued for them:
// the first attempt gets 403, they are marked blocked, their jobs and
// queued messages are dropped, nothing is tried again, and the advisor is
// told once. /start after unblocking follows them again.
func TestBlockedBeneficiary(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// Three steps due Thursday: their first reminders come on Monday at
	// 10:00, with the check-in.
	u := w.enrol(t, stepPlan(t, "Awa", "",
		[2]string{"Refaire son CV", "2026-11-26"}, [2]string{"Lettre de motivation", "2026-11-26"},
		[2]string{"Appeler la Mission Locale", "2026-11-26"}), 7405, "Awa", true)
	benID := w.ben(t, u).ID
	before := len(sendsTo(w.srv, "sendMessage", u.ID()))

	u.Block()
	// The first try meets a 502: the chat waits 2 s, so everything due at
	// 10:00 is queued behind it when Telegram answers 403.
	w.srv.InjectFault("sendMessage", u.ID(), 1, telegramtest.Fault{Status: 502})
	w.runUntil(t, mondayCheckin)
	queued, err := w.r.app.store.Outbox().Pending(ctx, u.ID())
	if err != nil {
		t.Fatal(err)
	}
	if queued != 4 {
		t.Fatalf("%d messages queued for the beneficiary, want the check-in and three reminders", queued)
	}
	w.clk.Advance(2 * time.Second)
	w.settle(t)

	var statuses []int
	for _, c := range sendsTo(w.srv, "sendMessage", u.ID())[before:] {
		statuses = append(statuses, c.Status)
	}
	if fmt.Sprint(statuses) != "[502 403]" {
		t.Errorf("attempts to the blocked chat: %v, want [502 403]", statuses)
	}
	if b := w.ben(t, u); b.State != domain.StateBlocked || b.Blocks != 1 {
		t.Errorf("after 403: state %s, blocks %d", b.State, b.Blocks)
	}
	if jobs := w.jobs(t, benID); len(jobs) != 0 {
		t.Errorf("a blocked beneficiary still has jobs: %v", jobs)
	}
	if n, _ := w.r.app.store.Outbox().Pending(ctx, u.ID()); n != 0 {
		t.Errorf("%d messages still queued for a blocked chat", n)
	}
	told := one(t, w.adv, txtBlocked)
	if !strings.Contains(told.PlainText, "Awa") {
		t.Errorf("advisor told: %s", told)
	}

	// Two weeks of due dates and check-ins: nothing is tried.
	w.runUntil(t, mondayCheckin.AddDate(0, 0, 14).Add(-time.Hour))
	if n := len(sendsTo(w.srv, "sendMessage", u.ID())) - before; n != 2 {
		t.Errorf("%d attempts to the blocked chat, want still 2", n)
	}
	if n := len(containing(w.adv.Messages(), txtBlocked)); n != 1 {
		t.Errorf("advisor told %d times of the block, want once:\n%s", n, dump(w.adv.Messages()))
	}

	// Unblocked and back with /start: followed again.
	u.Unblock()
	c := newTalk(t, u)
	c.text("/start")
	c.expect("Quel plaisir de vous revoir")
	if b := w.ben(t, u); b.State != domain.StateActive {
		t.Errorf("after /start: state %s", b.State)
	}
	if jobs := w.jobs(t, benID); !hasJob(jobs, "c", benID, 0) {
		t.Errorf("after /start: jobs %v", jobs)
	}
	w.runUntil(t, mondayCheckin.AddDate(0, 0, 14))
	if m := c.expect(txtCheckinIntro); !m.Date.Equal(mondayCheckin.AddDate(0, 0, 14)) {
		t.Errorf("check-in after /start at %s", m.Date)
	}
}

// /confidentialite changes the stored consent, and the next forward
// follows it each way.
func TestPrivacyToggleFollowsNextForward(t *testing.T) {
	_, msgs := privacyToggle(t)
	private, shared := msgs[0].PlainText, msgs[1].PlainText
	if !strings.Contains(private, txtFwdPrivate) || strings.Contains(private, "/5") || strings.Contains(private, cvTitle) {
		t.Errorf("forward after consent was withdrawn:\n%s", private)
	}
	for _, want := range []string{txtFwdTitle, "5/5", cvTitle + " : En cours"} {
		if !strings.Contains(shared, want) {
			t.Errorf("forward after consent was given lacks %q:\n%s", want, shared)
		}
	}
}

// A score given while the beneficiary kept answers private stays private
// once they share again: the next forward's trend must not reveal it.
func TestPrivateScoreNotRevealedByLaterTrend(t *testing.T) {
	_, msgs := privacyToggle(t)
	if shared := msgs[1].PlainText; strings.Contains(shared, "4/5") || strings.Contains(shared, "avant") {
		t.Errorf("the score given without consent shows in the next forward's trend:\n%s", shared)
	}
}

// /reglages: English, a typed zone (an unknown one refused clearly, then
// America/Cayenne) and quiet hours 20:00–09:00; the next reminders are in
// English, at Cayenne time, and one falling in the new quiet hours waits.
func TestSettingsLanguageZoneQuietHours(t *testing.T) {
	w := newWorld(t)
	path := writePlan(t, fmt.Sprintf(`beneficiary: {name: Awa, timezone: Europe/Paris}
advisor: %d
steps:
  - {title: "Entretien à la mairie", due: "2026-12-03T10:30", reminders: ["-2h"]}
  - {title: %q, due: 2026-12-04, reminders: ["-3d"]}
`, advisorID, cvTitle))
	u := w.enrol(t, path, 7407, "Awa", true)
	c := newTalk(t, u)

	c.text("/reglages")
	c.tap("Dans quelle langue", "🇬🇧 English")
	c.tap("Your time zone", "✏️ Another one (I'll type it)")
	c.expect("Type the name of your time zone")
	c.text("Mars/Olympus")
	refused := c.expect("Mars/Olympus")
	if !strings.Contains(refused.PlainText, "I don't know") || !strings.Contains(refused.PlainText, "Europe/Paris") {
		t.Errorf("refusal of an unknown zone: %q", refused.PlainText)
	}
	if b := w.ben(t, u); b.Timezone != "Europe/Paris" {
		t.Fatalf("an unknown zone was stored: %q", b.Timezone)
	}
	c.text("America/Cayenne")
	c.expect("✔️ America/Cayenne")
	day := c.expect("Which day suits you")
	if !strings.HasPrefix(day.Keyboard[0][0].Text, "As planned") {
		t.Fatalf("day question: %s", day)
	}
	c.tap("Which day suits you", day.Keyboard[0][0].Text)
	c.tap("quiet hours", "8 pm – 9 am")
	done := c.expect("All set")
	if !strings.Contains(done.PlainText, "from 20:00 to 09:00") {
		t.Errorf("summary: %q", done.PlainText)
	}
	b := w.ben(t, u)
	if b.Language != domain.English || b.Timezone != "America/Cayenne" || b.Quiet != "20:00-09:00" {
		t.Fatalf("settings stored: language %q, zone %q, quiet %q", b.Language, b.Timezone, b.Quiet)
	}

	cayenne := mustZone("America/Cayenne")
	n := len(u.Messages())
	w.runUntil(t, time.Date(2026, 12, 3, 12, 0, 0, 0, cayenne))
	var reminders []telegramtest.Message
	for _, m := range u.Messages()[n:] {
		if strings.Contains(m.PlainText, "⏰") {
			reminders = append(reminders, m)
		}
	}
	want := []struct {
		at    time.Time
		texts []string
	}{
		{time.Date(2026, 12, 1, 10, 0, 0, 0, cayenne), []string{cvTitle, "Friday 4 December 2026", "in 3 days"}},
		// Due at 10:30, reminded 2 hours before (08:30): in the quiet hours, so at 09:00.
		{time.Date(2026, 12, 3, 9, 0, 0, 0, cayenne), []string{"Entretien à la mairie", "It is for today", "Thursday 3 December 2026"}},
	}
	if len(reminders) != len(want) {
		t.Fatalf("reminders after /reglages: %d, want %d:\n%s", len(reminders), len(want), dump(reminders))
	}
	for i, m := range reminders {
		if !m.Date.Equal(want[i].at) {
			t.Errorf("reminder %d at %s, want %s (Cayenne time, quiet hours)", i+1, m.Date.In(cayenne), want[i].at)
		}
		for _, s := range want[i].texts {
			if !strings.Contains(m.PlainText, s) {
				t.Errorf("reminder %d lacks %q: %q", i+1, s, m.PlainText)
			}
		}
	}
	for _, m := range u.Messages()[n:] {
		if strings.Contains(m.PlainText, txtCheckinIntro) || strings.Contains(m.PlainText, "prévu") {
			t.Errorf("a message in French after choosing English: %q", m.PlainText)
		}
	}
}
