package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"suivi/internal/clock"
	"suivi/telegramtest"
)

// monthPlan is a 5-step plan around the last Sunday of March 2027 (the
// switch to summer time in Europe/Paris), for a beneficiary in zone tz.
func monthPlan(name, tz string) string {
	return fmt.Sprintf(`beneficiary: {name: %s, timezone: %s}
advisor: %d
steps:
  - {title: "Visite à la Mission Locale", due: 2027-03-17}
  - {title: "Refaire son CV", due: 2027-03-26}
  - {title: "S'inscrire aux cours de FLE", due: 2027-03-29}
  - {title: "Dossier CléA", due: 2027-04-02}
  - {title: "Atelier simulation d'entretien", due: "2027-04-06T07:30", reminders: ["-1d", "-2h"]}
`, name, tz, advisorID)
}

var monthTitles = []string{"Visite à la Mission Locale", "Refaire son CV", "S'inscrire aux cours de FLE", "Dossier CléA", "Atelier simulation d'entretien"}

// sent is one message as the beneficiary received it.
type sent struct {
	kind  string // reminder, nudge, checkin
	title string
	at    time.Time
}

func (s sent) String() string {
	return fmt.Sprintf("%s %q %s", s.kind, s.title, s.at.UTC().Format(time.RFC3339))
}

// classify reads what a bot message is.
func classify(t *testing.T, m telegramtest.Message) sent {
	t.Helper()
	s := sent{at: m.Date}
	switch {
	case strings.Contains(m.PlainText, "C'est le moment de faire le point"):
		s.kind = "checkin"
		return s
	case strings.Contains(m.PlainText, "C'était prévu"):
		s.kind = "nudge"
	case strings.Contains(m.PlainText, "⏰"):
		s.kind = "reminder"
	default:
		t.Fatalf("unexpected message at %s: %q", m.Date, m.PlainText)
	}
	for _, title := range monthTitles {
		if strings.Contains(m.PlainText, title) {
			s.title = title
		}
	}
	return s
}

// expectedMonth lists, computed independently of Suivi's code, every
// message the month plan must bring between the join and the end.
func expectedMonth(loc *time.Location) []sent {
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2027, m, d, h, min, 0, 0, loc) }
	var out []sent
	add := func(kind, title string, ts ...time.Time) {
		for _, ts := range ts {
			out = append(out, sent{kind, title, ts})
		}
	}
	// Reminders 3 days before, the day before and the due day at 10:00;
	// nudges 1, 4 and 10 days after, at 10:00.
	add("reminder", monthTitles[0], at(3, 14, 10, 0), at(3, 16, 10, 0), at(3, 17, 10, 0))
	add("nudge", monthTitles[0], at(3, 18, 10, 0), at(3, 21, 10, 0), at(3, 27, 10, 0))
	add("reminder", monthTitles[1], at(3, 23, 10, 0), at(3, 25, 10, 0), at(3, 26, 10, 0))
	add("nudge", monthTitles[1], at(3, 27, 10, 0), at(3, 30, 10, 0), at(4, 5, 10, 0))
	add("reminder", monthTitles[2], at(3, 26, 10, 0), at(3, 28, 10, 0), at(3, 29, 10, 0))
	add("nudge", monthTitles[2], at(3, 30, 10, 0), at(4, 2, 10, 0), at(4, 8, 10, 0))
	add("reminder", monthTitles[3], at(3, 30, 10, 0), at(4, 1, 10, 0), at(4, 2, 10, 0))
	add("nudge", monthTitles[3], at(4, 3, 10, 0), at(4, 6, 10, 0), at(4, 12, 10, 0))
	// Due at 07:30: the day before at 10:00, and 2 hours before (05:30)
	// which is in the quiet hours (21:00–08:00): it waits until 08:00.
	add("reminder", monthTitles[4], at(4, 5, 10, 0), at(4, 6, 8, 0))
	add("nudge", monthTitles[4], at(4, 7, 10, 0), at(4, 10, 10, 0), at(4, 16, 10, 0))
	// Check-ins: the plan names none, so Mondays at 10:00.
	for _, d := range []struct {
		m time.Month
		d int
	}{{3, 8}, {3, 15}, {3, 22}, {3, 29}, {4, 5}, {4, 12}, {4, 19}} {
		add("checkin", "", at(d.m, d.d, 10, 0))
	}
	return out
}

func sortSent(s []sent) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.String()
	}
	sort.Strings(out)
	return out
}

// A simulated month for beneficiaries in Europe/Paris and Indian/Reunion,
// across the last Sunday of March, with a restart in the middle: every
// reminder at its right local time, exactly once, none in quiet hours.
func TestSimulatedMonthAcrossDSTWithRestart(t *testing.T) {
	clk := clock.NewFake(time.Date(2027, 3, 7, 12, 0, 0, 0, time.UTC))
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	defer srv.Close()
	e := baseEnv(t, srv)
	type person struct {
		user *telegramtest.User
		loc  *time.Location
	}
	var people []person
	r := start(t, e, clk)
	adv := srv.NewUser(advisorID, "Claire")
	for i, p := range []struct{ name, tz string }{{"Awa", "Europe/Paris"}, {"Teddy", "Indian/Reunion"}} {
		code := importPlan(t, e, clk, writePlan(t, monthPlan(p.name, p.tz)))
		u := srv.NewUser(int64(7101+i), p.name)
		join(t, u, code, true)
		loc, _ := time.LoadLocation(p.tz)
		people = append(people, person{u, loc})
	}
	joined := map[*telegramtest.User]int{}
	for _, p := range people {
		joined[p.user] = len(p.user.Messages())
	}

	// Half a month, then a new process on the same Redis, then the rest.
	r.runUntil(t, clk, time.Date(2027, 3, 24, 0, 0, 0, 0, time.UTC))
	r.shutdown(t)
	r = start(t, e, clk)
	r.runUntil(t, clk, time.Date(2027, 4, 20, 0, 0, 0, 0, time.UTC))

	for _, p := range people {
		var got []sent
		for _, m := range p.user.Messages()[joined[p.user]:] {
			s := classify(t, m)
			got = append(got, s)
			local := s.at.In(p.loc)
			if h := local.Hour(); h >= 21 || h < 8 {
				t.Errorf("%s: message in quiet hours: %s (%s local)", p.loc, s, local.Format("15:04"))
			}
			// Not urgent (days ahead, or a nudge after the date): no sound.
			if quiet := strings.Contains(m.PlainText, "dans 3 jours") || s.kind == "nudge"; quiet != m.DisableNotification {
				t.Errorf("%s: %s: silent=%v, want %v", p.loc, s, m.DisableNotification, quiet)
			}
		}
		want := sortSent(expectedMonth(p.loc))
		have := sortSent(got)
		if strings.Join(want, "\n") != strings.Join(have, "\n") {
			t.Errorf("%s: messages differ\nwant %d:\n%s\n\ngot %d:\n%s", p.loc, len(want), strings.Join(want, "\n"), len(have), strings.Join(have, "\n"))
		}
	}
	// The advisor is not flooded: a digest (and its chart) each Monday,
	// one silence alert per person (after two check-ins without answer,
	// not every week after), one overdue alert per step; nothing else,
	// and no content (nothing was answered).
	counts := map[string]int{}
	for _, m := range adv.Messages() {
		switch {
		case m.Kind == "photo":
			counts["chart"]++
		case strings.Contains(m.PlainText, "Votre point de la semaine"):
			counts["digest"]++
		case strings.Contains(m.PlainText, "n'a pas répondu aux deux derniers points"):
			counts["silence"]++
		case strings.Contains(m.PlainText, "a plus de 7 jours de retard"):
			counts["overdue"]++
		default:
			t.Errorf("unexpected advisor message: %q", m.PlainText)
		}
	}
	want := map[string]int{"digest": 7, "chart": 7, "silence": 2, "overdue": 10}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("advisor messages %v, want %v", counts, want)
	}
}

// After a two-day outage, each step gets one late reminder (the latest it
// missed), not a flood; what follows is on time again.
func TestOutageSendsOneLateReminderPerStep(t *testing.T) {
	clk := clock.NewFake(time.Date(2027, 3, 14, 12, 0, 0, 0, time.UTC))
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	defer srv.Close()
	e := baseEnv(t, srv)
	code := importPlan(t, e, clk, writePlan(t, fmt.Sprintf(`beneficiary: {name: Awa, timezone: Europe/Paris}
advisor: %d
checkin: {schedule: "0 10 1 * *"}
steps:
  - {title: "Visite à la Mission Locale", due: 2027-03-20}
  - {title: "Refaire son CV", due: 2027-03-21}
`, advisorID)))
	r := start(t, e, clk)
	u := srv.NewUser(7201, "Awa")
	join(t, u, code, true)
	paris, _ := time.LoadLocation("Europe/Paris")

	// Up to the outage: Mission Locale's first reminder (17th).
	r.runUntil(t, clk, time.Date(2027, 3, 18, 8, 0, 0, 0, time.UTC))
	before := len(u.Messages())
	r.shutdown(t)
	// Down from Thursday 9:00 to Saturday 11:00 (Paris): missed are the CV's
	// reminder of the 18th, Mission Locale's of the 19th, and both of the 20th.
	clk.Set(time.Date(2027, 3, 20, 11, 0, 0, 0, paris))
	r = start(t, e, clk)
	r.settle(t, clk)
	after := u.Messages()[before:]
	if len(after) != 2 {
		t.Fatalf("after the outage: %d messages, want 2 (one per step):\n%v", len(after), after)
	}
	for _, m := range after {
		if !strings.Contains(m.PlainText, "avec du retard") || !m.DisableNotification {
			t.Errorf("a late reminder should say so and not ring: %q", m.PlainText)
		}
	}
	if !strings.Contains(after[0].PlainText+after[1].PlainText, "aujourd'hui") || !strings.Contains(after[0].PlainText+after[1].PlainText, "demain") {
		t.Errorf("expected the latest missed reminder of each step (today's and tomorrow's):\n%s\n%s", after[0].PlainText, after[1].PlainText)
	}
	// Then on time again: the CV's due-day reminder and Mission Locale's first nudge, Sunday 10:00.
	r.runUntil(t, clk, time.Date(2027, 3, 21, 12, 0, 0, 0, paris))
	next := u.Messages()[before+2:]
	if len(next) != 2 {
		t.Fatalf("next day: %d messages: %v", len(next), next)
	}
	for _, m := range next {
		if strings.Contains(m.PlainText, "retard") || !m.Date.Equal(time.Date(2027, 3, 21, 10, 0, 0, 0, paris)) {
			t.Errorf("expected on time at 10:00: %s %q", m.Date, m.PlainText)
		}
	}
}
