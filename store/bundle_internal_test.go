package store

import (
	"bytes"
	"strings"
	"testing"

	"suivi/domain"
)

func bundlePlan() *domain.Plan {
	p := &domain.Plan{ID: "ben1", Beneficiary: domain.Person{Name: "Awa"}, Checkin: domain.Checkin{Question: "Quels progrès ?"}}
	for i := range 5 {
		p.Steps = append(p.Steps, domain.Step{ID: i + 1, Title: "Étape", Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 3, Day: 20 + i}},
			Objective:  "Objectif \"cité\" " + strings.Repeat("é", i),
			Resources:  []string{"CPF", ""},
			Indicators: []string{"un entretien"}})
	}
	return p
}

// A plan's free texts are sealed together, once, after the clear fields;
// they read back as written, quotes and empty texts included, and the
// record is smaller than with each text sealed in its field.
func TestPlanTextsAreSealedTogether(t *testing.T) {
	s := New(nil, Options{Keys: EphemeralKeyring()})
	p := bundlePlan()
	b := encode(s, p, aadPlan(p.ID))
	if n := bytes.Count(b, []byte(sealPrefix)); n != 1 {
		t.Fatalf("%d sealed values in the plan, want one bundle: %s", n, b)
	}
	if bytes.Contains(b, []byte("Objectif")) || bytes.Contains(b, []byte("CPF")) {
		t.Fatalf("clear text in the plan: %s", b)
	}
	if !bytes.Contains(b, []byte(`"title":"Étape"`)) {
		t.Fatalf("titles stay clear: %s", b)
	}
	got, stale, err := decode[domain.Plan](s, b, aadPlan(p.ID))
	if err != nil || stale {
		t.Fatalf("decode: stale %v, %v", stale, err)
	}
	if got.Steps[4].Objective != p.Steps[4].Objective || got.Steps[0].Resources[1] != "" || got.Checkin.Question != p.Checkin.Question {
		t.Fatalf("read back %+v", got.Steps)
	}
	// Bound to its plan: under another plan's id it does not open.
	if _, _, err := decode[domain.Plan](s, b, aadPlan("ben2")); err == nil {
		t.Fatal("a bundle opened under another plan")
	}
	// Field by field, as before bundles: read, and stale (rewritten).
	cp := bundlePlan()
	for _, f := range freeText(cp) {
		*f = s.keys.sealString(*f, aadPlan(p.ID))
	}
	old := mustJSON(cp)
	got, stale, err = decode[domain.Plan](s, old, aadPlan(p.ID))
	if err != nil || !stale || got.Steps[2].Objective != p.Steps[2].Objective {
		t.Fatalf("a plan sealed field by field: stale %v, %v", stale, err)
	}
	if len(b) >= len(old) {
		t.Fatalf("bundled %d bytes, field by field %d", len(b), len(old))
	}
	t.Logf("5-step plan: %d bytes bundled, %d field by field", len(b), len(old))
	// A plan without free text has no bundle.
	if b := encode(s, &domain.Plan{ID: "ben3"}, aadPlan("ben3")); bytes.Contains(b, bundleField) {
		t.Fatalf("empty bundle: %s", b)
	}
}
