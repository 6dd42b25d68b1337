package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Lang is the language a beneficiary reads Suivi in.
type Lang string

// The languages Suivi speaks.
const (
	French  Lang = "fr"
	English Lang = "en"
)

// Valid reports whether l is a language Suivi speaks.
func (l Lang) Valid() bool { return l == French || l == English }

// Owner says who carries a step out.
type Owner string

// Who does a step.
const (
	OwnerBeneficiary Owner = "beneficiary"
	OwnerAdvisor     Owner = "advisor"
)

// Valid reports whether o is a known owner.
func (o Owner) Valid() bool { return o == OwnerBeneficiary || o == OwnerAdvisor }

// Status is where a step stands.
type Status string

// Step statuses.
const (
	StatusTodo       Status = "todo"
	StatusInProgress Status = "in_progress"
	StatusDone       Status = "done"
	StatusBlocked    Status = "blocked"
	StatusCancelled  Status = "cancelled"
)

// Statuses lists every status, in display order.
var Statuses = []Status{StatusTodo, StatusInProgress, StatusDone, StatusBlocked, StatusCancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Open reports whether a step with this status still calls for action.
func (s Status) Open() bool { return s == StatusTodo || s == StatusInProgress || s == StatusBlocked }

// Actor names who made a change.
type Actor string

// Who changes things.
const (
	ByBeneficiary Actor = "beneficiary"
	ByAdvisor     Actor = "advisor"
	BySystem      Actor = "system"
)

// Change is one entry of a step's history: a new status or a new due date,
// and when it happened.
type Change struct {
	At     time.Time `json:"at"`
	By     Actor     `json:"by"`
	Status Status    `json:"status,omitempty"`
	// Due is set when the change moved the due date.
	Due *DateTime `json:"due,omitempty"`
	// Title is set when the change renamed the step: the new title, and
	// From the one before (empty in changes recorded before it was kept).
	Title string `json:"title,omitempty"`
	From  string `json:"from,omitempty"`
}

// DefaultReminders are the reminder offsets of a step that names none:
// three days before, the day before and the due day.
var DefaultReminders = []Offset{"-3d", "-1d", "0d"}

// Offset is a reminder's distance from a step's due date, such as "-3d"
// (three days before, at the reminder hour), "0d" (the due day) or "-2h"
// (two hours before a due time).
type Offset string

var offsetRE = regexp.MustCompile(`^([+-]?)(\d{1,3})([dh])$`)

// Parse returns the offset as a number of days or hours (negative: before).
func (o Offset) Parse() (n int, unit byte, err error) {
	m := offsetRE.FindStringSubmatch(string(o))
	if m == nil {
		return 0, 0, fmt.Errorf("%q is not an offset like -3d, -1d, 0d or -2h", string(o))
	}
	n, _ = strconv.Atoi(m[2])
	if m[1] == "-" {
		n = -n
	}
	return n, m[3][0], nil
}

// Step is one action of the plan, with who does it and by when.
type Step struct {
	// ID is stable for the life of the plan and never reused.
	ID         int      `json:"id"`
	Title      string   `json:"title"`
	Objective  string   `json:"objective,omitempty"`
	Owner      Owner    `json:"owner"`
	Due        DateTime `json:"due"`
	Reminders  []Offset `json:"reminders,omitempty"`
	Resources  []string `json:"resources,omitempty"`
	Indicators []string `json:"indicators,omitempty"`
	Status     Status   `json:"status"`
	History    []Change `json:"history,omitempty"`
}

// ReminderOffsets returns the step's reminders, or the default ones.
func (s *Step) ReminderOffsets() []Offset {
	if s.Reminders == nil {
		return DefaultReminders
	}
	return s.Reminders
}

// SetStatus records a new status at the given time.
// It reports whether anything changed.
func (s *Step) SetStatus(st Status, at time.Time, by Actor) bool {
	if s.Status == st {
		return false
	}
	s.Status = st
	s.History = append(s.History, Change{At: at.UTC(), By: by, Status: st})
	return true
}

// Rename changes the title and records it.
func (s *Step) Rename(title string, at time.Time, by Actor) {
	from := s.Title
	s.Title = title
	s.History = append(s.History, Change{At: at.UTC(), By: by, Title: title, From: from})
}

// Postpone moves the due date and records it.
func (s *Step) Postpone(due DateTime, at time.Time, by Actor) {
	d := due
	s.Due = due
	s.History = append(s.History, Change{At: at.UTC(), By: by, Due: &d})
}

// Person is what Suivi keeps of a beneficiary in a plan: the least needed.
type Person struct {
	// Name is a first name or an alias, shown to the advisor.
	Name     string `json:"name"`
	Language Lang   `json:"language"`
	Timezone string `json:"timezone"`
}

// Checkin is the self-evaluation rhythm of a plan.
type Checkin struct {
	// Schedule is a robfig/cron spec, evaluated in the beneficiary's zone
	// unless it carries its own CRON_TZ= prefix.
	Schedule string `json:"schedule,omitempty"`
	// Question is the plan's own self-evaluation question.
	Question string `json:"question,omitempty"`
}

// Plan is the action plan agreed at the interview.
type Plan struct {
	ID          string     `json:"id"`
	Beneficiary Person     `json:"beneficiary"`
	AdvisorID   int64      `json:"advisor"`
	Checkin     Checkin    `json:"checkin"`
	Steps       []Step     `json:"steps"`
	Meetings    []DateTime `json:"meetings,omitempty"`
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated"`
	// Applied holds the ids of the last revisions applied (RevOps pushed as
	// events), so that one handled again is not applied twice.
	Applied []string `json:"applied,omitempty"`
}

// Step returns the step with the given id, or nil.
func (p *Plan) Step(id int) *Step {
	for i := range p.Steps {
		if p.Steps[i].ID == id {
			return &p.Steps[i]
		}
	}
	return nil
}

// MoveDates moves every due date and meeting of the plan by days (a
// template made current).
func (p *Plan) MoveDates(days int) {
	for i := range p.Steps {
		p.Steps[i].Due.Date = p.Steps[i].Due.Date.AddDays(days)
	}
	for i := range p.Meetings {
		p.Meetings[i].Date = p.Meetings[i].Date.AddDays(days)
	}
}

// OpenSteps returns the steps that still call for action, in plan order.
func (p *Plan) OpenSteps() []*Step {
	var out []*Step
	for i := range p.Steps {
		if p.Steps[i].Status.Open() {
			out = append(out, &p.Steps[i])
		}
	}
	return out
}

// Normalize fills what a plan file may leave out: step ids, statuses,
// owner, language and time zone.
func (p *Plan) Normalize(defaultTZ string) {
	if p.Beneficiary.Language == "" {
		p.Beneficiary.Language = French
	}
	if p.Beneficiary.Timezone == "" {
		p.Beneficiary.Timezone = defaultTZ
	}
	next := 1
	for _, s := range p.Steps {
		if s.ID >= next {
			next = s.ID + 1
		}
	}
	for i := range p.Steps {
		s := &p.Steps[i]
		if s.ID == 0 {
			s.ID = next
			next++
		}
		if s.Status == "" {
			s.Status = StatusTodo
		}
		if s.Owner == "" {
			s.Owner = OwnerBeneficiary
		}
	}
}

// NextStepID returns an id no step of p uses.
func (p *Plan) NextStepID() int {
	n := 0
	for _, s := range p.Steps {
		n = max(n, s.ID)
	}
	return n + 1
}
