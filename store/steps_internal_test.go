package store

import (
	"context"
	"testing"
	"time"

	"suivi/domain"
	"suivi/internal/redistest"
)

// The operations split into single-slot steps for a Redis Cluster are
// finished by doing them again after a crash between two steps.

var tSteps = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func stepsPlan() *domain.Plan {
	p := &domain.Plan{
		ID:          "moussa01",
		Beneficiary: domain.Person{Name: "Moussa"},
		AdvisorID:   111,
		Steps:       []domain.Step{{Title: "Visite", Due: domain.DateTime{Date: domain.Date{Year: 2026, Month: 12, Day: 15}}}},
	}
	p.Normalize("Europe/Paris")
	return p
}

// A creation cut short after the records (no list, no invite) is finished
// by importing the plan again; a finished one is refused.
func TestCreatePlanCutShortIsFinishedAgain(t *testing.T) {
	ctx := context.Background()
	s := New(redistest.Client(t), Options{Keys: EphemeralKeyring()})
	p := stepsPlan()
	ben := domain.Beneficiary{ID: p.ID, Name: "Moussa", AdvisorID: 111, State: domain.StateInvited, Created: tSteps}
	if err := planCreate.Run(ctx, s.rdb, []string{s.k.plan(p.ID), s.k.profile(p.ID)}, encode(s, p, aadPlan(p.ID)), mustJSON(ben), 0).Err(); err != nil {
		t.Fatal(err)
	}
	inv, err := s.CreatePlan(ctx, stepsPlan(), tSteps, time.Hour)
	if err != nil {
		t.Fatalf("creating again after a crash: %v", err)
	}
	if ids, _ := s.AdvisorBeneficiaries(ctx, 111); len(ids) != 1 || ids[0] != p.ID {
		t.Fatalf("advisor's list %v", ids)
	}
	if r, err := s.RedeemInvite(ctx, inv.Code, 5001, tSteps); err != nil || r.Beneficiary.ID != p.ID {
		t.Fatalf("redeem %+v %v", r, err)
	}
	if _, err := s.CreatePlan(ctx, stepsPlan(), tSteps, time.Hour); err == nil {
		t.Fatal("a plan created whole is created again")
	}
}

// A redemption cut short after the code was used up (profile not linked,
// no Telegram link) is finished when the same user opens the code again,
// as a first redemption; anyone else is refused.
func TestRedeemCutShortIsFinishedBySameUser(t *testing.T) {
	ctx := context.Background()
	s := New(redistest.Client(t), Options{Keys: EphemeralKeyring()})
	inv, err := s.CreatePlan(ctx, stepsPlan(), tSteps, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := inviteClaim.Run(ctx, s.rdb, []string{s.k.invite(inv.Code)}, "5001", ms(tSteps), "beneficiary").Int(); err != nil || n != 1 {
		t.Fatalf("claim %d %v", n, err)
	}
	if _, err := s.RedeemInvite(ctx, inv.Code, 5002, tSteps); err != ErrInviteUsed {
		t.Fatalf("someone else: %v", err)
	}
	r, err := s.RedeemInvite(ctx, inv.Code, 5001, tSteps.Add(time.Minute))
	if err != nil || r.Again || r.Beneficiary.TelegramID != 5001 || r.Beneficiary.State != domain.StateActive {
		t.Fatalf("finished redemption %+v %v", r, err)
	}
	if b, err := s.BeneficiaryByTelegram(ctx, 5001); err != nil || b.ID != "moussa01" {
		t.Fatalf("telegram link %+v %v", b, err)
	}
	if r, err := s.RedeemInvite(ctx, inv.Code, 5001, tSteps.Add(2*time.Minute)); err != nil || !r.Again {
		t.Fatalf("again %+v %v", r, err)
	}
}

// An advisor invite used up but whose advisor was not recorded yet is
// finished by the same user.
func TestAdvisorRedeemCutShortIsFinished(t *testing.T) {
	ctx := context.Background()
	s := New(redistest.Client(t), Options{Keys: EphemeralKeyring()})
	inv, err := s.NewAdvisorInvite(ctx, 111, tSteps, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := inviteClaim.Run(ctx, s.rdb, []string{s.k.advInvite(inv.Code)}, "222", ms(tSteps), "by").Err(); err != nil {
		t.Fatal(err)
	}
	a, err := s.RedeemAdvisorInvite(ctx, inv.Code, 222, "Léa", tSteps)
	if err != nil || a.ID != 222 || a.Name != "Léa" {
		t.Fatalf("%+v %v", a, err)
	}
	if _, err := s.RedeemAdvisorInvite(ctx, inv.Code, 333, "Eve", tSteps); err != ErrInviteUsed {
		t.Fatalf("someone else: %v", err)
	}
}

// An advisor is pending a digest job from the script that creates them
// (no step between the record and the set); an advisor already there is
// not pending again, and the first advisor of an empty deployment marks
// the set complete.
func TestAdvisorCreatedIsPendingInTheSameStep(t *testing.T) {
	ctx := context.Background()
	s := New(redistest.Client(t), Options{Keys: EphemeralKeyring()})
	if ok, err := s.AdvisorsComplete(ctx); err != nil || ok {
		t.Fatalf("empty deployment complete: %v %v", ok, err)
	}
	for _, a := range []struct {
		id  int64
		put bool
	}{{1, false}, {2, true}, {1, false}, {2, true}} {
		var err error
		if a.put {
			err = s.PutAdvisor(ctx, &domain.Advisor{ID: a.id, Created: tSteps})
		} else {
			_, err = s.EnsureAdvisor(ctx, &domain.Advisor{ID: a.id, Created: tSteps})
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AdvisorsScheduled(ctx, a.id); err != nil { // scheduled at once
			t.Fatal(err)
		}
	}
	if ids, _, err := s.PendingAdvisors(ctx, 0, 10); err != nil || len(ids) != 0 {
		t.Fatalf("pending after advisors written again: %v %v", ids, err)
	}
	if ok, err := s.AdvisorsComplete(ctx); err != nil || !ok {
		t.Fatalf("complete after the first advisor: %v %v", ok, err)
	}
	if _, err := s.CreatePlan(ctx, stepsPlan(), tSteps, time.Hour); err != nil {
		t.Fatal(err)
	}
	if ids, _, err := s.PendingAdvisors(ctx, 0, 10); err != nil || len(ids) != 1 || ids[0] != 111 {
		t.Fatalf("pending after a plan for a new advisor: %v %v, want [111]", ids, err)
	}
}
