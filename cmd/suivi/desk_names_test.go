package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"suivi/domain"
)

// A colleague with no stored name (an advisor made by a plan file) is
// offered as a stand-in on the desk's settings page under a name, never as
// an empty choice (issue 13, journey 3).
func TestDeskNamesAColleagueWithoutName(t *testing.T) {
	w, base := deskWorld(t, deskStart, nil)
	w.enrol(t, stepPlan(t, "Awa", "", [2]string{"Refaire son CV", "2037-03-20"}), 9501, "Awa", true)
	if err := w.r.app.store.PutAdvisor(context.Background(), &domain.Advisor{ID: 333333333}); err != nil {
		t.Fatal(err)
	}
	d := deskLogin(t, w, base, w.adv)
	page := d.get(t, "/desk/settings", http.StatusOK)
	if !strings.Contains(page, `<option value="333333333">une personne de l&#39;équipe</option>`) {
		t.Fatalf("the nameless colleague is not named on the settings page:\n%s", page)
	}
	if strings.Contains(page, `<option value="333333333"></option>`) {
		t.Fatalf("an empty choice is offered")
	}
}
