package catalog_test

import (
	"testing"
	"time"

	"suivi/catalog"
	"suivi/domain"
)

// A plan's problems are said in the reader's language: where (the field,
// named for people), then why, with the values of the reason.
func TestProblemsInFrenchAndEnglish(t *testing.T) {
	c := catalog.New()
	for field, want := range map[string]string{
		"beneficiary.name":      "prénom ou pseudo",
		"steps[2].due":          "étape 3 · échéance",
		"steps[0].reminders[1]": "étape 1 · rappels n° 2",
		"meetings[0]":           "rendez-vous n° 1",
		"steps":                 "étapes",
		"checkin.schedule":      "rythme des points",
		"something[2].odd":      "something[2].odd",
	} {
		if got := c.Field(domain.French, field); got != want {
			t.Errorf("Field(%q) = %q, want %q", field, got, want)
		}
	}
	p := validPlanWith(t, func(p *domain.Plan) {
		p.Checkin.Schedule = "*/5 * * * *"
		p.Steps[0].Reminders = []domain.Offset{"+1d"}
		p.Steps[0].Title = ""
	})
	ps, ok := p.Validate().(domain.Problems)
	if !ok || len(ps) != 3 {
		t.Fatalf("problems %v", p.Validate())
	}
	want := "rythme des points : « */5 * * * * » tomberait plus d'une fois par jour : un point par jour au plus\n" +
		"étape 1 · intitulé : est à remplir\n" +
		"étape 1 · rappels n° 1 : « +1d » tombe après l'échéance : un rappel vient avant, ou le jour même (comme -1d, 0d ou -2h)"
	if got := c.Problems(domain.French, ps); got != want {
		t.Errorf("French:\n%s\nwant:\n%s", got, want)
	}
	if got := c.Problem(domain.English, ps[0]); got != "check-in rhythm: “*/5 * * * *” would come more than once a day: one check-in a day at most" {
		t.Errorf("English: %q", got)
	}
	if got := c.Reason(domain.French, domain.ValidCheckinSchedule("*/5 * * * *", time.UTC)); got != "« */5 * * * * » tomberait plus d'une fois par jour : un point par jour au plus" {
		t.Errorf("Reason: %q", got)
	}
}

func validPlanWith(t *testing.T, change func(*domain.Plan)) *domain.Plan {
	t.Helper()
	p := &domain.Plan{
		Beneficiary: domain.Person{Name: "Léa", Language: domain.French, Timezone: "Europe/Paris"},
		AdvisorID:   1,
		Steps:       []domain.Step{{Title: "CV", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 1, Day: 20}}}},
	}
	p.Normalize("Europe/Paris")
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	change(p)
	return p
}
