package domain

import (
	"errors"
	"fmt"
	"time"
)

// Date is a calendar day with no zone attached.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ErrBadDateTime is returned when a date or date-time cannot be read.
var ErrBadDateTime = errors.New("bad date")

// ParseDate reads a date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q is not a date like 2026-12-15", ErrBadDateTime, s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String writes d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// AddDays returns d moved by n days (n may be negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// DaysUntil returns o - d in days.
func (d Date) DaysUntil(o Date) int {
	a := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	b := time.Date(o.Year, o.Month, o.Day, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// After reports whether d is strictly later than o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Before reports whether d is strictly earlier than o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	a := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	b := time.Date(o.Year, o.Month, o.Day, 0, 0, 0, 0, time.UTC)
	return a.Compare(b)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// DateTime is a wall-clock moment local to someone: a date, and optionally a
// time of day. It becomes an instant only with a location (see At).
type DateTime struct {
	Date
	Hour, Minute int
	// HasTime is false when only the date is known.
	HasTime bool
}

// ParseDateTime reads "2026-12-15", "2026-12-15T14:30" or "2026-12-15 14:30".
func ParseDateTime(s string) (DateTime, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateTime{Date: DateOf(t), Hour: t.Hour(), Minute: t.Minute(), HasTime: true}, nil
		}
	}
	d, err := ParseDate(s)
	if err != nil {
		return DateTime{}, fmt.Errorf("%w: %q is not a date like 2026-12-15 or 2026-12-15T14:30", ErrBadDateTime, s)
	}
	return DateTime{Date: d}, nil
}

// String writes dt as YYYY-MM-DD or YYYY-MM-DDTHH:MM.
func (dt DateTime) String() string {
	if !dt.HasTime {
		return dt.Date.String()
	}
	return fmt.Sprintf("%sT%02d:%02d", dt.Date, dt.Hour, dt.Minute)
}

// MarshalText implements encoding.TextMarshaler.
func (dt DateTime) MarshalText() ([]byte, error) { return []byte(dt.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (dt *DateTime) UnmarshalText(b []byte) error {
	v, err := ParseDateTime(string(b))
	if err != nil {
		return err
	}
	*dt = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// At returns the instant of the wall-clock time hour:minute on day d in loc.
// A wall-clock time that does not exist (skipped by a daylight-saving jump)
// becomes the first valid minute after the gap; a wall-clock time that occurs
// twice becomes its first occurrence.
func (d Date) At(loc *time.Location, hour, minute int) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
	if t.Hour() == hour && t.Minute() == minute && DateOf(t) == d {
		// Exists. For a repeated time Go may pick either instant; take the
		// earliest one (clocks go back by 30 minutes to 2 hours).
		first := t
		for back := 15 * time.Minute; back <= 3*time.Hour; back += 15 * time.Minute {
			if e := t.Add(-back); e.Hour() == hour && e.Minute() == minute && DateOf(e) == d {
				first = e
			}
		}
		return first
	}
	// Skipped: walk forward minute by minute from the wall time before the gap.
	base := time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, time.UTC)
	for i := 1; i <= 180; i++ {
		w := base.Add(time.Duration(i) * time.Minute)
		c := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, loc)
		if c.Hour() == w.Hour() && c.Minute() == w.Minute() {
			return c
		}
	}
	return t
}

// In returns the instant of dt in loc; a date without time means defaultHour:00.
func (dt DateTime) In(loc *time.Location, defaultHour int) time.Time {
	if !dt.HasTime {
		return dt.Date.At(loc, defaultHour, 0)
	}
	return dt.Date.At(loc, dt.Hour, dt.Minute)
}
