package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"
)

// Limits on what a plan may hold. They keep every message Suivi builds from
// a plan within Telegram's limits and a plan readable on a phone.
const (
	MaxNameLen      = 64
	MaxTitleLen     = 200
	MaxTextLen      = 600
	MaxQuestionLen  = 300
	MaxSteps        = 40
	MaxListItems    = 20
	MaxMeetings     = 20
	MaxReminders    = 8
	MinCheckinEvery = 24 * time.Hour
	MaxStepID       = 1_000_000
)

// Problem is one thing wrong with a plan, naming its field the way the plan
// file does ("steps[2].due").
type Problem struct {
	Field   string
	Message string
}

func (p Problem) String() string { return p.Field + ": " + p.Message }

// Problems is every problem found in a plan at once. It is an error.
type Problems []Problem

func (ps Problems) Error() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, "; ")
}

// ErrInvalid is matched (errors.Is) by every Problems error.
var ErrInvalid = errors.New("invalid plan")

// Is makes errors.Is(err, ErrInvalid) true for Problems.
func (ps Problems) Is(target error) bool { return target == ErrInvalid }

type checker struct{ ps Problems }

func (c *checker) add(field, format string, args ...any) {
	c.ps = append(c.ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) text(field, v string, required bool, maxLen int) {
	c.textLines(field, v, required, maxLen, false)
}

func (c *checker) textLines(field, v string, required bool, maxLen int, multiline bool) {
	if err := checkText(v, required, maxLen, multiline); err != nil {
		c.add(field, "%s", err.Error())
	}
}

// checkText is the rule of every text of a plan: trimmed, it fits on one
// line unless multiline, is not empty if required, is at most maxLen
// characters, and holds no control characters (only newlines, in
// multi-line texts, and tabs). Text that is not UTF-8 counts as control
// characters.
func checkText(v string, required bool, maxLen int, multiline bool) error {
	v = strings.TrimSpace(v)
	switch {
	case !multiline && strings.ContainsAny(v, "\r\n"):
		return errors.New("must fit on one line")
	case v == "" && required:
		return errors.New("is required")
	case utf8.RuneCountInString(v) > maxLen:
		return fmt.Errorf("is too long (%d characters, at most %d)", utf8.RuneCountInString(v), maxLen)
	case !utf8.ValidString(v) || strings.ContainsFunc(v, isControl):
		return errors.New("contains control characters")
	}
	return nil
}

// isControl reports a character a plan's text may not hold: C0 and C1
// controls (but newline and tab, which checkText rules on) and DEL.
func isControl(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	}
	return false
}

// ValidName checks a beneficiary's name (or alias) by the rules of Validate.
func ValidName(s string) error { return checkText(s, true, MaxNameLen, false) }

// ValidTitle checks a step's title by the rules of Validate.
func ValidTitle(s string) error { return checkText(s, true, MaxTitleLen, false) }

// ValidQuestion checks a plan's own check-in question by the rules of
// Validate (it may hold several lines).
func ValidQuestion(s string) error { return checkText(s, false, MaxQuestionLen, true) }

// ValidDateTime checks a due date or meeting date by the rules of Validate.
func ValidDateTime(dt DateTime) error { return validDateTime(dt) }

func (c *checker) list(field string, vs []string) {
	if len(vs) > MaxListItems {
		c.add(field, "has %d items, at most %d", len(vs), MaxListItems)
	}
	for i, v := range vs {
		c.text(fmt.Sprintf("%s[%d]", field, i), v, true, MaxTitleLen)
	}
}

// Validate returns every problem of p at once as Problems, or nil.
// Call Normalize first: an empty language or time zone is reported here.
func (p *Plan) Validate() error {
	c := &checker{}
	c.text("beneficiary.name", p.Beneficiary.Name, true, MaxNameLen)
	if !p.Beneficiary.Language.Valid() {
		c.add("beneficiary.language", "must be fr or en, not %q", p.Beneficiary.Language)
	}
	var loc *time.Location
	if err := ValidTimezone(p.Beneficiary.Timezone); err != nil {
		c.add("beneficiary.timezone", "%v", err)
	} else {
		loc, _ = time.LoadLocation(p.Beneficiary.Timezone)
	}
	if p.AdvisorID <= 0 {
		c.add("advisor", "must be the advisor's Telegram user id (a positive number)")
	}
	if p.Checkin.Schedule != "" {
		if err := ValidCheckinSchedule(p.Checkin.Schedule, loc); err != nil {
			c.add("checkin.schedule", "%v", err)
		}
	}
	c.textLines("checkin.question", p.Checkin.Question, false, MaxQuestionLen, true)
	if len(p.Steps) == 0 {
		c.add("steps", "a plan needs at least one step")
	}
	if len(p.Steps) > MaxSteps {
		c.add("steps", "has %d steps, at most %d", len(p.Steps), MaxSteps)
	}
	ids := map[int]bool{}
	for i := range p.Steps {
		s := &p.Steps[i]
		f := fmt.Sprintf("steps[%d]", i)
		if s.ID < 0 || s.ID > MaxStepID {
			c.add(f+".id", "must be between 1 and %d", MaxStepID)
		}
		if s.ID != 0 && ids[s.ID] {
			c.add(f+".id", "id %d is used twice", s.ID)
		}
		ids[s.ID] = true
		c.text(f+".title", s.Title, true, MaxTitleLen)
		c.textLines(f+".objective", s.Objective, false, MaxTextLen, true)
		if !s.Owner.Valid() {
			c.add(f+".owner", "must be beneficiary or advisor, not %q", s.Owner)
		}
		if s.Due.IsZero() {
			c.add(f+".due", "is required (a date like 2026-12-15)")
		} else if err := validDateTime(s.Due); err != nil {
			c.add(f+".due", "%v", err)
		}
		if len(s.Reminders) > MaxReminders {
			c.add(f+".reminders", "has %d reminders, at most %d", len(s.Reminders), MaxReminders)
		}
		for j, o := range s.Reminders {
			n, unit, err := o.Parse()
			switch {
			case err != nil:
				c.add(fmt.Sprintf("%s.reminders[%d]", f, j), "%v", err)
			case unit == 'd' && (n < -60 || n > 60):
				c.add(fmt.Sprintf("%s.reminders[%d]", f, j), "must be within 60 days of the due date")
			case unit == 'h' && !s.Due.HasTime:
				c.add(fmt.Sprintf("%s.reminders[%d]", f, j), "an offset in hours needs a due time, like 2026-12-15T14:30")
			case unit == 'h' && (n < -72 || n > 72):
				c.add(fmt.Sprintf("%s.reminders[%d]", f, j), "must be within 72 hours of the due time")
			}
		}
		c.list(f+".resources", s.Resources)
		c.list(f+".indicators", s.Indicators)
		if !s.Status.Valid() {
			c.add(f+".status", "must be one of todo, in_progress, done, blocked, cancelled, not %q", s.Status)
		}
	}
	if len(p.Meetings) > MaxMeetings {
		c.add("meetings", "has %d dates, at most %d", len(p.Meetings), MaxMeetings)
	}
	for i, m := range p.Meetings {
		if err := validDateTime(m); err != nil {
			c.add(fmt.Sprintf("meetings[%d]", i), "%v", err)
		}
	}
	if len(c.ps) == 0 {
		return nil
	}
	return c.ps
}

func validDateTime(dt DateTime) error {
	if dt.Year < 2000 || dt.Year > 2100 {
		return fmt.Errorf("year %d is out of range", dt.Year)
	}
	if dt.HasTime && (dt.Hour < 0 || dt.Hour > 23 || dt.Minute < 0 || dt.Minute > 59) {
		return fmt.Errorf("time %02d:%02d is not a time of day", dt.Hour, dt.Minute)
	}
	return nil
}

// ValidTimezone checks that name is an IANA zone name.
func ValidTimezone(name string) error {
	if name == "" {
		return errors.New("is required (an IANA name like Europe/Paris)")
	}
	if name == "Local" || !strings.Contains(name, "/") && name != "UTC" {
		return fmt.Errorf("%q is not an IANA zone name like Europe/Paris", name)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("%q is not a known IANA time zone", name)
	}
	return nil
}

// ParseSchedule reads a robfig/cron spec (five fields, descriptors such as
// @weekly and @every 168h, an optional CRON_TZ= prefix). Specs without a
// CRON_TZ= prefix are evaluated in loc. The cron parser panics on some
// inputs; ParseSchedule turns that into an error.
func ParseSchedule(spec string, loc *time.Location) (sched cron.Schedule, err error) {
	spec = strings.TrimSpace(spec)
	written := spec
	if spec == "" {
		return nil, errors.New("is empty")
	}
	if loc != nil && !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "@every") {
		spec = "CRON_TZ=" + loc.String() + " " + spec
	}
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("%q is not a valid cron spec", written)
		}
	}()
	sched, err = cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid cron spec: %w", written, err)
	}
	return sched, nil
}

// ValidCheckinSchedule checks a check-in spec: it parses, it fires, and
// never twice on the same local day (a beneficiary is not to be pestered).
func ValidCheckinSchedule(spec string, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	s, err := ParseSchedule(spec, loc)
	if err != nil {
		return err
	}
	a := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if a.IsZero() {
		return fmt.Errorf("%q never fires", spec)
	}
	for range 400 {
		b := s.Next(a)
		if b.IsZero() {
			break
		}
		// A daily spec is 23 hours apart across a spring clock change; a
		// constant @every interval must be a full day.
		slack := time.Hour
		if strings.HasPrefix(strings.TrimSpace(spec), "@every") {
			slack = 0
		}
		if b.Sub(a) < MinCheckinEvery-slack || DateOf(a.In(loc)) == DateOf(b.In(loc)) {
			return fmt.Errorf("%q fires more than once a day", spec)
		}
		a = b
	}
	return nil
}
