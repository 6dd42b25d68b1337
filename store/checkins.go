package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
)

// DialogState returns the saved state of a beneficiary's current
// conversation (opaque to the store), or nil when there is none.
func (s *Store) DialogState(ctx context.Context, benID string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.k.dialog(benID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dialog of %s: %w", benID, err)
	}
	if b, err = s.keys.open(b, aadDialog(benID)); err != nil {
		return nil, fmt.Errorf("dialog of %s: %w", benID, err)
	}
	return b, nil
}

// SetDialogState saves a conversation state that expires after ttl; nil
// clears it. The state is sealed as a whole (it may hold drafts).
func (s *Store) SetDialogState(ctx context.Context, benID string, state []byte, ttl time.Duration) error {
	var err error
	if state == nil {
		err = s.rdb.Del(ctx, s.k.dialog(benID)).Err()
	} else {
		err = s.rdb.Set(ctx, s.k.dialog(benID), s.keys.seal(state, aadDialog(benID)), ttl).Err()
	}
	if err != nil {
		return fmt.Errorf("save dialog of %s: %w", benID, err)
	}
	return nil
}

// CheckIn returns a beneficiary's check-in of a week.
func (s *Store) CheckIn(ctx context.Context, benID string, week domain.Week) (*domain.CheckIn, error) {
	b, err := s.rdb.HGet(ctx, s.k.checkins(benID), string(week)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("check-in %s %s: %w", benID, week, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("check-in %s %s: %w", benID, week, err)
	}
	c, _, err := decode[domain.CheckIn](s, b, aadCheckin(benID, week))
	if err != nil {
		return nil, fmt.Errorf("check-in %s %s: %w", benID, week, err)
	}
	return c, nil
}

// CreateCheckIn stores a new check-in unless the week has one already; it
// reports whether it did.
func (s *Store) CreateCheckIn(ctx context.Context, c *domain.CheckIn) (bool, error) {
	ok, err := s.rdb.HSetNX(ctx, s.k.checkins(c.BeneficiaryID), string(c.Week), encode(s, c, aadCheckin(c.BeneficiaryID, c.Week))).Result()
	if err != nil {
		return false, fmt.Errorf("create check-in: %w", err)
	}
	return ok, nil
}

// UpdateCheckIn applies fn to a stored check-in atomically.
func (s *Store) UpdateCheckIn(ctx context.Context, benID string, week domain.Week, fn func(*domain.CheckIn) error) (*domain.CheckIn, error) {
	c, err := update(ctx, s, s.k.checkins(benID), string(week), aadCheckin(benID, week), fn)
	if err != nil {
		return nil, fmt.Errorf("update check-in %s %s: %w", benID, week, err)
	}
	return c, nil
}

// CheckIns returns every check-in of a beneficiary, oldest week first.
func (s *Store) CheckIns(ctx context.Context, benID string) ([]domain.CheckIn, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.checkins(benID)).Result()
	if err != nil {
		return nil, fmt.Errorf("check-ins of %s: %w", benID, err)
	}
	return s.decodeCheckIns(benID, m)
}

// decodeCheckIns decodes a beneficiary's check-ins hash, in week order.
func (s *Store) decodeCheckIns(benID string, m map[string]string) ([]domain.CheckIn, error) {
	out := make([]domain.CheckIn, 0, len(m))
	for week, v := range m {
		c, _, err := decode[domain.CheckIn](s, []byte(v), aadCheckin(benID, domain.Week(week)))
		if err != nil {
			return nil, fmt.Errorf("check-ins of %s: %w", benID, err)
		}
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b domain.CheckIn) int {
		if a.Week < b.Week {
			return -1
		}
		if a.Week > b.Week {
			return 1
		}
		return 0
	})
	return out, nil
}
