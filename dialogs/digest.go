package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/reminders"
)

// The weekly digest: one message, one line per beneficiary, who needs
// attention first, and one chart (score per week, last 8 weeks). It comes at
// the advisor's chosen day and hour (reminders' digest job), and on demand
// with /digest. Scores and answers show only with the beneficiary's
// consent; silence is shown as silence, never as a zero score; a check-in
// begun and left is answered in part, neither silence nor completed.

// digestWeeks is how many weeks the chart shows.
const digestWeeks = 8

// Case is what the digest knows of one beneficiary.
type Case struct {
	Ben      *domain.Beneficiary
	Plan     *domain.Plan
	CheckIns []domain.CheckIn
	// Computed:
	Score, Prev   int // last two shared scores (0: none)
	ScoreWeek     domain.Week
	Private       bool // the beneficiary shares no answers
	Help          bool // help asked in the last 14 days
	Blocked       int  // steps marked blocked
	Overdue       int  // open steps past their due date
	DoneThisWeek  int  // steps done in the last 7 days
	Silent        int  // check-ins in a row without any answer, latest first
	Partial       int  // check-ins in a row answered in part, latest first
	Attention     int
	LastCompleted time.Time
	// Cells is what the chart shows for each week (see ChartCell).
	Cells map[domain.Week]int
}

// silentAt reports whether a check-in counts as silence at now: no answer
// at all, and closed, or open for two days already.
func silentAt(c *domain.CheckIn, now time.Time) bool {
	return unanswered(c) && (!c.Open() || now.Sub(c.Asked) >= 48*time.Hour)
}

// unanswered reports whether a check-in got no answer at all.
func unanswered(c *domain.CheckIn) bool { return !c.Started() }

// buildCase computes a beneficiary's figures at now.
func (r *Router) buildCase(b *domain.Beneficiary, p *domain.Plan, cis []domain.CheckIn, now time.Time) Case {
	c := Case{Ben: b, Plan: p, CheckIns: cis, Private: !b.Consent.Shares(), Cells: map[domain.Week]int{}}
	if b.HelpSince(now.Add(-14*24*time.Hour)) > 0 {
		c.Help = true
	}
	for i := range cis {
		ci := &cis[i]
		switch {
		case ci.SharedScore(!c.Private) > 0:
			c.Cells[ci.Week] = ci.Score
		case silentAt(ci, now):
			c.Cells[ci.Week] = CellSilent
		case ci.AnsweredInPart(now, r.CheckinGrace):
			c.Cells[ci.Week] = CellPartial
		case !unanswered(ci):
			c.Cells[ci.Week] = CellPrivate
		}
	}
	loc := b.Location(r.DefaultZone)
	today := domain.DateOf(now.In(loc))
	for i := range p.Steps {
		s := &p.Steps[i]
		switch {
		case s.Status == domain.StatusBlocked:
			c.Blocked++
		}
		// The advisor's own steps are theirs to do: not the person's lateness.
		if s.Status.Open() && s.Due.Date.Before(today) && s.Owner != domain.OwnerAdvisor {
			c.Overdue++
		}
		if s.Status == domain.StatusDone {
			for _, h := range s.History {
				if h.Status == domain.StatusDone && now.Sub(h.At) <= 7*24*time.Hour {
					c.DoneThisWeek++
					break
				}
			}
		}
	}
	for i := len(cis) - 1; i >= 0; i-- {
		ci := &cis[i]
		if ci.HelpAsked && now.Sub(ci.Asked) <= 14*24*time.Hour {
			c.Help = true
		}
		if ci.Done() && c.LastCompleted.IsZero() {
			c.LastCompleted = ci.Completed
		}
		if n := ci.SharedScore(!c.Private); n > 0 {
			if c.Score == 0 {
				c.Score, c.ScoreWeek = n, ci.Week
			} else if c.Prev == 0 {
				c.Prev = n
			}
		}
	}
	// Silence: the latest check-ins, counted while they got no answer; one
	// still open for less than two days does not count yet.
	for i := len(cis) - 1; i >= 0; i-- {
		ci := &cis[i]
		if ci.Open() && now.Sub(ci.Asked) < 48*time.Hour {
			continue
		}
		if !silentAt(ci, now) {
			break
		}
		c.Silent++
	}
	// Answered in part: the latest check-ins begun and left, counted the
	// same way; one still under way does not count yet.
	for i := len(cis) - 1; i >= 0; i-- {
		ci := &cis[i]
		if ci.AnsweredInPart(now, r.CheckinGrace) {
			c.Partial++
			continue
		}
		if ci.Open() && !silentAt(ci, now) {
			continue
		}
		break
	}
	if c.Help {
		c.Attention += 100
	}
	if b.State == domain.StateBlocked || b.State == domain.StateStopped {
		c.Attention += 40
	}
	if c.Silent >= 2 {
		c.Attention += 30
	}
	c.Attention += 20*c.Blocked + 10*min(c.Overdue, 3)
	if c.Score > 0 && c.Score <= 2 {
		c.Attention += 15
	}
	return c
}

// caseloadCases loads and computes the digest rows of an advisor's own
// beneficiaries, who needs attention first.
func (r *Router) caseloadCases(ctx context.Context, advisorID int64, now time.Time) ([]Case, error) {
	ids, err := r.Store.AdvisorBeneficiaries(ctx, advisorID)
	if err != nil {
		return nil, err
	}
	var bens []*domain.Beneficiary
	for _, id := range ids {
		b, err := r.Store.Beneficiary(ctx, id)
		if err != nil {
			continue // deleted meanwhile
		}
		if b.AdvisorID == advisorID && b.State != domain.StateInvited {
			bens = append(bens, b)
		}
	}
	out, err := r.cases(ctx, bens, now)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Case) int {
		if a.Attention != b.Attention {
			return b.Attention - a.Attention
		}
		return strings.Compare(fold(a.Ben.Name), fold(b.Ben.Name))
	})
	return out, nil
}

// cases loads the plan and check-ins of each beneficiary and computes
// their figures at now.
func (r *Router) cases(ctx context.Context, bens []*domain.Beneficiary, now time.Time) ([]Case, error) {
	out := make([]Case, 0, len(bens))
	for _, b := range bens {
		p, err := r.Store.Plan(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		cis, err := r.Store.CheckIns(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, r.buildCase(b, p, cis, now))
	}
	return out, nil
}

// digestText writes the digest message.
func (r *Router) digestText(adv *domain.Advisor, cases []Case, now time.Time) string {
	T := func(k catalog.Key, kv ...any) string { return r.at(k, kv...) }
	urgent := 0
	for _, c := range cases {
		if c.Attention >= 30 {
			urgent++
		}
	}
	var b strings.Builder
	b.WriteString(T(catalog.DgTitle, "date", r.Catalog.Date(advisorLang, domain.DateOf(now.In(r.DefaultZone)))))
	b.WriteString("\n" + T(catalog.DgCount, "n", len(cases), "urgent", urgent))
	if len(cases) == 0 {
		b.WriteString("\n\n" + T(catalog.DgEmpty))
		return b.String()
	}
	b.WriteString("\n")
	for _, c := range cases {
		var parts []string
		if c.Help {
			parts = append(parts, T(catalog.DgHelp))
		}
		switch c.Ben.State {
		case domain.StateBlocked, domain.StateStopped, domain.StatePaused, domain.StateClosed:
			parts = append(parts, T(catalog.Key("dg.state."+string(c.Ben.State))))
		}
		if c.Blocked > 0 {
			parts = append(parts, T(catalog.DgBlocked, "n", c.Blocked))
		}
		if c.Overdue > 0 {
			parts = append(parts, T(catalog.DgOverdue, "n", c.Overdue))
		}
		if c.Silent >= 1 {
			parts = append(parts, T(catalog.DgSilent, "n", c.Silent))
		}
		if c.Partial >= 1 {
			parts = append(parts, T(catalog.DgPartial, "n", c.Partial))
		}
		switch {
		case c.Private:
			parts = append(parts, T(catalog.DgPrivate))
		case c.Score > 0:
			trend := ""
			switch {
			case c.Prev == 0:
			case c.Score > c.Prev:
				trend = " " + T(catalog.DgTrendUp)
			case c.Score < c.Prev:
				trend = " " + T(catalog.DgTrendDown)
			default:
				trend = " " + T(catalog.DgTrendFlat)
			}
			parts = append(parts, T(catalog.DgScore, "score", c.Score, "trend", trend))
		}
		if c.DoneThisWeek > 0 {
			parts = append(parts, T(catalog.DgDone, "n", c.DoneThisWeek))
		}
		switch {
		case !c.LastCompleted.IsZero():
			parts = append(parts, T(catalog.DgLast, "days", int(now.Sub(c.LastCompleted).Hours()/24)))
		case c.Partial == 0:
			parts = append(parts, T(catalog.DgNoCheckin))
		}
		icon := T(catalog.DgIconOK)
		switch {
		case c.Attention >= 30:
			icon = T(catalog.DgIconUrgent)
		case c.Attention >= 10:
			icon = T(catalog.DgIconWatch)
		}
		b.WriteString("\n" + T(catalog.DgLine, "icon", icon, "name", c.Ben.Name, "parts", catalog.HTML(strings.Join(parts, " · "))))
	}
	return b.String()
}

// invitedLine names an advisor's people invited who have not joined yet,
// oldest invite first, with its age ("" when there are none).
func (r *Router) invitedLine(ctx context.Context, advisorID int64, now time.Time) (string, error) {
	ids, err := r.Store.AdvisorBeneficiaries(ctx, advisorID)
	if err != nil {
		return "", err
	}
	var invited []*domain.Beneficiary
	for _, id := range ids {
		b, err := r.Store.Beneficiary(ctx, id)
		if err != nil {
			continue // deleted meanwhile
		}
		if b.AdvisorID == advisorID && b.State == domain.StateInvited {
			invited = append(invited, b)
		}
	}
	if len(invited) == 0 {
		return "", nil
	}
	slices.SortStableFunc(invited, func(a, b *domain.Beneficiary) int { return a.Created.Compare(b.Created) })
	today := domain.DateOf(now.In(r.DefaultZone))
	var names []string
	for _, b := range invited {
		age := r.at(catalog.DgInvitedToday)
		if days := domain.DateOf(b.Created.In(r.DefaultZone)).DaysUntil(today); days > 0 {
			age = r.at(catalog.DgInvitedAge, "days", days)
		}
		names = append(names, r.at(catalog.DgInvitedName, "name", b.Name, "age", age))
	}
	return r.at(catalog.DgInvited, "n", len(invited), "list", catalog.HTML(strings.Join(names, ", "))), nil
}

// digestWeekList returns the last digestWeeks ISO weeks up to now.
func (r *Router) digestWeekList(now time.Time) []domain.Week {
	var weeks []domain.Week
	t := now.In(r.DefaultZone)
	for i := digestWeeks - 1; i >= 0; i-- {
		weeks = append(weeks, domain.WeekOf(t.AddDate(0, 0, -7*i)))
	}
	return weeks
}

// buildDigest returns the digest of an advisor's caseload: text and chart.
func (r *Router) buildDigest(ctx context.Context, adv *domain.Advisor, now time.Time) (string, []byte, error) {
	cases, err := r.caseloadCases(ctx, adv.ID, now)
	if err != nil {
		return "", nil, err
	}
	text := r.digestText(adv, cases, now)
	invited, err := r.invitedLine(ctx, adv.ID, now)
	if err != nil {
		return "", nil, err
	}
	if invited != "" {
		text += "\n\n" + invited
	}
	if len(cases) == 0 {
		return text, nil, nil
	}
	png, err := Chart(r.Catalog, advisorLang, cases, r.digestWeekList(now))
	if err != nil {
		return "", nil, err
	}
	return text, png, nil
}

// digestNow answers /digest.
func (t *turn) digestNow(ctx context.Context) error {
	text, png, err := t.r.buildDigest(ctx, t.adv, t.r.Now())
	if err != nil {
		return err
	}
	kb := bot.Keyboard{{{Text: t.alabel(catalog.BtnDigestWhen), Data: "dg:set"}}}
	if err := t.areply(ctx, text, kb); err != nil {
		return err
	}
	if png == nil {
		return nil
	}
	_, err = t.r.Send.SendPhoto(ctx, t.chat, fmt.Sprintf("u%d.chart", t.upd.ID), "suivi.png", png, t.at(catalog.DgChartCaption))
	return err
}

// scheduledDigest sends an advisor's weekly digest to whoever reads their
// news (a stand-in during an absence). Outside the reader's working hours
// it is held as a mark, not as text: it is made when the news are
// released, on the data of then (someone erased meanwhile is not in it).
func (r *Router) scheduledDigest(ctx context.Context, d reminders.Due) error {
	chat := d.Advisor.Reader(r.Now())
	if held, err := r.holdDigest(ctx, d.Advisor.ID, chat, d.Key); held || err != nil {
		return err
	}
	text, png, err := r.digestFor(ctx, d.Advisor, chat)
	if err != nil {
		return err
	}
	if _, err := r.Outbox.Enqueue(ctx, bot.Outgoing{Key: d.Key, ChatID: chat, Text: text, Silent: true}); err != nil {
		return err
	}
	if png == nil {
		return nil
	}
	_, err = r.Outbox.Enqueue(ctx, r.digestChart(d.Key, chat, png))
	return err
}

// digestFor builds an advisor's digest for whoever reads it.
func (r *Router) digestFor(ctx context.Context, adv *domain.Advisor, chat int64) (string, []byte, error) {
	text, png, err := r.buildDigest(ctx, adv, r.Now())
	if err != nil {
		return "", nil, err
	}
	if chat != adv.ID {
		text = r.at(catalog.DgForStandIn, "name", r.colleague(adv)) + "\n" + text
	}
	return text, png, nil
}

func (r *Router) digestChart(key string, chat int64, png []byte) bot.Outgoing {
	return bot.Outgoing{Key: key + ":chart", ChatID: chat, Kind: "photo", Data: png,
		FileName: "suivi.png", Text: r.at(catalog.DgChartCaption), Silent: true}
}

// digestButton handles dg:set, dg:d:<day>, dg:h:<day>:<hour>: when the
// weekly digest comes. Nothing in it names anyone.
func (t *turn) digestButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	if t.adv == nil || len(parts) == 0 {
		return false, "", nil
	}
	_ = t.r.Send.EditKeyboard(ctx, t.chat, m.ID, nil)
	switch {
	case parts[0] == "set":
		var kb bot.Keyboard
		var row []bot.Button
		for _, d := range []int{1, 2, 3, 4, 5} {
			row = append(row, bot.Button{Text: t.alabel(catalog.Key(fmt.Sprintf("day.%d", d))), Data: data("dg", "d", d)})
		}
		return true, "", t.areply(ctx, t.at(catalog.DgAskDay), append(kb, row))
	case parts[0] == "d" && len(parts) == 2:
		d, err := strconv.Atoi(parts[1])
		if err != nil || d < 0 || d > 6 {
			return false, "", nil
		}
		var row []bot.Button
		for _, h := range []int{8, 9, 12, 14, 17} {
			row = append(row, bot.Button{Text: t.alabel(catalog.HourLabel, "h", h), Data: data("dg", "h", d, h)})
		}
		return true, "", t.areply(ctx, t.at(catalog.DgAskHour), bot.Keyboard{row})
	case parts[0] == "h" && len(parts) == 3:
		d, err1 := strconv.Atoi(parts[1])
		h, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil || d < 0 || d > 6 || h < 0 || h > 23 {
			return false, "", nil
		}
		a, err := t.r.Store.UpdateAdvisor(ctx, t.adv.ID, func(a *domain.Advisor) error {
			a.DigestSpec = fmt.Sprintf("0 %d * * %d", h, d)
			return nil
		})
		if err != nil {
			return true, "", err
		}
		if err := t.r.Sched.SyncAdvisor(ctx, a.ID); err != nil {
			return true, "", err
		}
		return true, "", t.areply(ctx, t.at(catalog.DgSet, "day", t.at(catalog.Key(fmt.Sprintf("day.%d", d))), "h", h), nil)
	}
	return false, "", nil
}

// listCaseload answers /beneficiaires: everyone the advisor follows now
// (their own, and those they stand in for), who needs attention first.
func (t *turn) listCaseload(ctx context.Context) error {
	bens, err := t.r.caseload(ctx, t.adv)
	if err != nil {
		return err
	}
	now := t.r.Now()
	cases, err := t.r.cases(ctx, bens, now)
	if err != nil {
		return err
	}
	slices.SortStableFunc(cases, func(a, b Case) int { return b.Attention - a.Attention })
	if len(cases) == 0 {
		return t.areply(ctx, t.at(catalog.ListEmpty), nil)
	}
	var lines []string
	for _, c := range cases {
		last := t.at(catalog.DgNoCheckin)
		if !c.LastCompleted.IsZero() {
			last = t.at(catalog.DgLast, "days", int(now.Sub(c.LastCompleted).Hours()/24))
		}
		extra := ""
		if c.Overdue > 0 {
			extra = " · " + t.at(catalog.DgOverdue, "n", c.Overdue)
		}
		if c.Help {
			extra += " · " + t.at(catalog.DgHelp)
		}
		lines = append(lines, t.at(catalog.ListLine, "name", c.Ben.Name, "state", t.r.stateLabel(c.Ben), "last", last, "extra", extra))
	}
	// Who has not joined yet gets a button for a new link (a lost or
	// expired one); who has joined keeps theirs: re-linking another
	// Telegram account is not an invite's job.
	var kb bot.Keyboard
	for _, c := range cases {
		if !mayReinvite(c.Ben) || len(kb) >= 30 {
			continue
		}
		btn, err := t.r.benButton(ctx, t.adv.ID, c.Ben.ID, t.alabel(catalog.BtnNewInvite, "name", c.Ben.Name), "invite")
		if err != nil {
			return err
		}
		kb = append(kb, []bot.Button{btn})
	}
	text := t.at(catalog.ListTitle, "n", len(cases)) + "\n\n" + strings.Join(lines, "\n") + "\n\n" + t.at(catalog.ListHint)
	if len(kb) > 0 {
		text += "\n" + t.at(catalog.ListInvitedHint)
	}
	return t.areply(ctx, text, kb)
}
