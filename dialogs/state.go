package dialogs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"suivi/domain"
	"suivi/store"
)

// Flows a beneficiary can be in the middle of.
const (
	flowOnboarding = "onboarding"
	flowCheckin    = "checkin"
	flowAnswer     = "answer" // the next message goes to the advisor
)

// state is where a beneficiary's current conversation stands. It lives in
// Redis with a TTL, so a conversation survives restarts and replicas, and
// an abandoned one goes away by itself.
type state struct {
	Flow string `json:"flow"`
	// Nonce identifies one run of a flow; buttons carry it, so a button of
	// a finished run is recognised as stale.
	Nonce string `json:"nonce,omitempty"`
	// Stage is the question being asked (onboarding).
	Stage string `json:"stage,omitempty"`
	// Settings: true when onboarding was started by /reglages (no welcome,
	// no consent question).
	Settings bool `json:"settings,omitempty"`
	// Week of the check-in being answered.
	Week domain.Week `json:"week,omitempty"`
	// LastUpdate is the update that last moved the flow on, and After the
	// stage it answered: handled again after a failure, the update repeats
	// its replies instead of being taken for a stale one.
	LastUpdate int64  `json:"last_update,omitempty"`
	After      string `json:"after,omitempty"`
	// Then is the conversation to come back to once this one ends (a
	// check-in interrupted to answer the advisor).
	Then *state `json:"then,omitempty"`
	// Pending is an event that waits for this conversation to end (a
	// check-in due while the person writes to the advisor).
	Pending *store.Event `json:"pending,omitempty"`
	// First: the message to the advisor is written first (/ecrire), not an
	// answer. Since: when the person chose to write (/ecrire, "Répondre"):
	// a check-in waits for that message a while only (deferWhileAnswering).
	First bool      `json:"first,omitempty"`
	Since time.Time `json:"since,omitzero"`
	// Drafts are the messages written outside a flow, each waiting for its
	// own "send" or "keep" (write.go). They outlive the flow: saveState
	// keeps them whatever flow starts or ends; only saveDrafts changes them.
	Drafts []draft `json:"drafts,omitempty"`
}

// stateTTL bounds how long an unfinished conversation is remembered.
func stateTTL(flow string) time.Duration {
	switch flow {
	case flowOnboarding:
		return 30 * 24 * time.Hour
	case flowCheckin:
		return 7 * 24 * time.Hour
	}
	return 24 * time.Hour
}

func newNonce() string { return store.RandomID(6) }

// loadState returns the conversation the beneficiary is in, or nil when
// none (messages waiting for their offer's tap are no conversation).
func (r *Router) loadState(ctx context.Context, benID string) (*state, error) {
	s, err := r.loadRaw(ctx, benID)
	if err != nil || s == nil || s.Flow == "" || s.Flow == flowWrite {
		// flowWrite: an older version's draft, kept in the flow itself.
		return nil, err
	}
	return s, nil
}

// loadRaw returns the stored state as is, its expired drafts left out.
func (r *Router) loadRaw(ctx context.Context, benID string) (*state, error) {
	b, err := r.Store.DialogState(ctx, benID)
	if err != nil || b == nil {
		return nil, err
	}
	s := new(state)
	if err := json.Unmarshal(b, s); err != nil {
		// A state from an older version we can't read: start afresh.
		return nil, nil
	}
	now := r.Now()
	s.Drafts = slices.DeleteFunc(s.Drafts, func(d draft) bool { return !now.Before(d.At.Add(draftTTL)) })
	return s, nil
}

// saveState saves the conversation (nil: none), keeping the drafts that
// wait for their offer's tap.
func (r *Router) saveState(ctx context.Context, benID string, s *state) error {
	cur, err := r.loadRaw(ctx, benID)
	if err != nil {
		return err
	}
	var next state
	if s != nil {
		next = *s
	}
	next.Drafts = nil
	if cur != nil {
		next.Drafts = cur.Drafts
	}
	return r.putState(ctx, benID, &next)
}

// saveDrafts replaces the drafts waiting for a tap, the conversation kept.
func (r *Router) saveDrafts(ctx context.Context, benID string, drafts []draft) error {
	cur, err := r.loadRaw(ctx, benID)
	if err != nil {
		return err
	}
	if cur == nil {
		cur = new(state)
	}
	cur.Drafts = drafts
	return r.putState(ctx, benID, cur)
}

// putState writes a state with its drafts; nothing left: it is cleared.
func (r *Router) putState(ctx context.Context, benID string, s *state) error {
	if s.Flow == "" && len(s.Drafts) == 0 {
		return r.Store.SetDialogState(ctx, benID, nil, 0)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode dialog state: %w", err)
	}
	var ttl time.Duration
	if s.Flow != "" {
		ttl = stateTTL(s.Flow)
	}
	if s.Then != nil {
		ttl = max(ttl, stateTTL(s.Then.Flow))
	}
	if s.Pending != nil {
		ttl = max(ttl, stateTTL(flowCheckin))
	}
	now := r.Now()
	for _, d := range s.Drafts {
		ttl = max(ttl, d.At.Add(draftTTL).Sub(now))
	}
	return r.Store.SetDialogState(ctx, benID, b, max(ttl, time.Minute))
}

// callback data: short fields separated by ':', at most 64 bytes. Nothing
// in it names a beneficiary: every press is resolved against the presser's
// own records, so edited data can only reach the presser's own data.
func data(parts ...any) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ":")
}

// maxCallbackData is Telegram's limit on callback data, in bytes.
const maxCallbackData = 64

// callbackParts splits a pressed button's callback data into the parts
// data joined. Data no button of ours carries (empty, longer than Telegram
// allows, not UTF-8) is forged: it yields one empty part, which routes
// nowhere.
func callbackParts(s string) []string {
	if s == "" || len(s) > maxCallbackData || !utf8.ValidString(s) {
		return []string{""}
	}
	return strings.Split(s, ":")
}
