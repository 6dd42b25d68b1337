package store_test

import (
	"context"
	"testing"
	"time"

	"suivi/internal/redistest"
	"suivi/store"
)

// TestChatRateNotDividingASecond: a chat's rate whose interval is not a
// whole number of milliseconds (3 a second: 333.3 ms; a lifted limit:
// 0.001 ms) takes its tokens and says how long to wait; the key's expiry
// used to be a fraction of a millisecond, which Redis refuses, so every
// message to every chat failed.
func TestChatRateNotDividingASecond(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for n, l := range []store.ChatLimit{{PerSecond: 3, Burst: 3}, {PerSecond: 1_000_000, Burst: 3_000_000}, {PerSecond: 0.7, Burst: 3}} {
		chat := int64(4200 + n)
		for i := range min(l.Burst, 3) + 1 {
			if paused, err := s.TakeChat(ctx, chat, l, t0); err != nil || paused != 0 {
				t.Fatalf("%v: take %d: paused %v, %v", l, i, paused, err)
			}
		}
		if err := s.PauseChat(ctx, chat, t0.Add(1500*time.Millisecond+time.Microsecond*300), t0); err != nil {
			t.Fatalf("%v: pause: %v", l, err)
		}
		if d, err := s.ChatDelay(ctx, chat, l, t0); err != nil || d < 1500*time.Millisecond {
			t.Fatalf("%v: delay %v, %v; want the pause", l, d, err)
		}
	}
	// Over its burst, a chat at 3 a second waits a third of a second.
	l := store.ChatLimit{PerSecond: 3, Burst: 3}
	for range 3 {
		if _, err := s.TakeChat(ctx, 1, l, t0); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := s.ChatDelay(ctx, 1, l, t0); err != nil || d < 333*time.Millisecond || d > 334*time.Millisecond {
		t.Fatalf("delay after the burst: %v, %v; want a third of a second", d, err)
	}
}

var rateT0 = time.Date(2030, 1, 7, 10, 0, 0, 0, time.UTC)

// At the moment of sending, no second holds more sends than the configured
// rate (whole messages): the one too many waits until the send that many
// back is a second old. Redis's clock runs for real: the calls below take
// far less than a second.
func TestBotGoHoldsTheRateInAnySecond(t *testing.T) {
	st, ctx := newStore(t), context.Background()
	for i := range 3 {
		if wait, paused, err := st.BotGo(ctx, 3.5, true, rateT0); err != nil || wait != 0 || paused != 0 {
			t.Fatalf("send %d: wait %v, paused %v, %v", i, wait, paused, err)
		}
	}
	wait, paused, err := st.BotGo(ctx, 3.5, true, rateT0)
	if err != nil || paused != 0 || wait < 500*time.Millisecond || wait > time.Second {
		t.Fatalf("the fourth in a second: wait %v, paused %v, %v; want the rest of the second", wait, paused, err)
	}
	// A pause that begins meanwhile (a 429) holds it, on the caller's clock.
	if _, err := st.CutBotRate(ctx, 3.5, 2*time.Second, rateT0); err != nil {
		t.Fatal(err)
	}
	if _, paused, err := st.BotGo(ctx, 3.5, true, rateT0.Add(500*time.Millisecond)); err != nil || paused != 1500*time.Millisecond {
		t.Fatalf("during the pause: paused %v, %v", paused, err)
	}
	// A rate no Telegram has (a benchmark's) keeps no ring: only the pause.
	for i := range 200 {
		if wait, _, err := st.BotGo(ctx, 1e6, true, rateT0.Add(3*time.Second)); err != nil || wait != 0 {
			t.Fatalf("send %d at 1e6/s: wait %v, %v", i, wait, err)
		}
	}
}

// A 429 cuts the rate to what went in the last second (what Telegram let
// through), when that is at least half the rate; otherwise by RateCut.
func TestCutBotRateFromTheLastSecond(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		sent int
		want float64
	}{
		{20, 20 * 0.95}, // a limit of 20 under 25: found at once
		{25, 25 * 0.95}, // just at the rate: a small cut
		{3, 25 * store.RateCut},
	} {
		// One bot's rate per case: a Redis Cluster gives the test one
		// keyspace, not a database per store.
		rdb := redistest.Client(t)
		if err := rdb.Del(ctx, "suivi:rate:bot").Err(); err != nil {
			t.Fatal(err)
		}
		st := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
		for range c.sent {
			if _, _, err := st.BotGo(ctx, 25, false, rateT0); err != nil {
				t.Fatal(err)
			}
		}
		rate, err := st.CutBotRate(ctx, 25, time.Second, rateT0)
		if err != nil || rate < c.want-0.01 || rate > c.want+0.01 {
			t.Errorf("%d sent in the last second: rate cut to %v (%v), want %v", c.sent, rate, err, c.want)
		}
	}
}

// A slot that needs no wait is let go in the same script (one round trip,
// not a BotSlot and a BotGo) and counted in the ring of the last sends, as
// BotGo counts it: the next send within the second at one a second waits.
// A slot that needs a wait is reserved, not let go.
func TestTakeSlotLetsGoWhenNothingWaits(t *testing.T) {
	ctx := context.Background()
	// A fresh bot rate for each part: a Redis Cluster gives the test one
	// keyspace, not a database per store.
	rdb := redistest.Client(t)
	fresh := func() *store.Store {
		t.Helper()
		if err := rdb.Del(ctx, "suivi:rate:bot").Err(); err != nil {
			t.Fatal(err)
		}
		return store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	}
	s := fresh()
	now := time.Now()
	sl, err := s.TakeSlot(ctx, 1, time.Minute, now)
	if err != nil || !sl.OK || !sl.Gone || sl.Wait != 0 {
		t.Fatalf("first slot %+v, %v: want let go", sl, err)
	}
	if wait, paused, err := s.BotGo(ctx, 1, false, now); err != nil || paused != 0 || wait <= 0 {
		t.Fatalf("BotGo right after: wait %v paused %v %v: the slot let go was not counted", wait, paused, err)
	}
	sl, err = s.TakeSlot(ctx, 1, time.Minute, now)
	if err != nil || !sl.OK || sl.Gone || sl.Wait < 900*time.Millisecond {
		t.Fatalf("second slot %+v, %v: want a wait of about a second, reserved", sl, err)
	}
	// A rate with no ring (above what the ring keeps): let go.
	s2 := fresh()
	if sl, err := s2.TakeSlot(ctx, 1e6, time.Minute, now); err != nil || !sl.Gone {
		t.Fatalf("lifted rate: %+v %v", sl, err)
	}
	// BotSlot keeps its answer: reserved, BotGo still to ask.
	s3 := fresh()
	if wait, ok, _, err := s3.BotSlot(ctx, 1, time.Minute, now); err != nil || !ok || wait != 0 {
		t.Fatalf("BotSlot: %v %v %v", wait, ok, err)
	}
	if wait, _, err := s3.BotGo(ctx, 1, false, now); err != nil || wait != 0 {
		t.Fatalf("BotGo after BotSlot: %v %v", wait, err)
	}
}
