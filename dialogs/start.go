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
//   - From an advisor, with a beneficiary's code: refused kindly; the code
//     stays as it was, for the person it was made for.
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
			t.publishAdvisorMenu(ctx)
			if strings.TrimSpace(t.adv.Name) == "" {
				// Their first /start: how people will call them.
				return t.askAdvisorName(ctx)
			}
			return t.reply(ctx, t.advisorHelp(), nil)
		}
		// The id lets an advisor be registered (SUIVI_ADMIN_IDS, suivi
		// advisor add) without looking it up elsewhere.
		return t.reply(ctx, t.t(catalog.StartStranger)+"\n\n"+t.t(catalog.StartYourID, "id", t.user.ID), nil)
	}
	if strings.HasPrefix(code, "a_") {
		return t.joinAsAdvisor(ctx, code)
	}
	if t.adv != nil {
		// An advisor trying the link given to someone: it stays theirs,
		// untouched (not even looked up).
		return t.reply(ctx, t.t(catalog.InviteForBeneficiary), nil)
	}
	red, err := t.r.Store.RedeemInvite(ctx, code, t.user.ID, t.r.Now())
	if err != nil {
		return t.inviteRefused(ctx, err)
	}
	t.ben, t.role, t.lang = red.Beneficiary, beneficiary, red.Beneficiary.Language
	if !red.Again {
		t.r.Log.Info("beneficiary joined", "beneficiary", t.ben.ID, "advisor", t.ben.AdvisorID)
	}
	if err := t.r.Sched.Sync(ctx, t.ben.ID); err != nil {
		return err
	}
	if err := t.r.Sched.EnsureAdvisor(ctx, t.ben.AdvisorID); err != nil {
		return err
	}
	return t.beginOnboarding(ctx, false)
}

// inviteRefused explains why an invite code did nothing (used, expired,
// unknown, or the person already follows another plan).
func (t *turn) inviteRefused(ctx context.Context, err error) error {
	for _, c := range []struct {
		err error
		key catalog.Key
	}{
		{store.ErrInviteUsed, catalog.InviteUsed},
		{store.ErrInviteExpired, catalog.InviteExpired},
		{store.ErrInviteUnknown, catalog.InviteUnknown},
		{store.ErrAlreadyLinked, catalog.InviteOtherPlan},
	} {
		if errors.Is(err, c.err) {
			return t.reply(ctx, t.t(c.key), nil)
		}
	}
	return err
}

// reactivate follows a beneficiary again (after /stop, a pause or a block)
// and reschedules their reminders.
func (t *turn) reactivate(ctx context.Context) error {
	b, err := t.r.Store.UpdateBeneficiary(ctx, t.ben.ID, func(b *domain.Beneficiary) error {
		b.State, b.PausedUntil = domain.StateActive, time.Time{}
		if !b.Ended.IsZero() {
			b.State = domain.StateClosed // the accompaniment stays ended
		}
		return nil
	})
	if err != nil {
		return err
	}
	t.ben = b
	return t.r.Sched.Sync(ctx, b.ID)
}

// restart follows again a beneficiary who sent /stop or paused, or greets one
// who is already followed.
func (t *turn) restart(ctx context.Context) error {
	switch t.ben.State {
	case domain.StateStopped, domain.StatePaused, domain.StateBlocked:
		if err := t.reactivate(ctx); err != nil {
			return err
		}
		if t.ben.State == domain.StateClosed {
			return t.reply(ctx, t.t(catalog.StartClosed, "name", t.ben.Name), nil)
		}
		return t.reply(ctx, t.t(catalog.StartBack, "name", t.ben.Name), nil)
	case domain.StateClosed:
		return t.reply(ctx, t.t(catalog.StartClosed, "name", t.ben.Name), nil)
	}
	return t.reply(ctx, t.t(catalog.StartAgain, "name", t.ben.Name), nil)
}

// stop answers /stop: no message from Suivi until /start.
func (t *turn) stop(ctx context.Context) error {
	b, err := t.r.Store.UpdateBeneficiary(ctx, t.ben.ID, func(b *domain.Beneficiary) error {
		switch b.State {
		case domain.StateActive, domain.StatePaused, domain.StateClosed:
			b.State = domain.StateStopped // an ended accompaniment keeps its end date
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
