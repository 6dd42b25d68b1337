package dialogs

import (
	"context"
	"encoding/json"
	"errors"
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

// Revising a plan (/modifier NOM): the advisor picks a step and changes its
// date or title or cancels it, or adds steps. Each change is a
// domain.RevOp, tried at once on a copy of the plan (a change that breaks
// the plan's rules is refused on the spot), then pushed as an event into
// the beneficiary's lane, where it is applied with the same rules and
// reminders follow (one writer per beneficiary). "Terminer" pushes one more
// event that tells the beneficiary, once, everything that changed.
//
// Buttons: av:<token>:rv:s:<step> (pick), rv:d / rv:t / rv:x:<step> (date,
// title, cancel), rv:add, rv:back, rv:done. The token names the
// beneficiary in the advisor's own table; the step is looked up in that
// beneficiary's plan.
const (
	rvDate  = "date"
	rvTitle = "title"
	rvAdd   = "add"
)

func (t *turn) revise(ctx context.Context, b *domain.Beneficiary) error {
	st, err := t.r.loadAdvState(ctx, t.adv.ID)
	if err != nil {
		return err
	}
	if st == nil || st.Flow != advFlowRevise || st.Ben != b.ID {
		st = &advState{Flow: advFlowRevise, Nonce: newNonce(), Ben: b.ID}
	}
	st.Stage, st.Step = "", 0
	if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
		return err
	}
	return t.reviseMenu(ctx, b)
}

func (t *turn) rvButton(ctx context.Context, b *domain.Beneficiary, text string, parts ...any) (bot.Button, error) {
	tok, err := t.r.Store.Ref(ctx, t.adv.ID, "ben:"+b.ID)
	if err != nil {
		return bot.Button{}, err
	}
	return bot.Button{Text: text, Data: data(append([]any{"av", tok, "rv"}, parts...)...)}, nil
}

// reviseMenu lists the steps to pick from.
func (t *turn) reviseMenu(ctx context.Context, b *domain.Beneficiary) error {
	p, err := t.r.Store.Plan(ctx, b.ID)
	if err != nil {
		return err
	}
	return t.reviseMenuOf(ctx, b, p)
}

// reviseMenuOf lists the steps of p (the plan as the revision left it).
func (t *turn) reviseMenuOf(ctx context.Context, b *domain.Beneficiary, p *domain.Plan) error {
	var kb bot.Keyboard
	for _, s := range p.Steps {
		if s.Status == domain.StatusCancelled {
			continue
		}
		label := fmt.Sprintf("%s %s · %02d/%02d", t.r.Catalog.StatusIcon(advisorLang, s.Status), truncate(s.Title, 40), s.Due.Day, int(s.Due.Month))
		btn, err := t.rvButton(ctx, b, label, "s", s.ID)
		if err != nil {
			return err
		}
		kb = append(kb, []bot.Button{btn})
	}
	add, err := t.rvButton(ctx, b, t.alabel(catalog.BtnRvAdd), "add")
	if err != nil {
		return err
	}
	done, err := t.rvButton(ctx, b, t.alabel(catalog.BtnRvDone), "done")
	if err != nil {
		return err
	}
	kb = append(kb, []bot.Button{add}, []bot.Button{done})
	return t.areply(ctx, t.at(catalog.RvMenu, "name", b.Name), kb)
}

// reviseButton handles the rv buttons of a revision of b's plan.
func (t *turn) reviseButton(ctx context.Context, m *models.Message, b *domain.Beneficiary, parts []string) (bool, string, error) {
	st, err := t.r.loadAdvState(ctx, t.adv.ID)
	if err != nil {
		return true, "", err
	}
	if st == nil || st.Flow != advFlowRevise || st.Ben != b.ID || len(parts) < 2 {
		return false, "", nil
	}
	p, err := t.r.Store.Plan(ctx, b.ID)
	if err != nil {
		return true, "", err
	}
	step := func() *domain.Step {
		if len(parts) != 3 {
			return nil
		}
		id, err := strconv.Atoi(parts[2])
		if err != nil {
			return nil
		}
		return p.Step(id)
	}
	_ = t.r.Send.EditKeyboard(ctx, t.chat, m.ID, nil)
	switch parts[1] {
	case "s":
		s := step()
		if s == nil {
			return false, "", nil
		}
		var kb bot.Keyboard
		for _, a := range []struct {
			key  catalog.Key
			code string
		}{{catalog.BtnRvDate, "d"}, {catalog.BtnRvTitle, "t"}, {catalog.BtnRvCancel, "x"}} {
			btn, err := t.rvButton(ctx, b, t.alabel(a.key), a.code, s.ID)
			if err != nil {
				return true, "", err
			}
			kb = append(kb, []bot.Button{btn})
		}
		back, err := t.rvButton(ctx, b, t.alabel(catalog.BtnRvBack), "back")
		if err != nil {
			return true, "", err
		}
		return true, "", t.areply(ctx, t.at(catalog.RvStep, "title", s.Title, "date", t.r.Catalog.DateTime(advisorLang, s.Due),
			"status", t.r.Catalog.Status(advisorLang, s.Status)), append(kb, []bot.Button{back}))
	case "d", "t":
		s := step()
		if s == nil {
			return false, "", nil
		}
		st.Stage, st.Step = map[string]string{"d": rvDate, "t": rvTitle}[parts[1]], s.ID
		if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
			return true, "", err
		}
		return true, "", t.areply(ctx, t.at(map[string]catalog.Key{"d": catalog.RvAskDate, "t": catalog.RvAskTitle}[parts[1]], "title", s.Title), nil)
	case "x":
		s := step()
		if s == nil || !s.Status.Open() {
			return false, "", nil
		}
		return true, "", t.applyRevision(ctx, st, b, domain.RevOp{Kind: domain.RevCancel, Step: s.ID})
	case "add":
		st.Stage = rvAdd
		if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
			return true, "", err
		}
		return true, "", t.areply(ctx, t.at(catalog.RvAskAdd), nil)
	case "back":
		return true, "", t.reviseMenu(ctx, b)
	case "done":
		return true, "", t.finishRevision(ctx, st, b)
	}
	return false, "", nil
}

// reviseInput takes a typed date, title or new steps.
func (t *turn) reviseInput(ctx context.Context, st *advState, text string) error {
	b, err := t.flowBeneficiary(ctx, st)
	if b == nil || err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	now := t.r.Now().In(b.Location(t.r.DefaultZone))
	switch st.Stage {
	case rvDate:
		m := meetingRE.FindStringSubmatch(text)
		var due domain.DateTime
		ok := m != nil
		if ok {
			due, ok = userDateTime(m[1], m[2], m[3], m[4], m[5], now)
		}
		if !ok {
			return t.areply(ctx, t.at(catalog.RvBadDate), nil)
		}
		return t.applyRevision(ctx, st, b, domain.RevOp{Kind: domain.RevDate, Step: st.Step, Due: due})
	case rvTitle:
		if domain.ValidTitle(text) != nil {
			return t.areply(ctx, t.at(catalog.RvBadTitle, "max", domain.MaxTitleLen), nil)
		}
		return t.applyRevision(ctx, st, b, domain.RevOp{Kind: domain.RevTitle, Step: st.Step, Text: text})
	case rvAdd:
		steps, bad := parseStepLines(text, now)
		if len(bad) > 0 || len(steps) == 0 {
			return t.areply(ctx, t.at(catalog.NpStepsBad, "lines", strings.Join(bad, ", ")), nil)
		}
		return t.applyRevision(ctx, st, b, domain.RevOp{Kind: domain.RevAdd, Steps: steps})
	}
	return t.reviseMenu(ctx, b)
}

// reviseAct is the Data of a revision event: an operation, or with Notice
// the end of the revision and what it changed, to tell the beneficiary.
type reviseAct struct {
	advisorAct
	Op      *domain.RevOp    `json:"op,omitempty"`
	At      time.Time        `json:"at"`
	Nonce   string           `json:"nonce,omitempty"`
	Changes []domain.Revised `json:"changes,omitempty"`
}

// applyRevision tries op on a copy of the plan: refused at once if it
// breaks the plan's rules; otherwise pushed into the beneficiary's lane
// (reviseInLane) and remembered for the beneficiary's message, and the
// advisor sees the plan as it will be.
func (t *turn) applyRevision(ctx context.Context, st *advState, b *domain.Beneficiary, op domain.RevOp) error {
	p, err := t.r.Store.Plan(ctx, b.ID)
	if err != nil {
		return err
	}
	now := t.r.Now().UTC()
	tried := p.Clone()
	changes, err := tried.Apply(op, now, domain.ByAdvisor)
	st.Stage, st.Step = "", 0
	var ps domain.Problems
	switch {
	case errors.As(err, &ps):
		if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
			return err
		}
		if err := t.areply(ctx, t.at(catalog.RvInvalid, "problems", t.r.Catalog.Problems(advisorLang, ps)), nil); err != nil {
			return err
		}
		return t.reviseMenuOf(ctx, b, p)
	case errors.Is(err, domain.ErrNoSuchStep):
		if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
			return err
		}
		return t.reviseMenuOf(ctx, b, p)
	case err != nil:
		return err
	}
	act := reviseAct{advisorAct: advisorAct{Advisor: t.adv.ID, Ben: b.ID}, Op: &op, At: now}
	if err := t.r.push(ctx, b, fmt.Sprintf("rv:%s:%d", b.ID, t.upd.ID), evRevise, act); err != nil {
		return err
	}
	st.Changes = append(st.Changes, changes...)
	if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
		return err
	}
	return t.reviseMenuOf(ctx, b, tried)
}

// finishRevision ends the revision: the beneficiary is told, once, what
// changed (reviseInLane, after the changes, in their lane).
func (t *turn) finishRevision(ctx context.Context, st *advState, b *domain.Beneficiary) error {
	if len(st.Changes) == 0 {
		if err := t.r.saveAdvState(ctx, t.adv.ID, nil); err != nil {
			return err
		}
		return t.areply(ctx, t.at(catalog.RvNothing), nil)
	}
	act := reviseAct{advisorAct: advisorAct{Advisor: t.adv.ID, Ben: b.ID}, At: t.r.Now().UTC(), Nonce: st.Nonce, Changes: st.Changes}
	if err := t.r.push(ctx, b, fmt.Sprintf("rvn:%s:%s", b.ID, st.Nonce), evRevise, act); err != nil {
		return err
	}
	return t.r.saveAdvState(ctx, t.adv.ID, nil)
}

// reviseInLane applies, in the beneficiary's lane, one operation of an
// advisor's revision (with the plan's rules: a change that a race made
// invalid is refused and the advisor told), or its end: the one message
// that tells the beneficiary what changed.
func (r *Router) reviseInLane(ctx context.Context, ev *store.Event, adv *domain.Advisor, b *domain.Beneficiary) error {
	var act reviseAct
	if err := json.Unmarshal(ev.Data, &act); err != nil {
		return fmt.Errorf("%w: undecodable revision", bot.ErrPermanent)
	}
	if act.Op == nil {
		return r.tellRevision(ctx, ev, adv, b, act)
	}
	_, err := r.Store.UpdatePlan(ctx, b.ID, act.At, func(p *domain.Plan) error {
		_, _, err := p.ApplyOnce(ev.ID, *act.Op, act.At, domain.ByAdvisor)
		return err
	})
	var ps domain.Problems
	switch {
	case errors.As(err, &ps):
		return r.tellAdvisor(ctx, ev, adv.ID, r.at(catalog.RvInvalid, "problems", r.Catalog.Problems(advisorLang, ps)))
	case errors.Is(err, domain.ErrNoSuchStep):
		return nil // the step went meanwhile: nothing to change
	case err != nil:
		return err
	}
	return r.Sched.Sync(ctx, b.ID)
}

// tellRevision sends the beneficiary one message with every change.
func (r *Router) tellRevision(ctx context.Context, ev *store.Event, adv *domain.Advisor, b *domain.Beneficiary, act reviseAct) error {
	if b.TelegramID != 0 && b.State != domain.StateBlocked && b.State != domain.StateStopped {
		if _, err := r.Outbox.Enqueue(ctx, bot.Outgoing{
			Key: fmt.Sprintf("rev:%s:%s", b.ID, act.Nonce), ChatID: b.TelegramID,
			Text: r.Catalog.T(b.Language, catalog.RevNotice, "changes", catalog.HTML(strings.Join(r.revisionLines(b.Language, act.Changes), "\n"))),
		}); err != nil {
			return err
		}
	}
	return r.tellAdvisor(ctx, ev, adv.ID, r.at(catalog.RvSent, "name", b.Name, "n", len(act.Changes)))
}

// revisionLines says what a revision changed, one line each.
func (r *Router) revisionLines(lang domain.Lang, changes []domain.Revised) []string {
	var out []string
	for _, c := range changes {
		switch c.Kind {
		case domain.RevDate:
			out = append(out, r.Catalog.T(lang, catalog.RevDate, "title", c.Title, "date", r.Catalog.DateTime(lang, c.Due)))
		case domain.RevTitle:
			out = append(out, r.Catalog.T(lang, catalog.RevTitle, "old", c.OldTitle, "title", c.Title))
		case domain.RevCancel:
			out = append(out, r.Catalog.T(lang, catalog.RevCancel, "title", c.Title))
		case domain.RevAdd:
			out = append(out, r.Catalog.T(lang, catalog.RevAdd, "title", c.Title, "date", r.Catalog.DateTime(lang, c.Due)))
		case domain.RevObjective:
			out = append(out, r.Catalog.T(lang, catalog.RevObjective, "title", c.Title))
		case domain.RevResources:
			out = append(out, r.Catalog.T(lang, catalog.RevResources, "title", c.Title))
		case domain.RevIndicators:
			out = append(out, r.Catalog.T(lang, catalog.RevIndicators, "title", c.Title))
		}
	}
	return out
}
