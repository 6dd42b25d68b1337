package bot

import (
	"context"
	"time"

	"suivi/store"
)

// Events pushes lane events (store.Event) into the inbox: what the
// scheduler, an advisor's action or the outbox has to change for someone is
// handled in that person's lane, in order with their own messages. Push
// wakes this process's inbox workers.
type Events struct {
	store *store.Store
	now   func() time.Time
	wake  chan struct{}
}

// NewEvents returns the pusher of lane events; give it to NewInbox so that
// its workers wake when an event is pushed.
func NewEvents(st *store.Store, now func() time.Time) *Events {
	return &Events{store: st, now: now, wake: make(chan struct{}, 1)}
}

// Push persists ev in its lane, once per id. It reports whether it is new.
func (e *Events) Push(ctx context.Context, ev store.Event) (bool, error) {
	isNew, err := e.store.PushEvent(ctx, ev, e.now())
	if err == nil && isNew {
		e.Wake()
	}
	return isNew, err
}

// Wake tells idle inbox workers that there is work.
func (e *Events) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// PushAll is Push for a batch of events, in one round trip (the
// scheduler's batches: reminders.BatchEvents). It reports, for each,
// whether it is new and its error.
func (e *Events) PushAll(ctx context.Context, evs []store.Event) ([]bool, []error) {
	isNew, errs := e.store.PushEvents(ctx, evs, e.now())
	for i := range isNew {
		if isNew[i] && errs[i] == nil {
			e.Wake()
			break
		}
	}
	return isNew, errs
}
