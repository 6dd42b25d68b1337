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
			s.History = []Change{{At: at.UTC(), By: by, Status: StatusTodo}}
			if s.Owner == "" {
				s.Owner = OwnerBeneficiary
			}
			p.Steps = append(p.Steps, s)
			out = append(out, Revised{Kind: op.Kind, Title: s.Title, Due: s.Due})
		}
	default:
		return nil, fmt.Errorf("unknown revision %q", op.Kind)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}
