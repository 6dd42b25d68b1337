package main

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"suivi/dialogs"
	"suivi/domain"
	"suivi/store"
	"suivi/telegramtest"
)

// digestPerson is one beneficiary of the digest test and what they do at
// each of the eight Monday check-ins (10:00 in Paris, 5 October to 23
// November 2037). Actions, comma-separated:
//
//	""       nothing: the check-in stays without answer (silence)
//	s<n>     answers stored directly: score n, steps skipped, no help; completed
//	sp       the same with the score kept private
//	h<n>     the same as s<n> with help asked
//	i<n>     only the score n is given; the check-in is left unfinished
//	b<n>     real buttons: score n, steps skipped, nothing to add, no help
//	bp       real buttons: score kept private
//	bh<n>    real buttons: score n, help asked
//	bk<n>    real buttons: score n, the first step marked blocked
//	bd<n>    real buttons: score n, the first step marked done
//	done     the first open step is done now (stored)
//	block    the first open step is blocked now (stored)
//	stop     the beneficiary sends /stop
//
// Stored answers go to the latest open check-in (for a monthly rhythm, the
// one of Sunday 1 November).
type digestPerson struct {
	name  string
	share bool
	sched string      // the plan's check-in rhythm; "" is Mondays 10:00
	steps [][2]string // title, due date
	weeks [8]string

	user *telegramtest.User
	id   string
}

func digestCast() []*digestPerson {
	st := func(s ...string) [][2]string {
		var out [][2]string
		for i := 0; i < len(s); i += 2 {
			out = append(out, [2]string{s[i], s[i+1]})
		}
		return out
	}
	all := func(a string) [8]string { return [8]string{a, a, a, a, a, a, a, a} }
	const monthly = "0 10 1 * *"
	return []*digestPerson{
		{name: "Awa", share: true, steps: st("Refaire son CV", "2037-12-10"),
			weeks: [8]string{"s3", "s3", "s4", "s3", "s4", "s3", "b2", "bd4"}},
		{name: "Moussa", share: true, steps: st("Inscription aux cours de FLE", "2037-11-20", "Visite d'entreprise", "2037-12-15"),
			weeks: [8]string{"s4", "s4", "", "s3", "s3", "s3", "s4", "bh3"}},
		{name: "Inès", share: true, steps: st("Code de la route", "2037-12-05", "Stage en boulangerie", "2037-12-20"),
			weeks: [8]string{"s3", "s2", "s2", "s3", "s3", "s2", "s3", "bk2"}},
		{name: "Léo", steps: st("Bilan de compétences", "2037-12-01"),
			weeks: [8]string{"s4", "s5", "", "s4", "s4", "s5", "s4", "b5"}},
		{name: "Sami", share: true, steps: st("Dossier VAE", "2037-12-18"),
			weeks: [8]string{"s3", "s3", "s3", "s4", "s4", "b5", "bp", ""}},
		{name: "Zoé", share: true, steps: st("Salon de l'apprentissage", "2037-12-12"), weeks: all("s5")},
		{name: "Karim", share: true, steps: st("Atelier CV", "2037-11-10", "Mettre à jour le CV", "2037-11-15",
			"Écrire au recruteur", "2037-11-18", "Forum emploi", "2037-11-30"), weeks: all("s3")},
		{name: "Nadia", share: true, steps: st("Permis B", "2037-12-20"),
			weeks: [8]string{"s3", "h2", "s3", "s3", "s3", "s3", "s3", "s3"}},
		{name: "Hugo", share: true, steps: st("Formation cariste", "2037-12-20"),
			weeks: [8]string{"s3", "s3", "s3", "s3", "s3", "s3", "h3", "s4"}},
		{name: "Lina", share: true, steps: st("Candidatures", "2037-12-20"),
			weeks: [8]string{"s4", "s4", "s4", "s4", "s4", "", "", ""}},
		{name: "Yanis", share: true, steps: st("Rendez-vous Mission Locale", "2037-12-20"), weeks: all("")},
		{name: "Chloé", steps: st("Immersion en crèche", "2037-12-20"),
			weeks: [8]string{"s3", "s4", "s3", "s4", "s3", "s4", "s3", "s4"}},
		{name: "Malik", steps: st("Remise à niveau", "2037-12-20"),
			weeks: [8]string{"s3", "s3", "s3", "s3", "s3", "s3", "", ""}},
		{name: "Sarah", share: true, steps: st("Lettre de motivation", "2037-12-02", "Simulation d'entretien", "2037-12-09"),
			weeks: [8]string{"s4", "s4", "s4,done", "s4", "s4", "s4", "s4", "s5,done"}},
		{name: "Théo", share: true, sched: monthly, steps: st("Dossier Pôle emploi", "2037-12-20"),
			weeks: [8]string{"", "", "", "", "s3", "", "", ""}},
		{name: "Emma", share: true, sched: monthly, steps: st("Choisir une formation", "2037-12-20")},
		{name: "Rayan", share: true, steps: st("Carte de transport", "2037-12-20"),
			weeks: [8]string{"s3", "s3", "s3", "stop", "", "", "", ""}},
		{name: "Jade", share: true, steps: st("Ouvrir un compte", "2037-12-20"),
			weeks: [8]string{"s4", "s4", "s4", "s4", "s4", "s4", "s4", "i2"}},
		{name: "Bilal", share: true, steps: st("Inscription CACES", "2037-12-20"),
			weeks: [8]string{"s3", "s3", "s3", "s3", "s3", "s3", "s3", "s1"}},
		{name: "Manon", share: true, steps: st("Inscription au Greta", "2037-11-20", "Entrée en formation", "2037-12-20"),
			weeks: [8]string{"s3", "s3", "s3", "s3", "s3,block", "s3", "s3", "s3"}},
		{name: "Idriss", share: true, steps: st("Démarche logement", "2037-11-24", "Suite logement", "2037-12-20"), weeks: all("s4")},
		{name: "Camille", share: true, steps: st("Atelier numérique", "2037-11-02", "Attestation", "2037-11-12", "Stage", "2037-12-20"),
			weeks: [8]string{"s3", "s4", "s3", "s4", "s3", "s4", "s3", "s4"}},
		{name: "Noah", steps: st("Formation sécurité", "2037-11-23"), weeks: all("s2")},
		{name: "Leïla", share: true, steps: st("Projet pro", "2037-12-20"),
			weeks: [8]string{"s3", "s3", "s3", "s3", "s3", "s4", "s2", "sp"}},
		{name: "Enzo", share: true, steps: st("Visite du CFA", "2037-12-20"),
			weeks: [8]string{"s4", "s4", "s4", "s4", "s4", "s4", "", "s5"}},
		{name: "Fatou", share: true, steps: st("Aide à la mobilité", "2037-12-20"),
			weeks: [8]string{"s3", "s3", "s3", "s3", "s3", "s3", "s3", ""}},
		{name: "Lucas", share: true, steps: st("Bilan santé", "2037-12-20"), weeks: all("s2")},
		{name: "Maëlle", share: true, steps: st("Contrat d'apprentissage", "2037-12-20"),
			weeks: [8]string{"s4", "s4", "s4", "s4", "s4", "s4", "s4", "h4"}},
		{name: "Omar", share: true, steps: st("Titre de séjour", "2037-12-20"),
			weeks: [8]string{"s3", "s3", "s3", "s3", "s3", "h3", "s3", "s5"}},
		{name: "Jules", steps: st("Stage en garage", "2037-12-19", "Permis moto", "2037-12-20"),
			weeks: [8]string{"s3", "s3", "s3", "s3", "s3", "s3", "s3,done", "s3"}},
	}
}

func (p *digestPerson) planYAML() string {
	var b strings.Builder
	fmt.Fprintf(&b, "beneficiary: {name: %q, timezone: Europe/Paris}\nadvisor: %d\n", p.name, advisorID)
	if p.sched != "" {
		fmt.Fprintf(&b, "checkin: {schedule: %q}\n", p.sched)
	}
	b.WriteString("steps:\n")
	for _, s := range p.steps {
		fmt.Fprintf(&b, "  - {title: %q, due: %s}\n", s[0], s[1])
	}
	return b.String()
}

var scoreLabels = map[string]string{"1": "😟 Difficile", "2": "🙁 Peu", "3": "😐 Moyen", "4": "🙂 Bien", "5": "😄 Très bien", "p": dgKeep}

// act does what a digest person does at a Monday check-in.
func (w *world) act(t *testing.T, p *digestPerson, actions string) {
	t.Helper()
	for _, a := range strings.Split(actions, ",") {
		switch {
		case a == "":
		case a == "stop":
			c := newTalk(t, p.user)
			c.text("/stop")
			c.expect("je ne vous enverrai plus de message")
		case a == "done" || a == "block":
			status := map[string]domain.Status{"done": domain.StatusDone, "block": domain.StatusBlocked}[a]
			now := w.clk.Now()
			if _, err := w.r.app.store.UpdatePlan(context.Background(), p.id, now, func(pl *domain.Plan) error {
				for i := range pl.Steps {
					if pl.Steps[i].Status == domain.StatusTodo || pl.Steps[i].Status == domain.StatusInProgress {
						pl.Steps[i].SetStatus(status, now, domain.ByBeneficiary)
						return nil
					}
				}
				return fmt.Errorf("%s has no open step left", p.name)
			}); err != nil {
				t.Fatal(err)
			}
		case a[0] == 'b':
			score, step, help := a[len(a)-1:], dgSkip, dgHelpNo
			switch a[:len(a)-1] {
			case "bh":
				help = dgHelpYes
			case "bk":
				step = dgBlocked
			case "bd":
				step = dgDone
			}
			w.checkinByButtons(t, p.user, scoreLabels[score], step, help)
		default:
			w.storeAnswers(t, p, a)
		}
	}
}

// checkinByButtons answers the check-in just sent to u with buttons: the
// score, the first step with firstStep and the others skipped, nothing to
// add, and help.
func (w *world) checkinByButtons(t *testing.T, u *telegramtest.User, score, firstStep, help string) {
	t.Helper()
	ms := botMessages(u, dgIntro)
	if len(ms) == 0 || !ms[len(ms)-1].Date.Equal(w.clk.Now()) {
		t.Fatalf("chat %d: no check-in sent now (%s)", u.ID(), w.clk.Now())
	}
	c := &talk{t: t, u: u, mark: ms[len(ms)-1].ID - 1}
	c.tap(dgIntro, score)
	steps := 0
	for {
		m, err := u.WaitMessage(wait, func(m telegramtest.Message) bool {
			return m.ID > c.mark && (strings.Contains(m.PlainText, dgStepQ) || strings.Contains(m.PlainText, dgNoteQ) || strings.Contains(m.PlainText, dgHelpQ))
		})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.Contains(m.PlainText, dgStepQ):
			label := dgSkip
			if steps == 0 {
				label = firstStep
			}
			steps++
			c.tap(dgStepQ, label)
		case strings.Contains(m.PlainText, dgNoteQ):
			c.tap(dgNoteQ, dgNothing)
		default:
			c.tap(dgHelpQ, help)
			c.expect(txtNextCheckin)
			w.settle(t)
			return
		}
	}
}

// storeAnswers writes answers straight into the latest open check-in, as
// the buttons would have (a completed check-in records the consent of the
// moment).
func (w *world) storeAnswers(t *testing.T, p *digestPerson, a string) {
	t.Helper()
	ctx := context.Background()
	st := w.r.app.store
	cis := w.checkins(t, p.id)
	var open *domain.CheckIn
	for i := len(cis) - 1; i >= 0; i-- {
		if cis[i].Completed.IsZero() && cis[i].Closed.IsZero() {
			open = &cis[i]
			break
		}
	}
	if open == nil {
		t.Fatalf("%s: no open check-in at %s for %q", p.name, w.clk.Now(), a)
	}
	kind, value := a[:1], a[1:]
	now := w.clk.Now().UTC()
	if _, err := st.UpdateCheckIn(ctx, p.id, open.Week, func(c *domain.CheckIn) error {
		c.ScoreDone = true
		if value == "p" {
			c.Score, c.ScorePrivate = 0, true
		} else if _, err := fmt.Sscanf(value, "%d", &c.Score); err != nil {
			return fmt.Errorf("bad action %q", a)
		}
		if kind == "i" {
			return nil
		}
		for _, id := range c.AskSteps {
			c.SetStep(domain.StepUpdate{StepID: id})
		}
		c.NoteDone, c.HelpDone, c.HelpAsked = true, true, kind == "h"
		c.Completed, c.Shared = now, p.share
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if kind != "i" {
		if err := st.SetDialogState(ctx, p.id, nil, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// digestRow is what the digest must say of one beneficiary, computed in
// the test from what is stored.
type digestRow struct {
	id        string
	name      string
	line      string // "🔴 Name — parts"
	attention int
	help      bool
	shares    bool
	cis       []domain.CheckIn
}

// expectRow computes a beneficiary's digest line from the stored profile,
// plan and check-ins at now, following the rules the digest promises:
// help asked in the last 14 days; steps blocked; open steps past their
// due date; check-ins in a row without any answer, latest first (one open
// for less than two days does not count yet); the latest two shared scores
// of completed check-ins, only with consent; steps done in the last 7
// days; days since the last completed check-in.
func expectRow(b *domain.Beneficiary, p *domain.Plan, cis []domain.CheckIn, now time.Time) digestRow {
	r := digestRow{id: b.ID, name: b.Name, shares: b.Consent == domain.ConsentYes, cis: cis}
	today := domain.DateOf(now.In(paris))
	blocked, overdue, doneWeek := 0, 0, 0
	for _, s := range p.Steps {
		open := s.Status == domain.StatusTodo || s.Status == domain.StatusInProgress || s.Status == domain.StatusBlocked
		if s.Status == domain.StatusBlocked {
			blocked++
		}
		if open && s.Due.Date.Compare(today) < 0 {
			overdue++
		}
		if s.Status == domain.StatusDone && slices.ContainsFunc(s.History, func(h domain.Change) bool {
			return h.Status == domain.StatusDone && now.Sub(h.At) <= 7*24*time.Hour
		}) {
			doneWeek++
		}
	}
	var scores []int
	var last time.Time
	for i := len(cis) - 1; i >= 0; i-- {
		c := cis[i]
		if c.HelpAsked && now.Sub(c.Asked) <= 14*24*time.Hour {
			r.help = true
		}
		if c.Completed.IsZero() {
			continue
		}
		if last.IsZero() {
			last = c.Completed
		}
		if n := sharedScore(c, r.shares); n > 0 {
			scores = append(scores, n)
		}
	}
	silent := 0
	for i := len(cis) - 1; i >= 0; i-- {
		c := cis[i]
		if c.Completed.IsZero() && c.Closed.IsZero() && now.Sub(c.Asked) < 48*time.Hour {
			continue
		}
		if answered(c) {
			break
		}
		silent++
	}

	var parts []string
	if r.help {
		parts = append(parts, "🙋 aide demandée")
		r.attention += 100
	}
	switch b.State {
	case domain.StateBlocked:
		parts = append(parts, "🚫 a bloqué Suivi")
	case domain.StateStopped:
		parts = append(parts, "🛑 a arrêté les messages")
	case domain.StatePaused:
		parts = append(parts, "⏸️ en pause")
	case domain.StateClosed:
		parts = append(parts, "🎓 clôturé")
	}
	if b.State == domain.StateBlocked || b.State == domain.StateStopped {
		r.attention += 40
	}
	if blocked > 0 {
		parts = append(parts, fmt.Sprintf("⛔ %d %s", blocked, frPlural(blocked, "bloquée", "bloquées")))
	}
	if overdue > 0 {
		parts = append(parts, fmt.Sprintf("⏰ %d en retard", overdue))
	}
	if silent > 0 {
		parts = append(parts, fmt.Sprintf("🔇 %d %s sans réponse", silent, frPlural(silent, "point", "points")))
	}
	if silent >= 2 {
		r.attention += 30
	}
	r.attention += 20*blocked + 10*min(overdue, 3)
	switch {
	case !r.shares:
		parts = append(parts, "🔒 réponses privées")
	case len(scores) > 0:
		s := fmt.Sprintf("📊 %d/5", scores[0])
		if len(scores) > 1 {
			switch {
			case scores[0] > scores[1]:
				s += " ↗"
			case scores[0] < scores[1]:
				s += " ↘"
			default:
				s += " →"
			}
		}
		parts = append(parts, s)
		if scores[0] <= 2 {
			r.attention += 15
		}
	}
	if doneWeek > 0 {
		parts = append(parts, fmt.Sprintf("✅ %d %s", doneWeek, frPlural(doneWeek, "faite", "faites")))
	}
	if last.IsZero() {
		parts = append(parts, "pas encore de point")
	} else {
		parts = append(parts, fmt.Sprintf("dernier point il y a %d j", int(now.Sub(last).Hours()/24)))
	}
	icon := "🟢"
	switch {
	case r.attention >= 30:
		icon = "🔴"
	case r.attention >= 10:
		icon = "🟠"
	}
	r.line = icon + " " + b.Name + " — " + strings.Join(parts, " · ")
	return r
}

// sharedScore is the score the advisor may see: of a completed check-in,
// completed while sharing, the beneficiary still sharing, the score not
// kept private.
func sharedScore(c domain.CheckIn, sharesNow bool) int {
	if c.Completed.IsZero() || !c.Shared || !sharesNow || c.ScorePrivate {
		return 0
	}
	return c.Score
}

// openAt reports whether the beneficiary's check-in of week w is still open.
func (r digestRow) openAt(w domain.Week) bool {
	for _, c := range r.cis {
		if c.Week == w {
			return c.Completed.IsZero() && c.Closed.IsZero()
		}
	}
	return false
}

// answered reports whether a check-in got any answer at all.
func answered(c domain.CheckIn) bool {
	return c.ScoreDone || c.AnswerDone || len(c.Steps) > 0 || c.NoteDone || c.HelpDone || c.Pending != ""
}

// expectCell is the colour a chart cell must have for a week: light grey
// without check-in; grey for a check-in left without any answer (closed,
// or open for two days and more, as the text counts it); the score's
// colour for a score the advisor may see; blue for answers they may not
// (no consent, score kept private, or check-in left unfinished).
func expectCell(r digestRow, w domain.Week, now time.Time) (color.RGBA, string) {
	for _, c := range r.cis {
		if c.Week != w {
			continue
		}
		open := c.Completed.IsZero() && c.Closed.IsZero()
		switch n := sharedScore(c, r.shares); {
		case !answered(c) && (!open || now.Sub(c.Asked) >= 48*time.Hour):
			return dialogs.SilentColor(), "silent"
		case n > 0:
			return dialogs.ScoreColors()[n], fmt.Sprintf("score %d", n)
		case answered(c):
			return dialogs.PrivateColor(), "private"
		}
		return dialogs.EmptyColor(), "empty"
	}
	return dialogs.EmptyColor(), "empty"
}

// checkDigest checks a digest (text and chart) of the beneficiaries ids
// against what is stored, at now. It returns the chart cells that show a
// silence wrongly (known bug), and fails the test for anything else.
func checkDigest(t *testing.T, label string, st *store.Store, ids []string, now time.Time, text, chart telegramtest.Message) []string {
	t.Helper()
	ctx := context.Background()
	var rows []digestRow
	for _, id := range ids {
		b, err := st.Beneficiary(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p, err := st.Plan(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		cis, err := st.CheckIns(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, expectRow(b, p, cis, now))
	}
	slices.SortStableFunc(rows, func(a, b digestRow) int {
		if a.attention != b.attention {
			return b.attention - a.attention
		}
		return strings.Compare(foldName(a.name), foldName(b.name))
	})

	// The text: a title with the day, the count, then one line each.
	lines := strings.Split(text.PlainText, "\n")
	day := domain.DateOf(now.In(paris))
	if !strings.Contains(lines[0], txtDigestTitle) || !strings.Contains(lines[0], fmt.Sprintf(" %d ", day.Day)) {
		t.Errorf("digest title: %q", lines[0])
	}
	urgent := 0
	for _, r := range rows {
		if r.attention >= 30 {
			urgent++
		}
	}
	if len(lines) < 3 {
		t.Fatalf("digest too short:\n%s", text.PlainText)
	}
	if want := fmt.Sprintf("%d %s · 🔴 %d à voir en priorité", len(ids), frPlural(len(ids), "personne suivie", "personnes suivies"), urgent); lines[1] != want {
		t.Errorf("digest count line: %q, want %q", lines[1], want)
	}
	var got []string
	for _, l := range lines[2:] {
		if l != "" {
			got = append(got, l)
		}
	}
	names := map[string]int{}
	for _, l := range got {
		_, rest, _ := strings.Cut(l, " ")
		name, _, _ := strings.Cut(rest, " — ")
		names[name]++
	}
	for _, r := range rows {
		if names[r.name] != 1 {
			t.Errorf("%s appears on %d lines of the digest, want 1", r.name, names[r.name])
		}
	}
	if len(got) != len(rows) {
		t.Errorf("digest has %d beneficiary lines, want %d:\n%s", len(got), len(rows), text.PlainText)
	}
	for i, r := range rows {
		if i < len(got) && got[i] != r.line {
			t.Errorf("digest line %d:\n got  %q\n want %q", i+1, got[i], r.line)
		}
	}
	// Who needs attention first: help before anything else, then 🔴 🟠 🟢.
	rank := map[string]int{"🔴": 0, "🟠": 1, "🟢": 2}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if !strings.Contains(a, "🙋 aide demandée") && strings.Contains(b, "🙋 aide demandée") {
			t.Errorf("help asked listed after a line without: %q before %q", a, b)
		}
		ia, _, _ := strings.Cut(a, " ")
		ib, _, _ := strings.Cut(b, " ")
		if rank[ia] > rank[ib] {
			t.Errorf("%s listed before %s: %q before %q", ia, ib, a, b)
		}
	}

	// The chart: one row per line, in the same order, 8 weeks.
	img := decodeChart(t, chart)
	wantW := dialogs.ChartNameWidth + 8*dialogs.ChartCellW + dialogs.ChartPad
	wantH := dialogs.ChartHeader + len(rows)*dialogs.ChartCellH + dialogs.ChartPad
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Fatalf("chart is %dx%d, want %dx%d", b.Dx(), b.Dy(), wantW, wantH)
	}
	var weeks []domain.Week
	for i := 7; i >= 0; i-- {
		weeks = append(weeks, domain.WeekOf(now.In(paris).AddDate(0, 0, -7*i)))
	}
	var bugs []string
	for i, r := range rows {
		for j, wk := range weeks {
			x := dialogs.ChartNameWidth + j*dialogs.ChartCellW
			y := dialogs.ChartHeader + i*dialogs.ChartCellH
			have := rgba(img, x+3, y+3)
			want, what := expectCell(r, wk, now)
			if have == want {
				continue
			}
			// Known: a check-in still open, unanswered for two days and
			// more, is silence in the text but no check-in in the chart.
			if what == "silent" && have == dialogs.EmptyColor() && r.openAt(wk) {
				bugs = append(bugs, fmt.Sprintf("%s: %s %s: %s, want silent grey", label, r.name, wk, colorName(have)))
				continue
			}
			t.Errorf("chart row %d (%s), week %s: %s, want %s %s", i+1, r.name, wk, colorName(have), what, colorName(want))
		}
	}
	return bugs
}

// A digest for an advisor with 30 beneficiaries followed for eight weeks:
// one message and one chart, every figure matching what is stored, the
// beneficiaries needing attention listed first; the weekly digest comes on
// Monday at 08:30, once, even across a restart.
func TestDigestThirtyBeneficiaries(t *testing.T) {
	start0 := time.Date(2037, 10, 4, 12, 0, 0, 0, paris) // a Sunday
	w := newWorldAt(t, start0, nil)
	clk, srv, e := w.clk, w.srv, w.e
	ctx := context.Background()

	cast := digestCast()
	var ids []string
	for i, p := range cast {
		code := importPlan(t, e, clk, writePlan(t, p.planYAML()))
		p.user = srv.NewUser(int64(8101+i), p.name)
		join(t, p.user, code, p.share)
		p.id = w.ben(t, p.user).ID
		ids = append(ids, p.id)
	}
	// Invited, never joined: not in the digest.
	importPlan(t, e, clk, writePlan(t, fmt.Sprintf("beneficiary: {name: Nora}\nadvisor: %d\nsteps:\n  - {title: Rien, due: 2037-12-01}\n", advisorID)))
	w.settle(t)

	monday := time.Date(2037, 10, 5, 10, 0, 0, 0, paris)
	for k := range 8 {
		w.runUntil(t, monday.AddDate(0, 0, 7*k))
		for _, p := range cast {
			w.act(t, p, p.weeks[k])
		}
		w.settle(t)
	}

	// The scenario went as meant (the buttons did their part).
	check := func(p *digestPerson, what string, ok bool) {
		t.Helper()
		if !ok {
			t.Fatalf("scenario: %s: %s", p.name, what)
		}
	}
	byName := map[string]*digestPerson{}
	for _, p := range cast {
		byName[p.name] = p
	}
	last := func(name string) domain.CheckIn {
		cis := w.checkins(t, byName[name].id)
		return cis[len(cis)-1]
	}
	check(byName["Awa"], "step done by button", w.plan(t, byName["Awa"].id).Steps[0].Status == domain.StatusDone)
	check(byName["Inès"], "step blocked by button", w.plan(t, byName["Inès"].id).Steps[0].Status == domain.StatusBlocked)
	check(byName["Moussa"], "help asked by button", last("Moussa").HelpAsked && last("Moussa").Score == 3)
	check(byName["Léo"], "score 5 by button", last("Léo").Score == 5 && w.ben(t, byName["Léo"].user).Consent == domain.ConsentNo)
	check(byName["Rayan"], "stopped", w.ben(t, byName["Rayan"].user).State == domain.StateStopped)
	sami := w.checkins(t, byName["Sami"].id)
	check(byName["Sami"], "score kept private by button", len(sami) == 8 && sami[6].ScorePrivate && sami[5].Score == 5)

	// Wednesday noon: the advisor asks for the digest.
	w.runUntil(t, time.Date(2037, 11, 25, 12, 0, 0, 0, paris))
	n := len(w.adv.Messages())
	c := newTalk(t, w.adv)
	c.text("/digest")
	c.expect(txtDigestTitle)
	if _, err := w.adv.WaitMessage(wait, func(m telegramtest.Message) bool { return m.Kind == "photo" && len(since(w.adv, n)) >= 2 }); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	got := since(w.adv, n)
	if len(got) != 2 || got[0].Kind != "text" || got[1].Kind != "photo" {
		t.Fatalf("/digest: want one text and one photo, got:\n%s", dump(got))
	}
	if !strings.Contains(got[1].PlainCaption, txtChartCaption) {
		t.Errorf("chart caption: %q", got[1].PlainCaption)
	}
	if strings.Contains(got[0].PlainText, "Nora") {
		t.Errorf("a beneficiary who never joined is in the digest")
	}
	// A few lines computed by hand, so that the recomputation itself is checked.
	for _, want := range []string{
		"🔴 Moussa — 🙋 aide demandée · ⏰ 1 en retard · 📊 3/5 ↘ · dernier point il y a 2 j",
		"🔴 Inès — ⛔ 1 bloquée · 📊 2/5 ↘ · dernier point il y a 2 j",
		"🟢 Awa — 📊 4/5 ↗ · ✅ 1 faite · dernier point il y a 2 j",
		"🟢 Léo — 🔒 réponses privées · dernier point il y a 2 j",
		"🟢 Sami — 🔇 1 point sans réponse · 📊 5/5 ↗ · dernier point il y a 9 j",
		"🔴 Yanis — 🔇 8 points sans réponse · pas encore de point",
		"🔴 Malik — 🔇 2 points sans réponse · 🔒 réponses privées · dernier point il y a 16 j",
		"🔴 Rayan — 🛑 a arrêté les messages · 🔇 1 point sans réponse · 📊 3/5 → · dernier point il y a 37 j",
		"🔴 Karim — ⏰ 3 en retard · 📊 3/5 → · dernier point il y a 2 j",
		"🟢 Nadia — 📊 3/5 → · dernier point il y a 2 j",
		"🟢 Jade — 📊 4/5 → · dernier point il y a 9 j",
		"🟢 Théo — 📊 3/5 · dernier point il y a 23 j",
	} {
		if !slices.Contains(strings.Split(got[0].PlainText, "\n"), want) {
			t.Errorf("digest lacks the line %q:\n%s", want, got[0].PlainText)
		}
	}
	bugs := checkDigest(t, "/digest", w.r.app.store, ids, clk.Now(), got[0], got[1])

	// Monday 08:30 in Paris: the weekly digest, once, through the outbox.
	mondayDigest := time.Date(2037, 11, 30, 8, 30, 0, 0, paris)
	n = len(w.adv.Messages())
	w.runUntil(t, mondayDigest)
	weekly := func() (texts, charts []telegramtest.Message) {
		for _, m := range since(w.adv, n) {
			switch {
			case m.Kind == "photo":
				charts = append(charts, m)
			case strings.Contains(m.PlainText, txtDigestTitle):
				texts = append(texts, m)
			}
		}
		return texts, charts
	}
	texts, charts := weekly()
	if len(texts) != 1 || len(charts) != 1 {
		t.Fatalf("Monday 08:30: %d digests and %d charts, want 1 and 1:\n%s", len(texts), len(charts), dump(since(w.adv, n)))
	}
	if !texts[0].Date.Equal(mondayDigest) || !charts[0].Date.Equal(mondayDigest) {
		t.Errorf("weekly digest at %s and %s, want %s", texts[0].Date, charts[0].Date, mondayDigest)
	}
	bugs = append(bugs, checkDigest(t, "Monday 08:30", w.r.app.store, ids, mondayDigest, texts[0], charts[0])...)

	// A new process on the same Redis: no second digest this Monday.
	w.r.shutdown(t)
	w.r = start(t, e, clk)
	w.settle(t)
	w.runUntil(t, mondayDigest.Add(time.Hour))
	if texts, charts := weekly(); len(texts) != 1 || len(charts) != 1 {
		t.Errorf("after a restart: %d digests and %d charts this Monday, want 1 and 1", len(texts), len(charts))
	}
	if _, err := w.r.app.store.Advisor(ctx, advisorID); err != nil {
		t.Fatal(err)
	}

	if len(bugs) > 0 {
		t.Errorf("a check-in still open and unanswered for two days or more counts as silence in the digest text "+
			"(🔇 n points sans réponse) but the chart draws it as a week without check-in, not grey « - » "+
			"(dialogs.ChartCell only counts closed check-ins); so the latest week of every non-responder, in every "+
			"Monday digest, is never grey. %d cells:\n%s", len(bugs), strings.Join(bugs, "\n"))
	}
}

// Help asked with the "Besoin d'aide" button of a step reminder alerts the
// advisor at once, and the digest lists that person among those who asked
// for help, first.
func TestDigestShowsHelpAskedOnAStepReminder(t *testing.T) {
	w := newWorldAt(t, time.Date(2037, 3, 1, 11, 0, 0, 0, paris), nil)
	awa := w.enrol(t, writePlan(t, fmt.Sprintf("beneficiary: {name: Awa, timezone: Europe/Paris}\nadvisor: %d\nsteps:\n  - {title: Refaire son CV, due: 2037-03-05}\n", advisorID)), 9401, "Awa", true)
	w.enrol(t, writePlan(t, fmt.Sprintf("beneficiary: {name: Karim, timezone: Europe/Paris}\nadvisor: %d\nsteps:\n  - {title: Atelier CV, due: 2037-03-02}\n", advisorID)), 9402, "Karim", true)

	// Monday 10:00: the reminder three days before; Awa asks for help on it.
	w.runUntil(t, time.Date(2037, 3, 2, 10, 0, 0, 0, paris))
	c := newTalk(t, awa)
	c.mark = 0
	c.tap("Refaire son CV", "🙋 Besoin d'aide")
	c.expectEdit("votre conseiller va revenir vers vous")
	w.settle(t)
	if len(botMessages(w.adv, "Awa demande de l'aide")) != 1 {
		t.Fatalf("no help alert:\n%s", dump(w.adv.Messages()))
	}

	w.runUntil(t, time.Date(2037, 3, 4, 12, 0, 0, 0, paris))
	got := w.say(t, w.adv, "/digest")
	lines := strings.Split(got[0].PlainText, "\n")
	if len(got) != 2 || len(lines) != 5 {
		t.Fatalf("/digest: want a text of two lines and a chart, got:\n%s", dump(got))
	}
	line := map[string]string{}
	for _, l := range lines[3:] {
		_, rest, _ := strings.Cut(l, " ")
		name, _, _ := strings.Cut(rest, " — ")
		line[name] = l
	}
	if !strings.HasPrefix(line["Karim"], "🟠 Karim — ⏰ 1 en retard") {
		t.Errorf("Karim's line: %q", line["Karim"])
	}
	if line["Awa"] == "" {
		t.Fatalf("Awa is not in the digest:\n%s", got[0].PlainText)
	}
	if !strings.HasPrefix(line["Awa"], "🔴 Awa — 🙋 aide demandée") || lines[3] != line["Awa"] {
		t.Errorf("help asked with a step reminder's « Besoin d'aide » button (dialogs/steps.go st:help) is only "+
			"alerted, never recorded: two days later the digest (and /beneficiaires) show no « 🙋 aide demandée » "+
			"and do not list Awa first; Case.Help only looks at check-ins. Digest:\n%s", got[0].PlainText)
	}
}

// frPlural is the French form of a count: 0 and 1 take the singular.
func frPlural(n int, one, other string) string {
	if n <= 1 {
		return one
	}
	return other
}
