package desk

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"suivi/dialogs"
	"suivi/domain"
)

// ------------------------------------------------------------------------
// The caseload

type caseloadPage struct {
	Cases   []dialogs.Case
	All     int
	Q       string
	Filter  string
	Sort    string
	Filters []string
	Sorts   []string
	Heatmap string
	Weeks   []domain.Week
}

// Filters of the caseload: everyone, who needs attention, by state.
var caseFilters = []string{"all", "attention", "invited", "paused", "stopped", "blocked", "closed"}

var caseSorts = []string{"attention", "name", "last"}

func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

func (s *Server) caseload(v *visit) error {
	all, err := s.opts.Actions.DeskCaseload(v.r.Context(), v.adv)
	if err != nil {
		return err
	}
	q := v.r.URL.Query()
	pg := caseloadPage{All: len(all), Q: strings.TrimSpace(q.Get("q")), Filter: q.Get("filter"), Sort: q.Get("sort"), Filters: caseFilters, Sorts: caseSorts}
	if !slices.Contains(caseFilters, pg.Filter) {
		pg.Filter = "all"
	}
	if !slices.Contains(caseSorts, pg.Sort) {
		pg.Sort = "attention"
	}
	for _, c := range all {
		if pg.Q != "" && !strings.Contains(fold(c.Ben.Name), fold(pg.Q)) {
			continue
		}
		switch pg.Filter {
		case "attention":
			if c.Attention < 30 {
				continue
			}
		case "all":
		default:
			if string(c.Ben.State) != pg.Filter {
				continue
			}
		}
		pg.Cases = append(pg.Cases, c)
	}
	switch pg.Sort {
	case "name":
		slices.SortStableFunc(pg.Cases, func(a, b dialogs.Case) int { return strings.Compare(fold(a.Ben.Name), fold(b.Ben.Name)) })
	case "last":
		slices.SortStableFunc(pg.Cases, func(a, b dialogs.Case) int { return b.LastCompleted.Compare(a.LastCompleted) })
	}
	p := s.page(v, "", &pg)
	pg.Weeks = weeksUntil(p.now, s.opts.Zone, chartWeeks)
	var joined []dialogs.Case
	for _, c := range pg.Cases {
		if c.Ben.State != domain.StateInvited {
			joined = append(joined, c)
		}
	}
	pg.Heatmap = heatmap(joined, pg.Weeks, func(w domain.Week) string { return p.T("week_short", "n", weekNumber(w)) }, p.T("chart_weeks"))
	p.Title = p.T("caseload")
	s.render(v.w, v.r, http.StatusOK, "caseload.html", p)
	return nil
}

// weekNumber is the number of an ISO week ("2027-W09" → 9).
func weekNumber(w domain.Week) int {
	_, n, _ := strings.Cut(string(w), "-W")
	i, _ := strconv.Atoi(n)
	return i
}

func (s *Server) export(v *visit) error {
	data, err := s.opts.Actions.DeskExport(v.r.Context(), v.adv)
	if err != nil {
		return err
	}
	v.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	v.w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"suivi-%s.csv\"", s.opts.Now().In(s.opts.Zone).Format("2006-01-02")))
	_, _ = v.w.Write(data)
	return nil
}

// ------------------------------------------------------------------------
// A person

type personPage struct {
	Case     dialogs.Case
	Shared   []dialogs.Shared
	Question string
	Chart    string
	Timeline []event
	Owners   []domain.Owner
	Reach    bool // the person can receive a message
}

// event is a line of a person's timeline.
type event struct {
	At   time.Time
	Text string
}

func (s *Server) person(v *visit) error {
	return s.showPerson(v, http.StatusOK, "")
}

func (s *Server) showPerson(v *visit, status int, problem string) error {
	c, err := s.opts.Actions.DeskPerson(v.r.Context(), v.adv, v.r.PathValue("id"))
	if err != nil {
		return err
	}
	p := s.page(v, c.Ben.Name, nil)
	p.Problem = problem
	pg := &personPage{Case: c, Question: c.Plan.Checkin.Question, Owners: []domain.Owner{domain.OwnerBeneficiary, domain.OwnerAdvisor},
		Reach: c.Ben.TelegramID != 0 && c.Ben.State != domain.StateBlocked && c.Ben.State != domain.StateStopped}
	var points []scorePoint
	for i := range c.CheckIns {
		sh := dialogs.SharedCheckIn(c.Ben, c.Plan, &c.CheckIns[i])
		pg.Shared = append(pg.Shared, sh)
		points = append(points, scorePoint{label: p.T("week_short", "n", weekNumber(sh.Week)), score: sh.Score})
		at := c.CheckIns[i].Asked
		if sh.Done {
			at = sh.Completed
		}
		pg.Timeline = append(pg.Timeline, event{At: at, Text: p.T("tl_checkin", "week", weekNumber(sh.Week))})
		if sh.Help {
			pg.Timeline = append(pg.Timeline, event{At: at, Text: p.T("tl_help")})
		}
	}
	slices.Reverse(pg.Shared)
	if len(points) > 12 {
		points = points[len(points)-12:]
	}
	pg.Chart = scoresChart(points, p.T("chart_scores", "name", c.Ben.Name))
	for _, st := range c.Plan.Steps {
		for _, h := range st.History {
			var text string
			switch {
			case h.Title != "":
				text = p.T("tl_renamed", "title", h.Title)
			case h.Status != "": // a step added holds its first due date too
				text = p.T("tl_status", "title", st.Title, "status", p.Status(h.Status))
			case h.Due != nil:
				text = p.T("tl_moved", "title", st.Title, "date", p.DateTime(*h.Due))
			}
			if text != "" {
				pg.Timeline = append(pg.Timeline, event{At: h.At, Text: text})
			}
		}
	}
	slices.SortStableFunc(pg.Timeline, func(a, b event) int { return b.At.Compare(a.At) })
	if len(pg.Timeline) > 40 {
		pg.Timeline = pg.Timeline[:40]
	}
	p.Page = pg
	s.render(v.w, v.r, status, "person.html", p)
	return nil
}

func (s *Server) reply(v *visit) error {
	text := strings.TrimSpace(v.r.PostForm.Get("text"))
	if text == "" || len([]rune(text)) > 3000 {
		return s.showPerson(v, http.StatusUnprocessableEntity, s.text(v, "problem_reply"))
	}
	err := s.opts.Actions.DeskReply(v.r.Context(), v.adv, v.r.PathValue("id"), v.r.PostForm.Get("nonce"), text)
	if errors.Is(err, dialogs.ErrNotFollowed) {
		return s.showPerson(v, http.StatusUnprocessableEntity, s.text(v, "problem_unreachable"))
	}
	if err != nil {
		return err
	}
	return redirect(v, "/desk/p/"+v.r.PathValue("id"), "reply")
}

func (s *Server) nudge(v *visit) error {
	if err := s.opts.Actions.DeskNudge(v.r.Context(), v.adv, v.r.PathValue("id"), v.r.PostForm.Get("nonce")); err != nil {
		return err
	}
	return redirect(v, "/desk/p/"+v.r.PathValue("id"), "nudge")
}

func (s *Server) closeIt(v *visit) error {
	if err := s.opts.Actions.DeskClose(v.r.Context(), v.adv, v.r.PathValue("id"), v.r.PostForm.Get("nonce")); err != nil {
		return err
	}
	return redirect(v, "/desk/p/"+v.r.PathValue("id"), "close")
}

// editStep saves a step's form: each field that changed is one operation.
func (s *Server) editStep(v *visit) error {
	c, err := s.opts.Actions.DeskPerson(v.r.Context(), v.adv, v.r.PathValue("id"))
	if err != nil {
		return err
	}
	id, err := strconv.Atoi(v.r.PathValue("step"))
	st := c.Plan.Step(id)
	if err != nil || st == nil {
		http.NotFound(v.w, v.r)
		return nil
	}
	f := v.r.PostForm
	var ops []domain.RevOp
	if f.Get("cancel") != "" {
		ops = append(ops, domain.RevOp{Kind: domain.RevCancel, Step: id})
	} else {
		due, ok := formDate(f.Get("due"), f.Get("time"))
		if !ok {
			return s.showPerson(v, http.StatusUnprocessableEntity, s.text(v, "problem_date"))
		}
		if due != st.Due {
			ops = append(ops, domain.RevOp{Kind: domain.RevDate, Step: id, Due: due})
		}
		if t := strings.TrimSpace(f.Get("title")); t != st.Title {
			ops = append(ops, domain.RevOp{Kind: domain.RevTitle, Step: id, Text: t})
		}
		if o := strings.TrimSpace(f.Get("objective")); o != st.Objective {
			ops = append(ops, domain.RevOp{Kind: domain.RevObjective, Step: id, Text: o})
		}
		if r := lines(f.Get("resources")); !slices.Equal(r, st.Resources) {
			ops = append(ops, domain.RevOp{Kind: domain.RevResources, Step: id, Items: r})
		}
		if i := lines(f.Get("indicators")); !slices.Equal(i, st.Indicators) {
			ops = append(ops, domain.RevOp{Kind: domain.RevIndicators, Step: id, Items: i})
		}
	}
	return s.revise(v, ops)
}

// addStep adds the step of the form.
func (s *Server) addStep(v *visit) error {
	f := v.r.PostForm
	due, ok := formDate(f.Get("due"), f.Get("time"))
	if !ok {
		return s.showPerson(v, http.StatusUnprocessableEntity, s.text(v, "problem_date"))
	}
	owner := domain.Owner(f.Get("owner"))
	if !owner.Valid() {
		owner = domain.OwnerBeneficiary
	}
	step := domain.Step{Title: strings.TrimSpace(f.Get("title")), Owner: owner, Due: due, Objective: strings.TrimSpace(f.Get("objective"))}
	return s.revise(v, []domain.RevOp{{Kind: domain.RevAdd, Steps: []domain.Step{step}}})
}

// revise applies a form's operations with the plan's rules, or shows why
// not (nothing changed then).
func (s *Server) revise(v *visit, ops []domain.RevOp) error {
	if len(ops) == 0 {
		return redirect(v, "/desk/p/"+v.r.PathValue("id"), "")
	}
	_, err := s.opts.Actions.DeskRevise(v.r.Context(), v.adv, v.r.PathValue("id"), v.r.PostForm.Get("nonce"), ops)
	var ps domain.Problems
	switch {
	case errors.As(err, &ps):
		var lines []string
		for _, p := range ps {
			lines = append(lines, s.opts.Catalog.Problem(v.lang, p))
		}
		return s.showPerson(v, http.StatusUnprocessableEntity, s.text(v, "problem_plan")+" "+strings.Join(lines, " · "))
	case errors.Is(err, domain.ErrNoSuchStep):
		http.NotFound(v.w, v.r)
		return nil
	case err != nil:
		return err
	}
	return redirect(v, "/desk/p/"+v.r.PathValue("id"), "saved")
}

// formDate reads a date field (YYYY-MM-DD) and an optional time (HH:MM).
func formDate(day, clock string) (domain.DateTime, bool) {
	d, err := domain.ParseDate(strings.TrimSpace(day))
	if err != nil {
		return domain.DateTime{}, false
	}
	dt := domain.DateTime{Date: d}
	if clock = strings.TrimSpace(clock); clock != "" {
		var h, m int
		if _, err := fmt.Sscanf(clock, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
			return domain.DateTime{}, false
		}
		dt.Hour, dt.Minute, dt.HasTime = h, m, true
	}
	return dt, true
}

// lines reads a textarea, one item per line, blank lines dropped.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) brief(v *visit) error {
	c, err := s.opts.Actions.DeskPerson(v.r.Context(), v.adv, v.r.PathValue("id"))
	if err != nil {
		return err
	}
	text, ok, err := s.opts.Actions.DeskBrief(v.r.Context(), v.adv, c.Ben.ID)
	if err != nil {
		return err
	}
	p := s.page(v, c.Ben.Name, struct {
		Case  dialogs.Case
		Brief string
		OK    bool
	}{c, text, ok})
	s.render(v.w, v.r, http.StatusOK, "brief.html", p)
	return nil
}

// ------------------------------------------------------------------------
// A new plan

type newPlanPage struct {
	Templates []dialogs.DeskTemplate
	Invite    *dialogs.DeskInvite
	Name      string
}

func (s *Server) newPlanForm(v *visit) error {
	p := s.page(v, "", &newPlanPage{Templates: s.opts.Actions.DeskTemplates(v.lang)})
	p.Title = p.T("new_plan")
	s.render(v.w, v.r, http.StatusOK, "newplan.html", p)
	return nil
}

func (s *Server) newPlan(v *visit) error {
	f := v.r.PostForm
	name, tpl := strings.TrimSpace(f.Get("name")), f.Get("template")
	if tpl == "blank" {
		tpl = ""
	}
	var steps []domain.Step
	for _, l := range lines(f.Get("steps")) {
		day, title, _ := strings.Cut(l, " ")
		due, ok := formDate(day, "")
		if !ok {
			return s.newPlanProblem(v, s.text(v, "problem_steps")+" "+l)
		}
		steps = append(steps, domain.Step{Title: strings.TrimSpace(title), Due: due, Owner: domain.OwnerBeneficiary})
	}
	inv, err := s.opts.Actions.DeskNewPlan(v.r.Context(), v.adv, f.Get("nonce"), name, tpl, steps)
	var ps domain.Problems
	switch {
	case errors.As(err, &ps):
		var lines []string
		for _, p := range ps {
			lines = append(lines, s.opts.Catalog.Problem(v.lang, p))
		}
		return s.newPlanProblem(v, s.text(v, "problem_plan")+" "+strings.Join(lines, " · "))
	case errors.Is(err, dialogs.ErrUnknownTemplate):
		return s.newPlanProblem(v, s.text(v, "problem_template"))
	case err != nil:
		return err
	}
	p := s.page(v, "", &newPlanPage{Invite: &inv, Name: name})
	p.Title = p.T("new_plan")
	s.render(v.w, v.r, http.StatusOK, "newplan.html", p)
	return nil
}

func (s *Server) newPlanProblem(v *visit, problem string) error {
	p := s.page(v, "", &newPlanPage{Templates: s.opts.Actions.DeskTemplates(v.lang), Name: v.r.PostForm.Get("name")})
	p.Title, p.Problem = p.T("new_plan"), problem
	s.render(v.w, v.r, http.StatusUnprocessableEntity, "newplan.html", p)
	return nil
}

// ------------------------------------------------------------------------
// Settings

type settingsPage struct {
	DigestDay, DigestHour int
	Days                  []dayChoice
	Hours                 []int
	From, To              string // working hours, "09:00"
	Advisors              []domain.Advisor
	Absence               *domain.Absence
	AbsenceTo             domain.Date
	StandIn               string
	Langs                 []domain.Lang
}

// dayChoice is a day of the week in the settings' forms.
type dayChoice struct {
	N       int
	Work    bool // a working day
	Digest  bool // the digest's day
	LabelID string
}

func (s *Server) settings(v *visit) error { return s.showSettings(v, http.StatusOK, "") }

func (s *Server) showSettings(v *visit, status int, problem string) error {
	others, err := s.opts.Actions.DeskAdvisors(v.r.Context(), v.adv)
	if err != nil {
		return err
	}
	pg := &settingsPage{DigestDay: 1, DigestHour: 8, Advisors: others,
		Langs: []domain.Lang{domain.French, domain.English}, Absence: v.adv.Absence}
	for h := 0; h < 24; h++ {
		pg.Hours = append(pg.Hours, h)
	}
	spec := v.adv.DigestSpec
	if spec == "" {
		spec = domain.DefaultDigest
	}
	if f := strings.Fields(spec); len(f) == 5 {
		pg.DigestHour, _ = strconv.Atoi(f[1])
		if d, err := strconv.Atoi(f[4]); err == nil {
			pg.DigestDay = d
		} else if i := slices.Index([]string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, strings.ToUpper(f[4])); i >= 0 {
			pg.DigestDay = i
		}
	}
	work := domain.DefaultWorkHours()
	if v.adv.Work != nil {
		work = *v.adv.Work
	}
	pg.From, pg.To = fmt.Sprintf("%02d:%02d", work.From/60, work.From%60), fmt.Sprintf("%02d:%02d", work.To/60, work.To%60)
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		pg.Days = append(pg.Days, dayChoice{N: int(d), Work: slices.Contains(work.Days, d), Digest: int(d) == pg.DigestDay, LabelID: fmt.Sprintf("day_%d", d)})
	}
	if a := v.adv.Absence; a != nil {
		pg.AbsenceTo = domain.DateOf(a.To.In(s.opts.Zone)).AddDays(-1)
		for _, o := range others {
			if o.ID == a.StandIn {
				pg.StandIn = o.Name
			}
		}
	}
	p := s.page(v, "", pg)
	p.Title, p.Problem = p.T("settings"), problem
	if problem != "" {
		p.Notice = ""
	}
	s.render(v.w, v.r, status, "settings.html", p)
	return nil
}

func (s *Server) saveSettings(v *visit) error {
	f := v.r.PostForm
	ctx := v.r.Context()
	var err error
	done := "settings"
	switch f.Get("section") {
	case "digest":
		day, e1 := strconv.Atoi(f.Get("day"))
		hour, e2 := strconv.Atoi(f.Get("hour"))
		if e1 != nil || e2 != nil {
			http.Error(v.w, "bad form", http.StatusBadRequest)
			return nil
		}
		_, err = s.opts.Actions.DeskSetDigest(ctx, v.adv, day, hour)
	case "work":
		var w domain.WorkHours
		for _, d := range f["days"] {
			n, e := strconv.Atoi(d)
			if e != nil || n < 0 || n > 6 {
				http.Error(v.w, "bad form", http.StatusBadRequest)
				return nil
			}
			w.Days = append(w.Days, time.Weekday(n))
		}
		slices.Sort(w.Days)
		from, okF := clockMinutes(f.Get("from"))
		to, okT := clockMinutes(f.Get("to"))
		w.From, w.To = from, to
		if !okF || !okT || w.Valid() != nil {
			return s.settingsProblem(v, s.text(v, "problem_work"))
		}
		_, err = s.opts.Actions.DeskSetWork(ctx, v.adv, w)
	case "lang":
		_, err = s.opts.Actions.DeskSetLang(ctx, v.adv, domain.Lang(f.Get("lang")))
	case "absence":
		done = "absence"
		if f.Get("end") != "" {
			_, err = s.opts.Actions.DeskEndAbsence(ctx, v.adv)
			break
		}
		standIn, e1 := strconv.ParseInt(f.Get("standin"), 10, 64)
		from, e2 := domain.ParseDate(f.Get("from"))
		last, e3 := domain.ParseDate(f.Get("to"))
		if e1 != nil || e2 != nil || e3 != nil {
			return s.settingsProblem(v, s.text(v, "problem_absence"))
		}
		_, err = s.opts.Actions.DeskSetAbsence(ctx, v.adv, f.Get("nonce"), standIn, from, last.AddDays(1))
	default:
		http.Error(v.w, "bad form", http.StatusBadRequest)
		return nil
	}
	if errors.Is(err, domain.ErrInvalid) {
		return s.settingsProblem(v, s.text(v, "problem_"+f.Get("section")))
	}
	if err != nil {
		return err
	}
	return redirect(v, "/desk/settings", done)
}

func (s *Server) settingsProblem(v *visit, problem string) error {
	return s.showSettings(v, http.StatusUnprocessableEntity, problem)
}

func clockMinutes(s string) (int, bool) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// text is a desk text in the visit's language.
func (s *Server) text(v *visit, key string, kv ...any) string {
	p := &pageData{Lang: v.lang, cat: s.opts.Catalog}
	return p.T(key, kv...)
}
