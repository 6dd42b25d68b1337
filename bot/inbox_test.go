package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/store"
)

func TestMain(m *testing.M) { redistest.Run(m) }

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func rawUpdate(id, chat int64, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"update_id": id,
		"message": map[string]any{
			"message_id": id, "date": 1, "text": text,
			"chat": map[string]any{"id": chat, "type": "private"},
			"from": map[string]any{"id": chat, "is_bot": false, "first_name": "U"},
		},
	})
	return b
}

// recorder is a handler that records what it saw, per chat, and can panic
// or fail on command.
type recorder struct {
	mu      sync.Mutex
	seen    map[int64][]string
	calls   map[int64]int
	active  map[int64]int
	overlap bool
	block   chan struct{} // when set, "slow" updates wait on it
}

func newRecorder() *recorder {
	return &recorder{seen: map[int64][]string{}, calls: map[int64]int{}, active: map[int64]int{}}
}

func (r *recorder) HandleUpdate(ctx context.Context, u *models.Update) error {
	chat := u.Message.Chat.ID
	r.mu.Lock()
	r.calls[u.ID]++
	r.active[chat]++
	if r.active[chat] > 1 {
		r.overlap = true
	}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.active[chat]--
		r.mu.Unlock()
	}()
	switch u.Message.Text {
	case "panic":
		panic("boom")
	case "fail":
		return fmt.Errorf("transient")
	case "slow":
		if r.block != nil {
			<-r.block
		}
	}
	r.mu.Lock()
	r.seen[chat] = append(r.seen[chat], u.Message.Text)
	r.mu.Unlock()
	return nil
}

// HandleEvent records an event as "event:<kind>" in its lane.
func (r *recorder) HandleEvent(ctx context.Context, ev *store.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[ev.Lane] = append(r.seen[ev.Lane], "event:"+ev.Kind)
	return nil
}

func (r *recorder) texts(chat int64) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen[chat]...)
}

// drain runs the inbox until no chat is ready at the clock's current time.
func drain(t *testing.T, in *bot.Inbox) {
	t.Helper()
	for range 1000 {
		worked, err := in.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !worked {
			return
		}
	}
	t.Fatal("inbox never became idle")
}

func TestInboxKeepsEachChatInOrder(t *testing.T) {
	st := store.New(redistest.Client(t))
	clk := clock.NewFake(t0)
	rec := newRecorder()
	rec.block = make(chan struct{})
	in := bot.NewInbox(st, rec, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{Workers: 4}, 0)
	ctx := context.Background()
	// Chat 1 gets a slow update then a quick one, sent together; chat 2 a
	// quick one. The quick one of chat 1 must wait, chat 2 must not.
	for i, u := range []struct {
		chat int64
		text string
	}{{1, "slow"}, {1, "quick"}, {2, "other"}} {
		if _, err := in.Push(ctx, rawUpdate(int64(100+i), u.chat, u.text)); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { in.Run(runCtx); close(done) }()
	waitFor(t, func() bool { return len(rec.texts(2)) == 1 })
	if got := rec.texts(1); len(got) != 0 {
		t.Fatalf("chat 1 handled %v while its first update was still running", got)
	}
	close(rec.block)
	waitFor(t, func() bool { return len(rec.texts(1)) == 2 })
	cancel()
	<-done
	if got := rec.texts(1); got[0] != "slow" || got[1] != "quick" {
		t.Fatalf("chat 1 order %v", got)
	}
	if rec.overlap {
		t.Fatal("two updates of one chat ran at the same time")
	}
}

// TestEventsTakeTheirTurnInTheLane: an event pushed into a chat's lane is
// handled after the updates before it and before the ones after it, once
// however often it is pushed.
func TestEventsTakeTheirTurnInTheLane(t *testing.T) {
	st := store.New(redistest.Client(t))
	clk := clock.NewFake(t0)
	rec := newRecorder()
	events := bot.NewEvents(st, clk.Now)
	in := bot.NewInbox(st, rec, events, clk.Now, quiet(), bot.LaneConfig{Workers: 4}, 0)
	ctx := context.Background()
	if _, err := in.Push(ctx, rawUpdate(100, 1, "before")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := events.Push(ctx, store.Event{ID: "x:1", Lane: 1, Kind: "nudge"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := in.Push(ctx, rawUpdate(101, 1, "after")); err != nil {
		t.Fatal(err)
	}
	if _, err := events.Push(ctx, store.Event{ID: "x:2", Lane: 2, Kind: "other"}); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { in.Run(runCtx); close(done) }()
	waitFor(t, func() bool { return len(rec.texts(1)) == 3 && len(rec.texts(2)) == 1 })
	cancel()
	<-done
	if got := strings.Join(rec.texts(1), " "); got != "before event:nudge after" {
		t.Errorf("chat 1 saw %q, want the event between the two updates, once", got)
	}
	if _, err := events.Push(ctx, store.Event{ID: "bad"}); err == nil {
		t.Error("an event without a kind or a lane was accepted")
	}
}

// waitFor waits for cond, checking it whenever the scheduler lets us.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestInboxRecoversPanicsRetriesThenParks(t *testing.T) {
	st := store.New(redistest.Client(t))
	clk := clock.NewFake(t0)
	rec := newRecorder()
	in := bot.NewInbox(st, rec, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{MaxTries: 3}, 0)
	ctx := context.Background()
	for i, text := range []string{"panic", "after"} {
		if _, err := in.Push(ctx, rawUpdate(int64(200+i), 9, text)); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = in.Push(ctx, rawUpdate(300, 10, "elsewhere"))
	drain(t, in)
	// The panic did not stop the bot: the other chat was handled; this chat
	// waits for its retry, in order.
	if got := rec.texts(10); len(got) != 1 {
		t.Fatalf("other chat: %v", got)
	}
	if got := rec.texts(9); len(got) != 0 {
		t.Fatalf("chat 9 skipped its failing update: %v", got)
	}
	for range 5 {
		clk.Advance(10 * time.Minute)
		drain(t, in)
	}
	if rec.calls[200] != 3 {
		t.Fatalf("panicking update tried %d times, want 3", rec.calls[200])
	}
	if got := rec.texts(9); len(got) != 1 || got[0] != "after" {
		t.Fatalf("chat 9 after parking: %v", got)
	}
	stats, _ := st.Inbox().Stats(ctx)
	if stats.Parked != 1 || stats.Ready != 0 || stats.Leased != 0 {
		t.Fatalf("stats %+v", stats)
	}
	parked, _ := st.Inbox().Parked(ctx, 10)
	var rec0 struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(parked[0]), &rec0); err != nil || rec0.ID != "200" || rec0.Reason != "panic" {
		t.Fatalf("parked record %s", parked[0])
	}
}

func TestInboxRetriesTransientErrorWithBackoff(t *testing.T) {
	st := store.New(redistest.Client(t))
	clk := clock.NewFake(t0)
	calls := 0
	h := bot.HandlerFunc(func(ctx context.Context, u *models.Update) error {
		calls++
		if calls < 3 {
			return fmt.Errorf("redis hiccup")
		}
		return nil
	})
	in := bot.NewInbox(st, h, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{}, 0)
	ctx := context.Background()
	_, _ = in.Push(ctx, rawUpdate(1, 5, "x"))
	drain(t, in)
	if calls != 1 {
		t.Fatalf("calls %d", calls)
	}
	// Not before the backoff.
	clk.Advance(time.Second)
	drain(t, in)
	if calls != 1 {
		t.Fatalf("retried before backoff: %d", calls)
	}
	clk.Advance(2 * time.Second)
	drain(t, in)
	clk.Advance(10 * time.Second)
	drain(t, in)
	if calls != 3 {
		t.Fatalf("calls %d, want 3", calls)
	}
	if _, ok, _ := st.Inbox().Head(ctx, 5); ok {
		t.Fatal("handled update still queued")
	}
}

func TestInboxDropsDuplicatesAndMalformed(t *testing.T) {
	st := store.New(redistest.Client(t))
	clk := clock.NewFake(t0)
	rec := newRecorder()
	in := bot.NewInbox(st, rec, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{}, 0)
	ctx := context.Background()
	if ok, _ := in.Push(ctx, rawUpdate(1, 5, "a")); !ok {
		t.Fatal("first push")
	}
	if ok, _ := in.Push(ctx, rawUpdate(1, 5, "a")); ok {
		t.Fatal("duplicate accepted")
	}
	if _, err := in.Push(ctx, []byte(`{"message":{}}`)); err == nil {
		t.Fatal("update without id accepted")
	}
	drain(t, in)
	if rec.calls[1] != 1 {
		t.Fatalf("calls %v", rec.calls)
	}
}
