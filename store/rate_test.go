package store_test

import (
	"context"
	"testing"
	"time"

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
