package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"suivi/internal/redistest"
)

// TestSandboxJourneyThroughTheAPI drives a whole journey through the JSON
// API: onboarding by buttons, a check-in with one typed answer, the forward
// in the advisor's phone and their reply, then a week later the step
// reminders, the weekly check-in and the digest. It runs on the sandbox's
// embedded Redis (what a visitor gets: this is the product, not a test
// fallback) and on a real redis-server given as REDIS_URL.
func TestSandboxJourneyThroughTheAPI(t *testing.T) {
	for _, tc := range []struct {
		name, redis string
	}{
		{"embedded Redis", ""},
		{"REDIS_URL", redistest.URL(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sandboxJourney(t, startSandbox(t, tc.redis))
		})
	}
}

// TestSandboxAPIErrorsAreOneLine checks that bad requests get a 4xx with
// one clear line and change nothing.
func TestSandboxAPIErrorsAreOneLine(t *testing.T) {
	s := startSandbox(t, "")
	benP, _ := s.people()
	ben := idOf(benP)
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		says         string
	}{
		{"GET", "/api/people/42/messages", nil, 404, "no person 42"},
		{"GET", "/api/people/abc/messages", nil, 400, "not a person id"},
		{"POST", "/api/people/" + ben + "/send", map[string]string{}, 400, "non-empty"},
		{"POST", "/api/people/" + ben + "/send", map[string]string{"text": strings.Repeat("é", 4097)}, 400, "too long"},
		{"POST", "/api/people/" + ben + "/send", map[string]int{"txt": 1}, 400, "not the JSON expected"},
		{"POST", "/api/people/" + ben + "/press", map[string]string{"label": "Nope"}, 400, `no button "Nope"`},
		{"POST", "/api/people/" + ben + "/press", map[string]string{}, 400, "either"},
		{"POST", "/api/clock", map[string]string{"advance": "-1h"}, 400, "positive duration"},
		{"POST", "/api/clock", map[string]string{"to": "2001-01-01T00:00:00Z"}, 400, "only moves forward"},
		{"POST", "/api/clock", map[string]any{"advance": "1h", "next": true}, 400, "exactly one"},
		{"POST", "/api/people", map[string]string{"role": "beneficiary", "template": "nope"}, 400, `no template "nope"`},
		{"POST", "/api/people", map[string]string{"role": "cat"}, 400, "role must be"},
		{"POST", "/api/people", map[string]string{"role": "beneficiary", "invite": "zzzz"}, 400, "unknown"},
		{"GET", "/api/nothing", nil, 404, "no such API call"},
	} {
		code, out := s.call(tc.method, tc.path, tc.body)
		msg, _ := out["error"].(string)
		if code != tc.status || !strings.Contains(msg, tc.says) || strings.Contains(msg, "\n") {
			t.Errorf("%s %s: %d %q, want %d with %q on one line", tc.method, tc.path, code, msg, tc.status, tc.says)
		}
	}
	if n := len(s.messages(ben)); n != 0 {
		t.Errorf("bad requests left %d messages in the chat", n)
	}
}

// TestSandboxAddsPeopleAndResets adds a beneficiary from each template and
// a second advisor, then resets to the first scene.
func TestSandboxAddsPeopleAndResets(t *testing.T) {
	s := startSandbox(t, "")
	tpls := s.ok("GET", "/api/templates", nil)["templates"].([]any)
	if len(tpls) != 6 {
		t.Fatalf("%d templates, want the six cases", len(tpls))
	}
	advP := s.ok("POST", "/api/people", map[string]string{"role": "advisor", "name": "Léa"})
	for _, raw := range tpls {
		tpl := raw.(map[string]any)
		p := s.ok("POST", "/api/people", map[string]any{"role": "beneficiary", "template": tpl["name"], "advisor": advP["id"]})
		if !strings.HasPrefix(p["name"].(string), tpl["person"].(string)) || !strings.Contains(p["invite"].(string), "?start=") || p["advisor"] != advP["id"] {
			t.Errorf("from %v: %v", tpl["name"], p)
		}
	}
	if n := len(s.ok("GET", "/api/people", nil)["people"].([]any)); n != 1+1+1+6 {
		t.Errorf("%d people, want 9", n)
	}
	// Léa's first person opens the invitation.
	first := s.ok("GET", "/api/people", nil)["people"].([]any)[3].(map[string]any)
	msgs := messagesOf(s.ok("POST", "/api/people/"+idOf(first)+"/invite", nil)["chat"])
	if len(msgs) < 2 {
		t.Fatalf("invite opened: %+v", msgs)
	}
	s.ok("POST", "/api/reset", nil)
	if n := len(s.ok("GET", "/api/people", nil)["people"].([]any)); n != 2 {
		t.Errorf("after reset: %d people, want the first scene's 2", n)
	}
}

// TestSandboxPortTaken: a clear line when the address is in use.
func TestSandboxPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), []string{"sandbox", "-addr", ln.Addr().String()}, env{}.get, time.Now, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "already in use") || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
