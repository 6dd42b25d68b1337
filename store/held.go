package store

import (
	"context"
	"fmt"
)

// News held for an advisor outside their working hours (droit à la
// déconnexion): each message waits under its outbox key until the start
// of their next working period, then goes out with the others in one
// grouped message. A key released (or sent) is not held again: the
// outbox's memory of keys covers both.

// HoldNews keeps a message (its outbox payload) for an advisor, once per
// key. It reports whether it is new (false: held or sent already).
func (s *Store) HoldNews(ctx context.Context, advisorID int64, key string, payload []byte) (bool, error) {
	seen, err := s.Outbox().Seen(ctx, advisorID, key)
	if err != nil || seen {
		return false, err
	}
	ok, err := s.rdb.HSetNX(ctx, s.k.advisorHeld(advisorID), key, s.keys.seal(payload, aadHeld(advisorID, key))).Result()
	if err != nil {
		return false, fmt.Errorf("hold news: %w", err)
	}
	return ok, nil
}

// HeldNews returns the messages held for an advisor, by key.
func (s *Store) HeldNews(ctx context.Context, advisorID int64) (map[string][]byte, error) {
	v, err := s.rdb.HGetAll(ctx, s.k.advisorHeld(advisorID)).Result()
	if err != nil {
		return nil, fmt.Errorf("held news: %w", err)
	}
	out := make(map[string][]byte, len(v))
	for k, p := range v {
		plain, err := s.keys.open([]byte(p), aadHeld(advisorID, k))
		if err != nil {
			return nil, fmt.Errorf("held news %s: %w", k, err)
		}
		out[k] = plain
	}
	return out, nil
}

// ReleaseHeldNews forgets held messages once they are queued (grouped):
// their keys are remembered as sent, so that the same message is not held
// or queued again.
func (s *Store) ReleaseHeldNews(ctx context.Context, advisorID int64, keys []string) error {
	for _, k := range keys {
		if err := s.Outbox().MarkSeen(ctx, advisorID, k); err != nil {
			return err
		}
	}
	if len(keys) == 0 {
		return nil
	}
	if err := s.rdb.HDel(ctx, s.k.advisorHeld(advisorID), keys...).Err(); err != nil {
		return fmt.Errorf("release news: %w", err)
	}
	return nil
}

// MarkSeen remembers an item id as pushed into lane (for the dedupe period) without
// pushing anything: a message sent another way (grouped) is not queued
// again under its own key.
func (l *Lanes) MarkSeen(ctx context.Context, lane int64, id string) error {
	if err := l.s.rdb.SetNX(ctx, l.lkey(lane, "seen:"+id), "1", l.seenTTL).Err(); err != nil {
		return fmt.Errorf("%s mark seen %s: %w", l.name, id, err)
	}
	return nil
}

// Unsee forgets that an item id was pushed: for an item about someone
// erased meanwhile (its id names them).
func (l *Lanes) Unsee(ctx context.Context, lane int64, id string) error {
	if err := l.legacyUnsee(ctx, id); err != nil {
		return err
	}
	if err := l.s.rdb.Del(ctx, l.lkey(lane, "seen:"+id)).Err(); err != nil {
		return fmt.Errorf("%s unsee %s: %w", l.name, id, err)
	}
	return nil
}
