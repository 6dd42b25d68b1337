package domain

import (
	"errors"
	"testing"
	"time"
)

func revisedPlan(t *testing.T) *Plan {
	t.Helper()
	p := &Plan{
		Beneficiary: Person{Name: "Awa", Timezone: "Europe/Paris", Language: French},
		AdvisorID:   1,
		Steps: []Step{
			{Title: "CV", Due: DateTime{Date: Date{Year: 2027, Month: 3, Day: 20}}, Resources: []string{"Atelier CV"}},
			{Title: "Greta", Due: DateTime{Date: Date{Year: 2027, Month: 4, Day: 2}}},
		},
	}
	p.Normalize("Europe/Paris")
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestApplyEachOperation(t *testing.T) {
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	newDue := DateTime{Date: Date{Year: 2027, Month: 3, Day: 27}, Hour: 14, HasTime: true}
	for _, tc := range []struct {
		op    RevOp
		check func(*Plan) bool
		want  Revised
	}{
		{RevOp{Kind: RevDate, Step: 1, Due: newDue}, func(p *Plan) bool {
			return p.Step(1).Due == newDue && p.Step(1).History[len(p.Step(1).History)-1].Due != nil
		},
			Revised{Kind: RevDate, Title: "CV", Due: newDue}},
		{RevOp{Kind: RevTitle, Step: 1, Text: "CV d'une page"}, func(p *Plan) bool { return p.Step(1).Title == "CV d'une page" },
			Revised{Kind: RevTitle, Title: "CV d'une page", OldTitle: "CV"}},
		{RevOp{Kind: RevCancel, Step: 2}, func(p *Plan) bool { return p.Step(2).Status == StatusCancelled },
			Revised{Kind: RevCancel, Title: "Greta"}},
		{RevOp{Kind: RevResources, Step: 1, Items: []string{"Atelier CV", "CIO"}}, func(p *Plan) bool { return len(p.Step(1).Resources) == 2 },
			Revised{Kind: RevResources, Title: "CV"}},
		{RevOp{Kind: RevAdd, Steps: []Step{{Title: "Visite", Due: DateTime{Date: Date{Year: 2027, Month: 5, Day: 3}}}}},
			func(p *Plan) bool {
				s := p.Step(3)
				return s != nil && s.Status == StatusTodo && s.Owner == OwnerBeneficiary
			},
			Revised{Kind: RevAdd, Title: "Visite", Due: DateTime{Date: Date{Year: 2027, Month: 5, Day: 3}}}},
	} {
		t.Run(string(tc.op.Kind), func(t *testing.T) {
			p := revisedPlan(t)
			orig := p.Clone()
			got, err := p.Apply(tc.op, at, ByAdvisor)
			if err != nil || len(got) != 1 || got[0] != tc.want || !tc.check(p) {
				t.Fatalf("Apply: %v %+v", err, got)
			}
			if orig.Step(1).Title != "CV" || len(orig.Step(1).Resources) != 1 || len(orig.Steps) != 2 {
				t.Errorf("the clone changed with the plan: %+v", orig.Steps)
			}
		})
	}
}

func TestApplyRefusesWhatBreaksThePlan(t *testing.T) {
	p := revisedPlan(t)
	if _, err := p.Apply(RevOp{Kind: RevTitle, Step: 1, Text: "CV\x11"}, time.Now(), ByAdvisor); !errors.As(err, new(Problems)) {
		t.Errorf("a control character in a title: %v", err)
	}
	if _, err := p.Apply(RevOp{Kind: RevDate, Step: 9}, time.Now(), ByAdvisor); !errors.Is(err, ErrNoSuchStep) {
		t.Errorf("an unknown step: %v", err)
	}
	q := revisedPlan(t)
	q.Step(2).Status = StatusDone
	if _, err := q.Apply(RevOp{Kind: RevCancel, Step: 2}, time.Now(), ByAdvisor); !errors.Is(err, ErrNoSuchStep) {
		t.Errorf("cancelling a step done: %v", err)
	}
}

func TestApplyOnceAppliesAnOperationOnce(t *testing.T) {
	p := revisedPlan(t)
	op := RevOp{Kind: RevAdd, Steps: []Step{{Title: "Visite", Due: DateTime{Date: Date{Year: 2027, Month: 5, Day: 3}}}}}
	for i := range 3 {
		done, _, err := p.ApplyOnce("rv:1", op, time.Now(), ByAdvisor)
		if err != nil || done != (i > 0) {
			t.Fatalf("try %d: done %v, %v", i, done, err)
		}
	}
	if len(p.Steps) != 3 {
		t.Fatalf("%d steps, want the one added once", len(p.Steps))
	}
	for i := range 20 {
		if _, _, err := p.ApplyOnce("x"+string(rune('a'+i)), RevOp{Kind: RevTitle, Step: 1, Text: "CV"}, time.Now(), ByAdvisor); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.Applied) > maxApplied {
		t.Errorf("%d ids remembered, want at most %d", len(p.Applied), maxApplied)
	}
}
