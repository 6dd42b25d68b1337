package sandbox

import (
	"context"
	"fmt"
	"time"
)

// maxSteps bounds the jobs one move of the clock lets fire.
const maxSteps = 5000

// advanceTo moves the world's clock forward to target, stopping at every
// scheduled job on the way (each fires at its own time, as it would in
// production, rather than all at once marked late) and letting the bot
// finish what each brings. It returns how many stops it made.
func advanceTo(ctx context.Context, w World, target time.Time) (int, error) {
	if err := w.Settle(ctx); err != nil {
		return 0, err
	}
	stops := 0
	for ; stops < maxSteps; stops++ {
		at, ok, err := w.NextJob(ctx)
		if err != nil {
			return stops, err
		}
		if !ok || at.After(target) {
			break
		}
		w.Clock().AdvanceTo(at)
		if err := w.Settle(ctx); err != nil {
			return stops, err
		}
	}
	if stops == maxSteps {
		return stops, fmt.Errorf("more than %d scheduled jobs on the way: move the clock in smaller steps", maxSteps)
	}
	w.Clock().AdvanceTo(target)
	return stops, w.Settle(ctx)
}

// advanceToNext moves the clock to the next scheduled job and lets it fire.
// ok is false when nothing is scheduled.
func advanceToNext(ctx context.Context, w World) (at time.Time, ok bool, err error) {
	if err := w.Settle(ctx); err != nil {
		return time.Time{}, false, err
	}
	at, ok, err = w.NextJob(ctx)
	if err != nil || !ok {
		return at, ok, err
	}
	w.Clock().AdvanceTo(at)
	return at, true, w.Settle(ctx)
}
