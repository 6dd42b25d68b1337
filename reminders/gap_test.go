package reminders_test

import (
	"testing"
	"time"

	"suivi/reminders"
)

// A schedule's gap names its rhythm: a week, a fortnight, a month, a day.
func TestScheduleGap(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2037, 1, 31, 12, 0, 0, 0, paris)
	const day = 24 * time.Hour
	for spec, want := range map[string][2]time.Duration{
		"0 10 * * MON":     {7 * day, 7 * day},
		"@every 336h":      {14 * day, 14 * day},
		"0 10 1,15 * *":    {13 * day, 17 * day},
		"0 10 1 * *":       {28 * day, 31*day + time.Hour},
		"0 9 * * *":        {day - time.Hour, day + time.Hour},
		"0 18 * * TUE,FRI": {3 * day, 4 * day},
	} {
		s, err := reminders.ParseSchedule(spec, paris, from)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Gap(from); got < want[0] || got > want[1] {
			t.Errorf("%s: gap %s, want between %s and %s", spec, got, want[0], want[1])
		}
	}
	never, err := reminders.ParseSchedule("0 0 30 2 *", paris, from)
	if err != nil {
		t.Fatal(err)
	}
	if got := never.Gap(from); got != 0 {
		t.Errorf("a schedule that never fires: gap %s", got)
	}
}
