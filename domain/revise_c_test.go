package domain_test

import (
	"testing"
	"time"

	"suivi/domain"
)

// Merge takes a plan file's version of a plan: steps matched by id keep
// their history, a step without an id is new (an id never used), a step
// left out is cancelled if open and kept if done; only what the person is
// told of comes back.
func TestMergeAPlanFile(t *testing.T) {
	at := time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC)
	p := validPlan(t) // steps 1 (CV, 2027-01-20) and 2 (call, 2027-01-22T14:30)
	p.Steps = append(p.Steps, domain.Step{ID: 3, Title: "Fait", Owner: domain.OwnerBeneficiary, Status: domain.StatusDone, Due: dt(t, "2027-01-10")})
	p.Steps[0].SetStatus(domain.StatusInProgress, at.Add(-time.Hour), domain.ByBeneficiary)
	f := p.Clone()
	f.Steps = []domain.Step{f.Steps[0], {Title: "Nouvelle", Due: dt(t, "2027-02-01")}}
	f.Steps[0].Title, f.Steps[0].Status = "CV d'une page", domain.StatusDone
	f.Checkin.Question = "Et cette semaine ?"
	changes := p.Merge(f, at, domain.ByAdvisor)
	kinds := []domain.RevKind{}
	for _, c := range changes {
		kinds = append(kinds, c.Kind)
	}
	if want := []domain.RevKind{domain.RevTitle, domain.RevAdd, domain.RevCancel}; len(kinds) != len(want) || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] {
		t.Fatalf("changes %v, want %v", kinds, want)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	cv, added, call, done := p.Steps[0], p.Steps[1], p.Steps[2], p.Steps[3]
	if cv.ID != 1 || cv.Title != "CV d'une page" || cv.Status != domain.StatusDone || len(cv.History) != 3 {
		t.Errorf("the matched step %+v: want renamed and done, its history kept and added to", cv)
	}
	if added.ID != 4 || added.Status != domain.StatusTodo || len(added.History) != 1 || added.History[0].Due == nil {
		t.Errorf("the new step %+v: want id 4, to do, its first due date in its history", added)
	}
	if call.ID != 2 || call.Status != domain.StatusCancelled || done.ID != 3 || done.Status != domain.StatusDone {
		t.Errorf("steps left out: %+v %+v: want the open one cancelled, the done one kept", call, done)
	}
	if p.Checkin.Question != "Et cette semaine ?" || p.Beneficiary.Name != "Léa" {
		t.Errorf("plan %+v", p)
	}
}
