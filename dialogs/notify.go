package dialogs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/reminders"
	"suivi/store"
)

// notify turns an occurrence into the message(s) Suivi sends, queued in the
// outbox under the occurrence's key. It runs in the lane of the one the
// occurrence is about (onDue).
func (r *Router) notify(ctx context.Context, d reminders.Due) error {
	switch d.Kind {
	case reminders.KindReminder, reminders.KindNudge:
		return r.remind(ctx, d)
	case reminders.KindCheckin:
		return r.scheduledCheckin(ctx, d)
	case reminders.KindResume:
		return r.endPause(ctx, d)
	case reminders.KindAftercare:
		return r.aftercareCheckin(ctx, d)
	case reminders.KindRetention:
		return r.retentionEnd(ctx, d)
	case reminders.KindOverdue:
		return r.alertOverdue(ctx, d)
	case reminders.KindBrief:
		return r.brief(ctx, d)
	case reminders.KindDigest:
		return r.scheduledDigest(ctx, d)
	case reminders.KindRelease:
		return r.releaseNews(ctx, d)
	case reminders.KindGrace:
		return r.partGrace(ctx, d)
	}
	return fmt.Errorf("unknown kind %q", d.Kind)
}

// remind sends a step reminder (before the due date) or an overdue nudge
// (after it). A beneficiary's step comes with its one-tap actions; an
// advisor's step is a reminder to the advisor.
func (r *Router) remind(ctx context.Context, d reminders.Due) error {
	ben, s := d.Ben, d.Step
	if s.Owner == domain.OwnerAdvisor {
		// The advisor's own step: a reminder to them, with Fait and Reporter.
		chat := r.advisorChat(ctx, ben)
		kb, err := r.ownStepKeyboard(ctx, chat, ben, s)
		if err != nil {
			return err
		}
		_, err = r.news(ctx, bot.Outgoing{
			Key: d.Key, ChatID: chat, Silent: true, Keyboard: kb,
			Text: r.at(catalog.RemAdvisor, "name", ben.Name, "title", s.Title, "date", r.advTime(ben, s.Due)),
		}, prioStep, false)
		return err
	}
	lang := ben.Language
	T := func(k catalog.Key, kv ...any) string { return r.Catalog.T(lang, k, kv...) }
	date := r.Catalog.DateTime(lang, s.Due)
	var text string
	silent := false
	switch n := d.Occ.Local.Date.DaysUntil(s.Due.Date); {
	case d.Kind == reminders.KindNudge:
		text, silent = T(catalog.RemNudge, "title", s.Title, "date", date), true
	case n <= 0:
		text = T(catalog.RemToday, "title", s.Title, "date", date)
	case n == 1:
		text = T(catalog.RemTomorrow, "title", s.Title, "date", date)
	default:
		// Days ahead: not urgent, no notification sound.
		text, silent = T(catalog.RemBefore, "title", s.Title, "date", date, "n", n), true
	}
	if s.Objective != "" {
		text += "\n" + T(catalog.PlanObjective, "objective", s.Objective)
	}
	if d.Late {
		text += "\n\n" + T(catalog.RemLate)
		silent = true
	}
	kb := r.stepKeyboard(lang, s.ID)
	// A check-in of this week begun and left: one tap picks it up again.
	if c, err := r.Store.CheckIn(ctx, ben.ID, r.weekOf(ben, r.Now())); err == nil && c.Open() && c.Started() {
		kb = append(kb, r.continueButton(lang, c))
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	_, err := r.Outbox.Enqueue(ctx, bot.Outgoing{
		Key: d.Key, ChatID: ben.TelegramID, Text: text, Silent: silent, Keyboard: kb,
	})
	return err
}

// partGrace passes on what was answered of a check-in left unfinished,
// once its grace has passed without a new answer: once (its key, and the
// record's Partial), never for one completed meanwhile, within the
// advisor's working hours (news). A request for help was sent at once
// already.
func (r *Router) partGrace(ctx context.Context, d reminders.Due) error {
	c, err := r.Store.CheckIn(ctx, d.Ben.ID, d.Week)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := r.Now().UTC()
	at, ok := c.PartDue(r.CheckinGrace)
	if !ok || at.After(now) {
		// Completed or sent meanwhile; or answered again, and the new
		// grace is set (the answer's Sync).
		return nil
	}
	shares := d.Ben.Consent.Shares()
	part := *c
	part.Partial, part.PartialShared = now, shares
	// Queued first (its key dedupes it): if anything fails after, the
	// retry passes it on again, once.
	if err := r.forwardPart(ctx, d.Ben, d.Plan, &part); err != nil {
		return err
	}
	if _, err := r.Store.UpdateCheckIn(ctx, d.Ben.ID, d.Week, func(c *domain.CheckIn) error {
		if c.Partial.IsZero() && !c.Done() {
			c.Partial, c.PartialShared = now, shares
		}
		return nil
	}); err != nil {
		return err
	}
	r.Log.Info("unfinished check-in passed on", "beneficiary", d.Ben.ID, "week", string(d.Week), "shared", shares)
	// Another check-in may be waiting for its grace.
	return r.Sched.Sync(ctx, d.Ben.ID)
}

// scheduledCheckin starts the week's check-in at its scheduled time. A
// check-in already completed this week (with /progres) is not asked again.
func (r *Router) scheduledCheckin(ctx context.Context, d reminders.Due) error {
	ben, p := d.Ben, d.Plan
	if busy, err := r.onboarding(ctx, ben.ID); err != nil || busy {
		return err // not in the middle of the welcome: the next one will come
	}
	week := r.weekOf(ben, d.Occ.At)
	c, created, err := r.startCheckin(ctx, ben, p, week, false)
	if err != nil {
		return err
	}
	if !c.Open() {
		return nil
	}
	lang := ben.Language
	q, step := next(c, p)
	if q == "" {
		return nil
	}
	intro := catalog.CiIntro
	switch {
	case d.Kind == reminders.KindAftercare && d.Last:
		intro = catalog.CiIntroAftercareLast
	case d.Kind == reminders.KindAftercare:
		intro = catalog.CiIntroAftercare
	case !created && c.Started():
		// Begun earlier this week: it goes on where it stopped.
		intro = catalog.CiIntroResume
	case d.Late:
		intro = catalog.CiIntroLate
	}
	text, kb := r.checkinQuestion(lang, ben, c, p, q, step)
	_, err = r.Outbox.Enqueue(ctx, bot.Outgoing{
		Key: d.Key, ChatID: ben.TelegramID, Keyboard: kb,
		Text: r.Catalog.T(lang, intro, "name", ben.Name) + "\n\n" + text,
	})
	return err
}

// endPause follows a beneficiary again when their pause ends.
func (r *Router) endPause(ctx context.Context, d reminders.Due) error {
	ben, err := r.Store.UpdateBeneficiary(ctx, d.Ben.ID, func(b *domain.Beneficiary) error {
		if b.State == domain.StatePaused {
			b.State = domain.StateActive
			b.PausedUntil = time.Time{}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := r.Sched.Sync(ctx, ben.ID); err != nil {
		return err
	}
	_, err = r.Outbox.Enqueue(ctx, bot.Outgoing{Key: d.Key, ChatID: ben.TelegramID,
		Text: r.Catalog.T(ben.Language, catalog.ResumedAuto, "name", ben.Name)})
	return err
}

// markBlocked follows Telegram's word that a chat blocked the bot (403, or
// "kicked"), in that chat's lane: a beneficiary is marked blocked, their
// reminders stop, and their advisor is told once per blocking. Handled
// again after a failure, it finishes what the first attempt began.
func (r *Router) markBlocked(ctx context.Context, chat int64) error {
	ben, err := r.Store.BeneficiaryByTelegram(ctx, chat)
	if errors.Is(err, store.ErrNotFound) {
		r.Log.Warn("a chat that is not a beneficiary blocked the bot", "chat", chat)
		return nil
	}
	if err != nil {
		return err
	}
	ben, err = r.Store.UpdateBeneficiary(ctx, ben.ID, func(b *domain.Beneficiary) error {
		if b.State != domain.StateBlocked && b.State != domain.StateClosed {
			b.State = domain.StateBlocked
			b.Blocks++
		}
		return nil
	})
	if err != nil || ben.State != domain.StateBlocked {
		return err
	}
	r.Log.Warn("beneficiary blocked the bot", "beneficiary", ben.ID)
	if err := r.Sched.Sync(ctx, ben.ID); err != nil {
		return err
	}
	_, err = r.news(ctx, bot.Outgoing{
		Key: fmt.Sprintf("blocked:%s:%d", ben.ID, ben.Blocks), ChatID: r.advisorChat(ctx, ben),
		Text: r.at(catalog.AdvBlocked, "name", ben.Name),
	}, prioGone, false)
	return err
}

// onMembership follows Telegram's news of the bot being blocked ("kicked")
// or allowed again in a private chat.
func (r *Router) onMembership(ctx context.Context, u *models.ChatMemberUpdated) error {
	if u.Chat.Type != models.ChatTypePrivate {
		return nil
	}
	if u.NewChatMember.Type == models.ChatMemberTypeBanned {
		return r.markBlocked(ctx, u.Chat.ID)
	}
	return nil
}
