package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"suivi/store"
)

// AllowedUpdates are the update types Suivi asks Telegram for.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// Poller is our own getUpdates loop. go-telegram/bot's polling confirms an
// update to Telegram as soon as it is in memory; ours advances the offset
// only after the update is persisted in the inbox, so a crash loses nothing.
// Only one replica polls at a time (Telegram answers 409 otherwise): the
// others wait on a Redis lock and keep handling updates.
//
// Each update of a batch is decoded on its own: one that cannot be decoded,
// or whose update_id is not a plausible id, is parked (see Inbox.Park) and
// the offset still moves past it, so it cannot stop polling.
type Poller struct {
	APIURL  string // e.g. https://api.telegram.org
	Token   string
	Client  *http.Client
	Inbox   *Inbox
	Store   *store.Store
	Log     *slog.Logger
	Timeout time.Duration // long-poll timeout (default 25s)
	// Now is the clock of Health (default time.Now).
	Now func() time.Time
	// Stale is how long polling may go without a successful round (fetch,
	// persist, offset stored) before Health reports it (default 2 min).
	Stale time.Duration

	mu      sync.Mutex
	polling time.Time // when this replica began to hold the polling right; zero when it does not
	lastOK  time.Time // end of the last successful round
}

// ErrUnauthorized means the bot token was refused: running on is pointless.
var ErrUnauthorized = errors.New("telegram refused the bot token (401)")

type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func (e *apiError) Error() string { return fmt.Sprintf("telegram %d: %s", e.Code, e.Description) }

// Run polls until ctx ends. It returns ErrUnauthorized if the token is bad.
func (p *Poller) Run(ctx context.Context) error {
	if p.Timeout <= 0 {
		p.Timeout = 25 * time.Second
	}
	token := newToken()
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = p.Store.ReleasePollLock(rctx, token)
	}()
	defer p.setPolling(false)
	fails := 0
	for ctx.Err() == nil {
		held, err := p.Store.AcquirePollLock(ctx, token, pollLockTTL)
		if err != nil || !held {
			if err != nil {
				p.Log.Warn("poll lock", "err", err)
			}
			p.setPolling(false)
			sleep(ctx, pollLockTTL/3)
			continue
		}
		p.setPolling(true)
		err = p.pollHoldingLock(ctx, token)
		switch {
		case err == nil:
			fails = 0
			p.succeeded()
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrUnauthorized):
			return err
		default:
			fails++
			wait := min(time.Duration(fails)*time.Second, 30*time.Second)
			var ae *apiError
			if errors.As(err, &ae) && ae.RetryAfter > 0 {
				wait = time.Duration(ae.RetryAfter) * time.Second
			}
			p.Log.Warn("getUpdates", "err", err, "retry_in_ms", wait.Milliseconds())
			sleep(ctx, wait)
		}
	}
	return nil
}

func (p *Poller) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// setPolling records whether this replica holds the polling right.
func (p *Poller) setPolling(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !on:
		p.polling = time.Time{}
	case p.polling.IsZero():
		p.polling = p.now()
	}
}

func (p *Poller) succeeded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastOK = p.now()
}

// Health reports a replica that holds the polling right but has not
// completed a round (getUpdates answered, updates persisted, offset stored)
// for longer than Stale: updates are not coming in. A replica that does not
// poll (another one does, or a webhook is used) is healthy.
func (p *Poller) Health() error {
	stale := p.Stale
	if stale <= 0 {
		stale = 2 * time.Minute
	}
	p.mu.Lock()
	since, last := p.polling, p.lastOK
	p.mu.Unlock()
	if since.IsZero() {
		return nil
	}
	if last.Before(since) {
		last = since
	}
	if d := p.now().Sub(last); d > stale {
		return fmt.Errorf("polling: no successful getUpdates for %s", d.Round(time.Second))
	}
	return nil
}

// pollLockTTL is how long the polling right outlives a replica that died
// holding it; the holder renews it every third of that.
const pollLockTTL = 15 * time.Second

// pollHoldingLock runs one PollOnce while renewing the polling right; if
// the right is lost (another replica took it), the call is abandoned.
func (p *Poller) pollHoldingLock(ctx context.Context, token string) error {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(pollLockTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-pctx.Done():
				return
			case <-t.C:
				if held, err := p.Store.AcquirePollLock(pctx, token, pollLockTTL); err == nil && !held {
					p.Log.Warn("poll lock lost")
					cancel()
					return
				}
			}
		}
	}()
	return p.PollOnce(pctx)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// PollOnce makes one getUpdates call from the stored offset, persists every
// update it returns, and only then stores the next offset (which the next
// call confirms to Telegram). An update that cannot be decoded is parked,
// not persisted in the inbox; the offset moves past it all the same.
func (p *Poller) PollOnce(ctx context.Context) error {
	offset, err := p.Store.PollOffset(ctx)
	if err != nil {
		return err
	}
	raws, err := p.getUpdates(ctx, offset)
	if err != nil {
		return err
	}
	next := offset
	for i, raw := range raws {
		// Telegram's update ids are positive and grow by one with each
		// update, and a batch starts at the offset: the i-th update's id is
		// at least floor. Moving the offset to floor+1 past an update whose
		// id we cannot read confirms nothing that was not persisted.
		floor := max(next, max(offset, 1)+int64(i))
		id, ok := updateID(raw)
		if !ok || id < floor {
			reason := "undecodable"
			if ok {
				reason = "bad update_id"
			}
			pid, err := p.Inbox.Park(ctx, raw, reason)
			if err != nil {
				return fmt.Errorf("park update at position %d: %w", i, err)
			}
			p.Log.Error("update parked", "id", pid, "update_id", id, "position", i, "offset", offset, "reason", reason)
			next = max(next, floor+1)
			continue
		}
		if _, err := p.Inbox.Push(ctx, raw); err != nil {
			if !errors.Is(err, ErrPermanent) {
				// Not persisted: don't move the offset, Telegram will send it again.
				return fmt.Errorf("persist update %d: %w", id, err)
			}
			p.Log.Error("update dropped", "update_id", id, "err", err)
		}
		next = max(next, id+1)
	}
	if next != offset {
		if err := p.Store.SetPollOffset(ctx, next); err != nil {
			return err
		}
	}
	return nil
}

// updateID reads an update's update_id; ok is false when the update is not
// a JSON object with a numeric update_id. A non-positive id is returned
// with ok true: the caller tells it is not usable.
func updateID(raw []byte) (id int64, ok bool) {
	var env struct {
		ID *int64 `json:"update_id"`
	}
	if json.Unmarshal(raw, &env) != nil || env.ID == nil {
		return 0, false
	}
	return *env.ID, true
}

func (p *Poller) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{
		"offset":          offset,
		"timeout":         int(p.Timeout.Seconds()),
		"allowed_updates": allowedUpdates,
	})
	url := strings.TrimRight(p.APIURL, "/") + "/bot" + p.Token + "/getUpdates"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		// The URL holds the token: never let it reach a log.
		return nil, fmt.Errorf("getUpdates: %s", strings.ReplaceAll(err.Error(), p.Token, "***"))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates read: %w", err)
	}
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d, undecodable answer", resp.StatusCode)
	}
	if !r.OK {
		if r.ErrorCode == http.StatusUnauthorized || resp.StatusCode == http.StatusUnauthorized {
			return nil, ErrUnauthorized
		}
		return nil, &apiError{Code: r.ErrorCode, Description: r.Description, RetryAfter: r.Parameters.RetryAfter}
	}
	return r.Result, nil
}
