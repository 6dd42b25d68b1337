package planfile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"suivi/domain"
	"suivi/examples"
	"suivi/planfile"
)

// ignoreUnwritten ignores what the plan format does not carry: the plan's
// times and the steps' histories.
func ignoreUnwritten() cmp.Option {
	return cmp.Options{
		cmpopts.IgnoreFields(domain.Plan{}, "Created", "Updated"),
		cmpopts.IgnoreFields(domain.Step{}, "History"),
	}
}

func TestMarshalFormat(t *testing.T) {
	p := &domain.Plan{
		ID:          "b_1",
		Beneficiary: domain.Person{Name: "Moussa", Language: domain.French, Timezone: "Europe/Paris"},
		AdvisorID:   111111111,
		Checkin:     domain.Checkin{Schedule: "0 10 * * MON", Question: "Quels progrès constatez-vous cette semaine ?"},
		Steps: []domain.Step{{
			ID:         1,
			Title:      "Inscription à des cours de FLE",
			Objective:  "Améliorer mon français pour les entretiens",
			Owner:      domain.OwnerBeneficiary,
			Due:        domain.DateTime{Date: domain.Date{Year: 2026, Month: 12, Day: 15}},
			Reminders:  []domain.Offset{"-3d", "-1d", "0d"},
			Resources:  []string{"Cours FLE au Greta"},
			Indicators: []string{"Inscription confirmée"},
			Status:     domain.StatusTodo,
		}, {
			ID:     2,
			Title:  "Rendez-vous",
			Owner:  domain.OwnerAdvisor,
			Due:    domain.DateTime{Date: domain.Date{Year: 2027, Month: 1, Day: 5}, Hour: 9, Minute: 30, HasTime: true},
			Status: domain.StatusDone,
		}},
		Meetings: []domain.DateTime{{Date: domain.Date{Year: 2027, Month: 1, Day: 10}, Hour: 10, HasTime: true}},
	}
	want := `id: b_1
beneficiary:
  name: Moussa
  language: fr
  timezone: Europe/Paris
advisor: 111111111
checkin:
  schedule: "0 10 * * MON"
  question: Quels progrès constatez-vous cette semaine ?
steps:
  - id: 1
    title: Inscription à des cours de FLE
    objective: Améliorer mon français pour les entretiens
    owner: beneficiary
    due: 2026-12-15
    reminders: ["-3d", "-1d", "0d"]
    resources:
      - Cours FLE au Greta
    indicators:
      - Inscription confirmée
    status: todo
  - id: 2
    title: Rendez-vous
    owner: advisor
    due: 2027-01-05T09:30
    status: done
meetings: ["2027-01-10T10:00"]
`
	got, err := planfile.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, string(got)); d != "" {
		t.Errorf("Marshal (-want +got):\n%s", d)
	}
}

func TestRoundTripExamples(t *testing.T) {
	for _, name := range examples.Names() {
		t.Run(name, func(t *testing.T) {
			data, err := examples.Read(name)
			if err != nil {
				t.Fatal(err)
			}
			p, err := planfile.Parse(data, "Europe/Paris")
			if err != nil {
				t.Fatal(err)
			}
			p.ID = strings.ReplaceAll(name, "-", "") + "27"
			checkRoundTrip(t, p)
		})
	}
}

// TestRoundTripAwkward marshals texts that YAML would read as something
// else if written plainly.
func TestRoundTripAwkward(t *testing.T) {
	at := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	due := domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 1}}
	p := &domain.Plan{
		ID:          "ab123",
		Beneficiary: domain.Person{Name: "null", Language: domain.English, Timezone: "America/Guadeloupe"},
		AdvisorID:   1,
		Checkin:     domain.Checkin{Schedule: "CRON_TZ=Indian/Reunion 0 17 * * WED", Question: "- Et : vous ? # pas un commentaire"},
		Steps: []domain.Step{
			{ID: 3, Title: "yes", Objective: "Ligne 1\nLigne 2\n", Owner: domain.OwnerBeneficiary, Due: due, Reminders: []domain.Offset{}, Status: domain.StatusBlocked,
				History: []domain.Change{{At: at, By: domain.ByAdvisor, Status: domain.StatusBlocked}}},
			{ID: 9, Title: "2027-01-01", Objective: "  espaces devant", Owner: domain.OwnerAdvisor, Due: due, Status: domain.StatusCancelled,
				Resources:  []string{"1.5", "true", "~", "'quoted'", `"double"`, "[pas une liste]", "{ni un objet}", "&ancre", "*alias", "!tag", "%pourcent", "@arobase", "`accent`"},
				Indicators: []string{"a: b", "tab\there", "émoji 🚌", "trailing space "}},
			{ID: 10, Title: "Heure", Owner: domain.OwnerBeneficiary, Due: domain.DateTime{Date: due.Date, Hour: 0, Minute: 0, HasTime: true}, Reminders: []domain.Offset{"-2h", "-1h", "0d"}, Status: domain.StatusInProgress},
		},
		Meetings: []domain.DateTime{{Date: due.Date}, {Date: due.Date, Hour: 23, Minute: 59, HasTime: true}},
		Created:  at,
		Updated:  at,
	}
	checkRoundTrip(t, p)
}

func checkRoundTrip(t *testing.T, p *domain.Plan) {
	t.Helper()
	data, err := planfile.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := planfile.Parse(data, "UTC")
	if err != nil {
		t.Fatalf("Parse(Marshal(p)): %v\n%s", err, data)
	}
	if d := cmp.Diff(p, got, ignoreUnwritten()); d != "" {
		t.Errorf("Parse(Marshal(p)) (-want +got):\n%s\n%s", d, data)
	}
}
