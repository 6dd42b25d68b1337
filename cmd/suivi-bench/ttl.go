package main

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// ttlAger makes Redis's expiries follow a simulated clock: the weeks of
// part 7 pass in seconds of real time, in which no TTL of days would ever
// lapse, and every marker of the eight weeks would be counted. Every few
// simulated hours, each key with a TTL has it shortened by the simulated
// time gone since the last pass (half of it for a key written since then:
// when in the interval is not known), and is deleted once it is spent.
type ttlAger struct {
	rdb  *redis.Client
	last time.Time
	seen map[string]bool
	// expired counts the keys the ager deleted.
	expired int
}

// ttlAgeEvery is how often (simulated) the TTLs are aged: a key may go up
// to half of it early or late, 3 hours of a 7-day marker's life.
const ttlAgeEvery = 6 * time.Hour

func newTTLAger(rdb *redis.Client, now time.Time) *ttlAger {
	return &ttlAger{rdb: rdb, last: now, seen: map[string]bool{}}
}

// age ages the TTLs to now if a pass is due (or when force).
func (a *ttlAger) age(ctx context.Context, now time.Time, force bool) error {
	gone := now.Sub(a.last)
	if gone <= 0 || (gone < ttlAgeEvery && !force) {
		return nil
	}
	a.last = now
	seen := map[string]bool{}
	var cursor uint64
	for {
		ks, next, err := a.rdb.Scan(ctx, cursor, "*", 1000).Result()
		if err != nil {
			return err
		}
		pl := a.rdb.Pipeline()
		ttls := make([]*redis.DurationCmd, len(ks))
		for i, k := range ks {
			ttls[i] = pl.PTTL(ctx, k)
		}
		if _, err := pl.Exec(ctx); err != nil && err != redis.Nil {
			return err
		}
		pl = a.rdb.Pipeline()
		for i, k := range ks {
			ttl := ttls[i].Val()
			if ttl <= 0 { // no TTL (-1), or gone meanwhile (-2)
				continue
			}
			seen[k] = true
			d := gone
			if !a.seen[k] {
				d = gone / 2
			}
			if left := ttl - d; left > 0 {
				pl.PExpire(ctx, k, left)
			} else {
				pl.Unlink(ctx, k)
				a.expired++
			}
		}
		if _, err := pl.Exec(ctx); err != nil && err != redis.Nil {
			return err
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	a.seen = seen
	return nil
}
