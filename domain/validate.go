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
// file does ("steps[2].due"). Message is in English (the CLI's language,
// and the logs'); Code and Args let the catalog word it for people in
// their language ("problem."+Code).
type Problem struct {
	Field   string
	Message string
	Code    string
	Args    map[string]any
}

// Reason is why a value is refused, as an error: a code and the values its
// wording needs, for the catalog ("problem."+Code), and the English wording
// its Error returns.
type Reason struct {
	Code    string
	Args    map[string]any
	English string
}

func (r *Reason) Error() string { return r.English }

// The codes of the reasons a plan is refused for (Reason.Code,
// Problem.Code). Each has a wording in every language of the catalog.
const (
	RsOneLine         = "one_line"
	RsRequired        = "required"
	RsTooLong         = "too_long"
	RsControl         = "control"
	RsLanguage        = "language"
	RsZoneRequired    = "zone_required"
	RsZoneName        = "zone_name"
	RsZoneUnknown     = "zone_unknown"
	RsAdvisor         = "advisor"
	RsPlanID          = "plan_id"
	RsScheduleEmpty   = "schedule_empty"
	RsScheduleInvalid = "schedule_invalid"
	RsScheduleNever   = "schedule_never"
	RsScheduleTwice   = "schedule_twice"
	RsNoSteps         = "no_steps"
	RsTooManySteps    = "too_many_steps"
	RsStepID          = "step_id"
	RsStepIDTwice     = "step_id_twice"
	RsOwner           = "owner"
	RsDueRequired     = "due_required"
	RsTooManyReminder = "too_many_reminders"
	RsOffset          = "offset"
	RsOffsetAfter     = "offset_after"
	RsOffsetDays      = "offset_days"
	RsOffsetNeedsTime = "offset_needs_time"
	RsOffsetHours     = "offset_hours"
	RsTooManyItems    = "too_many_items"
	RsStatus          = "status"
	RsTooManyMeetings = "too_many_meetings"
	RsYear            = "year"
	RsTimeOfDay       = "time_of_day"
	RsPastDue         = "past_due"
)

// ReasonCodes lists every reason code.
var ReasonCodes = []string{
	RsOneLine, RsRequired, RsTooLong, RsControl, RsLanguage, RsZoneRequired, RsZoneName, RsZoneUnknown,
	RsAdvisor, RsPlanID, RsScheduleEmpty, RsScheduleInvalid, RsScheduleNever, RsScheduleTwice, RsNoSteps,
	RsTooManySteps, RsStepID, RsStepIDTwice, RsOwner, RsDueRequired, RsTooManyReminder, RsOffset,
	RsOffsetAfter, RsOffsetDays, RsOffsetNeedsTime, RsOffsetHours, RsTooManyItems, RsStatus,
	RsTooManyMeetings, RsYear, RsTimeOfDay, RsPastDue,
}

// reason makes a Reason: its code, its values (name, value pairs) and its
// English wording (format and arguments, as fmt.Sprintf).
func reason(code string, kv []any, format string, a ...any) *Reason {
	var args map[string]any
	if len(kv) > 0 {
		args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			args[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return &Reason{Code: code, Args: args, English: fmt.Sprintf(format, a...)}
}

// args is a list of name, value pairs for reason.
func args(kv ...any) []any { return kv }

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

// add records a problem of field. err is a *Reason, or any error (its text
// is then the message, for every language).
func (c *checker) add(field string, err error) {
	p := Problem{Field: field, Message: err.Error()}
	var r *Reason
	if errors.As(err, &r) {
		p.Code, p.Args = r.Code, r.Args
	}
	c.ps = append(c.ps, p)
}

func (c *checker) text(field, v string, required bool, maxLen int) {
	c.textLines(field, v, required, maxLen, false)
}

func (c *checker) textLines(field, v string, required bool, maxLen int, multiline bool) {
	if err := checkText(v, required, maxLen, multiline); err != nil {
		c.add(field, err)
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
		return reason(RsOneLine, nil, "must fit on one line")
	case v == "" && required:
		return reason(RsRequired, nil, "is required")
	case utf8.RuneCountInString(v) > maxLen:
		n := utf8.RuneCountInString(v)
		return reason(RsTooLong, args("n", n, "max", maxLen), "is too long (%d characters, at most %d)", n, maxLen)
	case !utf8.ValidString(v) || strings.ContainsFunc(v, isControl):
		return reason(RsControl, nil, "contains control characters")
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
		c.add(field, reason(RsTooManyItems, args("n", len(vs), "max", MaxListItems), "has %d items, at most %d", len(vs), MaxListItems))
	}
	for i, v := range vs {
		c.text(fmt.Sprintf("%s[%d]", field, i), v, true, MaxTitleLen)
	}
}

// ValidPlanID checks the shape of a plan id: 4 to 32 lower-case letters or
// digits. Every stored plan has one.
func ValidPlanID(id string) error {
	if !planIDShape(id) {
		return reason(RsPlanID, args("value", id), "%q must be 4 to 32 lower-case letters or digits, with at least two letters and a digit (like sofia2027)", id)
	}
	return nil
}

// ValidNewPlanID checks the id of a plan to be created: the shape of
// ValidPlanID, with at least two letters and a digit, so that it can never
// be read as a word or a number where it appears in keys.
func ValidNewPlanID(id string) error {
	if err := ValidPlanID(id); err != nil {
		return err
	}
	letters, digits := 0, 0
	for _, c := range []byte(id) {
		if c >= '0' && c <= '9' {
			digits++
		} else {
			letters++
		}
	}
	if letters < 2 || digits < 1 {
		return reason(RsPlanID, args("value", id), "%q must be 4 to 32 lower-case letters or digits, with at least two letters and a digit (like sofia2027)", id)
	}
	return nil
}

func planIDShape(id string) bool {
	if len(id) < 4 || len(id) > 32 {
		return false
	}
	for _, c := range []byte(id) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Validate returns every problem of p at once as Problems, or nil.
// Call Normalize first: an empty language or time zone is reported here.
// A plan id, when set, must have the shape of one (ValidPlanID); a plan to
// be created is checked by ValidateNew.
func (p *Plan) Validate() error { return p.validate(ValidPlanID) }

// ValidateNew is Validate for a plan to be created (a plan file imported):
// its id, when set, must be one a new plan may take (ValidNewPlanID).
func (p *Plan) ValidateNew() error { return p.validate(ValidNewPlanID) }

func (p *Plan) validate(validID func(string) error) error {
	c := &checker{}
	if p.ID != "" {
		if err := validID(p.ID); err != nil {
			c.add("id", err)
		}
	}
	c.text("beneficiary.name", p.Beneficiary.Name, true, MaxNameLen)
	if !p.Beneficiary.Language.Valid() {
		c.add("beneficiary.language", reason(RsLanguage, args("value", string(p.Beneficiary.Language)), "must be fr or en, not %q", p.Beneficiary.Language))
	}
	var loc *time.Location
	if err := ValidTimezone(p.Beneficiary.Timezone); err != nil {
		c.add("beneficiary.timezone", err)
	} else {
		loc, _ = time.LoadLocation(p.Beneficiary.Timezone)
	}
	if p.AdvisorID <= 0 {
		c.add("advisor", reason(RsAdvisor, nil, "must be the advisor's Telegram user id (a positive number)"))
	}
	if p.Checkin.Schedule != "" {
		if err := ValidCheckinSchedule(p.Checkin.Schedule, loc); err != nil {
			c.add("checkin.schedule", err)
		}
	}
	c.textLines("checkin.question", p.Checkin.Question, false, MaxQuestionLen, true)
	if len(p.Steps) == 0 {
		c.add("steps", reason(RsNoSteps, nil, "a plan needs at least one step"))
	}
	if len(p.Steps) > MaxSteps {
		c.add("steps", reason(RsTooManySteps, args("n", len(p.Steps), "max", MaxSteps), "has %d steps, at most %d", len(p.Steps), MaxSteps))
	}
	ids := map[int]bool{}
	for i := range p.Steps {
		s := &p.Steps[i]
		f := fmt.Sprintf("steps[%d]", i)
		if s.ID < 0 || s.ID > MaxStepID {
			c.add(f+".id", reason(RsStepID, args("max", MaxStepID), "must be between 1 and %d", MaxStepID))
		}
		if s.ID != 0 && ids[s.ID] {
			c.add(f+".id", reason(RsStepIDTwice, args("id", s.ID), "id %d is used twice", s.ID))
		}
		ids[s.ID] = true
		c.text(f+".title", s.Title, true, MaxTitleLen)
		c.textLines(f+".objective", s.Objective, false, MaxTextLen, true)
		if !s.Owner.Valid() {
			c.add(f+".owner", reason(RsOwner, args("value", string(s.Owner)), "must be beneficiary or advisor, not %q", s.Owner))
		}
		if s.Due.IsZero() {
			c.add(f+".due", reason(RsDueRequired, nil, "is required (a date like 2026-12-15)"))
		} else if err := validDateTime(s.Due); err != nil {
			c.add(f+".due", err)
		}
		if len(s.Reminders) > MaxReminders {
			c.add(f+".reminders", reason(RsTooManyReminder, args("n", len(s.Reminders), "max", MaxReminders), "has %d reminders, at most %d", len(s.Reminders), MaxReminders))
		}
		for j, o := range s.Reminders {
			rf := fmt.Sprintf("%s.reminders[%d]", f, j)
			n, unit, err := o.Parse()
			switch {
			case err != nil:
				c.add(rf, reason(RsOffset, args("value", string(o)), "%v", err))
			case n > 0:
				c.add(rf, reason(RsOffsetAfter, args("value", string(o)), "%q is after the due date: reminders come before it or on it (like -1d, 0d or -2h)", string(o)))
			case unit == 'd' && n < -60:
				c.add(rf, reason(RsOffsetDays, args("max", 60), "must be within 60 days of the due date"))
			case unit == 'h' && !s.Due.HasTime:
				c.add(rf, reason(RsOffsetNeedsTime, nil, "an offset in hours needs a due time, like 2026-12-15T14:30"))
			case unit == 'h' && n < -72:
				c.add(rf, reason(RsOffsetHours, args("max", 72), "must be within 72 hours of the due time"))
			}
		}
		c.list(f+".resources", s.Resources)
		c.list(f+".indicators", s.Indicators)
		if !s.Status.Valid() {
			c.add(f+".status", reason(RsStatus, args("value", string(s.Status)), "must be one of todo, in_progress, done, blocked, cancelled, not %q", s.Status))
		}
	}
	if len(p.Meetings) > MaxMeetings {
		c.add("meetings", reason(RsTooManyMeetings, args("n", len(p.Meetings), "max", MaxMeetings), "has %d dates, at most %d", len(p.Meetings), MaxMeetings))
	}
	for i, m := range p.Meetings {
		if err := validDateTime(m); err != nil {
			c.add(fmt.Sprintf("meetings[%d]", i), err)
		}
	}
	if len(c.ps) == 0 {
		return nil
	}
	return c.ps
}

// PastDue returns, as warnings, the open steps of p due before today (the
// beneficiary's date): a plan may hold them (the step is overdue from the
// start), but it is most often a typing mistake.
func (p *Plan) PastDue(today Date) Problems {
	var ws Problems
	for i, s := range p.Steps {
		if s.Status.Open() && !s.Due.IsZero() && s.Due.Date.Before(today) {
			ws = append(ws, Problem{
				Field: fmt.Sprintf("steps[%d].due", i), Code: RsPastDue, Args: map[string]any{"value": s.Due.String()},
				Message: fmt.Sprintf("%s is in the past: the step is overdue from the start (stored anyway)", s.Due),
			})
		}
	}
	return ws
}

func validDateTime(dt DateTime) error {
	if dt.Year < 2000 || dt.Year > 2100 {
		return reason(RsYear, args("year", dt.Year), "year %d is out of range", dt.Year)
	}
	if dt.HasTime && (dt.Hour < 0 || dt.Hour > 23 || dt.Minute < 0 || dt.Minute > 59) {
		t := fmt.Sprintf("%02d:%02d", dt.Hour, dt.Minute)
		return reason(RsTimeOfDay, args("value", t), "time %s is not a time of day", t)
	}
	return nil
}

// ValidTimezone checks that name is an IANA zone name.
func ValidTimezone(name string) error {
	if name == "" {
		return reason(RsZoneRequired, nil, "is required (an IANA name like Europe/Paris)")
	}
	if name == "Local" || !strings.Contains(name, "/") && name != "UTC" {
		return reason(RsZoneName, args("value", name), "%q is not an IANA zone name like Europe/Paris", name)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return reason(RsZoneUnknown, args("value", name), "%q is not a known IANA time zone", name)
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
		return nil, reason(RsScheduleEmpty, nil, "is empty")
	}
	if loc != nil && !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "@every") {
		spec = "CRON_TZ=" + loc.String() + " " + spec
	}
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, reason(RsScheduleInvalid, args("value", written), "%q is not a valid cron spec", written)
		}
	}()
	sched, err = cron.ParseStandard(spec)
	if err != nil {
		return nil, reason(RsScheduleInvalid, args("value", written), "%q is not a valid cron spec: %v", written, err)
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
		return reason(RsScheduleNever, args("value", spec), "%q never fires", spec)
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
			return reason(RsScheduleTwice, args("value", spec), "%q fires more than once a day", spec)
		}
		a = b
	}
	return nil
}
