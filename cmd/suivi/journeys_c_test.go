package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"suivi/catalog"
	"suivi/dialogs"
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

// cli runs the suivi command with args and returns its exit code, standard
// output and standard error.
func cli(t *testing.T, e env, now func() time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), args, e.get, now, &out, &errb)
	return code, out.String(), errb.String()
}

// lastLineCode is the invite code of the link on the last line of out.
func lastLineCode(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	_, code, ok := strings.Cut(lines[len(lines)-1], "https://t.me/suivi_test_bot?start=")
	if !ok || code == "" {
		t.Fatalf("no invite link on the last line:\n%s", out)
	}
	return code
}

// Journey 8: an invite is made again for someone who has not joined yet —
// a button on the person in /beneficiaires, or `suivi plan invite ID` —
// and every link before it stops working, refused with the kind text of an
// expired link; the newest one works. Someone who has joined gets no
// button, and the CLI says why.
func TestInviteIssuedAgain(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	awa := w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-03-20"}}}.file(t), 9301, "Awa", true)
	first := importPlan(t, w.e, w.clk, writePlan(t, "id: nadia2037\nbeneficiary: {name: Nadia}\nadvisor: 111111111\nsteps: [{title: Immersion, due: 2037-03-25}]\n"))

	list := w.sayExpect(t, w.adv, "/beneficiaires", "Vos bénéficiaires")
	if !hasButton(list, "🔗 Nouveau lien · Nadia") || hasButton(list, "🔗 Nouveau lien · Awa") {
		t.Fatalf("/beneficiaires: want a new-link button for Nadia only (Awa has joined): %s", dump([]telegramtest.Message{list}))
	}
	n := len(w.adv.Messages())
	w.pressOn(t, w.adv, "🔗 Nouveau lien · Nadia")
	got := since(w.adv, n)
	links := containing(got, "Nouveau lien pour Nadia")
	if len(links) != 1 || len(got) != 2 || got[1].Kind != "photo" || !strings.Contains(links[0].PlainText, "L'ancien lien ne marche plus") {
		t.Fatalf("the new link and its QR code: %s", dump(got))
	}
	text := links[0].PlainText
	second := strings.Fields(text[strings.Index(text, "?start=")+len("?start="):])[0]
	if second == first {
		t.Fatal("the new link is the old one")
	}

	// The CLI makes a third; the second stops working too.
	code, out, errs := cli(t, w.e, w.clk.Now, "plan", "invite", "nadia2037")
	if code != exitOK || !strings.Contains(out, "New invite for Nadia (plan nadia2037); the one before no longer works.") {
		t.Fatalf("plan invite: exit %d\n%s%s", code, out, errs)
	}
	third := lastLineCode(t, out)

	for i, old := range []string{first, second} {
		u := w.srv.NewUser(9400+int64(i), "Quelqu'un")
		got := w.say(t, u, "/start "+old)
		if len(got) != 1 || !strings.Contains(got[0].PlainText, "Ce lien n'est plus valable") || !strings.Contains(got[0].PlainText, "Demandez-en un nouveau") {
			t.Errorf("an old link: %s", dump(got))
		}
		if _, err := w.r.app.store.BeneficiaryByTelegram(context.Background(), u.ID()); err == nil {
			t.Errorf("an old link linked user %d", u.ID())
		}
	}
	nadia := w.srv.NewUser(9302, "Nadia")
	join(t, nadia, third, true)
	w.settle(t)
	if b := w.ben(t, nadia); b.ID != "nadia2037" || b.State != domain.StateActive {
		t.Fatalf("the newest link: %+v", b)
	}

	// Joined: no button, and the CLI refuses, kindly and clearly.
	if list := w.sayExpect(t, w.adv, "/beneficiaires", "Vos bénéficiaires"); len(list.Keyboard) != 0 {
		t.Errorf("buttons for people who have joined: %s", dump([]telegramtest.Message{list}))
	}
	code, _, errs = cli(t, w.e, w.clk.Now, "plan", "invite", "nadia2037")
	if code != exitFailure || !strings.Contains(errs, "Nadia has joined already (their invite was used): no new invite") {
		t.Errorf("plan invite after joining: exit %d %q", code, errs)
	}
	_ = awa
}

// Journey 8: a plan is updated from a file — the one `plan export` writes,
// edited — with `plan import --update`: checked as an import is, the person
// told once (as after /modifier), reminders following the new dates; a
// plain import of it keeps its "already exists", which now names
// --update; the export reads back what was changed.
func TestPlanUpdateFromExportedFile(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	awa := w.enrol(t, writePlan(t, "id: awa2037\nbeneficiary: {name: Awa, timezone: Europe/Paris}\nadvisor: 111111111\nsteps:\n"+
		"  - {title: Refaire son CV, due: 2037-03-20}\n  - {title: Visite du CIO, due: 2037-03-25}\n  - {title: Atelier numérique, due: 2037-03-27}\n"), 9501, "Awa", true)
	code, exported, errs := cli(t, w.e, w.clk.Now, "plan", "export", "awa2037")
	if code != exitOK {
		t.Fatalf("export: %d %s", code, errs)
	}
	edited := strings.NewReplacer(
		"title: Refaire son CV", "title: Refaire son CV et sa lettre",
		"due: 2037-03-25", "due: 2037-04-20",
	).Replace(exported)
	// The workshop goes; a step comes, without an id.
	i := strings.Index(edited, "  - id: 3")
	edited = edited[:i] + "  - title: Inscription au Greta\n    due: 2037-04-10\n"
	path := writePlan(t, edited)

	code, _, errs = cli(t, w.e, w.clk.Now, "plan", "import", path)
	if code != exitFailure || !strings.Contains(errs, "plan awa2037 already exists: to change it with this file, run suivi plan import --update "+path) {
		t.Fatalf("import of an existing plan: exit %d %q", code, errs)
	}
	bad := writePlan(t, strings.Replace(edited, "due: 2037-04-10", "due: 2037-04-10\n    reminders: [\"+1d\"]", 1))
	if code, _, errs := cli(t, w.e, w.clk.Now, "plan", "import", "--update", bad); code != exitFailure || !strings.Contains(errs, "is after the due date") || !strings.Contains(errs, "nothing stored") {
		t.Fatalf("--update checks the file as import does: exit %d %q", code, errs)
	}

	n := len(awa.Messages())
	code, out, errs := cli(t, w.e, w.clk.Now, "plan", "import", "--update", path)
	if code != exitOK || !strings.Contains(out, "Plan awa2037 updated: 4 change(s)") {
		t.Fatalf("import --update: exit %d\n%s%s", code, out, errs)
	}
	w.settle(t)
	told := since(awa, n)
	if len(told) != 1 {
		t.Fatalf("the person is told once, got:\n%s", dump(told))
	}
	for _, want := range []string{"Votre conseiller a mis à jour votre plan", "« Refaire son CV » devient « Refaire son CV et sa lettre »",
		"« Visite du CIO » : nouvelle date", "« Atelier numérique » est retirée du plan", "Nouvelle étape : « Inscription au Greta »"} {
		if !strings.Contains(told[0].PlainText, want) {
			t.Errorf("the notice %q lacks %q", told[0].PlainText, want)
		}
	}
	p := w.plan(t, "awa2037")
	if len(p.Steps) != 4 || p.Steps[0].Title != "Refaire son CV et sa lettre" || p.Steps[1].Due.String() != "2037-04-20" ||
		p.Steps[2].Title != "Inscription au Greta" || p.Steps[2].ID != 4 || p.Steps[3].ID != 3 || p.Steps[3].Status != domain.StatusCancelled {
		t.Fatalf("plan after the update: %+v", p.Steps)
	}
	if h := p.Steps[0].History; len(h) == 0 || h[len(h)-1].Title != "Refaire son CV et sa lettre" || h[len(h)-1].By != domain.ByAdvisor {
		t.Errorf("the rename is not in the step's history: %+v", h)
	}
	// The schedule follows: the moved step and the new one are reminded
	// three days before, the removed one no more.
	jobs := w.jobs(t, "awa2037")
	if got := jobAt(jobs, "r", "awa2037", 2); !got.Equal(on(4, 17, 10, 0)) {
		t.Errorf("the moved step's reminder at %s, want %s", got.In(paris), on(4, 17, 10, 0))
	}
	if got := jobAt(jobs, "r", "awa2037", 4); !got.Equal(on(4, 7, 10, 0)) {
		t.Errorf("the new step's reminder at %s, want %s", got.In(paris), on(4, 7, 10, 0))
	}
	if hasJob(jobs, "r", "awa2037", 3) {
		t.Error("the removed step is still reminded")
	}
	// The export reads back the change; the same file again changes nothing
	// and tells no one.
	_, again, _ := cli(t, w.e, w.clk.Now, "plan", "export", "awa2037")
	if !strings.Contains(again, "title: Refaire son CV et sa lettre") || !strings.Contains(again, "title: Inscription au Greta") {
		t.Errorf("export after the update:\n%s", again)
	}
	n = len(awa.Messages())
	code, out, _ = cli(t, w.e, w.clk.Now, "plan", "import", "--update", writePlan(t, again))
	w.settle(t)
	if code != exitOK || !strings.Contains(out, "the file changes nothing") || len(awa.Messages()) != n {
		t.Errorf("the same file again: exit %d %q, %d messages", code, out, len(awa.Messages())-n)
	}
}

// exportDoc sends text from u and returns the one CSV document answered,
// decoded.
func (w *world) exportDoc(t *testing.T, u *telegramtest.User, text string) (telegramtest.Message, [][]string) {
	t.Helper()
	got := w.say(t, u, text)
	if len(got) != 1 || got[0].Kind != "document" || !strings.HasSuffix(got[0].FileName, ".csv") {
		t.Fatalf("%q: want one CSV document, got:\n%s", text, dump(got))
	}
	data, ok := bytes.CutPrefix(got[0].File, []byte("\uFEFF"))
	if !ok {
		t.Errorf("%q: the CSV does not start with a byte order mark", text)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%q: not CSV: %v", text, err)
	}
	return got[0], rows
}

// column returns the index of name in a CSV header.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, header)
	}
	return i
}

// The advisor's export: a step added in /modifier has its due date, a
// rename keeps the old title beside the new one, times have their zone in
// a column, statuses and who acted are French words.
func TestExportKeepsDatesTitlesZonesInFrench(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-03-20"}}}.file(t), 9601, "Awa", true)
	w.enrol(t, writePlan(t, "beneficiary: {name: Teddy, timezone: Indian/Reunion}\nadvisor: 111111111\nsteps: [{title: Remise à niveau, due: 2037-03-20}]\n"), 9602, "Teddy", true)
	w.sayExpect(t, w.adv, "/modifier Awa", txtRvMenu)
	w.pressOn(t, w.adv, "⬜ Refaire son CV · 20/03")
	w.pressOn(t, w.adv, btnRvTitle)
	w.sayExpect(t, w.adv, "Refaire son CV et sa lettre", txtRvMenu)
	w.pressOn(t, w.adv, btnRvAdd)
	w.sayExpect(t, w.adv, "10/04 Inscription au Greta", txtRvMenu)
	w.pressOn(t, w.adv, btnRvDone)

	_, rows := w.exportDoc(t, w.adv, "/export")
	h := rows[0]
	name, zone, event, step, old, status, due, by := column(t, h, "beneficiaire"), column(t, h, "fuseau"), column(t, h, "etat"),
		column(t, h, "etape"), column(t, h, "ancien_titre"), column(t, h, "statut"), column(t, h, "echeance"), column(t, h, "par")
	var added, renamed []string
	for _, r := range rows[1:] {
		if r[column(t, h, "date")] != "" && r[zone] != map[string]string{"Awa": "Europe/Paris", "Teddy": "Indian/Reunion"}[r[name]] {
			t.Errorf("row without the person's zone: %v", r)
		}
		for _, code := range []string{"todo", "in_progress", "done", "blocked", "cancelled"} {
			if r[status] == code {
				t.Errorf("status as an English code: %v", r)
			}
		}
		if r[by] == "advisor" || r[by] == "beneficiary" || r[by] == "system" {
			t.Errorf("who acted as an English code: %v", r)
		}
		if r[step] == "Inscription au Greta" {
			added = r
		}
		if r[event] == "renomme" {
			renamed = r
		}
	}
	if added == nil || added[due] != "2037-04-10" || added[status] != "a faire" || added[by] != "conseiller" {
		t.Errorf("the step added in /modifier: %v, want due 2037-04-10, a faire, by the advisor", added)
	}
	if renamed == nil || renamed[step] != "Refaire son CV et sa lettre" || renamed[old] != "Refaire son CV" || renamed[by] != "conseiller" {
		t.Errorf("the rename: %v, want the new title and the old one", renamed)
	}
}

// The structure's export, for admins only: the whole structure, each
// advisor and each person (by plan id, never a name), with steps done and
// late, check-ins answered and help asked; in Telegram (/export structure)
// and from the CLI (suivi export structure), the same figures.
func TestStructureExportForAdmins(t *testing.T) {
	w := newWorldAt(t, moreStart, env{"SUIVI_ADMIN_IDS": fmt.Sprint(advisorID)})
	addAdvisor(t, w.e, advisorID, "Claire")
	addAdvisor(t, w.e, otherAdvisor, "Bastien")
	bastien := w.srv.NewUser(otherAdvisor, "Bastien")
	awa := w.enrol(t, writePlan(t, "id: awa2037\nbeneficiary: {name: Awa}\nadvisor: 111111111\nsteps:\n"+
		"  - {title: Refaire son CV, due: 2037-03-05}\n  - {title: Visite du CIO, due: 2037-03-03}\n  - {title: Atelier, due: 2037-04-20}\n"), 9701, "Awa", true)
	w.enrol(t, writePlan(t, fmt.Sprintf("id: zoe2037\nbeneficiary: {name: Zoé}\nadvisor: %d\nsteps: [{title: Concours, due: 2037-04-20}]\n", otherAdvisor)), 9702, "Zoé", true)
	importPlan(t, w.e, w.clk, writePlan(t, "id: leo2037\nbeneficiary: {name: Léo}\nadvisor: 111111111\nsteps: [{title: Bilan, due: 2037-04-20}]\n"))
	// Awa answers her first check-in, marks her CV done and asks for help;
	// on Thursday the visit of Tuesday is late.
	w.runUntil(t, on(3, 2, 10, 0))
	w.checkin(t, awa, ciAnswers{score: btnScore4, steps: map[string]string{"Refaire son CV": btnDone}, help: true})
	w.runUntil(t, on(3, 5, 12, 0))

	if got := w.sayExpect(t, bastien, "/export structure", "réservé aux administrateurs"); got.Kind == "document" {
		t.Fatal("a non-admin got the structure's export")
	}
	doc, rows := w.exportDoc(t, w.adv, "/export structure")
	if !strings.Contains(doc.PlainCaption, "2 conseillers, 3 personnes suivies") {
		t.Errorf("caption %q", doc.PlainCaption)
	}
	if !slices.Equal(rows[0], dialogs.StructureHeader()) {
		t.Fatalf("header %v", rows[0])
	}
	var lines []string
	for _, r := range rows[1:] {
		lines = append(lines, strings.Join(r, "|"))
	}
	want := []string{
		// niveau|conseiller|id|beneficiaire|etat|personnes|etapes|faites|en_retard|proposes|repondus|en_partie|aide
		"structure|||||3|5|1|1|2|1|0|1",
		"conseiller|Claire|111111111|||2|4|1|1|1|1|0|1",
		"beneficiaire|Claire|111111111|awa2037|suivi|1|3|1|1|1|1|0|1",
		"beneficiaire|Claire|111111111|leo2037|invitation envoyée|1|1|0|0|0|0|0|0",
		fmt.Sprintf("conseiller|Bastien|%d|||1|1|0|0|1|0|0|0", otherAdvisor),
		fmt.Sprintf("beneficiaire|Bastien|%d|zoe2037|suivi|1|1|0|0|1|0|0|0", otherAdvisor),
	}
	if !slices.Equal(lines, want) {
		t.Errorf("structure export:\n  %s\nwant:\n  %s", strings.Join(lines, "\n  "), strings.Join(want, "\n  "))
	}
	for _, name := range []string{"Awa", "Zoé", "Léo", "Refaire son CV"} {
		if bytes.Contains(doc.File, []byte(name)) {
			t.Errorf("the structure's export names %q", name)
		}
	}
	code, out, errs := cli(t, w.e, w.clk.Now, "export", "structure")
	if code != exitOK || out != string(doc.File) {
		t.Errorf("suivi export structure: exit %d %s\n%s\nwant what the bot sent:\n%s", code, errs, out, doc.File)
	}
}
