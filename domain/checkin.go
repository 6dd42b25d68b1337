package domain

import (
	"fmt"
	"time"
)

// Week names an ISO week, like "2026-W48". Check-ins are counted per week of
// the beneficiary's own calendar.
type Week string

// WeekOf returns the ISO week of t in t's location.
func WeekOf(t time.Time) Week {
	y, w := t.ISOWeek()
	return Week(fmt.Sprintf("%04d-W%02d", y, w))
}

// Scores are the self-evaluation scale, from 1 (hard week) to 5 (great week).
const (
	MinScore = 1
	MaxScore = 5
)

// StepUpdate is a step status given during a check-in. A private one was
// kept by the beneficiary for themselves: it is not applied to the shared
// plan and not forwarded.
type StepUpdate struct {
	StepID  int    `json:"step"`
	Status  Status `json:"status"`
	Private bool   `json:"private,omitempty"`
}

// Quick answers to the plan's own question, for those who prefer a tap.
const (
	AnswerMuch   = "much"
	AnswerSome   = "some"
	AnswerNotYet = "notyet"
)

// CheckIn is one self-evaluation by a beneficiary, for one week of their
// calendar. Answers the beneficiary chose to keep for themselves are
// flagged Private and never forwarded.
type CheckIn struct {
	BeneficiaryID string    `json:"beneficiary"`
	Week          Week      `json:"week"`
	Asked         time.Time `json:"asked"`
	// OnDemand: started by the beneficiary (/progres), not by the schedule.
	OnDemand bool `json:"on_demand,omitempty"`
	// AskSteps are the open steps whose status this check-in asks, chosen
	// when it starts.
	AskSteps []int `json:"ask_steps,omitempty"`
	// Score is 1..5; 0 means not answered (or kept private).
	Score        int  `json:"score,omitempty"`
	ScorePrivate bool `json:"score_private,omitempty"`
	ScoreDone    bool `json:"score_done,omitempty"`
	// The answer to the plan's own question: a quick choice, a text or a
	// voice note (file id).
	AnswerChoice  string `json:"answer_choice,omitempty"`
	Answer        string `json:"answer,omitempty"`
	AnswerVoice   string `json:"answer_voice,omitempty"`
	AnswerPrivate bool   `json:"answer_private,omitempty"`
	AnswerDone    bool   `json:"answer_done,omitempty"`
	// Steps are the statuses given for open steps.
	Steps []StepUpdate `json:"steps,omitempty"`
	// Note is an optional free text; Voice the file id of a voice note.
	Note        string `json:"note,omitempty"`
	Voice       string `json:"voice,omitempty"`
	NotePrivate bool   `json:"note_private,omitempty"`
	NoteDone    bool   `json:"note_done,omitempty"`
	// Pending is "answer" or "note" while the beneficiary decides whether a
	// text or voice note they sent is forwarded.
	Pending   string `json:"pending,omitempty"`
	HelpAsked bool   `json:"help,omitempty"`
	// HelpUrgent: the request for help was marked urgent.
	HelpUrgent bool `json:"help_urgent,omitempty"`
	HelpDone   bool `json:"help_done,omitempty"`
	// Completed is when the last question was answered; Closed when an
	// unfinished check-in was closed (a newer one started, or it expired).
	Completed time.Time `json:"completed,omitzero"`
	Closed    time.Time `json:"closed,omitzero"`
	// LastUpdate is the Telegram update whose answer was recorded last: an
	// update handled again (after a failure) is recognised, not applied twice.
	LastUpdate int64 `json:"last_update,omitempty"`
	// Shared records the beneficiary's consent when the check-in was
	// completed: answers given while not sharing stay private even if the
	// beneficiary shares later.
	Shared bool `json:"shared,omitempty"`
	// LastAnswer is when an answer was last recorded (zero: none yet, or
	// given before Suivi kept it).
	LastAnswer time.Time `json:"last_answer,omitzero"`
	// Partial is when the answers of a check-in left unfinished went to the
	// advisor, after the grace period without a new answer (see PartDue);
	// PartialShared is the consent then, as Shared is at completion.
	Partial       time.Time `json:"partial,omitzero"`
	PartialShared bool      `json:"partial_shared,omitempty"`
}

// Started reports whether the check-in got any answer at all (a text or
// voice note waiting for its share decision counts).
func (c *CheckIn) Started() bool {
	return c.ScoreDone || c.AnswerDone || len(c.Steps) > 0 || c.NoteDone || c.HelpDone || c.Pending != ""
}

// Unfinished reports whether the check-in was begun and not completed.
func (c *CheckIn) Unfinished() bool { return c.Started() && !c.Done() }

// PartDue returns when the answers of an unfinished check-in go to the
// advisor if no new answer comes: grace after the last one, in real time
// (a clock change does not shorten or lengthen it). ok is false when
// nothing is to send: not begun, completed, already sent in part, or
// answered before Suivi kept the time of answers.
func (c *CheckIn) PartDue(grace time.Duration) (at time.Time, ok bool) {
	if !c.Unfinished() || !c.Partial.IsZero() || c.LastAnswer.IsZero() {
		return time.Time{}, false
	}
	return c.LastAnswer.Add(grace), true
}

// AnsweredInPart reports whether the check-in counts, at now, as answered
// in part: begun, not completed, and sent in part, closed, or left for
// grace since its last answer. It is neither silence nor a completed
// check-in.
func (c *CheckIn) AnsweredInPart(now time.Time, grace time.Duration) bool {
	if !c.Unfinished() {
		return false
	}
	if !c.Partial.IsZero() || !c.Open() {
		return true
	}
	last := c.LastAnswer
	if last.IsZero() {
		last = c.Asked
	}
	return !now.Before(last.Add(grace))
}

// sharedThen reports whether the beneficiary shared when the answers went
// to the advisor: at completion, or when an unfinished check-in was sent
// in part.
func (c *CheckIn) sharedThen() bool {
	if c.Done() {
		return c.Shared
	}
	return !c.Partial.IsZero() && c.PartialShared
}

// SharedScore returns the score the advisor may see, 0 if none: the
// check-in was completed (or, unfinished, sent in part) while sharing, the
// score was not kept private, and the beneficiary still shares (current
// consent).
func (c *CheckIn) SharedScore(sharesNow bool) int {
	if !sharesNow || !c.sharedThen() || c.ScorePrivate {
		return 0
	}
	return c.Score
}

// SharedAnswers reports whether the check-in's answers may reach the
// advisor (completed, or sent in part, while sharing, and still sharing).
func (c *CheckIn) SharedAnswers(sharesNow bool) bool { return sharesNow && c.sharedThen() }

// Monday returns the first day of an ISO week ("2026-W48" → 2026-11-23).
func (w Week) Monday() (Date, bool) {
	var y, n int
	if _, err := fmt.Sscanf(string(w), "%d-W%d", &y, &n); err != nil || n < 1 || n > 53 {
		return Date{}, false
	}
	// 4 January is always in week 1.
	jan4 := time.Date(y, 1, 4, 12, 0, 0, 0, time.UTC)
	offset := (int(jan4.Weekday()) + 6) % 7
	return DateOf(jan4.AddDate(0, 0, -offset+7*(n-1))), true
}

// Done reports whether the check-in was completed.
func (c *CheckIn) Done() bool { return !c.Completed.IsZero() }

// Open reports whether the check-in still takes answers.
func (c *CheckIn) Open() bool { return c.Completed.IsZero() && c.Closed.IsZero() }

// Step returns the update given for a step, or nil.
func (c *CheckIn) Step(id int) *StepUpdate {
	for i := range c.Steps {
		if c.Steps[i].StepID == id {
			return &c.Steps[i]
		}
	}
	return nil
}

// SetStep records a status given for a step, replacing an earlier one.
func (c *CheckIn) SetStep(u StepUpdate) {
	if s := c.Step(u.StepID); s != nil {
		*s = u
		return
	}
	c.Steps = append(c.Steps, u)
}
