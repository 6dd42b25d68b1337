package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"suivi/store"
)

// A new invite revokes the ones before (refused as expired, nothing
// linked); the same request gets the same invite; someone who has joined
// gets none.
func TestNewInviteRevokesTheOldOnes(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	p := samplePlan()
	p.ID = "awa2027"
	first, err := s.CreatePlan(ctx, p, t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.NewInvite(ctx, p.ID, "u42", t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.NewInvite(ctx, p.ID, "u42", t0.Add(time.Minute), time.Hour); err != nil || again != second {
		t.Fatalf("the same request: %+v %v, want %+v", again, err, second)
	}
	third, err := s.NewInvite(ctx, p.ID, "", t0, time.Hour)
	if err != nil || third.Code == second.Code {
		t.Fatalf("another invite: %+v %v", third, err)
	}
	for _, old := range []store.Invite{first, second} {
		if _, err := s.RedeemInvite(ctx, old.Code, 501, t0); !errors.Is(err, store.ErrInviteExpired) {
			t.Errorf("an old invite: %v, want ErrInviteExpired", err)
		}
	}
	if _, err := s.BeneficiaryByTelegram(ctx, 501); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an old invite linked someone: %v", err)
	}
	if r, err := s.RedeemInvite(ctx, third.Code, 502, t0); err != nil || r.Beneficiary.TelegramID != 502 {
		t.Fatalf("the newest invite: %+v %v", r, err)
	}
	if _, err := s.NewInvite(ctx, p.ID, "", t0, time.Hour); !errors.Is(err, store.ErrJoined) {
		t.Errorf("an invite after joining: %v, want ErrJoined", err)
	}
}
