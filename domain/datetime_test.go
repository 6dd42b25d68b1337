package domain_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"suivi/domain"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in   string
		want domain.DateTime
		// str is what String writes back; the canonical form of in.
		str string
	}{
		{"2026-12-15", domain.DateTime{Date: domain.Date{Year: 2026, Month: time.December, Day: 15}}, "2026-12-15"},
		{"2026-12-15T14:30", domain.DateTime{Date: domain.Date{Year: 2026, Month: time.December, Day: 15}, Hour: 14, Minute: 30, HasTime: true}, "2026-12-15T14:30"},
		{"2026-12-15 14:30", domain.DateTime{Date: domain.Date{Year: 2026, Month: time.December, Day: 15}, Hour: 14, Minute: 30, HasTime: true}, "2026-12-15T14:30"},
		{"2027-01-01T00:00", domain.DateTime{Date: domain.Date{Year: 2027, Month: time.January, Day: 1}, HasTime: true}, "2027-01-01T00:00"},
		{"2028-02-29T23:59", domain.DateTime{Date: domain.Date{Year: 2028, Month: time.February, Day: 29}, Hour: 23, Minute: 59, HasTime: true}, "2028-02-29T23:59"},
		{"0999-03-04", domain.DateTime{Date: domain.Date{Year: 999, Month: time.March, Day: 4}}, "0999-03-04"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := domain.ParseDateTime(tc.in)
			if err != nil {
				t.Fatalf("ParseDateTime(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseDateTime(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
			if s := got.String(); s != tc.str {
				t.Errorf("String() = %q, want %q", s, tc.str)
			}
			// The canonical form reads back to the same value.
			again, err := domain.ParseDateTime(got.String())
			if err != nil || again != got {
				t.Errorf("ParseDateTime(String()) = %v, %v; want %v", again, err, got)
			}
			// Text marshalling (used by JSON and YAML) is the same round trip.
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if want := `"` + tc.str + `"`; string(b) != want {
				t.Errorf("json.Marshal = %s, want %s", b, want)
			}
			var back domain.DateTime
			if err := json.Unmarshal(b, &back); err != nil || back != got {
				t.Errorf("json round trip = %v, %v; want %v", back, err, got)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	for _, in := range []string{"2026-12-15", "2027-02-28", "2028-02-29", "2026-01-01"} {
		d, err := domain.ParseDate(in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", in, err)
			continue
		}
		if d.String() != in {
			t.Errorf("ParseDate(%q).String() = %q", in, d.String())
		}
		var back domain.Date
		if err := back.UnmarshalText([]byte(in)); err != nil || back != d {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", in, back, err, d)
		}
	}
	d, _ := domain.ParseDate("2026-12-15")
	if want := (domain.Date{Year: 2026, Month: time.December, Day: 15}); d != want {
		t.Errorf("ParseDate = %#v, want %#v", d, want)
	}
	// A date with a time is not a date.
	if _, err := domain.ParseDate("2026-12-15T14:30"); !errors.Is(err, domain.ErrBadDateTime) {
		t.Errorf("ParseDate with a time: err = %v, want ErrBadDateTime", err)
	}
}

func TestParseDateTimeBad(t *testing.T) {
	for _, in := range []string{
		"",
		"2027-02-30",
		"2026-02-29", // not a leap year
		"2026-13-01",
		"2026-00-10",
		"15/12/2026",
		"12/15/2026",
		"2026-12-15T25:00",
		"2026-12-15T14:60",
		"2026-12-15T14",
		"2026-12-15T14:30:00",
		"2026-12-15T14:30Z",
		"2026-2-5",
		"demain",
		" 2026-12-15",
	} {
		t.Run(in, func(t *testing.T) {
			dt, err := domain.ParseDateTime(in)
			if !errors.Is(err, domain.ErrBadDateTime) {
				t.Errorf("ParseDateTime(%q) = %v, %v; want ErrBadDateTime", in, dt, err)
			}
			if dt != (domain.DateTime{}) {
				t.Errorf("ParseDateTime(%q) returned %v with its error, want the zero DateTime", in, dt)
			}
			var u domain.DateTime
			if err := u.UnmarshalText([]byte(in)); err == nil {
				t.Errorf("UnmarshalText(%q) accepted it", in)
			}
			if _, err := domain.ParseDate(in); !errors.Is(err, domain.ErrBadDateTime) {
				t.Errorf("ParseDate(%q): err = %v, want ErrBadDateTime", in, err)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	d := domain.Date{Year: 2026, Month: time.December, Day: 30}
	tests := []struct {
		n    int
		want string
	}{
		{0, "2026-12-30"},
		{1, "2026-12-31"},
		{2, "2027-01-01"},
		{-30, "2026-11-30"},
		{61, "2027-03-01"},
		{365, "2027-12-30"},
	}
	for _, tc := range tests {
		if got := d.AddDays(tc.n).String(); got != tc.want {
			t.Errorf("AddDays(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
	next := d.AddDays(1)
	if !d.Before(next) || next.Before(d) || d.Before(d) {
		t.Errorf("Before is wrong around %v / %v", d, next)
	}
	if d.Compare(next) != -1 || next.Compare(d) != 1 || d.Compare(d) != 0 {
		t.Errorf("Compare is wrong around %v / %v", d, next)
	}
	if wd := (domain.Date{Year: 2027, Month: time.January, Day: 12}).Weekday(); wd != time.Tuesday {
		t.Errorf("2027-01-12 is a %v, want Tuesday", wd)
	}
	if !(domain.Date{}).IsZero() || d.IsZero() {
		t.Error("IsZero is wrong")
	}
	// DateOf takes the day in the instant's own location.
	instant := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	if got := domain.DateOf(instant.In(mustLoad(t, "Indian/Reunion"))).String(); got != "2027-01-01" {
		t.Errorf("DateOf in Reunion = %s, want 2027-01-01", got)
	}
	if got := domain.DateOf(instant.In(mustLoad(t, "America/Cayenne"))).String(); got != "2026-12-31" {
		t.Errorf("DateOf in Cayenne = %s, want 2026-12-31", got)
	}
}

func TestDateAt(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse("2006-01-02T15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name       string
		zone       string
		date       string
		hour, min  int
		wantUTC    string
		wantLocal  string // wall clock of the result in zone
		wantOffset int    // seconds east of UTC of the result
	}{
		{"paris winter", "Europe/Paris", "2027-01-12", 9, 30, "2027-01-12T08:30", "2027-01-12T09:30", 3600},
		{"paris summer", "Europe/Paris", "2027-07-14", 9, 30, "2027-07-14T07:30", "2027-07-14T09:30", 7200},
		{"paris midnight", "Europe/Paris", "2027-01-01", 0, 0, "2026-12-31T23:00", "2027-01-01T00:00", 3600},
		// 2027-03-28: clocks go from 02:00 to 03:00; 02:30 does not exist.
		{"paris gap start", "Europe/Paris", "2027-03-28", 2, 0, "2027-03-28T01:00", "2027-03-28T03:00", 7200},
		{"paris gap", "Europe/Paris", "2027-03-28", 2, 30, "2027-03-28T01:00", "2027-03-28T03:00", 7200},
		{"paris gap end", "Europe/Paris", "2027-03-28", 2, 59, "2027-03-28T01:00", "2027-03-28T03:00", 7200},
		{"paris before gap", "Europe/Paris", "2027-03-28", 1, 59, "2027-03-28T00:59", "2027-03-28T01:59", 3600},
		{"paris after gap", "Europe/Paris", "2027-03-28", 3, 0, "2027-03-28T01:00", "2027-03-28T03:00", 7200},
		{"paris gap day evening", "Europe/Paris", "2027-03-28", 18, 0, "2027-03-28T16:00", "2027-03-28T18:00", 7200},
		// 2027-10-31: clocks go from 03:00 back to 02:00; 02:00-02:59 occur twice.
		{"paris repeated", "Europe/Paris", "2027-10-31", 2, 30, "2027-10-31T00:30", "2027-10-31T02:30", 7200},
		{"paris repeated start", "Europe/Paris", "2027-10-31", 2, 0, "2027-10-31T00:00", "2027-10-31T02:00", 7200},
		{"paris repeated end", "Europe/Paris", "2027-10-31", 2, 59, "2027-10-31T00:59", "2027-10-31T02:59", 7200},
		{"paris before repeat", "Europe/Paris", "2027-10-31", 1, 30, "2027-10-30T23:30", "2027-10-31T01:30", 7200},
		{"paris after repeat", "Europe/Paris", "2027-10-31", 3, 0, "2027-10-31T02:00", "2027-10-31T03:00", 3600},
		{"paris repeat day evening", "Europe/Paris", "2027-10-31", 18, 0, "2027-10-31T17:00", "2027-10-31T18:00", 3600},
		// Zones without daylight saving: always exact.
		{"cayenne", "America/Cayenne", "2027-03-28", 2, 30, "2027-03-28T05:30", "2027-03-28T02:30", -3 * 3600},
		{"cayenne late", "America/Cayenne", "2027-10-31", 23, 45, "2027-11-01T02:45", "2027-10-31T23:45", -3 * 3600},
		{"reunion", "Indian/Reunion", "2027-03-28", 2, 30, "2027-03-27T22:30", "2027-03-28T02:30", 4 * 3600},
		{"reunion repeat day", "Indian/Reunion", "2027-10-31", 2, 30, "2027-10-30T22:30", "2027-10-31T02:30", 4 * 3600},
		{"noumea", "Pacific/Noumea", "2027-03-28", 2, 30, "2027-03-27T15:30", "2027-03-28T02:30", 11 * 3600},
		{"noumea repeat day", "Pacific/Noumea", "2027-10-31", 2, 30, "2027-10-30T15:30", "2027-10-31T02:30", 11 * 3600},
		{"utc", "UTC", "2027-03-28", 2, 30, "2027-03-28T02:30", "2027-03-28T02:30", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := mustLoad(t, tc.zone)
			d, err := domain.ParseDate(tc.date)
			if err != nil {
				t.Fatal(err)
			}
			got := d.At(loc, tc.hour, tc.min)
			if want := utc(tc.wantUTC); !got.Equal(want) {
				t.Errorf("At(%s, %02d:%02d) = %v (UTC %v), want UTC %v", tc.zone, tc.hour, tc.min, got, got.UTC(), want)
			}
			if local := got.In(loc).Format("2006-01-02T15:04"); local != tc.wantLocal {
				t.Errorf("At(%s, %02d:%02d) is %s local, want %s", tc.zone, tc.hour, tc.min, local, tc.wantLocal)
			}
			if _, off := got.In(loc).Zone(); off != tc.wantOffset {
				t.Errorf("At(%s, %02d:%02d) offset = %d, want %d", tc.zone, tc.hour, tc.min, off, tc.wantOffset)
			}
			if got.Location() != loc {
				t.Errorf("At returned a time in %v, want %v", got.Location(), loc)
			}
		})
	}
}

// A wall-clock time that occurs twice must give its first occurrence also
// where the clocks go back by less (or more) than one hour.
func TestDateAtRepeatedNotOneHour(t *testing.T) {

	tests := []struct {
		zone, date string
		hour, min  int
		wantUTC    time.Time
	}{
		// 2027-04-04 02:00 (+11) goes back to 01:30 (+10:30): 01:45 occurs at 14:45 and 15:15 UTC.
		{"Australia/Lord_Howe", "2027-04-04", 1, 45, time.Date(2027, 4, 3, 14, 45, 0, 0, time.UTC)},
		// 2027-10-31 03:00 (+02) goes back to 01:00 (+00): 01:30 occurs at 23:30 (day before) and 01:30 UTC.
		{"Antarctica/Troll", "2027-10-31", 1, 30, time.Date(2027, 10, 30, 23, 30, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		d, _ := domain.ParseDate(tc.date)
		if got := d.At(mustLoad(t, tc.zone), tc.hour, tc.min); !got.Equal(tc.wantUTC) {
			t.Errorf("%s %s %02d:%02d: At = %v, want first occurrence %v", tc.zone, tc.date, tc.hour, tc.min, got.UTC(), tc.wantUTC)
		}
	}
}

func TestDateTimeIn(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	dateOnly, _ := domain.ParseDateTime("2027-01-12")
	withTime, _ := domain.ParseDateTime("2027-01-12T14:45")
	if got, want := dateOnly.In(paris, 9), time.Date(2027, 1, 12, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("date-only In(paris, 9) = %v, want %v", got.UTC(), want)
	}
	if got, want := withTime.In(paris, 9), time.Date(2027, 1, 12, 13, 45, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("In(paris, 9) with a time = %v, want %v (the default hour must be ignored)", got.UTC(), want)
	}
	// The default hour goes through the same daylight-saving rules.
	gapDay, _ := domain.ParseDateTime("2027-03-28")
	if got, want := gapDay.In(paris, 2), time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("In(paris, 2) on the gap day = %v, want %v", got.UTC(), want)
	}
}

func TestWeekOf(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	tests := []struct {
		t    time.Time
		want domain.Week
	}{
		{time.Date(2026, 12, 28, 12, 0, 0, 0, time.UTC), "2026-W53"},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), "2026-W53"},
		{time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), "2026-W53"},
		{time.Date(2027, 1, 3, 12, 0, 0, 0, time.UTC), "2026-W53"},
		{time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), "2027-W01"},
		{time.Date(2027, 1, 10, 23, 59, 0, 0, time.UTC), "2027-W01"},
		{time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC), "2027-W02"},
		{time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC), "2026-W01"},
		{time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), "2026-W10"},
		// Sunday 23:30 UTC is already Monday in Paris: the week is the local one.
		{time.Date(2027, 1, 3, 23, 30, 0, 0, time.UTC).In(paris), "2027-W01"},
		{time.Date(2027, 1, 3, 23, 30, 0, 0, time.UTC), "2026-W53"},
	}
	for _, tc := range tests {
		if got := domain.WeekOf(tc.t); got != tc.want {
			t.Errorf("WeekOf(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}
