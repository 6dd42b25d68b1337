package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
)

// refTTL is how long a button token stays valid.
const refTTL = 90 * 24 * time.Hour

// AdvisorState returns the saved state of an advisor's current
// conversation (opaque to the store), or nil.
func (s *Store) AdvisorState(ctx context.Context, advisorID int64) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.k.advisorDialog(advisorID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("advisor %d dialog: %w", advisorID, err)
	}
	if b, err = s.keys.open(b, aadAdvisorDialog(advisorID)); err != nil {
		return nil, fmt.Errorf("advisor %d dialog: %w", advisorID, err)
	}
	return b, nil
}

// SetAdvisorState saves an advisor's conversation state for ttl; nil clears
// it. The state is sealed as a whole (it holds drafts of plans and changes).
func (s *Store) SetAdvisorState(ctx context.Context, advisorID int64, state []byte, ttl time.Duration) error {
	key := s.k.advisorDialog(advisorID)
	var err error
	if state == nil {
		err = s.rdb.Del(ctx, key).Err()
	} else {
		err = s.rdb.Set(ctx, key, s.keys.seal(state, aadAdvisorDialog(advisorID)), ttl).Err()
	}
	if err != nil {
		return fmt.Errorf("save advisor %d dialog: %w", advisorID, err)
	}
	return nil
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

var refScript = redis.NewScript(`
local t = redis.call('HGET', KEYS[2], ARGV[1])
if not t then
  t = ARGV[2]
  redis.call('HSET', KEYS[1], t, ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], t)
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return t`)

// Ref returns a short random token standing for value in the buttons of
// one advisor. Buttons carry the token, never the value: a token is looked
// up in the presser's own table, so edited callback data reaches nothing.
func (s *Store) Ref(ctx context.Context, advisorID int64, value string) (string, error) {
	tag := s.k.advisorTag(advisorID)
	t, err := refScript.Run(ctx, s.rdb, []string{tag + "refs", tag + "rrefs"}, value, randomToken(5), refTTL.Milliseconds()).Text()
	if err != nil {
		return "", fmt.Errorf("ref: %w", err)
	}
	return t, nil
}

// ResolveRef returns what an advisor's button token stands for.
func (s *Store) ResolveRef(ctx context.Context, advisorID int64, token string) (string, bool, error) {
	if len(token) > 16 {
		return "", false, nil
	}
	v, err := s.rdb.HGet(ctx, s.k.advisorTag(advisorID)+"refs", token).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("resolve ref: %w", err)
	}
	return v, true, nil
}

// Advisors returns every advisor, by id.
func (s *Store) Advisors(ctx context.Context) ([]domain.Advisor, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.advisors()).Result()
	if err != nil {
		return nil, fmt.Errorf("advisors: %w", err)
	}
	out := make([]domain.Advisor, 0, len(m))
	for _, v := range m {
		var a domain.Advisor
		if err := jsonUnmarshal([]byte(v), &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b domain.Advisor) int { return int(a.ID - b.ID) })
	return out, nil
}

// UpdateAdvisor applies fn to a stored advisor atomically.
func (s *Store) UpdateAdvisor(ctx context.Context, id int64, fn func(*domain.Advisor) error) (*domain.Advisor, error) {
	a, err := update(ctx, s, s.k.advisors(), i64(id), "", fn)
	if err != nil {
		return nil, fmt.Errorf("update advisor %d: %w", id, err)
	}
	return a, nil
}

// NewAdvisorInvite creates a single-use code that makes whoever opens it
// an advisor.
func (s *Store) NewAdvisorInvite(ctx context.Context, by int64, now time.Time, ttl time.Duration) (Invite, error) {
	inv := Invite{Code: "a_" + randomToken(15), Expires: now.Add(ttl).UTC()}
	key := s.k.advInvite(inv.Code)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "by", by, "expires", ms(inv.Expires))
		p.PExpire(ctx, key, ttl+inviteGrace)
		return nil
	})
	if err != nil {
		return Invite{}, fmt.Errorf("advisor invite: %w", err)
	}
	return inv, nil
}

// RedeemAdvisorInvite makes Telegram user userID an advisor named name.
// Redeeming again by the same user is not an error. In two steps, each on
// one slot: the code is used up (the decision), then the advisor is
// recorded unless they are one already (and pending a digest job,
// pending.go); a redemption cut short between them is finished when the
// same user opens the code again.
func (s *Store) RedeemAdvisorInvite(ctx context.Context, code string, userID int64, name string, now time.Time) (*domain.Advisor, error) {
	key := s.k.advInvite(code)
	h, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("redeem advisor invite: %w", err)
	}
	if h["by"] == "" {
		return nil, ErrInviteUnknown
	}
	if by := h["used_by"]; by == "" {
		exp, _ := strconv.ParseInt(h["expires"], 10, 64)
		if now.UnixMilli() > exp {
			return nil, ErrInviteExpired
		}
	} else if by != i64(userID) {
		return nil, ErrInviteUsed
	}
	n, err := inviteClaim.Run(ctx, s.rdb, []string{key}, userID, ms(now), "by", redeemedKeep.Milliseconds()).Int()
	if err != nil {
		return nil, fmt.Errorf("redeem advisor invite: %w", err)
	}
	switch n {
	case -1:
		return nil, ErrInviteUnknown
	case 0:
		return nil, ErrInviteUsed
	}
	a := &domain.Advisor{ID: userID, Name: name, Created: now.UTC()}
	if _, err := s.EnsureAdvisor(ctx, a); err != nil {
		return nil, fmt.Errorf("redeem advisor invite: %w", err)
	}
	return s.Advisor(ctx, userID)
}
