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
// advisor can fix a file in one go. Marshal writes a plan back in the same
// format.
package planfile

import (
	"fmt"
	"sort"
	"strings"

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

// Parse reads a plan file. defaultTZ fills a missing time zone. It returns
// the plan, normalized (step ids, statuses, owners, language and time zone
// filled in) and valid, or Errors listing every problem of the file at once.
//
// Reminders left out stay nil (the default reminders apply); an explicit
// empty list ("reminders: []") means no reminder at all. Where a list is
// expected, a single value stands for a one-item list.
func Parse(data []byte, defaultTZ string) (*domain.Plan, error) {
	if len(data) > MaxSize {
		return nil, Errors{{Message: fmt.Sprintf("the file is too large (%d bytes, at most %d KiB)", len(data), MaxSize>>10)}}
	}
	root, errs := parseYAML(data)
	if errs != nil {
		return nil, errs
	}
	d := &decoder{bad: map[string]bool{}}
	p := d.plan(root)
	p.Normalize(defaultTZ)
	if err := p.Validate(); err != nil {
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
