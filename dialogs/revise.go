package dialogs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
)

// Revising a plan (/modifier NOM): the advisor picks a step and changes its
// date or title or cancels it, or adds steps. Each change is stored at once
// (with its time) and reminders follow; "Terminer" sends the beneficiary one
// message that says everything that changed.
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
		if err := t.applyRevision(ctx, st, b, func(p *domain.Plan) []string {
			p.Step(s.ID).SetStatus(domain.StatusCancelled, t.r.Now(), domain.ByAdvisor)
			return []string{t.r.Catalog.T(b.Language, catalog.RevCancel, "title", s.Title)}
		}); err != nil {
			return true, "", err
		}
		return true, "", t.reviseMenu(ctx, b)
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
		err = t.applyRevision(ctx, st, b, func(p *domain.Plan) []string {
			s := p.Step(st.Step)
			if s == nil {
				return nil
			}
			s.Postpone(due, t.r.Now(), domain.ByAdvisor)
			return []string{t.r.Catalog.T(b.Language, catalog.RevDate, "title", s.Title, "date", t.r.Catalog.DateTime(b.Language, due))}
		})
	case rvTitle:
		if domain.ValidTitle(text) != nil {
			return t.areply(ctx, t.at(catalog.RvBadTitle, "max", domain.MaxTitleLen), nil)
		}
		err = t.applyRevision(ctx, st, b, func(p *domain.Plan) []string {
			s := p.Step(st.Step)
			if s == nil {
				return nil
			}
			old := s.Title
			s.Rename(text, t.r.Now(), domain.ByAdvisor)
			return []string{t.r.Catalog.T(b.Language, catalog.RevTitle, "old", old, "title", text)}
		})
	case rvAdd:
		steps, bad := parseStepLines(text, now)
		if len(bad) > 0 || len(steps) == 0 {
			return t.areply(ctx, t.at(catalog.NpStepsBad, "lines", strings.Join(bad, ", ")), nil)
		}
		err = t.applyRevision(ctx, st, b, func(p *domain.Plan) []string {
			var lines []string
			for _, s := range steps {
				if len(p.Steps) >= domain.MaxSteps {
					break
				}
				s.ID = p.NextStepID()
				s.History = []domain.Change{{At: t.r.Now().UTC(), By: domain.ByAdvisor, Status: domain.StatusTodo}}
				p.Steps = append(p.Steps, s)
				lines = append(lines, t.r.Catalog.T(b.Language, catalog.RevAdd, "title", s.Title, "date", t.r.Catalog.DateTime(b.Language, s.Due)))
			}
			return lines
		})
	default:
		return t.reviseMenu(ctx, b)
	}
	if err != nil {
		return err
	}
	return t.reviseMenu(ctx, b)
}

// applyRevision changes the plan now (reminders follow) and remembers, for
// the beneficiary's message, what changed. A change after which the plan
// breaks the domain's rules (those of plan import) is refused: nothing is
// stored and the advisor is told why.
func (t *turn) applyRevision(ctx context.Context, st *advState, b *domain.Beneficiary, fn func(*domain.Plan) []string) error {
	var changes []string
	_, err := t.r.Store.UpdatePlan(ctx, b.ID, t.r.Now(), func(p *domain.Plan) error {
		changes = fn(p)
		return p.Validate()
	})
	var ps domain.Problems
	if errors.As(err, &ps) {
		st.Stage, st.Step = "", 0
		if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
			return err
		}
		lines := make([]string, len(ps))
		for i, p := range ps {
			lines[i] = p.String()
		}
		return t.areply(ctx, t.at(catalog.RvInvalid, "problems", strings.Join(lines, "\n")), nil)
	}
	if err != nil {
		return err
	}
	st.Changes = append(st.Changes, changes...)
	st.Stage, st.Step = "", 0
	if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
		return err
	}
	return t.r.Sched.Sync(ctx, b.ID)
}

// finishRevision sends the beneficiary one message with every change.
func (t *turn) finishRevision(ctx context.Context, st *advState, b *domain.Beneficiary) error {
	if len(st.Changes) == 0 {
		if err := t.r.saveAdvState(ctx, t.adv.ID, nil); err != nil {
			return err
		}
		return t.areply(ctx, t.at(catalog.RvNothing), nil)
	}
	if b.TelegramID != 0 && b.State != domain.StateBlocked && b.State != domain.StateStopped {
		if _, err := t.r.Outbox.Enqueue(ctx, bot.Outgoing{
			Key: fmt.Sprintf("rev:%s:%s", b.ID, st.Nonce), ChatID: b.TelegramID,
			Text: t.r.Catalog.T(b.Language, catalog.RevNotice, "changes", catalog.HTML(strings.Join(st.Changes, "\n"))),
		}); err != nil {
			return err
		}
	}
	// The state goes last, so that a retry finds the revision and finishes it
	// again (the notice's key keeps it from doubling).
	if err := t.areply(ctx, t.at(catalog.RvSent, "name", b.Name, "n", len(st.Changes)), nil); err != nil {
		return err
	}
	return t.r.saveAdvState(ctx, t.adv.ID, nil)
}
