package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"suivi/catalog"
	"suivi/domain"
)

// showPlan answers /plan: the beneficiary's plan, steps in date order.
func (t *turn) showPlan(ctx context.Context) error {
	if t.role != beneficiary {
		if t.role == advisor {
			return t.reply(ctx, t.advisorHelp(), nil)
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
	return renderPlan(cat, lang, p, nil)
}

// advisorView is how a plan is written for the advisor: the person named
// ("Plan de Nadia", "Nadia agit"), times in the person's zone said so when
// it is not the advisor's.
type advisorView struct {
	name string
	when func(domain.DateTime) string
}

// advisorPlanView returns the advisor's view of ben's plan.
func (r *Router) advisorPlanView(ben *domain.Beneficiary, p *domain.Plan) string {
	return renderPlan(r.Catalog, advisorLang, p, &advisorView{name: p.Beneficiary.Name, when: func(dt domain.DateTime) string { return r.advTime(ben, dt) }})
}

// renderPlan writes a plan for its beneficiary (adv nil) or their advisor.
func renderPlan(cat *catalog.Catalog, lang domain.Lang, p *domain.Plan, adv *advisorView) string {
	var b strings.Builder
	when := func(dt domain.DateTime) string { return cat.DateTime(lang, dt) }
	owner := func(o domain.Owner) string { return cat.Owner(lang, o) }
	title, empty, question := cat.T(lang, catalog.PlanTitle), cat.T(lang, catalog.PlanEmpty), catalog.PlanQuestion
	if adv != nil {
		if adv.when != nil {
			when = adv.when
		}
		owner = func(o domain.Owner) string {
			if o == domain.OwnerAdvisor {
				return cat.T(lang, catalog.AdvOwnerAdvisor)
			}
			return cat.T(lang, catalog.AdvOwnerBeneficiary, "name", adv.name)
		}
		title, empty, question = cat.T(lang, catalog.AdvPlanTitle, "name", adv.name), cat.T(lang, catalog.AdvPlanEmpty), catalog.AdvPlanQuestion
	}
	b.WriteString(title)
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
		b.WriteString("\n\n" + empty)
	}
	for i, s := range steps {
		b.WriteString("\n\n")
		b.WriteString(cat.T(lang, catalog.PlanStep, "icon", cat.StatusIcon(lang, s.Status), "n", i+1, "title", s.Title, "status", cat.Status(lang, s.Status)))
		if s.Objective != "" {
			b.WriteString("\n" + cat.T(lang, catalog.PlanObjective, "objective", strings.Join(strings.Fields(s.Objective), " ")))
		}
		b.WriteString("\n" + cat.T(lang, catalog.PlanDue, "date", when(s.Due), "owner", owner(s.Owner)))
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
			ms[i] = when(m)
		}
		b.WriteString("\n\n" + cat.T(lang, catalog.PlanMeetings, "list", strings.Join(ms, " · ")))
	}
	// One line, so that the text can be split between any two lines.
	if q := strings.Join(strings.Fields(p.Checkin.Question), " "); q != "" {
		b.WriteString("\n\n" + cat.T(lang, question, "question", q))
	}
	return b.String()
}

// advTime writes a beneficiary's date and time for their advisor: with the
// zone it is in when the person's zone is not the advisor's at that moment
// ("jeudi 5 mars 2037 à 18:21 (heure de Guyane, UTC−3)").
func (r *Router) advTime(ben *domain.Beneficiary, dt domain.DateTime) string {
	s := r.Catalog.DateTime(advisorLang, dt)
	if !dt.HasTime {
		return s
	}
	loc := ben.Location(r.DefaultZone)
	at := dt.In(loc, 0)
	_, theirs := at.Zone()
	_, ours := at.In(r.DefaultZone).Zone()
	if theirs == ours {
		return s
	}
	return s + r.at(catalog.AdvZoneTime, "place", r.zonePlace(loc), "offset", utcOffset(theirs))
}

// zonePlace names a zone for people: the DOM-TOM by their name, others by
// their city.
func (r *Router) zonePlace(loc *time.Location) string {
	for i, z := range zones() {
		if z == loc.String() {
			return r.at(catalog.Key(fmt.Sprintf("zone.%d", i)))
		}
	}
	name := loc.String()
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}

// utcOffset writes an offset in seconds as "+2", "−3", "+5:30".
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "−", -sec
	}
	h, m := sec/3600, sec%3600/60
	if m != 0 {
		return fmt.Sprintf("%s%d:%02d", sign, h, m)
	}
	return fmt.Sprintf("%s%d", sign, h)
}
