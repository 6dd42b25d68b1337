package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"suivi/catalog"
	"suivi/domain"
	"suivi/internal/redistest"
	"suivi/sandbox"
	"suivi/telegramtest"
)

// sandboxAPI is a running sandbox driven through its JSON API, as a demo
// script would.
type sandboxAPI struct {
	t    *testing.T
	url  string
	http *http.Client
}

// startSandbox runs the sandbox's server in-process on an embedded Redis
// (REDIS_URL empty: what `suivi sandbox` does on a machine with Go alone),
// or on the Redis of redisURL.
func startSandbox(t *testing.T, redisURL string) *sandboxAPI {
	t.Helper()
	e := env{"REDIS_URL": redisURL, "SUIVI_LOG_LEVEL": "error"}
	so := sandboxOptions{getenv: e.get, stderr: logWriter{t}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := sandbox.New(ctx, sandbox.Options{Open: func(ctx context.Context) (sandbox.World, error) { return openSandbox(ctx, so) }})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		srv.Close()
	})
	return &sandboxAPI{t: t, url: hs.URL, http: &http.Client{Timeout: 2 * time.Minute}}
}

// call makes one API call and decodes the JSON answer.
func (s *sandboxAPI) call(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		s.t.Fatalf("%s %s: answer is not JSON: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// ok makes a call that must succeed.
func (s *sandboxAPI) ok(method, path string, body any) map[string]any {
	s.t.Helper()
	code, out := s.call(method, path, body)
	if code/100 != 2 {
		s.t.Fatalf("%s %s: %d %v", method, path, code, out["error"])
	}
	return out
}

// apiMsg is a message as the API shows it.
type apiMsg struct {
	From, Kind, Text string
	Buttons          []string
}

func messagesOf(chat any) []apiMsg {
	var out []apiMsg
	for _, raw := range chat.(map[string]any)["messages"].([]any) {
		m := raw.(map[string]any)
		am := apiMsg{From: m["from"].(string), Kind: m["kind"].(string)}
		am.Text, _ = m["text"].(string)
		if kb, ok := m["keyboard"].([]any); ok {
			for _, row := range kb {
				for _, b := range row.([]any) {
					am.Buttons = append(am.Buttons, b.(map[string]any)["text"].(string))
				}
			}
		}
		out = append(out, am)
	}
	return out
}

func (s *sandboxAPI) messages(id string) []apiMsg {
	s.t.Helper()
	return messagesOf(s.ok("GET", "/api/people/"+id+"/messages", nil))
}

func (s *sandboxAPI) press(id, label string) []apiMsg {
	s.t.Helper()
	return messagesOf(s.ok("POST", "/api/people/"+id+"/press", map[string]string{"label": label})["chat"])
}

func (s *sandboxAPI) send(id, text string) []apiMsg {
	s.t.Helper()
	return messagesOf(s.ok("POST", "/api/people/"+id+"/send", map[string]string{"text": text})["chat"])
}

// last returns the bot's last message.
func last(t *testing.T, msgs []apiMsg) apiMsg {
	t.Helper()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].From == "bot" {
			return msgs[i]
		}
	}
	t.Fatal("no bot message")
	return apiMsg{}
}

func count(msgs []apiMsg, pred func(apiMsg) bool) int {
	n := 0
	for _, m := range msgs {
		if pred(m) {
			n++
		}
	}
	return n
}

// people returns the ids of the scene's beneficiary and advisor.
func (s *sandboxAPI) people() (ben, adv map[string]any) {
	s.t.Helper()
	for _, raw := range s.ok("GET", "/api/people", nil)["people"].([]any) {
		p := raw.(map[string]any)
		switch p["role"] {
		case sandbox.RoleBeneficiary:
			ben = p
		case sandbox.RoleAdvisor:
			adv = p
		}
	}
	if ben == nil || adv == nil {
		s.t.Fatal("the scene has no beneficiary or no advisor")
	}
	return ben, adv
}

func idOf(p map[string]any) string { return strconv.FormatFloat(p["id"].(float64), 'f', 0, 64) }

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

func sandboxJourney(t *testing.T, s *sandboxAPI) {
	c := catalog.New()
	fr := func(k catalog.Key, kv ...any) string {
		plain, err := telegramtest.ParseHTML(c.T(domain.French, k, kv...))
		if err != nil {
			t.Fatal(err)
		}
		return plain
	}
	benP, advP := s.people()
	ben, adv := idOf(benP), idOf(advP)
	if advP["name"] != "Claire" || !strings.Contains(benP["invite"].(string), "?start=") {
		t.Fatalf("scene: advisor %v, invite %v", advP["name"], benP["invite"])
	}
	clock0 := s.ok("GET", "/api/clock", nil)
	start, _ := time.Parse(time.RFC3339Nano, clock0["now"].(string))
	paris, _ := time.LoadLocation("Europe/Paris")
	if l := start.In(paris); l.Weekday() != time.Saturday || l.Hour() != 10 || l.Minute() != 0 {
		t.Errorf("the sandbox starts at %s, want a Saturday at 10:00", l)
	}

	// Onboarding, one tap each.
	msgs := messagesOf(s.ok("POST", "/api/people/"+ben+"/invite", nil)["chat"])
	if !strings.Contains(last(t, msgs).Text, "?") || len(last(t, msgs).Buttons) == 0 {
		t.Fatalf("after the invite: %+v", last(t, msgs))
	}
	s.press(ben, fr(catalog.BtnConsentYes))
	s.press(ben, "🇫🇷 Français")
	s.press(ben, fr(catalog.BtnZoneKeep))
	msgs = s.messages(ben)
	day := last(t, msgs).Buttons[0]
	if !strings.HasPrefix(day, strings.Split(fr(catalog.BtnDayKeep, "next", "X"), "X")[0]) {
		t.Fatalf("day question: %+v", last(t, msgs))
	}
	s.press(ben, day)
	msgs = s.press(ben, fr(catalog.BtnQuietA))
	if !strings.Contains(last(t, msgs).Text, "🌙") {
		t.Fatalf("end of onboarding: %+v", last(t, msgs))
	}

	// A check-in: buttons and one typed answer.
	msgs = s.send(ben, "/progres")
	if !strings.Contains(last(t, msgs).Text, "Quels progrès") {
		t.Fatalf("/progres: %+v", last(t, msgs))
	}
	s.press(ben, fr(catalog.Score4))
	typed := "J'ai visité une résidence avec la gardienne."
	s.send(ben, typed)
	msgs = s.press(ben, fr(catalog.BtnShare))
	for strings.Contains(last(t, msgs).Text, "📌") {
		msgs = s.press(ben, fr(catalog.BtnInProgress))
	}
	s.press(ben, fr(catalog.BtnNothing))
	s.press(ben, fr(catalog.BtnHelpNo))

	// The forward reaches the advisor's phone; the advisor replies.
	advMsgs := s.messages(adv)
	if count(advMsgs, func(m apiMsg) bool { return strings.Contains(m.Text, typed) && strings.Contains(m.Text, "Nadia") }) != 1 {
		t.Fatalf("the advisor did not get the forward once: %+v", advMsgs)
	}
	s.press(adv, fr(catalog.BtnReply))
	reply := "Bravo Nadia, on en parle au prochain rendez-vous !"
	s.send(adv, reply)
	msgs = s.messages(ben)
	if count(msgs, func(m apiMsg) bool { return strings.Contains(m.Text, reply) }) != 1 {
		t.Fatalf("the beneficiary did not get the reply: %+v", last(t, msgs))
	}
	before := len(msgs)

	// A week later: the step's reminders and the weekly check-in arrive.
	moved := s.ok("POST", "/api/clock", map[string]string{"advance": "168h"})
	now, _ := time.Parse(time.RFC3339Nano, moved["now"].(string))
	if d := now.Sub(start); d < 7*24*time.Hour || d > 7*24*time.Hour+time.Hour {
		t.Errorf("the clock moved by %s, want a week", d)
	}
	week := s.messages(ben)[before:]
	if n := count(week, func(m apiMsg) bool { return strings.HasPrefix(m.Text, "⏰") }); n < 2 {
		t.Errorf("%d step reminders in the week, want the step's reminders (3 days before, the day before, the day): %+v", n, week)
	}
	if count(week, func(m apiMsg) bool { return strings.Contains(m.Text, "Quels progrès") }) != 1 {
		t.Errorf("no weekly check-in in the week: %+v", week)
	}
	// And the advisor got the Monday digest with its chart.
	if count(s.messages(adv), func(m apiMsg) bool { return m.Kind == "photo" }) < 1 {
		t.Errorf("no digest chart for the advisor")
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
