package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The web desk's logins and sessions. A login link is single use and
// short-lived; a session is a random id in an HttpOnly cookie, with its own
// CSRF token, kept with a TTL and listed under its advisor so that
// /deconnexion ends them all. None of it is personal data.

// tokenRE is the shape of a login token or a session id (randomToken(20)):
// anything else is refused before it reaches Redis.
var tokenRE = regexp.MustCompile(`^[a-z2-7]{32}$`)

// ErrLoginUnknown: the login link is unknown, already used or expired.
var ErrLoginUnknown = errors.New("login link unknown, used or expired")

// ErrTooManyLogins: an advisor asked for too many login links at once.
var ErrTooManyLogins = errors.New("too many login links")

// NewDeskLogin makes a single-use login link token for advisorID, valid
// for ttl from now (the caller's clock). At most max links are made per
// window.
func (s *Store) NewDeskLogin(ctx context.Context, advisorID int64, now time.Time, ttl time.Duration, max int, window time.Duration) (string, error) {
	n, err := s.rdb.Incr(ctx, s.k.advisorLogins(advisorID)).Result()
	if err != nil {
		return "", fmt.Errorf("desk login: %w", err)
	}
	if n == 1 {
		if err := s.rdb.PExpire(ctx, s.k.advisorLogins(advisorID), window).Err(); err != nil {
			return "", fmt.Errorf("desk login: %w", err)
		}
	}
	if n > int64(max) {
		return "", ErrTooManyLogins
	}
	token := randomToken(20)
	v := fmt.Sprintf("%d:%d", advisorID, ms(now.Add(ttl)))
	// Redis forgets it a little after its expiry, whatever clock the
	// caller runs on; the expiry itself is checked against the caller's.
	if err := s.rdb.Set(ctx, s.k.deskLogin(token), v, ttl+time.Hour).Err(); err != nil {
		return "", fmt.Errorf("desk login: %w", err)
	}
	return token, nil
}

// RedeemDeskLogin uses up a login link token and returns its advisor; an
// expired one is used up too, and refused.
func (s *Store) RedeemDeskLogin(ctx context.Context, token string, now time.Time) (int64, error) {
	if !tokenRE.MatchString(token) {
		return 0, ErrLoginUnknown
	}
	v, err := s.rdb.GetDel(ctx, s.k.deskLogin(token)).Result()
	if errors.Is(err, redis.Nil) {
		return 0, ErrLoginUnknown
	}
	if err != nil {
		return 0, fmt.Errorf("desk login: %w", err)
	}
	idPart, expPart, _ := strings.Cut(v, ":")
	id, err1 := strconv.ParseInt(idPart, 10, 64)
	exp, err2 := strconv.ParseInt(expPart, 10, 64)
	if err1 != nil || err2 != nil || ms(now) >= exp {
		return 0, ErrLoginUnknown
	}
	return id, nil
}

// DeskSession is a signed-in advisor on the web desk.
type DeskSession struct {
	ID      string
	Advisor int64
	CSRF    string
}

// NewDeskSession opens a desk session for advisorID, for ttl.
func (s *Store) NewDeskSession(ctx context.Context, advisorID int64, ttl time.Duration) (DeskSession, error) {
	ds := DeskSession{ID: randomToken(20), Advisor: advisorID, CSRF: randomToken(20)}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.k.deskSession(ds.ID), "advisor", advisorID, "csrf", ds.CSRF)
		p.PExpire(ctx, s.k.deskSession(ds.ID), ttl)
		return nil
	})
	if err != nil {
		return DeskSession{}, fmt.Errorf("desk session: %w", err)
	}
	// The index goes after the record (another slot on a cluster); a stale
	// id in it points to nothing.
	if err := s.rdb.SAdd(ctx, s.k.advisorSessions(advisorID), ds.ID).Err(); err != nil {
		return DeskSession{}, fmt.Errorf("desk session: %w", err)
	}
	if err := s.rdb.PExpire(ctx, s.k.advisorSessions(advisorID), ttl).Err(); err != nil {
		return DeskSession{}, fmt.Errorf("desk session: %w", err)
	}
	return ds, nil
}

// DeskSessionByID returns a live session; ErrNotFound when it ended.
func (s *Store) DeskSessionByID(ctx context.Context, id string) (DeskSession, error) {
	if !tokenRE.MatchString(id) {
		return DeskSession{}, ErrNotFound
	}
	v, err := s.rdb.HGetAll(ctx, s.k.deskSession(id)).Result()
	if err != nil {
		return DeskSession{}, fmt.Errorf("desk session: %w", err)
	}
	adv, err := strconv.ParseInt(v["advisor"], 10, 64)
	if err != nil || v["csrf"] == "" {
		return DeskSession{}, ErrNotFound
	}
	return DeskSession{ID: id, Advisor: adv, CSRF: v["csrf"]}, nil
}

// EndDeskSessions ends every desk session of an advisor and reports how
// many there were.
func (s *Store) EndDeskSessions(ctx context.Context, advisorID int64) (int, error) {
	ids, err := s.rdb.SMembers(ctx, s.k.advisorSessions(advisorID)).Result()
	if err != nil {
		return 0, fmt.Errorf("end desk sessions: %w", err)
	}
	n := 0
	for _, id := range ids {
		d, err := s.rdb.Del(ctx, s.k.deskSession(id)).Result()
		if err != nil {
			return n, fmt.Errorf("end desk sessions: %w", err)
		}
		n += int(d)
	}
	if err := s.rdb.Del(ctx, s.k.advisorSessions(advisorID)).Err(); err != nil {
		return n, fmt.Errorf("end desk sessions: %w", err)
	}
	return n, nil
}
