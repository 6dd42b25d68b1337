package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"suivi/internal/clock"
	"suivi/telegramtest"
)

// advisorID is the advisor of every example plan.
const advisorID = 111111111

// stop shuts the replica down (as on SIGTERM) and waits for it.
func (r *running) shutdown(t *testing.T) {
	t.Helper()
	r.stop()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("suivi did not stop within 20s")
	}
	r.done <- nil // for the cleanup registered by start
}

// settle lets the replica finish everything due at the clock's current
// time: jobs, incoming updates and outgoing messages.
func (r *running) settle(t *testing.T, clk *clock.Fake) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := r.app.settle(ctx); err != nil {
		t.Fatalf("suivi did not settle at %s: %v", clk.Now(), err)
	}
}

// runUntil moves the clock from job to job (each at its exact time) until
// end, letting the replica settle at each.
func (r *running) runUntil(t *testing.T, clk *clock.Fake, end time.Time) {
	t.Helper()
	ctx := context.Background()
	for range 10000 {
		r.settle(t, clk)
		at, ok, err := r.app.store.NextJob(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || at.After(end) {
			clk.Set(end)
			r.settle(t, clk)
			return
		}
		if at.After(clk.Now()) {
			clk.Set(at)
		}
	}
	t.Fatal("too many jobs")
}

// writePlan writes a plan file in a temporary directory.
func writePlan(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func hasButton(m telegramtest.Message, text string) bool {
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Text == text {
				return true
			}
		}
	}
	return false
}

// press presses the button labelled text on the latest bot message that
// offers it (waiting for one), failing the test if there is none.
func press(t *testing.T, u *telegramtest.User, text string) {
	t.Helper()
	if _, err := u.WaitMessage(wait, func(m telegramtest.Message) bool { return hasButton(m, text) }); err != nil {
		t.Fatalf("no button %q: %v", text, err)
	}
	msgs := u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if hasButton(msgs[i], text) {
			if _, err := u.PressButton(msgs[i].ID, text); err != nil {
				t.Fatalf("press %q: %v", text, err)
			}
			return
		}
	}
	t.Fatalf("button %q vanished", text)
}

// join uses the invite and answers onboarding with one tap each: consent
// (share or not), French, the plan's zone, the plan's rhythm, 21h–8h.
func join(t *testing.T, u *telegramtest.User, code string, share bool) {
	t.Helper()
	joinQuiet(t, u, code, share, "🌙 21 h – 8 h (conseillé)")
}
