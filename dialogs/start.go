package dialogs

import (
	"context"
	"errors"

	"suivi/catalog"
	"suivi/store"
)

// start answers /start, with or without an invite code.
//
//   - With a valid code: the Telegram user becomes the invited beneficiary
//     and is greeted. The code is used up.
//   - With a used, expired or unknown code: a friendly explanation; nothing
//     changes.
//   - Without a code: a known beneficiary is greeted again; a stranger
//     learns what Suivi is and that an advisor gives the link.
func (t *turn) start(ctx context.Context, code string) error {
	if code == "" {
		switch t.role {
		case beneficiary:
			return t.reply(ctx, t.t(catalog.StartAgain, "name", t.ben.Name), nil)
		case advisor:
			return t.reply(ctx, t.t(catalog.HelpAdvisor), nil)
		}
		return t.reply(ctx, t.t(catalog.StartStranger), nil)
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
	return t.reply(ctx, t.t(catalog.StartWelcome, "name", t.ben.Name), nil)
}
