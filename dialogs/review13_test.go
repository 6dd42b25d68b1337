package dialogs

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/catalog"
	"suivi/domain"
	"suivi/store"
)

// Review 13, finding 2: a desk form whose plan id is another advisor's plan
// is refused, and that person's link keeps working.
func TestDeskNewPlanRefusesAnotherAdvisorsPlanID(t *testing.T) {
	h := newHarness(t)
	p := &domain.Plan{ID: "dupont24", Beneficiary: domain.Person{Name: "Léa", Timezone: "Europe/Paris", Language: domain.French}, AdvisorID: 777,
		Steps: []domain.Step{step("CV", "2031-06-20", domain.OwnerBeneficiary)}}
	p.Normalize("Europe/Paris")
	old, err := h.st.CreatePlan(h.ctx, p, h.clk.Now(), 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	intruder := &domain.Advisor{ID: adviserID}
	inv, err := h.r.DeskNewPlan(h.ctx, intruder, "upont24", "X", "", []domain.Step{step("Y", "2031-06-20", domain.OwnerBeneficiary)})
	if err == nil {
		t.Fatalf("advisor %d got an invite (%s) for advisor 777's person", adviserID, inv.BenID)
	}
	if !errors.Is(err, store.ErrExists) {
		t.Errorf("err = %v, want store.ErrExists", err)
	}
	if _, err := h.st.RedeemInvite(h.ctx, old.Code, 9999, h.clk.Now()); err != nil {
		t.Errorf("the person's own link was revoked: %v", err)
	}
}

// The same advisor's other form with a taken id is refused too; the same
// form sent again gets the same invite (not a new one that revokes it).
func TestDeskNewPlanSameFormAgainSameInvite(t *testing.T) {
	h := newHarness(t)
	adv := &domain.Advisor{ID: adviserID}
	steps := []domain.Step{step("CV", "2031-06-20", domain.OwnerBeneficiary)}
	first, err := h.r.DeskNewPlan(h.ctx, adv, "form42", "Léa", "", steps)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.r.DeskNewPlan(h.ctx, adv, "form42", "Léa", "", steps)
	if err != nil {
		t.Fatal(err)
	}
	if again.Link != first.Link || again.BenID != first.BenID {
		t.Errorf("the same form sent again: link %s, want %s", again.Link, first.Link)
	}
	// Another of this advisor's plans, under an id a form could name.
	other := &domain.Plan{ID: "dform43", Beneficiary: domain.Person{Name: "Awa", Timezone: "Europe/Paris", Language: domain.French}, AdvisorID: adviserID, Steps: steps}
	other.Normalize("Europe/Paris")
	otherInv, err := h.st.CreatePlan(h.ctx, other, h.clk.Now(), 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.r.DeskNewPlan(h.ctx, adv, "form43", "X", "", steps); !errors.Is(err, store.ErrExists) {
		t.Errorf("a form naming a plan it did not make: err = %v, want store.ErrExists", err)
	}
	if _, err := h.st.RedeemInvite(h.ctx, otherInv.Code, 9998, h.clk.Now()); err != nil {
		t.Errorf("the other plan's link was revoked: %v", err)
	}
}

// welcomingAgain is a person who began a check-in (/progres), then opened
// their invite again: the welcome starts over, the check-in's buttons are
// still in the chat.
func welcomingAgain(t *testing.T, h *harness, id int64) *person {
	t.Helper()
	pl := &domain.Plan{Beneficiary: domain.Person{Name: "Awa", Timezone: "Europe/Paris", Language: domain.French}, AdvisorID: adviserID,
		Steps: []domain.Step{step("CV", "2031-06-20", domain.OwnerBeneficiary)}}
	pl.Normalize("Europe/Paris")
	inv, err := h.st.CreatePlan(h.ctx, pl, h.clk.Now(), time.Hour*72)
	if err != nil {
		t.Fatal(err)
	}
	p := &person{h: h, id: id, ben: pl.ID}
	if _, err := h.st.RedeemInvite(h.ctx, inv.Code, p.id, h.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.UpdateBeneficiary(h.ctx, pl.ID, func(b *domain.Beneficiary) error {
		b.Onboarded, b.Consent, b.State = h.clk.Now(), domain.ConsentYes, domain.StateActive
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p.says("/progres")
	p.says("/start " + inv.Code)
	if st := h.state(p); !welcoming(st) {
		t.Fatalf("not welcoming: %+v", st)
	}
	return p
}

// Review 13, finding 7: a check-in's answer button pressed in the welcome
// asks to finish the welcome first and keeps it.
func TestCheckinButtonDuringWelcomeKeepsIt(t *testing.T) {
	h := newHarness(t)
	p := welcomingAgain(t, h, 86)
	p.presses(label(catalog.Score4))
	if st := h.state(p); !welcoming(st) {
		t.Errorf("a check-in button cut the welcome short: flow=%s", st.Flow)
	}
	if !h.saysSomething(p.id, "Finissons d'abord") {
		t.Errorf("the person was not asked to finish the welcome first:\n%s", h.chat(p.id))
	}
}

// The "continue the check-in" button too.
func TestCheckinContinueDuringWelcomeKeepsIt(t *testing.T) {
	h := newHarness(t)
	p := welcomingAgain(t, h, 87)
	b, err := h.st.Beneficiary(h.ctx, p.ben)
	if err != nil {
		t.Fatal(err)
	}
	u := h.update()
	u.CallbackQuery = &models.CallbackQuery{ID: fmt.Sprint(u.ID), From: models.User{ID: p.id},
		Data:    data("ci", h.r.weekOf(b, h.clk.Now()), ciContinue),
		Message: models.MaybeInaccessibleMessage{Message: &models.Message{ID: 1, Chat: models.Chat{ID: p.id, Type: models.ChatTypePrivate}}}}
	if err := h.r.HandleUpdate(h.ctx, u); err != nil {
		t.Fatal(err)
	}
	if st := h.state(p); !welcoming(st) {
		t.Errorf("the continue button cut the welcome short: flow=%s", st.Flow)
	}
}
