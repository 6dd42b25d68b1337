package store

import "testing"

// concerns finds a beneficiary's id where Suivi puts ids, and nowhere it
// is only a word or a number of the layout (ids made before ValidNewID
// could be "plan" or "2026").
func TestConcerns(t *testing.T) {
	tests := []struct {
		key, id string
		want    bool
	}{
		{"fwd:nadia001:2026-W48", "nadia001", true},
		{"fwd:nadia001:2026-W48:voice0.1", "nadia001", true},
		{"nadia001:checkin:2026-11-23T10:00.0", "nadia001", true},
		{"e:nadia001:reminder:1:2026-11-23T10:00", "nadia001", true},
		{"sees:help:nadia001:2026-W48", "nadia001", true},
		{"ben:nadia001", "nadia001", true},
		{"absence:111:20261201:standin:nadia001", "nadia001", true},
		{"fwd:malik002:2026-W48", "nadia001", false},
		{"fwd:nadia0012:2026-W48", "nadia001", false},
		{"a111:digest:2026-11-23T08:30", "nadia001", false},
		// Older ids that are words or numbers: only in the places of ids.
		{"fwd:plan:2026-W48", "plan", true},
		{"plan:checkin:2026-11-23T10:00", "plan", true},
		{"e:plan:reminder:1:2026-11-23T10:00", "plan", true},
		{"ben:plan", "plan", true},
		{"malik002:plan", "plan", false},
		{"rev:malik002:plan", "plan", false},
		{"a111:digest:2026-11-23T08:30", "digest", false},
		{"checkin:checkin:x", "checkin", true},
		{"malik002:checkin:2026-11-23T10:00.0", "checkin", false},
		{"fwd:malik002:2026-W48", "2026", false},
		{"malik002:checkin:2026-11-23T10:00.0", "2026", false},
		{"u1234.0", "1234", false},
	}
	for _, tt := range tests {
		if got := concerns(tt.key, tt.id); got != tt.want {
			t.Errorf("concerns(%q, %q) = %v, want %v", tt.key, tt.id, got, tt.want)
		}
	}
}

// New ids hold two letters and a digit; older shapes stay readable.
func TestValidNewID(t *testing.T) {
	for id, want := range map[string]bool{
		"sofia2027": true, "ab12": true, "nadia001": true,
		"plan": false, "2026": false, "a111": false, "sofia": false, "AB12": false, "ab-12": false,
	} {
		if got := ValidNewID(id); got != want {
			t.Errorf("ValidNewID(%q) = %v, want %v", id, got, want)
		}
	}
	for range 200 {
		if id := NewID(); !ValidNewID(id) {
			t.Fatalf("NewID made %q", id)
		}
	}
	if !ValidID("sofia") || !ValidID("plan") {
		t.Error("older ids are still read")
	}
}
