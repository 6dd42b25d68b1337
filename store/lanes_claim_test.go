package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"suivi/internal/redistest"
	"suivi/store"
)

// TestClaimHeadAndAckNext: a claim brings the chat's first item, each
// acknowledgement the next, the last one gives the chat back (a new item
// makes it ready again); a worker that lost its lease acknowledges nothing;
// with nothing ready, the claim says when the next chat will be.
func TestClaimHeadAndAckNext(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	in := s.Inbox()
	for _, id := range []string{"1", "2"} {
		if _, err := in.Push(ctx, id, 7, []byte(`{"update_id":`+id+`}`), t0); err != nil {
			t.Fatal(err)
		}
	}
	// Scripts Redis lost (a restart) are loaded again, also in a pipeline.
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	c, ok, _, err := in.ClaimHead(ctx, t0, t0.Add(time.Minute), "w")
	if err != nil || !ok || c.Lane != 7 || c.Head == nil || c.Head.ID != "1" || string(c.Head.Payload) != `{"update_id":1}` || c.More {
		t.Fatalf("claim: %+v %v %v", c, ok, err)
	}
	if _, _, err := in.AckNext(ctx, 7, "other", "1"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("ack by a worker without the lease: %v", err)
	}
	next, more, err := in.AckNext(ctx, 7, "w", "1")
	if err != nil || !more || next.ID != "2" || string(next.Payload) != `{"update_id":2}` {
		t.Fatalf("ack 1: %+v %v %v", next, more, err)
	}
	if _, more, err := in.AckNext(ctx, 7, "w", "2"); err != nil || more {
		t.Fatalf("ack 2: %v %v", more, err)
	}
	// Given back: no lease left, and a new item makes it ready at once.
	if st, _ := in.Stats(ctx); st.Leased != 0 || st.Ready != 0 {
		t.Fatalf("after the last ack: %+v", st)
	}
	if _, err := in.Push(ctx, "3", 7, []byte(`{}`), t0); err != nil {
		t.Fatal(err)
	}
	if c, ok, _, err := in.ClaimHead(ctx, t0, t0.Add(time.Minute), "w2"); err != nil || !ok || c.Head == nil || c.Head.ID != "3" {
		t.Fatalf("claim after: %+v %v %v", c, ok, err)
	}
	// Leased until t0+1min: nothing is ready before, and the claim says when.
	for sh := range 20 { // every shard's turn
		if _, ok, next, err := in.ClaimHead(ctx, t0.Add(time.Second), t0.Add(time.Hour), "w3"); ok || err != nil || !next.Equal(t0.Add(time.Minute)) {
			t.Fatalf("turn %d: claimed %v, next %v, %v; want nothing before %v", sh, ok, next, err, t0.Add(time.Minute))
		}
	}
	// Two chats ready: the first claim says there is more.
	for _, lane := range []int64{8, 9} {
		if _, err := in.Push(ctx, "x", lane, []byte(`{}`), t0); err != nil {
			t.Fatal(err)
		}
	}
	if c, ok, _, err := in.ClaimHead(ctx, t0, t0.Add(time.Minute), "w4"); err != nil || !ok || !c.More {
		t.Fatalf("first of two: %+v %v %v", c, ok, err)
	}
	if c, ok, _, err := in.ClaimHead(ctx, t0, t0.Add(time.Minute), "w4"); err != nil || !ok || c.More {
		t.Fatalf("second of two: %+v %v %v", c, ok, err)
	}
}

// TestCheckSend: one round trip says whether a key was sent, takes the
// chat's token and the bot's slot, also after Redis lost its scripts.
func TestCheckSend(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	l := store.ChatLimit{PerSecond: 1, Burst: 1}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	c, err := s.CheckSend(ctx, "k1", store.Whole, 5, l, 25, 2*time.Second, t0)
	if err != nil || c.Sent || c.ChatPaused != 0 || !c.Bot.OK {
		t.Fatalf("first: %+v %v", c, err)
	}
	if d, _ := s.ChatDelay(ctx, 5, l, t0); d != time.Second {
		t.Fatalf("the chat's token was not taken: delay %v", d)
	}
	if err := s.MarkSent(ctx, 5, "k1", []int{42}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.CheckSend(ctx, "k1", store.Whole, 5, l, 25, 2*time.Second, t0); err != nil || !c.Sent || c.SentID != 42 {
		t.Fatalf("sent key: %+v %v", c, err)
	}
	if err := s.PauseChat(ctx, 6, t0.Add(3*time.Second), t0); err != nil {
		t.Fatal(err)
	}
	if c, err := s.CheckSend(ctx, "", store.Whole, 6, l, 25, 2*time.Second, t0); err != nil || c.ChatPaused != 3*time.Second {
		t.Fatalf("paused chat: %+v %v", c, err)
	}
}
