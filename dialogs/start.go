package dialogs

import (
	"context"
	"errors"
	"strings"
	"time"

	"suivi/catalog"
	"suivi/domain"
	"suivi/store"
)

// start answers /start, with or without an invite code.
//
//   - With a valid code: the Telegram user becomes the invited beneficiary,
//     is welcomed, and onboarding begins. The code is used up.
//   - With a used, expired or unknown code: a friendly explanation; nothing
//     changes.
//   - Without a code: a beneficiary who had stopped or paused is followed
//     again; a known one is greeted; a stranger learns what Suivi is and
//     that an advisor gives the link.
func (t *turn) start(ctx context.Context, code string) error {
	if code == "" {
		switch t.role {
		case beneficiary:
			return t.restart(ctx)
		case advisor:
			return t.reply(ctx, t.t(catalog.HelpAdvisor), nil)
		}
		return t.reply(ctx, t.t(catalog.StartStranger), nil)
	}
	if strings.HasPrefix(code, "a_") {
		return t.joinAsAdvisor(ctx, code)
	}
	red, err := t.r.Store.RedeemInvite(ctx, code, t.user.ID, t.r.Now())
	switch {
	case errors.Is(err, store.ErrInviteUsed):
		return t.reply(ctx, t.t(catalog.InviteUsed), nil)
	case errors.Is(err, store.ErrInviteExpired):
		return t.reply(ctx, t.t(catalog.InviteExpired), nil)
	case errors.Is(err, store.ErrInviteUnknown):
		return t.reply(ctx, t.t(catalog.InviteUnknown), nil)
	case errors.Is(err, store.ErrAlreadyLinked):
		return t.reply(ctx, t.t(catalog.InviteOtherPlan), nil)
	case err != nil:
		return err
	}
	t.ben, t.role, t.lang = red.Beneficiary, beneficiary, red.Beneficiary.Language
	if !red.Again {
		t.r.Log.Info("beneficiary joined", "beneficiary", t.ben.ID, "advisor", t.ben.AdvisorID)
	}
	if err := t.r.Sched.Sync(ctx, t.ben.ID); err != nil {
		return err
	}
	return t.beginOnboarding(ctx, false)
}

// restart follows again a beneficiary who sent /stop or paused, or greets one
// who is already followed.
func (t *turn) restart(ctx context.Context) error {
	switch t.ben.State {
	case domain.StateStopped, domain.StatePaused, domain.StateBlocked:
		b, err := t.r.Store.UpdateBeneficiary(ctx, t.ben.ID, func(b *domain.Beneficiary) error {
			b.State = domain.StateActive
			b.PausedUntil = time.Time{}
			return nil
		})
		if err != nil {
			return err
		}
		t.ben = b
		if err := t.r.Sched.Sync(ctx, b.ID); err != nil {
			return err
		}
		return t.reply(ctx, t.t(catalog.StartBack, "name", b.Name), nil)
	case domain.StateClosed:
		return t.reply(ctx, t.t(catalog.StartClosed, "name", t.ben.Name), nil)
	}
	return t.reply(ctx, t.t(catalog.StartAgain, "name", t.ben.Name), nil)
}

// stop answers /stop: no message from Suivi until /start.
func (t *turn) stop(ctx context.Context) error {
	b, err := t.r.Store.UpdateBeneficiary(ctx, t.ben.ID, func(b *domain.Beneficiary) error {
		if b.State == domain.StateActive || b.State == domain.StatePaused {
			b.State = domain.StateStopped
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := t.r.Sched.Sync(ctx, b.ID); err != nil {
		return err
	}
	return t.reply(ctx, t.t(catalog.Stopped), nil)
}
