package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"suivi/bot"
	"suivi/internal/clock"
	"suivi/internal/metrics"
	"suivi/internal/redistest"
	"suivi/store"
)

// counted returns the value of the series of name with exactly these
// labels (0 when it was never counted).
func counted(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue series
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return 0
}

// The inbox counts the updates it parks as they arrive (a chat's backlog
// full, bytes that cannot be read, once each) and what became of each item
// it handled.
func TestInboxCountsParksAndOutcomes(t *testing.T) {
	ctx := context.Background()
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	clk := clock.NewFake(t0)
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	rec := newRecorder()
	in := bot.NewInbox(st, rec, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{Workers: 1, MaxTries: 2, Metrics: m}, 0)
	for i := 1; i <= bot.MaxPending+3; i++ {
		text := "ok"
		if i == 1 {
			text = "fail"
		}
		if _, err := in.Push(ctx, rawUpdate(int64(i), 7, text)); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := in.Park(ctx, []byte(`{"update_id":"x"}`), "undecodable"); err != nil {
			t.Fatal(err)
		}
	}
	if got := counted(t, reg, "suivi_updates_parked_on_arrival_total", map[string]string{"reason": "backlog"}); got != 3 {
		t.Errorf("backlog parks: %v, want 3", got)
	}
	if got := counted(t, reg, "suivi_updates_parked_on_arrival_total", map[string]string{"reason": "undecodable"}); got != 1 {
		t.Errorf("undecodable parks: %v, want 1 (the same bytes twice)", got)
	}
	// Update 1 fails, then fails again and is parked; the others are
	// handled, and so is the backlog notice.
	drain(t, in)
	clk.Advance(time.Minute)
	drain(t, in)
	for outcome, want := range map[string]float64{metrics.Failed: 1, metrics.Parked: 1, metrics.Done: bot.MaxPending - 1} {
		if got := counted(t, reg, "suivi_queue_items_total", map[string]string{"queue": "inbox", "kind": "text", "outcome": outcome}); got != want {
			t.Errorf("text updates %s: %v, want %v", outcome, got, want)
		}
	}
	if got := counted(t, reg, "suivi_queue_items_total", map[string]string{"queue": "inbox", "kind": "event:" + bot.EventBacklog, "outcome": metrics.Done}); got != 1 {
		t.Errorf("backlog notices handled: %v, want 1", got)
	}
	if got := counted(t, reg, "suivi_queue_item_seconds", map[string]string{"queue": "inbox"}); got != bot.MaxPending+2 {
		t.Errorf("attempts timed: %v, want %d", got, bot.MaxPending+2)
	}
}

// Every Bot API request is counted by method and class where it leaves,
// whatever the answer; accepted sends count as messages of their kind.
func TestInstrumentTransportClassifies(t *testing.T) {
	status := map[string]int{"sendMessage": 200, "sendVoice": 200, "editMessageText": 400, "sendPhoto": 403, "sendDocument": 429, "getMe": 502}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		w.WriteHeader(status[method])
	}))
	defer api.Close()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	client := &http.Client{Transport: bot.InstrumentTransport(http.DefaultTransport, m)}
	call := func(ctx context.Context, base, method string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/bot123:SECRET/"+method, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	for method := range status {
		call(context.Background(), api.URL, method)
	}
	call(context.Background(), api.URL, "sendMessage")
	expired, cancel := context.WithDeadline(context.Background(), t0)
	defer cancel()
	call(expired, api.URL, "sendMessage")
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	call(context.Background(), gone.URL, "answerCallbackQuery")

	for _, c := range []struct {
		method, class string
		want          float64
	}{
		{"sendMessage", "ok", 2}, {"sendVoice", "ok", 1}, {"editMessageText", "400", 1}, {"sendPhoto", "403", 1},
		{"sendDocument", "429", 1}, {"getMe", "5xx", 1}, {"sendMessage", "timeout", 1}, {"answerCallbackQuery", "network", 1},
	} {
		if got := counted(t, reg, "suivi_telegram_requests_total", map[string]string{"method": c.method, "class": c.class}); got != c.want {
			t.Errorf("%s %s: %v, want %v", c.method, c.class, got, c.want)
		}
	}
	for kind, want := range map[string]float64{"text": 2, "voice": 1, "photo": 0, "document": 0} {
		if got := counted(t, reg, "suivi_messages_sent_total", map[string]string{"kind": kind}); got != want {
			t.Errorf("%s messages sent: %v, want %v", kind, got, want)
		}
	}
	families, _ := reg.Gather()
	for _, f := range families {
		if strings.Contains(f.String(), "SECRET") {
			t.Fatalf("a metric shows the token: %s", f.GetName())
		}
	}
}
