package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// PushItem is one item of a batch for PushBatch.
type PushItem struct {
	ID      string
	Lane    int64
	Payload []byte
}

// PushBatch is Push for a batch of items, in one round trip: the same
// script (lanePush) once per item, pipelined, in order, so the items of one
// lane are queued in the order given and each id is queued once, exactly
// as with Push one at a time. It returns, for each item, whether it is new
// and its error.
func (l *Lanes) PushBatch(ctx context.Context, items []PushItem, now time.Time) ([]bool, []error) {
	isNew := make([]bool, len(items))
	errs := make([]error, len(items))
	calls := make([]scriptCall, 0, len(items))
	index := make([]int, 0, len(items))
	for i, it := range items {
		if l.s.legacyUntil(l.name).Load() != 0 {
			// During a migration from layout 1 (rare): its seen markers
			// are looked at one at a time, as Push does.
			if seen, err := l.legacySeen(ctx, it.ID); err != nil || seen {
				errs[i] = err
				continue
			}
		}
		calls = append(calls, scriptCall{
			keys: []string{l.lkey(it.Lane, "seen:"+it.ID), l.queue(it.Lane), l.lkey(it.Lane, "items"), l.lkey(it.Lane, "ready"), l.lkey(it.Lane, "lease")},
			args: []any{it.ID, l.seal(it.ID, it.Payload), ms(now), l.seenTTL.Milliseconds(), it.Lane},
		})
		index = append(index, i)
	}
	for j, c := range l.s.runScripts(ctx, lanePush, calls) {
		i := index[j]
		n, err := c.Int()
		if err != nil {
			errs[i] = fmt.Errorf("%s push %s: %w", l.name, items[i].ID, err)
			continue
		}
		isNew[i] = n == 1
	}
	return isNew, errs
}

// PushEvents is PushEvent for a batch of events, in one round trip (see
// Lanes.PushBatch): for each, whether it is new and its error.
func (s *Store) PushEvents(ctx context.Context, evs []Event, now time.Time) ([]bool, []error) {
	items := make([]PushItem, 0, len(evs))
	index := make([]int, 0, len(evs))
	errs := make([]error, len(evs))
	for i, ev := range evs {
		if ev.ID == "" || ev.Kind == "" || ev.Lane == 0 {
			errs[i] = fmt.Errorf("event needs an id, a kind and a lane")
			continue
		}
		b, err := json.Marshal(ev)
		if err != nil {
			errs[i] = fmt.Errorf("encode event: %w", err)
			continue
		}
		items = append(items, PushItem{ID: EventItemID(ev.ID), Lane: ev.Lane, Payload: b})
		index = append(index, i)
	}
	isNew := make([]bool, len(evs))
	n, e := s.Inbox().PushBatch(ctx, items, now)
	for j, i := range index {
		isNew[i], errs[i] = n[j], e[j]
	}
	return isNew, errs
}
