package main

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"suivi/internal/metrics"
	"suivi/telegramtest"
)

// scrape reads the replica's /metrics into series (as printed, e.g.
// `suivi_jobs_total{kind="checkin",outcome="fired"}`) -> value.
func scrape(t *testing.T, r *running) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	r.app.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("/metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// sum adds the values of the series of name whose labels include every
// given `label="value"`.
func sum(m map[string]float64, name string, labels ...string) float64 {
	total := 0.0
	for series, v := range m {
		base, rest, _ := strings.Cut(series, "{")
		if base != name {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(","+strings.TrimSuffix(rest, "}")+",", ","+l+",") {
				ok = false
			}
		}
		if ok {
			total += v
		}
	}
	return total
}

// callsWith counts the calls to method that Telegram answered with status.
func callsWith(srv *telegramtest.Server, method string, status int) int {
	n := 0
	for _, c := range srv.CallsTo(method) {
		if c.Status == status {
			n++
		}
	}
	return n
}

// After a small journey — a beneficiary joins and checks in, the forward
// meets a 502 then a 429, an update that cannot be read arrives, the
// scheduled check-in finds the chat blocked (403) — /metrics says what
// happened: the same counts as the fake Bot API recorded.
func TestMetricsCountTheJourney(t *testing.T) {
	w := newWorld(t)
	const cv = "Refaire son CV"
	u := w.enrol(t, stepPlan(t, "Nora", "", [2]string{cv, "2026-12-08"}), 7501, "Nora", true)

	w.srv.InjectFault("sendMessage", advisorID, 1, telegramtest.Fault{Status: http.StatusBadGateway})
	w.srv.InjectFault("sendMessage", advisorID, 1, telegramtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 30})
	c := newTalk(t, u)
	c.text("/progres")
	c.expect(txtScoreQ)
	w.checkin(t, u, ciAnswers{score: btnScore4, steps: map[string]string{cv: btnProgress}, note: "Un entretien mardi"})
	w.clk.Advance(2 * time.Second) // the backoff after the 502: then the 429
	w.settle(t)
	w.clk.Advance(30 * time.Second) // its retry_after
	w.settle(t)
	one(t, w.adv, txtFwdTitle)

	w.srv.InjectRawUpdate(func(int64) []byte { return []byte(`{"update_id":"7","message":{"text":"/aide"}}`) })
	u.SendText("/aide")
	c.markSent()
	c.expect("Voici ce que vous pouvez faire")

	// Monday's check-in finds the chat blocked.
	w.srv.InjectFault("sendMessage", u.ID(), 1, telegramtest.Fault{Status: http.StatusForbidden})
	w.runUntil(t, mondayCheckin.Add(time.Minute))
	one(t, w.adv, txtBlocked)

	m := scrape(t, w.r)
	expect := func(what string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	// Bot API requests and messages, as the fake saw them.
	for _, c := range []struct {
		class  string
		status int
	}{{"ok", 200}, {"5xx", 502}, {"429", 429}, {"403", 403}} {
		expect("sendMessage "+c.class, sum(m, "suivi_telegram_requests_total", `method="sendMessage"`, `class="`+c.class+`"`), float64(callsWith(w.srv, "sendMessage", c.status)))
	}
	expect("one 403", sum(m, "suivi_telegram_requests_total", `class="403"`), 1)
	expect("one 429", sum(m, "suivi_telegram_requests_total", `class="429"`), 1)
	expect("texts sent", sum(m, "suivi_messages_sent_total", `kind="text"`), float64(callsWith(w.srv, "sendMessage", 200)))
	expect("photos sent (the digest's chart)", sum(m, "suivi_messages_sent_total", `kind="photo"`), float64(callsWith(w.srv, "sendPhoto", 200)))
	expect("callbacks answered", sum(m, "suivi_telegram_requests_total", `method="answerCallbackQuery"`, `class="ok"`), float64(len(w.srv.CallsTo("answerCallbackQuery"))))
	expect("request durations", sum(m, "suivi_telegram_request_seconds_count", `method="sendMessage"`), float64(len(w.srv.CallsTo("sendMessage"))))

	// The inbox: every press and command handled once, the blocked chat's
	// event, the bad update parked on arrival.
	expect("presses handled", sum(m, "suivi_queue_items_total", `queue="inbox"`, `kind="callback"`, `outcome="done"`), float64(len(w.srv.CallsTo("answerCallbackQuery"))))
	commands, texts := 0, 0
	for _, um := range append(u.UserMessages(), w.adv.UserMessages()...) {
		switch {
		case strings.HasPrefix(um.Text, "/"):
			commands++
		case um.Text != "":
			texts++
		}
	}
	expect("commands handled", sum(m, "suivi_queue_items_total", `queue="inbox"`, `kind="command"`, `outcome="done"`), float64(commands))
	expect("texts handled", sum(m, "suivi_queue_items_total", `queue="inbox"`, `kind="text"`, `outcome="done"`), float64(texts))
	expect("blocked event", sum(m, "suivi_queue_items_total", `queue="inbox"`, `kind="event:blocked"`, `outcome="done"`), 1)
	if n := sum(m, "suivi_queue_items_total", `queue="inbox"`, `kind="event:due"`, `outcome="done"`); n < 1 {
		t.Errorf("due events handled: %v", n)
	}
	expect("inbox failures", sum(m, "suivi_queue_items_total", `queue="inbox"`, `outcome="failed"`)+sum(m, "suivi_queue_items_total", `queue="inbox"`, `outcome="parked"`), 0)
	expect("inbox attempts timed", sum(m, "suivi_queue_item_seconds_count", `queue="inbox"`), sum(m, "suivi_queue_items_total", `queue="inbox"`))
	expect("undecodable", sum(m, "suivi_updates_parked_on_arrival_total", `reason="undecodable"`), 1)

	// The outbox: the forward waited out the 502, was put back for the
	// 429's 30 s, then sent; the check-in to the blocked chat dropped.
	expect("forward unavailable", sum(m, "suivi_queue_items_total", `queue="outbox"`, `outcome="unavailable"`), 1)
	expect("forward deferred", sum(m, "suivi_queue_items_total", `queue="outbox"`, `outcome="deferred"`), 1)
	expect("flood control waits", sum(m, "suivi_rate_limited_total", `queue="outbox"`, `cause="flood_control"`), 1)
	expect("flood control seconds", sum(m, "suivi_rate_limited_seconds_total", `queue="outbox"`, `cause="flood_control"`), 30)
	expect("dropped for the 403", sum(m, "suivi_queue_items_total", `queue="outbox"`, `kind="text"`, `outcome="dropped"`), 1)

	// Jobs: Monday's check-in fired, nothing failed.
	if n := sum(m, "suivi_jobs_total", `kind="checkin"`, `outcome="fired"`); n < 1 {
		t.Errorf("check-in firings: %v", n)
	}
	expect("jobs failed or parked", sum(m, "suivi_jobs_total", `outcome="failed"`)+sum(m, "suivi_jobs_total", `outcome="parked"`), 0)

	// Every metric of internal/metrics is served.
	for _, name := range metrics.Names() {
		found := false
		for series := range m {
			found = found || strings.HasPrefix(series, name)
		}
		if !found {
			t.Errorf("/metrics does not serve %s", name)
		}
	}
}

// Every metric Suivi defines is in the README's list.
func TestREADMEListsEveryMetric(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range metrics.Names() {
		if !strings.Contains(string(readme), "| `"+name+"`") {
			t.Errorf("README's metrics table lacks %s", name)
		}
	}
}
