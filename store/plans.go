package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
)

// ErrExists is returned when importing a plan whose id is already taken.
var ErrExists = errors.New("already exists")

// ErrJoined is returned when a new invite is asked for a beneficiary who
// has joined already (their invite was used: nothing to re-issue), and
// ErrEnded for one whose accompaniment has ended.
var (
	ErrJoined = errors.New("beneficiary has joined already")
	ErrEnded  = errors.New("accompaniment ended")
)

// ErrAlreadyLinked is returned when a Telegram user who already follows an
// open plan opens the invite of another one.
var ErrAlreadyLinked = errors.New("telegram user already linked to another plan")

// inviteGrace is how long a used or expired invite is remembered, so that
// its owner gets "already used" or "expired" rather than "unknown".
const inviteGrace = 30 * 24 * time.Hour

// redeemedKeep is how long a redeemed invite is remembered: its user
// opening it again (an update retried after an outage, hours at most; a
// redemption cut short, finished by opening it again; a second tap in the
// first days) is recognised, and someone else is told it was used. It was
// the invite's life plus inviteGrace (44 days): ~150 bytes a beneficiary
// for six weeks, for a need of hours.
const redeemedKeep = 7 * 24 * time.Hour

// ValidID reports whether id has the shape of a plan id (domain.ValidPlanID).
func ValidID(id string) bool { return domain.ValidPlanID(id) == nil }

// ValidNewID reports whether id may name a new plan (domain.ValidNewPlanID):
// the shape of a plan id, with at least two letters and a digit, so that it
// can never be read as a word or a number where it appears in keys (see
// concerns).
func ValidNewID(id string) bool { return domain.ValidNewPlanID(id) == nil }

// NewID returns a random plan/beneficiary id (lower case, 12 characters,
// of the shape ValidNewID wants).
func NewID() string {
	for {
		if id := RandomID(12); ValidNewID(id) {
			return id
		}
	}
}

// RandomID returns n random characters easy to read and type (lower-case
// letters and digits, without l, o, 0 and 1).
func RandomID(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789" // 32 letters: no bias
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newCode returns a beneficiary invite code: 24 characters of [a-z2-7]
// (120 random bits). It never holds "_", so it can't be mistaken for an
// advisor invite ("a_…").
func newCode() string { return randomToken(15) }

// Invite is a single-use code that links a Telegram user to a beneficiary.
type Invite struct {
	Code    string
	Expires time.Time
}

// CreatePlan stores a validated plan with its beneficiary, registers the
// advisor if they are not one yet, and creates an invite valid for ttl.
//
// On a Redis Cluster the records and the indexes live on different slots,
// so it writes in steps, each idempotent, records before what points to
// them: the advisor's record, then the plan and the profile together (one
// script on {b:<id>}: the plan id is taken there, or ErrExists), then the
// advisor's list, then the invite. A creation cut short leaves a plan that
// no list shows and no invite opens; creating it again (same id, same
// advisor, nobody joined) finishes it.
func (s *Store) CreatePlan(ctx context.Context, p *domain.Plan, now time.Time, ttl time.Duration) (Invite, error) {
	return s.CreatePlanFor(ctx, p, "", now, ttl)
}

// CreatePlanFor is CreatePlan for a request (a form, a conversation): its
// invite records the request, so that the same request handled again can
// tell the plan it made from another one with the same id (NewInvite with
// that request then hands back the same invite).
func (s *Store) CreatePlanFor(ctx context.Context, p *domain.Plan, request string, now time.Time, ttl time.Duration) (Invite, error) {
	if p.ID == "" {
		p.ID = NewID()
	} else if !ValidNewID(p.ID) {
		return Invite{}, fmt.Errorf("plan id %q: must be 4 to 32 lower-case letters or digits, with at least two letters and a digit", p.ID)
	}
	p.Created, p.Updated = now.UTC(), now.UTC()
	ben := domain.Beneficiary{
		ID:        p.ID,
		Name:      p.Beneficiary.Name,
		Language:  p.Beneficiary.Language,
		Timezone:  p.Beneficiary.Timezone,
		AdvisorID: p.AdvisorID,
		State:     domain.StateInvited,
		Created:   now.UTC(),
	}
	adv := domain.Advisor{ID: p.AdvisorID, Created: now.UTC()}
	inv := Invite{Code: newCode(), Expires: now.Add(ttl).UTC()}
	ben.Invite = &domain.InviteRef{Code: inv.Code, Expires: inv.Expires, Request: request}
	exists, err := s.rdb.Exists(ctx, s.k.plan(p.ID)).Result()
	if err != nil {
		return Invite{}, fmt.Errorf("check plan id: %w", err)
	}
	unfinished := false
	if exists > 0 {
		if unfinished, err = s.unfinishedPlan(ctx, p); err != nil {
			return Invite{}, err
		}
		if !unfinished {
			return Invite{}, fmt.Errorf("plan %s: %w", p.ID, ErrExists)
		}
	}
	if _, err := s.createAdvisor(ctx, &adv, false); err != nil {
		return Invite{}, fmt.Errorf("store plan %s: advisor: %w", p.ID, err)
	}
	n, err := planCreate.Run(ctx, s.rdb, []string{s.k.plan(p.ID), s.k.profile(p.ID)},
		encode(s, p, aadPlan(p.ID)), mustJSON(ben), map[bool]int{true: 1, false: 0}[unfinished]).Int()
	if err != nil {
		return Invite{}, fmt.Errorf("store plan %s: %w", p.ID, err)
	}
	if n == 0 {
		return Invite{}, fmt.Errorf("plan %s: %w", p.ID, ErrExists)
	}
	if err := s.rdb.SAdd(ctx, s.k.advisorBens(p.AdvisorID), p.ID).Err(); err != nil {
		return Invite{}, fmt.Errorf("store plan %s: advisor's list: %w", p.ID, err)
	}
	if _, err := s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		s.putInvite(ctx, pl, inv, p.ID, ttl)
		return nil
	}); err != nil {
		return Invite{}, fmt.Errorf("store plan %s: invite: %w", p.ID, err)
	}
	return inv, nil
}

// planCreate takes a plan id: it writes the plan and the profile unless a
// plan has that id (ARGV[3] = 1: replace it, a creation cut short).
//
// KEYS[1] plan, KEYS[2] profile (one slot: {b:<id>})
// ARGV[1] plan, ARGV[2] profile, ARGV[3] 1 to replace
// Returns 1 if written, 0 if the id is taken.
var planCreate = redis.NewScript(`
if ARGV[3] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return 1`)

// unfinishedPlan reports whether a plan of p's id exists from a creation
// cut short: the same advisor, nobody joined, and not in the advisor's
// list (the step after the records).
func (s *Store) unfinishedPlan(ctx context.Context, p *domain.Plan) (bool, error) {
	b, err := s.Beneficiary(ctx, p.ID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if b.AdvisorID != p.AdvisorID || b.State != domain.StateInvited || b.TelegramID != 0 {
		return false, nil
	}
	listed, err := s.rdb.SIsMember(ctx, s.k.advisorBens(p.AdvisorID), p.ID).Result()
	if err != nil {
		return false, fmt.Errorf("check plan id: %w", err)
	}
	return !listed, nil
}

func (s *Store) putInvite(ctx context.Context, pl redis.Pipeliner, inv Invite, benID string, ttl time.Duration) {
	key := s.k.invite(inv.Code)
	pl.HSet(ctx, key, "beneficiary", benID, "expires", ms(inv.Expires))
	// A TTL relative to the caller's clock (not Redis's): the key outlives
	// the expiry by the grace period, whatever clock the caller runs on.
	pl.PExpire(ctx, key, ttl+inviteGrace)
}

// NewInvite makes a new invite for a beneficiary who has not joined yet,
// valid for ttl, and revokes the ones made before: an old link is refused
// as expired. A request handled again (the same non-empty request, such as
// an advisor's update id) gets the invite it made. It returns ErrJoined
// for a beneficiary who has joined (re-linking another Telegram account is
// not an invite's job), ErrEnded once the accompaniment has ended.
func (s *Store) NewInvite(ctx context.Context, benID, request string, now time.Time, ttl time.Duration) (Invite, error) {
	pkey := s.k.profile(benID)
	var inv Invite
	txf := func(tx *redis.Tx) error {
		b := new(domain.Beneficiary)
		if err := getJSON(ctx, tx, pkey, b); err != nil {
			return fmt.Errorf("beneficiary %s: %w", benID, err)
		}
		switch {
		case b.TelegramID != 0:
			return ErrJoined
		case !b.Ended.IsZero() || !b.Erasing.IsZero():
			return ErrEnded
		case request != "" && b.Invite != nil && b.Invite.Request == request:
			inv = Invite{Code: b.Invite.Code, Expires: b.Invite.Expires}
			return nil
		}
		inv = Invite{Code: newCode(), Expires: now.Add(ttl).UTC()}
		b.Invite = &domain.InviteRef{Code: inv.Code, Expires: inv.Expires, Request: request}
		// Two slots on a cluster: the invite first (a code the profile does
		// not name yet is refused as revoked), then the profile that names it.
		if _, err := s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
			s.putInvite(ctx, pl, inv, benID, ttl)
			return nil
		}); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(pl redis.Pipeliner) error {
			pl.Set(ctx, pkey, mustJSON(b), 0)
			return nil
		})
		return err
	}
	if err := s.watch(ctx, txf, pkey); err != nil {
		return Invite{}, fmt.Errorf("new invite: %w", err)
	}
	return inv, nil
}

// Plan returns the plan with the given id.
func (s *Store) Plan(ctx context.Context, id string) (*domain.Plan, error) {
	b, err := s.rdb.Get(ctx, s.k.plan(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("plan %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", id, err)
	}
	p, _, err := decode[domain.Plan](s, b, aadPlan(id))
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", id, err)
	}
	return p, nil
}

// BeneficiaryPlan returns a beneficiary's profile and plan in one round
// trip (both live on {b:<id>}): what the scheduler reads to fire a job.
// A missing profile or plan is ErrNotFound, as with Beneficiary and Plan;
// with a profile and no plan, the profile is returned with the error.
func (s *Store) BeneficiaryPlan(ctx context.Context, id string) (*domain.Beneficiary, *domain.Plan, error) {
	vals, err := s.rdb.MGet(ctx, s.k.profile(id), s.k.plan(id)).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("beneficiary %s: redis get: %w", id, err)
	}
	return s.decodeBeneficiaryPlan(id, vals)
}

// decodeBeneficiaryPlan decodes the MGET of a profile and a plan.
func (s *Store) decodeBeneficiaryPlan(id string, vals []any) (*domain.Beneficiary, *domain.Plan, error) {
	raw := func(v any) ([]byte, bool) {
		str, ok := v.(string)
		return []byte(str), ok
	}
	pb, ok := raw(vals[0])
	if !ok {
		return nil, nil, fmt.Errorf("beneficiary %s: %w", id, ErrNotFound)
	}
	b := new(domain.Beneficiary)
	if err := json.Unmarshal(pb, b); err != nil {
		return nil, nil, fmt.Errorf("beneficiary %s: decode %s: %w", id, s.k.profile(id), err)
	}
	plb, ok := raw(vals[1])
	if !ok {
		return b, nil, fmt.Errorf("plan %s: %w", id, ErrNotFound)
	}
	p, _, err := decode[domain.Plan](s, plb, aadPlan(id))
	if err != nil {
		return nil, nil, fmt.Errorf("plan %s: %w", id, err)
	}
	return b, p, nil
}

// JobRead asks JobRecords for one beneficiary's records.
type JobRead struct {
	ID string
	// CheckIns: their check-ins too.
	CheckIns bool
}

// JobRecord is what JobRecords read of one beneficiary.
type JobRecord struct {
	Ben  *domain.Beneficiary
	Plan *domain.Plan
	// Err is BeneficiaryPlan's error (ErrNotFound for a missing profile
	// or plan).
	Err error
	// CheckIns, when asked, and CheckInsErr, CheckIns' error.
	CheckIns    []domain.CheckIn
	CheckInsErr error
}

// AdvisorRecord is what JobRecords read of one advisor: Advisor's result.
type AdvisorRecord struct {
	Advisor *domain.Advisor
	Err     error
}

// JobRecords reads in one round trip what a batch of due jobs needs: each
// beneficiary's profile and plan (BeneficiaryPlan), their check-ins when
// asked (CheckIns), and each advisor (Advisor), in the order asked.
func (s *Store) JobRecords(ctx context.Context, bens []JobRead, advisors []int64) ([]JobRecord, []AdvisorRecord) {
	recs := make([]JobRecord, len(bens))
	advs := make([]AdvisorRecord, len(advisors))
	if len(bens) == 0 && len(advisors) == 0 {
		return recs, advs
	}
	p := s.rdb.Pipeline()
	plans := make([]*redis.SliceCmd, len(bens))
	cis := make([]*redis.MapStringStringCmd, len(bens))
	for i, r := range bens {
		plans[i] = p.MGet(ctx, s.k.profile(r.ID), s.k.plan(r.ID))
		if r.CheckIns {
			cis[i] = p.HGetAll(ctx, s.k.checkins(r.ID))
		}
	}
	var advCmd *redis.SliceCmd
	if len(advisors) > 0 {
		fields := make([]string, len(advisors))
		for i, id := range advisors {
			fields[i] = i64(id)
		}
		advCmd = p.HMGet(ctx, s.k.advisors(), fields...)
	}
	_, _ = p.Exec(ctx) // each command's error is its own
	for i, r := range bens {
		if vals, err := plans[i].Result(); err != nil {
			recs[i].Err = fmt.Errorf("beneficiary %s: redis get: %w", r.ID, err)
		} else {
			recs[i].Ben, recs[i].Plan, recs[i].Err = s.decodeBeneficiaryPlan(r.ID, vals)
		}
		if cis[i] != nil {
			if m, err := cis[i].Result(); err != nil {
				recs[i].CheckInsErr = fmt.Errorf("check-ins of %s: %w", r.ID, err)
			} else {
				recs[i].CheckIns, recs[i].CheckInsErr = s.decodeCheckIns(r.ID, m)
			}
		}
	}
	if advCmd != nil {
		vals, err := advCmd.Result()
		for i, id := range advisors {
			switch {
			case err != nil:
				advs[i].Err = fmt.Errorf("advisor %d: %w", id, err)
			case i >= len(vals) || vals[i] == nil:
				advs[i].Err = fmt.Errorf("advisor %d: %w", id, ErrNotFound)
			default:
				str, _ := vals[i].(string)
				a := new(domain.Advisor)
				if err := jsonUnmarshal([]byte(str), a); err != nil {
					advs[i].Err = err
				} else {
					advs[i].Advisor = a
				}
			}
		}
	}
	return recs, advs
}

// UpdatePlan applies fn to the stored plan atomically and returns the result.
func (s *Store) UpdatePlan(ctx context.Context, id string, now time.Time, fn func(*domain.Plan) error) (*domain.Plan, error) {
	p, err := update(ctx, s, s.k.plan(id), "", aadPlan(id), func(p *domain.Plan) error {
		if err := fn(p); err != nil {
			return err
		}
		p.Updated = now.UTC()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update plan %s: %w", id, err)
	}
	return p, nil
}

// Beneficiary returns the beneficiary with the given id.
func (s *Store) Beneficiary(ctx context.Context, id string) (*domain.Beneficiary, error) {
	b := new(domain.Beneficiary)
	if err := getJSON(ctx, s.rdb, s.k.profile(id), b); err != nil {
		return nil, fmt.Errorf("beneficiary %s: %w", id, err)
	}
	return b, nil
}

// BeneficiaryByTelegram returns the beneficiary linked to a Telegram user.
func (s *Store) BeneficiaryByTelegram(ctx context.Context, userID int64) (*domain.Beneficiary, error) {
	id, err := s.rdb.Get(ctx, s.k.telegram(userID)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("telegram link: %w", err)
	}
	b, err := s.Beneficiary(ctx, id)
	if errors.Is(err, ErrNotFound) {
		// The last step of an erasure cut short: the link points at no one.
		if err := lockRelease.Run(ctx, s.rdb, []string{s.k.telegram(userID)}, id).Err(); err != nil {
			return nil, fmt.Errorf("telegram link: %w", err)
		}
	}
	return b, err
}

// Who returns who a Telegram user is to Suivi: the beneficiary linked to
// them (nil if none) and their advisor record (nil if none). Both lookups
// go in one pipelined round trip (the Telegram link and the advisors'
// table); a linked beneficiary's profile is a second. Each update begins
// with it: for a stranger's text it is one round trip instead of two, for a
// beneficiary's two instead of three.
func (s *Store) Who(ctx context.Context, userID int64) (*domain.Beneficiary, *domain.Advisor, error) {
	var link *redis.StringCmd
	var adv *redis.StringCmd
	_, err := s.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		link = pl.Get(ctx, s.k.telegram(userID))
		adv = pl.HGet(ctx, s.k.advisors(), i64(userID))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, fmt.Errorf("who is %d: %w", userID, err)
	}
	var a *domain.Advisor
	switch b, err := adv.Bytes(); {
	case err == nil:
		a = new(domain.Advisor)
		if err := jsonUnmarshal(b, a); err != nil {
			return nil, nil, err
		}
	case !errors.Is(err, redis.Nil):
		return nil, nil, fmt.Errorf("advisor %d: %w", userID, err)
	}
	id, err := link.Result()
	if errors.Is(err, redis.Nil) {
		return nil, a, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("telegram link: %w", err)
	}
	b, err := s.Beneficiary(ctx, id)
	if errors.Is(err, ErrNotFound) {
		// The last step of an erasure cut short: the link points at no one.
		if err := lockRelease.Run(ctx, s.rdb, []string{s.k.telegram(userID)}, id).Err(); err != nil {
			return nil, nil, fmt.Errorf("telegram link: %w", err)
		}
		return nil, a, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return b, a, nil
}

// UpdateBeneficiary applies fn to the stored beneficiary atomically.
func (s *Store) UpdateBeneficiary(ctx context.Context, id string, fn func(*domain.Beneficiary) error) (*domain.Beneficiary, error) {
	b, err := update(ctx, s, s.k.profile(id), "", "", fn)
	if err != nil {
		return nil, fmt.Errorf("update beneficiary %s: %w", id, err)
	}
	return b, nil
}

// Redeemed is what redeeming an invite did.
type Redeemed struct {
	Beneficiary *domain.Beneficiary
	// Again is true when this same user had already redeemed this code:
	// a retried update, handled again without harm.
	Again bool
}

// RedeemInvite links Telegram user userID to the invite's beneficiary and
// uses the code up. A code already used by someone else, expired or unknown
// changes nothing and returns ErrInviteUsed, ErrInviteExpired or
// ErrInviteUnknown. Redeeming again by the same user is not an error.
//
// In steps, each on one slot and idempotent: the code is used up (the one
// atomic decision, on the invite's key: of two users, one wins), then the
// profile is linked (the record), then the Telegram id points at it (the
// index). A redemption cut short between them is finished when the same
// user opens the code again.
func (s *Store) RedeemInvite(ctx context.Context, code string, userID int64, now time.Time) (Redeemed, error) {
	if len(code) > 64 {
		return Redeemed{}, ErrInviteUnknown
	}
	ikey, tkey := s.k.invite(code), s.k.telegram(userID)
	h, err := s.rdb.HGetAll(ctx, ikey).Result()
	if err != nil {
		return Redeemed{}, fmt.Errorf("redeem invite: %w", err)
	}
	benID := h["beneficiary"]
	if benID == "" {
		return Redeemed{}, ErrInviteUnknown
	}
	user := i64(userID)
	if by := h["used_by"]; by != "" && by != user {
		return Redeemed{}, ErrInviteUsed
	} else if by == "" {
		exp, _ := strconv.ParseInt(h["expires"], 10, 64)
		if now.UnixMilli() > exp {
			return Redeemed{}, ErrInviteExpired
		}
		linked, err := s.rdb.Get(ctx, tkey).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return Redeemed{}, fmt.Errorf("redeem invite: %w", err)
		}
		if linked != "" && linked != benID {
			other, err := s.Beneficiary(ctx, linked)
			if err == nil && other.State != domain.StateClosed {
				return Redeemed{}, ErrAlreadyLinked
			}
		}
		b, err := s.Beneficiary(ctx, benID)
		if err != nil {
			return Redeemed{}, fmt.Errorf("redeem invite: %w", err)
		}
		if !b.Ended.IsZero() {
			return Redeemed{}, ErrInviteExpired // the accompaniment ended before anyone joined
		}
		n, err := inviteClaim.Run(ctx, s.rdb, []string{ikey}, user, ms(now), "beneficiary", redeemedKeep.Milliseconds()).Int()
		if err != nil {
			return Redeemed{}, fmt.Errorf("redeem invite: %w", err)
		}
		switch n {
		case -1:
			return Redeemed{}, ErrInviteUnknown
		case 0:
			return Redeemed{}, ErrInviteUsed
		}
	}
	// The code is this user's: link the profile (unless it is already),
	// then the Telegram id.
	linkedBefore := false
	b, err := s.UpdateBeneficiary(ctx, benID, func(b *domain.Beneficiary) error {
		if b.TelegramID == userID {
			linkedBefore = true
			return nil
		}
		if b.Invite != nil && b.Invite.Code != code {
			return ErrInviteExpired // a newer invite was made: this one is revoked
		}
		b.TelegramID = userID
		b.State = domain.StateActive
		b.Joined = now.UTC()
		return nil
	})
	if err != nil {
		return Redeemed{}, fmt.Errorf("redeem invite: %w", err)
	}
	if linkedBefore {
		// Again (a retried update): the link is only made if it is missing
		// (a redemption cut short); one the user made since stays.
		err = s.rdb.SetNX(ctx, tkey, benID, 0).Err()
	} else {
		err = s.rdb.Set(ctx, tkey, benID, 0).Err()
	}
	if err != nil {
		return Redeemed{}, fmt.Errorf("redeem invite: telegram link: %w", err)
	}
	return Redeemed{Beneficiary: b, Again: linkedBefore}, nil
}

// inviteClaim uses an invite code up for a user.
//
// KEYS[1] the invite
// ARGV[1] user id, ARGV[2] now (unix ms), ARGV[3] a field every invite of
// its kind has, ARGV[4] (optional) how long the used invite is kept (ms)
// Returns 1 (used up now), 2 (used by this user before), 0 (used by
// someone else), -1 (no such invite).
var inviteClaim = redis.NewScript(`
local by = redis.call('HGET', KEYS[1], 'used_by')
if by then
  if by == ARGV[1] then return 2 end
  return 0
end
if not redis.call('HGET', KEYS[1], ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], 'used_by', ARGV[1], 'used_at', ARGV[2])
if ARGV[4] then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1`)

// Advisor returns the advisor with Telegram user id id.
func (s *Store) Advisor(ctx context.Context, id int64) (*domain.Advisor, error) {
	b, err := s.rdb.HGet(ctx, s.k.advisors(), i64(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("advisor %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("advisor %d: %w", id, err)
	}
	a := new(domain.Advisor)
	if err := jsonUnmarshal(b, a); err != nil {
		return nil, err
	}
	return a, nil
}

// EnsureAdvisor stores an advisor unless one with that id exists; it
// reports whether it did. A new advisor is added to the advisors pending a
// digest job in the same step (pending.go).
func (s *Store) EnsureAdvisor(ctx context.Context, a *domain.Advisor) (bool, error) {
	ok, err := s.createAdvisor(ctx, a, false)
	if err != nil {
		return false, fmt.Errorf("ensure advisor %d: %w", a.ID, err)
	}
	return ok, nil
}

// PutAdvisor creates or replaces an advisor (a new one pending a digest
// job, as in EnsureAdvisor).
func (s *Store) PutAdvisor(ctx context.Context, a *domain.Advisor) error {
	if _, err := s.createAdvisor(ctx, a, true); err != nil {
		return fmt.Errorf("put advisor %d: %w", a.ID, err)
	}
	return nil
}

// AdvisorBeneficiaries returns the ids of the beneficiaries an advisor follows.
func (s *Store) AdvisorBeneficiaries(ctx context.Context, advisorID int64) ([]string, error) {
	ids, err := s.rdb.SMembers(ctx, s.k.advisorBens(advisorID)).Result()
	if err != nil {
		return nil, fmt.Errorf("advisor %d beneficiaries: %w", advisorID, err)
	}
	return ids, nil
}
