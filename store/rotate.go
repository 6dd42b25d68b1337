package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
)

// ErrKeyMissing is returned when Redis holds values sealed under a key the
// ring lacks, or under a key of the same id that is not the same key.
var ErrKeyMissing = errors.New("SUIVI_DATA_KEYS does not open Redis's data")

// useKeys checks the ring against the fingerprints of the keys Redis holds
// values under, and records the sealing key's.
//
// KEYS[1] the hash of key id -> fingerprint
// ARGV[1] the sealing key's id (empty: check only), ARGV[2] its
// fingerprint, then id, fingerprint of every key of the ring
// Returns {} when the ring holds every key (the sealing one is recorded),
// else {id, 'missing' or 'different', ...} and records nothing.
var useKeys = redis.NewScript(`
local ring = {}
for i = 3, #ARGV, 2 do ring[ARGV[i]] = ARGV[i+1] end
local held = redis.call('HGETALL', KEYS[1])
local bad = {}
for i = 1, #held, 2 do
  local fp = ring[held[i]]
  if not fp then
    bad[#bad+1] = held[i]; bad[#bad+1] = 'missing'
  elseif fp ~= held[i+1] then
    bad[#bad+1] = held[i]; bad[#bad+1] = 'different'
  end
end
if #bad > 0 then return bad end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return {}`)

// UseKeys checks, before a process writes anything, that its ring opens
// what Redis holds: every key values were sealed under (Redis keeps their
// fingerprints, never the keys) must be in the ring, with the same key
// material. It then records the sealing key. A missing or different key
// returns an error wrapping ErrKeyMissing that says which, in one line.
func (s *Store) UseKeys(ctx context.Context) error { return s.checkKeys(ctx, true) }

// CheckKeys is UseKeys for a process that only reads: it records nothing.
func (s *Store) CheckKeys(ctx context.Context) error { return s.checkKeys(ctx, false) }

func (s *Store) checkKeys(ctx context.Context, record bool) error {
	args := []any{"", ""}
	if record {
		args = []any{s.keys.Primary(), s.keys.fp[s.keys.Primary()]}
	}
	for _, id := range s.keys.ids {
		args = append(args, id, s.keys.fp[id])
	}
	bad, err := useKeys.Run(ctx, s.rdb, []string{s.k.sealKeys()}, args...).StringSlice()
	if err != nil {
		return fmt.Errorf("check data keys: %w", err)
	}
	var missing, different []string
	for i := 0; i+1 < len(bad); i += 2 {
		if bad[i+1] == "missing" {
			missing = append(missing, fmt.Sprintf("%q", bad[i]))
		} else {
			different = append(different, fmt.Sprintf("%q", bad[i]))
		}
	}
	slices.Sort(missing)
	slices.Sort(different)
	var probs []string
	if len(missing) > 0 {
		probs = append(probs, "Redis holds values sealed under key "+strings.Join(missing, ", ")+", which it lacks (put it back after the first key; remove a key only after suivi keys rotate)")
	}
	if len(different) > 0 {
		probs = append(probs, "its key "+strings.Join(different, ", ")+" is not the key Redis holds values under (same id, other key: a typo?)")
	}
	if len(probs) > 0 {
		return fmt.Errorf("%w: %s", ErrKeyMissing, strings.Join(probs, "; "))
	}
	return nil
}

// RotateProgress says how far a rotation went.
type RotateProgress struct {
	// Keys is how many Redis keys were scanned.
	Keys int
	// Resealed counts values sealed again under the first key (clear ones
	// included: data written before sealing existed).
	Resealed int
	// Current counts values already sealed under the first key.
	Current int
	// Changed counts values Suivi kept rewriting while the rotation
	// resealed them (read again rotateTries times): run it again.
	Changed int
	// Failed counts values that could not be opened: sealed under a key
	// the ring lacks, or altered.
	Failed int
}

// The compare-and-set scripts of a rotation: a value is replaced only if it
// is still the one read, so a rotation running beside Suivi never undoes a
// write, nor brings back an item that was handled meanwhile.

// casString: KEYS[1] a string key; ARGV[1] the value read, ARGV[2] the new
// value. Keeps the key's TTL. Returns 1 if replaced.
var casString = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`)

// casHash: KEYS[1] a hash; ARGV[1] the field, ARGV[2] the value read,
// ARGV[3] the new value. Returns 1 if replaced.
var casHash = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`)

// casList: KEYS[1] a list; ARGV[1] the element read, ARGV[2] the new
// element. Returns 1 if replaced.
var casList = redis.NewScript(`
local i = redis.call('LPOS', KEYS[1], ARGV[1])
if not i then return 0 end
redis.call('LSET', KEYS[1], i, ARGV[2])
return 1`)

// resetKeys makes the sealing key the only one Redis holds values under.
//
// KEYS[1] the hash of key id -> fingerprint
// ARGV[1] the sealing key's id, ARGV[2] its fingerprint
var resetKeys = redis.NewScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`)

// rotatePage is the SCAN (and HSCAN) page size of a rotation.
const rotatePage = 500

// Rotate seals every sealed value again under the ring's first key — check-
// ins, plans, conversation states, queue items and parked records — and
// seals the clear ones written before sealing existed. It walks the
// keyspace with a bounded SCAN (and each hash with HSCAN), beside a running
// Suivi, replacing a value only if it did not change meanwhile; progress is
// called after each page. When nothing failed, Redis forgets the other
// keys: they may then be removed from SUIVI_DATA_KEYS (UseKeys).
func (s *Store) Rotate(ctx context.Context, progress func(RotateProgress)) (RotateProgress, error) {
	var p RotateProgress
	if err := s.UseKeys(ctx); err != nil {
		return p, err
	}
	err := s.scan(ctx, s.k.all(), rotatePage, func(keys []string) error {
		for _, key := range keys {
			p.Keys++
			if err := s.rotateKey(ctx, key, &p); err != nil {
				return err
			}
		}
		if progress != nil {
			progress(p)
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	if p.Failed > 0 {
		return p, fmt.Errorf("%d values could not be opened: the other keys are still needed", p.Failed)
	}
	if p.Changed > 0 {
		return p, fmt.Errorf("%d values kept changing while they were resealed: run it again", p.Changed)
	}
	if err := resetKeys.Run(ctx, s.rdb, []string{s.k.sealKeys()}, s.keys.Primary(), s.keys.fp[s.keys.Primary()]).Err(); err != nil {
		return p, fmt.Errorf("record data key: %w", err)
	}
	return p, nil
}

// reseal returns v sealed again under the first key; ok is false when v
// is current already.
type resealer func(v []byte) (out []byte, ok bool, err error)

func (s *Store) rotateKey(ctx context.Context, key string, p *RotateProgress) error {
	kind, id := s.k.sealed(key)
	switch kind {
	case sealedCheckins:
		return s.rotateHash(ctx, key, p, func(field string) resealer {
			return recordResealer[domain.CheckIn](s, aadCheckin(id, domain.Week(field)))
		})
	case sealedPlan:
		return s.rotateString(ctx, key, p, recordResealer[domain.Plan](s, aadPlan(id)))
	case sealedDialog:
		return s.rotateString(ctx, key, p, s.wholeResealer(aadDialog(id)))
	case sealedAdvisorDialog:
		adv, err := parseI64(id)
		if err != nil {
			return nil
		}
		return s.rotateString(ctx, key, p, s.wholeResealer(aadAdvisorDialog(adv)))
	case sealedLaneItems:
		return s.rotateHash(ctx, key, p, func(field string) resealer { return s.wholeResealer(aadItem(id, field)) })
	case sealedLaneParked:
		return s.rotateParked(ctx, key, id, p)
	case sealedHeld:
		adv, err := parseI64(id)
		if err != nil {
			return nil
		}
		return s.rotateHash(ctx, key, p, func(field string) resealer { return s.wholeResealer(aadHeld(adv, field)) })
	}
	return nil
}

func (s *Store) wholeResealer(aad string) resealer {
	return func(v []byte) ([]byte, bool, error) {
		if s.keys.current(v) {
			return nil, false, nil
		}
		plain, err := s.keys.open(v, aad)
		if err != nil {
			return nil, false, err
		}
		return s.keys.seal(plain, aad), true, nil
	}
}

func recordResealer[T any](s *Store, aad string) resealer {
	return func(v []byte) ([]byte, bool, error) {
		rec, stale, err := decode[T](s, v, aad)
		if err != nil || !stale {
			return nil, false, err
		}
		return encode(s, rec, aad), true, nil
	}
}

// rotateTries is how many times a rotation reads a value again that Suivi
// rewrote while it was resealing it.
const rotateTries = 3

// rotateValue reseals one value: read returns it (ok false: gone), cas
// replaces it if it is still the one read.
func rotateValue(p *RotateProgress, reseal resealer, read func() ([]byte, bool, error), cas func(old, new []byte) (bool, error)) error {
	for range rotateTries {
		v, ok, err := read()
		if err != nil || !ok {
			return err
		}
		out, stale, err := reseal(v)
		switch {
		case errors.Is(err, ErrUnsealable):
			p.Failed++
			return nil
		case err != nil:
			return err
		case !stale:
			p.Current++
			return nil
		}
		replaced, err := cas(v, out)
		if err != nil || replaced {
			if replaced {
				p.Resealed++
			}
			return err
		}
		// Rewritten meanwhile: look again.
	}
	p.Changed++
	return nil
}

func (s *Store) rotateString(ctx context.Context, key string, p *RotateProgress, reseal resealer) error {
	err := rotateValue(p, reseal, func() ([]byte, bool, error) {
		v, err := s.rdb.Get(ctx, key).Bytes()
		if errors.Is(err, redis.Nil) {
			return nil, false, nil
		}
		return v, err == nil, err
	}, func(old, new []byte) (bool, error) {
		n, err := casString.Run(ctx, s.rdb, []string{key}, old, new).Int()
		return n == 1, err
	})
	if err != nil {
		return fmt.Errorf("rotate %s: %w", key, err)
	}
	return nil
}

func (s *Store) rotateHash(ctx context.Context, key string, p *RotateProgress, resealerFor func(field string) resealer) error {
	var cursor uint64
	for {
		kv, next, err := s.rdb.HScan(ctx, key, cursor, "*", rotatePage).Result()
		if err != nil {
			return fmt.Errorf("rotate %s: %w", key, err)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			field, first := kv[i], []byte(kv[i+1])
			read := func() ([]byte, bool, error) {
				if first != nil {
					v := first
					first = nil
					return v, true, nil
				}
				v, err := s.rdb.HGet(ctx, key, field).Bytes()
				if errors.Is(err, redis.Nil) {
					return nil, false, nil
				}
				return v, err == nil, err
			}
			err := rotateValue(p, resealerFor(field), read, func(old, new []byte) (bool, error) {
				n, err := casHash.Run(ctx, s.rdb, []string{key}, field, old, new).Int()
				return n == 1, err
			})
			if err != nil {
				return fmt.Errorf("rotate %s %s: %w", key, field, err)
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// rotateParked reseals the items of a lane's parked records (a list
// bounded by parkedMax).
func (s *Store) rotateParked(ctx context.Context, key, queue string, p *RotateProgress) error {
	recs, err := s.rdb.LRange(ctx, key, 0, parkedMax-1).Result()
	if err != nil {
		return fmt.Errorf("rotate %s: %w", key, err)
	}
	for _, rec := range recs {
		r, id, item, err := parkedItem(rec)
		if err != nil || item == nil {
			continue // not ours to fix: left as it is
		}
		// A parked record is never rewritten, only trimmed away: one read.
		first := true
		err = rotateValue(p, s.wholeResealer(aadItem(queue, id)), func() ([]byte, bool, error) {
			ok := first
			first = false
			return item, ok, nil
		}, func(_, sealed []byte) (bool, error) {
			r["item"] = mustJSON(string(sealed))
			n, err := casList.Run(ctx, s.rdb, []string{key}, rec, mustJSON(r)).Int()
			return n == 1, err
		})
		if err != nil {
			return fmt.Errorf("rotate %s %s: %w", key, id, err)
		}
	}
	return nil
}
