package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"suivi/bot"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/store"
	"suivi/telegramtest"
)

// syncBuffer collects logs written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newPoller returns a poller on srv feeding a fresh inbox, and its logs.
func newPoller(t *testing.T, srv *telegramtest.Server, clk *clock.Fake) (*bot.Poller, *store.Store, *syncBuffer) {
	t.Helper()
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	in := bot.NewInbox(st, newRecorder(), bot.NewEvents(st, clk.Now), clk.Now, log, bot.LaneConfig{}, 0)
	return &bot.Poller{APIURL: srv.URL(), Token: srv.Token(), Client: http.DefaultClient, Inbox: in, Store: st, Log: log, Now: clk.Now}, st, logs
}

// Updates Telegram should never send — an update_id that is a string, zero
// or negative, a batch element that is not an object — are parked, and
// polling goes on past them: the good updates around them are persisted, the
// offset moves past the whole batch (also when a bad update ends it), and
// nothing is parked twice when a batch is fetched again.
func TestPollerParksUndecodableUpdatesAndMovesOn(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	p, st, logs := newPoller(t, srv, clock.NewFake(t0))
	ctx := context.Background()
	u := srv.NewUser(5, "Ana")
	msg := func(id string) []byte {
		return fmt.Appendf(nil, `{"update_id":%s,"message":{"message_id":1,"date":1,"text":"mon secret","chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"Ana"}}}`, id)
	}
	good1 := u.SendText("bonjour")
	srv.InjectRawUpdate(func(id int64) []byte { return msg(strconv.Quote(strconv.FormatInt(id, 10))) })
	srv.InjectRawUpdate(func(int64) []byte { return []byte(`7`) })
	srv.InjectRawUpdate(func(int64) []byte { return msg("0") })
	good2 := u.SendText("merci")
	last := srv.InjectRawUpdate(func(int64) []byte { return msg("-3") })

	if err := p.PollOnce(ctx); err != nil {
		t.Fatalf("PollOnce: %v", err)
	}
	for _, id := range []int64{good1, good2} {
		if seen, err := st.Inbox().Seen(ctx, u.ID(), strconv.FormatInt(id, 10)); err != nil || !seen {
			t.Errorf("update %d was not persisted (%v)", id, err)
		}
	}
	if n, _ := st.Inbox().Pending(ctx, 5); n != 2 {
		t.Errorf("%d updates waiting in chat 5, want the 2 good ones", n)
	}
	if off, _ := st.PollOffset(ctx); off != last+1 {
		t.Errorf("offset %d, want %d: past the whole batch", off, last+1)
	}
	parked, err := st.Inbox().Parked(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]int{}
	for _, rec := range parked {
		var r struct {
			Reason string `json:"reason"`
			Item   string `json:"item"`
		}
		if err := json.Unmarshal([]byte(rec), &r); err != nil || r.Item == "" {
			t.Fatalf("parked record %s: %v", rec, err)
		}
		reasons[r.Reason]++
	}
	if len(parked) != 4 || reasons["undecodable"] != 2 || reasons["bad update_id"] != 2 {
		t.Errorf("parked %v, want 2 undecodable and 2 with a bad update_id", reasons)
	}

	// The next call confirms the batch to Telegram; a batch fetched again
	// (a crash before the offset was stored) parks nothing twice.
	if err := p.PollOnce(ctx); err != nil {
		t.Fatalf("second PollOnce: %v", err)
	}
	if srv.Confirmed() != last || srv.Pending() != 0 {
		t.Errorf("Telegram confirmed up to %d with %d pending, want %d and 0", srv.Confirmed(), srv.Pending(), last)
	}
	if err := st.SetPollOffset(ctx, 0); err != nil {
		t.Fatal(err)
	}
	again := srv.InjectRawUpdate(func(int64) []byte { return []byte(`"not an update"`) })
	if err := p.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if stats, _ := st.Inbox().Stats(ctx); stats.Parked != 5 {
		t.Errorf("%d parked, want the 4 and the new one", stats.Parked)
	}
	if off, _ := st.PollOffset(ctx); off != again+1 {
		t.Errorf("offset %d after a lone bad update, want %d", off, again+1)
	}
	if strings.Contains(logs.String(), "mon secret") {
		t.Errorf("a log carries message text:\n%s", logs.String())
	}
}

// Health reports a replica that polls but has not completed a round for
// longer than Stale, and recovers with the next good round.
func TestPollerHealthReportsAStall(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	clk := clock.NewFake(t0)
	p, _, _ := newPoller(t, srv, clk)
	if err := p.Health(); err != nil {
		t.Fatalf("a poller that has not started: %v", err)
	}
	srv.InjectFault("getUpdates", 0, 0, telegramtest.Fault{Status: http.StatusBadGateway, HTML: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	if err := srv.WaitCalls(10*time.Second, func(cs []telegramtest.Call) bool {
		for _, c := range cs {
			if c.Method == "getUpdates" && c.Status == http.StatusBadGateway {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	if err := p.Health(); err != nil {
		t.Fatalf("a poller failing for a moment is not unhealthy yet: %v", err)
	}
	clk.Advance(3 * time.Minute)
	err := p.Health()
	if err == nil || !strings.Contains(err.Error(), "no successful getUpdates for 3m0s") {
		t.Fatalf("after 3 minutes of 502: %v", err)
	}
	srv.ClearFaults()
	srv.NewUser(6, "Bo").SendText("hello")
	waitFor(t, func() bool { return p.Health() == nil })
}
