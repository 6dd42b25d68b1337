package reminders

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone files

	"suivi/domain"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// utc reads "2027-03-28T01:00" (or with seconds) as a UTC instant.
func utc(t *testing.T, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v
		}
	}
	t.Fatalf("bad test instant %q", s)
	return time.Time{}
}

// wall reads "2027-03-28T01:00" as a wall-clock time in loc (it must exist
// and be unambiguous).
func wall(t *testing.T, s string, loc *time.Location) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
	if err != nil {
		t.Fatalf("bad test wall time %q: %v", s, err)
	}
	return v
}

func mustDateTime(t *testing.T, s string) domain.DateTime {
	t.Helper()
	dt, err := domain.ParseDateTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// occ writes an occurrence as "local=UTC", e.g. "2027-03-28T03:00=2027-03-28T01:00Z".
func occ(o Occurrence) string {
	return o.ID() + "=" + o.At.Format("2006-01-02T15:04Z")
}

func occs(os []Occurrence) string {
	s := make([]string, len(os))
	for i, o := range os {
		s[i] = occ(o)
	}
	return strings.Join(s, " ")
}

// checkOccurrence checks the invariants every occurrence keeps.
func checkOccurrence(t *testing.T, o Occurrence, loc *time.Location) {
	t.Helper()
	if !o.Local.HasTime {
		t.Errorf("%s: Local has no time", occ(o))
	}
	if o.At.Location() != time.UTC {
		t.Errorf("%s: At is in %v, want UTC", occ(o), o.At.Location())
	}
	w := o.At.In(loc)
	if got := w.Format("2006-01-02T15:04"); got != o.ID() {
		t.Errorf("%s: Local is not the wall clock of At in %v (%s)", occ(o), loc, got)
	}
}

func TestQuietContains(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	tests := []struct {
		name string
		q    Quiet
		at   string // wall time in Paris
		want bool
	}{
		{"default 20:59", DefaultQuiet(), "2027-01-15T20:59", false},
		{"default 21:00", DefaultQuiet(), "2027-01-15T21:00", true},
		{"default 23:59", DefaultQuiet(), "2027-01-15T23:59", true},
		{"default 00:00", DefaultQuiet(), "2027-01-16T00:00", true},
		{"default 07:59", DefaultQuiet(), "2027-01-16T07:59", true},
		{"default 08:00", DefaultQuiet(), "2027-01-16T08:00", false},
		{"default noon", DefaultQuiet(), "2027-01-16T12:00", false},
		{"lunch 11:59", Quiet{12 * 60, 14 * 60}, "2027-01-16T11:59", false},
		{"lunch 12:00", Quiet{12 * 60, 14 * 60}, "2027-01-16T12:00", true},
		{"lunch 13:59", Quiet{12 * 60, 14 * 60}, "2027-01-16T13:59", true},
		{"lunch 14:00", Quiet{12 * 60, 14 * 60}, "2027-01-16T14:00", false},
		{"lunch 23:00", Quiet{12 * 60, 14 * 60}, "2027-01-16T23:00", false},
		{"none 08:00", Quiet{8 * 60, 8 * 60}, "2027-01-16T08:00", false},
		{"none 23:00", Quiet{}, "2027-01-16T23:00", false},
		{"summer 21:00", DefaultQuiet(), "2027-07-15T21:00", true},
		{"summer 08:00", DefaultQuiet(), "2027-07-15T08:00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := wall(t, tt.at, paris)
			if got := tt.q.Contains(at, paris); got != tt.want {
				t.Errorf("Contains(%s) = %v, want %v", tt.at, got, tt.want)
			}
			// The zone t is expressed in does not matter.
			if got := tt.q.Contains(at.UTC(), paris); got != tt.want {
				t.Errorf("Contains(%s as UTC) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
	// The window is read in loc, not in t's zone: 20:30 UTC is 21:30 in Paris in winter.
	if !DefaultQuiet().Contains(utc(t, "2027-01-15T20:30"), paris) {
		t.Error("20:30 UTC (21:30 in Paris) should be quiet in Paris")
	}
	if DefaultQuiet().Contains(utc(t, "2027-01-15T20:30"), nil) {
		t.Error("20:30 UTC should not be quiet with a nil (UTC) zone")
	}
}

func TestQuietDefer(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	reunion := mustZone(t, "Indian/Reunion")
	cayenne := mustZone(t, "America/Cayenne")
	noumea := mustZone(t, "Pacific/Noumea")
	tests := []struct {
		name string
		q    Quiet
		loc  *time.Location
		at   string // UTC
		want string // UTC
	}{
		{"outside stays", DefaultQuiet(), paris, "2027-01-15T19:59", "2027-01-15T19:59"},               // 20:59 CET
		{"evening to next morning", DefaultQuiet(), paris, "2027-01-15T20:00", "2027-01-16T07:00"},     // 21:00 CET → 08:00 CET
		{"after midnight same morning", DefaultQuiet(), paris, "2027-01-16T02:00", "2027-01-16T07:00"}, // 03:00 CET
		{"07:59 to 08:00", DefaultQuiet(), paris, "2027-01-16T06:59", "2027-01-16T07:00"},
		{"08:00 stays", DefaultQuiet(), paris, "2027-01-16T07:00", "2027-01-16T07:00"},
		{"seconds kept when outside", DefaultQuiet(), paris, "2027-01-16T07:00:30", "2027-01-16T07:00:30"},
		{"lunch", Quiet{12 * 60, 14 * 60}, paris, "2027-01-16T11:30", "2027-01-16T13:00"}, // 12:30 CET → 14:00 CET
		{"lunch before", Quiet{12 * 60, 14 * 60}, paris, "2027-01-16T10:30", "2027-01-16T10:30"},
		{"no window", Quiet{}, paris, "2027-01-16T02:00", "2027-01-16T02:00"},
		// Spring forward in Paris: 2027-03-28 02:00 CET → 03:00 CEST.
		{"default across spring-forward", DefaultQuiet(), paris, "2027-03-27T22:00", "2027-03-28T06:00"}, // 23:00 CET → 08:00 CEST
		{"end in the gap", Quiet{22 * 60, 2*60 + 30}, paris, "2027-03-27T22:00", "2027-03-28T01:00"},     // → 03:00 CEST
		{"end in the gap, after midnight", Quiet{22 * 60, 2*60 + 30}, paris, "2027-03-28T00:30", "2027-03-28T01:00"},
		{"right after the gap", Quiet{22 * 60, 2*60 + 30}, paris, "2027-03-28T01:00", "2027-03-28T01:00"}, // 03:00 CEST is outside
		// Fall back in Paris: 2027-10-31 03:00 CEST → 02:00 CET; 02:30 happens twice.
		{"default across fall-back", DefaultQuiet(), paris, "2027-10-30T20:00", "2027-10-31T07:00"},             // 22:00 CEST → 08:00 CET
		{"end repeated, first pass", Quiet{22 * 60, 2*60 + 30}, paris, "2027-10-31T00:10", "2027-10-31T00:30"},  // 02:10 CEST → 02:30 CEST
		{"end repeated, second pass", Quiet{22 * 60, 2*60 + 30}, paris, "2027-10-31T01:10", "2027-10-31T01:30"}, // 02:10 CET → 02:30 CET
		// Overseas zones, no daylight saving.
		{"Reunion evening", DefaultQuiet(), reunion, "2027-06-10T18:30", "2027-06-11T04:00"}, // 22:30 +04 → 08:00 +04
		{"Reunion night", DefaultQuiet(), reunion, "2027-06-10T23:00", "2027-06-11T04:00"},   // 03:00 +04
		{"Reunion day", DefaultQuiet(), reunion, "2027-06-10T10:00", "2027-06-10T10:00"},     // 14:00 +04
		{"Cayenne early", DefaultQuiet(), cayenne, "2027-06-10T08:00", "2027-06-10T11:00"},   // 05:00 -03 → 08:00 -03
		{"Cayenne evening", DefaultQuiet(), cayenne, "2027-06-11T00:30", "2027-06-11T11:00"}, // 21:30 -03 (June 10) → 08:00 June 11
		{"Noumea evening", DefaultQuiet(), noumea, "2027-06-10T10:00", "2027-06-10T21:00"},   // 21:00 +11 → 08:00 +11 June 11
		{"Noumea day", DefaultQuiet(), noumea, "2027-06-10T01:00", "2027-06-10T01:00"},       // 12:00 +11
		{"nil zone is UTC", DefaultQuiet(), nil, "2027-06-10T22:00", "2027-06-11T08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.q.Defer(utc(t, tt.at), tt.loc)
			if want := utc(t, tt.want); !got.Equal(want) {
				t.Errorf("Defer(%s) = %s, want %s", tt.at, got.UTC().Format(time.RFC3339), want.Format(time.RFC3339))
			}
			if tt.q.Contains(got, tt.loc) {
				t.Errorf("Defer(%s) = %s is still quiet", tt.at, got.UTC().Format(time.RFC3339))
			}
		})
	}
}

func TestStepReminders(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	reunion := mustZone(t, "Indian/Reunion")
	noumea := mustZone(t, "Pacific/Noumea")
	ten := Clock{10, 0}
	tests := []struct {
		name      string
		due       string
		reminders []domain.Offset
		loc       *time.Location
		at        Clock
		want      string
	}{
		{"defaults, date only, Paris across spring-forward", "2027-03-29", nil, paris, ten,
			"2027-03-26T10:00=2027-03-26T09:00Z 2027-03-28T10:00=2027-03-28T08:00Z 2027-03-29T10:00=2027-03-29T08:00Z"},
		{"defaults, Reunion", "2027-03-29", nil, reunion, ten,
			"2027-03-26T10:00=2027-03-26T06:00Z 2027-03-28T10:00=2027-03-28T06:00Z 2027-03-29T10:00=2027-03-29T06:00Z"},
		{"defaults, Noumea across a month", "2027-04-01", nil, noumea, Clock{18, 30},
			"2027-03-29T18:30=2027-03-29T07:30Z 2027-03-31T18:30=2027-03-31T07:30Z 2027-04-01T18:30=2027-04-01T07:30Z"},
		{"defaults, Paris across fall-back", "2027-11-01", nil, paris, ten,
			"2027-10-29T10:00=2027-10-29T08:00Z 2027-10-31T10:00=2027-10-31T09:00Z 2027-11-01T10:00=2027-11-01T09:00Z"},
		{"due time after the reminder time keeps it", "2027-03-29T11:00", []domain.Offset{"0d"}, paris, ten,
			"2027-03-29T10:00=2027-03-29T08:00Z"},
		{"due time before the reminder time: floored at 07:00", "2027-03-29T08:30", []domain.Offset{"0d"}, paris, ten,
			"2027-03-29T07:00=2027-03-29T05:00Z"},
		{"due time before the reminder time: 2 hours before", "2027-03-29T09:45", []domain.Offset{"0d"}, paris, Clock{14, 0},
			"2027-03-29T07:45=2027-03-29T05:45Z"},
		{"due time equal to the reminder time: 2 hours before", "2027-03-29T10:00", []domain.Offset{"0d"}, paris, ten,
			"2027-03-29T08:00=2027-03-29T06:00Z"},
		{"due at dawn: no same-day reminder, the day before stays", "2027-03-29T06:30", []domain.Offset{"-1d", "0d"}, paris, ten,
			"2027-03-28T10:00=2027-03-28T08:00Z"},
		{"due time does not change other day offsets", "2027-03-29T08:30", nil, paris, ten,
			"2027-03-26T10:00=2027-03-26T09:00Z 2027-03-28T10:00=2027-03-28T08:00Z 2027-03-29T07:00=2027-03-29T05:00Z"},
		// 03:30 CEST = 01:30 UTC; two real hours before is 23:30 UTC, 00:30 CET.
		{"-2h across the gap", "2027-03-28T03:30", []domain.Offset{"-2h"}, paris, ten,
			"2027-03-28T00:30=2027-03-27T23:30Z"},
		// 03:30 CET = 02:30 UTC; two real hours before is 00:30 UTC, the first 02:30.
		{"-2h across fall-back", "2027-10-31T03:30", []domain.Offset{"-2h"}, paris, ten,
			"2027-10-31T02:30=2027-10-31T00:30Z"},
		{"hour offsets need a due time", "2027-03-29", []domain.Offset{"-2h", "0d"}, paris, ten,
			"2027-03-29T10:00=2027-03-29T08:00Z"},
		{"positive offsets", "2027-03-26", []domain.Offset{"+1d", "+3d", "+2h"}, paris, ten,
			"2027-03-27T10:00=2027-03-27T09:00Z 2027-03-29T10:00=2027-03-29T08:00Z"},
		{"positive hour offset", "2027-03-26T16:00", []domain.Offset{"+2h"}, paris, ten,
			"2027-03-26T18:00=2027-03-26T17:00Z"},
		{"unsorted offsets come sorted", "2027-03-29", []domain.Offset{"0d", "-3d", "-1d"}, paris, ten,
			"2027-03-26T10:00=2027-03-26T09:00Z 2027-03-28T10:00=2027-03-28T08:00Z 2027-03-29T10:00=2027-03-29T08:00Z"},
		// -1d at 10:00 and -24h from 10:00 are the same moment; 0d is moved to 08:00.
		{"duplicates collapse", "2027-03-29T10:00", []domain.Offset{"-1d", "0d", "-24h", "-1d", "0d"}, paris, ten,
			"2027-03-28T10:00=2027-03-28T08:00Z 2027-03-29T08:00=2027-03-29T06:00Z"},
		{"reminder time in the gap fires after it", "2027-03-28", []domain.Offset{"0d", "-1d"}, paris, Clock{2, 30},
			"2027-03-27T02:30=2027-03-27T01:30Z 2027-03-28T03:00=2027-03-28T01:00Z"},
		{"reminder time repeated fires the first time", "2027-10-31", []domain.Offset{"0d"}, paris, Clock{2, 30},
			"2027-10-31T02:30=2027-10-31T00:30Z"},
		{"bad offsets are skipped", "2027-03-29", []domain.Offset{"soon", "-1w", "0d"}, paris, ten,
			"2027-03-29T10:00=2027-03-29T08:00Z"},
		{"no reminders", "2027-03-29", []domain.Offset{}, paris, ten, ""},
		{"nil zone is UTC", "2027-03-29", []domain.Offset{"0d"}, nil, ten, "2027-03-29T10:00=2027-03-29T10:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &domain.Step{ID: 1, Title: "CV", Due: mustDateTime(t, tt.due), Reminders: tt.reminders, Status: domain.StatusTodo}
			got := StepReminders(s, tt.loc, tt.at)
			if occs(got) != tt.want {
				t.Errorf("StepReminders =\n  %s\nwant\n  %s", occs(got), tt.want)
			}
			loc := tt.loc
			if loc == nil {
				loc = time.UTC
			}
			due := s.Due.In(loc, 0)
			for i, o := range got {
				checkOccurrence(t, o, loc)
				if i > 0 && !got[i-1].At.Before(o.At) {
					t.Errorf("not sorted: %s then %s", occ(got[i-1]), occ(o))
				}
				if s.Due.HasTime && !strings.Contains(tt.name, "positive") && !o.At.Before(due) {
					t.Errorf("%s comes at or after the due moment %s", occ(o), s.Due)
				}
			}
		})
	}
	if got := StepReminders(&domain.Step{ID: 1, Title: "x"}, paris, ten); got != nil {
		t.Errorf("no due date: got %s, want nil", occs(got))
	}
	if got := StepReminders(nil, paris, ten); got != nil {
		t.Errorf("nil step: got %s, want nil", occs(got))
	}
	// The step is not changed.
	s := &domain.Step{ID: 1, Due: mustDateTime(t, "2027-03-29"), Reminders: []domain.Offset{"0d", "-1d"}}
	StepReminders(s, paris, ten)
	if s.Reminders[0] != "0d" || s.Reminders[1] != "-1d" {
		t.Errorf("StepReminders reordered the step's reminders: %v", s.Reminders)
	}
}

func TestOverdueNudges(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	cayenne := mustZone(t, "America/Cayenne")
	ten := Clock{10, 0}
	tests := []struct {
		name string
		due  string
		loc  *time.Location
		at   Clock
		want string
	}{
		{"winter", "2027-01-10", paris, ten,
			"2027-01-11T10:00=2027-01-11T09:00Z 2027-01-14T10:00=2027-01-14T09:00Z 2027-01-20T10:00=2027-01-20T09:00Z"},
		{"across spring-forward", "2027-03-20", paris, ten,
			"2027-03-21T10:00=2027-03-21T09:00Z 2027-03-24T10:00=2027-03-24T09:00Z 2027-03-30T10:00=2027-03-30T08:00Z"},
		{"first one on the spring-forward day", "2027-03-27", paris, ten,
			"2027-03-28T10:00=2027-03-28T08:00Z 2027-03-31T10:00=2027-03-31T08:00Z 2027-04-06T10:00=2027-04-06T08:00Z"},
		{"across fall-back", "2027-10-30", paris, ten,
			"2027-10-31T10:00=2027-10-31T09:00Z 2027-11-03T10:00=2027-11-03T09:00Z 2027-11-09T10:00=2027-11-09T09:00Z"},
		{"due time, month and year ends", "2027-12-28T17:00", paris, ten,
			"2027-12-29T10:00=2027-12-29T09:00Z 2028-01-01T10:00=2028-01-01T09:00Z 2028-01-07T10:00=2028-01-07T09:00Z"},
		{"February", "2027-02-25", cayenne, Clock{9, 15},
			"2027-02-26T09:15=2027-02-26T12:15Z 2027-03-01T09:15=2027-03-01T12:15Z 2027-03-07T09:15=2027-03-07T12:15Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &domain.Step{ID: 1, Title: "CV", Due: mustDateTime(t, tt.due), Status: domain.StatusTodo}
			got := OverdueNudges(s, tt.loc, tt.at)
			if occs(got) != tt.want {
				t.Errorf("OverdueNudges =\n  %s\nwant\n  %s", occs(got), tt.want)
			}
			for _, o := range got {
				checkOccurrence(t, o, tt.loc)
				if !o.At.After(s.Due.In(tt.loc, 23)) {
					t.Errorf("%s is not after the due moment", occ(o))
				}
			}
		})
	}
	if got := OverdueNudges(&domain.Step{ID: 1}, paris, ten); got != nil {
		t.Errorf("no due date: got %s, want nil", occs(got))
	}
}

// nextN returns n successive occurrences of s after from.
func nextN(t *testing.T, s *Schedule, from time.Time, n int) []Occurrence {
	t.Helper()
	var out []Occurrence
	for range n {
		o, ok := s.Next(from)
		if !ok {
			t.Fatalf("Next(%s): no occurrence", from.Format(time.RFC3339))
		}
		if !o.At.After(from) {
			t.Fatalf("Next(%s) = %s, not after", from.Format(time.RFC3339), occ(o))
		}
		checkOccurrence(t, o, s.Location())
		out = append(out, o)
		from = o.At
	}
	return out
}

func mustSchedule(t *testing.T, spec string, loc *time.Location, anchor time.Time) *Schedule {
	t.Helper()
	s, err := ParseSchedule(spec, loc, anchor)
	if err != nil {
		t.Fatalf("ParseSchedule(%q): %v", spec, err)
	}
	return s
}

func TestScheduleNext(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	tests := []struct {
		name   string
		spec   string
		loc    *time.Location
		anchor string
		from   string // UTC
		want   string
		zone   string // Location(), if not loc
	}{
		{"Mondays in March, Paris", "0 10 * * MON", paris, "", "2027-02-28T12:00",
			"2027-03-01T10:00=2027-03-01T09:00Z 2027-03-08T10:00=2027-03-08T09:00Z 2027-03-15T10:00=2027-03-15T09:00Z " +
				"2027-03-22T10:00=2027-03-22T09:00Z 2027-03-29T10:00=2027-03-29T08:00Z 2027-04-05T10:00=2027-04-05T08:00Z", ""},
		{"CRON_TZ overrides loc", "CRON_TZ=Indian/Reunion 0 18 * * WED", paris, "", "2027-03-01T00:00",
			"2027-03-03T18:00=2027-03-03T14:00Z 2027-03-10T18:00=2027-03-10T14:00Z 2027-03-17T18:00=2027-03-17T14:00Z " +
				"2027-03-24T18:00=2027-03-24T14:00Z 2027-03-31T18:00=2027-03-31T14:00Z", "Indian/Reunion"},
		{"TZ overrides loc", "TZ=America/Cayenne 0 9 * * *", paris, "", "2027-03-27T00:00",
			"2027-03-27T09:00=2027-03-27T12:00Z 2027-03-28T09:00=2027-03-28T12:00Z", "America/Cayenne"},
		{"@weekly is Sunday midnight", "@weekly", paris, "", "2027-03-22T00:00",
			"2027-03-28T00:00=2027-03-27T23:00Z 2027-04-04T00:00=2027-04-03T22:00Z", ""},
		{"@daily over fall-back", "@daily", paris, "", "2027-10-30T00:00",
			"2027-10-31T00:00=2027-10-30T22:00Z 2027-11-01T00:00=2027-10-31T23:00Z", ""},
		{"@monthly", "@monthly", paris, "", "2027-02-15T00:00",
			"2027-03-01T00:00=2027-02-28T23:00Z 2027-04-01T00:00=2027-03-31T22:00Z", ""},
		{"1st and 15th", "0 9 1,15 * *", paris, "", "2027-01-20T00:00",
			"2027-02-01T09:00=2027-02-01T08:00Z 2027-02-15T09:00=2027-02-15T08:00Z 2027-03-01T09:00=2027-03-01T08:00Z " +
				"2027-03-15T09:00=2027-03-15T08:00Z 2027-04-01T09:00=2027-04-01T07:00Z 2027-04-15T09:00=2027-04-15T07:00Z", ""},
		{"@every 336h from the anchor", "@every 336h", paris, "2027-03-01T09:00", "2027-03-01T09:00",
			"2027-03-15T10:00=2027-03-15T09:00Z 2027-03-29T11:00=2027-03-29T09:00Z 2027-04-12T11:00=2027-04-12T09:00Z", ""},
		{"@every before the anchor", "@every 336h", paris, "2027-03-01T09:00", "2026-12-25T00:00",
			"2027-03-15T10:00=2027-03-15T09:00Z 2027-03-29T11:00=2027-03-29T09:00Z", ""},
		{"@every with a zone prefix", "CRON_TZ=Pacific/Noumea @every 168h", paris, "2027-03-01T09:00", "2027-03-20T00:00",
			"2027-03-22T20:00=2027-03-22T09:00Z 2027-03-29T20:00=2027-03-29T09:00Z", "Pacific/Noumea"},
		{"nil zone is UTC", "0 10 * * MON", nil, "", "2027-02-28T12:00",
			"2027-03-01T10:00=2027-03-01T10:00Z", "UTC"},
		{"spaces around", "  0 10 * * MON  ", paris, "", "2027-02-28T12:00",
			"2027-03-01T10:00=2027-03-01T09:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var anchor time.Time
			if tt.anchor != "" {
				anchor = utc(t, tt.anchor)
			}
			s := mustSchedule(t, tt.spec, tt.loc, anchor)
			zone := tt.zone
			if zone == "" {
				zone = tt.loc.String()
			}
			if s.Location().String() != zone {
				t.Errorf("Location() = %v, want %s", s.Location(), zone)
			}
			got := nextN(t, s, utc(t, tt.from), strings.Count(tt.want, "="))
			if occs(got) != tt.want {
				t.Errorf("Next from %s =\n  %s\nwant\n  %s", tt.from, occs(got), tt.want)
			}
		})
	}
}

func TestScheduleNextEveryExact(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	anchor := utc(t, "2027-03-01T09:00:00.5")
	s := mustSchedule(t, "@every 336h", paris, anchor)
	tests := []struct{ after, want string }{
		{"2027-03-15T09:00:00.499999999", "2027-03-15T09:00:00.5"},
		{"2027-03-15T09:00:00.5", "2027-03-29T09:00:00.5"},
		{"2027-03-01T09:00:00.5", "2027-03-15T09:00:00.5"},
		{"2027-03-01T09:00:00.4", "2027-03-15T09:00:00.5"},
		{"2047-03-01T09:00:00", "2047-03-04T09:00:00.5"}, // 20 years of 14-day steps
	}
	for _, tt := range tests {
		o, ok := s.Next(utc(t, tt.after))
		if want := utc(t, tt.want); !ok || !o.At.Equal(want) {
			t.Errorf("Next(%s) = %s, %v; want %s", tt.after, o.At.Format(time.RFC3339Nano), ok, want.Format(time.RFC3339Nano))
		}
	}
	// A zero anchor does not overflow.
	z := mustSchedule(t, "@every 24h", paris, time.Time{})
	if o, ok := z.Next(utc(t, "2027-03-01T09:00")); !ok || !o.At.Equal(utc(t, "2027-03-02T00:00")) {
		t.Errorf("zero anchor: Next = %s, %v; want 2027-03-02T00:00Z", occ(o), ok)
	}
}

// TestScheduleDaylightSaving iterates a 02:30 daily spec over the weeks of
// both changes in Paris and checks each local day fires exactly once.
func TestScheduleDaylightSaving(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	s := mustSchedule(t, "30 2 * * *", paris, time.Time{})
	tests := []struct {
		name string
		from string // UTC
		day  string // the change day
		want string // its occurrence
	}{
		{"spring forward", "2027-03-24T12:00", "2027-03-28", "2027-03-28T03:00=2027-03-28T01:00Z"},
		{"fall back", "2027-10-28T12:00", "2027-10-31", "2027-10-31T02:30=2027-10-31T00:30Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := utc(t, tt.from)
			perDay := map[string]int{}
			var onDay []string
			for _, o := range nextN(t, s, from, 7) {
				perDay[o.Local.Date.String()]++
				if o.Local.Date.String() == tt.day {
					onDay = append(onDay, occ(o))
				}
			}
			start := domain.DateOf(from.In(paris)).AddDays(1)
			for i := range 7 {
				d := start.AddDays(i).String()
				if perDay[d] != 1 {
					t.Errorf("%s fires %d times, want once (%v)", d, perDay[d], perDay)
				}
			}
			if len(onDay) != 1 || onDay[0] != tt.want {
				t.Errorf("on %s: %v, want [%s]", tt.day, onDay, tt.want)
			}
		})
	}
	// From inside the repeated hour, the day's firing is behind us.
	tests2 := []struct{ after, want string }{
		{"2027-10-31T00:29", "2027-10-31T02:30=2027-10-31T00:30Z"}, // 02:29 CEST
		{"2027-10-31T00:45", "2027-11-01T02:30=2027-11-01T01:30Z"}, // 02:45 CEST
		{"2027-10-31T01:15", "2027-11-01T02:30=2027-11-01T01:30Z"}, // 02:15 CET, second pass
		{"2027-10-31T01:45", "2027-11-01T02:30=2027-11-01T01:30Z"}, // 02:45 CET
		{"2027-03-28T00:59", "2027-03-28T03:00=2027-03-28T01:00Z"}, // 01:59 CET
		{"2027-03-28T01:00", "2027-03-29T02:30=2027-03-29T00:30Z"}, // 03:00 CEST
	}
	for _, tt := range tests2 {
		if o, ok := s.Next(utc(t, tt.after)); !ok || occ(o) != tt.want {
			t.Errorf("Next(%s) = %s, %v; want %s", tt.after, occ(o), ok, tt.want)
		}
	}
	// Every half hour through the repeated hour: each logical time once, in order.
	half := mustSchedule(t, "*/30 * * * *", paris, time.Time{})
	got := occs(nextN(t, half, utc(t, "2027-10-30T23:15"), 5))
	want := "2027-10-31T01:30=2027-10-30T23:30Z 2027-10-31T02:00=2027-10-31T00:00Z 2027-10-31T02:30=2027-10-31T00:30Z " +
		"2027-10-31T03:00=2027-10-31T02:00Z 2027-10-31T03:30=2027-10-31T02:30Z"
	if got != want {
		t.Errorf("*/30 over fall-back =\n  %s\nwant\n  %s", got, want)
	}
	// And through the gap: 02:00 and 02:30 do not exist; the first minute after is 03:00, once.
	got = occs(nextN(t, half, utc(t, "2027-03-28T00:15"), 3))
	want = "2027-03-28T01:30=2027-03-28T00:30Z 2027-03-28T03:00=2027-03-28T01:00Z 2027-03-28T03:30=2027-03-28T01:30Z"
	if got != want {
		t.Errorf("*/30 over spring-forward =\n  %s\nwant\n  %s", got, want)
	}
}

func TestScheduleNeverFires(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	for _, spec := range []string{"0 0 30 2 *", "0 0 31 4 *", "CRON_TZ=UTC 0 0 30 2 *"} {
		s := mustSchedule(t, spec, paris, time.Time{})
		if o, ok := s.Next(utc(t, "2027-01-01T00:00")); ok {
			t.Errorf("%q: Next = %s, want none", spec, occ(o))
		}
		if o, ok := s.Latest(utc(t, "2020-01-01T00:00"), utc(t, "2027-01-01T00:00")); ok {
			t.Errorf("%q: Latest = %s, want none", spec, occ(o))
		}
	}
}

func TestScheduleLatest(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	anchor := utc(t, "2027-03-01T09:00")
	tests := []struct {
		name     string
		spec     string
		from, to string // UTC
		want     string // "" for none
	}{
		{"two days, only the last", "0 10 * * *", "2027-03-27T00:00", "2027-03-29T00:00", "2027-03-28T10:00=2027-03-28T08:00Z"},
		{"to is inclusive", "0 10 * * *", "2027-03-27T00:00", "2027-03-28T08:00", "2027-03-28T10:00=2027-03-28T08:00Z"},
		{"from is exclusive", "0 10 * * *", "2027-03-28T08:00", "2027-03-28T12:00", ""},
		{"nothing in the window", "0 10 * * MON", "2027-03-23T00:00", "2027-03-28T00:00", ""},
		{"empty window", "0 10 * * *", "2027-03-28T00:00", "2027-03-28T00:00", ""},
		{"reversed window", "0 10 * * *", "2027-03-29T00:00", "2027-03-27T00:00", ""},
		{"long window", "0 10 * * MON", "2020-01-01T00:00", "2027-03-30T00:00", "2027-03-29T10:00=2027-03-29T08:00Z"},
		{"every minute, long window", "* * * * *", "2026-01-01T00:00", "2027-03-28T01:30:30", "2027-03-28T03:30=2027-03-28T01:30Z"},
		{"leap day", "0 0 29 2 *", "2020-01-01T00:00", "2027-06-01T00:00", "2024-02-29T00:00=2024-02-28T23:00Z"},
		{"leap day, none", "0 0 29 2 *", "2024-03-01T00:00", "2027-06-01T00:00", ""},
		{"spring-forward day", "30 2 * * *", "2027-03-27T12:00", "2027-03-28T12:00", "2027-03-28T03:00=2027-03-28T01:00Z"},
		{"fall-back day", "30 2 * * *", "2027-10-30T12:00", "2027-10-31T12:00", "2027-10-31T02:30=2027-10-31T00:30Z"},
		{"@every", "@every 336h", "2027-03-01T00:00", "2027-04-01T00:00", "2027-03-29T11:00=2027-03-29T09:00Z"},
		{"@every, to on an occurrence", "@every 336h", "2027-03-01T00:00", "2027-03-15T09:00", "2027-03-15T10:00=2027-03-15T09:00Z"},
		{"@every, none", "@every 336h", "2027-03-16T00:00", "2027-03-28T00:00", ""},
		{"@every, the anchor itself is not one", "@every 336h", "2027-02-01T00:00", "2027-03-10T00:00", ""},
		{"@every, far", "@every 336h", "2027-01-01T00:00", "2047-03-05T00:00", "2047-03-04T10:00=2047-03-04T09:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(t, tt.spec, paris, anchor)
			o, ok := s.Latest(utc(t, tt.from), utc(t, tt.to))
			got := ""
			if ok {
				got = occ(o)
				checkOccurrence(t, o, paris)
			}
			if got != tt.want {
				t.Errorf("Latest(%s, %s] = %q, want %q", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestParseScheduleErrors(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	for _, spec := range []string{
		"",
		"   ",
		"CRON_TZ=UTC",
		"CRON_TZ=UTC ",
		"TZ=Europe/Paris",
		"TZ=",
		"CRON_TZ= 0 10 * * *",
		"CRON_TZ=Local 0 10 * * *",
		"CRON_TZ=Mars/Olympus_Mons 0 10 * * *",
		"CRON_TZ=Europe/Paris CRON_TZ=UTC 0 10 * * *",
		"0 10 * *",
		"0 0 10 * * *",
		"61 10 * * *",
		"0 25 * * *",
		"0 10 * * FUNDAY",
		"0 10 32 * *",
		"@fortnightly",
		"@every",
		"@every banana",
		"@every 0s",
		"@every -24h",
		"@every 500ms",
		"every day",
	} {
		t.Run(spec, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("ParseSchedule(%q) panicked: %v", spec, r)
				}
			}()
			s, err := ParseSchedule(spec, paris, time.Time{})
			if err == nil || s != nil {
				t.Fatalf("ParseSchedule(%q) = %v, %v; want an error", spec, s, err)
			}
		})
	}
}

func TestOccurrenceID(t *testing.T) {
	o := Occurrence{Local: mustDateTime(t, "2027-03-28T03:00"), At: utc(t, "2027-03-28T01:00")}
	if o.ID() != "2027-03-28T03:00" {
		t.Errorf("ID() = %q", o.ID())
	}
}
