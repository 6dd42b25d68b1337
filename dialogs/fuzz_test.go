package dialogs

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"suivi/domain"
)

// The parsers of what people type. Each fuzz test states what its parser
// promises for any input; the seed corpus runs with the normal tests. Run a
// fuzzer with, for instance,
//
//	go test -run '^$' -fuzz FuzzParseStepLines -fuzztime 30s ./dialogs/

// FuzzParseStepLines: the steps read from pasted lines pass the plan's
// rules (and so export and import); each line is either a step or named
// as bad.
func FuzzParseStepLines(f *testing.F) {
	for _, s := range []string{
		"15/01 Visite à la Mission Locale\n- 24/12 14h30 [conseiller] Appeler le Greta",
		"31/02 Impossible\n03/03/2038 (c) Dossier CPAM\nsans date",
		"15/12 Titre\x11 de l'étape",
		"15/12 Titre\x7f",
		"15/12 Titre\u0085 suivant",
		"15/12/9999 Dans très longtemps",
		"15/12/1999 Il y a longtemps",
		"15/12 23:59 Tard",
		"15/12 " + strings.Repeat("é", 201),
		"15/12 \xff\xfe",
		"1/1 [conseiller]",
		"• 02/02 (conseillère) Rappeler",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		steps, bad := parseStepLines(text, fuzzNow)
		lines := 0
		for _, l := range strings.Split(text, "\n") {
			if strings.TrimSpace(strings.TrimLeft(l, "-•* ")) != "" {
				lines++
			}
		}
		if len(steps)+len(bad) != lines {
			t.Fatalf("%d steps and %d bad lines for %d lines", len(steps), len(bad), lines)
		}
		for _, s := range steps {
			if err := domain.ValidTitle(s.Title); err != nil {
				t.Fatalf("title %q: %v", s.Title, err)
			}
			if err := domain.ValidDateTime(s.Due); err != nil {
				t.Fatalf("due %v: %v", s.Due, err)
			}
		}
		roundTrip(t, fuzzPlan(steps, nil))
	})
}

// FuzzParseMeetings: meetings read from a typed list are valid dates of the
// plan, in order, at most MaxMeetings.
func FuzzParseMeetings(f *testing.F) {
	for _, s := range []string{"10/01 10:00, 24/12 14h30; 32/01", "15/04/2999", "29/02/2040 9h", "1/1/00", "15/12 24:00", "\n,;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ms, _ := parseMeetings(text, fuzzNow)
		if len(ms) > domain.MaxMeetings {
			t.Fatalf("%d meetings", len(ms))
		}
		for i, m := range ms {
			if err := domain.ValidDateTime(m); err != nil {
				t.Fatalf("meeting %v: %v", m, err)
			}
			if i > 0 && m.String() < ms[i-1].String() {
				t.Fatalf("meetings out of order: %v", ms)
			}
		}
		roundTrip(t, fuzzPlan(nil, ms))
	})
}

// FuzzParseUserDate: a pause date is a real day after today and within a
// year, whatever is typed.
func FuzzParseUserDate(f *testing.F) {
	for _, s := range []string{"24/12", "19/12", "2037-12-01", "9999-12-31", "2038-12-19", "29/02", "31/04/2038", " 1/1 ", "01/01/2038"} {
		f.Add(s)
	}
	today := domain.DateOf(fuzzNow)
	f.Fuzz(func(t *testing.T, text string) {
		d, ok := parseUserDate(text, fuzzNow)
		if !ok {
			return
		}
		if !today.Before(d) || !d.Before(today.AddDays(366)) {
			t.Fatalf("%q gave %v, not after today (%v) and within a year", text, d, today)
		}
		if back := domain.DateOf(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)); back != d {
			t.Fatalf("%q gave %v, not a real day", text, d)
		}
	})
}

// FuzzCallbackParts: any callback data splits without panic; what a
// button of ours can carry comes back as the parts data joined, anything
// else routes nowhere.
func FuzzCallbackParts(f *testing.F) {
	for _, s := range []string{"ci:2026-W48:s:4", "av:k3:rv:s:2", "go:progres", "", ":", "::::", strings.Repeat("a", 65), "ob:\xff:x", "pa:1w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts := callbackParts(s)
		if len(parts) == 0 {
			t.Fatal("no parts")
		}
		carried := s != "" && len(s) <= maxCallbackData && utf8.ValidString(s)
		if !carried {
			if len(parts) != 1 || parts[0] != "" {
				t.Fatalf("forged data %q routes to %q", s, parts)
			}
			return
		}
		args := make([]any, len(parts))
		for i, p := range parts {
			args[i] = p
		}
		if back := data(args...); back != s {
			t.Fatalf("%q split into %q, joined back into %q", s, parts, back)
		}
	})
}

// FuzzParseZone: a typed zone is accepted only as an IANA zone the plan's
// rules accept, short enough to show.
func FuzzParseZone(f *testing.F) {
	for _, s := range []string{"Europe/Paris", " America/Cayenne ", "UTC", "Local", "Paris", "Europe/Nowhere", "../../etc/passwd", "Europe/Paris\x00", strings.Repeat("A/", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		name, ok := parseZone(text)
		if !ok {
			return
		}
		if len(name) > 64 || domain.ValidTimezone(name) != nil {
			t.Fatalf("%q accepted as zone %q", text, name)
		}
		if _, err := time.LoadLocation(name); err != nil {
			t.Fatalf("%q accepted, but: %v", name, err)
		}
	})
}
