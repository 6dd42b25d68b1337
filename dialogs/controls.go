package dialogs

import (
	"context"
	"strconv"
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
// 24/12/2026; "24 décembre" (1er, a year, English month names too);
// "demain", "après-demain"; a number of days, weeks or months ("1 semaine",
// "une semaine", "10 jours", "2 weeks"); a weekday ("lundi": the next one).
// "jusqu'au", "pendant" and the like before it are fine. A day without a
// year is the next one to come. Only a day after today and within a year
// is accepted.
func parseUserDate(s string, now time.Time) (domain.Date, bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "’", "'"))
	for _, p := range []string{"jusqu'au ", "jusqu'à ", "jusqu'a ", "pendant ", "pour ", "until ", "till ", "for ", "au ", "le "} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	today := domain.DateOf(now)
	ok := func(d domain.Date) bool { return realDay(d) && today.Before(d) && d.Before(today.AddDays(366)) }
	if d, found := spokenDate(s, today); found {
		return d, ok(d)
	}
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

// spokenDate reads the forms of a date in words (see parseUserDate), in
// lower case;
// found is false for anything else (a date in figures, say). The date
// found is not checked.
func spokenDate(s string, today domain.Date) (d domain.Date, found bool) {
	switch s {
	case "demain", "tomorrow":
		return today.AddDays(1), true
	case "après-demain", "apres-demain", "après demain", "apres demain":
		return today.AddDays(2), true
	}
	if wd, isDay := weekdays()[s]; isDay {
		n := (int(wd) - int(today.Weekday()) + 7) % 7
		if n == 0 {
			n = 7
		}
		return today.AddDays(n), true
	}
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 3 {
		return domain.Date{}, false
	}
	if m, isMonth := monthNames()[strings.TrimSuffix(f[1], ".")]; isMonth {
		// "24 décembre", "1er avril 2038"
		day, err := strconv.Atoi(strings.TrimSuffix(f[0], "er"))
		if err != nil || day < 1 || day > 31 {
			return domain.Date{}, false
		}
		d := domain.Date{Year: today.Year, Month: m, Day: day}
		if len(f) == 3 {
			y, err := strconv.Atoi(f[2])
			if err != nil {
				return domain.Date{}, false
			}
			d.Year = y
		} else if !today.Before(d) {
			d.Year++
		}
		return d, true
	}
	if len(f) != 2 {
		return domain.Date{}, false
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		w, isWord := map[string]int{"un": 1, "une": 1, "a": 1, "an": 1, "one": 1, "deux": 2, "two": 2, "trois": 3, "three": 3}[f[0]]
		if !isWord {
			return domain.Date{}, false
		}
		n = w
	}
	if n < 1 || n > 366 {
		return domain.Date{}, false
	}
	switch f[1] {
	case "jour", "jours", "day", "days":
		return today.AddDays(n), true
	case "semaine", "semaines", "week", "weeks":
		return today.AddDays(7 * n), true
	case "mois", "month", "months":
		return addMonths(today, n), true
	}
	return domain.Date{}, false
}

// addMonths moves a date by n months, to the last day of the month when
// the day is not in it (31 January + 1 month: 28 February).
func addMonths(d domain.Date, n int) domain.Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return domain.Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}

// weekdays are the days of the week as people type them.
func weekdays() map[string]time.Weekday {
	return map[string]time.Weekday{
		"lundi": time.Monday, "mardi": time.Tuesday, "mercredi": time.Wednesday, "jeudi": time.Thursday,
		"vendredi": time.Friday, "samedi": time.Saturday, "dimanche": time.Sunday,
		"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
		"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
	}
}

// monthNames are the months as people type them, in full or short.
func monthNames() map[string]time.Month {
	m := map[string]time.Month{}
	for i, names := range [][]string{
		{"janvier", "janv", "january", "jan"}, {"février", "fevrier", "févr", "fevr", "february", "feb"},
		{"mars", "march", "mar"}, {"avril", "avr", "april", "apr"}, {"mai", "may"}, {"juin", "june", "jun"},
		{"juillet", "juil", "july", "jul"}, {"août", "aout", "august", "aug"},
		{"septembre", "sept", "september", "sep"}, {"octobre", "oct", "october"},
		{"novembre", "nov", "november"}, {"décembre", "decembre", "déc", "dec", "december"},
	} {
		for _, n := range names {
			m[n] = time.Month(i + 1)
		}
	}
	return m
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
