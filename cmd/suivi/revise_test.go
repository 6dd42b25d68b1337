package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/planfile"
	"suivi/telegramtest"
)

// /modifier: the advisor moves a step (a typed date), renames one, removes
// one and adds two (one their own). Each change is stored at once with its
// time, by the advisor, and reminders follow; bad input changes nothing;
// the beneficiary hears nothing until "Terminer", then one message with
// the five changes. The moved step is reminded at its new dates only, the
// removed one never again, the new step like any other, and the
// advisor's step reminds the advisor.
func TestReviseChangesReachTheBeneficiaryOnceAndRemindersFollow(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	awa := w.enrol(t, revisePlan(t), 9101, "Awa", true)
	id := w.ben(t, awa).ID

	// Monday: the workshop's reminder, three days ahead.
	w.runUntil(t, on(3, 2, 12, 0))
	sameTimes(t, "workshop reminder before the revision", containing(awa.Messages(), "Atelier numérique"), on(3, 2, 10, 0))
	seen := len(awa.Messages())

	// A typed date, bad then good.
	w.sayExpect(t, w.adv, "/modifier awa", txtRvMenu)
	w.pressOn(t, w.adv, "⬜ Refaire son CV · 20/03")
	w.pressOn(t, w.adv, btnRvDate)
	before := w.planState(t, id)
	for _, bad := range []string{"31/02", "demain", "15/13", "15/04 25:00"} {
		w.sayExpect(t, w.adv, bad, txtRvBadDate)
	}
	if after := w.planState(t, id); after != before {
		t.Fatalf("a bad date changed the plan or its jobs:\n%s\n%s", before, after)
	}
	tDate := w.clk.Now()
	w.sayExpect(t, w.adv, "15/04", txtRvMenu)

	// A new title, bad then good.
	w.clk.Advance(time.Minute)
	w.pressOn(t, w.adv, "⬜ Visite de la Mission Locale · 25/03")
	w.pressOn(t, w.adv, btnRvTitle)
	before = w.planState(t, id)
	w.sayExpect(t, w.adv, strings.Repeat("é", 201), txtRvBadTitle)
	w.sayExpect(t, w.adv, "Visite\ndu CIO", txtRvBadTitle)
	if after := w.planState(t, id); after != before {
		t.Fatalf("a bad title changed the plan or its jobs:\n%s\n%s", before, after)
	}
	w.sayExpect(t, w.adv, "Visite du CIO", txtRvMenu)

	// The workshop is removed.
	tCancel := w.clk.Advance(time.Minute)
	w.pressOn(t, w.adv, "⬜ Atelier numérique · 05/03")
	w.pressOn(t, w.adv, btnRvCancel)
	menu := w.adv.Messages()[len(w.adv.Messages())-1]
	if !strings.Contains(menu.PlainText, txtRvMenu) || strings.Contains(shown([]telegramtest.Message{menu}), "Atelier numérique") {
		t.Errorf("after removing the workshop, the menu still offers it: %s", menu)
	}

	// Two steps added by lines, one the advisor's.
	tAdd := w.clk.Advance(time.Minute)
	w.pressOn(t, w.adv, btnRvAdd)
	before = w.planState(t, id)
	w.sayExpect(t, w.adv, "pas une étape", txtRvBadSteps)
	if after := w.planState(t, id); after != before {
		t.Fatalf("a bad step line changed the plan or its jobs:\n%s\n%s", before, after)
	}
	w.sayExpect(t, w.adv, "10/04 Inscription au Greta\n12/04 [conseiller] Appeler le Greta", txtRvMenu)

	// Nothing reached Awa yet.
	w.settle(t)
	if got := since(awa, seen); len(got) != 0 {
		t.Fatalf("Awa was told before « Terminer »:\n%s", dump(got))
	}

	// The plan as stored: each change, by the advisor, at its time.
	p := w.plan(t, id)
	if len(p.Steps) != 5 {
		t.Fatalf("plan has %d steps, want 5: %+v", len(p.Steps), p.Steps)
	}
	lastChange := func(s domain.Step) domain.Change {
		if len(s.History) == 0 {
			return domain.Change{}
		}
		return s.History[len(s.History)-1]
	}
	cv, visit, workshop, greta, call := p.Steps[0], p.Steps[1], p.Steps[2], p.Steps[3], p.Steps[4]
	wantDue := domain.DateTime{Date: domain.Date{Year: 2037, Month: 4, Day: 15}}
	if h := lastChange(cv); cv.Due != wantDue || cv.Status != domain.StatusTodo || h.Due == nil || *h.Due != wantDue ||
		h.By != domain.ByAdvisor || !h.At.Equal(tDate) || len(cv.History) != 1 {
		t.Errorf("moved step: due %s, history %+v; want due %s, one change by the advisor at %s", cv.Due, cv.History, wantDue, tDate)
	}
	if visit.Title != "Visite du CIO" || visit.Status != domain.StatusTodo || visit.Due.Date != (domain.Date{Year: 2037, Month: 3, Day: 25}) {
		t.Errorf("renamed step: %+v", visit)
	}
	if h := lastChange(workshop); workshop.Status != domain.StatusCancelled || h.Status != domain.StatusCancelled ||
		h.By != domain.ByAdvisor || !h.At.Equal(tCancel) {
		t.Errorf("removed step: %+v, want cancelled by the advisor at %s", workshop, tCancel)
	}
	for _, c := range []struct {
		s     domain.Step
		title string
		owner domain.Owner
		day   int
	}{{greta, "Inscription au Greta", domain.OwnerBeneficiary, 10}, {call, "Appeler le Greta", domain.OwnerAdvisor, 12}} {
		want := domain.DateTime{Date: domain.Date{Year: 2037, Month: 4, Day: c.day}}
		if c.s.Title != c.title || c.s.Owner != c.owner || c.s.Due != want || c.s.Status != domain.StatusTodo || c.s.ID <= 3 ||
			len(c.s.History) != 1 || c.s.History[0].By != domain.ByAdvisor || c.s.History[0].Status != domain.StatusTodo || !c.s.History[0].At.Equal(tAdd) {
			t.Errorf("added step %q: %+v; want %s's, due %s, one history entry by the advisor at %s", c.title, c.s, c.owner, want, tAdd)
		}
	}
	if greta.ID == call.ID {
		t.Errorf("the two added steps share id %d", greta.ID)
	}
	if !p.Updated.Equal(tAdd) {
		t.Errorf("plan updated at %s, want %s", p.Updated, tAdd)
	}

	// Reminders follow at once.
	jobs := w.jobs(t, id)
	for _, j := range []struct {
		code string
		step int
		at   time.Time
	}{
		{"r", cv.ID, on(4, 12, 10, 0)}, {"o", cv.ID, on(4, 16, 10, 0)}, {"v", cv.ID, on(4, 23, 10, 0)},
		{"r", visit.ID, on(3, 22, 10, 0)},
		{"r", greta.ID, on(4, 7, 10, 0)}, {"r", call.ID, on(4, 9, 10, 0)},
	} {
		if got := jobAt(jobs, j.code, id, j.step); !got.Equal(j.at) {
			t.Errorf("job %s of step %d due %s, want %s", j.code, j.step, got.In(paris), j.at)
		}
	}
	for _, code := range []string{"r", "o", "v"} {
		if hasJob(jobs, code, id, workshop.ID) {
			t.Errorf("the removed step still has a %q job", code)
		}
	}

	// « Terminer »: one message, the five changes.
	w.pressOn(t, w.adv, btnRvDone)
	// (How many changes the advisor is told: TestReviseCountsEachAddedStep.)
	if m := w.adv.Messages()[len(w.adv.Messages())-1]; !strings.HasPrefix(m.PlainText, "✔️ Message envoyé à Awa : ") {
		t.Errorf("after « Terminer » the advisor reads %q", m.PlainText)
	}
	told := since(awa, seen)
	want := "📋 Votre conseiller a mis à jour votre plan :\n" +
		"📅 « Refaire son CV » : nouvelle date, mercredi 15 avril 2037\n" +
		"✏️ « Visite de la Mission Locale » devient « Visite du CIO »\n" +
		"✖️ « Atelier numérique » est retirée du plan\n" +
		"➕ Nouvelle étape : « Inscription au Greta » (vendredi 10 avril 2037)\n" +
		"➕ Nouvelle étape : « Appeler le Greta » (dimanche 12 avril 2037)\n\n" +
		"👉 /plan pour le voir en entier."
	if len(told) != 1 || told[0].PlainText != want {
		t.Fatalf("Awa should get one message:\n%s\ngot:\n%s", want, dump(told))
	}
	notice := told[0]

	// A revision without any change tells nobody, even after a bad date.
	w.clk.Advance(time.Minute)
	before = w.planState(t, id)
	w.sayExpect(t, w.adv, "/modifier Awa", txtRvMenu)
	w.pressOn(t, w.adv, "⬜ Visite du CIO · 25/03")
	w.pressOn(t, w.adv, btnRvDate)
	w.sayExpect(t, w.adv, "30/02", txtRvBadDate)
	w.sayExpect(t, w.adv, "/modifier Awa", txtRvMenu)
	w.pressOn(t, w.adv, btnRvDone)
	if m := w.adv.Messages()[len(w.adv.Messages())-1]; m.PlainText != txtRvNothing {
		t.Errorf("« Terminer » without change: the advisor reads %q, want %q", m.PlainText, txtRvNothing)
	}
	if got := since(awa, seen); len(got) != 1 {
		t.Errorf("« Terminer » without change sent Awa something:\n%s", dump(got[1:]))
	}
	if after := w.planState(t, id); after != before {
		t.Errorf("a revision without change changed the plan or its jobs:\n%s\n%s", before, after)
	}

	// Six weeks on: every reminder where it belongs.
	w.runUntil(t, on(4, 15, 12, 0))
	var later []telegramtest.Message
	for _, m := range awa.Messages() {
		if m.ID > notice.ID {
			later = append(later, m)
		}
	}
	at10 := func(days ...[2]int) []time.Time {
		var out []time.Time
		for _, d := range days {
			out = append(out, on(time.Month(d[0]), d[1], 10, 0))
		}
		return out
	}
	sameTimes(t, "moved step (due 15 April), to Awa", containing(later, "Refaire son CV"), at10([2]int{4, 12}, [2]int{4, 14}, [2]int{4, 15})...)
	if ms := containing(later, "Refaire son CV"); len(ms) == 3 && !strings.Contains(ms[0].PlainText, "mercredi 15 avril 2037, dans 3 jours") {
		t.Errorf("moved step's first reminder: %q", ms[0].PlainText)
	}
	sameTimes(t, "removed step, to Awa", containing(later, "Atelier numérique"))
	sameTimes(t, "renamed step under its old title, to Awa", containing(later, "Mission Locale"))
	sameTimes(t, "renamed step (due 25 March: three reminders, three nudges), to Awa", containing(later, "Visite du CIO"),
		at10([2]int{3, 22}, [2]int{3, 24}, [2]int{3, 25}, [2]int{3, 26}, [2]int{3, 29}, [2]int{4, 4})...)
	sameTimes(t, "added step (due 10 April: three reminders, two nudges so far), to Awa", containing(later, "Inscription au Greta"),
		at10([2]int{4, 7}, [2]int{4, 9}, [2]int{4, 10}, [2]int{4, 11}, [2]int{4, 14})...)
	sameTimes(t, "the advisor's step, to Awa", containing(later, "Appeler le Greta"))
	sameTimes(t, "the advisor's step (due 12 April: three reminders, one nudge so far), to the advisor",
		containing(w.adv.Messages(), "Étape à votre charge pour Awa : Appeler le Greta"),
		at10([2]int{4, 9}, [2]int{4, 11}, [2]int{4, 12}, [2]int{4, 13})...)
	for _, m := range containing(awa.Messages(), "Refaire son CV") {
		if m.Date.Before(notice.Date) {
			t.Errorf("the moved step was reminded at its old date: %s", m)
		}
	}
	// The advisor's overdue alerts: the renamed step (25 March + 8 days), not the removed one.
	sameTimes(t, "overdue alert of the renamed step", containing(w.adv.Messages(), "« Visite du CIO », prévue le"), on(4, 2, 10, 0))
	sameTimes(t, "overdue alert of the removed step", containing(w.adv.Messages(), "« Atelier numérique », prévue le"))
}

// Renaming a step is a change like the others: stored with its time, by
// the advisor, in the step's history (the export and the brief read it).
func TestReviseRenameIsInTheStepHistory(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	awa := w.enrol(t, revisePlan(t), 9101, "Awa", true)
	id := w.ben(t, awa).ID
	w.clk.Advance(time.Hour)
	w.sayExpect(t, w.adv, "/modifier Awa", txtRvMenu)
	w.pressOn(t, w.adv, "⬜ Visite de la Mission Locale · 25/03")
	w.pressOn(t, w.adv, btnRvTitle)
	tTitle := w.clk.Now()
	w.sayExpect(t, w.adv, "Visite du CIO", txtRvMenu)
	s := w.plan(t, id).Steps[1]
	if s.Title != "Visite du CIO" {
		t.Fatalf("not renamed: %+v", s)
	}
	if len(s.History) != 1 || s.History[0].By != domain.ByAdvisor || !s.History[0].At.Equal(tTitle) {
		t.Errorf("renamed step's history %+v, want one entry by the advisor at %s", s.History, tTitle)
	}
}

// The advisor is told how many changes the beneficiary was told of: two
// steps added are two changes, as the beneficiary's message lists them.
func TestReviseCountsEachAddedStep(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	awa := w.enrol(t, revisePlan(t), 9101, "Awa", true)
	seen := len(awa.Messages())
	w.sayExpect(t, w.adv, "/modifier Awa", txtRvMenu)
	w.pressOn(t, w.adv, btnRvAdd)
	w.sayExpect(t, w.adv, "10/04 Inscription au Greta\n12/04 [conseiller] Appeler le Greta", txtRvMenu)
	w.pressOn(t, w.adv, btnRvDone)
	if got := containing(since(awa, seen), txtRvNotice); len(got) != 1 || strings.Count(got[0].PlainText, "Nouvelle étape") != 2 {
		t.Fatalf("Awa's notice:\n%s", dump(since(awa, seen)))
	}
	if m := w.adv.Messages()[len(w.adv.Messages())-1]; m.PlainText != "✔️ Message envoyé à Awa : 2 changements." {
		t.Errorf("the advisor reads %q, want 2 changes", m.PlainText)
	}
}

// What /modifier lets in, plan import takes back: a title or a new step
// holding control characters (as a paste can bring), or a date out of the
// plan's range, is refused with the catalog's message and changes
// nothing, and `plan export` then writes a file `plan import` reads.
func TestReviseRefusesWhatPlanImportRefuses(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	awa := w.enrol(t, revisePlan(t), 9102, "Awa", true)
	id := w.ben(t, awa).ID
	before := w.planState(t, id)

	w.sayExpect(t, w.adv, "/modifier awa", txtRvMenu)
	w.pressOn(t, w.adv, "⬜ Visite de la Mission Locale · 25/03")
	w.pressOn(t, w.adv, btnRvTitle)
	w.sayExpect(t, w.adv, "Visite\x11du CIO", txtRvBadTitle)
	w.sayExpect(t, w.adv, "Visite du CIO\x7f", txtRvBadTitle)
	w.sayExpect(t, w.adv, "Visite du CIO", txtRvMenu)
	renamed := w.planState(t, id)

	w.pressOn(t, w.adv, btnRvAdd)
	w.sayExpect(t, w.adv, "15/12 Titre\x11 de l'étape", txtRvBadSteps)
	w.sayExpect(t, w.adv, "15/12/9999 Dans très longtemps", txtRvBadSteps)
	if after := w.planState(t, id); after != renamed {
		t.Fatalf("a refused line changed the plan:\n%s\n%s", renamed, after)
	}
	w.sayExpect(t, w.adv, "10/04 Inscription au Greta", txtRvMenu)
	w.pressOn(t, w.adv, "⬜ Refaire son CV · 20/03")
	w.pressOn(t, w.adv, btnRvDate)
	w.sayExpect(t, w.adv, "15/04/2999", txtRvBadDate)
	if renamed == before {
		t.Fatal("the good title was not stored")
	}

	var out, errb bytes.Buffer
	if code := realMain(context.Background(), []string{"plan", "export", id}, w.e.get, w.clk.Now, &out, &errb); code != 0 {
		t.Fatalf("plan export: exit %d: %s", code, errb.String())
	}
	p, err := planfile.Parse(out.Bytes(), "Europe/Paris")
	if err != nil {
		t.Fatalf("plan import refuses what plan export wrote: %v\n%s", err, out.String())
	}
	titles := []string{}
	for _, s := range p.Steps {
		titles = append(titles, s.Title)
	}
	if got := strings.Join(titles, " | "); got != "Refaire son CV | Visite du CIO | Atelier numérique | Inscription au Greta" {
		t.Errorf("exported steps: %s", got)
	}
}

// A change that each typed field passes but that leaves the plan breaking
// its rules (a step reminded two hours before its time, moved to a day
// without a time) is refused as a whole, with the plan's problems; a
// date with a time is taken.
func TestReviseRefusesAChangeThatBreaksThePlan(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	awa := w.enrol(t, writePlan(t, fmt.Sprintf("beneficiary: {name: Awa, timezone: Europe/Paris}\nadvisor: %d\n"+
		"steps:\n  - {title: Entretien à France Travail, due: 2037-03-20T14:30, reminders: [-2h]}\n", advisorID)), 9103, "Awa", true)
	id := w.ben(t, awa).ID
	before := w.planState(t, id)
	w.sayExpect(t, w.adv, "/modifier awa", txtRvMenu)
	w.pressOn(t, w.adv, "⬜ Entretien à France Travail · 20/03")
	w.pressOn(t, w.adv, btnRvDate)
	got := w.say(t, w.adv, "15/04")
	if len(got) == 0 || !strings.Contains(got[0].PlainText, "Je n'ai pas enregistré ce changement") || !strings.Contains(got[0].PlainText, "étape 1 · rappels n° 1 : un rappel en heures demande une heure d'échéance") {
		t.Fatalf("a date that breaks the plan: %s", dump(got))
	}
	if after := w.planState(t, id); after != before {
		t.Fatalf("a refused change was stored:\n%s\n%s", before, after)
	}
	w.pressOn(t, w.adv, "⬜ Entretien à France Travail · 20/03")
	w.pressOn(t, w.adv, btnRvDate)
	w.sayExpect(t, w.adv, "15/04 10:00", txtRvMenu)
	if p := w.plan(t, id); p.Steps[0].Due.String() != "2037-04-15T10:00" {
		t.Fatalf("due %s after a good date", p.Steps[0].Due)
	}
}
