package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"suivi/catalog"
	"suivi/domain"
	"suivi/examples"
	"suivi/telegramtest"
)

// Journeys of issue 13 (third part): templates, invites re-issued, plans
// updated from a file, exports, the newcomer's path.

// exampleNames are the people of the example plans (examples/*.yaml).
var exampleNames = []string{"Inès", "Moussa", "Nadia", "Karim", "Teddy", "Sofia"}

// gendered matches a pronoun that assumes the person's gender.
var gendered = regexp.MustCompile(`(?i)(^|[^\pL])(il|elle|ils|elles)([^\pL]|$)`)

// planTexts is every text of a plan a person reads.
func planTexts(p *domain.Plan) []string {
	out := []string{p.Checkin.Question}
	for _, s := range p.Steps {
		out = append(out, s.Title, s.Objective)
		out = append(out, s.Resources...)
		out = append(out, s.Indicators...)
	}
	return out
}

// newPlanFrom creates a plan for name from template tpl with /nouveauplan
// and returns the invite code and the advisor's messages of the flow.
func (w *world) newPlanFrom(t *testing.T, name, tpl string) (string, []telegramtest.Message) {
	t.Helper()
	n := len(w.adv.Messages())
	w.sayExpect(t, w.adv, "/nouveauplan", "Comment s'appelle la personne")
	w.sayExpect(t, w.adv, name, "")
	w.pressOn(t, w.adv, catalog.New().Plain(domain.French, catalog.Key("tpl."+tpl)))
	w.pressOn(t, w.adv, "➡️ Continuer")
	w.pressOn(t, w.adv, "Chaque semaine")
	w.pressOn(t, w.adv, "✅ Garder cette question")
	w.pressOn(t, w.adv, "Pas encore de date")
	w.pressOn(t, w.adv, "✅ Créer le plan")
	created := containing(since(w.adv, n), "Plan créé pour "+name)
	if len(created) != 1 {
		t.Fatalf("%s: no plan created:\n%s", tpl, dump(since(w.adv, n)))
	}
	text := created[0].PlainText
	i := strings.Index(text, "?start=")
	if i < 0 {
		t.Fatalf("no invite link in %q", text)
	}
	return strings.Fields(text[i+len("?start="):])[0], since(w.adv, n)
}

// Journey 5: a plan made from a template for a new person keeps none of
// the example's person: not their name, not a pronoun that assumes a
// gender ("auxquelles il a droit"), neither in what the advisor is shown
// while making it nor in the plan stored.
func TestTemplatesKeepNoExamplePerson(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	for _, tpl := range examples.Names() {
		code, flow := w.newPlanFrom(t, "Léa", tpl)
		id, err := w.r.app.store.InviteBeneficiary(context.Background(), code)
		if err != nil {
			t.Fatal(err)
		}
		p := w.plan(t, id)
		if p.Beneficiary.Name != "Léa" || len(p.Steps) < 4 {
			t.Fatalf("%s: plan %+v", tpl, p)
		}
		texts := planTexts(p)
		for _, m := range flow {
			texts = append(texts, m.PlainText)
		}
		for _, s := range texts {
			for _, name := range exampleNames {
				if strings.Contains(s, name) {
					t.Errorf("%s: %q names the example's %s", tpl, s, name)
				}
			}
		}
		for _, s := range planTexts(p) {
			if gendered.MatchString(s) {
				t.Errorf("%s: %q assumes the person's gender", tpl, s)
			}
		}
	}
}

// The newcomer's path: a stranger's /start tells them their Telegram id,
// with one line on what it is for (an advisor gives it to be registered);
// the README says so.
func TestStrangerStartTellsTelegramID(t *testing.T) {
	w := newWorld(t)
	addAdvisor(t, w.e, advisorID, "Claire")
	u := w.srv.NewUser(987654321, "Inconnue")
	got := w.say(t, u, "/start")
	if len(got) != 1 {
		t.Fatalf("/start: want one answer, got:\n%s", dump(got))
	}
	text := got[0].PlainText
	if !strings.Contains(text, "Votre identifiant Telegram : 987654321") {
		t.Errorf("a stranger's /start does not tell their id: %q", text)
	}
	if !strings.Contains(text, "lien personnel") || !strings.Contains(text, "accès conseiller") {
		t.Errorf("a stranger's /start lost the link's explanation or says nothing of the id's use: %q", text)
	}
	// Someone who is known is not told an id they do not need.
	if got := w.say(t, w.adv, "/start"); strings.Contains(shown(got), "identifiant Telegram") {
		t.Errorf("an advisor's /start shows an id: %q", shown(got))
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "Votre identifiant Telegram") {
		t.Error("the README does not say how an advisor finds their Telegram id")
	}
}
