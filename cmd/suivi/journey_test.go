package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"suivi/internal/clock"
	"suivi/telegramtest"
)

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
