package dialogs

import (
	"testing"
	"time"

	"suivi/domain"
)

// Issue 13 (part a), at the dialogs' level.

// /pause understands what people type: tomorrow, a number of days, weeks
// or months, a weekday, a day and a month in words, as well as dates; and
// only days after today, within a year.
func TestParseUserDateNaturalForms(t *testing.T) {
	now := time.Date(2037, 3, 4, 15, 0, 0, 0, time.UTC) // a Wednesday
	day := func(m time.Month, d int) domain.Date { return domain.Date{Year: 2037, Month: m, Day: d} }
	for text, want := range map[string]domain.Date{
		"demain":             day(3, 5),
		"Demain":             day(3, 5),
		"après-demain":       day(3, 6),
		"tomorrow":           day(3, 5),
		"1 semaine":          day(3, 11),
		"une semaine":        day(3, 11),
		"2 semaines":         day(3, 18),
		"3 jours":            day(3, 7),
		"10 jours":           day(3, 14),
		"1 mois":             day(4, 4),
		"un mois":            day(4, 4),
		"2 weeks":            day(3, 18),
		"a week":             day(3, 11),
		"5 days":             day(3, 9),
		"lundi":              day(3, 9),
		"mercredi":           day(3, 11),
		"friday":             day(3, 6),
		"jusqu'au 24/12":     day(12, 24),
		"jusqu’à lundi":      day(3, 9),
		"24 décembre":        day(12, 24),
		"1er avril":          day(4, 1),
		"15 mars 2037":       day(3, 15),
		"24/12":              day(12, 24),
		"2037-03-20":         day(3, 20),
		"pendant 2 semaines": day(3, 18),
	} {
		got, ok := parseUserDate(text, now)
		if !ok || got != want {
			t.Errorf("%q: %v %v, want %v", text, got, ok, want)
		}
	}
	// A month after the 31st of January is the end of February.
	if got, ok := parseUserDate("1 mois", time.Date(2037, 1, 31, 12, 0, 0, 0, time.UTC)); !ok || got != (domain.Date{Year: 2037, Month: 2, Day: 28}) {
		t.Errorf("1 mois after 31/01: %v %v", got, ok)
	}
	for _, text := range []string{"", "bientôt", "0 jours", "2 ans", "13 mois", "400 jours", "hier", "31 février", "semaine", "-1 jours"} {
		if got, ok := parseUserDate(text, now); ok {
			t.Errorf("%q accepted: %v", text, got)
		}
	}
}
