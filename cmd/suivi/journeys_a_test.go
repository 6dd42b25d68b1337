package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"suivi/catalog"
	"suivi/domain"
	"suivi/telegramtest"
)

// Journeys of issue 13 (part a): what new users tripped over.

// Texts these tests match on (catalog/fr.go).
const (
	txtFinishFirst = "Finissons d'abord ceci"
	txtConsentQ    = "Acceptez-vous que je transmette vos réponses"
	txtLangQ       = "Dans quelle langue voulez-vous"
	txtZoneQ       = "Votre fuseau horaire"
	txtScoreTap    = "touchez simplement un des boutons"
	btnConsentYes  = "✅ Oui, je partage mes réponses"
	btnConsentNo   = "🔒 Non, je les garde pour moi"
)

// aPlan is a one-step plan for name, in Paris, with the default Monday
// 10:00 check-in.
func aPlan(t *testing.T, name string) string {
	t.Helper()
	return planSpec{name: name, steps: []stepSpec{{title: "Refaire son CV", due: "2037-03-20"}}}.file(t)
}

// finishFirst checks that what u just sent (c.markSent) was answered by a
// kind "let's finish this first" and the onboarding question containing q
// again, with its buttons, and nothing else.
func finishFirst(t *testing.T, w *world, c *talk, q string) telegramtest.Message {
	t.Helper()
	c.expect(txtFinishFirst)
	m := c.expect(q)
	if len(m.Keyboard) == 0 {
		t.Fatalf("the question %q came again without its buttons: %s", q, m)
	}
	w.settle(t)
	for _, m := range newerThan(c.u, c.mark) {
		if !strings.Contains(m.PlainText, txtFinishFirst) && !strings.Contains(m.PlainText, q) {
			t.Errorf("more than the question again: %q", m.PlainText)
		}
	}
	return m
}

// Journey 1: /progres (or any command) sent in the middle of onboarding
// does not abandon it: a kind "let's finish this first" and the current
// question again; the consent button still works; no check-in starts.
// /mesdonnees stays allowed.
func TestJourneyCommandDuringOnboardingFinishesItFirst(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	code := importPlan(t, w.e, w.clk, aPlan(t, "Moussa"))
	u := w.srv.NewUser(9301, "Moussa")
	c := newTalk(t, u)
	c.text("/start " + code)
	c.expect(txtConsentQ)
	w.settle(t)

	c.text("/progres")
	again := finishFirst(t, w, c, txtConsentQ)
	b := w.ben(t, u)
	if cis := w.checkins(t, b.ID); len(cis) != 0 {
		t.Fatalf("a check-in started during onboarding: %+v", cis)
	}
	if strings.Contains(shown(u.Messages()), txtScoreQ) {
		t.Fatal("the check-in's first question was asked during onboarding")
	}

	// The consent button of the question asked again works.
	n := answerCount(w.srv)
	if _, err := u.PressButton(again.ID, btnConsentNo); err != nil {
		t.Fatal(err)
	}
	if toast := callbackAnswer(t, w.srv, n); toast == txtClosedToast {
		t.Fatalf("the consent button says %q", toast)
	}
	c.mark = again.ID
	c.expect(txtLangQ)
	w.settle(t)

	// Other commands and free text, at the next question: the same.
	for _, text := range []string{"/plan", "/reglages", "/pause", "/start", "/aide", "bonjour"} {
		c.text(text)
		finishFirst(t, w, c, txtLangQ)
	}
	// A button offering a check-in now (a step reminder's) waits too.
	c.markNow()
	u.PressData(again.ID, "go:progres")
	c.expect(txtFinishFirst)
	w.settle(t)
	if cis := w.checkins(t, b.ID); len(cis) != 0 {
		t.Fatalf("a check-in started during onboarding: %+v", cis)
	}

	// /mesdonnees is answered as always.
	c.text("/mesdonnees")
	c.expect("Ce que Suivi garde sur vous")
	w.settle(t)

	// Onboarding goes on to the end (from the question asked last), and the
	// consent chosen is the one kept.
	c.mark = 0
	c.tap(txtLangQ, "🇫🇷 Français")
	c.tap(txtZoneQ, "✅ Oui, c'est ça")
	m := c.expect("Quel jour vous convient")
	c.tap("Quel jour vous convient", m.Keyboard[0][0].Text)
	c.tap("heures calmes", "🌙 21 h – 8 h (conseillé)")
	c.expect("C'est noté, merci")
	w.settle(t)
	b = w.ben(t, u)
	if b.Consent != domain.ConsentNo || b.Onboarded.IsZero() || b.Language != domain.French {
		t.Fatalf("after onboarding: consent %q, onboarded %v, language %q", b.Consent, b.Onboarded, b.Language)
	}
	// And now /progres starts the check-in.
	c.text("/progres")
	c.expect(txtScoreQ)
}

// Journey 1: a word typed at the check-in's score question is not kept as
// the week's note: a tap is asked for, kindly, with the buttons again.
func TestJourneyTextAtScoreQuestionAsksForATap(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	u := w.enrol(t, aPlan(t, "Awa"), 9302, "Awa", true)
	c := newTalk(t, u)
	c.text("/progres")
	c.expect(txtScoreQ)
	w.settle(t)

	c.text("bonjour")
	c.expect(txtScoreTap)
	q := c.expect(txtScoreQ)
	if !hasButton(q, btnScore4) {
		t.Fatalf("the score question came again without its buttons: %s", q)
	}
	w.settle(t)
	b := w.ben(t, u)
	cis := w.checkins(t, b.ID)
	if len(cis) != 1 || cis[0].Note != "" || cis[0].Pending != "" || cis[0].NoteDone || cis[0].ScoreDone {
		t.Fatalf("the word was taken for an answer: %+v", cis)
	}
	if strings.Contains(shown(newerThan(u, c.mark)), txtShareQ) {
		t.Fatal("asked whether to forward the word typed")
	}
	// The check-in goes on with a tap.
	c.tap(txtScoreQ, btnScore4)
	c.expect(txtStepQ)
}

// Journey 1: a check-in from someone who never chose about consent (their
// onboarding left unfinished long ago) is private, and the advisor is not
// told it is "as they chose".
func TestJourneyUnchosenConsentIsNotCalledAChoice(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	code := importPlan(t, w.e, w.clk, aPlan(t, "Moussa"))
	u := w.srv.NewUser(9303, "Moussa")
	c := newTalk(t, u)
	c.text("/start " + code)
	c.expect(txtConsentQ)
	w.settle(t)
	b := w.ben(t, u)
	// The welcome questions were never answered and have expired.
	if err := w.r.app.store.SetDialogState(context.Background(), b.ID, nil, 0); err != nil {
		t.Fatal(err)
	}
	c.text("/progres")
	c.expect(txtScoreQ)
	w.checkin(t, u, ciAnswers{score: btnScore4})
	fw := forwards(w.adv)
	if len(fw) != 1 {
		t.Fatalf("advisor: %d forwards:\n%s", len(fw), dump(w.adv.Messages()))
	}
	if strings.Contains(fw[0].PlainText, "l'a choisi") || !strings.Contains(fw[0].PlainText, "pas encore choisi") {
		t.Fatalf("advisor told: %q", fw[0].PlainText)
	}
}

// rhythmPlan is a one-step plan for name, in Paris, whose check-ins follow
// the cron spec schedule.
func rhythmPlan(t *testing.T, name, schedule string) string {
	t.Helper()
	return writePlan(t, fmt.Sprintf(`beneficiary: {name: %q, timezone: Europe/Paris}
advisor: %d
checkin: {schedule: %q}
steps:
  - {title: "Refaire son CV", due: 2037-06-20}
`, name, advisorID, schedule))
}

// nextShown returns the date after "Prochain point : " in m.
func nextShown(t *testing.T, m telegramtest.Message) string {
	t.Helper()
	_, after, ok := strings.Cut(m.PlainText, txtNextCheckin+" : ")
	if !ok {
		t.Fatalf("no %q in %q", txtNextCheckin, m.PlainText)
	}
	date, _, _ := strings.Cut(after, "\n")
	return strings.TrimSuffix(date, ".")
}

// checkinsSent returns the check-in invitations u received (their first
// question, sent by the scheduler).
func checkinsSent(u *telegramtest.User) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range u.Messages() {
		if strings.Contains(m.PlainText, "Bonjour") && strings.Contains(m.PlainText, txtScoreQ) {
			out = append(out, m)
		}
	}
	return out
}

// The date said is the date the check-in comes, and the check-in job's.
func sameNext(t *testing.T, w *world, u *telegramtest.User, said, want string, at time.Time) {
	t.Helper()
	if said != want {
		t.Errorf("Prochain point : %q, want %q", said, want)
	}
	if got := jobAt(w.jobs(t, w.ben(t, u).ID), "c", w.ben(t, u).ID, 0); !got.Equal(at) {
		t.Errorf("check-in job at %s, want %s", got.In(paris), at)
	}
}

// Journey 2: a check-in planned in quiet hours (Tuesday 21:30) comes when
// they end (Wednesday 08:00), and that is the date said.
func TestJourneyNextCheckinRespectsQuietHours(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	u := w.enrol(t, rhythmPlan(t, "Awa", "30 21 * * TUE"), 9311, "Awa", true)
	want := time.Date(2037, 3, 4, 8, 0, 0, 0, paris)
	sameNext(t, w, u, nextShown(t, one(t, u, "C'est noté, merci")), "mercredi 4 mars 2037 à 08:00", want)
	w.runUntil(t, on(time.March, 4, 12, 0))
	sameTimes(t, "the check-in", checkinsSent(u), want)
}

// Journey 2: the first check-in comes 12 hours after joining at the
// earliest: joined Sunday 11:00, Sunday 18:00's is next week's.
func TestJourneyNextCheckinWaitsAfterJoining(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	u := w.enrol(t, rhythmPlan(t, "Awa", "0 18 * * SUN"), 9312, "Awa", true)
	want := time.Date(2037, 3, 8, 18, 0, 0, 0, paris)
	sameNext(t, w, u, nextShown(t, one(t, u, "C'est noté, merci")), "dimanche 8 mars 2037 à 18:00", want)
	w.runUntil(t, on(time.March, 8, 20, 0))
	sameTimes(t, "the check-in", checkinsSent(u), want)
}

// Journey 2: a week already answered with /progres asks nothing more: the
// next check-in said is the next week's, and nothing comes before it.
func TestJourneyNextCheckinSkipsAWeekAnswered(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	u := w.enrol(t, rhythmPlan(t, "Awa", "0 10 * * FRI"), 9313, "Awa", true)
	w.clk.Set(on(time.March, 2, 12, 0)) // Monday: this week's is on Friday 6
	w.settle(t)
	c := newTalk(t, u)
	c.text("/progres")
	c.expect(txtScoreQ)
	w.checkin(t, u, ciAnswers{score: btnScore4})
	want := on(time.March, 13, 10, 0)
	sameNext(t, w, u, nextShown(t, lastOf(t, u)), "vendredi 13 mars 2037 à 10:00", want)
	again := w.sayExpect(t, u, "/progres", "déjà fait le point")
	sameNext(t, w, u, nextShown(t, again), "vendredi 13 mars 2037 à 10:00", want)
	w.runUntil(t, on(time.March, 13, 12, 0))
	sameTimes(t, "the check-ins", checkinsSent(u), want)
}

// Journey 2: once the accompaniment is closed, the next check-in said is
// the after-care one (a month after), then none once the person stopped
// all messages.
func TestJourneyNextCheckinAfterClosing(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	u := w.enrol(t, rhythmPlan(t, "Awa", "0 10 * * FRI"), 9314, "Awa", true)
	w.adv.SendText("/cloturer Awa")
	press(t, w.adv, "✅ Oui, clôturer pour Awa")
	if _, err := u.WaitMessage(wait, has("votre accompagnement se termine")); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	c := newTalk(t, u)
	c.text("/progres")
	c.expect(txtScoreQ)
	w.checkin(t, u, ciAnswers{score: btnScore4})
	b := w.ben(t, u)
	aftercare := on(time.April, 1, 10, 0)
	if said := nextShown(t, lastOf(t, u)); said != "mercredi 1 avril 2037 à 10:00" {
		t.Errorf("after closing: Prochain point : %q", said)
	}
	if got := jobAt(w.jobs(t, b.ID), "f", b.ID, 0); !got.Equal(aftercare) {
		t.Errorf("after-care job at %s, want %s", got.In(paris), aftercare)
	}
	w.runUntil(t, on(time.April, 1, 12, 0))
	sameTimes(t, "the after-care check-in", checkinsSent(u), aftercare)

	w.checkin(t, u, ciAnswers{score: btnScore4})
	if said := nextShown(t, lastOf(t, u)); said != "vendredi 1 mai 2037 à 10:00" {
		t.Errorf("after the first after-care check-in: Prochain point : %q", said)
	}

	// /stop: no after-care any more, and none is said.
	w.sayExpect(t, u, "/stop", "je ne vous enverrai plus de message")
	if said := nextShown(t, w.sayExpect(t, u, "/progres", "déjà fait le point")); said != "aucun pour le moment" {
		t.Errorf("stopped: Prochain point : %q", said)
	}
	if jobs := w.jobs(t, b.ID); hasJob(jobs, "f", b.ID, 0) || hasJob(jobs, "c", b.ID, 0) {
		t.Errorf("stopped, yet check-ins scheduled: %v", jobs)
	}
}

// Journey 7: an advisor who opens a beneficiary's invite is kindly told it
// is the person's to open; the link is untouched and still works for them.
func TestJourneyAdvisorOpeningAnInviteLeavesIt(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	code := importPlan(t, w.e, w.clk, aPlan(t, "Nadia"))
	w.settle(t)
	snap := domainSnapshot(t, w.r.app.rdb)
	w.sayExpect(t, w.adv, "/start "+code, "c'est à la personne invitée de l'ouvrir")
	sameSnapshot(t, "an advisor opening an invite", snap, domainSnapshot(t, w.r.app.rdb))
	if _, err := w.r.app.store.BeneficiaryByTelegram(context.Background(), advisorID); err == nil {
		t.Fatal("the advisor became the beneficiary")
	}

	u := w.srv.NewUser(9321, "Nadia")
	join(t, u, code, true)
	if b := w.ben(t, u); b.Name != "Nadia" {
		t.Fatalf("the invite led to %q", b.Name)
	}
}

// Texts: a zone typed wrong after "Autre" is not answered with "touchez
// un bouton plus haut" (those buttons are gone): the zone question comes
// again with its buttons, and one of them works.
func TestJourneyZoneTypedWrongOffersTheButtonsAgain(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	code := importPlan(t, w.e, w.clk, aPlan(t, "Teddy"))
	u := w.srv.NewUser(9331, "Teddy")
	c := newTalk(t, u)
	c.text("/start " + code)
	c.tap(txtConsentQ, btnConsentYes)
	c.tap(txtLangQ, "🇫🇷 Français")
	c.tap(txtZoneQ, "✏️ Autre (je l'écris)")
	c.expect("Écrivez le nom de votre fuseau horaire")
	w.settle(t)
	c.text("Saint-Denis")
	c.expect("Je ne connais pas « Saint-Denis »")
	q := c.expect(txtZoneQ)
	w.settle(t)
	for _, m := range newerThan(u, c.mark) {
		if strings.Contains(m.PlainText, "plus haut") {
			t.Errorf("points at buttons that are gone: %q", m.PlainText)
		}
	}
	if !hasButton(q, "La Réunion") {
		t.Fatalf("the zone question came again without its buttons: %s", q)
	}
	c.tap(txtZoneQ, "La Réunion")
	c.expect("Quel jour vous convient")
	w.settle(t)
	if b := w.ben(t, u); b.Timezone != "Indian/Reunion" {
		t.Fatalf("zone %q", b.Timezone)
	}
}

// Texts: "/pause demain" (and "/pause 1 semaine") is understood.
func TestJourneyPauseTomorrow(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	u := w.enrol(t, aPlan(t, "Awa"), 9341, "Awa", true)
	w.sayExpect(t, u, "/pause demain", "pause jusqu'au lundi 2 mars 2037")
	b := w.ben(t, u)
	if b.State != domain.StatePaused || !b.PausedUntil.Equal(on(time.March, 2, 8, 0)) {
		t.Fatalf("after /pause demain: %s until %s", b.State, b.PausedUntil)
	}
	w.sayExpect(t, u, "/reprendre", "C'est reparti")
	w.sayExpect(t, u, "/pause 1 semaine", "pause jusqu'au dimanche 8 mars 2037")
	w.sayExpect(t, u, "/reprendre", "C'est reparti")
	bad := w.sayExpect(t, u, "/pause bientôt", "Je n'ai pas compris la date")
	if !strings.Contains(bad.PlainText, "/pause demain") || !hasButton(bad, "1 semaine") {
		t.Errorf("a date not understood: %s", bad)
	}
}

// Texts: the postpone date picker has a way back to the postpone question,
// whose buttons work.
func TestJourneyPostponePickerHasAWayBack(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	u := w.enrol(t, aPlan(t, "Awa"), 9351, "Awa", true)
	w.runUntil(t, on(time.March, 17, 12, 0)) // the reminder 3 days before the 20th
	c := newTalk(t, u)
	c.mark = 0
	m := c.tap("Refaire son CV", btnStepPostpone)
	c.expectEdit("à quand")
	c.mark = m.ID - 1
	c.tap("à quand", "📅 Choisir une date")
	picker := c.expectEdit("Choisissez la nouvelle date")
	if !hasButton(picker, "↩️ Retour") {
		t.Fatalf("the date picker has no way back: %s", picker)
	}
	c.mark = m.ID - 1
	c.tap("Choisissez la nouvelle date", "↩️ Retour")
	back := c.expectEdit("à quand")
	if !hasButton(back, "+1 jour") || !hasButton(back, "📅 Choisir une date") {
		t.Fatalf("back is not the postpone question: %s", back)
	}
	c.mark = m.ID - 1
	c.tap("à quand", "+1 jour")
	c.expectEdit("est reporté au samedi 21 mars 2037")
	w.settle(t)
	if due := w.plan(t, w.ben(t, u).ID).Steps[0].Due.Date; due != (domain.Date{Year: 2037, Month: 3, Day: 21}) {
		t.Fatalf("due %s", due)
	}
}

// Texts: no "Bravo pour cette semaine ! Continuez comme ça" right after a
// request for help or a blocked step, whatever the score: a supportive
// closing instead.
func TestJourneyNoBravoAfterHelpOrBlocked(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	u := w.enrol(t, aPlan(t, "Awa"), 9361, "Awa", true)
	const support = "vous pouvez compter sur son aide"
	for i, a := range []ciAnswers{
		{score: "😄 Très bien", help: true},
		{score: btnScore4, steps: map[string]string{"Refaire son CV": btnBlocked}},
	} {
		w.clk.Set(on(time.March, 2+7*i, 12, 0)) // a new week each
		w.settle(t)
		c := newTalk(t, u)
		c.text("/progres")
		c.expect(txtScoreQ)
		w.checkin(t, u, a)
		thanks := lastOf(t, u)
		if strings.Contains(thanks.PlainText, "Bravo") || !strings.Contains(thanks.PlainText, support) {
			t.Errorf("check-in %d closes with: %q", i, thanks.PlainText)
		}
	}
	// A good week without either is still celebrated.
	w.clk.Set(on(time.March, 16, 12, 0))
	w.settle(t)
	c := newTalk(t, u)
	c.text("/progres")
	c.expect(txtScoreQ)
	w.checkin(t, u, ciAnswers{score: btnScore4, steps: map[string]string{"Refaire son CV": btnProgress}})
	if thanks := lastOf(t, u); !strings.Contains(thanks.PlainText, txtThanksHigh) {
		t.Errorf("a good week closes with: %q", thanks.PlainText)
	}
}

// joinEnglish uses the invite and answers onboarding in English.
func joinEnglish(t *testing.T, w *world, u *telegramtest.User, code string) {
	t.Helper()
	c := newTalk(t, u)
	c.text("/start " + code)
	c.tap(txtConsentQ, btnConsentYes)
	c.tap(txtLangQ, "🇬🇧 English")
	c.tap("Your time zone", "✅ Yes, that's right")
	m := c.expect("Which day suits you")
	c.tap("Which day suits you", m.Keyboard[0][0].Text)
	c.tap("quiet hours", "🌙 9 pm – 8 am (advised)")
	c.expect("All set, thank you")
	w.settle(t)
}

// Texts: the English goodbye at the end of an accompaniment reads as
// natural English.
func TestJourneyEnglishClosingNotice(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	code := importPlan(t, w.e, w.clk, aPlan(t, "Léo"))
	u := w.srv.NewUser(9371, "Léo")
	joinEnglish(t, w, u, code)
	w.adv.SendText("/cloturer Léo")
	press(t, w.adv, "✅ Oui, clôturer pour Léo")
	m, err := u.WaitMessage(wait, has("your accompaniment is ending"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.PlainText, "Well done on how far you have come!") || strings.Contains(m.PlainText, "the way you have come") {
		t.Errorf("closing notice: %q", m.PlainText)
	}
	// Nor anywhere else.
	cat := catalog.New()
	for _, k := range []catalog.Key{catalog.ClosedNotice, catalog.CiIntroAftercareLast, catalog.MdErased} {
		if raw, _ := cat.Raw(domain.English, k); strings.Contains(raw, "the way you have come") {
			t.Errorf("%s: %q", k, raw)
		}
	}
}

// Texts: the words for the period follow the plan's rhythm: monthly and
// fortnightly plans are not asked about "cette semaine".
func TestJourneyPeriodWordsFollowTheRhythm(t *testing.T) {
	for i, c := range []struct {
		schedule, every, this string
	}{
		{"0 10 1 * *", "Chaque mois", "ce mois-ci"},
		{"@every 336h", "Toutes les deux semaines", "ces deux dernières semaines"},
		{"0 10 * * MON", "Chaque semaine", "cette semaine"},
	} {
		t.Run(c.every, func(t *testing.T) {
			w := newWorldAt(t, moreStart, nil)
			u := w.enrol(t, rhythmPlan(t, "Awa", c.schedule), int64(9381+i), "Awa", true)
			day := one(t, u, "Quel jour vous convient")
			if !strings.HasPrefix(day.PlainText, "📅 "+c.every+", je vous demande") {
				t.Errorf("day question: %q", day.PlainText)
			}
			if weekly := strings.Contains(day.PlainText, "un point chaque semaine"); weekly != (c.every != "Chaque semaine") {
				t.Errorf("day question (choosing a day makes it weekly): %q", day.PlainText)
			}
			talk := newTalk(t, u)
			talk.text("/progres")
			q := talk.expect("Quels progrès")
			if !strings.Contains(q.PlainText, "Quels progrès "+c.this+" ?") {
				t.Errorf("score question: %q", q.PlainText)
			}
			answerCheckin(t, u, "😄 Très bien")
			w.settle(t)
			if thanks := lastOf(t, u); !strings.Contains(thanks.PlainText, "Bravo pour "+c.this+" !") {
				t.Errorf("thank-you: %q", thanks.PlainText)
			}
			if help := w.sayExpect(t, u, "/aide", "/progres"); strings.Contains(help.PlainText, "votre semaine") {
				t.Errorf("help: %q", help.PlainText)
			}
		})
	}
}

// Journey 2: during a dated pause, the next check-in said is the first
// after it (the one the end of the pause schedules).
func TestJourneyNextCheckinAfterAPause(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	u := w.enrol(t, aPlan(t, "Awa"), 9315, "Awa", true)
	w.sayExpect(t, u, "/pause 2 semaines", "pause jusqu'au dimanche 15 mars 2037")
	c := newTalk(t, u)
	c.text("/progres")
	c.expect(txtScoreQ)
	w.checkin(t, u, ciAnswers{score: btnScore4})
	want := on(time.March, 16, 10, 0)
	if said := nextShown(t, lastOf(t, u)); said != "lundi 16 mars 2037 à 10:00" {
		t.Errorf("paused: Prochain point : %q", said)
	}
	w.runUntil(t, on(time.March, 16, 12, 0))
	sameTimes(t, "the check-ins", checkinsSent(u), want)
}
