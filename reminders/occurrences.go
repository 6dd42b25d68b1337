package reminders

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"suivi/domain"
)

// scheduleScanLimit bounds every loop over a schedule's occurrences, so that no spec,
// however odd, can make a caller hang.
const scheduleScanLimit = 10_000

// Clock is a time of day, local.
type Clock struct{ Hour, Minute int }

// minutes returns c as minutes since midnight, normalized into one day
// (Clock{24, 0} is midnight), so that an out-of-range clock never produces a
// nonsensical instant.
func (c Clock) minutes() int { return wallMinutes(c.Hour*60 + c.Minute) }

func wallMinutes(m int) int {
	const day = 24 * 60
	return (m%day + day) % day
}

// Quiet is a daily quiet window in local time: [Start, End), in minutes since
// local midnight. Start > End wraps midnight (the default 21:00–08:00 is
// Quiet{21*60, 8*60}). Start == End: no quiet hours. Values outside one day
// are taken modulo 24 hours.
type Quiet struct{ Start, End int }

// DefaultQuiet returns the quiet hours used when a beneficiary chose none:
// 21:00 to 08:00. It is a function, not a variable, so that nobody can change
// it for everyone.
func DefaultQuiet() Quiet { return Quiet{21 * 60, 8 * 60} }

// Contains reports whether t (in any zone) falls inside the window, read on
// loc's wall clock. A nil loc means UTC.
func (q Quiet) Contains(t time.Time, loc *time.Location) bool {
	start, end := wallMinutes(q.Start), wallMinutes(q.End)
	if start == end {
		return false
	}
	w := t.In(zoneOrUTC(loc))
	m := w.Hour()*60 + w.Minute()
	if start < end {
		return start <= m && m < end
	}
	return m >= start || m < end
}

// Defer returns t itself if t is outside the window, else the first instant
// the window ends: the End wall-clock time on the right local day (the next
// day when t is before midnight in a window that wraps it), resolved with
// domain.Date.At. A window ending in a daylight-saving gap ends at the first
// minute after the gap; when t lies in the second pass of a repeated hour and
// the first End has already gone by, the window ends at the second End.
func (q Quiet) Defer(t time.Time, loc *time.Location) time.Time {
	if !q.Contains(t, loc) {
		return t
	}
	loc = zoneOrUTC(loc)
	start, end := wallMinutes(q.Start), wallMinutes(q.End)
	w := t.In(loc)
	day := domain.DateOf(w)
	if start > end && w.Hour()*60+w.Minute() >= start {
		day = day.AddDays(1)
	}
	h, m := end/60, end%60
	e := day.At(loc, h, m)
	if e.After(t) {
		return e
	}
	// Repeated hour: the first End is behind us; find the second one.
	for i := 1; i <= 24*60; i++ {
		c := e.Add(time.Duration(i) * time.Minute)
		cw := c.In(loc)
		if c.After(t) && cw.Hour() == h && cw.Minute() == m && domain.DateOf(cw) == day {
			return c
		}
	}
	return t // unreachable with real zones
}

// Occurrence is one logical firing: its local wall-clock time (the logical
// id) and the instant it is due.
//
// Local is always the wall clock of At in the zone the occurrence was
// computed in, to the minute: a firing planned at a wall time skipped by a
// daylight-saving jump (02:30 on a spring-forward night in Paris) carries the
// wall time it really fires at (03:00).
type Occurrence struct {
	Local domain.DateTime // always HasTime
	At    time.Time       // UTC
}

// ID returns the logical id of o, its local wall-clock time, such as
// "2027-03-28T03:00".
func (o Occurrence) ID() string { return o.Local.String() }

// occurrenceAt builds the occurrence firing at instant t, read in loc.
func occurrenceAt(t time.Time, loc *time.Location) Occurrence {
	w := t.In(loc)
	return Occurrence{
		Local: domain.DateTime{Date: domain.DateOf(w), Hour: w.Hour(), Minute: w.Minute(), HasTime: true},
		At:    t.UTC(),
	}
}

// sameDayReminderFloor is the earliest local time of day a same-day ("0d") reminder is
// moved to when the due time leaves no room for it at the reminder time.
const sameDayReminderFloor = 7 * 60

// StepReminders returns the reminder occurrences of step s (its
// ReminderOffsets()) in loc (nil: UTC), sorted by At, without duplicates
// (same Local; the earliest is kept). at is the reminder time of day.
//
//   - A day offset ("-3d", "0d", "+1d") is the due date moved by that many
//     days, at `at` local time.
//   - Exception: a "0d" reminder for a step due at a time earlier than or
//     equal to `at` would come after the due moment. It then comes 2 hours
//     before the due time, but not before 07:00 on the due day; if even 07:00
//     is not before the due time (a step due at 07:00 or earlier), there is
//     no "0d" reminder: the day before ("-1d") covers it.
//   - An hour offset ("-2h") is the due instant moved by that many hours
//     (instant arithmetic, so across a daylight-saving change "-2h" is two
//     real hours). It needs a due time: for a step due on a date only, hour
//     offsets are skipped (validation rejects them).
//
// Offsets that do not parse are skipped. A step without a due date returns nil.
func StepReminders(s *domain.Step, loc *time.Location, at Clock) []Occurrence {
	if s == nil || s.Due.IsZero() {
		return nil
	}
	loc = zoneOrUTC(loc)
	atMin := at.minutes()
	due := s.Due
	var out []Occurrence
	for _, o := range s.ReminderOffsets() {
		n, unit, err := o.Parse()
		if err != nil {
			continue
		}
		switch unit {
		case 'd':
			day := due.Date.AddDays(n)
			if n == 0 && due.HasTime && due.Hour*60+due.Minute <= atMin {
				dueAt := due.In(loc, 0)
				r := dueAt.Add(-2 * time.Hour)
				if floor := day.At(loc, sameDayReminderFloor/60, sameDayReminderFloor%60); r.Before(floor) {
					r = floor
				}
				if !r.Before(dueAt) {
					continue
				}
				out = append(out, occurrenceAt(r, loc))
				continue
			}
			out = append(out, occurrenceAt(day.At(loc, atMin/60, atMin%60), loc))
		case 'h':
			if !due.HasTime {
				continue
			}
			out = append(out, occurrenceAt(due.In(loc, 0).Add(time.Duration(n)*time.Hour), loc))
		}
	}
	return sortOccurrences(out)
}

// OverdueNudges returns the nudges for a step left open after its due date:
// the due date +1, +4 and +10 days, at `at` local time in loc (nil: UTC),
// sorted. Each comes after the due moment, even for a step due at a time. A
// step without a due date returns nil. Whether the step is still open is the
// caller's business.
func OverdueNudges(s *domain.Step, loc *time.Location, at Clock) []Occurrence {
	if s == nil || s.Due.IsZero() {
		return nil
	}
	loc = zoneOrUTC(loc)
	atMin := at.minutes()
	// Spaced out, and no more than three times.
	days := [...]int{1, 4, 10}
	out := make([]Occurrence, 0, len(days))
	for _, n := range days {
		out = append(out, occurrenceAt(s.Due.Date.AddDays(n).At(loc, atMin/60, atMin%60), loc))
	}
	return sortOccurrences(out)
}

// sortOccurrences sorts occurrences by At and drops those whose Local was already
// seen (keeping the earliest). It returns nil for no occurrences.
func sortOccurrences(os []Occurrence) []Occurrence {
	if len(os) == 0 {
		return nil
	}
	slices.SortStableFunc(os, func(a, b Occurrence) int { return a.At.Compare(b.At) })
	seen := make(map[domain.DateTime]bool, len(os))
	out := os[:0]
	for _, o := range os {
		if seen[o.Local] {
			continue
		}
		seen[o.Local] = true
		out = append(out, o)
	}
	return out
}

// Schedule is a check-in schedule with wall-clock semantics: unlike
// robfig/cron, a daily 02:30 fires once on a spring-forward day (at the first
// minute after the gap) and once on a fall-back day (at the first 02:30).
// A Schedule is immutable and safe for concurrent use.
type Schedule struct {
	loc   *time.Location
	cron  cron.Schedule // cron fields, parsed in UTC and fed wall times; nil for @every
	every time.Duration // > 0 for "@every D"
	// anchor is the origin of an "@every" schedule.
	anchor time.Time
}

// ParseSchedule reads a robfig/cron spec: five fields, a descriptor (@weekly,
// @daily, @monthly…) or "@every D", with an optional "CRON_TZ=Zone " or
// "TZ=Zone " prefix that then overrides loc (nil loc: UTC).
//
// "@every D" is a constant interval: its occurrences are anchor + k·D (k ≥ 1),
// as instants; D must be positive and is truncated to the second as robfig
// does. Every other spec is evaluated on the zone's wall clock.
//
// The cron parser panics on some inputs ("CRON_TZ=UTC" alone); ParseSchedule
// never does: every problem is an error.
func ParseSchedule(spec string, loc *time.Location, anchor time.Time) (*Schedule, error) {
	written := spec
	bad := func(format string, args ...any) (*Schedule, error) {
		return nil, fmt.Errorf("%q %s", written, fmt.Sprintf(format, args...))
	}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return bad("is empty")
	}
	loc = zoneOrUTC(loc)
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		eq := strings.IndexByte(spec, '=')
		sp := strings.IndexAny(spec, " \t")
		if sp < 0 {
			return bad("names a zone but no schedule")
		}
		name := spec[eq+1 : sp]
		if name == "" || name == "Local" {
			return bad("needs an IANA zone name like Europe/Paris")
		}
		z, err := time.LoadLocation(name)
		if err != nil {
			return bad("names an unknown time zone %q", name)
		}
		loc = z
		spec = strings.TrimSpace(spec[sp:])
	}
	s := &Schedule{loc: loc, anchor: anchor}
	if spec == "@every" || strings.HasPrefix(spec, "@every ") || strings.HasPrefix(spec, "@every\t") {
		d, err := time.ParseDuration(strings.TrimSpace(strings.TrimPrefix(spec, "@every")))
		if err != nil {
			return bad("is not a valid interval: %v", err)
		}
		d = d.Truncate(time.Second)
		if d <= 0 {
			return bad("needs an interval of at least one second")
		}
		s.every = d
		return s, nil
	}
	c, err := parseCronUTC(spec)
	if err != nil {
		return bad("is not a valid cron spec: %v", err)
	}
	s.cron = c
	return s, nil
}

// parseCronUTC parses the cron fields (no zone prefix) in UTC, turning the
// parser's panics into errors.
func parseCronUTC(spec string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("the cron parser failed: %v", r)
		}
	}()
	// The prefix pins the parser's zone to UTC (not the machine's); a second
	// zone prefix in spec is then an extra field and an error.
	return cron.ParseStandard("CRON_TZ=UTC " + spec)
}

// Location returns the zone the schedule is read in: the CRON_TZ=/TZ= zone
// of the spec if it has one, else the loc given to ParseSchedule.
func (s *Schedule) Location() *time.Location { return s.loc }

// Next returns the first occurrence strictly after `after`, or false if there
// is none (a spec such as "0 0 30 2 *" never fires).
//
// For cron specs the fields are matched against the wall clock: each
// matching wall time is mapped to an instant with domain.Date.At (a skipped
// time fires at the first minute after the gap, a repeated time at its first
// instant), so one logical time fires once.
func (s *Schedule) Next(after time.Time) (Occurrence, bool) {
	if s.every > 0 {
		return s.everyNext(after), true
	}
	// Matching wall times are tried in order. domain.Date.At is monotonic in
	// the wall time and maps the wall time of `after` to `after` or earlier,
	// so the first match mapped strictly after `after` is the answer. Only
	// in the second pass of a repeated hour can a later wall time map before
	// `after`: those are stepped over.
	c := wallClockAsUTC(after.In(s.loc))
	for range scheduleScanLimit {
		n := s.cron.Next(c)
		if n.IsZero() {
			return Occurrence{}, false
		}
		t := domain.DateOf(n).At(s.loc, n.Hour(), n.Minute())
		if t.After(after) {
			return occurrenceAt(t, s.loc), true
		}
		c = n
	}
	return Occurrence{}, false
}

// Gap is how far apart the schedule's occurrences typically are: the
// median gap between its next few occurrences after from (a monthly spec
// gives about 30 days, "@every 336h" 14 days), or 0 when it fires fewer
// than twice.
func (s *Schedule) Gap(from time.Time) time.Duration {
	var gaps []time.Duration
	prev, ok := s.Next(from)
	for range 6 {
		if !ok {
			break
		}
		o, more := s.Next(prev.At)
		if !more {
			break
		}
		gaps = append(gaps, o.At.Sub(prev.At))
		prev = o
	}
	if len(gaps) == 0 {
		return 0
	}
	slices.Sort(gaps)
	return gaps[len(gaps)/2]
}

// Latest returns the latest occurrence in (from, to], or false if there is
// none. For "@every" it is computed directly; for cron specs the window is
// scanned backwards in growing slices ending at `to` (a day, a week, a month,
// a year, about eight years, then all of it), each scan bounded, so a long
// window costs little.
func (s *Schedule) Latest(from, to time.Time) (Occurrence, bool) {
	if !to.After(from) {
		return Occurrence{}, false
	}
	if s.every > 0 {
		t, ok := s.everyLatest(to)
		if !ok || !t.After(from) {
			return Occurrence{}, false
		}
		return occurrenceAt(t, s.loc), true
	}
	const day = 24 * time.Hour
	for _, span := range []time.Duration{26 * time.Hour, 8 * day, 32 * day, 400 * day, 3000 * day, 0} {
		start := from
		if span > 0 {
			if st := to.Add(-span); st.After(from) {
				start = st
			}
		}
		if o, ok := s.latestFrom(start, to); ok {
			return o, true
		}
		if start.Equal(from) {
			break
		}
	}
	return Occurrence{}, false
}

// latestFrom scans forward from start and returns the last occurrence not
// after to, giving up (with the last one found) after scheduleScanLimit occurrences.
func (s *Schedule) latestFrom(start, to time.Time) (Occurrence, bool) {
	var last Occurrence
	found := false
	cur := start
	for range scheduleScanLimit {
		o, ok := s.Next(cur)
		if !ok || o.At.After(to) {
			break
		}
		last, found = o, true
		cur = o.At
	}
	return last, found
}

// everyNext returns the first anchor + k·every (k ≥ 1) strictly after t.
// It works in whole seconds (every is whole seconds) so that far-apart
// instants do not overflow a time.Duration.
func (s *Schedule) everyNext(t time.Time) Occurrence {
	ds := int64(s.every / time.Second)
	diff := s.secondsSinceAnchor(t)
	k := int64(1)
	if diff >= 0 {
		k = diff/ds + 1
	}
	return occurrenceAt(s.everyAt(k*ds), s.loc)
}

// everyLatest returns the last anchor + k·every (k ≥ 1) not after t.
func (s *Schedule) everyLatest(t time.Time) (time.Time, bool) {
	ds := int64(s.every / time.Second)
	diff := s.secondsSinceAnchor(t)
	if diff < ds {
		return time.Time{}, false
	}
	return s.everyAt((diff / ds) * ds), true
}

// secondsSinceAnchor returns floor((t - anchor) / 1s). With whole-second
// steps, anchor + n·1s > t exactly when n > secondsSinceAnchor(t).
func (s *Schedule) secondsSinceAnchor(t time.Time) int64 {
	sec := t.Unix() - s.anchor.Unix()
	if t.Nanosecond() < s.anchor.Nanosecond() {
		sec--
	}
	return sec
}

func (s *Schedule) everyAt(sec int64) time.Time {
	return time.Unix(s.anchor.Unix()+sec, int64(s.anchor.Nanosecond())).UTC()
}

// wallClockAsUTC returns the wall time of t as the same date and time in UTC, the
// zone the cron fields are evaluated in.
func wallClockAsUTC(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func zoneOrUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
