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
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
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
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
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
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
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
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
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
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
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

// A Telegram outage is not the update's fault: an update whose replies fail
// with ErrTransient is tried again with backoff, for much longer than
// MaxTries, never parked, and the chat's next update waits behind it; a
// handler's own errors still park after MaxTries.
func TestInboxWaitsOutATelegramOutage(t *testing.T) {
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	clk := clock.NewFake(t0)
	outage := true
	var calls []time.Time
	var order []int64
	h := bot.HandlerFunc(func(ctx context.Context, u *models.Update) error {
		if u.Message.Text == "broken" {
			return fmt.Errorf("bad data")
		}
		if u.ID == 1 {
			calls = append(calls, clk.Now())
			if outage {
				return fmt.Errorf("reply: sendMessage to chat 5: %w", bot.ErrTransient)
			}
		}
		order = append(order, u.ID)
		return nil
	})
	in := bot.NewInbox(st, h, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{MaxTries: 3}, 0)
	ctx := context.Background()
	_, _ = in.Push(ctx, rawUpdate(1, 5, "answer"))
	_, _ = in.Push(ctx, rawUpdate(2, 5, "next"))
	_, _ = in.Push(ctx, rawUpdate(3, 6, "broken"))
	start := clk.Now()
	for clk.Now().Sub(start) < 30*time.Minute {
		drain(t, in)
		clk.Advance(10 * time.Second)
	}
	if len(calls) <= 3 {
		t.Fatalf("the update was tried %d times in 30 minutes of outage", len(calls))
	}
	var prev time.Duration
	for i := 1; i < len(calls); i++ {
		gap := calls[i].Sub(calls[i-1])
		if gap < prev || gap > 5*time.Minute+10*time.Second {
			t.Fatalf("retry %d came %s after the one before: want a growing backoff up to 5 minutes (%v)", i, gap, calls)
		}
		prev = gap
	}
	if len(order) != 0 {
		t.Fatalf("the next update of the chat was handled before the first: %v", order)
	}
	outage = false
	for range 40 {
		clk.Advance(10 * time.Second)
		drain(t, in)
	}
	if len(order) != 2 || order[0] != 1 || order[1] != 2 {
		t.Fatalf("after the outage: handled %v, want 1 then 2", order)
	}
	parked, _ := st.Inbox().Parked(ctx, 10)
	if len(parked) != 1 || !strings.Contains(parked[0], `"id":"3"`) {
		t.Fatalf("parked %v, want only the update whose handler fails on its own", parked)
	}
}

// backlogRecorder is a recorder that is also told of full backlogs.
type backlogRecorder struct {
	*recorder
	told []int64 // update ids of the notices
	seq  []int64 // every update and notice handled, in order
}

func (b *backlogRecorder) HandleUpdate(ctx context.Context, u *models.Update) error {
	b.seq = append(b.seq, u.ID)
	return b.recorder.HandleUpdate(ctx, u)
}

func (b *backlogRecorder) HandleEvent(ctx context.Context, ev *store.Event) error {
	if ev.Kind != bot.EventBacklog {
		return b.recorder.HandleEvent(ctx, ev)
	}
	var u models.Update
	if err := json.Unmarshal(ev.Data, &u); err != nil {
		return err
	}
	b.told = append(b.told, u.ID)
	b.seq = append(b.seq, -u.ID)
	return nil
}

// One chat's backlog is capped: beyond MaxPending waiting updates, updates
// are parked (not handled) and the chat is told once, right after the
// update in hand; what is under the cap is handled, in order; other chats
// are not affected.
func TestInboxCapsAChatsBacklog(t *testing.T) {
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	clk := clock.NewFake(t0)
	rec := &backlogRecorder{recorder: newRecorder()}
	in := bot.NewInbox(st, rec, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{Workers: 1}, 0)
	ctx := context.Background()
	total := bot.MaxPending + 10
	for i := 1; i <= total; i++ {
		isNew, err := in.Push(ctx, rawUpdate(int64(i), 7, fmt.Sprint(i)))
		if err != nil || !isNew {
			t.Fatalf("push %d: %v %v", i, isNew, err)
		}
	}
	if isNew, _ := in.Push(ctx, rawUpdate(int64(total), 7, "again")); isNew {
		t.Fatal("a redelivered update counted as new")
	}
	_, _ = in.Push(ctx, rawUpdate(1000, 8, "other"))
	parked, _ := st.Inbox().Parked(ctx, 100)
	if len(parked) != 10 {
		t.Fatalf("%d parked, want 10", len(parked))
	}
	for _, p := range parked {
		if !strings.Contains(p, `"reason":"backlog"`) {
			t.Fatalf("parked record %s", p)
		}
	}
	drain(t, in)
	want := []int64{1, -int64(bot.MaxPending + 1)}
	for i := 2; i <= bot.MaxPending; i++ {
		want = append(want, int64(i))
	}
	if fmt.Sprint(rec.seq[:len(want)]) != fmt.Sprint(want) {
		t.Fatalf("handled %v,\nwant %v", rec.seq, want)
	}
	if len(rec.told) != 1 {
		t.Fatalf("told %d times, want once", len(rec.told))
	}
	if got := rec.texts(8); len(got) != 1 {
		t.Fatalf("other chat: %v", got)
	}
	// A second flood within the hour: parked again, not told again.
	for i := 2000; i < 2000+bot.MaxPending+3; i++ {
		_, _ = in.Push(ctx, rawUpdate(int64(i), 7, "more"))
	}
	drain(t, in)
	if len(rec.told) != 1 {
		t.Fatalf("told %d times within the hour, want once", len(rec.told))
	}
	if stats, _ := st.Inbox().Stats(ctx); stats.Parked != 13 {
		t.Fatalf("%d parked, want 13", stats.Parked)
	}
}
