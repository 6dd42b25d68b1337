package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"suivi/telegramtest"
)

// Journeys of issue 13 (part b): what new advisors and beneficiaries
// tripped over.

// noHoles fails when a message of ms prints an advisor's raw id, or a
// blank where a name should be.
func noHoles(t *testing.T, who string, ms []telegramtest.Message, ids ...int64) {
	t.Helper()
	for _, m := range ms {
		text := m.PlainText + m.PlainCaption
		for _, id := range ids {
			if strings.Contains(text, strconv.FormatInt(id, 10)) {
				t.Errorf("%s: a raw advisor id in %q", who, text)
			}
		}
		if strings.Contains(text, "  ") || strings.Contains(text, " ,") || strings.Contains(text, "( ") {
			t.Errorf("%s: an empty name in %q", who, text)
		}
	}
}

// Journey 3: an advisor known only by the id a plan file gave is asked
// their name on their first /start, and keeps it (/nom changes it); until
// then no one reads an empty name or a raw id: the beneficiary reads "la
// personne qui vous accompagne", the stand-in "une personne de l'équipe".
func TestJourneyAdvisorNameAskedAndNeverEmpty(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	ctx := context.Background()
	// A (advisorID) exists only through the plan file: no name.
	addAdvisor(t, w.e, otherAdvisor, "Bastien")
	b := w.srv.NewUser(otherAdvisor, "Bastien")
	awa := w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-04-20"}}}.file(t), 9101, "Awa", true)
	if a, err := w.r.app.store.Advisor(ctx, advisorID); err != nil || a.Name != "" {
		t.Fatalf("imported advisor: %+v %v", a, err)
	}

	// A goes away before ever opening the bot: Awa and B are told, without
	// a hole or an id.
	w.sayExpect(t, w.adv, "/absence", "Qui vous remplace pendant votre absence ?")
	w.pressOn(t, w.adv, "Bastien")
	w.pressOn(t, w.adv, "1 semaine")
	notice := containing(awa.Messages(), "Pendant ce temps")
	if len(notice) != 1 || !strings.Contains(notice[0].PlainText, "la personne qui vous accompagne") || !strings.Contains(notice[0].PlainText, "Bastien") {
		t.Errorf("Awa's notice of the absence:\n%s", dump(awa.Messages()))
	}
	if got := containing(b.Messages(), "Vous remplacez"); len(got) != 1 || !strings.Contains(got[0].PlainText, "une personne de l'équipe") {
		t.Errorf("B's notice:\n%s", dump(b.Messages()))
	}
	noHoles(t, "Awa", awa.Messages(), advisorID, otherAdvisor)
	noHoles(t, "B", b.Messages(), advisorID, otherAdvisor)
	w.say(t, w.adv, "/absence fin")

	// A's first /start asks their name; the answer is stored.
	got := w.say(t, w.adv, "/start")
	if !strings.Contains(shown(got), "Comment voulez-vous que l'on vous appelle") {
		t.Fatalf("A's first /start:\n%s", dump(got))
	}
	w.sayExpect(t, w.adv, "Claire", "Claire")
	if a, err := w.r.app.store.Advisor(ctx, advisorID); err != nil || a.Name != "Claire" {
		t.Fatalf("A's stored name: %+v %v", a, err)
	}
	// Asked once: /start again does not ask again.
	if got := w.say(t, w.adv, "/start"); strings.Contains(shown(got), "Comment voulez-vous que l'on vous appelle") {
		t.Errorf("asked again:\n%s", dump(got))
	}
	// /nom changes it.
	w.sayExpect(t, w.adv, "/nom Claire Martin", "Claire Martin")
	if a, _ := w.r.app.store.Advisor(ctx, advisorID); a.Name != "Claire Martin" {
		t.Errorf("renamed: %q", a.Name)
	}
	noHoles(t, "A", w.adv.Messages(), advisorID, otherAdvisor)
}
