package bot

import (
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
)

// SecretHeader carries the webhook secret Telegram sends with each update.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdateBytes bounds one webhook request body.
const maxUpdateBytes = 1 << 20

// Webhook receives updates pushed by Telegram. Unlike go-telegram/bot's
// handler, which answers 200 before anything runs and only logs a wrong
// secret, it refuses a wrong secret (401) and answers 200 only once the
// update is persisted in the inbox; on any failure it answers 5xx and
// Telegram delivers the update again.
type Webhook struct {
	Inbox  *Inbox
	Secret string
	Log    *slog.Logger
}

func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get(SecretHeader)
	if w.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(w.Secret)) != 1 {
		w.Log.Warn("webhook: wrong secret token", "remote", r.RemoteAddr)
		http.Error(rw, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUpdateBytes+1))
	if err != nil {
		http.Error(rw, "read error", http.StatusBadRequest)
		return
	}
	if len(body) > maxUpdateBytes {
		http.Error(rw, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	if _, err := w.Inbox.Push(r.Context(), body); err != nil {
		if errors.Is(err, ErrPermanent) {
			w.Log.Error("webhook: malformed update", "err", err)
			http.Error(rw, "malformed update", http.StatusBadRequest)
			return
		}
		w.Log.Error("webhook: update not persisted", "err", err)
		http.Error(rw, "try again", http.StatusServiceUnavailable)
		return
	}
	rw.WriteHeader(http.StatusOK)
}
