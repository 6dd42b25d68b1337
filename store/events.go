package store

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"suivi/domain"
)

// Event is a change to make in one lane of the inbox — a beneficiary's or
// an advisor's — pushed by the scheduler, by an advisor's action, by the
// outbox: it is handled in that lane, after the lane's earlier items and
// before its later ones, by the same dispatcher as Telegram updates. So
// each beneficiary has one writer, one change at a time.
type Event struct {
	// ID is deterministic (an occurrence key, an update id, ...): an event
	// pushed twice is handled once.
	ID   string `json:"id"`
	Lane int64  `json:"lane"`
	Kind string `json:"kind"`
	// Data is the event's own content, read by its handler.
	Data json.RawMessage `json:"data,omitempty"`
}

// eventPrefix marks the inbox items that are events (Telegram updates are
// numbered).
const eventPrefix = "e:"

// EventItemID returns the inbox item id of an event.
func EventItemID(id string) string { return eventPrefix + id }

// IsEventItem reports whether an inbox item is an event.
func IsEventItem(itemID string) bool { return strings.HasPrefix(itemID, eventPrefix) }

// PushEvent persists an event in its lane of the inbox, once per id (within
// the inbox's dedupe period). It reports whether it is new.
func (s *Store) PushEvent(ctx context.Context, ev Event, now time.Time) (bool, error) {
	if ev.ID == "" || ev.Kind == "" || ev.Lane == 0 {
		return false, fmt.Errorf("event needs an id, a kind and a lane")
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return false, fmt.Errorf("encode event: %w", err)
	}
	return s.Inbox().Push(ctx, EventItemID(ev.ID), ev.Lane, b, now)
}

// DecodeEvent reads an event item's payload.
func DecodeEvent(payload []byte) (*Event, error) {
	ev := new(Event)
	if err := json.Unmarshal(payload, ev); err != nil || ev.Kind == "" {
		return nil, fmt.Errorf("undecodable event")
	}
	return ev, nil
}

// BeneficiaryLane is the lane of the inbox where everything about a
// beneficiary happens: their private chat once they joined (so their own
// messages and the changes made for them are one queue), and before that a
// lane of their own, negative like no private chat.
func BeneficiaryLane(b *domain.Beneficiary) int64 {
	if b.TelegramID != 0 {
		return b.TelegramID
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(b.ID))
	return -int64(h.Sum64()>>2) - 1
}
