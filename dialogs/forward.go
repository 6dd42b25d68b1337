package dialogs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
)

// What reaches the advisor goes through the outbox under one key per
// check-in (or per help request), so it is delivered once, even if we crash
// right after the beneficiary was thanked.

// advisorLang is the language of messages to advisors.
const advisorLang = domain.French

// advisorChat returns the chat where news of a beneficiary go: their
// advisor's, or the stand-in's during an absence.
func (r *Router) advisorChat(ctx context.Context, ben *domain.Beneficiary) int64 {
	a, err := r.Store.Advisor(ctx, ben.AdvisorID)
	if err != nil {
		return ben.AdvisorID
	}
	return a.Reader(r.Now())
}

func (r *Router) at(key catalog.Key, kv ...any) string { return r.Catalog.T(advisorLang, key, kv...) }

// alabel is a button label for an advisor: plain text, values as typed.
func (r *Router) alabel(key catalog.Key, kv ...any) string {
	return r.Catalog.Plain(advisorLang, key, kv...)
}

// weekLabel writes a week for people: "semaine du lundi 23 novembre 2026".
func (r *Router) weekLabel(lang domain.Lang, w domain.Week) string {
	d, ok := w.Monday()
	if !ok {
		return string(w)
	}
	return r.Catalog.T(lang, catalog.WeekOf, "date", r.Catalog.Date(lang, d))
}

// Shared is what a check-in lets the advisor see, by the beneficiary's
// consent (now, and when it was completed) and what they kept for
// themselves: the rules of the forward, of the desk and of any view.
type Shared struct {
	Week      domain.Week `json:"week"`
	Done      bool        `json:"done"`
	Completed time.Time   `json:"completed,omitzero"`
	// Private: no consent; only that a check-in happened, and help.
	Private bool   `json:"private,omitempty"`
	Score   int    `json:"score,omitempty"`  // 0: none, or kept
	Choice  string `json:"choice,omitempty"` // the quick answer to the plan's question ("much", ...)
	Answer  string `json:"answer,omitempty"` // the typed answer
	// AnswerVoice and NoteVoice are voice notes (Telegram file ids).
	AnswerVoice string       `json:"answer_voice,omitempty"`
	NoteVoice   string       `json:"note_voice,omitempty"`
	Steps       []SharedStep `json:"steps,omitempty"`
	Note        string       `json:"note,omitempty"`
	Help        bool         `json:"help,omitempty"`
}

// SharedStep is a step status given in a check-in.
type SharedStep struct {
	Title  string        `json:"title"`
	Status domain.Status `json:"status"`
}

// SharedCheckIn returns what c lets the advisor see. Of a check-in still
// open, only the answers given for good count (a text or voice note waiting
// for its share decision does not).
func SharedCheckIn(ben *domain.Beneficiary, p *domain.Plan, c *domain.CheckIn) Shared {
	v := Shared{Week: c.Week, Done: c.Done(), Completed: c.Completed, Help: c.HelpAsked}
	if !ben.Consent.Shares() || (c.Done() && !c.Shared) || (!c.Done() && !c.Partial.IsZero() && !c.PartialShared) {
		v.Private = true
		return v
	}
	if c.Score > 0 && !c.ScorePrivate {
		v.Score = c.Score
	}
	if strings.TrimSpace(p.Checkin.Question) != "" && !c.AnswerPrivate && c.AnswerDone {
		v.Choice, v.Answer, v.AnswerVoice = c.AnswerChoice, c.Answer, c.AnswerVoice
	}
	for _, u := range c.Steps {
		if s := p.Step(u.StepID); s != nil && !u.Private && u.Status != "" {
			v.Steps = append(v.Steps, SharedStep{Title: s.Title, Status: u.Status})
		}
	}
	if !c.NotePrivate && c.NoteDone {
		v.Note, v.NoteVoice = c.Note, c.Voice
	}
	return v
}

// forwardCheckin tells the advisor about a completed check-in (saying so
// when it completes one already passed on in part).
func (r *Router) forwardCheckin(ctx context.Context, ben *domain.Beneficiary, p *domain.Plan, c *domain.CheckIn) error {
	return r.sendCheckin(ctx, ben, p, c, false)
}

// forwardPart tells the advisor what was answered of a check-in left
// unfinished, as unfinished and kindly: by the same rule as a completed
// one (with consent, minus what was kept private; without, only that a
// check-in was begun, and help if asked).
func (r *Router) forwardPart(ctx context.Context, ben *domain.Beneficiary, p *domain.Plan, c *domain.CheckIn) error {
	return r.sendCheckin(ctx, ben, p, c, true)
}

// sendCheckin writes a check-in for the advisor, completed or, when part
// is true, unfinished; each under its own key.
func (r *Router) sendCheckin(ctx context.Context, ben *domain.Beneficiary, p *domain.Plan, c *domain.CheckIn, part bool) error {
	chat := r.advisorChat(ctx, ben)
	week := r.weekLabel(advisorLang, c.Week)
	v := SharedCheckIn(ben, p, c)
	help := r.at(catalog.No)
	if v.Help {
		help = r.at(catalog.Yes)
	}
	key := "fwd:" + ben.ID + ":" + string(c.Week)
	// A completed check-in says whether help was asked; an unfinished one
	// only once that question was answered (help asked was sent at once).
	helpLine := r.at(catalog.FwdHelp, "help", help)
	after := ""
	if part {
		key = "fwdpart:" + ben.ID + ":" + string(c.Week)
		if !c.HelpDone {
			helpLine = ""
		}
	} else if !c.Partial.IsZero() {
		after = "\n" + r.at(catalog.FwdAfterPart)
	}
	buttons, err := r.forwardButtons(ctx, chat, ben)
	if err != nil {
		return err
	}
	// One message per check-in, opening on what matters most: the help
	// asked, then the steps blocked (the plan's statuses: always seen),
	// then the answers.
	top, prio, blocked := r.checkinTop(ben, p, c, v.Help)
	urgent := v.Help && c.HelpUrgent
	send := func(text string) error {
		if top != "" {
			text = top + "\n\n" + text
		}
		sent, err := r.news(ctx, bot.Outgoing{Key: key, ChatID: chat, Text: text, Silent: !v.Help && !blocked, Keyboard: buttons}, prio, urgent)
		if err != nil || !v.Help || part {
			return err
		}
		// The help asked, told in this message: the person learns when it
		// will be read, and it is counted once (for briefs and digests).
		if err := r.whenAdvisorSees(ctx, ben, key, sent.Held, chat); err != nil || !sent.New {
			return err
		}
		_, err = r.Store.UpdateBeneficiary(ctx, ben.ID, func(b *domain.Beneficiary) error {
			b.AskedHelp(r.Now().UTC())
			return nil
		})
		return err
	}
	if v.Help && top != "" {
		helpLine = "" // said first
	}
	if v.Private {
		// Private by their choice, or because they never chose.
		fwdPrivate, fwdPartPrivate := catalog.FwdPrivate, catalog.FwdPartPrivate
		if ben.Consent == domain.ConsentUnset {
			fwdPrivate, fwdPartPrivate = catalog.FwdPrivateUnset, catalog.FwdPartPrivateUnset
		}
		text := r.at(fwdPrivate, "name", ben.Name, "week", week, "help", help) + after
		if part {
			text = r.at(fwdPartPrivate, "name", ben.Name, "week", week)
			if helpLine != "" {
				text += "\n" + helpLine
			}
		}
		return send(text)
	}
	var b strings.Builder
	if part {
		b.WriteString(r.at(catalog.FwdPartTitle, "name", ben.Name, "week", week))
	} else {
		b.WriteString(r.at(catalog.FwdTitle, "name", ben.Name, "week", week) + after)
	}
	head := b.Len()
	if v.Score > 0 {
		trend := ""
		if prev := r.previousScore(ctx, ben.ID, c.Week); prev > 0 {
			k := catalog.FwdTrendSame
			if v.Score > prev {
				k = catalog.FwdTrendUp
			} else if v.Score < prev {
				k = catalog.FwdTrendDown
			}
			trend = r.at(k, "prev", prev)
		}
		b.WriteString("\n" + r.at(catalog.FwdScore, "score", v.Score, "label", r.at(scoreKey(v.Score)), "trend", trend))
	}
	// Voice notes go under keys of their own, the same for both forwards:
	// one already passed on in part is not sent again.
	type voice struct{ key, file string }
	var voices []voice
	voiceKey := func(what string) string { return "fwdvoice:" + ben.ID + ":" + string(c.Week) + ":" + what }
	if q := strings.TrimSpace(p.Checkin.Question); q != "" {
		switch {
		case v.Choice != "":
			b.WriteString("\n" + r.at(catalog.FwdAnswer, "question", q, "answer", r.at(answerKey(v.Choice))))
		case v.Answer != "":
			b.WriteString("\n" + r.at(catalog.FwdAnswer, "question", q, "answer", "« "+v.Answer+" »"))
		}
		if v.AnswerVoice != "" {
			b.WriteString("\n" + r.at(catalog.FwdAnswerVoice, "question", q))
			voices = append(voices, voice{voiceKey("answer"), v.AnswerVoice})
		}
	}
	var steps []string
	for _, s := range v.Steps {
		steps = append(steps, r.at(catalog.FwdStep, "title", s.Title, "status", r.Catalog.Status(advisorLang, s.Status)))
	}
	if len(steps) > 0 {
		b.WriteString("\n" + r.at(catalog.FwdSteps) + "\n" + strings.Join(steps, "\n"))
	}
	if v.Note != "" {
		b.WriteString("\n" + r.at(catalog.FwdNote, "note", v.Note))
	}
	if v.NoteVoice != "" {
		b.WriteString("\n" + r.at(catalog.FwdNoteVoice))
		voices = append(voices, voice{voiceKey("note"), v.NoteVoice})
	}
	if part && b.Len() == head {
		b.WriteString("\n" + r.at(catalog.FwdPartNothing))
	}
	if helpLine != "" {
		b.WriteString("\n" + helpLine)
	}
	if err := send(b.String()); err != nil {
		return err
	}
	for _, vc := range voices {
		if _, err := r.news(ctx, bot.Outgoing{
			Key: vc.key, ChatID: chat, Kind: "voice", FileID: vc.file, Silent: true,
			Text: r.at(catalog.FwdVoiceCaption, "name", ben.Name, "week", week),
		}, prioForward, false); err != nil {
			return err
		}
	}
	return nil
}

// blockedSince reports whether step s became blocked at or after t (said
// once each time it becomes blocked, not each time it is said to be,
// still, blocked).
func blockedSince(s *domain.Step, t time.Time) bool {
	for i := len(s.History) - 1; i >= 0; i-- {
		if h := s.History[i]; h.Status != "" {
			return h.Status == domain.StatusBlocked && !h.At.Before(t)
		}
	}
	return false
}

// checkinTop writes what opens a check-in's message: the help asked (and
// whether it is urgent; only when help is the answer of a completed one or
// asked in it), then the steps that became blocked in it, with the message's
// priority and whether a step is blocked.
func (r *Router) checkinTop(ben *domain.Beneficiary, p *domain.Plan, c *domain.CheckIn, help bool) (string, int, bool) {
	var lines []string
	prio := prioForward
	if help {
		prio = prioHelp
		if c.HelpUrgent {
			lines = append(lines, r.at(catalog.AlertHelpUrgent))
		}
		lines = append(lines, r.at(catalog.FwdHelpFirst, "name", ben.Name))
	}
	var titles []string
	for _, u := range c.Steps {
		if s := p.Step(u.StepID); s != nil && u.Status == domain.StatusBlocked && blockedSince(s, c.Asked) {
			titles = append(titles, "« "+s.Title+" »")
		}
	}
	if len(titles) > 0 {
		prio = max(prio, prioBlocked)
		lines = append(lines, r.at(catalog.FwdBlockedFirst, "name", ben.Name, "n", len(titles), "list", strings.Join(titles, ", ")))
	}
	return strings.Join(lines, "\n"), prio, len(titles) > 0
}

// forwardButtons are the advisor's actions under news of a beneficiary.
func (r *Router) forwardButtons(ctx context.Context, chat int64, ben *domain.Beneficiary) (bot.Keyboard, error) {
	reply, err := r.benButton(ctx, chat, ben.ID, r.alabel(catalog.BtnReply), "reply")
	if err != nil {
		return nil, err
	}
	plan, err := r.benButton(ctx, chat, ben.ID, r.alabel(catalog.BtnSeePlan), "plan")
	if err != nil {
		return nil, err
	}
	return bot.Keyboard{{reply, plan}}, nil
}

// previousScore returns the shared score of the last completed check-in
// before week, 0 if none.
func (r *Router) previousScore(ctx context.Context, benID string, week domain.Week) int {
	all, err := r.Store.CheckIns(ctx, benID)
	if err != nil {
		return 0
	}
	for i := len(all) - 1; i >= 0; i-- {
		c := all[i]
		if n := c.SharedScore(true); c.Week < week && n > 0 {
			return n
		}
	}
	return 0
}

// alertHelp tells the advisor at once that the beneficiary asks for help,
// during a check-in (week) or on a step's reminder (step). The step is
// named only with consent.
func (r *Router) alertHelp(ctx context.Context, ben *domain.Beneficiary, week domain.Week, step *domain.Step, urgent bool) error {
	now := r.Now().UTC()
	var key, text string
	switch {
	case step != nil:
		key = fmt.Sprintf("help:%s:step%d:%s", ben.ID, step.ID, domain.DateOf(now.In(ben.Location(r.DefaultZone))))
		text = r.at(catalog.AlertHelp, "name", ben.Name)
		if ben.Consent.Shares() {
			text = r.at(catalog.AlertHelpStep, "name", ben.Name, "title", step.Title)
		}
	default:
		key = "help:" + ben.ID + ":" + string(week)
		text = r.at(catalog.AlertHelpCheckin, "name", ben.Name, "week", r.weekLabel(advisorLang, week))
	}
	if urgent {
		text = r.at(catalog.AlertHelpUrgent) + "\n" + text
	}
	sent, err := r.queueAlert(ctx, ben, key, text, false, prioHelp, urgent)
	if err != nil {
		return err
	}
	if err := r.whenAdvisorSees(ctx, ben, key, sent.Held, r.advisorChat(ctx, ben)); err != nil {
		return err
	}
	if !sent.New {
		return nil // an alert already queued was already counted
	}
	_, err = r.Store.UpdateBeneficiary(ctx, ben.ID, func(b *domain.Beneficiary) error {
		b.AskedHelp(now)
		return nil
	})
	return err
}
