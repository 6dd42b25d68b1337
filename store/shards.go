package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The queues (the due-queue, the inbox, the outbox) are split in shards,
// each shard one hash tag ({due:<n>}, {inbox:<n>}, {outbox:<n>}), so that
// on a Redis Cluster they spread over the nodes instead of one slot
// holding every job and every waiting message. Each script of a queue
// touches one shard. A chat's lane (its queue, items, markers) is in the
// shard of the chat id, and a beneficiary's (or an advisor's) jobs in the
// shard of their id: always the same one, so one chat is still served in
// order and one job series has one entry. Workers claim across the shards
// in turn (Lanes.Claim, ClaimJobs).
//
// The number of shards is fixed for a deployment: a lane or a job is
// found through it. The first replica records it in Redis (suivi:shards);
// a replica started with another number refuses to start (CheckShards).

// DefaultShards is the number of shards of a deployment that sets none
// (SUIVI_SHARDS).
const DefaultShards = 16

// MaxShards bounds SUIVI_SHARDS.
const MaxShards = 1024

// ErrShards is returned when SUIVI_SHARDS is not the number of shards
// Redis's queues are in.
var ErrShards = errors.New("SUIVI_SHARDS does not match Redis's queues")

func shardOf(s string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return int(h.Sum32() % uint32(n))
}

// laneShard is the shard of a chat's lane.
func (s *Store) laneShard(lane int64) int { return shardOf(i64(lane), s.shards) }

// ownerShard is the shard of an owner's jobs.
func (s *Store) ownerShard(owner string) int { return shardOf(owner, s.shards) }

// memberOwner is the owner of a job member ("kind|owner|step").
func memberOwner(member string) string {
	parts := strings.SplitN(member, "|", 3)
	if len(parts) < 2 {
		return member
	}
	return parts[1]
}

// Shards returns the number of shards of the queues.
func (s *Store) Shards() int { return s.shards }

// CheckShards records the number of shards in a Redis that has none, and
// refuses (ErrShards) one whose queues are in another number of shards.
func (s *Store) CheckShards(ctx context.Context) error {
	ok, err := s.rdb.SetNX(ctx, s.k.shards(), s.shards, 0).Result()
	if err != nil {
		return fmt.Errorf("shards: %w", err)
	}
	if ok {
		return nil
	}
	v, err := s.rdb.Get(ctx, s.k.shards()).Result()
	if errors.Is(err, redis.Nil) {
		return s.CheckShards(ctx)
	}
	if err != nil {
		return fmt.Errorf("shards: %w", err)
	}
	if n, _ := strconv.Atoi(v); n != s.shards {
		return fmt.Errorf("%w: SUIVI_SHARDS is %d, but the queues of this Redis are in %s shards (it is fixed for a deployment)", ErrShards, s.shards, v)
	}
	return nil
}
