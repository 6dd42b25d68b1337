package main

import (
	"context"
	"fmt"
	"time"
)

// busy counts what the replica still has to do at its clock's time: jobs
// due or leased, chats of the inbox and the outbox ready or being served.
func (a *app) busy(ctx context.Context) (int64, error) {
	st := a.store
	now := a.now()
	due, err := st.DueJobs(ctx, now)
	if err != nil {
		return 0, err
	}
	_, leased, err := st.JobStats(ctx)
	if err != nil {
		return 0, err
	}
	n := due + leased
	for _, l := range []interface {
		ReadyBy(context.Context, time.Time) (int64, error)
	}{st.Inbox(), st.Outbox()} {
		r, err := l.ReadyBy(ctx, now)
		if err != nil {
			return 0, err
		}
		n += r
	}
	in, err := st.Inbox().Stats(ctx)
	if err != nil {
		return 0, err
	}
	out, err := st.Outbox().Stats(ctx)
	if err != nil {
		return 0, err
	}
	return n + in.Leased + out.Leased, nil
}

// readySoon counts the chats of the inbox and the outbox that wait to go on
// within d (after a rate limit or a short backoff).
func (a *app) readySoon(ctx context.Context, d time.Duration) (int64, error) {
	at := a.now().Add(d)
	in, err := a.store.Inbox().ReadyBy(ctx, at)
	if err != nil {
		return 0, err
	}
	out, err := a.store.Outbox().ReadyBy(ctx, at)
	if err != nil {
		return 0, err
	}
	return in + out, nil
}

// settle waits until the replica has finished everything due at its
// clock's current time (jobs, incoming updates, outgoing messages), waking
// its workers so nothing waits for an idle tick. The sandbox calls it after
// each move of its clock, and tests after each step. It looks a few times
// in a row, a couple of milliseconds apart, since one piece of work queues
// the next.
func (a *app) settle(ctx context.Context) error {
	quiet := 0
	for quiet < 3 {
		a.sched.Wake()
		a.outbox.Wake()
		a.inbox.Wake()
		n, err := a.busy(ctx)
		if err != nil {
			return fmt.Errorf("settle: %w", err)
		}
		if n == 0 {
			quiet++
		} else {
			quiet = 0
		}
		t := time.NewTimer(2 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("settle: still busy at %s: %w", a.now().Format(time.RFC3339), ctx.Err())
		case <-t.C:
		}
	}
	return nil
}
