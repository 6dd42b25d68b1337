package dialogs

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/reminders"
	"suivi/store"
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

// confirmClose answers the advisor's confirmation: the accompaniment is
// closed in the beneficiary's lane (closeAccompaniment), which tells both.
func (t *turn) confirmClose(ctx context.Context, m *models.Message, b *domain.Beneficiary) error {
	_ = t.r.Send.EditKeyboard(ctx, t.chat, m.ID, nil)
	return t.r.push(ctx, b, fmt.Sprintf("close:%s:%d", b.ID, t.upd.ID), evClose, advisorAct{Advisor: t.adv.ID, Ben: b.ID})
}

// closeAccompaniment ends an accompaniment: after-care check-ins follow,
// then deletion after the retention period.
func (r *Router) closeAccompaniment(ctx context.Context, ev *store.Event, adv *domain.Advisor, b *domain.Beneficiary) error {
	now := r.Now().UTC()
	b, err := r.Store.UpdateBeneficiary(ctx, b.ID, func(b *domain.Beneficiary) error {
		if b.State != domain.StateClosed {
			b.State, b.Ended = domain.StateClosed, now
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := r.saveState(ctx, b.ID, nil); err != nil {
		return err
	}
	if err := r.Sched.Sync(ctx, b.ID); err != nil {
		return err
	}
	loc := b.Location(r.DefaultZone)
	deletion := domain.DateOf(b.Ended.AddDate(0, r.RetentionMonths, 0).In(loc))
	if b.TelegramID != 0 && b.State != domain.StateBlocked {
		if _, err := r.Outbox.Enqueue(ctx, bot.Outgoing{
			Key: "closed:" + b.ID, ChatID: b.TelegramID,
			Text: r.Catalog.T(b.Language, catalog.ClosedNotice, "name", b.Name, "date", r.Catalog.Date(b.Language, deletion)),
		}); err != nil {
			return err
		}
	}
	var dates []string
	for _, d := range reminders.AftercareDates(b.Ended, loc) {
		dates = append(dates, r.Catalog.Date(advisorLang, d))
	}
	return r.tellAdvisor(ctx, ev, adv.ID, r.at(catalog.CloseDone, "name", b.Name, "dates", strings.Join(dates, ", "),
		"deletion", r.Catalog.Date(advisorLang, deletion)))
}
