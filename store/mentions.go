package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
)

// Mention is one place of the keyspace where a token appears: the key, and
// where in it (the key's name, or a field, member or element of it).
type Mention struct {
	Key   string
	Where string
}

// mentionPage is the SCAN (HSCAN, SSCAN, ZSCAN) page size of Mentions.
const mentionPage = 500

// Mentions walks the whole keyspace with a bounded SCAN and returns, up to
// limit, the places where any of tokens appears: in a key's name, a hash
// field or value, a set or sorted-set member, a list element or a string —
// sealed values opened first, so what a copy of Redis would reveal once
// decrypted counts too. A token counts only as a whole word (the id
// "ab12" is not found in "xab12"). It is how an erasure is checked.
func (s *Store) Mentions(ctx context.Context, tokens []string, limit int) ([]Mention, error) {
	var out []Mention
	add := func(key, where string) bool {
		out = append(out, Mention{Key: key, Where: where})
		return len(out) >= limit
	}
	err := s.scan(ctx, s.k.all(), mentionPage, func(keys []string) error {
		for _, key := range keys {
			if mentionsAny(key, tokens) {
				if add(key, "name") {
					return errStopScan
				}
				continue
			}
			found, err := s.valueMentions(ctx, key, tokens)
			if err != nil {
				return err
			}
			for _, w := range found {
				if add(key, w) {
					return errStopScan
				}
			}
		}
		return nil
	})
	return out, err
}

// valueMentions returns where the value of key mentions a token.
func (s *Store) valueMentions(ctx context.Context, key string, tokens []string) ([]string, error) {
	typ, err := s.rdb.Type(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("type %s: %w", key, err)
	}
	kind, id := s.k.sealed(key)
	var found []string
	check := func(where, v string) {
		if mentionsAny(where, tokens) || mentionsAny(v, tokens) {
			found = append(found, where)
		}
	}
	checkSealed := func(where, field string, v []byte) {
		plain, ok := s.openedValue(kind, id, field, v)
		if !ok {
			// What cannot be opened cannot be cleared: it counts.
			found = append(found, where+" (cannot be opened)")
			return
		}
		check(where, plain)
	}
	switch typ {
	case "string":
		v, err := s.rdb.Get(ctx, key).Bytes()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", key, err)
		}
		checkSealed("value", "", v)
	case "hash":
		err := s.hscan(ctx, key, func(field, v string) {
			checkSealed("field "+field, field, []byte(v))
		})
		if err != nil {
			return nil, err
		}
	case "set":
		iter := s.rdb.SScan(ctx, key, 0, "*", mentionPage).Iterator()
		for iter.Next(ctx) {
			check("member "+iter.Val(), "")
		}
		if err := iter.Err(); err != nil {
			return nil, fmt.Errorf("sscan %s: %w", key, err)
		}
	case "zset":
		iter := s.rdb.ZScan(ctx, key, 0, "*", mentionPage).Iterator()
		for i := 0; iter.Next(ctx); i++ {
			if i%2 == 0 { // members and scores alternate
				check("member "+iter.Val(), "")
			}
		}
		if err := iter.Err(); err != nil {
			return nil, fmt.Errorf("zscan %s: %w", key, err)
		}
	case "list":
		els, err := s.rdb.LRange(ctx, key, 0, -1).Result()
		if err != nil {
			return nil, fmt.Errorf("lrange %s: %w", key, err)
		}
		for i, el := range els {
			where := fmt.Sprintf("element %d", i)
			if kind == sealedLaneParked {
				opened, err := (&Lanes{s: s, name: id}).openParked(el)
				if err != nil {
					found = append(found, where+" (cannot be opened)")
					continue
				}
				el = opened
			}
			check(where, el)
		}
	}
	return found, nil
}

// hscan calls fn for each field and value of a hash, a page at a time.
func (s *Store) hscan(ctx context.Context, key string, fn func(field, value string)) error {
	var cursor uint64
	for {
		kv, next, err := s.rdb.HScan(ctx, key, cursor, "*", mentionPage).Result()
		if err != nil {
			return fmt.Errorf("hscan %s: %w", key, err)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			fn(kv[i], kv[i+1])
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// openedValue returns a value as its reader sees it, sealed parts opened;
// ok is false for a sealed value that cannot be opened.
func (s *Store) openedValue(kind sealedKind, id, field string, v []byte) (string, bool) {
	var plain []byte
	var err error
	switch kind {
	case sealedCheckins:
		var c *domain.CheckIn
		if c, _, err = decode[domain.CheckIn](s, v, aadCheckin(id, domain.Week(field))); err == nil {
			plain = mustJSON(c)
		}
	case sealedPlan:
		var p *domain.Plan
		if p, _, err = decode[domain.Plan](s, v, aadPlan(id)); err == nil {
			plain = mustJSON(p)
		}
	case sealedDialog:
		plain, err = s.keys.open(v, aadDialog(id))
	case sealedAdvisorDialog:
		var adv int64
		if adv, err = parseI64(id); err == nil {
			plain, err = s.keys.open(v, aadAdvisorDialog(adv))
		}
	case sealedLaneItems:
		plain, err = s.keys.open(v, aadItem(id, field))
	case sealedHeld:
		var adv int64
		if adv, err = parseI64(id); err == nil {
			plain, err = s.keys.open(v, aadHeld(adv, field))
		}
	default:
		return string(v), true
	}
	if err != nil {
		return string(v), false
	}
	return string(plain), true
}

// mentionsAny reports whether s holds one of tokens as a whole word.
func mentionsAny(s string, tokens []string) bool {
	for _, t := range tokens {
		if mentions(s, t) {
			return true
		}
	}
	return false
}

// mentions reports whether s holds token as a whole word: not preceded nor
// followed by a letter or a digit.
func mentions(s, token string) bool {
	if token == "" {
		return false
	}
	for from := 0; ; {
		i := strings.Index(s[from:], token)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(token)
		if (i == 0 || !alnum(s[i-1])) && (end == len(s) || !alnum(s[end])) {
			return true
		}
		from = i + 1
	}
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
