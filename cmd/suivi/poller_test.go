package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"suivi/internal/clock"
	"suivi/telegramtest"
)

// An update Telegram should never send (an update_id that is a string) is
// parked and polling goes on: the next update is answered. When getUpdates
// fails for minutes, /healthz says so in one line; it recovers with polling.
func TestPollingSurvivesABadUpdateAndHealthReportsAStall(t *testing.T) {
	clk := clock.NewFake(t0)
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	t.Cleanup(srv.Close)
	r := start(t, baseEnv(t, srv), clk)
	u := srv.NewUser(9101, "Lina")
	srv.InjectRawUpdate(func(int64) []byte {
		return []byte(`{"update_id":"123","message":{"message_id":1,"date":1,"text":"/aide","chat":{"id":9101,"type":"private"},"from":{"id":9101,"is_bot":false,"first_name":"Lina"}}}`)
	})
	u.SendText("/aide")
	if _, err := u.WaitMessage(wait, has("Suivi accompagne")); err != nil {
		t.Fatalf("polling stopped at the bad update: %v", err)
	}
	r.settle(t, clk)
	if got := len(u.Messages()); got != 1 {
		t.Errorf("%d answers, want 1: the bad update is not handled", got)
	}
	if stats, _ := r.app.store.Inbox().Stats(t.Context()); stats.Parked != 1 {
		t.Errorf("%d updates parked, want the bad one", stats.Parked)
	}
	if code, body := healthz(t, r); code != http.StatusOK {
		t.Fatalf("healthz %d %q while polling works", code, body)
	}

	// getUpdates fails (a Bot API outage) for three minutes.
	srv.InjectFault("getUpdates", 0, 0, telegramtest.Fault{Status: http.StatusInternalServerError})
	u.SendText("/aide") // ends the long poll in flight
	if err := srv.WaitCalls(wait, func(cs []telegramtest.Call) bool {
		for _, c := range cs {
			if c.Method == "getUpdates" && c.Status == http.StatusInternalServerError {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(3 * time.Minute)
	code, body := healthz(t, r)
	if code != http.StatusServiceUnavailable || strings.Count(strings.TrimSpace(body), "\n") != 0 || !strings.Contains(body, "no successful getUpdates for 3m") {
		t.Fatalf("healthz after 3 minutes without getUpdates: %d %q, want 503 and one line", code, body)
	}
	srv.ClearFaults()
	u.SendText("/aide")
	eventually(t, "healthz recovers with polling", func() bool { code, _ := healthz(t, r); return code == http.StatusOK })
}
