package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// WorkHours are when an advisor reads their news — droit à la déconnexion:
// days of the week and a daily window, in the advisor's zone. News that
// come outside them wait for the start of the next working period.
type WorkHours struct {
	// Days are the working days (time.Sunday = 0).
	Days []time.Weekday `json:"days"`
	// From and To bound the working day, in minutes after midnight (From
	// before To).
	From int `json:"from"`
	To   int `json:"to"`
}

// DefaultWorkHours is Monday to Friday, 9:00 to 18:00.
func DefaultWorkHours() WorkHours {
	return WorkHours{Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, From: 9 * 60, To: 18 * 60}
}

// Valid reports what is wrong with w, if anything.
func (w WorkHours) Valid() error {
	if len(w.Days) == 0 {
		return fmt.Errorf("working hours need at least one day: %w", ErrInvalid)
	}
	for _, d := range w.Days {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("working day %d: %w", d, ErrInvalid)
		}
	}
	if w.From < 0 || w.To > 24*60 || w.From >= w.To {
		return fmt.Errorf("working hours %s-%s: %w", hm(w.From), hm(w.To), ErrInvalid)
	}
	return nil
}

// Open reports whether t falls within the working hours, read in loc.
func (w WorkHours) Open(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	m := l.Hour()*60 + l.Minute()
	return slices.Contains(w.Days, l.Weekday()) && m >= w.From && m < w.To
}

// NextOpen returns t if it falls within the working hours, else the start
// of the next working period (in loc, DST-safe: the wall clock From of the
// next working day).
func (w WorkHours) NextOpen(t time.Time, loc *time.Location) time.Time {
	if w.Open(t, loc) || len(w.Days) == 0 {
		return t
	}
	l := t.In(loc)
	day := DateOf(l)
	for i := 0; i < 8; i++ {
		d := day.AddDays(i)
		if !slices.Contains(w.Days, d.Weekday()) {
			continue
		}
		start := d.At(loc, w.From/60, w.From%60)
		if start.After(t) {
			return start
		}
	}
	return t
}

func hm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// String writes w as ParseWorkHours reads it: "mon-fri 09:00-18:00" or
// "mon,wed,sat 08:30-12:00".
func (w WorkHours) String() string {
	names := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	var days []string
	for _, d := range w.Days {
		days = append(days, names[d])
	}
	return strings.Join(days, ",") + " " + hm(w.From) + "-" + hm(w.To)
}

// ParseWorkHours reads working hours such as "mon-fri 09:00-18:00",
// "mon,tue,thu 08:30-17:00" or "always" (always ok false: no hours, news
// come at once).
func ParseWorkHours(s string) (w WorkHours, limited bool, err error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "always" || s == "" {
		return WorkHours{}, false, nil
	}
	daysPart, hoursPart, ok := strings.Cut(s, " ")
	if !ok {
		return WorkHours{}, false, fmt.Errorf("%q: want days and hours, like \"mon-fri 09:00-18:00\", or \"always\"", s)
	}
	names := map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
	for _, part := range strings.Split(daysPart, ",") {
		if from, to, isRange := strings.Cut(part, "-"); isRange {
			a, okA := names[from]
			b, okB := names[to]
			if !okA || !okB {
				return WorkHours{}, false, fmt.Errorf("%q: days are mon, tue, wed, thu, fri, sat, sun", part)
			}
			for d := a; ; d = (d + 1) % 7 {
				if !slices.Contains(w.Days, d) {
					w.Days = append(w.Days, d)
				}
				if d == b {
					break
				}
			}
			continue
		}
		d, ok := names[part]
		if !ok {
			return WorkHours{}, false, fmt.Errorf("%q: days are mon, tue, wed, thu, fri, sat, sun", part)
		}
		if !slices.Contains(w.Days, d) {
			w.Days = append(w.Days, d)
		}
	}
	from, to, ok := strings.Cut(strings.TrimSpace(hoursPart), "-")
	var fh, fm, th, tm int
	if !ok {
		return WorkHours{}, false, fmt.Errorf("%q: hours like 09:00-18:00", hoursPart)
	}
	if _, err := fmt.Sscanf(from, "%d:%d", &fh, &fm); err != nil {
		return WorkHours{}, false, fmt.Errorf("%q: hours like 09:00-18:00", hoursPart)
	}
	if _, err := fmt.Sscanf(to, "%d:%d", &th, &tm); err != nil {
		return WorkHours{}, false, fmt.Errorf("%q: hours like 09:00-18:00", hoursPart)
	}
	w.From, w.To = fh*60+fm, th*60+tm
	if fm < 0 || fm > 59 || tm < 0 || tm > 59 {
		return WorkHours{}, false, fmt.Errorf("%q: minutes go from 00 to 59", hoursPart)
	}
	slices.Sort(w.Days)
	if err := w.Valid(); err != nil {
		return WorkHours{}, false, err
	}
	return w, true, nil
}
