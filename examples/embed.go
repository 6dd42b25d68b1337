// Package examples holds example plan files, one per real accompaniment case
// from the good-practice guide Suivi was built from, in French and with
// aliases only. They show advisors the plan format and serve as test data.
package examples

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"suivi/domain"
	"suivi/planfile"
)

// FS holds the example plan files, named like "permis-mobilite.yaml".
//
//go:embed *.yaml
var FS embed.FS

// Names returns the example names (file names without .yaml), sorted.
func Names() []string {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Read returns the content of the example called name (without .yaml).
func Read(name string) ([]byte, error) {
	return FS.ReadFile(name + ".yaml")
}

// Template returns the example called name as a plan whose dates are all
// moved by the same number of days so that its first step is due on first:
// a starting point for a new plan (the /nouveauplan templates, the
// sandbox's people), every date on a working day (domain.WorkingDay: not a
// weekend, not a public holiday). zone is the default time zone.
func Template(name, zone string, first domain.Date) (*domain.Plan, error) {
	raw, err := Read(name)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	p, err := planfile.Parse(raw, zone)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	if len(p.Steps) == 0 {
		return p, nil
	}
	earliest := p.Steps[0].Due.Date
	for _, s := range p.Steps {
		if s.Due.Date.Before(earliest) {
			earliest = s.Due.Date
		}
	}
	p.MoveDates(earliest.DaysUntil(first))
	// A date moved may land on a weekend or a public holiday (25 December,
	// 1 January…): it goes to the next working day, which keeps the steps
	// in their order.
	for i := range p.Steps {
		p.Steps[i].Due.Date = p.Steps[i].Due.Date.NextWorkingDay()
	}
	for i := range p.Meetings {
		p.Meetings[i].Date = p.Meetings[i].Date.NextWorkingDay()
	}
	return p, nil
}
