// Package clock provides settable clocks: a fake one for tests, and one that
// runs with real time but can be moved forward, for the sandbox. Production
// code takes a `func() time.Time` (time.Now in production), so any component
// can be driven through simulated days without sleeping.
package clock

import (
	"sync"
	"time"
)

// Fake is a settable clock, safe for concurrent use.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a clock stopped at t.
func NewFake(t time.Time) *Fake { return &Fake{t: t} }

// Now returns the clock's current time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Advance moves the clock forward by d and returns the new time.
func (f *Fake) Advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
	return f.t
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = t
}

// Offset is a clock that runs with real time but can be moved forward: the
// sandbox's clock, so that leases, retries and rate limits behave as in
// production while a demo jumps a day or a week ahead. Safe for concurrent
// use.
type Offset struct {
	mu  sync.Mutex
	off time.Duration
	now func() time.Time
}

// NewOffset returns a clock showing real time (from now, time.Now when nil).
func NewOffset(now func() time.Time) *Offset {
	if now == nil {
		now = time.Now
	}
	return &Offset{now: now}
}

// Now returns real time moved by the clock's offset.
func (o *Offset) Now() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.now().Add(o.off)
}

// Advance moves the clock forward by d (a negative d is ignored) and
// returns the new time.
func (o *Offset) Advance(d time.Duration) time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d > 0 {
		o.off += d
	}
	return o.now().Add(o.off)
}

// AdvanceTo moves the clock forward to t; a t in the past changes nothing.
// It reports whether the clock moved.
func (o *Offset) AdvanceTo(t time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	d := t.Sub(o.now().Add(o.off))
	if d <= 0 {
		return false
	}
	o.off += d
	return true
}
