package dialogs

import (
	"context"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
)

// The beneficiary stays in control:
//
//	/pause [date]       no reminders nor check-ins until a date, or until /reprendre
//	/reprendre          back to the follow-up
//	/stop               nothing at all until /start (start.go)
//	/confidentialite    what the advisor sees, and whether answers are shared

// pause answers /pause: with a date, pause until then; without, ask for how long.
func (t *turn) pause(ctx context.Context, arg string) error {
	if !t.ben.Ended.IsZero() {
		return t.reply(ctx, t.t(catalog.ClosedNoPause), nil)
	}
	if arg != "" {
		d, ok := parseUserDate(arg, t.r.Now().In(t.ben.Location(t.r.DefaultZone)))
		if !ok {
			return t.reply(ctx, t.t(catalog.PauseBadDate), t.pauseKeyboard())
		}
		return t.pauseUntil(ctx, nil, &d)
	}
	return t.reply(ctx, t.t(catalog.PauseQ), t.pauseKeyboard())
}

func (t *turn) pauseKeyboard() bot.Keyboard {
	return bot.Keyboard{
		{btn(t.label(catalog.BtnPause1w), "pa", "1w"), btn(t.label(catalog.BtnPause2w), "pa", "2w"), btn(t.label(catalog.BtnPause1m), "pa", "1m")},
		{btn(t.label(catalog.BtnPauseOpen), "pa", "open")},
	}
}

// parseUserDate reads a date typed by a person: 2026-12-24, 24/12 or
// 24/12/2026. A day without a year is the next one to come. Only a day
// after today and within a year is accepted.
func parseUserDate(s string, now time.Time) (domain.Date, bool) {
	s = strings.TrimSpace(s)
	today := domain.DateOf(now)
	if d, err := domain.ParseDate(s); err == nil {
		return d, today.Before(d) && d.Before(today.AddDays(366))
	}
	for _, layout := range []string{"2/1/2006", "02/01/2006", "2/1", "02/01"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		d := domain.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
		if !strings.Contains(layout, "2006") {
			d.Year = today.Year
			if !today.Before(d) || !realDay(d) {
				d.Year++
			}
		}
		return d, realDay(d) && today.Before(d) && d.Before(today.AddDays(366))
	}
	return domain.Date{}, false
}

// realDay reports whether d is a day of the calendar (29/02 is not, in
// most years).
func realDay(d domain.Date) bool {
	return domain.DateOf(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)) == d
}

func (t *turn) pauseButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	if !t.ben.Ended.IsZero() {
		return false, "", nil
	}
	today := domain.DateOf(t.r.Now().In(t.ben.Location(t.r.DefaultZone)))
	var until *domain.Date
	switch parts[0] {
	case "1w", "2w":
		d := today.AddDays(map[string]int{"1w": 7, "2w": 14}[parts[0]])
		until = &d
	case "1m":
		d := domain.DateOf(time.Date(today.Year, today.Month+1, today.Day, 12, 0, 0, 0, time.UTC))
		until = &d
	case "open":
	default:
		return false, "", nil
	}
	return true, "", t.pauseUntil(ctx, m, until)
}

// pauseUntil pauses the follow-up until the morning of a date (nil: until
// /reprendre).
func (t *turn) pauseUntil(ctx context.Context, m *models.Message, until *domain.Date) error {
	loc := t.ben.Location(t.r.DefaultZone)
	b, err := t.r.Store.UpdateBeneficiary(ctx, t.ben.ID, func(b *domain.Beneficiary) error {
		b.State = domain.StatePaused
		b.PausedUntil = time.Time{}
		if until != nil {
			b.PausedUntil = until.At(loc, 8, 0).UTC()
		}
		return nil
	})
	if err != nil {
		return err
	}
	t.ben = b
	if err := t.r.Sched.Sync(ctx, b.ID); err != nil {
		return err
	}
	text := t.t(catalog.PausedOpen)
	if until != nil {
		text = t.t(catalog.Paused, "date", t.r.Catalog.Date(t.lang, *until))
	}
	if m != nil {
		return t.edit(ctx, m, text)
	}
	return t.reply(ctx, text, nil)
}

// resume answers /reprendre.
func (t *turn) resume(ctx context.Context) error {
	if t.ben.State != domain.StatePaused && t.ben.State != domain.StateStopped {
		if t.ben.State == domain.StateClosed {
			return t.reply(ctx, t.t(catalog.StartClosed, "name", t.ben.Name), nil)
		}
		return t.reply(ctx, t.t(catalog.NotPaused), nil)
	}
	if err := t.reactivate(ctx); err != nil {
		return err
	}
	if t.ben.State == domain.StateClosed {
		return t.reply(ctx, t.t(catalog.StartClosed, "name", t.ben.Name), nil)
	}
	return t.reply(ctx, t.t(catalog.Resumed), nil)
}

// privacy answers /confidentialite: what the advisor sees, and the choice.
func (t *turn) privacy(ctx context.Context) error {
	return t.reply(ctx, t.t(catalog.PrivacyShow, "status", t.consentText(t.ben.Consent)), bot.Keyboard{
		{btn(t.label(catalog.BtnConsentYes), "pv", "y")},
		{btn(t.label(catalog.BtnConsentNo), "pv", "n")},
	})
}

func (t *turn) consentText(c domain.Consent) string {
	switch c {
	case domain.ConsentYes:
		return t.t(catalog.ConsentShared)
	case domain.ConsentNo:
		return t.t(catalog.ConsentKept)
	}
	return t.t(catalog.ConsentUnset)
}

func (t *turn) privacyButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	c := map[string]domain.Consent{"y": domain.ConsentYes, "n": domain.ConsentNo}[parts[0]]
	if c == "" {
		return false, "", nil
	}
	now := t.r.Now()
	b, err := t.r.Store.UpdateBeneficiary(ctx, t.ben.ID, func(b *domain.Beneficiary) error {
		b.SetConsent(c, now, domain.ConsentViaSettings)
		return nil
	})
	if err != nil {
		return true, "", err
	}
	t.ben = b
	return true, "", t.edit(ctx, m, t.t(catalog.PrivacyChanged, "status", t.consentText(c)))
}
