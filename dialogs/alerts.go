package dialogs

import (
	"context"
	"fmt"
	"strings"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/reminders"
)

// Alerts reach the advisor in real time, graded so that they are not noise:
//
//	🔴 help asked (alertHelp, forward.go) ............ with sound
//	🟠 a step marked blocked; two check-ins in a row without answer
//	🟡 a step overdue by more than 7 days ............ silent
//
// The beneficiary learns at onboarding what the advisor is told. Each alert
// has its own key: it is sent once.

func (r *Router) alert(ctx context.Context, ben *domain.Beneficiary, key, text string, silent bool, priority int) error {
	_, err := r.queueAlert(ctx, ben, key, text, silent, priority, false)
	return err
}

// queueAlert queues an alert to whoever reads the beneficiary's news, with
// the Répondre and Voir le plan buttons, within their working hours (or at
// once, silently, when urgent); it returns when it will be seen, if held.
func (r *Router) queueAlert(ctx context.Context, ben *domain.Beneficiary, key, text string, silent bool, priority int, urgent bool) (sentNews, error) {
	chat := r.advisorChat(ctx, ben)
	buttons, err := r.forwardButtons(ctx, chat, ben)
	if err != nil {
		return sentNews{}, err
	}
	return r.news(ctx, bot.Outgoing{Key: key, ChatID: chat, Text: text, Silent: silent, Keyboard: buttons}, priority, urgent)
}

// alertBlocked tells the advisor a step was marked blocked.
func (r *Router) alertBlocked(ctx context.Context, ben *domain.Beneficiary, s *domain.Step) error {
	// One alert each time the step becomes blocked (not each time it is
	// said to be, still, blocked).
	times := 0
	for _, h := range s.History {
		if h.Status == domain.StatusBlocked {
			times++
		}
	}
	return r.alert(ctx, ben, fmt.Sprintf("stepblocked:%s:%d:%d", ben.ID, s.ID, times),
		r.at(catalog.AlertBlocked, "name", ben.Name, "title", s.Title), false, prioBlocked)
}

// alertOverdue tells the advisor a step is overdue by more than 7 days.
func (r *Router) alertOverdue(ctx context.Context, d reminders.Due) error {
	if d.Step.Owner == domain.OwnerAdvisor {
		// The advisor's own step: their to-do, not the person's lateness.
		chat := r.advisorChat(ctx, d.Ben)
		kb, err := r.ownStepKeyboard(ctx, chat, d.Ben, d.Step)
		if err != nil {
			return err
		}
		_, err = r.news(ctx, bot.Outgoing{Key: d.Key, ChatID: chat, Silent: true, Keyboard: kb,
			Text: r.at(catalog.AlertOwnOverdue, "name", d.Ben.Name, "title", d.Step.Title, "date", r.advTime(d.Ben, d.Step.Due))}, prioStep, false)
		return err
	}
	return r.alert(ctx, d.Ben, d.Key, r.at(catalog.AlertOverdue, "name", d.Ben.Name, "title", d.Step.Title,
		"date", r.advTime(d.Ben, d.Step.Due)), true, prioOverdue)
}

// alertSilence tells the advisor when two check-ins in a row went without
// any answer (silence, not a bad score): once, when the second one closes,
// not again every week the silence lasts.
func (r *Router) alertSilence(ctx context.Context, ben *domain.Beneficiary, all []domain.CheckIn, newWeek domain.Week) error {
	streak := 0
	var latest domain.Week
	for i := len(all) - 1; i >= 0; i-- {
		c := &all[i]
		if c.Week == newWeek || c.Open() {
			continue
		}
		if !unanswered(c) {
			break
		}
		if streak == 0 {
			latest = c.Week
		}
		streak++
	}
	if streak != 2 {
		return nil
	}
	return r.alert(ctx, ben, fmt.Sprintf("silent:%s:%s", ben.ID, latest),
		r.at(catalog.AlertSilence, "name", ben.Name), false, prioSilence)
}

// aftercareCheckin is a check-in after the end of the accompaniment.
func (r *Router) aftercareCheckin(ctx context.Context, d reminders.Due) error {
	return r.scheduledCheckin(ctx, d)
}

// retentionEnd erases a beneficiary's data at the end of the retention
// period — everything, as when they ask for it — or finishes an erasure
// that was cut short (its job comes back as this one).
func (r *Router) retentionEnd(ctx context.Context, d reminders.Due) error {
	return r.erase(ctx, d.Ben, d.Ben.ErasureAsked)
}

// brief tells the advisor, the day before a follow-up meeting, what changed
// since the previous one: steps done, postponed, blocked; scores (with
// consent); help asked.
func (r *Router) brief(ctx context.Context, d reminders.Due) error {
	text, ok, err := r.briefText(ctx, d.Ben, d.Plan, d.Occ.Local.Date.AddDays(1))
	if err != nil || !ok {
		return err // !ok: the meeting was moved meanwhile
	}
	return r.alert(ctx, d.Ben, d.Key, text, true, prioBrief)
}

// briefText writes the brief of the meeting on meetingDay (ok is false
// when the plan has none that day): what changed since the meeting before.
func (r *Router) briefText(ctx context.Context, ben *domain.Beneficiary, p *domain.Plan, meetingDay domain.Date) (string, bool, error) {
	loc := ben.Location(r.DefaultZone)
	var meeting domain.DateTime
	since := p.Created
	for _, m := range p.Meetings {
		if m.Date == meetingDay {
			meeting = m
			break
		}
		if m.Date.Before(meetingDay) {
			since = m.In(loc, 0)
		}
	}
	if meeting.IsZero() {
		return "", false, nil
	}
	var done, moved, blocked []string
	for _, s := range p.Steps {
		for _, h := range s.History {
			if h.At.Before(since) {
				continue
			}
			switch {
			case h.Status == domain.StatusDone:
				done = append(done, s.Title)
			case h.Due != nil && h.Status == "": // not a step added, with its first date
				moved = append(moved, s.Title)
			}
		}
		if s.Status == domain.StatusBlocked {
			blocked = append(blocked, s.Title)
		}
	}
	cis, err := r.Store.CheckIns(ctx, ben.ID)
	if err != nil {
		return "", false, err
	}
	var scores []string
	checkins := 0
	// Every request for help, in a check-in or on a reminder, is logged.
	help := ben.HelpSince(since)
	for _, c := range cis {
		if c.Asked.Before(since) {
			continue
		}
		if c.Done() {
			checkins++
			if n := c.SharedScore(ben.Consent.Shares()); n > 0 {
				scores = append(scores, fmt.Sprintf("%d/5", n))
			}
		}
	}
	none := r.at(catalog.BriefNone)
	list := func(v []string) string {
		if len(v) == 0 {
			return none
		}
		return strings.Join(dedupe(v), ", ")
	}
	scoreText := none
	if len(scores) > 0 {
		scoreText = strings.Join(scores, ", ") // every score, in order: equal ones too
	}
	if !ben.Consent.Shares() {
		scoreText = r.at(catalog.DgPrivate)
	}
	text := r.at(catalog.Brief, "name", ben.Name, "date", r.advTime(ben, meeting),
		"since", r.Catalog.Date(advisorLang, domain.DateOf(since.In(loc))), "done", list(done), "moved", list(moved),
		"blocked", list(blocked), "checkins", checkins, "scores", scoreText, "help", help)
	return text, true, nil
}

func dedupe(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
