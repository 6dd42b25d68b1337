package examples_test

import (
	"slices"
	"strings"
	"testing"

	"suivi/domain"
	"suivi/examples"
	"suivi/planfile"
)

func TestNames(t *testing.T) {
	want := []string{
		"bilan-priorites",
		"fle-electricien",
		"immersion-gardienne",
		"permis-mobilite",
		"remise-a-niveau",
		"vae-petite-enfance",
	}
	if got := examples.Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
}

// TestExamplesParse keeps the examples from rotting: each one must parse,
// validate, and stay short enough to read on a phone.
func TestExamplesParse(t *testing.T) {
	for _, name := range examples.Names() {
		t.Run(name, func(t *testing.T) {
			data, err := examples.Read(name)
			if err != nil {
				t.Fatal(err)
			}
			p, err := planfile.Parse(data, "Europe/Paris")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if p.Beneficiary.Language != domain.French {
				t.Errorf("language %q, want fr", p.Beneficiary.Language)
			}
			if p.AdvisorID != 111111111 {
				t.Errorf("advisor %d, want 111111111", p.AdvisorID)
			}
			if n := len(p.Steps); n < 4 || n > 7 {
				t.Errorf("%d steps, want 4 to 7", n)
			}
			if p.Checkin.Schedule == "" || p.Checkin.Question == "" {
				t.Errorf("check-in %+v: want a schedule and a question", p.Checkin)
			}
			if strings.Contains(p.Beneficiary.Name, " ") {
				t.Errorf("name %q: want a first name or alias only", p.Beneficiary.Name)
			}
			for i, s := range p.Steps {
				if s.Objective == "" || len(s.Indicators) == 0 && s.Owner == domain.OwnerBeneficiary {
					t.Errorf("step %d %q: want an objective, and indicators for the beneficiary's steps", i, s.Title)
				}
				if s.Due.Year != 2027 || s.Due.Month > 4 {
					t.Errorf("step %d due %v: want January to April 2027", i, s.Due)
				}
				if i > 0 && s.Due.Before(p.Steps[i-1].Due.Date) {
					t.Errorf("step %d due %v before the previous step: want chronological steps", i, s.Due)
				}
			}
		})
	}
}

// TestExamplesCoverFormat checks that the examples, together, show the
// less common parts of the format.
func TestExamplesCoverFormat(t *testing.T) {
	var cronTZ, overseas, dueTime, hourReminder, advisorStep bool
	for _, name := range examples.Names() {
		data, err := examples.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := planfile.Parse(data, "Europe/Paris")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cronTZ = cronTZ || strings.HasPrefix(p.Checkin.Schedule, "CRON_TZ=")
		overseas = overseas || !strings.HasPrefix(p.Beneficiary.Timezone, "Europe/")
		for _, s := range p.Steps {
			dueTime = dueTime || s.Due.HasTime
			advisorStep = advisorStep || s.Owner == domain.OwnerAdvisor
			for _, o := range s.Reminders {
				if _, unit, err := o.Parse(); err == nil && unit == 'h' {
					hourReminder = true
				}
			}
		}
	}
	for what, ok := range map[string]bool{
		"a CRON_TZ= schedule": cronTZ, "an overseas time zone": overseas, "a due time": dueTime,
		"an hour reminder": hourReminder, "an advisor step": advisorStep,
	} {
		if !ok {
			t.Errorf("no example shows %s", what)
		}
	}
}

// TestTemplateDatesAreWorkingDays: a template started on a public holiday
// (25 December) or a weekend has every date on a working day, its steps
// still in order.
func TestTemplateDatesAreWorkingDays(t *testing.T) {
	for _, first := range []domain.Date{{Year: 2026, Month: 12, Day: 25}, {Year: 2027, Month: 1, Day: 1}, {Year: 2027, Month: 3, Day: 27}} {
		for _, name := range examples.Names() {
			p, err := examples.Template(name, "Europe/Paris", first)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range p.Steps {
				if !domain.WorkingDay(s.Due.Date) {
					t.Errorf("%s from %s: step %d due %s (%s)", name, first, i, s.Due, s.Due.Weekday())
				}
				if i > 0 && s.Due.Before(p.Steps[i-1].Due.Date) {
					t.Errorf("%s from %s: step %d due before the previous one", name, first, i)
				}
			}
			for _, m := range p.Meetings {
				if !domain.WorkingDay(m.Date) {
					t.Errorf("%s from %s: meeting on %s", name, first, m)
				}
			}
		}
	}
}
