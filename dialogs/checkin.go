package dialogs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/reminders"
	"suivi/store"
)

// The weekly check-in, one question at a time, each answerable with one tap:
//
//	score   "Quels progrès cette semaine ?" 1–5 .............. or keep for me
//	answer  the plan's own question: a tap, a text or a voice note; skip; keep for me
//	steps   each open step's status (at most 5) ............ skip; keep for me
//	note    anything to add? a text or a voice note .......... nothing to add
//	share   forward that text or voice note? (with consent) .. yes / keep for me
//	help    "Avez-vous besoin d'aide ?" ...................... yes alerts the advisor now
//
// then a thank-you and, with consent, one message to the advisor (without
// consent, only that a check-in happened and whether help was asked).
//
// The check-in of a week is a record in Redis; which question comes next is
// derived from it, so the beneficiary can stop and resume, and handling an
// update twice changes nothing. Buttons name the week and the question: a
// button of an earlier question of the open week re-answers that question;
// a button of a closed week changes nothing.
//
// Someone who stops halfway is not lost: after the grace
// (Router.CheckinGrace) without a new answer, what was answered goes to the
// advisor as an unfinished check-in (partGrace, notify.go), and /progres,
// the next check-in of the week or a step reminder's "Continuer mon point"
// (ci:<week>:go) picks up where they stopped.
const (
	qShare  = "f"
	qScore  = "s"
	qAnswer = "a"
	qStep   = "t"
	qNote   = "n"
	qHelp   = "h"
)

// maxAskSteps bounds the step questions of one check-in.
const maxAskSteps = 5

// maxNote bounds a free text kept from one check-in, in characters.
const maxNote = 2000

// askSteps picks the open steps a check-in asks about: the beneficiary's
// own, soonest due first.
func askSteps(p *domain.Plan) []int {
	var steps []*domain.Step
	for _, s := range p.OpenSteps() {
		if s.Owner == domain.OwnerBeneficiary {
			steps = append(steps, s)
		}
	}
	slices.SortStableFunc(steps, func(a, b *domain.Step) int { return a.Due.Date.Compare(b.Due.Date) })
	var ids []int
	for _, s := range steps[:min(len(steps), maxAskSteps)] {
		ids = append(ids, s.ID)
	}
	return ids
}

// ciQuestion is one question of the check-in, its halves side by side:
// when it is still to ask, how it is asked, and what each of its buttons
// records. Adding a question: a row in ciQuestions, its fields in
// domain.CheckIn, its texts in the catalog (and, if it takes a typed
// answer, checkinMessage).
type ciQuestion struct {
	code string
	// due reports whether the question is still to answer, and about
	// which step (qStep).
	due func(c *domain.CheckIn, p *domain.Plan) (stepID int, ok bool)
	// ask returns the text and buttons (callback data
	// "ci:<week>:<code>[:<step>]:<value>").
	ask func(r *Router, lang domain.Lang, b *domain.Beneficiary, c *domain.CheckIn, p *domain.Plan, stepID int) (string, bot.Keyboard)
	// press turns a button's value into the answer it records; a nil
	// record: no button offers that value (edited data), nothing changes.
	press func(t *turn, ctx context.Context, c *domain.CheckIn, p *domain.Plan, stepID int, value string) (ciAnswer, error)
	// recorded, when set, runs once the answer is recorded (and again when
	// the same press is handled again: what follows may have failed);
	// complete: no question is left.
	recorded func(t *turn, ctx context.Context, c *domain.CheckIn, complete bool) error
}

// ciAnswer is what a button records: the change of the check-in, the label
// shown in place of the buttons, and a line added under it.
type ciAnswer struct {
	record       func(*domain.CheckIn)
	label, extra string
}

// ciQuestions are the questions of the check-in, in the order they come.
var ciQuestions = []ciQuestion{
	{code: qShare, // a text or voice note just given: forward it?
		due: func(c *domain.CheckIn, _ *domain.Plan) (int, bool) { return 0, c.Pending != "" },
		ask: func(r *Router, lang domain.Lang, _ *domain.Beneficiary, c *domain.CheckIn, _ *domain.Plan, _ int) (string, bot.Keyboard) {
			L := func(k catalog.Key) string { return r.Catalog.Plain(lang, k) }
			return r.Catalog.T(lang, catalog.CiShareQ), bot.Keyboard{{btn(L(catalog.BtnShare), "ci", c.Week, qShare, "y")}, {btn(L(catalog.BtnKeep), "ci", c.Week, qShare, "p")}}
		},
		press: func(t *turn, _ context.Context, c *domain.CheckIn, _ *domain.Plan, _ int, v string) (ciAnswer, error) {
			if c.Pending == "" || (v != "y" && v != "p") {
				return ciAnswer{}, nil
			}
			private := v == "p"
			a := ciAnswer{label: t.t(catalog.BtnShare), record: func(c *domain.CheckIn) {
				if c.Pending == "answer" {
					c.AnswerPrivate, c.AnswerDone = private, true
				} else {
					c.NotePrivate, c.NoteDone = private, true
				}
				c.Pending = ""
			}}
			if private {
				a.label = t.t(catalog.BtnKeep)
			}
			return a, nil
		},
	},
	{code: qScore, // "Quels progrès cette semaine ?" 1-5
		due: func(c *domain.CheckIn, _ *domain.Plan) (int, bool) { return 0, !c.ScoreDone },
		ask: func(r *Router, lang domain.Lang, b *domain.Beneficiary, c *domain.CheckIn, p *domain.Plan, _ int) (string, bot.Keyboard) {
			L := func(k catalog.Key) string { return r.Catalog.Plain(lang, k) }
			w := c.Week
			return r.Catalog.T(lang, catalog.CiScoreQ, "period", r.Catalog.T(lang, r.rhythmOf(b, p).this())), bot.Keyboard{
				{btn(L(catalog.Score1), "ci", w, qScore, 1), btn(L(catalog.Score2), "ci", w, qScore, 2)},
				{btn(L(catalog.Score3), "ci", w, qScore, 3), btn(L(catalog.Score4), "ci", w, qScore, 4), btn(L(catalog.Score5), "ci", w, qScore, 5)},
				{btn(L(catalog.BtnKeep), "ci", w, qScore, "p")},
			}
		},
		press: func(t *turn, _ context.Context, _ *domain.CheckIn, _ *domain.Plan, _ int, v string) (ciAnswer, error) {
			// An answer given while not sharing stays private, even if the
			// beneficiary starts sharing before the check-in ends.
			shares := t.ben.Consent.Shares()
			if v == "p" {
				return ciAnswer{label: t.t(catalog.BtnKeep), record: func(c *domain.CheckIn) { c.Score, c.ScorePrivate, c.ScoreDone = 0, true, true }}, nil
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < domain.MinScore || n > domain.MaxScore {
				return ciAnswer{}, nil
			}
			a := ciAnswer{label: t.t(scoreKey(n)), record: func(c *domain.CheckIn) { c.Score, c.ScorePrivate, c.ScoreDone = n, !shares, true }}
			if n <= 2 {
				a.extra = t.t(catalog.CiLowScore)
			}
			return a, nil
		},
	},
	{code: qAnswer, // the plan's own question: a tap, a text or a voice note
		due: func(c *domain.CheckIn, p *domain.Plan) (int, bool) {
			return 0, strings.TrimSpace(p.Checkin.Question) != "" && !c.AnswerDone
		},
		ask: func(r *Router, lang domain.Lang, _ *domain.Beneficiary, c *domain.CheckIn, p *domain.Plan, _ int) (string, bot.Keyboard) {
			L := func(k catalog.Key) string { return r.Catalog.Plain(lang, k) }
			w := c.Week
			return r.Catalog.T(lang, catalog.CiAnswerQ, "question", p.Checkin.Question), bot.Keyboard{
				{btn(L(catalog.AnsMuch), "ci", w, qAnswer, domain.AnswerMuch), btn(L(catalog.AnsSome), "ci", w, qAnswer, domain.AnswerSome), btn(L(catalog.AnsNotYet), "ci", w, qAnswer, domain.AnswerNotYet)},
				{btn(L(catalog.BtnSkip), "ci", w, qAnswer, "x"), btn(L(catalog.BtnKeep), "ci", w, qAnswer, "p")},
			}
		},
		press: func(t *turn, _ context.Context, _ *domain.CheckIn, _ *domain.Plan, _ int, v string) (ciAnswer, error) {
			shares := t.ben.Consent.Shares()
			switch v {
			case domain.AnswerMuch, domain.AnswerSome, domain.AnswerNotYet:
				return ciAnswer{label: t.t(answerKey(v)), record: func(c *domain.CheckIn) { c.AnswerChoice, c.AnswerPrivate, c.AnswerDone = v, !shares, true }}, nil
			case "x":
				return ciAnswer{label: t.t(catalog.BtnSkip), record: func(c *domain.CheckIn) { c.AnswerDone = true }}, nil
			case "p":
				return ciAnswer{label: t.t(catalog.BtnKeep), record: func(c *domain.CheckIn) { c.AnswerPrivate, c.AnswerDone = true, true }}, nil
			}
			return ciAnswer{}, nil
		},
	},
	{code: qStep, // each open step the check-in asks about
		due: func(c *domain.CheckIn, p *domain.Plan) (int, bool) {
			for _, id := range c.AskSteps {
				if s := p.Step(id); s != nil && s.Status.Open() && c.Step(id) == nil {
					return id, true
				}
			}
			return 0, false
		},
		ask: func(r *Router, lang domain.Lang, _ *domain.Beneficiary, c *domain.CheckIn, p *domain.Plan, stepID int) (string, bot.Keyboard) {
			s := p.Step(stepID)
			if s == nil {
				return "", nil
			}
			L := func(k catalog.Key) string { return r.Catalog.Plain(lang, k) }
			w := c.Week
			return r.Catalog.T(lang, catalog.CiStepQ, "title", s.Title, "date", r.Catalog.DateTime(lang, s.Due)), bot.Keyboard{
				{btn(L(catalog.BtnTodo), "ci", w, qStep, stepID, "todo"), btn(L(catalog.BtnInProgress), "ci", w, qStep, stepID, "prog")},
				{btn(L(catalog.BtnDone), "ci", w, qStep, stepID, "done"), btn(L(catalog.BtnBlocked), "ci", w, qStep, stepID, "block")},
				{btn(L(catalog.BtnSkip), "ci", w, qStep, stepID, "x"), btn(L(catalog.BtnKeep), "ci", w, qStep, stepID, "p")},
			}
		},
		press: func(t *turn, ctx context.Context, _ *domain.CheckIn, p *domain.Plan, stepID int, v string) (ciAnswer, error) {
			switch v {
			case "x":
				return ciAnswer{label: t.t(catalog.BtnSkip), record: func(c *domain.CheckIn) { c.SetStep(domain.StepUpdate{StepID: stepID}) }}, nil
			case "p":
				return ciAnswer{label: t.t(catalog.BtnKeep), record: func(c *domain.CheckIn) { c.SetStep(domain.StepUpdate{StepID: stepID, Private: true}) }}, nil
			}
			st, valid := stepStatus(v)
			if !valid {
				return ciAnswer{}, nil
			}
			// A step blocked is said in the check-in's one message to the
			// advisor (at its end, or with what was answered after the grace).
			if err := t.setStepStatus(ctx, stepID, st, false); err != nil {
				return ciAnswer{}, err
			}
			a := ciAnswer{label: t.r.Catalog.Status(t.lang, st), record: func(c *domain.CheckIn) { c.SetStep(domain.StepUpdate{StepID: stepID, Status: st}) }}
			if st == domain.StatusDone {
				a.extra = t.t(catalog.StepCelebrate, "title", p.Step(stepID).Title)
			}
			return a, nil
		},
	},
	{code: qNote, // anything to add? a text or a voice note
		due: func(c *domain.CheckIn, _ *domain.Plan) (int, bool) { return 0, !c.NoteDone },
		ask: func(r *Router, lang domain.Lang, _ *domain.Beneficiary, c *domain.CheckIn, _ *domain.Plan, _ int) (string, bot.Keyboard) {
			return r.Catalog.T(lang, catalog.CiNoteQ), bot.Keyboard{{btn(r.Catalog.Plain(lang, catalog.BtnNothing), "ci", c.Week, qNote, "x")}}
		},
		press: func(t *turn, _ context.Context, _ *domain.CheckIn, _ *domain.Plan, _ int, v string) (ciAnswer, error) {
			if v != "x" {
				return ciAnswer{}, nil
			}
			return ciAnswer{label: t.t(catalog.BtnNothing), record: func(c *domain.CheckIn) { c.NoteDone = true }}, nil
		},
	},
	{code: qHelp, // "Avez-vous besoin d'aide ?": yes alerts the advisor now
		due: func(c *domain.CheckIn, _ *domain.Plan) (int, bool) { return 0, !c.HelpDone },
		ask: func(r *Router, lang domain.Lang, _ *domain.Beneficiary, c *domain.CheckIn, _ *domain.Plan, _ int) (string, bot.Keyboard) {
			L := func(k catalog.Key) string { return r.Catalog.Plain(lang, k) }
			return r.Catalog.T(lang, catalog.CiHelpQ), bot.Keyboard{
				{btn(L(catalog.BtnHelpYes), "ci", c.Week, qHelp, "y"), btn(L(catalog.BtnHelpNo), "ci", c.Week, qHelp, "n")},
				{btn(L(catalog.BtnHelpUrgent), "ci", c.Week, qHelp, "u")},
			}
		},
		press: func(t *turn, _ context.Context, _ *domain.CheckIn, _ *domain.Plan, _ int, v string) (ciAnswer, error) {
			switch v {
			case "y", "u":
				urgent := v == "u"
				label := t.t(catalog.BtnHelpYes)
				if urgent {
					label = t.t(catalog.BtnHelpUrgent)
				}
				return ciAnswer{label: label, extra: t.t(catalog.HelpSent), record: func(c *domain.CheckIn) { c.HelpAsked, c.HelpUrgent, c.HelpDone = true, urgent, true }}, nil
			case "n":
				return ciAnswer{label: t.t(catalog.BtnHelpNo), record: func(c *domain.CheckIn) { c.HelpAsked, c.HelpUrgent, c.HelpDone = false, false, true }}, nil
			}
			return ciAnswer{}, nil
		},
		// Help asked reaches the advisor at once: in the check-in's one
		// message when this answer completes it (it does, being the last
		// question), else as an alert of its own (the alert's key: once).
		recorded: func(t *turn, ctx context.Context, c *domain.CheckIn, complete bool) error {
			if !c.HelpAsked || complete {
				return nil // complete: completeCheckin sends it, first
			}
			return t.r.alertHelp(ctx, t.ben, c.Week, nil, c.HelpUrgent)
		},
	},
}

// question returns the row of a question code.
func ciQuestionOf(code string) (ciQuestion, bool) {
	for _, q := range ciQuestions {
		if q.code == code {
			return q, true
		}
	}
	return ciQuestion{}, false
}

// next returns the question to ask, "" when the check-in is complete.
func next(c *domain.CheckIn, p *domain.Plan) (q string, stepID int) {
	for _, q := range ciQuestions {
		if id, ok := q.due(c, p); ok {
			return q.code, id
		}
	}
	return "", 0
}

// checkinQuestion returns the text and buttons of question q, asked of b.
func (r *Router) checkinQuestion(lang domain.Lang, b *domain.Beneficiary, c *domain.CheckIn, p *domain.Plan, q string, stepID int) (string, bot.Keyboard) {
	if row, ok := ciQuestionOf(q); ok {
		return row.ask(r, lang, b, c, p, stepID)
	}
	return "", nil
}

// rhythm is how often a beneficiary is asked to take stock, as the words
// for it say: every week, every two weeks, every month.
type rhythm int

const (
	rhythmWeek rhythm = iota
	rhythmFortnight
	rhythmMonth
)

// rhythmOf reads a beneficiary's rhythm off their check-in schedule (their
// own, else the plan's): how far apart its check-ins are.
func (r *Router) rhythmOf(b *domain.Beneficiary, p *domain.Plan) rhythm {
	sched, err := reminders.CheckinSchedule(b, p, b.Location(r.DefaultZone))
	if err != nil {
		return rhythmWeek
	}
	const day = 24 * time.Hour
	switch gap := sched.Gap(r.Now()); {
	case gap >= 21*day:
		return rhythmMonth
	case gap >= 11*day:
		return rhythmFortnight
	}
	return rhythmWeek
}

// this is the rhythm's period as in "Quels progrès cette semaine ?".
func (rh rhythm) this() catalog.Key {
	return [...]catalog.Key{catalog.PeriodThisWeek, catalog.PeriodThisFortnight, catalog.PeriodThisMonth}[rh]
}

// every is the rhythm as in "Chaque semaine, je vous demande...".
func (rh rhythm) every() catalog.Key {
	return [...]catalog.Key{catalog.PeriodEveryWeek, catalog.PeriodEveryFortnight, catalog.PeriodEveryMonth}[rh]
}

// stepStatuses maps a button's code to a status.
func stepStatus(code string) (domain.Status, bool) {
	s, ok := map[string]domain.Status{
		"todo": domain.StatusTodo, "prog": domain.StatusInProgress, "done": domain.StatusDone, "block": domain.StatusBlocked,
	}[code]
	return s, ok
}

// startCheckin opens the check-in of week for a beneficiary and closes any
// older one left open. It returns the check-in and whether it is new; an
// existing one is returned as it is.
func (r *Router) startCheckin(ctx context.Context, ben *domain.Beneficiary, p *domain.Plan, week domain.Week, onDemand bool) (*domain.CheckIn, bool, error) {
	all, err := r.Store.CheckIns(ctx, ben.ID)
	if err != nil {
		return nil, false, err
	}
	now := r.Now().UTC()
	closed := false
	for _, c := range all {
		if c.Week != week && c.Open() {
			closed = true
			if _, err := r.Store.UpdateCheckIn(ctx, ben.ID, c.Week, func(c *domain.CheckIn) error {
				if c.Open() {
					c.Closed = now
				}
				return nil
			}); err != nil {
				return nil, false, err
			}
		}
	}
	if closed {
		if all, err = r.Store.CheckIns(ctx, ben.ID); err != nil {
			return nil, false, err
		}
		if err := r.alertSilence(ctx, ben, all, week); err != nil {
			return nil, false, err
		}
	}
	c := &domain.CheckIn{BeneficiaryID: ben.ID, Week: week, Asked: now, OnDemand: onDemand, AskSteps: askSteps(p)}
	created, err := r.Store.CreateCheckIn(ctx, c)
	if err != nil {
		return nil, false, err
	}
	if !created {
		if c, err = r.Store.CheckIn(ctx, ben.ID, week); err != nil {
			return nil, false, err
		}
	}
	if c.Open() {
		if err := r.saveState(ctx, ben.ID, &state{Flow: flowCheckin, Week: week}); err != nil {
			return nil, false, err
		}
	}
	return c, created, nil
}

// onboarding reports whether the beneficiary is still answering the
// welcome questions: a check-in would cut them short (consent included).
func (r *Router) onboarding(ctx context.Context, benID string) (bool, error) {
	st, err := r.loadState(ctx, benID)
	if err != nil {
		return false, err
	}
	return st != nil && st.Flow == flowOnboarding && st.Stage != stageDone, nil
}

// weekOf is the week of t in the beneficiary's calendar.
func (r *Router) weekOf(ben *domain.Beneficiary, t time.Time) domain.Week {
	return domain.WeekOf(t.In(ben.Location(r.DefaultZone)))
}

// checkinOnDemand answers /progres: the week's check-in, started now or
// resumed where it was left; a completed one is not asked again.
func (t *turn) checkinOnDemand(ctx context.Context) error {
	st, err := t.r.loadState(ctx, t.ben.ID)
	if err != nil {
		return err
	}
	if welcoming(st) {
		// A button offering a check-in, pressed during the welcome.
		return t.finishFirst(ctx, st)
	}
	p, err := t.r.Store.Plan(ctx, t.ben.ID)
	if err != nil {
		return err
	}
	c, created, err := t.r.startCheckin(ctx, t.ben, p, t.r.weekOf(t.ben, t.r.Now()), true)
	if err != nil {
		return err
	}
	if c.Done() {
		return t.reply(ctx, t.t(catalog.CiAlready, "date", t.nextCheckinText(ctx, t.ben, nil)), nil)
	}
	switch {
	case created:
		if err := t.reply(ctx, t.t(catalog.CiIntroNow, "name", t.ben.Name), nil); err != nil {
			return err
		}
	case c.Started():
		if err := t.reply(ctx, t.t(catalog.CiIntroResume, "name", t.ben.Name), nil); err != nil {
			return err
		}
	}
	return t.askNext(ctx, c, p)
}

// ciContinue is the value of the button that resumes a check-in begun:
// ci:<week>:go, offered with step reminders.
const ciContinue = "go"

// continueButton is the button that resumes the check-in of c's week.
func (r *Router) continueButton(lang domain.Lang, c *domain.CheckIn) []bot.Button {
	return []bot.Button{btn(r.Catalog.Plain(lang, catalog.BtnCiContinue), "ci", c.Week, ciContinue)}
}

// continueCheckin answers ci:<week>:go: the check-in of that week, still
// open, resumes where it stopped. Any other (completed, closed, unknown,
// forged) is a closed question.
func (t *turn) continueCheckin(ctx context.Context, week domain.Week) (bool, string, error) {
	c, err := t.r.Store.CheckIn(ctx, t.ben.ID, week)
	if errors.Is(err, store.ErrNotFound) {
		return false, "", nil
	}
	if err != nil {
		return true, "", err
	}
	if !c.Open() {
		return false, "", nil
	}
	p, err := t.r.Store.Plan(ctx, t.ben.ID)
	if err != nil {
		return true, "", err
	}
	if err := t.r.saveState(ctx, t.ben.ID, &state{Flow: flowCheckin, Week: week}); err != nil {
		return true, "", err
	}
	if err := t.reply(ctx, t.t(catalog.CiIntroResume, "name", t.ben.Name), nil); err != nil {
		return true, "", err
	}
	return true, "", t.askNext(ctx, c, p)
}

// askNext asks the check-in's next question, or completes it.
func (t *turn) askNext(ctx context.Context, c *domain.CheckIn, p *domain.Plan) error {
	q, step := next(c, p)
	if q == "" {
		return t.completeCheckin(ctx, c, p)
	}
	text, kb := t.r.checkinQuestion(t.lang, t.ben, c, p, q, step)
	return t.reply(ctx, text, kb)
}

// checkinButton handles a press on a check-in question: parts are the
// week, the question and the answer.
func (t *turn) checkinButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	st, err := t.r.loadState(ctx, t.ben.ID)
	if err != nil {
		return true, "", err
	}
	if welcoming(st) {
		// A check-in's button still in the chat, pressed during the
		// welcome: the welcome comes first, the check-in waits.
		return true, "", t.finishFirst(ctx, st)
	}
	if len(parts) == 2 && parts[1] == ciContinue {
		return t.continueCheckin(ctx, domain.Week(parts[0]))
	}
	if len(parts) < 3 {
		return false, "", nil
	}
	week, q := domain.Week(parts[0]), parts[1]
	c, err := t.r.Store.CheckIn(ctx, t.ben.ID, week)
	if errors.Is(err, store.ErrNotFound) {
		return false, "", nil
	}
	if err != nil {
		return true, "", err
	}
	if !c.Open() {
		if c.Done() && c.LastUpdate == t.upd.ID {
			// The press that completed it, handled again: thank again (the
			// reply's key keeps it from doubling).
			return true, "", t.thankYou(ctx, c)
		}
		return false, "", nil
	}
	p, err := t.r.Store.Plan(ctx, t.ben.ID)
	if err != nil {
		return true, "", err
	}
	current, currentStep := next(c, p)
	// The same press handled again (a send failed the first time): it was
	// the current question then, and its answer is already recorded.
	retry := c.LastUpdate == t.upd.ID
	stepID := 0
	value := parts[2]
	if q == qStep {
		if len(parts) != 4 {
			return false, "", nil
		}
		if stepID, err = strconv.Atoi(parts[2]); err != nil || !slices.Contains(c.AskSteps, stepID) || p.Step(stepID) == nil {
			return false, "", nil // not a step this check-in asks about
		}
		value = parts[3]
	}
	label, extra, ok, err := t.applyAnswer(ctx, c, p, q, stepID, value, retry)
	if err != nil || !ok {
		return ok, "", err
	}
	c, err = t.r.Store.CheckIn(ctx, t.ben.ID, week)
	if err != nil {
		return true, "", err
	}
	if p, err = t.r.Store.Plan(ctx, t.ben.ID); err != nil {
		return true, "", err
	}
	text, _ := t.r.checkinQuestion(t.lang, t.ben, c, p, q, stepID)
	if text == "" {
		text = escaped(m)
	}
	confirm := text + "\n\n" + t.t(catalog.Chosen, "choice", label)
	if extra != "" {
		confirm += "\n" + extra
	}
	if err := t.edit(ctx, m, confirm); err != nil {
		return true, "", err
	}
	if !retry && (q != current || (q == qStep && stepID != currentStep)) {
		// An earlier question answered again: recorded, the current one stands.
		return true, t.t(catalog.Noted), nil
	}
	if err := t.r.saveState(ctx, t.ben.ID, &state{Flow: flowCheckin, Week: week}); err != nil {
		return true, "", err
	}
	return true, "", t.askNext(ctx, c, p)
}

// applyAnswer records the answer a button gives to question q. ok is false
// for a value no button offers.
func (t *turn) applyAnswer(ctx context.Context, c *domain.CheckIn, p *domain.Plan, q string, stepID int, value string, retry bool) (label, extra string, ok bool, err error) {
	row, found := ciQuestionOf(q)
	if !found {
		return "", "", false, nil
	}
	a, err := row.press(t, ctx, c, p, stepID, value)
	if err != nil {
		return "", "", true, err
	}
	fn, label, extra := a.record, a.label, a.extra
	if fn == nil {
		return "", "", false, nil
	}
	updated := c // recorded the first time, when the same press comes again
	if !retry {
		if updated, err = t.r.Store.UpdateCheckIn(ctx, t.ben.ID, c.Week, func(c *domain.CheckIn) error {
			fn(c)
			c.LastUpdate, c.LastAnswer = t.upd.ID, t.r.Now().UTC()
			return nil
		}); err != nil {
			return "", "", true, err
		}
	}
	if row.recorded != nil {
		q, _ := next(updated, p)
		if err := row.recorded(t, ctx, updated, q == ""); err != nil {
			return "", "", true, err
		}
	}
	return label, extra, true, t.answered(ctx, updated, p)
}

// answered follows a recorded answer: while the check-in stays unfinished,
// the scheduler (re)sets when what was answered goes to the advisor if
// nothing more comes (Sync derives it from the record: idempotent).
func (t *turn) answered(ctx context.Context, c *domain.CheckIn, p *domain.Plan) error {
	if q, _ := next(c, p); q == "" {
		return nil // complete: askNext completes it
	}
	return t.r.Sched.Sync(ctx, t.ben.ID)
}

func scoreKey(n int) catalog.Key { return catalog.Key(fmt.Sprintf("score.%d", n)) }

func answerKey(v string) catalog.Key { return catalog.Key("answer." + v) }

// setStepStatus applies a status given by the beneficiary to the shared
// plan, with its time, and lets reminders follow. alert: a step blocked is
// told to the advisor at once (not in a check-in, whose message says it).
func (t *turn) setStepStatus(ctx context.Context, stepID int, st domain.Status, alert bool) error {
	changed := false
	p, err := t.r.Store.UpdatePlan(ctx, t.ben.ID, t.r.Now(), func(p *domain.Plan) error {
		if s := p.Step(stepID); s != nil {
			changed = s.SetStatus(st, t.r.Now(), domain.ByBeneficiary)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Done again when nothing changed: this may be a retry after a failure
	// (the alert's key keeps it from doubling, Sync is idempotent).
	if alert && st == domain.StatusBlocked && p.Step(stepID) != nil {
		if err := t.r.alertBlocked(ctx, t.ben, p.Step(stepID)); err != nil {
			return err
		}
	}
	if !changed && st != domain.StatusBlocked {
		return nil
	}
	return t.r.Sched.Sync(ctx, t.ben.ID)
}

// checkinMessage takes a text or a voice note sent during a check-in as an
// answer: to the plan's question when it is asked, else as the free note. A
// digit 1–5 while the score is asked is the score. It reports false when no
// check-in is open any more.
func (t *turn) checkinMessage(ctx context.Context, st *state, m *models.Message) (bool, error) {
	c, err := t.r.Store.CheckIn(ctx, t.ben.ID, st.Week)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !c.Open()) {
		return false, t.r.saveState(ctx, t.ben.ID, nil)
	}
	if err != nil {
		return true, err
	}
	p, err := t.r.Store.Plan(ctx, t.ben.ID)
	if err != nil {
		return true, err
	}
	// Handled before (a send failed): the answer is recorded already; send
	// the same replies again (their keys keep them from doubling).
	retry := c.LastUpdate == t.upd.ID
	q, _ := next(c, p)
	text := strings.TrimSpace(m.Text)
	voice := ""
	switch {
	case m.Voice != nil:
		voice = m.Voice.FileID
	case m.Audio != nil:
		voice = m.Audio.FileID
	}
	if text == "" && voice == "" {
		if err := t.reply(ctx, t.t(catalog.CiUnreadable), nil); err != nil {
			return true, err
		}
		return true, t.askNext(ctx, c, p)
	}
	digit := len(text) == 1 && text[0] >= '1' && text[0] <= '5'
	if q == qScore && !digit {
		// A word at the score is not the week's note: a tap is asked for.
		if err := t.reply(ctx, t.t(catalog.CiScoreTap), nil); err != nil {
			return true, err
		}
		return true, t.askNext(ctx, c, p)
	}
	if q == qScore {
		n := int(text[0] - '0')
		if retry {
			return true, t.askNext(ctx, c, p)
		}
		shares := t.ben.Consent.Shares()
		if _, err := t.r.Store.UpdateCheckIn(ctx, t.ben.ID, c.Week, func(c *domain.CheckIn) error {
			c.Score, c.ScorePrivate, c.ScoreDone = n, !shares, true
			c.LastUpdate, c.LastAnswer = t.upd.ID, t.r.Now().UTC()
			return nil
		}); err != nil {
			return true, err
		}
	} else {
		if utf8.RuneCountInString(text) > maxNote {
			text = string([]rune(text)[:maxNote])
			if err := t.reply(ctx, t.t(catalog.TooLong), nil); err != nil {
				return true, err
			}
		}
		shares := t.ben.Consent.Shares()
		if retry {
			if err := t.reply(ctx, t.t(catalog.Received), nil); err != nil {
				return true, err
			}
			return true, t.askNext(ctx, c, p)
		}
		if _, err := t.r.Store.UpdateCheckIn(ctx, t.ben.ID, c.Week, func(c *domain.CheckIn) error {
			c.LastUpdate, c.LastAnswer = t.upd.ID, t.r.Now().UTC()
			if q == qAnswer && c.Pending == "" {
				if text != "" {
					c.Answer = text
				}
				if voice != "" {
					c.AnswerVoice = voice
				}
				c.AnswerChoice = ""
				if shares {
					c.Pending = "answer"
				} else {
					c.AnswerDone, c.AnswerPrivate = true, true
				}
				return nil
			}
			if text != "" {
				c.Note = strings.TrimSpace(c.Note + "\n" + text)
				if utf8.RuneCountInString(c.Note) > maxNote {
					c.Note = string([]rune(c.Note)[:maxNote])
				}
			}
			if voice != "" {
				c.Voice = voice
			}
			switch {
			case c.Pending != "":
				// Still waiting for the share decision of the first one.
			case shares:
				c.Pending = "note"
			default:
				c.NoteDone, c.NotePrivate = true, true
			}
			return nil
		}); err != nil {
			return true, err
		}
		if err := t.reply(ctx, t.t(catalog.Received), nil); err != nil {
			return true, err
		}
	}
	c, err = t.r.Store.CheckIn(ctx, t.ben.ID, c.Week)
	if err != nil {
		return true, err
	}
	if err := t.answered(ctx, c, p); err != nil {
		return true, err
	}
	return true, t.askNext(ctx, c, p)
}

// completeCheckin closes a fully answered check-in: the beneficiary is
// thanked, the advisor informed (everything shared with consent, only the
// fact and the help question without).
func (t *turn) completeCheckin(ctx context.Context, c *domain.CheckIn, p *domain.Plan) error {
	shares := t.ben.Consent.Shares()
	if !c.Done() {
		done := *c
		done.Completed, done.Shared = t.r.Now().UTC(), shares
		// The advisor's message is queued first (its key dedupes it): if
		// anything fails after, the retry completes the check-in again.
		if err := t.r.forwardCheckin(ctx, t.ben, p, &done); err != nil {
			return err
		}
		var err error
		c, err = t.r.Store.UpdateCheckIn(ctx, t.ben.ID, c.Week, func(c *domain.CheckIn) error {
			if c.Completed.IsZero() {
				c.Completed, c.Shared = done.Completed, shares
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := t.r.saveState(ctx, t.ben.ID, nil); err != nil {
			return err
		}
		if err := t.r.Sched.Sync(ctx, t.ben.ID); err != nil {
			return err // no grace left for it: its job goes
		}
	}
	return t.thankYou(ctx, c)
}

// thankYou closes a completed check-in for the beneficiary.
func (t *turn) thankYou(ctx context.Context, c *domain.CheckIn) error {
	var b strings.Builder
	blocked := false
	for _, u := range c.Steps {
		blocked = blocked || u.Status == domain.StatusBlocked
	}
	switch {
	case c.HelpAsked || blocked:
		// Help asked, or a step blocked: support, not a cheer.
		b.WriteString(t.t(catalog.CiThanksSupport))
	case c.Score == 0:
		b.WriteString(t.t(catalog.CiThanks))
	case c.Score <= 2:
		b.WriteString(t.t(catalog.CiThanksLow))
	case c.Score == 3:
		b.WriteString(t.t(catalog.CiThanks))
	default:
		p, err := t.r.Store.Plan(ctx, t.ben.ID)
		if err != nil {
			return err
		}
		b.WriteString(t.t(catalog.CiThanksHigh, "period", t.t(t.r.rhythmOf(t.ben, p).this())))
	}
	b.WriteString("\n\n")
	if c.Shared {
		b.WriteString(t.t(catalog.CiShared))
	} else {
		b.WriteString(t.t(catalog.CiNotShared))
	}
	b.WriteString("\n" + t.t(catalog.CiNext, "date", t.nextCheckinText(ctx, t.ben, nil)))
	return t.reply(ctx, b.String(), nil)
}
