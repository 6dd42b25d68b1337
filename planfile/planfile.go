// Package planfile reads and writes Suivi's public plan format: the YAML file
// an advisor writes after the interview, sends to the bot, and gets back from
// an export.
//
// A plan file looks like this:
//
//	beneficiary:
//	  name: Moussa              # first name or alias, shown to the advisor
//	  language: fr              # fr | en
//	  timezone: Europe/Paris    # IANA name; the server default when left out
//	advisor: 111111111          # Telegram user id of the advisor
//	checkin:
//	  schedule: "0 10 * * MON"  # robfig/cron spec; CRON_TZ= and @every accepted
//	  question: "Quels progrès constatez-vous cette semaine ?"
//	steps:
//	  - title: Inscription à des cours de FLE
//	    objective: Améliorer mon français pour les entretiens
//	    owner: beneficiary      # beneficiary | advisor
//	    due: 2026-12-15         # date, or date and time, local to the beneficiary
//	    reminders: ["-3d", "-1d", "0d"]
//	    resources: ["Cours FLE au Greta"]
//	    indicators: ["Inscription confirmée"]
//	meetings: ["2027-01-10T10:00"]
//
// An exported file also carries the plan's id at the top, and each step's id
// and status (todo, in_progress, done, blocked or cancelled).
//
// Parse reports every problem of a file at once, each with its line, so an
// advisor can fix a file in one go. A file that is not UTF-8 text is refused
// with one problem that says so. Marshal writes a plan back in the same
// format.
package planfile

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"suivi/domain"
)

// MaxSize is the largest plan file Parse reads, in bytes.
const MaxSize = 256 << 10

// maxErrors caps the problems Parse lists, so that a file that is not a plan
// at all does not produce pages of them.
const maxErrors = 50

// maxStepID is the largest step id a file may give.
const maxStepID = 1_000_000

// Error is one problem of a plan file.
type Error struct {
	// Line is the 1-based line of the problem in the file, 0 when unknown
	// (for instance a file that is too large).
	Line int
	// Field names the field the way the file does ("steps[2].due"); it is
	// empty for problems of the file as a whole.
	Field   string
	Message string
}

// Error writes e as "line 12: steps[0].due: is required".
func (e Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errors is every problem found in a plan file, in line order. It is an
// error, and errors.Is(err, domain.ErrInvalid) is true for it.
type Errors []Error

// Error writes one problem per line.
func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Is makes errors.Is(err, domain.ErrInvalid) true for Errors.
func (es Errors) Is(target error) bool { return target == domain.ErrInvalid }

// sorted returns es in line order (problems of the whole file first), cut
// to maxErrors.
func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Line < es[j].Line })
	if len(es) > maxErrors {
		more := len(es) - maxErrors
		es = append(es[:maxErrors:maxErrors], Error{Message: fmt.Sprintf("and %d more problems: fix these first", more)})
	}
	return es
}

// notUTF8 reports a file that is not UTF-8 text, as one problem: a UTF-16
// file (what some Windows editors save, with or without a byte order mark),
// or bytes of another encoding (Latin-1, Windows-1252), on their line.
// yaml.v3 reads UTF-16 with a byte order mark, but the format is UTF-8, as
// plan export writes it, and every line an advisor is told about must be
// the one they see.
func notUTF8(data []byte) (Error, bool) {
	const fix = ": save it as UTF-8 (in Notepad: Save as, Encoding UTF-8) and import it again"
	utf16 := bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) ||
		len(data) >= 2 && (data[0] == 0 || data[1] == 0)
	switch {
	case utf16:
		return Error{Message: "the file is not UTF-8 text (UTF-16?)" + fix}, true
	case bytes.IndexByte(data, 0) >= 0:
		return Error{Line: 1 + bytes.Count(data[:bytes.IndexByte(data, 0)], []byte("\n")), Message: "the file is not UTF-8 text (a NUL byte)" + fix}, true
	case !utf8.Valid(data):
		bad := 0
		for bad < len(data) {
			r, n := utf8.DecodeRune(data[bad:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			bad += n
		}
		return Error{Line: 1 + bytes.Count(data[:bad], []byte("\n")), Message: "the file is not UTF-8 text (Latin-1 or Windows-1252?)" + fix}, true
	}
	return Error{}, false
}

// Parse reads a plan file. defaultTZ fills a missing time zone. It returns
// the plan, normalized (step ids, statuses, owners, language and time zone
// filled in) and valid, or Errors listing every problem of the file at once.
//
// Reminders left out stay nil (the default reminders apply); an explicit
// empty list ("reminders: []") means no reminder at all. Where a list is
// expected, a single value stands for a one-item list.
func Parse(data []byte, defaultTZ string) (*domain.Plan, error) {
	return parse(data, defaultTZ, false)
}

// ParseUpdate reads a plan file that changes a stored plan (the file plan
// export writes, edited): as Parse, but the plan's id is required, and
// need only have the shape of one (a plan stored before the rules of new
// ids keeps its id), and a step without an id keeps id 0: it is a new
// one (domain.Plan.Merge).
func ParseUpdate(data []byte, defaultTZ string) (*domain.Plan, error) {
	return parse(data, defaultTZ, true)
}

// Warnings returns, each on its line, what a valid plan file holds that
// is most often a mistake: open steps due before today, the date of the
// beneficiary at now (domain.Plan.PastDue). p is what Parse read from data.
func Warnings(data []byte, p *domain.Plan, now time.Time) Errors {
	loc, err := time.LoadLocation(p.Beneficiary.Timezone)
	if err != nil {
		loc = time.UTC
	}
	ws := p.PastDue(domain.DateOf(now.In(loc)))
	if len(ws) == 0 {
		return nil
	}
	root, _ := parseYAML(data)
	var out Errors
	for _, w := range ws {
		line := 0
		if root != nil {
			line = lineOf(root, w.Field)
		}
		out = append(out, Error{Line: line, Field: w.Field, Message: w.Message})
	}
	return out
}

func parse(data []byte, defaultTZ string, update bool) (*domain.Plan, error) {
	if len(data) > MaxSize {
		return nil, Errors{{Message: fmt.Sprintf("the file is too large (%d bytes, at most %d KiB)", len(data), MaxSize>>10)}}
	}
	if e, ok := notUTF8(data); ok {
		return nil, Errors{e}
	}
	root, errs := parseYAML(data)
	if errs != nil {
		return nil, errs
	}
	d := &decoder{bad: map[string]bool{}}
	p := d.plan(root)
	var noID []int
	for i, s := range p.Steps {
		if s.ID == 0 {
			noID = append(noID, i)
		}
	}
	p.Normalize(defaultTZ)
	validate := p.ValidateNew
	if update {
		// A step without an id is a new one: the stored plan gives it an
		// id of its own (one of the file could be that of a step it left
		// out).
		for _, i := range noID {
			p.Steps[i].ID = 0
		}
		validate = p.Validate
		if p.ID == "" && !d.reported("id") {
			d.errs = append(d.errs, Error{Line: 1, Field: "id", Message: "is required to update a plan: the id of the stored plan, as plan export writes it"})
		}
	}
	if err := validate(); err != nil {
		ps, ok := err.(domain.Problems)
		if !ok {
			d.errs = append(d.errs, Error{Message: err.Error()})
		}
		for _, pr := range ps {
			if d.reported(pr.Field) {
				continue
			}
			d.errs = append(d.errs, Error{Line: lineOf(root, pr.Field), Field: pr.Field, Message: pr.Message})
		}
	}
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	return p, nil
}
