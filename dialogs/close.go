package dialogs

import (
	"context"
	"strings"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/reminders"
)

// Ending an accompaniment (/cloturer NOM): after a confirmation, the
// beneficiary is told; their step reminders stop; a check-in comes once a
// month for six months (the last one at six months, like the bilan's
// "suivi post-bilan"), and nothing after it; then, after the retention
// period, everything Suivi kept about them is deleted.

func (t *turn) askClose(ctx context.Context, b *domain.Beneficiary) error {
	if b.State == domain.StateClosed {
		return t.areply(ctx, t.at(catalog.CloseAlready, "name", b.Name), nil)
	}
	ok, err := t.r.benButton(ctx, t.adv.ID, b.ID, t.alabel(catalog.BtnCloseOK, "name", b.Name), "closeok")
	if err != nil {
		return err
	}
	return t.areply(ctx, t.at(catalog.CloseAsk, "name", b.Name), bot.Keyboard{{ok}})
}

func (t *turn) closeAccompaniment(ctx context.Context, m *models.Message, b *domain.Beneficiary) error {
	now := t.r.Now().UTC()
	b, err := t.r.Store.UpdateBeneficiary(ctx, b.ID, func(b *domain.Beneficiary) error {
		if b.State != domain.StateClosed {
			b.State, b.Ended = domain.StateClosed, now
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := t.r.saveState(ctx, b.ID, nil); err != nil {
		return err
	}
	if err := t.r.Sched.Sync(ctx, b.ID); err != nil {
		return err
	}
	_ = t.r.Send.EditKeyboard(ctx, t.chat, m.ID, nil)
	loc := b.Location(t.r.DefaultZone)
	deletion := t.r.Catalog.Date(b.Language, domain.DateOf(b.Ended.AddDate(0, t.r.RetentionMonths, 0).In(loc)))
	if b.TelegramID != 0 && b.State != domain.StateBlocked {
		if _, err := t.r.Outbox.Enqueue(ctx, bot.Outgoing{
			Key: "closed:" + b.ID, ChatID: b.TelegramID,
			Text: t.r.Catalog.T(b.Language, catalog.ClosedNotice, "name", b.Name, "date", deletion),
		}); err != nil {
			return err
		}
	}
	var dates []string
	for _, d := range reminders.AftercareDates(b.Ended, loc) {
		dates = append(dates, t.r.Catalog.Date(advisorLang, d))
	}
	return t.areply(ctx, t.at(catalog.CloseDone, "name", b.Name, "dates", strings.Join(dates, ", "),
		"deletion", t.r.Catalog.Date(advisorLang, domain.DateOf(b.Ended.AddDate(0, t.r.RetentionMonths, 0).In(loc)))), nil)
}
