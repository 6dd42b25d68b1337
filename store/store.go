package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Errors callers match with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrInviteUnknown = errors.New("invite code unknown")
	ErrInviteUsed    = errors.New("invite code already used")
	ErrInviteExpired = errors.New("invite code expired")
	ErrConflict      = errors.New("concurrent update, try again")
	ErrLeaseLost     = errors.New("lease lost")
)

// Store reads and writes Suivi's data in Redis.
type Store struct {
	rdb    redis.UniversalClient
	k      keys
	keys   *Keyring
	shards int
	// turn moves the first shard each claim looks at: every shard gets
	// its turn.
	turn *atomic.Uint32
	// legacy says until when layout-1 seen markers may exist (migrate.go).
	legacy *legacy
	// migrateStep, in tests, is called before each write of a migration.
	migrateStep func() error
}

// Options configure a Store.
type Options struct {
	// Keys seal free text and queue payloads at rest (see seal.go).
	// Required: ParseKeyring (SUIVI_DATA_KEYS), or EphemeralKeyring for a
	// Redis that lives no longer than the process.
	Keys *Keyring
	// Shards is how many shards the queues are split in (SUIVI_SHARDS,
	// default DefaultShards): fixed for a deployment (CheckShards).
	Shards int
}

// New returns a Store on rdb. It panics without Options.Keys: a store that
// silently wrote free text in clear would break Suivi's first promise.
func New(rdb redis.UniversalClient, o Options) *Store {
	if o.Keys == nil {
		panic("store.New: Options.Keys is required")
	}
	if o.Shards <= 0 {
		o.Shards = DefaultShards
	}
	return &Store{rdb: rdb, k: keys{prefix: "suivi:"}, keys: o.Keys, shards: o.Shards, turn: new(atomic.Uint32), legacy: new(legacy)}
}

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

func getJSON(ctx context.Context, rdb redis.Cmdable, key string, v any) error {
	b, err := rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("redis get: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own domain types are marshalled here; they always encode.
		panic(fmt.Sprintf("store: encode %T: %v", v, err))
	}
	return b
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// watch runs txf in an optimistic transaction on keys (WATCH/MULTI),
// retrying a few times when another client changed them meanwhile.
func (s *Store) watch(ctx context.Context, txf func(*redis.Tx) error, keys ...string) error {
	for range 8 {
		err := s.rdb.Watch(ctx, txf, keys...)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return ErrConflict
}

// update applies fn to the JSON record stored at key (a string, or the
// field of a hash when field is not empty) atomically, and returns the
// result. Free-text fields are opened and sealed again with aad (seal.go);
// a record fn leaves as it was is not written again.
func update[T any](ctx context.Context, s *Store, key, field, aad string, fn func(*T) error) (*T, error) {
	var out *T
	err := s.watch(ctx, func(tx *redis.Tx) error {
		var b []byte
		var err error
		if field == "" {
			b, err = tx.Get(ctx, key).Bytes()
		} else {
			b, err = tx.HGet(ctx, key, field).Bytes()
		}
		if errors.Is(err, redis.Nil) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		v, _, err := decode[T](s, b, aad)
		if err != nil {
			return err
		}
		before := mustJSON(v)
		if err := fn(v); err != nil {
			return err
		}
		out = v
		if bytes.Equal(before, mustJSON(v)) {
			// Unchanged: sealing again would only change the bytes.
			return nil
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if field == "" {
				p.Set(ctx, key, encode(s, v, aad), redis.KeepTTL)
			} else {
				p.HSet(ctx, key, field, encode(s, v, aad))
			}
			return nil
		})
		return err
	}, key)
	return out, err
}

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %T: %w", v, err)
	}
	return nil
}
