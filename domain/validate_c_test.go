package domain_test

import (
	"errors"
	"testing"
	"time"

	"suivi/domain"
)

// Reminders come before the due date or on it: a positive offset is
// refused, with a code the catalog words.
func TestValidateRefusesRemindersAfterTheDueDate(t *testing.T) {
	for _, o := range []domain.Offset{"+1d", "1d", "+2h"} {
		p := validPlan(t)
		p.Steps[1].Reminders = []domain.Offset{"-1d", o}
		ps := problems(t, p.Validate())
		if len(ps) != 1 || ps[0].Field != "steps[1].reminders[1]" || ps[0].Code != domain.RsOffsetAfter || ps[0].Args["value"] != string(o) {
			t.Errorf("%s: problems %+v, want one %s on steps[1].reminders[1]", o, ps, domain.RsOffsetAfter)
		}
	}
}

// A plan id is checked with the rest of the plan: its shape always, and
// for a plan to be created the rule of new ids (two letters and a digit).
func TestValidatePlanID(t *testing.T) {
	for id, wantNew := range map[string]bool{"sofia2027": true, "ab12": true, "abcdefghijkm": false, "2027": false} {
		p := validPlan(t)
		p.ID = id
		if err := p.Validate(); err != nil {
			t.Errorf("Validate with id %q: %v", id, err)
		}
		if err := p.ValidateNew(); (err == nil) != wantNew {
			t.Errorf("ValidateNew with id %q: %v, want ok %v", id, err, wantNew)
		}
	}
	for _, id := range []string{"Sofia", "b_42", "abc", "b-42", "x2345678901234567890123456789012345"} {
		p := validPlan(t)
		p.ID = id
		ps := problems(t, p.Validate())
		if len(ps) != 1 || ps[0].Field != "id" || ps[0].Code != domain.RsPlanID {
			t.Errorf("id %q: problems %+v, want one on id", id, ps)
		}
	}
}

// Steps due in the past are not a problem but a warning, for open steps
// only.
func TestPastDue(t *testing.T) {
	p := validPlan(t) // steps due 2027-01-20 and 2027-01-22
	today := domain.Date{Year: 2027, Month: time.January, Day: 21}
	ws := p.PastDue(today)
	if len(ws) != 1 || ws[0].Field != "steps[0].due" || ws[0].Code != domain.RsPastDue {
		t.Fatalf("PastDue = %+v, want steps[0].due", ws)
	}
	p.Steps[0].Status = domain.StatusDone
	if ws := p.PastDue(today); len(ws) != 0 {
		t.Errorf("a step done in the past is fine: %+v", ws)
	}
}

// A refused check-in rhythm is a *domain.Reason: the catalog words it.
func TestScheduleReasons(t *testing.T) {
	err := domain.ValidCheckinSchedule("*/5 * * * *", time.UTC)
	var r *domain.Reason
	if !errors.As(err, &r) || r.Code != domain.RsScheduleTwice || r.Args["value"] != "*/5 * * * *" || r.Error() != `"*/5 * * * *" fires more than once a day` {
		t.Errorf("ValidCheckinSchedule = %#v", err)
	}
}
