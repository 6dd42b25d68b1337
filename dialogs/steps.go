package dialogs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
)

// Every reminder carries four one-tap actions on its step:
//
//	st:<step>:done   Fait            the step is done: celebrated, reminders stop
//	st:<step>:prog   En cours        noted
//	st:<step>:post   Reporter        → sd:<step>:<yyyymmdd> (+1 day, +1 week) | sp:<step>:pick
//	                                   → sd:<step>:<yyyymmdd> | sp:<step>:back (the question again)
//	st:<step>:help   Besoin d'aide   the advisor is alerted at once
//
// The step is looked up in the presser's own plan: data naming a step of
// someone else's plan finds nothing, or the presser's own step.

// stepKeyboard returns a reminder's actions.
func (r *Router) stepKeyboard(lang domain.Lang, stepID int) bot.Keyboard {
	L := func(k catalog.Key) string { return r.Catalog.Plain(lang, k) } // button labels
	return bot.Keyboard{
		{btn(L(catalog.BtnStepDone), "st", stepID, "done"), btn(L(catalog.BtnStepProgress), "st", stepID, "prog")},
		{btn(L(catalog.BtnStepPostpone), "st", stepID, "post"), btn(L(catalog.BtnStepHelp), "st", stepID, "help")},
	}
}

// maxPostpone bounds how far a step can be moved with one tap.
const maxPostpone = 14

func (t *turn) stepButton(ctx context.Context, m *models.Message, kind string, parts []string) (bool, string, error) {
	if len(parts) != 2 {
		return false, "", nil
	}
	stepID, err := strconv.Atoi(parts[0])
	if err != nil {
		return false, "", nil
	}
	p, err := t.r.Store.Plan(ctx, t.ben.ID)
	if err != nil {
		return true, "", err
	}
	s := p.Step(stepID)
	if s == nil {
		return false, "", nil
	}
	if !s.Status.Open() {
		return true, t.t(catalog.StepClosedAlready), t.edit(ctx, m, t.t(catalog.StepClosedAlready))
	}
	action := parts[1]
	switch kind + ":" + action {
	case "st:done":
		if err := t.setStepStatus(ctx, stepID, domain.StatusDone, true); err != nil {
			return true, "", err
		}
		return true, "", t.edit(ctx, m, t.t(catalog.StepCelebrate, "title", s.Title))
	case "st:prog":
		if err := t.setStepStatus(ctx, stepID, domain.StatusInProgress, true); err != nil {
			return true, "", err
		}
		return true, "", t.edit(ctx, m, t.t(catalog.StepInProgressMsg, "title", s.Title))
	case "st:help":
		if err := t.r.alertHelp(ctx, t.ben, "", s, false); err != nil {
			return true, "", err
		}
		return true, "", t.edit(ctx, m, escaped(m)+"\n\n"+t.t(catalog.HelpSent))
	case "st:post", "sp:back":
		// The buttons carry the new date itself, so that pressing twice, or
		// handling the press again, moves the step once.
		return true, "", t.r.Send.Edit(ctx, t.chat, m.ID, t.t(catalog.PostponeQ, "title", s.Title), bot.Keyboard{
			{btn(t.label(catalog.BtnPostpone1d), "sd", stepID, ymd(s.Due.Date.AddDays(1))), btn(t.label(catalog.BtnPostpone1w), "sd", stepID, ymd(s.Due.Date.AddDays(7)))},
			{btn(t.label(catalog.BtnPostponePick), "sp", stepID, "pick")},
		})
	case "sp:pick":
		today := domain.DateOf(t.r.Now().In(t.ben.Location(t.r.DefaultZone)))
		var kb bot.Keyboard
		var row []bot.Button
		for i := 1; i <= maxPostpone; i++ {
			d := today.AddDays(i)
			row = append(row, btn(t.r.shortDate(t.lang, d), "sd", stepID, ymd(d)))
			if len(row) == 3 {
				kb, row = append(kb, row), nil
			}
		}
		if row != nil {
			kb = append(kb, row)
		}
		// A way back to the postpone question.
		kb = append(kb, []bot.Button{btn(t.label(catalog.BtnBack), "sp", stepID, "back")})
		return true, "", t.r.Send.Edit(ctx, t.chat, m.ID, t.t(catalog.PickDateQ, "title", s.Title), kb)
	}
	if kind == "sd" {
		d, err := time.Parse("20060102", action)
		if err != nil {
			return false, "", nil
		}
		today := domain.DateOf(t.r.Now().In(t.ben.Location(t.r.DefaultZone)))
		date := domain.DateOf(d)
		latest := today
		if today.Before(s.Due.Date) {
			latest = s.Due.Date
		}
		if !today.Before(date) || latest.AddDays(maxPostpone).Before(date) {
			return false, "", nil // no button offers that date
		}
		due := s.Due
		due.Date = date
		return t.postpone(ctx, m, s, due)
	}
	return false, "", nil
}

// postpone moves a step's due date; its reminders follow.
func (t *turn) postpone(ctx context.Context, m *models.Message, s *domain.Step, due domain.DateTime) (bool, string, error) {
	if _, err := t.r.Store.UpdatePlan(ctx, t.ben.ID, t.r.Now(), func(p *domain.Plan) error {
		if st := p.Step(s.ID); st != nil && st.Due != due {
			st.Postpone(due, t.r.Now(), domain.ByBeneficiary)
		}
		return nil
	}); err != nil {
		return true, "", err
	}
	if err := t.r.Sched.Sync(ctx, t.ben.ID); err != nil {
		return true, "", err
	}
	return true, "", t.edit(ctx, m, t.t(catalog.StepPostponedMsg, "title", s.Title, "date", t.r.Catalog.DateTime(t.lang, due)))
}

// ymd writes a date for callback data: 20261215.
func ymd(d domain.Date) string { return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day) }

// shortDate writes a date for a button: "lun. 14/12".
func (r *Router) shortDate(lang domain.Lang, d domain.Date) string {
	return r.Catalog.Plain(lang, catalog.Key(fmt.Sprintf("dayshort.%d", int(d.Weekday())))) + fmt.Sprintf(" %02d/%02d", d.Day, int(d.Month))
}
