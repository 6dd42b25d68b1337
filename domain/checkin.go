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

// StepUpdate is a step status given during a check-in.
type StepUpdate struct {
	StepID int    `json:"step"`
	Status Status `json:"status"`
}

// CheckIn is one self-evaluation by a beneficiary. Fields the beneficiary
// chose to keep for themselves are flagged Private and never forwarded.
type CheckIn struct {
	BeneficiaryID string    `json:"beneficiary"`
	Week          Week      `json:"week"`
	Asked         time.Time `json:"asked"`
	// Score is 1..5; 0 means not answered or kept private.
	Score        int  `json:"score,omitempty"`
	ScorePrivate bool `json:"score_private,omitempty"`
	// Answer is the free answer to the plan's own question, if any.
	Answer        string       `json:"answer,omitempty"`
	AnswerPrivate bool         `json:"answer_private,omitempty"`
	Steps         []StepUpdate `json:"steps,omitempty"`
	// Note is an optional free text; Voice the file id of a voice note.
	Note        string    `json:"note,omitempty"`
	Voice       string    `json:"voice,omitempty"`
	NotePrivate bool      `json:"note_private,omitempty"`
	HelpAsked   bool      `json:"help,omitempty"`
	Completed   time.Time `json:"completed,omitzero"`
}

// Done reports whether the check-in was completed.
func (c *CheckIn) Done() bool { return !c.Completed.IsZero() }
