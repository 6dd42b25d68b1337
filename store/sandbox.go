package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// ErrNotSandbox is returned when a sandbox is pointed at a Redis that holds
// Suivi data it did not write: wiping it would destroy real data.
var ErrNotSandbox = errors.New("this Redis holds Suivi data that is not a sandbox's")

// ClaimForSandbox prepares a Redis for `suivi sandbox`: an empty one (no
// Suivi key) or one a sandbox marked before is wiped of every Suivi key and
// marked; any other is refused with ErrNotSandbox and left untouched.
func (s *Store) ClaimForSandbox(ctx context.Context) error {
	marked, err := s.rdb.Exists(ctx, s.k.sandbox()).Result()
	if err != nil {
		return fmt.Errorf("sandbox marker: %w", err)
	}
	if marked == 0 {
		n, err := s.countAll(ctx, 1)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrNotSandbox
		}
	}
	if err := s.deleteAll(ctx); err != nil {
		return err
	}
	if err := s.rdb.Set(ctx, s.k.sandbox(), "1", 0).Err(); err != nil {
		return fmt.Errorf("sandbox marker: %w", err)
	}
	return nil
}

// countAll counts Suivi keys with a bounded SCAN, stopping at limit.
func (s *Store) countAll(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.scan(ctx, s.k.all(), 1000, func(keys []string) error {
		if n += len(keys); n >= limit {
			return errStopScan
		}
		return nil
	})
	return min(n, limit), err
}

// deleteAll removes every Suivi key, a SCAN page at a time.
func (s *Store) deleteAll(ctx context.Context) error {
	return s.scan(ctx, s.k.all(), 1000, func(keys []string) error {
		return s.unlink(ctx, keys)
	})
}

// unlink removes keys, one key per command: keys of different hash tags
// may live on different nodes (go-redis sends each to its own).
func (s *Store) unlink(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Unlink(ctx, k)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

// InviteBeneficiary returns the beneficiary an invite code is for, without
// using the code up (the sandbox hands a link an advisor made to a new
// simulated person).
func (s *Store) InviteBeneficiary(ctx context.Context, code string) (string, error) {
	id, err := s.rdb.HGet(ctx, s.k.invite(code), "beneficiary").Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrInviteUnknown
	}
	if err != nil {
		return "", fmt.Errorf("invite: %w", err)
	}
	return id, nil
}
