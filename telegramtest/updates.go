package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type pendingUpdate struct {
	id   int64
	kind string // "message", "callback_query"
	raw  json.RawMessage
}

// wireUpdate is the JSON form of an update.
type wireUpdate struct {
	UpdateID      int64         `json:"update_id"`
	Message       *wireMessage  `json:"message,omitempty"`
	CallbackQuery *wireCallback `json:"callback_query,omitempty"`
}

type wireCallback struct {
	ID           string       `json:"id"`
	From         any          `json:"from"`
	Message      *wireMessage `json:"message,omitempty"`
	ChatInstance string       `json:"chat_instance"`
	Data         string       `json:"data,omitempty"`
}

// defaultAllowed reports whether an update kind is delivered when
// allowed_updates was never specified (or specified empty).
func defaultAllowed(kind string) bool {
	switch kind {
	case "chat_member", "message_reaction", "message_reaction_count":
		return false
	}
	return true
}

// enqueueLocked assigns the next update_id to u and queues it, unless the
// bot's allowed_updates exclude its kind.
func (s *Server) enqueueLocked(kind string, u *wireUpdate) int64 {
	s.lastUpdateID++
	u.UpdateID = s.lastUpdateID
	raw, err := json.Marshal(u)
	if err != nil {
		panic("telegramtest: marshal update: " + err.Error())
	}
	ok := defaultAllowed(kind)
	if s.allowed != nil {
		ok = s.allowed[kind]
	}
	if ok {
		s.updates = append(s.updates, pendingUpdate{id: u.UpdateID, kind: kind, raw: raw})
	}
	s.notifyLocked()
	return u.UpdateID
}

// confirmLocked forgets updates with update_id <= upTo.
func (s *Server) confirmLocked(upTo int64) {
	upTo = min(upTo, s.lastUpdateID)
	k := 0
	for k < len(s.updates) && s.updates[k].id <= upTo {
		k++
	}
	s.updates = append(s.updates[:0:0], s.updates[k:]...)
	if upTo > s.confirmed {
		s.confirmed = upTo
	}
	s.notifyLocked()
}

// Confirmed returns the highest update_id Telegram considers delivered:
// confirmed by a getUpdates offset (offset-1, or the updates a negative
// offset forgot) or acknowledged by the webhook; 0 before any confirmation.
func (s *Server) Confirmed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.confirmed
}

// Pending returns how many updates are not yet confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// LastUpdateID returns the last update_id assigned.
func (s *Server) LastUpdateID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastUpdateID
}

func (s *Server) setAllowedLocked(raw string) *apiError {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	var list []string
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return badRequest("can't parse allowed updates JSON array")
	}
	if len(list) == 0 {
		s.allowed = nil
		return nil
	}
	s.allowed = make(map[string]bool, len(list))
	for _, k := range list {
		s.allowed[k] = true
	}
	return nil
}

func errWebhookActive() *apiError {
	return &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
}

func (s *Server) hGetUpdates(q *request) (any, *apiError) {
	offset, _ := q.int64("offset")
	limit := q.int("limit")
	if limit < 1 || limit > 100 {
		limit = 100
	}
	timeout := max(q.int("timeout"), 0)

	s.mu.Lock()
	if s.webhook != nil {
		s.mu.Unlock()
		return nil, errWebhookActive()
	}
	if e := s.setAllowedLocked(q.str("allowed_updates")); e != nil {
		s.mu.Unlock()
		return nil, e
	}
	s.pollSeq++
	me := s.pollSeq
	switch {
	case offset > 0:
		s.confirmLocked(offset - 1)
	case offset < 0:
		if keep := int(-offset); len(s.updates) > keep {
			s.confirmLocked(s.updates[len(s.updates)-keep-1].id)
		}
	}
	s.notifyLocked() // wake an earlier long poll: it is now terminated

	var timer *time.Timer
	var expired <-chan time.Time
	if timeout > 0 {
		timer = time.NewTimer(time.Duration(timeout) * time.Second)
		defer timer.Stop()
		expired = timer.C
	}
	timedOut := timeout == 0
	defer func() {
		s.mu.Lock()
		if q.call.Polling {
			q.call.Polling = false
			s.notifyLocked()
		}
		s.mu.Unlock()
	}()
	for {
		if s.pollSeq != me {
			s.mu.Unlock()
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		batch := make([]json.RawMessage, 0, limit)
		for _, u := range s.updates {
			if len(batch) == limit {
				break
			}
			if offset <= 0 || u.id >= offset {
				batch = append(batch, u.raw)
			}
		}
		if len(batch) > 0 || timedOut || s.closed || s.webhook != nil {
			s.mu.Unlock()
			return batch, nil
		}
		if !q.call.Polling {
			q.call.Polling = true
			s.notifyLocked()
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-expired:
			timedOut = true
		case <-q.ctx.Done():
			return nil, errAborted()
		case <-s.closing:
		}
		s.mu.Lock()
	}
}

// ---------------------------------------------------------------------------
// Webhook

// WebhookAttempt records one webhook delivery attempt.
type WebhookAttempt struct {
	UpdateID int64
	Status   int    // HTTP status answered by the webhook, 0 on transport error
	Err      string // transport error or non-2xx description
	At       time.Time
}

type webhookState struct {
	url        string
	secret     string
	maxConn    int
	allowed    []string
	cancel     context.CancelFunc
	lastErr    string
	lastErrAt  int64
	gen        int64
	registered time.Time
}

// WebhookAttempts returns every webhook delivery attempt so far.
func (s *Server) WebhookAttempts() []WebhookAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WebhookAttempt(nil), s.attempts...)
}

// WebhookURL returns the webhook URL currently set, "" if none.
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook == nil {
		return ""
	}
	return s.webhook.url
}

func (s *Server) stopWebhookLocked() {
	if s.webhook != nil {
		s.webhook.cancel()
		s.webhook = nil
		s.notifyLocked()
	}
}

func validSecret(secret string) bool {
	if len(secret) < 1 || len(secret) > 256 {
		return false
	}
	for i := 0; i < len(secret); i++ {
		c := secret[i]
		if !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func (s *Server) hSetWebhook(q *request) (any, *apiError) {
	raw := strings.TrimSpace(q.str("url"))
	if raw == "" {
		return s.hDeleteWebhook(q)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		// Telegram requires https; the fake also accepts http for local tests.
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := q.str("secret_token")
	if q.has("secret_token") && secret != "" && !validSecret(secret) {
		if len(secret) > 256 {
			return nil, badRequest("secret token is too long")
		}
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn := q.int("max_connections")
	if maxConn == 0 {
		maxConn = 40
	}
	if maxConn < 1 || maxConn > 100 {
		return nil, badRequest("bad webhook: max_connections must be between 1 and 100")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error: server closed"}
	}
	if e := s.setAllowedLocked(q.str("allowed_updates")); e != nil {
		return nil, e
	}
	if q.bool("drop_pending_updates") {
		s.confirmLocked(s.lastUpdateID)
	}
	s.stopWebhookLocked()
	ctx, cancel := context.WithCancel(context.Background())
	s.webhookGen++
	w := &webhookState{url: raw, secret: secret, maxConn: maxConn, cancel: cancel, gen: s.webhookGen, registered: s.opts.Now()}
	if a := q.str("allowed_updates"); a != "" {
		_ = json.Unmarshal([]byte(a), &w.allowed)
	}
	s.webhook = w
	s.wg.Add(1)
	go s.deliver(ctx, w.gen, raw, secret)
	s.notifyLocked()
	return true, nil
}

func (s *Server) hDeleteWebhook(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopWebhookLocked()
	if q.bool("drop_pending_updates") {
		s.confirmLocked(s.lastUpdateID)
	}
	return true, nil
}

func (s *Server) hGetWebhookInfo(*request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := struct {
		URL                  string   `json:"url"`
		HasCustomCertificate bool     `json:"has_custom_certificate"`
		PendingUpdateCount   int      `json:"pending_update_count"`
		LastErrorDate        int64    `json:"last_error_date,omitempty"`
		LastErrorMessage     string   `json:"last_error_message,omitempty"`
		MaxConnections       int      `json:"max_connections,omitempty"`
		AllowedUpdates       []string `json:"allowed_updates,omitempty"`
	}{PendingUpdateCount: len(s.updates)}
	if w := s.webhook; w != nil {
		info.URL = w.url
		info.LastErrorDate = w.lastErrAt
		info.LastErrorMessage = w.lastErr
		info.MaxConnections = w.maxConn
		info.AllowedUpdates = w.allowed
	}
	return info, nil
}

// deliver posts pending updates to the webhook one at a time, in order,
// until ctx is cancelled (deleteWebhook, setWebhook, Close).
func (s *Server) deliver(ctx context.Context, gen int64, target, secret string) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		for len(s.updates) == 0 {
			ch := s.changed
			s.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return
			}
			s.mu.Lock()
		}
		if ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
		u := s.updates[0]
		s.mu.Unlock()

		status, err := s.post(ctx, target, secret, u.raw)
		if ctx.Err() != nil {
			return
		}
		ok := err == nil && status >= 200 && status < 300
		a := WebhookAttempt{UpdateID: u.id, Status: status, At: s.opts.Now()}
		switch {
		case err != nil:
			a.Err = err.Error()
		case !ok:
			a.Err = fmt.Sprintf("Wrong response from the webhook: %d %s", status, http.StatusText(status))
		}
		s.mu.Lock()
		s.attempts = append(s.attempts, a)
		if w := s.webhook; w != nil && w.gen == gen {
			if ok {
				s.confirmLocked(u.id)
			} else {
				w.lastErr, w.lastErrAt = a.Err, a.At.Unix()
			}
		}
		s.notifyLocked()
		s.mu.Unlock()
		if !ok {
			t := time.NewTimer(s.opts.WebhookRetry)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
	}
}

func (s *Server) post(ctx context.Context, target, secret string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.opts.WebhookClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
