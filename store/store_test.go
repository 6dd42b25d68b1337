package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/internal/redistest"
	"suivi/store"
)

func TestMain(m *testing.M) { redistest.Run(m) }

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	return store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
}

func samplePlan() *domain.Plan {
	p := &domain.Plan{
		Beneficiary: domain.Person{Name: "Moussa"},
		AdvisorID:   111,
		Steps:       []domain.Step{{Title: "Visite à la Mission Locale", Due: domain.DateTime{Date: domain.Date{Year: 2026, Month: 12, Day: 15}}}},
	}
	p.Normalize("Europe/Paris")
	return p
}

func TestCreatePlanAndRedeem(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	p := samplePlan()
	inv, err := s.CreatePlan(ctx, p, t0, 14*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || len(inv.Code) < 20 || strings.Contains(inv.Code, "_") {
		t.Fatalf("id %q code %q (a beneficiary code never holds '_': 'a_' starts advisor invites)", p.ID, inv.Code)
	}
	if !inv.Expires.Equal(t0.Add(14 * 24 * time.Hour)) {
		t.Fatalf("expires %v", inv.Expires)
	}
	got, err := s.Plan(ctx, p.ID)
	if err != nil || got.Steps[0].Title != "Visite à la Mission Locale" || got.Steps[0].ID != 1 {
		t.Fatalf("plan %+v %v", got, err)
	}
	if _, err := s.Advisor(ctx, 111); err != nil {
		t.Fatalf("advisor not registered: %v", err)
	}
	ids, _ := s.AdvisorBeneficiaries(ctx, 111)
	if len(ids) != 1 || ids[0] != p.ID {
		t.Fatalf("advisor list %v", ids)
	}

	// Unknown, then valid, then same user again (a retried update), then someone else.
	if _, err := s.RedeemInvite(ctx, "nope", 42, t0); !errors.Is(err, store.ErrInviteUnknown) {
		t.Fatalf("unknown code: %v", err)
	}
	r, err := s.RedeemInvite(ctx, inv.Code, 42, t0.Add(time.Hour))
	if err != nil || r.Again || r.Beneficiary.TelegramID != 42 || r.Beneficiary.State != domain.StateActive {
		t.Fatalf("redeem: %+v %v", r, err)
	}
	r, err = s.RedeemInvite(ctx, inv.Code, 42, t0.Add(2*time.Hour))
	if err != nil || !r.Again {
		t.Fatalf("redeem again: %+v %v", r, err)
	}
	if _, err := s.RedeemInvite(ctx, inv.Code, 43, t0.Add(2*time.Hour)); !errors.Is(err, store.ErrInviteUsed) {
		t.Fatalf("second user: %v", err)
	}
	b, err := s.BeneficiaryByTelegram(ctx, 42)
	if err != nil || b.ID != p.ID {
		t.Fatalf("by telegram: %+v %v", b, err)
	}
	if _, err := s.BeneficiaryByTelegram(ctx, 43); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stranger: %v", err)
	}
}

func TestInviteExpires(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	p := samplePlan()
	inv, err := s.CreatePlan(ctx, p, t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemInvite(ctx, inv.Code, 42, t0.Add(61*time.Minute)); !errors.Is(err, store.ErrInviteExpired) {
		t.Fatalf("expired: %v", err)
	}
	b, _ := s.Beneficiary(ctx, p.ID)
	if b.TelegramID != 0 || b.State != domain.StateInvited {
		t.Fatalf("expired code changed the beneficiary: %+v", b)
	}
}

func TestCreatePlanRejectsTakenID(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	p := samplePlan()
	p.ID = "moussa01"
	if _, err := s.CreatePlan(ctx, p, t0, time.Hour); err != nil {
		t.Fatal(err)
	}
	q := samplePlan()
	q.ID = "moussa01"
	if _, err := s.CreatePlan(ctx, q, t0, time.Hour); !errors.Is(err, store.ErrExists) {
		t.Fatalf("taken id: %v", err)
	}
	q.ID = "Bad Id!"
	if _, err := s.CreatePlan(ctx, q, t0, time.Hour); err == nil {
		t.Fatal("bad id accepted")
	}
}
