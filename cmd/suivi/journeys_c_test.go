package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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

// planImportCLI runs `suivi plan import ARGS…` and returns its exit code,
// standard output and standard error.
func planImportCLI(t *testing.T, e env, now func() time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), append([]string{"plan", "import"}, args...), e.get, now, &out, &errb)
	return code, out.String(), errb.String()
}

// The newcomer's path: `plan import` checks the plan's id with the rest of
// the file, as FILE:LINE, before it reaches Redis (here, none answers); a
// reminder after the due date ("+1d") is refused, clearly; a step due in
// the past is stored, with a warning on its line.
func TestPlanImportChecksIDsOffsetsAndPastDates(t *testing.T) {
	e := env{
		"REDIS_URL":          "unix://" + filepath.Join(t.TempDir(), "nobody.sock"),
		"SUIVI_BOT_USERNAME": "suivi_test_bot",
		"SUIVI_DATA_KEYS":    newDataKey(t, "t1"),
	}
	now := func() time.Time { return t0 }
	bad := writePlan(t, "id: Sofia_2027\nbeneficiary: {name: Sofia}\nadvisor: 111111111\nsteps:\n  - title: CV\n    due: 2027-01-10\n    reminders: [\"-1d\", \"+1d\"]\n")
	code, _, errs := planImportCLI(t, e, now, bad)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d:\n%s", code, exitFailure, errs)
	}
	for _, want := range []string{
		bad + `:1: id: "Sofia_2027" must be 4 to 32 lower-case letters or digits, with at least two letters and a digit (like sofia2027)`,
		bad + `:7: steps[0].reminders[1]: "+1d" is after the due date: reminders come before it or on it`,
		"2 problem(s), nothing stored",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("plan import says:\n%s\nwant a line with %q", errs, want)
		}
	}
	if strings.Contains(strings.ToLower(errs), "redis") {
		t.Errorf("a bad file reached Redis:\n%s", errs)
	}
	// An id that is fine and dates in the past: stored, with a warning.
	w := newWorld(t)
	past := writePlan(t, "id: sofia2027\nbeneficiary: {name: Sofia}\nadvisor: 111111111\nsteps:\n  - title: CV\n    due: 2026-10-01\n  - title: Visite\n    due: 2027-01-10\n")
	code, out, errs := planImportCLI(t, w.e, w.clk.Now, past)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	if want := past + ":6: steps[0].due: warning: 2026-10-01 is in the past"; !strings.Contains(errs, want) || strings.Count(errs, "warning") != 1 {
		t.Errorf("plan import says:\n%s\nwant one warning, %q", errs, want)
	}
	w.settle(t)
	if !strings.Contains(out, "https://t.me/suivi_test_bot?start=") || w.plan(t, "sofia2027").Steps[0].Due.String() != "2026-10-01" {
		t.Errorf("the plan with a past date was not stored as written:\n%s", out)
	}
}

// The newcomer's path: what /nouveauplan refuses is said in French, never
// the domain's English ("fires more than once a day").
func TestNewPlanSaysValidationInFrench(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	w.sayExpect(t, w.adv, "/nouveauplan", "Comment s'appelle la personne")
	w.sayExpect(t, w.adv, "Léa", "")
	w.pressOn(t, w.adv, "📄 Plan vide")
	w.sayExpect(t, w.adv, "20/03 Refaire son CV", "Refaire son CV")
	w.pressOn(t, w.adv, "➡️ Continuer")
	w.pressOn(t, w.adv, "⚙️ Règle cron")
	got := w.sayExpect(t, w.adv, "*/5 * * * *", "Cette règle ne convient pas")
	if want := "« */5 * * * * » tomberait plus d'une fois par jour : un point par jour au plus"; !strings.Contains(got.PlainText, want) {
		t.Errorf("refusal %q, want it to say %q", got.PlainText, want)
	}
	if strings.Contains(got.PlainText, "fires") {
		t.Errorf("English inside French: %q", got.PlainText)
	}
}

// Template dates land on working days: a template started on Christmas
// Day has no step due, nor meeting, on 25 December, 1 January or a
// weekend.
func TestTemplateDatesSkipHolidays(t *testing.T) {
	// Thursday 18 December 2036: a template starts a week later, on the 25th.
	w := newWorldAt(t, time.Date(2036, 12, 18, 10, 0, 0, 0, paris), nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	for _, tpl := range []string{"immersion-gardienne", "fle-electricien"} {
		code, _ := w.newPlanFrom(t, "Léa", tpl)
		id, err := w.r.app.store.InviteBeneficiary(context.Background(), code)
		if err != nil {
			t.Fatal(err)
		}
		p := w.plan(t, id)
		if first := p.Steps[0].Due.Date; first != (domain.Date{Year: 2036, Month: 12, Day: 26}) {
			t.Errorf("%s: first step due %s, want Friday 26 December 2036 (the working day after the 25th)", tpl, first)
		}
		for _, s := range p.Steps {
			d := s.Due.Date
			if d.Month == 12 && d.Day == 25 || d.Month == 1 && d.Day == 1 || !domain.WorkingDay(d) {
				t.Errorf("%s: step %q due %s (%s), a day offices are closed", tpl, s.Title, d, d.Weekday())
			}
		}
	}
}
