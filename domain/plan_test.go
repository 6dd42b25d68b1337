package domain_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"suivi/domain"
)

func TestOffsetParse(t *testing.T) {
	tests := []struct {
		in      domain.Offset
		n       int
		unit    byte
		wantErr bool
	}{
		{"-3d", -3, 'd', false},
		{"0d", 0, 'd', false},
		{"+1d", 1, 'd', false},
		{"1d", 1, 'd', false},
		{"-2h", -2, 'h', false},
		{"+72h", 72, 'h', false},
		{"-999d", -999, 'd', false},
		{"3 days", 0, 0, true},
		{"-1w", 0, 0, true},
		{"", 0, 0, true},
		{"d", 0, 0, true},
		{"-d", 0, 0, true},
		{"-1000d", 0, 0, true},
		{"--1d", 0, 0, true},
		{"-1D", 0, 0, true},
		{" -1d", 0, 0, true},
		{"-1d ", 0, 0, true},
		{"-1.5d", 0, 0, true},
	}
	for _, tc := range tests {
		n, unit, err := tc.in.Parse()
		if tc.wantErr {
			if err == nil {
				t.Errorf("Offset(%q).Parse() = %d, %q, nil; want an error", tc.in, n, unit)
			}
			continue
		}
		if err != nil || n != tc.n || unit != tc.unit {
			t.Errorf("Offset(%q).Parse() = %d, %q, %v; want %d, %q, nil", tc.in, n, unit, err, tc.n, tc.unit)
		}
	}
	// Every default reminder is itself a valid offset in days.
	for _, o := range domain.DefaultReminders {
		if _, unit, err := o.Parse(); err != nil || unit != 'd' {
			t.Errorf("default reminder %q: unit %q, err %v", o, unit, err)
		}
	}
}

func TestReminderOffsets(t *testing.T) {
	s := domain.Step{}
	if diff := cmp.Diff([]domain.Offset{"-3d", "-1d", "0d"}, s.ReminderOffsets()); diff != "" {
		t.Errorf("default reminders (-want +got):\n%s", diff)
	}
	s.Reminders = []domain.Offset{}
	if got := s.ReminderOffsets(); len(got) != 0 {
		t.Errorf("explicitly empty reminders = %v, want none", got)
	}
	s.Reminders = []domain.Offset{"-2h"}
	if diff := cmp.Diff([]domain.Offset{"-2h"}, s.ReminderOffsets()); diff != "" {
		t.Errorf("own reminders (-want +got):\n%s", diff)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		plan domain.Plan
		tz   string
		want domain.Plan
		next int
	}{
		{
			name: "fills everything",
			plan: domain.Plan{Steps: []domain.Step{{Title: "a"}, {Title: "b"}, {Title: "c"}}},
			tz:   "Europe/Paris",
			want: domain.Plan{
				Beneficiary: domain.Person{Language: domain.French, Timezone: "Europe/Paris"},
				Steps: []domain.Step{
					{ID: 1, Title: "a", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo},
					{ID: 2, Title: "b", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo},
					{ID: 3, Title: "c", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo},
				},
			},
			next: 4,
		},
		{
			name: "keeps what is given",
			plan: domain.Plan{
				Beneficiary: domain.Person{Language: domain.English, Timezone: "Indian/Reunion"},
				Steps: []domain.Step{
					{ID: 7, Title: "a", Owner: domain.OwnerAdvisor, Status: domain.StatusDone},
				},
			},
			tz: "Europe/Paris",
			want: domain.Plan{
				Beneficiary: domain.Person{Language: domain.English, Timezone: "Indian/Reunion"},
				Steps: []domain.Step{
					{ID: 7, Title: "a", Owner: domain.OwnerAdvisor, Status: domain.StatusDone},
				},
			},
			next: 8,
		},
		{
			name: "never reuses an id",
			plan: domain.Plan{Steps: []domain.Step{{Title: "a"}, {ID: 2, Title: "b"}, {Title: "c"}, {ID: 1, Title: "d"}}},
			tz:   "America/Cayenne",
			want: domain.Plan{
				Beneficiary: domain.Person{Language: domain.French, Timezone: "America/Cayenne"},
				Steps: []domain.Step{
					{ID: 3, Title: "a", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo},
					{ID: 2, Title: "b", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo},
					{ID: 4, Title: "c", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo},
					{ID: 1, Title: "d", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo},
				},
			},
			next: 5,
		},
		{
			name: "id 1 taken",
			plan: domain.Plan{Steps: []domain.Step{{ID: 1, Title: "a"}, {Title: "b"}}},
			tz:   "Indian/Reunion",
			want: domain.Plan{
				Beneficiary: domain.Person{Language: domain.French, Timezone: "Indian/Reunion"},
				Steps: []domain.Step{
					{ID: 1, Title: "a", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo},
					{ID: 2, Title: "b", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo},
				},
			},
			next: 3,
		},
		{
			name: "no steps",
			plan: domain.Plan{},
			tz:   "UTC",
			want: domain.Plan{Beneficiary: domain.Person{Language: domain.French, Timezone: "UTC"}},
			next: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.plan
			p.Normalize(tc.tz)
			if diff := cmp.Diff(tc.want, p); diff != "" {
				t.Errorf("Normalize (-want +got):\n%s", diff)
			}
			if got := p.NextStepID(); got != tc.next {
				t.Errorf("NextStepID = %d, want %d", got, tc.next)
			}
			if p.Step(tc.next) != nil {
				t.Errorf("NextStepID %d is already used", tc.next)
			}
			seen := map[int]bool{}
			for _, s := range p.Steps {
				if s.ID <= 0 || seen[s.ID] {
					t.Errorf("step %q has id %d (zero, negative or used twice)", s.Title, s.ID)
				}
				seen[s.ID] = true
			}
			// Normalize is idempotent.
			again := p
			again.Steps = append([]domain.Step(nil), p.Steps...)
			again.Normalize("Pacific/Noumea")
			if diff := cmp.Diff(p, again); diff != "" {
				t.Errorf("second Normalize changed the plan (-first +second):\n%s", diff)
			}
		})
	}
}

func TestPlanStepLookup(t *testing.T) {
	p := domain.Plan{Steps: []domain.Step{
		{ID: 4, Title: "a", Status: domain.StatusTodo},
		{ID: 9, Title: "b", Status: domain.StatusDone},
		{ID: 2, Title: "c", Status: domain.StatusInProgress},
		{ID: 5, Title: "d", Status: domain.StatusCancelled},
		{ID: 6, Title: "e", Status: domain.StatusBlocked},
	}}
	if s := p.Step(9); s == nil || s.Title != "b" {
		t.Fatalf("Step(9) = %v, want step b", s)
	}
	// Step returns a pointer into the plan, so changes stick.
	p.Step(9).Title = "B"
	if p.Steps[1].Title != "B" {
		t.Error("Step returned a copy, not the plan's step")
	}
	if p.Step(3) != nil || p.Step(0) != nil {
		t.Error("Step of an unknown id is not nil")
	}
	var open []string
	for _, s := range p.OpenSteps() {
		open = append(open, s.Title)
	}
	if diff := cmp.Diff([]string{"a", "c", "e"}, open); diff != "" {
		t.Errorf("OpenSteps (-want +got):\n%s", diff)
	}
	if got := p.NextStepID(); got != 10 {
		t.Errorf("NextStepID = %d, want 10", got)
	}
}

func TestStatusAndOwner(t *testing.T) {
	for _, s := range domain.Statuses {
		if !s.Valid() {
			t.Errorf("%q is not valid", s)
		}
	}
	for _, s := range []domain.Status{"", "Done", "late"} {
		if s.Valid() {
			t.Errorf("%q is valid", s)
		}
	}
	open := map[domain.Status]bool{domain.StatusTodo: true, domain.StatusInProgress: true, domain.StatusBlocked: true}
	for _, s := range domain.Statuses {
		if s.Open() != open[s] {
			t.Errorf("%q.Open() = %v", s, s.Open())
		}
	}
	if !domain.OwnerAdvisor.Valid() || !domain.OwnerBeneficiary.Valid() || domain.Owner("").Valid() || domain.Owner("boss").Valid() {
		t.Error("Owner.Valid is wrong")
	}
	if !domain.French.Valid() || !domain.English.Valid() || domain.Lang("").Valid() || domain.Lang("de").Valid() {
		t.Error("Lang.Valid is wrong")
	}
}

func TestStepHistory(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	at1 := time.Date(2027, 1, 12, 9, 30, 0, 0, paris)
	at2 := time.Date(2027, 1, 13, 18, 0, 0, 0, mustLoad(t, "Indian/Reunion"))
	at3 := time.Date(2027, 1, 14, 7, 0, 0, 0, mustLoad(t, "America/Cayenne"))
	due1, _ := domain.ParseDateTime("2027-01-20")
	due2, _ := domain.ParseDateTime("2027-02-01T10:00")

	s := domain.Step{ID: 1, Title: "CV", Status: domain.StatusTodo, Due: due1}
	if !s.SetStatus(domain.StatusInProgress, at1, domain.ByBeneficiary) {
		t.Error("SetStatus to a new status reported no change")
	}
	if s.SetStatus(domain.StatusInProgress, at2, domain.ByAdvisor) {
		t.Error("SetStatus to the same status reported a change")
	}
	s.Postpone(due2, at2, domain.ByAdvisor)
	if !s.SetStatus(domain.StatusDone, at3, domain.BySystem) {
		t.Error("SetStatus to done reported no change")
	}
	if s.Status != domain.StatusDone || s.Due != due2 {
		t.Errorf("step is %s due %v, want done due %v", s.Status, s.Due, due2)
	}
	want := []domain.Change{
		{At: time.Date(2027, 1, 12, 8, 30, 0, 0, time.UTC), By: domain.ByBeneficiary, Status: domain.StatusInProgress},
		{At: time.Date(2027, 1, 13, 14, 0, 0, 0, time.UTC), By: domain.ByAdvisor, Due: &due2},
		{At: time.Date(2027, 1, 14, 10, 0, 0, 0, time.UTC), By: domain.BySystem, Status: domain.StatusDone},
	}
	if diff := cmp.Diff(want, s.History); diff != "" {
		t.Errorf("History (-want +got):\n%s", diff)
	}
	for i, c := range s.History {
		if c.At.Location() != time.UTC {
			t.Errorf("History[%d].At is in %v, want UTC", i, c.At.Location())
		}
	}
	// The history keeps its own copy of the due date.
	s.Due.Day = 28
	if s.History[1].Due.Day != 1 {
		t.Errorf("changing the step's due date changed its history: %v", s.History[1].Due)
	}
	// A no-op SetStatus on a fresh step adds nothing.
	fresh := domain.Step{Status: domain.StatusTodo}
	if fresh.SetStatus(domain.StatusTodo, at1, domain.ByAdvisor) || fresh.History != nil {
		t.Errorf("SetStatus(todo) on a todo step changed it: %+v", fresh)
	}
}

func TestBeneficiaryLocation(t *testing.T) {
	fallback := mustLoad(t, "Europe/Paris")
	for _, tc := range []struct{ tz, want string }{
		{"Indian/Reunion", "Indian/Reunion"},
		{"", "Europe/Paris"},
		{"Mars/Olympus", "Europe/Paris"},
	} {
		b := domain.Beneficiary{Timezone: tc.tz}
		if got := b.Location(fallback).String(); got != tc.want {
			t.Errorf("Location with %q = %s, want %s", tc.tz, got, tc.want)
		}
	}
	if !domain.ConsentYes.Shares() || domain.ConsentNo.Shares() || domain.ConsentUnset.Shares() {
		t.Error("only ConsentYes may share answers")
	}
}

// Each change of consent is logged with its time and where it was made; a
// choice repeated is not logged again, and the first choice always is.
func TestConsentLog(t *testing.T) {
	var b domain.Beneficiary
	t1 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	b.SetConsent(domain.ConsentNo, t1, domain.ConsentViaOnboarding)
	b.SetConsent(domain.ConsentNo, t1.Add(time.Hour), domain.ConsentViaSettings)
	b.SetConsent(domain.ConsentYes, t1.Add(2*time.Hour), domain.ConsentViaSettings)
	want := []domain.ConsentChange{
		{At: t1, Consent: domain.ConsentNo, Via: domain.ConsentViaOnboarding},
		{At: t1.Add(2 * time.Hour), Consent: domain.ConsentYes, Via: domain.ConsentViaSettings},
	}
	if d := cmp.Diff(want, b.ConsentLog); d != "" || b.Consent != domain.ConsentYes {
		t.Errorf("consent %q, log (-want +got):\n%s", b.Consent, d)
	}
}
