package store_test

import (
	"context"
	"testing"
	"time"

	"suivi/store"
)

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
		st := newStore(t)
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
