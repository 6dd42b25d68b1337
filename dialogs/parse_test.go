package dialogs

import (
	"testing"
	"time"

	"suivi/domain"
)

func TestParseStepLines(t *testing.T) {
	now := time.Date(2037, 12, 20, 10, 0, 0, 0, time.UTC)
	steps, bad := parseStepLines("15/01 Visite à la Mission Locale\n- 24/12 14h30 [conseiller] Appeler le Greta\n\n31/02 Impossible\n03/03/2038 (c) Dossier CPAM\nsans date", now)
	if len(bad) != 2 || bad[0] != "4" || bad[1] != "6" {
		t.Fatalf("bad lines %v", bad)
	}
	want := []domain.Step{
		{Title: "Visite à la Mission Locale", Owner: domain.OwnerBeneficiary, Due: domain.DateTime{Date: domain.Date{Year: 2038, Month: 1, Day: 15}}},
		{Title: "Appeler le Greta", Owner: domain.OwnerAdvisor, Due: domain.DateTime{Date: domain.Date{Year: 2037, Month: 12, Day: 24}, Hour: 14, Minute: 30, HasTime: true}},
		{Title: "Dossier CPAM", Owner: domain.OwnerAdvisor, Due: domain.DateTime{Date: domain.Date{Year: 2038, Month: 3, Day: 3}}},
	}
	if len(steps) != len(want) {
		t.Fatalf("steps %+v", steps)
	}
	for i := range want {
		if steps[i].Title != want[i].Title || steps[i].Owner != want[i].Owner || steps[i].Due != want[i].Due {
			t.Errorf("step %d = %+v, want %+v", i, steps[i], want[i])
		}
	}
}

func TestParseMeetingsAndDates(t *testing.T) {
	now := time.Date(2037, 12, 20, 10, 0, 0, 0, time.UTC)
	ms, bad := parseMeetings("10/01 10:00, 24/12 14h30; 32/01", now)
	if len(bad) != 1 || len(ms) != 2 || ms[0].String() != "2037-12-24T14:30" || ms[1].String() != "2038-01-10T10:00" {
		t.Fatalf("meetings %v bad %v", ms, bad)
	}
	if _, ok := userDateTime("15", "12", "", "25", "", now); ok {
		t.Fatal("25h accepted")
	}
	d, ok := parseUserDate("24/12", now)
	if !ok || d != (domain.Date{Year: 2037, Month: 12, Day: 24}) {
		t.Fatalf("pause date %v %v", d, ok)
	}
	if _, ok := parseUserDate("19/12", now); !ok {
		t.Fatal("a past day without year should be next year's")
	}
	if _, ok := parseUserDate("2037-12-01", now); ok {
		t.Fatal("a past full date accepted for a pause")
	}
}

// (asciiName, which made names fit the chart's old ASCII bitmap font, is
// gone: chart_test.go checks that names are drawn as written.)
func TestFold(t *testing.T) {
	if fold(" Zoé ") != "zoe" || fold("ÉLODIE") != "elodie" {
		t.Fatalf("fold: %q %q", fold(" Zoé "), fold("ÉLODIE"))
	}
}
