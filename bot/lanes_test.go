package bot_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/store"
	"suivi/telegramtest"
)

// A worker whose lease was taken over (it stalled, another replica claimed
// the chat) stops: the item in hand is cancelled after the grace period,
// the chat's next item is left to its new owner, and nothing is counted
// against the item.
func TestLaneWorkerStopsWhenItsLeaseIsLost(t *testing.T) {
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	clk := clock.NewFake(t0)
	started := make(chan struct{})
	var stopped, handledNext atomic.Bool
	h := bot.HandlerFunc(func(ctx context.Context, u *models.Update) error {
		if u.ID == 2 {
			handledNext.Store(true)
			return nil
		}
		close(started)
		select {
		case <-ctx.Done():
			stopped.Store(true)
			return ctx.Err()
		case <-time.After(5 * time.Second):
			return errors.New("never told to stop")
		}
	})
	in := bot.NewInbox(st, h, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{Lease: 60 * time.Millisecond, Grace: 20 * time.Millisecond}, time.Minute)
	ctx := context.Background()
	_, _ = in.Push(ctx, rawUpdate(1, 9, "slow"))
	_, _ = in.Push(ctx, rawUpdate(2, 9, "next"))
	type ran struct {
		worked bool
		err    error
	}
	done := make(chan ran, 1)
	go func() {
		worked, err := in.RunOnce(ctx)
		done <- ran{worked, err}
	}()
	<-started
	// The lease lapses (the worker looks dead) and another replica claims
	// the chat.
	for stolen := false; !stolen; {
		clk.Advance(time.Second)
		lane, ok, err := st.Inbox().Claim(ctx, clk.Now(), clk.Now().Add(time.Hour), "other-replica")
		if err != nil {
			t.Fatal(err)
		}
		stolen = ok && lane == 9
	}
	r := <-done
	if !stopped.Load() {
		t.Fatal("the handler in hand was never told to stop")
	}
	if !r.worked || r.err != nil {
		t.Errorf("RunOnce: worked %v, err %v; a lost lease is not an error", r.worked, r.err)
	}
	if handledNext.Load() {
		t.Error("the worker went on with the next item of a chat it no longer owns")
	}
	head, ok, _ := st.Inbox().Head(ctx, 9)
	if !ok || head.ID != "1" || head.Tries != 0 {
		t.Errorf("head of chat 9: %+v %v, want update 1 untouched for the new owner", head, ok)
	}
}

// Shutdown does not cancel a send in flight: the message Telegram is
// accepting is delivered and recorded, so it is not sent again after a
// restart.
func TestShutdownLetsTheSendInHandFinish(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	clk := clock.NewFake(t0)
	sender, st := newSender(t, srv, clk, bot.Limits{})
	u := srv.NewUser(42, "Ana")
	newOutbox := func() *bot.Outbox {
		return bot.NewOutbox(st, sender, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{Workers: 1})
	}
	ob := newOutbox()
	ctx, cancel := context.WithCancel(context.Background())
	// Telegram is slow to answer this one.
	srv.InjectFault("sendMessage", 0, 1, telegramtest.Fault{Delay: 300 * time.Millisecond})
	if _, err := ob.Enqueue(ctx, bot.Outgoing{Key: "rappel:1", ChatID: u.ID(), Text: "Rappel"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { ob.Run(ctx); close(done) }()
	if err := srv.Wait(10*time.Second, func() bool { return srv.InFlight("sendMessage") == 1 }); err != nil {
		t.Fatal(err)
	}
	cancel() // shutdown begins while the send is in flight
	<-done

	// Restart: nothing is left to send.
	drainOutbox(t, newOutbox())
	calls := srv.CallsTo("sendMessage")
	if len(calls) != 1 || calls[0].Aborted || calls[0].Status != http.StatusOK {
		t.Fatalf("sendMessage calls: %+v, want one, answered 200", calls)
	}
	if got := len(u.Messages()); got != 1 {
		t.Errorf("the user got %d messages, want 1", got)
	}
}

// drainOutbox runs an outbox until no chat is ready.
func drainOutbox(t *testing.T, ob *bot.Outbox) {
	t.Helper()
	for range 1000 {
		worked, err := ob.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !worked {
			return
		}
	}
	t.Fatal("outbox never became idle")
}
