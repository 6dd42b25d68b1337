package dialogs

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
	qrcode "github.com/skip2/go-qrcode"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/examples"
	"suivi/store"
)

// Creating a plan in Telegram (/nouveauplan), one message at a time, the
// same model as the plan files:
//
//	name       the beneficiary's first name or alias (typed)
//	template   one of the six cases of the good-practice guide, or blank
//	steps      the template's steps (dates moved to start next week), and/or
//	           lines pasted: "15/12 Visite à la Mission Locale", with
//	           "[conseiller]" for a step the advisor carries out
//	rhythm     weekly, every two weeks, monthly, or a cron spec (typed)
//	question   the plan's own self-evaluation question (template's, typed, none)
//	meetings   follow-up meeting dates (typed) or none
//	confirm    → the plan is stored; the invite link and its QR code come back
const (
	npName     = "name"
	npTemplate = "tpl"
	npSteps    = "steps"
	npRhythm   = "rhythm"
	npRhythmT  = "rhythm_typed"
	npQuestion = "question"
	npMeetings = "meetings"
	npConfirm  = "confirm"
	npDone     = "done"
)

// templates are the example plans offered as starting points, in the
// order of the guide.
func templates() []string {
	return []string{"immersion-gardienne", "bilan-priorites", "fle-electricien", "permis-mobilite", "vae-petite-enfance", "remise-a-niveau"}
}

// rhythms offered as buttons.
func rhythms() map[string]string {
	return map[string]string{"w": "0 10 * * MON", "2w": "@every 336h", "m": "0 10 1 * *"}
}

func (t *turn) newPlan(ctx context.Context) error {
	st := &advState{Flow: advFlowNewPlan, Nonce: newNonce(), Stage: npName, Draft: &domain.Plan{
		// The id is chosen now, so that a retried creation finds the plan
		// it stored instead of storing a second one.
		ID:        store.NewID(),
		AdvisorID: t.adv.ID,
		Beneficiary: domain.Person{
			Language: domain.French, Timezone: t.r.DefaultZone.String(),
		},
	}}
	if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
		return err
	}
	return t.askNewPlan(ctx, st)
}

func npBtn(st *advState, text string, parts ...any) bot.Button {
	return bot.Button{Text: text, Data: data(append([]any{"np", st.Nonce}, parts...)...)}
}

// npStage is one question of /nouveauplan, its halves side by side: how
// it is asked, what a typed answer does, and the buttons it offers (by
// their action, callback data "np:<nonce>:<action>[:<arg>]"). An answer
// fills the draft and names the next stage; a typed answer that is not
// right gives the advisor the reason instead.
type npStage struct {
	ask     func(t *turn, st *advState) (string, bot.Keyboard)
	typed   func(t *turn, st *advState, text string) (problem string)
	buttons map[string]func(t *turn, st *advState, arg string) (ok bool, err error)
}

// newPlanStages are the questions of /nouveauplan; "ok" and "cancel" (the
// confirmation) are handled by newPlanButton itself.
var newPlanStages = map[string]npStage{
	npName: {
		ask: func(t *turn, _ *advState) (string, bot.Keyboard) { return t.at(catalog.NpName), nil },
		typed: func(t *turn, st *advState, text string) string {
			if domain.ValidName(text) != nil {
				return t.at(catalog.NpNameBad, "max", domain.MaxNameLen)
			}
			st.Draft.Beneficiary.Name, st.Stage = text, npTemplate
			return ""
		},
	},
	npTemplate: {
		ask: func(t *turn, st *advState) (string, bot.Keyboard) {
			var kb bot.Keyboard
			for i, name := range templates() {
				kb = append(kb, []bot.Button{npBtn(st, t.alabel(catalog.Key("tpl."+name)), "tpl", i)})
			}
			kb = append(kb, []bot.Button{npBtn(st, t.alabel(catalog.TplBlank), "tpl", "blank")})
			return t.at(catalog.NpTemplate, "name", st.Draft.Beneficiary.Name), kb
		},
		typed: typedSteps, // steps typed at once: no template
		buttons: map[string]func(*turn, *advState, string) (bool, error){
			"tpl": func(t *turn, st *advState, arg string) (bool, error) {
				if arg != "blank" {
					i, err := strconv.Atoi(arg)
					if err != nil || i < 0 || i >= len(templates()) {
						return false, nil
					}
					if err := t.r.applyTemplate(st.Draft, templates()[i]); err != nil {
						return true, err
					}
				}
				st.Stage = npSteps
				return true, nil
			},
		},
	},
	npSteps: {
		ask: func(t *turn, st *advState) (string, bot.Keyboard) {
			kb := bot.Keyboard{}
			if len(st.Draft.Steps) > 0 {
				kb = append(kb, []bot.Button{npBtn(st, t.alabel(catalog.BtnNpNext), "next")}, []bot.Button{npBtn(st, t.alabel(catalog.BtnNpClear), "clear")})
			}
			return t.at(catalog.NpSteps, "steps", t.stepList(st.Draft)), kb
		},
		typed: typedSteps,
		buttons: map[string]func(*turn, *advState, string) (bool, error){
			"next": func(_ *turn, st *advState, _ string) (bool, error) {
				if len(st.Draft.Steps) == 0 {
					return false, nil
				}
				st.Stage = npRhythm
				return true, nil
			},
			"clear": func(_ *turn, st *advState, _ string) (bool, error) { st.Draft.Steps = nil; return true, nil },
		},
	},
	npRhythm: {
		ask: func(t *turn, st *advState) (string, bot.Keyboard) {
			return t.at(catalog.NpRhythm), bot.Keyboard{
				{npBtn(st, t.alabel(catalog.BtnWeekly), "rh", "w"), npBtn(st, t.alabel(catalog.BtnBiweekly), "rh", "2w")},
				{npBtn(st, t.alabel(catalog.BtnMonthly), "rh", "m"), npBtn(st, t.alabel(catalog.BtnCron), "rh", "cron")},
			}
		},
		buttons: map[string]func(*turn, *advState, string) (bool, error){
			"rh": func(_ *turn, st *advState, arg string) (bool, error) {
				if arg == "cron" {
					st.Stage = npRhythmT
					return true, nil
				}
				spec, ok := rhythms()[arg]
				if !ok {
					return false, nil
				}
				st.Draft.Checkin.Schedule, st.Stage = spec, npQuestion
				return true, nil
			},
		},
	},
	npRhythmT: {
		ask: func(t *turn, _ *advState) (string, bot.Keyboard) { return t.at(catalog.NpRhythmTyped), nil },
		typed: func(t *turn, st *advState, text string) string {
			if err := domain.ValidCheckinSchedule(text, t.r.DefaultZone); err != nil {
				return t.at(catalog.NpRhythmBad, "err", t.r.Catalog.Reason(advisorLang, err))
			}
			st.Draft.Checkin.Schedule, st.Stage = text, npQuestion
			return ""
		},
	},
	npQuestion: {
		ask: func(t *turn, st *advState) (string, bot.Keyboard) {
			kb := bot.Keyboard{{npBtn(st, t.alabel(catalog.BtnNoQuestion), "q", "none")}}
			if st.Draft.Checkin.Question != "" {
				kb = append(bot.Keyboard{{npBtn(st, t.alabel(catalog.BtnKeepQuestion), "q", "keep")}}, kb...)
			}
			return t.at(catalog.NpQuestion, "question", st.Draft.Checkin.Question), kb
		},
		typed: func(t *turn, st *advState, text string) string {
			if domain.ValidQuestion(text) != nil {
				return t.at(catalog.NpQuestionBad, "max", domain.MaxQuestionLen)
			}
			st.Draft.Checkin.Question, st.Stage = text, npMeetings
			return ""
		},
		buttons: map[string]func(*turn, *advState, string) (bool, error){
			"q": func(_ *turn, st *advState, arg string) (bool, error) {
				if arg != "keep" && arg != "none" {
					return false, nil
				}
				if arg == "none" {
					st.Draft.Checkin.Question = ""
				}
				st.Stage = npMeetings
				return true, nil
			},
		},
	},
	npMeetings: {
		ask: func(t *turn, st *advState) (string, bot.Keyboard) {
			return t.at(catalog.NpMeetings), bot.Keyboard{{npBtn(st, t.alabel(catalog.BtnNoMeeting), "mt", "none")}}
		},
		typed: func(t *turn, st *advState, text string) string {
			ms, bad := parseMeetings(text, t.r.Now().In(t.r.DefaultZone))
			if len(bad) > 0 {
				return t.at(catalog.NpMeetingsBad, "items", strings.Join(bad, ", "))
			}
			st.Draft.Meetings, st.Stage = ms, npConfirm
			return ""
		},
		buttons: map[string]func(*turn, *advState, string) (bool, error){
			"mt": func(_ *turn, st *advState, _ string) (bool, error) {
				st.Draft.Meetings, st.Stage = nil, npConfirm
				return true, nil
			},
		},
	},
	npConfirm: {
		ask: func(t *turn, st *advState) (string, bot.Keyboard) {
			return t.at(catalog.NpConfirm) + "\n\n" + renderPlan(t.r.Catalog, advisorLang, st.Draft, &advisorView{name: st.Draft.Beneficiary.Name}), bot.Keyboard{
				{npBtn(st, t.alabel(catalog.BtnCreate), "ok")},
				{npBtn(st, t.alabel(catalog.BtnCancel), "cancel")},
			}
		},
	},
}

// typedSteps adds the steps typed ("15/12 Visite à la Mission Locale").
func typedSteps(t *turn, st *advState, text string) string {
	d := st.Draft
	steps, bad := parseStepLines(text, t.r.Now().In(t.r.DefaultZone))
	if len(bad) > 0 {
		return t.at(catalog.NpStepsBad, "lines", strings.Join(bad, ", "))
	}
	for _, s := range steps {
		if len(d.Steps) >= domain.MaxSteps {
			break
		}
		s.ID = d.NextStepID()
		d.Steps = append(d.Steps, s)
	}
	st.Stage = npSteps
	return ""
}

// askNewPlan asks the question of the current stage.
func (t *turn) askNewPlan(ctx context.Context, st *advState) error {
	q, ok := newPlanStages[st.Stage]
	if !ok {
		return nil
	}
	text, kb := q.ask(t, st)
	return t.areply(ctx, text, kb)
}

func (t *turn) stepList(d *domain.Plan) string {
	if len(d.Steps) == 0 {
		return t.at(catalog.NpNoSteps)
	}
	var lines []string
	for _, s := range d.Steps {
		owner := ""
		if s.Owner == domain.OwnerAdvisor {
			owner = " " + t.at(catalog.NpAdvisorMark)
		}
		lines = append(lines, fmt.Sprintf("%02d/%02d %s%s", s.Due.Day, int(s.Due.Month), s.Title, owner))
	}
	return strings.Join(lines, "\n")
}

// newPlanInput takes what the advisor typed at the current stage.
func (t *turn) newPlanInput(ctx context.Context, st *advState, text string) error {
	text = strings.TrimSpace(text)
	q, ok := newPlanStages[st.Stage]
	if text == "" || !ok || q.typed == nil {
		return t.askNewPlan(ctx, st)
	}
	if problem := q.typed(t, st, text); problem != "" {
		return t.areply(ctx, problem, nil)
	}
	if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
		return err
	}
	return t.askNewPlan(ctx, st)
}

// newPlanButton handles "np:<nonce>:...".
func (t *turn) newPlanButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	if t.adv == nil || len(parts) < 2 {
		return false, "", nil
	}
	st, err := t.r.loadAdvState(ctx, t.adv.ID)
	if err != nil {
		return true, "", err
	}
	if st == nil || st.Flow != advFlowNewPlan || st.Nonce != parts[0] {
		return false, "", nil
	}
	arg := ""
	if len(parts) > 2 {
		arg = parts[2]
	}
	switch parts[1] {
	case "cancel":
		if err := t.r.saveAdvState(ctx, t.adv.ID, nil); err != nil {
			return true, "", err
		}
		return true, "", t.edit(ctx, m, t.at(catalog.AdvCancelled))
	case "ok":
		if st.Stage == npDone {
			return true, "", t.sendInvite(ctx, st) // pressed again, or a retry
		}
		if st.Stage != npConfirm {
			return false, "", nil
		}
		_ = t.r.Send.EditKeyboard(ctx, t.chat, m.ID, nil)
		return true, "", t.createPlan(ctx, st)
	}
	// A button of the current question only: an older one is stale.
	press, ok := newPlanStages[st.Stage].buttons[parts[1]]
	if !ok {
		return false, "", nil
	}
	if ok, err := press(t, st, arg); !ok || err != nil {
		return ok, "", err
	}
	_ = t.r.Send.EditKeyboard(ctx, t.chat, m.ID, nil)
	if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
		return true, "", err
	}
	return true, "", t.askNewPlan(ctx, st)
}

// applyTemplate fills the draft from an example plan, its dates moved so
// that its first step is due in a week.
func (r *Router) applyTemplate(d *domain.Plan, name string) error {
	start := domain.DateOf(r.Now().In(r.DefaultZone)).AddDays(7)
	tpl, err := examples.Template(name, r.DefaultZone.String(), start)
	if err != nil {
		return err
	}
	d.Steps = nil
	for _, s := range tpl.Steps {
		s.ID, s.Status, s.History = 0, domain.StatusTodo, nil
		d.Steps = append(d.Steps, s)
	}
	d.Normalize(r.DefaultZone.String())
	d.Meetings = tpl.Meetings
	d.Checkin = tpl.Checkin
	return nil
}

// createPlan stores the draft and hands back the invite and its QR code.
func (t *turn) createPlan(ctx context.Context, st *advState) error {
	d := st.Draft
	d.Normalize(t.r.DefaultZone.String())
	if err := d.Validate(); err != nil {
		var ps domain.Problems
		if errors.As(err, &ps) {
			return t.areply(ctx, t.at(catalog.NpInvalid, "problems", t.r.Catalog.Problems(advisorLang, ps)), nil)
		}
		return err
	}
	request := "np:" + st.Nonce
	inv, err := t.r.Store.CreatePlanFor(ctx, d, request, t.r.Now(), t.r.InviteTTL)
	if errors.Is(err, store.ErrExists) {
		// Stored by a first try that failed before its state was saved
		// (never another plan that has the same id).
		inv, err = t.r.sameRequestInvite(ctx, t.adv, d.ID, request, t.r.Now(), err)
	}
	if err != nil {
		return err
	}
	st.Stage, st.Code = npDone, inv.Code
	if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
		return err
	}
	return t.sendInvite(ctx, st)
}

// sendInvite hands the advisor the link of the plan just created and its QR
// code, to show on screen in the meeting.
func (t *turn) sendInvite(ctx context.Context, st *advState) error {
	return t.sendLink(ctx, catalog.NpCreated, st.Draft.Beneficiary.Name, store.Invite{Code: st.Code, Expires: t.r.Now().Add(t.r.InviteTTL)})
}

// sendLink hands the advisor an invite: the text of key (with the name,
// the link and when it expires), then the QR code of the link.
func (t *turn) sendLink(ctx context.Context, key catalog.Key, name string, inv store.Invite) error {
	link := t.r.deepLink(inv.Code)
	if err := t.areply(ctx, t.at(key, "name", name, "link", link,
		"expires", t.r.Catalog.Instant(advisorLang, inv.Expires, t.r.DefaultZone)), nil); err != nil {
		return err
	}
	png, err := qrcode.Encode(link, qrcode.Medium, 512)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	_, err = t.r.Send.SendPhoto(ctx, t.chat, fmt.Sprintf("u%d.qr", t.upd.ID), "invitation.png", png,
		t.at(catalog.NpQRCaption, "name", name))
	return err
}

var (
	stepLineRE = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?:\s+(\d{1,2})[h:](\d{2})?)?\s+(.+)$`)
	advisorRE  = regexp.MustCompile(`(?i)\s*[\[(](conseill(?:er|ère|ere)|c)[\])]\s*`)
)

// parseStepLines reads steps pasted one per line: "15/12 Titre",
// "15/12/2027 14h30 Titre", with "[conseiller]" for the advisor's steps.
// A date without a year is the next one to come. It returns the steps and
// the numbers of the lines it could not read or whose title or date the
// plan's rules refuse (domain.ValidTitle, domain.ValidDateTime).
func parseStepLines(text string, now time.Time) ([]domain.Step, []string) {
	var steps []domain.Step
	var bad []string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(line, "-•* "))
		if line == "" {
			continue
		}
		m := stepLineRE.FindStringSubmatch(line)
		if m == nil {
			bad = append(bad, strconv.Itoa(i+1))
			continue
		}
		dt, ok := userDateTime(m[1], m[2], m[3], m[4], m[5], now)
		title := m[6]
		owner := domain.OwnerBeneficiary
		if advisorRE.MatchString(title) {
			owner = domain.OwnerAdvisor
			title = strings.TrimSpace(advisorRE.ReplaceAllString(title, " "))
		}
		if !ok || domain.ValidTitle(title) != nil {
			bad = append(bad, strconv.Itoa(i+1))
			continue
		}
		steps = append(steps, domain.Step{Title: title, Owner: owner, Due: dt, Status: domain.StatusTodo})
	}
	return steps, bad
}

var meetingRE = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?:\s+(\d{1,2})[h:](\d{2})?)?$`)

// parseMeetings reads dates separated by commas or lines: "10/01 10:00, 24/01 14h30".
func parseMeetings(text string, now time.Time) ([]domain.DateTime, []string) {
	var out []domain.DateTime
	var bad []string
	for _, item := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		m := meetingRE.FindStringSubmatch(item)
		if m == nil {
			bad = append(bad, item)
			continue
		}
		dt, ok := userDateTime(m[1], m[2], m[3], m[4], m[5], now)
		if !ok {
			bad = append(bad, item)
			continue
		}
		out = append(out, dt)
	}
	slices.SortFunc(out, func(a, b domain.DateTime) int { return strings.Compare(a.String(), b.String()) })
	if len(out) > domain.MaxMeetings {
		out = out[:domain.MaxMeetings]
	}
	return out, bad
}

// userDateTime builds a date (and time) typed in French order; a date
// without a year is the next one to come. It refuses what the plan's rules
// refuse (domain.ValidDateTime: a year out of range, say).
func userDateTime(day, month, year, hour, minute string, now time.Time) (domain.DateTime, bool) {
	d, _ := strconv.Atoi(day)
	mo, _ := strconv.Atoi(month)
	y := now.Year()
	if year != "" {
		y, _ = strconv.Atoi(year)
		if y < 100 {
			y += 2000
		}
	}
	t := time.Date(y, time.Month(mo), d, 12, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != mo {
		return domain.DateTime{}, false
	}
	date := domain.DateOf(t)
	if year == "" && date.Before(domain.DateOf(now)) {
		date.Year++
	}
	dt := domain.DateTime{Date: date}
	if hour != "" {
		h, _ := strconv.Atoi(hour)
		mi := 0
		if minute != "" {
			mi, _ = strconv.Atoi(minute)
		}
		if h > 23 || mi > 59 {
			return domain.DateTime{}, false
		}
		dt.Hour, dt.Minute, dt.HasTime = h, mi, true
	}
	if domain.ValidDateTime(dt) != nil {
		return domain.DateTime{}, false
	}
	return dt, true
}
