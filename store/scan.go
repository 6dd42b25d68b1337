package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"
)

// errStopScan, returned by a scan's page function, ends the scan early
// without an error.
var errStopScan = errors.New("stop scan")

// scan calls page with each page of keys matching pattern, a bounded SCAN
// of count keys at a time. On a Redis Cluster a SCAN sees one node's keys
// only: every master is scanned, and page is never called concurrently.
func (s *Store) scan(ctx context.Context, pattern string, count int64, page func(keys []string) error) error {
	var mu sync.Mutex
	one := func(ctx context.Context, c redis.Cmdable) error {
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, pattern, count).Result()
			if err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			if len(keys) > 0 {
				mu.Lock()
				err = page(keys)
				mu.Unlock()
				if err != nil {
					return err
				}
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return one(ctx, c) })
	} else {
		err = one(ctx, s.rdb)
	}
	if errors.Is(err, errStopScan) {
		return nil
	}
	return err
}
