package dialogs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/store"
)

// The advisor's own steps (owner: advisor). Their reminders, nudges and
// overdue alert go to whoever reads the advisor's news, with two actions:
//
//	av:<token>:ao<step>             Fait: the step is done; its reminders stop
//	av:<token>:ap<step>             Reporter → +1 jour | +1 semaine
//	av:<token>:aw<step>.<yyyymmdd>  moved to that date
//
// The token names the beneficiary in the presser's own table (store.Ref)
// and is checked against their caseload again (advisorButton); the step is
// looked up in that beneficiary's plan and must be the advisor's own and
// open: data naming another step changes nothing. The change is made in the
// beneficiary's lane (evOwnStep), like every change of a plan.

const evOwnStep = "ownstep"

// ownStepAct is the Data of an evOwnStep event.
type ownStepAct struct {
	advisorAct
	Step int         `json:"step"`
	Done bool        `json:"done,omitempty"`
	Date domain.Date `json:"date,omitzero"`
	At   time.Time   `json:"at"`
}

// ownStepKeyboard returns the advisor's actions on their own step, with
// tokens of the reader's table.
func (r *Router) ownStepKeyboard(ctx context.Context, chat int64, ben *domain.Beneficiary, s *domain.Step) (bot.Keyboard, error) {
	done, err := r.benButton(ctx, chat, ben.ID, r.alabel(catalog.BtnStepDone), fmt.Sprintf("ao%d", s.ID))
	if err != nil {
		return nil, err
	}
	post, err := r.benButton(ctx, chat, ben.ID, r.alabel(catalog.BtnStepPostpone), fmt.Sprintf("ap%d", s.ID))
	if err != nil {
		return nil, err
	}
	return bot.Keyboard{{done, post}}, nil
}

// ownStep returns the open step of the advisor's named by the action's
// suffix ("12", or "12.20370320" with a date), nil if there is none.
func (t *turn) ownStep(ctx context.Context, b *domain.Beneficiary, arg string) (*domain.Step, string, error) {
	id, rest, _ := strings.Cut(arg, ".")
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil, "", nil
	}
	p, err := t.r.Store.Plan(ctx, b.ID)
	if err != nil {
		return nil, "", err
	}
	s := p.Step(n)
	if s == nil || s.Owner != domain.OwnerAdvisor {
		return nil, "", nil
	}
	return s, rest, nil
}

// ownStepButton handles ao, ap and aw on the advisor's own step of b (whom
// the presser may act on: checked by advisorButton).
func (t *turn) ownStepButton(ctx context.Context, m *models.Message, b *domain.Beneficiary, action string) (bool, string, error) {
	s, date, err := t.ownStep(ctx, b, action[2:])
	if err != nil || s == nil {
		return false, "", err
	}
	if !s.Status.Open() {
		return true, t.at(catalog.StepClosedAlready), t.edit(ctx, m, escaped(m)+"\n\n"+t.at(catalog.StepClosedAlready))
	}
	act := ownStepAct{advisorAct: advisorAct{Advisor: t.adv.ID, Ben: b.ID}, Step: s.ID, At: t.r.Now().UTC()}
	loc := b.Location(t.r.DefaultZone)
	base := domain.DateOf(t.r.Now().In(loc))
	if base.Before(s.Due.Date) {
		base = s.Due.Date
	}
	switch action[:2] {
	case "ao":
		if date != "" {
			return false, "", nil
		}
		act.Done = true
		if err := t.r.push(ctx, b, fmt.Sprintf("own:%s:%d", b.ID, t.upd.ID), evOwnStep, act); err != nil {
			return true, "", err
		}
		return true, "", t.edit(ctx, m, t.at(catalog.OwnStepDone, "name", b.Name, "title", s.Title))
	case "ap":
		if date != "" {
			return false, "", nil
		}
		var row []bot.Button
		for _, o := range []struct {
			key  catalog.Key
			days int
		}{{catalog.BtnPostpone1d, 1}, {catalog.BtnPostpone1w, 7}} {
			btn, err := t.r.benButton(ctx, t.chat, b.ID, t.alabel(o.key), fmt.Sprintf("aw%d.%s", s.ID, ymd(base.AddDays(o.days))))
			if err != nil {
				return true, "", err
			}
			row = append(row, btn)
		}
		return true, "", t.r.Send.Edit(ctx, t.chat, m.ID, t.at(catalog.PostponeQ, "title", s.Title), bot.Keyboard{row})
	case "aw":
		d, err := time.Parse("20060102", date)
		if err != nil {
			return false, "", nil
		}
		to := domain.DateOf(d)
		if !base.Before(to) || base.AddDays(maxPostpone).Before(to) {
			return false, "", nil // no button offers that date
		}
		act.Date = to
		if err := t.r.push(ctx, b, fmt.Sprintf("own:%s:%d", b.ID, t.upd.ID), evOwnStep, act); err != nil {
			return true, "", err
		}
		due := s.Due
		due.Date = to
		return true, "", t.edit(ctx, m, t.at(catalog.OwnStepMoved, "name", b.Name, "title", s.Title, "date", t.r.Catalog.DateTime(advisorLang, due)))
	}
	return false, "", nil
}

// ownStepInLane applies, in the beneficiary's lane, what the advisor did
// on their own step: done, or moved; its reminders follow.
func (r *Router) ownStepInLane(ctx context.Context, ev *store.Event, b *domain.Beneficiary) error {
	var act ownStepAct
	if err := json.Unmarshal(ev.Data, &act); err != nil {
		return fmt.Errorf("%w: undecodable own step event", bot.ErrPermanent)
	}
	if _, err := r.Store.UpdatePlan(ctx, b.ID, r.Now(), func(p *domain.Plan) error {
		s := p.Step(act.Step)
		if s == nil || s.Owner != domain.OwnerAdvisor || !s.Status.Open() {
			return nil
		}
		switch {
		case act.Done:
			s.SetStatus(domain.StatusDone, act.At, domain.ByAdvisor)
		case !act.Date.IsZero() && act.Date != s.Due.Date:
			due := s.Due
			due.Date = act.Date
			s.Postpone(due, act.At, domain.ByAdvisor)
		}
		return nil
	}); err != nil {
		return err
	}
	return r.Sched.Sync(ctx, b.ID)
}
