package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"suivi/dialogs"
	"suivi/domain"
	"suivi/internal/redistest"
	"suivi/store"
	"suivi/telegramtest"
)

// The day before each follow-up meeting, at 09:00 in the beneficiary's
// zone, the advisor gets one brief of what happened since the plan was
// made (then since the previous meeting): the step done from a reminder,
// the step postponed from a reminder, the step marked blocked in a
// check-in, the check-ins and their scores, the help asked. Without
// consent the scores stay private. A meeting removed from the plan gets
// no brief.
func TestBriefBeforeMeetingListsWhatHappened(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	ctx := context.Background()
	awa := w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{
		{title: "Refaire son CV", due: "2037-03-05"},
		{title: "Visite de la Mission Locale", due: "2037-03-06"},
		{title: "Inscription au Greta", due: "2037-03-20"},
		{title: "Atelier numérique", due: "2037-04-10"},
	}, meetings: []string{"2037-03-24T10:00", "2037-04-07T14:00"}}.file(t), 9101, "Awa", true)
	leo := w.enrol(t, planSpec{name: "Léo", steps: []stepSpec{{title: "Bilan de compétences", due: "2037-04-20"}},
		meetings: []string{"2037-03-24T11:00", "2037-04-07T11:00"}}.file(t), 9102, "Léo", false)
	awaID := w.ben(t, awa).ID

	// Monday: the CV is done from its reminder; both do the check-in.
	w.runUntil(t, on(3, 2, 10, 0))
	c := newTalk(t, awa)
	c.mark = 0
	c.tap("Refaire son CV", btnStepDone)
	c.expectEdit("Bravo")
	w.checkin(t, awa, ciAnswers{score: btnScore4})
	w.checkin(t, leo, ciAnswers{score: "😄 Très bien"})

	// Tuesday: the visit is postponed a week from its reminder.
	w.runUntil(t, on(3, 3, 10, 0))
	c = newTalk(t, awa)
	c.mark = 0
	c.tap("Visite de la Mission Locale", btnStepPostpone)
	press(t, awa, "+1 semaine")
	c.expectEdit("est reporté au vendredi 13 mars 2037")

	// Next Monday: a low score, the Greta step blocked, help asked.
	w.runUntil(t, on(3, 9, 10, 0))
	w.checkin(t, awa, ciAnswers{score: "🙁 Peu", steps: map[string]string{"Inscription au Greta": btnBlocked}, help: true})
	w.checkin(t, leo, ciAnswers{score: btnScore4})
	w.runUntil(t, on(3, 16, 10, 0))
	w.checkin(t, awa, ciAnswers{score: "😐 Moyen"})

	// The day before the meetings, 09:00: one brief each.
	w.runUntil(t, on(3, 23, 12, 0))
	p := w.plan(t, awaID)
	if s := p.Steps; s[0].Status != domain.StatusDone || s[1].Due.Date != (domain.Date{Year: 2037, Month: 3, Day: 13}) || s[2].Status != domain.StatusBlocked {
		t.Fatalf("scenario: Awa's steps %+v", s)
	}
	briefs := containing(w.adv.Messages(), txtBriefHead)
	sameTimes(t, "briefs", briefs, on(3, 23, 9, 0), on(3, 23, 9, 0))
	if len(briefs) != 2 {
		t.FailNow()
	}
	want := map[string]string{
		"Awa": "📋 Demain : rendez-vous avec Awa (mardi 24 mars 2037 à 10:00)\n" +
			"Depuis le dimanche 1 mars 2037 :\n" +
			"✅ Étapes faites : Refaire son CV\n" +
			"📅 Reportées : Visite de la Mission Locale\n" +
			"⛔ Bloquées : Inscription au Greta\n" +
			"📊 Points faits : 3 · scores : 4/5, 2/5, 3/5\n" +
			"🙋 Demandes d'aide : 1",
		"Léo": "📋 Demain : rendez-vous avec Léo (mardi 24 mars 2037 à 11:00)\n" +
			"Depuis le dimanche 1 mars 2037 :\n" +
			"✅ Étapes faites : aucune\n" +
			"📅 Reportées : aucune\n" +
			"⛔ Bloquées : aucune\n" +
			"📊 Points faits : 2 · scores : 🔒 réponses privées\n" +
			"🙋 Demandes d'aide : 0",
	}
	for _, b := range briefs {
		name := "Awa"
		if strings.Contains(b.PlainText, "Léo") {
			name = "Léo"
		}
		if b.PlainText != want[name] {
			t.Errorf("%s's brief:\n%s\nwant:\n%s", name, b.PlainText, want[name])
		}
		if !b.DisableNotification || !hasButton(b, btnReply) || !hasButton(b, btnSeePlan) {
			t.Errorf("%s's brief should be silent, with « Répondre » and « Voir le plan »: %s", name, b)
		}
		delete(want, name)
	}
	if len(want) != 0 {
		t.Errorf("no brief for %v", want)
	}
	for _, b := range containing(briefs, "Léo") {
		if strings.Contains(b.PlainText, "/5") {
			t.Errorf("a brief shows the scores of a beneficiary who keeps them private: %q", b.PlainText)
		}
	}

	// A revision removes Awa's second meeting: no brief for it; Léo's
	// comes, counting from the first meeting.
	if jobAt(w.jobs(t, awaID), "m", awaID, 0).IsZero() {
		t.Fatalf("no brief scheduled for Awa's second meeting: %v", w.jobs(t, awaID))
	}
	if _, err := w.r.app.store.UpdatePlan(ctx, awaID, w.clk.Now(), func(p *domain.Plan) error {
		p.Meetings = p.Meetings[:1]
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.r.app.sched.Sync(ctx, awaID); err != nil {
		t.Fatal(err)
	}
	if at := jobAt(w.jobs(t, awaID), "m", awaID, 0); !at.IsZero() {
		t.Errorf("a brief is still scheduled at %s for a meeting removed", at)
	}
	w.runUntil(t, on(4, 7, 12, 0))
	briefs = containing(w.adv.Messages(), txtBriefHead)
	if got := containing(briefs, "Awa"); len(got) != 1 {
		t.Errorf("Awa's briefs: %d, want the first meeting's only:\n%s", len(got), dump(got))
	}
	second := containing(briefs, "Léo (mardi 7 avril 2037 à 11:00)")
	sameTimes(t, "Léo's second brief", second, on(4, 6, 9, 0))
	if len(second) == 1 && !strings.Contains(second[0].PlainText, "Depuis le mardi 24 mars 2037") {
		t.Errorf("Léo's second brief counts from the first meeting: %q", second[0].PlainText)
	}
}

// Each check-in's score shows in the brief, in order, even two equal ones.
func TestBriefListsEveryScore(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	awa := w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-04-20"}},
		meetings: []string{"2037-03-17T10:00"}}.file(t), 9101, "Awa", true)
	w.runUntil(t, on(3, 2, 10, 0))
	w.checkin(t, awa, ciAnswers{score: "😐 Moyen"})
	w.runUntil(t, on(3, 9, 10, 0))
	w.checkin(t, awa, ciAnswers{score: "😐 Moyen"})
	w.runUntil(t, on(3, 16, 12, 0))
	b := containing(w.adv.Messages(), txtBriefHead)
	if len(b) != 1 || !strings.Contains(b[0].PlainText, "📊 Points faits : 2 · scores : 3/5, 3/5\n") {
		t.Errorf("brief:\n%s", dump(b))
	}
}

// Help asked with a reminder's « Besoin d'aide » button is help asked: the
// brief counts it (the digest already shows it).
func TestBriefCountsHelpAskedOnAReminder(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	awa := w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-03-05"}},
		meetings: []string{"2037-03-10T10:00"}}.file(t), 9101, "Awa", true)
	w.runUntil(t, on(3, 2, 10, 0))
	c := newTalk(t, awa)
	c.mark = 0
	c.tap("Refaire son CV", btnStepHelp)
	c.expectEdit("votre conseiller va revenir vers vous")
	w.settle(t)
	if len(containing(w.adv.Messages(), "Awa demande de l'aide")) != 1 {
		t.Fatalf("no help alert:\n%s", dump(w.adv.Messages()))
	}
	w.runUntil(t, on(3, 9, 12, 0))
	b := containing(w.adv.Messages(), txtBriefHead)
	if len(b) != 1 || !strings.HasSuffix(b[0].PlainText, "🙋 Demandes d'aide : 1") {
		t.Errorf("brief:\n%s", dump(b))
	}
}

// Alerts come once each: a step marked blocked in a check-in at once
// (🟠, with sound), not again when it is said blocked again; a step still
// open eight days after its due date (🟡, silently), not again; two
// check-ins in a row without any answer (🟠), not again every week the
// silence lasts; and none for a step done before its due date + 8 days.
func TestAlertsComeOnceEach(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	awa := w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{
		{title: "Refaire son CV", due: "2037-03-05"},
		{title: "Visite de la Mission Locale", due: "2037-03-06"},
		{title: "Inscription au Greta", due: "2037-04-20"},
	}}.file(t), 9101, "Awa", true)
	w.enrol(t, planSpec{name: "Yanis", steps: []stepSpec{{title: "Rendez-vous Cap Emploi", due: "2037-05-01"}}}.file(t), 9102, "Yanis", true)

	w.runUntil(t, on(3, 2, 10, 0))
	w.checkin(t, awa, ciAnswers{score: btnScore4})
	w.runUntil(t, on(3, 9, 10, 0))
	w.checkin(t, awa, ciAnswers{score: "😐 Moyen", steps: map[string]string{
		"Refaire son CV": btnProgress, "Visite de la Mission Locale": btnDone, "Inscription au Greta": btnBlocked}})
	blocked := containing(w.adv.Messages(), txtAlertBlocked)
	sameTimes(t, "blocked step, at once, in the check-in's message", blocked, on(3, 9, 10, 0))
	w.runUntil(t, on(3, 16, 10, 0))
	w.checkin(t, awa, ciAnswers{score: "😐 Moyen", steps: map[string]string{"Inscription au Greta": btnBlocked}})
	w.runUntil(t, on(3, 31, 12, 0))

	if s := w.plan(t, w.ben(t, awa).ID).Steps; s[0].Status != domain.StatusInProgress || s[1].Status != domain.StatusDone || s[2].Status != domain.StatusBlocked {
		t.Fatalf("scenario: Awa's steps %+v", s)
	}
	msgs := w.adv.Messages()
	blocked = containing(msgs, txtAlertBlocked)
	sameTimes(t, "blocked alerts", blocked, on(3, 9, 10, 0))
	if len(blocked) == 1 {
		if m := blocked[0]; !strings.HasPrefix(m.PlainText, "🟠 Awa signale un blocage sur l'étape « Inscription au Greta ».\n\n📝 Point de suivi de Awa") || m.DisableNotification ||
			!hasButton(m, btnReply) || !hasButton(m, btnSeePlan) {
			t.Errorf("blocked alert: %s (silent %v)", m, m.DisableNotification)
		}
	}
	overdue := containing(msgs, txtAlertOverdue)
	sameTimes(t, "overdue alerts (the CV due 5 March, still in progress; not the visit, done on 9 March)", overdue, on(3, 13, 10, 0))
	if len(overdue) == 1 {
		if m := overdue[0]; m.PlainText != "🟡 Awa : l'étape « Refaire son CV », prévue le jeudi 5 mars 2037, a plus de 7 jours de retard." ||
			!m.DisableNotification || !hasButton(m, btnReply) {
			t.Errorf("overdue alert: %s (silent %v)", m, m.DisableNotification)
		}
	}
	silence := containing(msgs, txtAlertSilence)
	sameTimes(t, "silence alerts (Yanis never answers: check-ins of 2, 9, 16, 23 and 30 March)", silence, on(3, 16, 10, 0))
	if len(silence) == 1 {
		if m := silence[0]; !strings.HasPrefix(m.PlainText, "🟠 Yanis n'a pas répondu") || m.DisableNotification || !hasButton(m, btnReply) {
			t.Errorf("silence alert: %s (silent %v)", m, m.DisableNotification)
		}
	}
}

// An absence of two weeks: each of A's beneficiaries is told once who
// reads their answers, B is told; meanwhile check-in forwards, help
// alerts and A's Monday digest go to B, who can see the plans and reply;
// then everything goes to A again and B's buttons reach nothing.
func TestAbsenceStandInReadsNewsThenHandsBack(t *testing.T) {
	aw := newAbsenceWorld(t)
	a, b := aw.a, aw.b
	ctx := context.Background()
	aw.startAbsence(t)
	aw.pressOn(t, a, "2 semaines")
	if m := lastOf(t, a); !strings.HasPrefix(m.PlainText, "✔️ C'est noté : Bastien vous remplace jusqu'au samedi 14 mars 2037 inclus.") {
		t.Errorf("A reads: %q", m.PlainText)
	}
	adv, err := aw.r.app.store.Advisor(ctx, advisorID)
	if err != nil || adv.Absence == nil || adv.Absence.StandIn != otherAdvisor || !adv.Absence.From.Equal(moreStart) || !adv.Absence.To.Equal(on(3, 15, 0, 0)) {
		t.Fatalf("stored absence: %+v %v", adv, err)
	}
	for _, u := range []*telegramtest.User{aw.awa, aw.moussa} {
		got := containing(u.Messages(), txtAbsNotice)
		if len(got) != 1 || got[0].PlainText != "ℹ️ Du dimanche 1 mars 2037 au samedi 14 mars 2037, Claire n'est pas disponible. Pendant ce temps, c'est Bastien qui lit vos réponses et peut vous aider." {
			t.Errorf("chat %d: want one notice naming Bastien, got:\n%s", u.ID(), dump(got))
		}
	}
	if got := containing(aw.zoe.Messages(), txtAbsNotice); len(got) != 0 {
		t.Errorf("B's beneficiary was told of A's absence:\n%s", dump(got))
	}
	if got := containing(b.Messages(), txtAbsStandIn); len(got) != 1 || !strings.Contains(got[0].PlainText, "samedi 14 mars 2037 inclus") {
		t.Errorf("B: want one message saying whom they stand in for:\n%s", dump(b.Messages()))
	}
	aSeen := len(a.Messages())

	// Awa's check-in goes to B, who replies; Awa's answer back goes to B.
	aw.progres(t, aw.awa, false)
	fwd := containing(b.Messages(), "Point de suivi de Awa")
	if len(fwd) != 1 {
		t.Fatalf("B got %d forwards of Awa's check-in:\n%s", len(fwd), dump(b.Messages()))
	}
	if _, err := b.PressButton(fwd[0].ID, btnReply); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitMessage(wait, has("Écrivez votre message pour Awa")); err != nil {
		t.Fatal(err)
	}
	aw.say(t, b, "Bonjour Awa, je remplace Claire cette semaine.")
	relay := containing(aw.awa.Messages(), "Bonjour Awa, je remplace Claire cette semaine.")
	if len(relay) != 1 || !strings.Contains(relay[0].PlainText, "Message de Bastien") {
		t.Fatalf("Awa did not get B's reply:\n%s", dump(aw.awa.Messages()))
	}
	if _, err := aw.awa.PressButton(relay[0].ID, "↩️ Répondre"); err != nil {
		t.Fatal(err)
	}
	if _, err := aw.awa.WaitMessage(wait, has("Écrivez votre réponse")); err != nil {
		t.Fatal(err)
	}
	aw.say(t, aw.awa, "Merci, à lundi !")
	if got := containing(b.Messages(), "Awa vous répond"); len(got) != 1 || !strings.Contains(got[0].PlainText, "Merci, à lundi !") {
		t.Errorf("Awa's answer did not reach B:\n%s", dump(b.Messages()))
	}
	aw.sayExpect(t, b, "/plan Moussa", "Inscription aux cours de FLE")

	// Monday: A's digest goes to B; Moussa asks help on a reminder: to B.
	aw.runUntil(t, on(3, 2, 10, 0))
	c := newTalk(t, aw.moussa)
	c.mark = 0
	c.tap("Inscription aux cours de FLE", btnStepHelp)
	c.expectEdit("votre conseiller va revenir vers vous")
	aw.settle(t)
	help := containing(b.Messages(), "Moussa demande de l'aide")
	if len(help) != 1 {
		t.Errorf("B got %d help alerts from Moussa, want 1:\n%s", len(help), dump(b.Messages()))
	}
	aw.runUntil(t, on(3, 9, 12, 0))
	if got := since(a, aSeen); len(got) != 0 {
		t.Errorf("A got news during the absence:\n%s", dump(got))
	}
	standIn := containing(b.Messages(), txtDgStandIn)
	sameTimes(t, "A's digests to B", standIn, on(3, 2, 8, 30), on(3, 9, 8, 30))
	for _, m := range standIn {
		if !strings.Contains(m.PlainText, "Awa") || !strings.Contains(m.PlainText, "Moussa") || strings.Contains(m.PlainText, "Zoé") {
			t.Errorf("A's digest sent to B is not A's: %q", m.PlainText)
		}
	}
	// B's own digest still comes, separately.
	own := 0
	for _, m := range containing(b.Messages(), txtDigestTitle) {
		if !strings.Contains(m.PlainText, txtDgStandIn) && strings.Contains(m.PlainText, "Zoé") {
			own++
		}
	}
	if own != 2 {
		t.Errorf("B got %d digests of their own, want 2", own)
	}

	// The absence is over (last day Saturday 14 March): back to A.
	aw.runUntil(t, on(3, 16, 9, 0))
	bSeen := len(b.Messages())
	if got := containing(since(a, aSeen), txtDigestTitle); len(got) != 1 || !got[0].Date.Equal(on(3, 16, 8, 30)) || strings.Contains(got[0].PlainText, "Vous remplacez") {
		t.Errorf("A's Monday digest after the absence:\n%s", dump(got))
	}
	aw.progres(t, aw.moussa, true)
	if got := containing(since(a, aSeen), "Point de suivi de Moussa"); len(got) != 1 {
		t.Errorf("A got %d forwards of Moussa's check-in after the absence, want 1", len(got))
	}
	if got := containing(since(a, aSeen), "Moussa demande de l'aide"); len(got) != 1 {
		t.Errorf("A got %d help alerts from Moussa after the absence, want 1", len(got))
	}
	// B's old buttons and commands reach nothing.
	for _, m := range []telegramtest.Message{fwd[0], help[0]} {
		for _, label := range []string{btnSeePlan, btnReply} {
			if got := forge(t, aw.srv, b, m.ID, buttonData(m, label)); got != txtClosedToast {
				t.Errorf("B pressing %q after the absence: answered %q", label, got)
			}
		}
	}
	aw.sayExpect(t, b, "/plan Awa", txtAdvNobody)
	aw.settle(t)
	for _, m := range since(b, bSeen) {
		if strings.Contains(m.PlainText, "Awa") || strings.Contains(m.PlainText, "Moussa") {
			t.Errorf("after the absence B was shown: %s", m)
		}
	}
}

// "/absence fin" ends an absence early; a period can be typed
// ("24/12 - 05/01", the last day included, across the new year), and a bad
// one is refused and stores nothing.
func TestAbsenceEndsEarlyAndTypedPeriod(t *testing.T) {
	aw := newAbsenceWorld(t)
	a, b := aw.a, aw.b
	ctx := context.Background()
	st := aw.r.app.store
	aw.startAbsence(t)
	aw.pressOn(t, a, "1 semaine")
	aw.sayExpect(t, a, "/absence", "Pendant votre absence, Bastien vous remplace jusqu'au")
	aw.progres(t, aw.awa, false)
	fwd := containing(b.Messages(), "Point de suivi de Awa")
	if len(fwd) != 1 {
		t.Fatalf("during the absence B got %d forwards, want 1", len(fwd))
	}

	aw.sayExpect(t, a, "/absence fin", "✔️ Absence terminée : vos nouvelles vous reviennent.")
	if adv, err := st.Advisor(ctx, advisorID); err != nil || adv.Absence != nil {
		t.Fatalf("absence kept: %+v %v", adv, err)
	}
	aw.progres(t, aw.moussa, true)
	if got := containing(a.Messages(), "Point de suivi de Moussa"); len(got) != 1 {
		t.Errorf("after /absence fin, A got %d forwards of Moussa's check-in, want 1", len(got))
	}
	if got := containing(a.Messages(), "Moussa demande de l'aide"); len(got) != 1 {
		t.Errorf("after /absence fin, A got %d help alerts, want 1", len(got))
	}
	if got := containing(b.Messages(), "Moussa"); len(got) != 0 {
		t.Errorf("after /absence fin, B got:\n%s", dump(got))
	}
	if got := forge(t, aw.srv, b, fwd[0].ID, buttonData(fwd[0], btnSeePlan)); got != txtClosedToast {
		t.Errorf("B's button after /absence fin: answered %q", got)
	}
	aw.sayExpect(t, b, "/plan Awa", txtAdvNobody)

	// A typed period: bad ones are refused.
	aw.startAbsence(t)
	advBefore, _ := st.Advisor(ctx, advisorID)
	notices := len(containing(aw.awa.Messages(), txtAbsNotice))
	for _, bad := range []string{"24/12 - 32/01", "demain", "05/01 - 24/12", "24/12"} {
		aw.sayExpect(t, a, bad, "Je n'ai pas compris. Exemple : 24/12 - 05/01")
	}
	if adv, _ := st.Advisor(ctx, advisorID); fmt.Sprint(adv) != fmt.Sprint(advBefore) || adv.Absence != nil {
		t.Errorf("a bad period changed the advisor: %+v", adv)
	}
	if got := len(containing(aw.awa.Messages(), txtAbsNotice)); got != notices {
		t.Errorf("a bad period told Awa")
	}
	aw.sayExpect(t, a, "24/12 - 05/01", "✔️ C'est noté : Bastien vous remplace jusqu'au mardi 5 janvier 2038 inclus.")
	adv, err := st.Advisor(ctx, advisorID)
	from, to := time.Date(2037, 12, 24, 0, 0, 0, 0, paris), time.Date(2038, 1, 6, 0, 0, 0, 0, paris)
	if err != nil || adv.Absence == nil || adv.Absence.StandIn != otherAdvisor || !adv.Absence.From.Equal(from) || !adv.Absence.To.Equal(to) {
		t.Fatalf("typed absence stored as %+v, want %s to %s", adv.Absence, from, to)
	}
	// Until 24 December, A reads their news: Monday's digest is A's.
	aSeen, bSeen := len(a.Messages()), len(b.Messages())
	aw.runUntil(t, on(3, 2, 9, 0))
	if got := containing(since(a, aSeen), txtDigestTitle); len(got) != 1 {
		t.Errorf("before the typed period A got %d digests, want 1", len(got))
	}
	if got := containing(since(b, bSeen), txtDgStandIn); len(got) != 0 {
		t.Errorf("before the typed period B got A's digest")
	}
	// In it (Christmas), Awa's check-in goes to B; after it, to A.
	for _, c := range []struct {
		at   time.Time
		to   *telegramtest.User
		what string
	}{{time.Date(2037, 12, 28, 10, 0, 0, 0, paris), b, "during"}, {time.Date(2038, 1, 11, 10, 0, 0, 0, paris), a, "after"}} {
		aw.clk.Set(c.at.Add(-time.Hour))
		aw.settle(t) // the check-ins missed meanwhile: only the latest
		aw.runUntil(t, c.at)
		n := len(containing(c.to.Messages(), "Point de suivi de Awa"))
		aw.checkin(t, aw.awa, ciAnswers{score: btnScore4})
		if got := len(containing(c.to.Messages(), "Point de suivi de Awa")); got != n+1 {
			t.Errorf("%s the typed period Awa's check-in did not reach chat %d", c.what, c.to.ID())
		}
	}
	// Each beneficiary was told once of it, naming Bastien and its last day
	// (when: TestAbsenceTypedForLaterIsAnnouncedAsLater).
	for _, u := range []*telegramtest.User{aw.awa, aw.moussa} {
		got := containing(u.Messages(), txtAbsNotice)[notices:]
		if len(got) != 1 || !strings.Contains(got[0].PlainText, "au mardi 5 janvier 2038") ||
			!strings.Contains(got[0].PlainText, "c'est Bastien qui lit vos réponses") {
			t.Errorf("chat %d: want one notice of the typed absence, got:\n%s", u.ID(), dump(got))
		}
	}
}

// An absence typed for later (in March, for Christmas) is announced as
// later: the beneficiaries and the stand-in are not told months ahead that
// the stand-in reads their answers "until 5 January" as if from now.
func TestAbsenceTypedForLaterIsAnnouncedAsLater(t *testing.T) {
	aw := newAbsenceWorld(t)
	aw.startAbsence(t)
	aw.sayExpect(t, aw.a, "24/12 - 05/01", "vous remplace jusqu'au mardi 5 janvier 2038 inclus")
	from := time.Date(2037, 12, 24, 0, 0, 0, 0, paris)
	aw.clk.Set(from.Add(12 * time.Hour))
	aw.settle(t)
	for _, u := range []*telegramtest.User{aw.awa, aw.moussa, aw.b} {
		told := containing(u.Messages(), "5 janvier 2038")
		if len(told) == 0 {
			t.Errorf("chat %d was never told of the absence", u.ID())
		}
		for _, m := range told {
			if m.Date.Before(from) && !strings.Contains(m.PlainText, "24 décembre 2037") {
				t.Errorf("chat %d was told on %s, without the first day: %q", u.ID(), m.Date.In(paris).Format("2006-01-02"), m.PlainText)
			}
		}
	}
}

// /export: a CSV document named after the day, with a byte order mark,
// ';' between fields and the header of dialogs.ExportHeader; one row per
// check-in (done, without answer, incomplete, open; the score only when
// shared) and one per step history entry; nothing personal of a
// beneficiary who does not share; only the advisor's own beneficiaries.
func TestExportCSV(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	const question = "Qu'avez-vous appris cette semaine ?"
	awa := w.enrol(t, planSpec{name: "Awa", question: question, steps: []stepSpec{
		{title: "Refaire son CV", due: "2037-03-05"},
		{title: "Visite de la Mission Locale", due: "2037-03-20"},
	}}.file(t), 9101, "Awa", true)
	leo := w.enrol(t, planSpec{name: "Léo", question: question, steps: []stepSpec{{title: "Bilan de compétences", due: "2037-04-20"}}}.file(t), 9102, "Léo", false)
	w.enrol(t, planSpec{name: "Zoé", advisor: otherAdvisor, steps: []stepSpec{{title: "Préparer le concours", due: "2037-04-20"}}}.file(t), 9201, "Zoé", true)

	// Week 10: both answer everything; Awa shares, Léo does not.
	w.runUntil(t, on(3, 2, 10, 0))
	w.checkin(t, awa, ciAnswers{score: btnScore4, answer: "txt:À faire un CV; en \"français\"", note: "Merci pour tout",
		steps: map[string]string{"Refaire son CV": btnDone}, help: true})
	w.checkin(t, leo, ciAnswers{score: "😄 Très bien", answer: "txt:Secret de Léo", note: "Note privée de Léo"})
	// Week 11: Awa keeps her score for herself and stops there; Léo says nothing.
	w.runUntil(t, on(3, 9, 10, 0))
	w.checkin(t, awa, ciAnswers{score: btnKeep, only: true})
	// Tuesday: the advisor moves the visit.
	w.runUntil(t, on(3, 10, 11, 0))
	w.sayExpect(t, w.adv, "/modifier Awa", txtRvMenu)
	w.pressOn(t, w.adv, "⬜ Visite de la Mission Locale · 20/03")
	w.pressOn(t, w.adv, btnRvDate)
	w.sayExpect(t, w.adv, "15/04", txtRvMenu)
	w.pressOn(t, w.adv, btnRvDone)
	// Week 12: Awa completes it, her score kept for herself; Léo says nothing.
	w.runUntil(t, on(3, 16, 10, 0))
	w.checkin(t, awa, ciAnswers{score: btnKeep})
	// Week 13 is still open at the export, on Tuesday 24 March.
	w.runUntil(t, on(3, 24, 12, 0))
	got := w.say(t, w.adv, "/export")
	if len(got) != 1 {
		t.Fatalf("/export: want one document, got:\n%s", dump(got))
	}
	doc := got[0]
	if doc.Kind != "document" || doc.FileName != "suivi-2037-03-24.csv" {
		t.Errorf("export sent as %s named %q, want a document suivi-2037-03-24.csv", doc.Kind, doc.FileName)
	}
	if !strings.Contains(doc.PlainCaption, "Export : 2 bénéficiaires") {
		t.Errorf("caption %q", doc.PlainCaption)
	}
	if !bytes.HasPrefix(doc.File, []byte("\xEF\xBB\xBF"+strings.Join(dialogs.ExportHeader(), ";")+"\n")) {
		t.Errorf("export does not start with the BOM and the header: %q", doc.File[:min(len(doc.File), 120)])
	}
	rows := exportRows(t, doc)
	if !slices.Equal(rows[0], dialogs.ExportHeader()) {
		t.Errorf("header %v, want %v", rows[0], dialogs.ExportHeader())
	}
	var lines []string
	for _, r := range rows[1:] {
		if len(r) != len(rows[0]) {
			t.Errorf("row of %d fields: %v", len(r), r)
		}
		lines = append(lines, strings.Join(r, "|"))
	}
	d := func(month time.Month, day, h, m int) string { return on(month, day, h, m).Format("2006-01-02 15:04") }
	now := d(3, 10, 11, 0)
	want := []string{
		// type|beneficiaire|date|fuseau|semaine|etat|score|aide|reponse|note|etape|ancien_titre|statut|echeance|par
		"point|Awa|" + d(3, 2, 10, 0) + "|Europe/Paris|2037-W10|fait|4|oui|À faire un CV; en \"français\"|Merci pour tout|||||",
		"point|Awa|" + d(3, 16, 10, 0) + "|Europe/Paris|2037-W11|incomplet||non|||||||",
		"point|Awa|" + d(3, 16, 10, 0) + "|Europe/Paris|2037-W12|fait||non|||||||",
		"point|Awa|" + d(3, 23, 10, 0) + "|Europe/Paris|2037-W13|ouvert||non|||||||",
		"etape|Awa|" + d(3, 2, 10, 0) + "|Europe/Paris|||||||Refaire son CV||fait||beneficiaire",
		"etape|Awa|" + now + "|Europe/Paris|||||||Visite de la Mission Locale|||2037-04-15|conseiller",
		"point|Léo|" + d(3, 2, 10, 0) + "|Europe/Paris|2037-W10|fait||non|||||||",
		"point|Léo|" + d(3, 16, 10, 0) + "|Europe/Paris|2037-W11|sans reponse||non|||||||",
		"point|Léo|" + d(3, 23, 10, 0) + "|Europe/Paris|2037-W12|sans reponse||non|||||||",
		"point|Léo|" + d(3, 23, 10, 0) + "|Europe/Paris|2037-W13|ouvert||non|||||||",
		"etape|Léo|||||||||Bilan de compétences||a faire|2037-04-20|",
	}
	slices.Sort(lines)
	slices.Sort(want)
	if !slices.Equal(lines, want) {
		t.Errorf("export rows:\n  %s\nwant:\n  %s", strings.Join(lines, "\n  "), strings.Join(want, "\n  "))
	}
	for _, secret := range []string{"Secret de Léo", "Note privée de Léo", "Zoé", "Préparer le concours"} {
		if bytes.Contains(doc.File, []byte(secret)) {
			t.Errorf("the export contains %q", secret)
		}
	}
	// What Léo did not share is stored, just not exported.
	if cis := w.checkins(t, w.ben(t, leo).ID); len(cis) == 0 || cis[0].Answer != "Secret de Léo" || cis[0].Score != 5 {
		t.Fatalf("scenario: Léo's first check-in %+v", cis)
	}
}

// Under /digest, « Choisir le jour et l'heure » → a weekday → an hour: the
// weekly digest then comes at that day and hour (Paris), once a week, and
// no longer on Monday 08:30.
func TestDigestWhenChosenDayAndHour(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-04-20"}}}.file(t), 9101, "Awa", true)
	got := w.say(t, w.adv, "/digest")
	if len(got) == 0 || !strings.Contains(got[0].PlainText, txtDigestTitle) || !hasButton(got[0], "⚙️ Choisir le jour et l'heure") {
		t.Fatalf("/digest:\n%s", dump(got))
	}
	w.pressOn(t, w.adv, "⚙️ Choisir le jour et l'heure")
	if m := lastOf(t, w.adv); !strings.Contains(m.PlainText, "Quel jour voulez-vous recevoir ce point ?") || !hasButton(m, "lundi") || !hasButton(m, "vendredi") {
		t.Fatalf("day question: %s", m)
	}
	w.pressOn(t, w.adv, "jeudi")
	if m := lastOf(t, w.adv); !strings.Contains(m.PlainText, "À quelle heure ?") || !hasButton(m, "17 h") {
		t.Fatalf("hour question: %s", m)
	}
	w.pressOn(t, w.adv, "17 h")
	if m := lastOf(t, w.adv); m.PlainText != "✔️ C'est noté : chaque jeudi à 17 h." {
		t.Errorf("confirmation: %q", m.PlainText)
	}
	if adv, err := w.r.app.store.Advisor(context.Background(), advisorID); err != nil || adv.DigestSpec != "0 17 * * 4" {
		t.Errorf("stored digest time: %+v %v", adv, err)
	}
	seen := len(w.adv.Messages())
	w.runUntil(t, on(3, 15, 23, 0))
	var texts, charts []telegramtest.Message
	for _, m := range since(w.adv, seen) {
		switch {
		case strings.Contains(m.PlainText, txtDigestTitle):
			texts = append(texts, m)
		case strings.Contains(m.PlainCaption, txtChartCaption):
			charts = append(charts, m)
		}
	}
	sameTimes(t, "weekly digests", texts, on(3, 5, 17, 0), on(3, 12, 17, 0))
	sameTimes(t, "weekly charts", charts, on(3, 5, 17, 0), on(3, 12, 17, 0))
}

// `suivi advisor add ID NAME` adds an advisor, who can use the bot at once;
// again with the same id it renames them, keeping the rest; a bad id or an
// empty name is refused with exit code 2 and one clear line, and nothing
// is stored.
func TestAdvisorAddCLI(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	ctx := context.Background()
	st := w.r.app.store
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := realMain(ctx, append([]string{"advisor", "add"}, args...), w.e.get, w.clk.Now, &out, &errb)
		return code, out.String(), errb.String()
	}
	const nina = 333000001
	code, out, errs := run(strconv.Itoa(nina), "Nina")
	if code != 0 || errs != "" || out != "Advisor 333000001 (Nina) added. They can now write to the bot.\n" {
		t.Fatalf("advisor add: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	a, err := st.Advisor(ctx, nina)
	if err != nil || a.Name != "Nina" || a.Admin || !a.Created.Equal(w.clk.Now()) {
		t.Fatalf("stored advisor: %+v %v", a, err)
	}
	u := w.srv.NewUser(nina, "Nina")
	w.sayExpect(t, u, "/beneficiaires", "Vous ne suivez encore personne")

	// Renaming keeps the rest of the record.
	if _, err := st.UpdateAdvisor(ctx, nina, func(a *domain.Advisor) error { a.DigestSpec = "0 9 * * 2"; return nil }); err != nil {
		t.Fatal(err)
	}
	code, out, errs = run(strconv.Itoa(nina), "Nina", "Martin")
	if code != 0 || errs != "" || out != "Advisor 333000001 is now named Nina Martin.\n" {
		t.Fatalf("rename: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if a2, err := st.Advisor(ctx, nina); err != nil || a2.Name != "Nina Martin" || a2.DigestSpec != "0 9 * * 2" || !a2.Created.Equal(a.Created) {
		t.Errorf("renamed advisor: %+v %v", a2, err)
	}

	before := domainSnapshot(t, w.r.app.rdb)
	for _, c := range []struct {
		args []string
		line string
	}{
		{[]string{"abc", "Léa"}, `suivi: "abc" is not a Telegram user id`},
		{[]string{"0", "Léa"}, `suivi: "0" is not a Telegram user id`},
		{[]string{"-444", "Léa"}, `suivi: "-444" is not a Telegram user id`},
		{[]string{"12345678901234567890", "Léa"}, `suivi: "12345678901234567890" is not a Telegram user id`},
		{[]string{"444000001", "  "}, "suivi: the name must be one line of 1 to 64 characters"},
		{[]string{"444000001", ""}, "suivi: the name must be one line of 1 to 64 characters"},
		{[]string{"444000001", "Claire\nDupont"}, "suivi: the name must be one line of 1 to 64 characters"},
		{[]string{"444000001", strings.Repeat("é", 65)}, "suivi: the name must be one line of 1 to 64 characters"},
		{[]string{"444000001"}, "suivi: usage: suivi advisor add TELEGRAM_ID NAME"},
	} {
		code, out, errs := run(c.args...)
		if code != 2 || out != "" || errs != c.line+"\n" {
			t.Errorf("advisor add %q: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, out, errs, c.line)
		}
	}
	sameSnapshot(t, "refused advisor add", before, domainSnapshot(t, w.r.app.rdb))
	if _, err := st.Advisor(ctx, 444000001); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused advisor was stored: %v", err)
	}

	// Without a running bot, against a Redis of its own.
	e := env{"REDIS_URL": redistest.URL(t), "SUIVI_DATA_KEYS": newDataKey(t, "k1")}
	var o, eb bytes.Buffer
	if code := realMain(ctx, []string{"advisor", "add", "555000001", "Sam"}, e.get, w.clk.Now, &o, &eb); code != 0 {
		t.Errorf("advisor add without the bot: exit %d %s", code, eb.String())
	}
}
