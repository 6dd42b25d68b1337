package dialogs

import (
	"context"
	"slices"
	"strings"

	"suivi/catalog"
	"suivi/domain"
)

// showPlan answers /plan: the beneficiary's plan, steps in date order.
func (t *turn) showPlan(ctx context.Context) error {
	if t.role != beneficiary {
		if t.role == advisor {
			return t.reply(ctx, t.t(catalog.HelpAdvisor), nil)
		}
		return t.reply(ctx, t.t(catalog.NotLinked), nil)
	}
	p, err := t.r.Store.Plan(ctx, t.ben.ID)
	if err != nil {
		return err
	}
	return t.reply(ctx, RenderPlan(t.r.Catalog, t.lang, p), nil)
}

// RenderPlan writes a plan for its beneficiary, as Telegram HTML. Every line
// is balanced HTML, so the text can be split between any two lines. Steps
// come in date order; dates are the beneficiary's local dates.
func RenderPlan(cat *catalog.Catalog, lang domain.Lang, p *domain.Plan) string {
	var b strings.Builder
	b.WriteString(cat.T(lang, catalog.PlanTitle))
	steps := make([]*domain.Step, len(p.Steps))
	for i := range p.Steps {
		steps[i] = &p.Steps[i]
	}
	slices.SortStableFunc(steps, func(a, c *domain.Step) int {
		if n := a.Due.Date.Compare(c.Due.Date); n != 0 {
			return n
		}
		return a.ID - c.ID
	})
	if len(steps) == 0 {
		b.WriteString("\n\n" + cat.T(lang, catalog.PlanEmpty))
	}
	for i, s := range steps {
		b.WriteString("\n\n")
		b.WriteString(cat.T(lang, catalog.PlanStep, "icon", cat.StatusIcon(lang, s.Status), "n", i+1, "title", s.Title, "status", cat.Status(lang, s.Status)))
		if s.Objective != "" {
			b.WriteString("\n" + cat.T(lang, catalog.PlanObjective, "objective", strings.Join(strings.Fields(s.Objective), " ")))
		}
		b.WriteString("\n" + cat.T(lang, catalog.PlanDue, "date", cat.DateTime(lang, s.Due), "owner", cat.Owner(lang, s.Owner)))
		if len(s.Resources) > 0 {
			b.WriteString("\n" + cat.T(lang, catalog.PlanResources, "list", strings.Join(s.Resources, " · ")))
		}
		if len(s.Indicators) > 0 {
			b.WriteString("\n" + cat.T(lang, catalog.PlanIndicators, "list", strings.Join(s.Indicators, " · ")))
		}
	}
	if len(p.Meetings) > 0 {
		ms := make([]string, len(p.Meetings))
		for i, m := range p.Meetings {
			ms[i] = cat.DateTime(lang, m)
		}
		b.WriteString("\n\n" + cat.T(lang, catalog.PlanMeetings, "list", strings.Join(ms, " · ")))
	}
	// One line, so that the text can be split between any two lines.
	if q := strings.Join(strings.Fields(p.Checkin.Question), " "); q != "" {
		b.WriteString("\n\n" + cat.T(lang, catalog.PlanQuestion, "question", q))
	}
	return b.String()
}
