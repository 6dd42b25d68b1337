package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
)

// Advisors created without a digest job: every creation of an advisor
// (EnsureAdvisor, PutAdvisor, CreatePlan's advisor, RedeemAdvisorInvite)
// adds the id to a pending set in the same script as the record, and the
// scheduler removes it once the digest is scheduled (reminders'
// SyncAdvisor, and the drain at start). A start then looks at the advisors
// created since the last one, not at all of them.
//
// The set is only complete for a deployment whose every advisor was
// created by this code: a marker (advisorsComplete) says so. It is set when
// the first advisor of an empty deployment is created (nobody was created
// before without the set), or by the one full pass a start makes for a
// deployment upgraded from a version without the set (MarkAdvisorsComplete).
//
// The advisors hash has no hash tag (its slot is that of its own name), so
// the set and the marker take its whole name as their tag: the three keys
// share one slot, and the creation and the index are one script.

// advisorCreate writes an advisor and, if the id was new, adds it to the
// pending set; the first advisor of an empty hash also marks the set
// complete.
//
// KEYS[1] advisors, KEYS[2] pending, KEYS[3] complete marker (one slot)
// ARGV[1] id, ARGV[2] record, ARGV[3] 1 to replace an existing record
// Returns 1 if the advisor was created, 0 if they existed.
var advisorCreate = redis.NewScript(`
local created
if ARGV[3] == '1' then
  created = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
else
  created = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
end
if created == 1 then
  redis.call('SADD', KEYS[2], ARGV[1])
  if redis.call('HLEN', KEYS[1]) == 1 then redis.call('SET', KEYS[3], '1') end
end
return created`)

// createAdvisor runs advisorCreate for a.
func (s *Store) createAdvisor(ctx context.Context, a *domain.Advisor, replace bool) (bool, error) {
	r := "0"
	if replace {
		r = "1"
	}
	n, err := advisorCreate.Run(ctx, s.rdb, []string{s.k.advisors(), s.k.advisorsPending(), s.k.advisorsComplete()},
		i64(a.ID), mustJSON(a), r).Int()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// PendingAdvisors returns one page of the advisors created without a
// digest job, from cursor (0 to begin), and the cursor of the next page
// (0 after the last). An advisor removed meanwhile may or may not appear.
func (s *Store) PendingAdvisors(ctx context.Context, cursor uint64, count int64) ([]int64, uint64, error) {
	ms, next, err := s.rdb.SScan(ctx, s.k.advisorsPending(), cursor, "", count).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("pending advisors: %w", err)
	}
	ids := make([]int64, 0, len(ms))
	for _, m := range ms {
		id, err := strconv.ParseInt(m, 10, 64)
		if err != nil {
			return nil, 0, fmt.Errorf("pending advisors: %q: %w", m, err)
		}
		ids = append(ids, id)
	}
	return ids, next, nil
}

// AdvisorsScheduled removes advisors from the pending set: their digest is
// scheduled.
func (s *Store) AdvisorsScheduled(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	ms := make([]any, len(ids))
	for i, id := range ids {
		ms[i] = i64(id)
	}
	if err := s.rdb.SRem(ctx, s.k.advisorsPending(), ms...).Err(); err != nil {
		return fmt.Errorf("advisors scheduled: %w", err)
	}
	return nil
}

// AdvisorsComplete reports whether the pending set holds every advisor
// created without a digest job (false: a deployment from before the set,
// whose advisors need one full pass).
func (s *Store) AdvisorsComplete(ctx context.Context) (bool, error) {
	err := s.rdb.Get(ctx, s.k.advisorsComplete()).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("advisors complete: %w", err)
	}
	return true, nil
}

// MarkAdvisorsComplete records that every advisor not in the pending set
// has had their digest scheduled (after the full pass).
func (s *Store) MarkAdvisorsComplete(ctx context.Context) error {
	if err := s.rdb.Set(ctx, s.k.advisorsComplete(), "1", 0).Err(); err != nil {
		return fmt.Errorf("mark advisors complete: %w", err)
	}
	return nil
}
