package domain

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// A revision of a plan is a list of operations, each applied with the
// plan's rules (those of plan import): the advisor's /modifier in Telegram
// and the web desk make the same operations, and the beneficiary is told
// once what changed.

// RevKind names an operation on a plan.
type RevKind string

// Operations on a plan.
const (
	RevDate       RevKind = "date"       // move a step's due date
	RevTitle      RevKind = "title"      // rename a step
	RevCancel     RevKind = "cancel"     // cancel a step
	RevAdd        RevKind = "add"        // add steps
	RevObjective  RevKind = "objective"  // rewrite a step's objective
	RevResources  RevKind = "resources"  // replace a step's resources
	RevIndicators RevKind = "indicators" // replace a step's indicators
	RevFile       RevKind = "file"       // take a plan file's version of the plan
)

// RevOp is one operation on a plan: its kind, the step it is about (but
// for RevAdd), and the new value.
type RevOp struct {
	Kind  RevKind  `json:"kind"`
	Step  int      `json:"step,omitempty"`
	Due   DateTime `json:"due,omitzero"`
	Text  string   `json:"text,omitempty"`  // a title or an objective
	Items []string `json:"items,omitempty"` // resources or indicators
	Steps []Step   `json:"steps,omitempty"` // for RevAdd
	// Plan is a plan file's version of the plan, for RevFile (see Merge).
	Plan *Plan `json:"plan,omitempty"`
}

// Revised is what an operation changed, for the message that tells the
// beneficiary (in their language) and the history.
type Revised struct {
	Kind     RevKind  `json:"kind"`
	Title    string   `json:"title"`
	OldTitle string   `json:"old_title,omitempty"`
	Due      DateTime `json:"due,omitzero"`
}

// ErrNoSuchStep is returned for an operation on a step the plan does not
// have (or no longer has open, for a cancellation).
var ErrNoSuchStep = errors.New("no such step")

// Clone returns a deep copy of p: a revision can be tried on it first.
func (p *Plan) Clone() *Plan {
	c := *p
	c.Meetings = slices.Clone(p.Meetings)
	c.Steps = make([]Step, len(p.Steps))
	for i, s := range p.Steps {
		s.Reminders = slices.Clone(s.Reminders)
		s.Resources = slices.Clone(s.Resources)
		s.Indicators = slices.Clone(s.Indicators)
		s.History = slices.Clone(s.History)
		c.Steps[i] = s
	}
	return &c
}

// maxApplied bounds Plan.Applied.
const maxApplied = 8

// ApplyOnce is Apply for an operation with an id (its event's): an id
// already applied changes nothing and reports done.
func (p *Plan) ApplyOnce(id string, op RevOp, at time.Time, by Actor) (done bool, _ []Revised, _ error) {
	if slices.Contains(p.Applied, id) {
		return true, nil, nil
	}
	out, err := p.Apply(op, at, by)
	if err != nil {
		return false, nil, err
	}
	p.Applied = append(p.Applied, id)
	if n := len(p.Applied); n > maxApplied {
		p.Applied = slices.Clone(p.Applied[n-maxApplied:])
	}
	return false, out, nil
}

// Apply applies op to p, made at at by by, and returns what changed. The
// plan must still follow its rules afterwards: if not, Apply returns the
// Problems and p must be thrown away (try it on a Clone, or inside a
// store transaction that then stores nothing).
func (p *Plan) Apply(op RevOp, at time.Time, by Actor) ([]Revised, error) {
	var out []Revised
	step := func() (*Step, error) {
		s := p.Step(op.Step)
		if s == nil || s.Status == StatusCancelled {
			return nil, fmt.Errorf("step %d: %w", op.Step, ErrNoSuchStep)
		}
		return s, nil
	}
	switch op.Kind {
	case RevDate:
		s, err := step()
		if err != nil {
			return nil, err
		}
		s.Postpone(op.Due, at, by)
		out = append(out, Revised{Kind: op.Kind, Title: s.Title, Due: op.Due})
	case RevTitle:
		s, err := step()
		if err != nil {
			return nil, err
		}
		old := s.Title
		s.Rename(op.Text, at, by)
		out = append(out, Revised{Kind: op.Kind, Title: op.Text, OldTitle: old})
	case RevCancel:
		s, err := step()
		if err != nil {
			return nil, err
		}
		if !s.Status.Open() {
			return nil, fmt.Errorf("step %d is %s: %w", op.Step, s.Status, ErrNoSuchStep)
		}
		s.SetStatus(StatusCancelled, at, by)
		out = append(out, Revised{Kind: op.Kind, Title: s.Title})
	case RevObjective, RevResources, RevIndicators:
		s, err := step()
		if err != nil {
			return nil, err
		}
		switch op.Kind {
		case RevObjective:
			s.Objective = op.Text
		case RevResources:
			s.Resources = slices.Clone(op.Items)
		default:
			s.Indicators = slices.Clone(op.Items)
		}
		out = append(out, Revised{Kind: op.Kind, Title: s.Title})
	case RevAdd:
		for _, s := range op.Steps {
			s.ID = p.NextStepID()
			s.Status = StatusTodo
			due := s.Due // the step's first due date, for the history (and the export)
			s.History = []Change{{At: at.UTC(), By: by, Status: StatusTodo, Due: &due}}
			if s.Owner == "" {
				s.Owner = OwnerBeneficiary
			}
			p.Steps = append(p.Steps, s)
			out = append(out, Revised{Kind: op.Kind, Title: s.Title, Due: s.Due})
		}
	case RevFile:
		if op.Plan == nil {
			return nil, fmt.Errorf("revision %q without a plan", op.Kind)
		}
		out = p.Merge(op.Plan, at, by)
	default:
		return nil, fmt.Errorf("unknown revision %q", op.Kind)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}

// Merge takes f, a plan file's version of p (plan import --update), into
// p and returns what changed, as the operations of a revision would: each
// step is matched by its id and keeps its history, to which the changes
// are added (a new title, a new due date, a new status); a step of f whose
// id p does not have (or none) is added (with a new id: ids are never
// reused); a step
// f leaves out is cancelled if still open, and kept (with its history) at
// the end. Objectives, resources, indicators, owners and reminders are f's,
// and so are the check-in rhythm, the question and the meetings. The
// beneficiary's name, language and zone are not a plan file's to change:
// they stay p's. Apply (RevFile) then checks the plan's rules.
func (p *Plan) Merge(f *Plan, at time.Time, by Actor) []Revised {
	var out []Revised
	next := p.NextStepID()
	seen := map[int]bool{}
	steps := make([]Step, 0, len(f.Steps))
	for _, fs := range f.Steps {
		var old *Step
		if fs.ID != 0 {
			old = p.Step(fs.ID)
		}
		if old == nil || seen[fs.ID] {
			s := fs
			s.ID, next = next, next+1
			if s.Status == "" {
				s.Status = StatusTodo
			}
			if s.Owner == "" {
				s.Owner = OwnerBeneficiary
			}
			due := s.Due
			s.History = []Change{{At: at.UTC(), By: by, Status: s.Status, Due: &due}}
			steps = append(steps, s)
			out = append(out, Revised{Kind: RevAdd, Title: s.Title, Due: s.Due})
			continue
		}
		seen[fs.ID] = true
		s := *old
		s.History = slices.Clone(old.History)
		if fs.Title != s.Title {
			was := s.Title
			s.Rename(fs.Title, at, by)
			out = append(out, Revised{Kind: RevTitle, Title: fs.Title, OldTitle: was})
		}
		if fs.Due != s.Due {
			s.Postpone(fs.Due, at, by)
			out = append(out, Revised{Kind: RevDate, Title: s.Title, Due: fs.Due})
		}
		if fs.Objective != s.Objective {
			s.Objective = fs.Objective
			out = append(out, Revised{Kind: RevObjective, Title: s.Title})
		}
		if !slices.Equal(fs.Resources, s.Resources) {
			s.Resources = slices.Clone(fs.Resources)
			out = append(out, Revised{Kind: RevResources, Title: s.Title})
		}
		if !slices.Equal(fs.Indicators, s.Indicators) {
			s.Indicators = slices.Clone(fs.Indicators)
			out = append(out, Revised{Kind: RevIndicators, Title: s.Title})
		}
		if fs.Status != "" && fs.Status != s.Status {
			cancel := fs.Status == StatusCancelled && s.Status.Open()
			s.SetStatus(fs.Status, at, by)
			if cancel {
				out = append(out, Revised{Kind: RevCancel, Title: s.Title})
			}
		}
		if fs.Owner != "" {
			s.Owner = fs.Owner
		}
		s.Reminders = slices.Clone(fs.Reminders)
		steps = append(steps, s)
	}
	for _, s := range p.Steps {
		if seen[s.ID] {
			continue
		}
		s.History = slices.Clone(s.History)
		if s.Status.Open() {
			s.SetStatus(StatusCancelled, at, by)
			out = append(out, Revised{Kind: RevCancel, Title: s.Title})
		}
		steps = append(steps, s)
	}
	p.Steps = steps
	p.Checkin = f.Checkin
	p.Meetings = slices.Clone(f.Meetings)
	return out
}
