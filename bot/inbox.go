package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/store"
)

// Handler handles one update. An error (or a panic) means "try again
// later"; after Inbox.MaxTries attempts the update is parked.
type Handler interface {
	HandleUpdate(ctx context.Context, upd *models.Update) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, upd *models.Update) error

// HandleUpdate calls f.
func (f HandlerFunc) HandleUpdate(ctx context.Context, upd *models.Update) error { return f(ctx, upd) }

// ErrPermanent marks a handler error that retrying cannot fix: the update is
// parked at once.
var ErrPermanent = errors.New("permanent failure")

// Inbox is the durable queue in front of the handlers. Push persists an
// update (deduplicated by update_id) before Telegram is told we have it;
// Run hands updates to the handler one chat at a time, in order, with
// several chats in parallel, across replicas.
type Inbox struct {
	store   *store.Store
	handler Handler
	now     func() time.Time
	log     *slog.Logger
	cfg     InboxConfig
	wake    chan struct{}
}

// InboxConfig tunes the inbox; zero values take the defaults.
type InboxConfig struct {
	// Workers is how many chats are handled at once (default 8).
	Workers int
	// Lease is how long a worker holds a chat without renewing it; after a
	// crash, the chat's updates wait this long before another worker takes
	// them (default 30s).
	Lease time.Duration
	// MaxTries is how many failed attempts park an update (default 5).
	MaxTries int
	// HandleTimeout bounds one update's handling (default 30s).
	HandleTimeout time.Duration
	// Idle is how often an idle worker looks for work pushed by other
	// replicas (default 500ms); work pushed in this process wakes it at once.
	Idle time.Duration
}

// NewInbox returns an inbox feeding h. now is the clock used for leases and
// retry times.
func NewInbox(st *store.Store, h Handler, now func() time.Time, log *slog.Logger, cfg InboxConfig) *Inbox {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = 5
	}
	if cfg.HandleTimeout <= 0 {
		cfg.HandleTimeout = 30 * time.Second
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 500 * time.Millisecond
	}
	return &Inbox{store: st, handler: h, now: now, log: log, cfg: cfg, wake: make(chan struct{}, 1)}
}

// envelope reads what the inbox needs from a raw update.
type envelope struct {
	ID int64 `json:"update_id"`
}

// Push persists one raw update as Telegram sent it. It reports whether the
// update was new (false: a redelivery, already persisted).
func (in *Inbox) Push(ctx context.Context, raw []byte) (bool, error) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil || env.ID <= 0 {
		return false, fmt.Errorf("%w: update without update_id", ErrPermanent)
	}
	var upd models.Update
	chat := int64(0)
	if err := json.Unmarshal(raw, &upd); err == nil {
		chat = ChatOf(&upd)
	}
	isNew, err := in.store.InboxPush(ctx, env.ID, chat, raw, in.now())
	if err != nil {
		return false, err
	}
	if isNew {
		in.Wake()
	}
	return isNew, nil
}

// Wake tells idle workers that there is work.
func (in *Inbox) Wake() {
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// ChatOf returns the chat an update belongs to (0 when it has none): the
// key of per-chat ordering.
func ChatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// Kind names an update for logs without saying anything of its content.
func Kind(u *models.Update) string {
	switch {
	case u.Message != nil:
		return MessageKind(u.Message)
	case u.EditedMessage != nil:
		return "edited"
	case u.CallbackQuery != nil:
		return "callback"
	case u.MyChatMember != nil:
		return "member"
	}
	return "other"
}

// MessageKind names a message's content type.
func MessageKind(m *models.Message) string {
	switch {
	case m.Text != "":
		if len(m.Text) > 0 && m.Text[0] == '/' {
			return "command"
		}
		return "text"
	case m.Voice != nil:
		return "voice"
	case m.Audio != nil:
		return "audio"
	case m.Sticker != nil:
		return "sticker"
	case len(m.Photo) > 0:
		return "photo"
	case m.Document != nil:
		return "document"
	case m.VideoNote != nil:
		return "video_note"
	case m.Video != nil:
		return "video"
	}
	return "other"
}

// Run handles updates until ctx ends. It returns when every worker has
// finished its current update.
func (in *Inbox) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range in.cfg.Workers {
		wg.Go(func() { in.worker(ctx, i) })
	}
	wg.Wait()
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (in *Inbox) worker(ctx context.Context, n int) {
	idle := time.NewTicker(in.cfg.Idle)
	defer idle.Stop()
	for ctx.Err() == nil {
		worked, err := in.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			in.log.Error("inbox", "worker", n, "err", err)
		}
		if worked {
			continue
		}
		select {
		case <-ctx.Done():
		case <-in.wake:
		case <-idle.C:
		}
	}
}

// RunOnce claims one ready chat and handles its waiting updates in order.
// It reports whether there was a chat to work on.
func (in *Inbox) RunOnce(ctx context.Context) (bool, error) {
	token := newToken()
	now := in.now()
	chat, ok, err := in.store.InboxClaim(ctx, now, now.Add(in.cfg.Lease), token)
	if err != nil || !ok {
		return false, err
	}
	// Keep the lease alive while we work; a crash lets it lapse.
	hbCtx, stopHB := context.WithCancel(context.WithoutCancel(ctx))
	var hb sync.WaitGroup
	hb.Go(func() { in.heartbeat(hbCtx, chat, token) })
	readyAt, err := in.drain(ctx, chat, token)
	stopHB()
	hb.Wait()
	// Release even when ctx is done (shutdown), so another replica can go on.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if rerr := in.store.InboxRelease(rctx, chat, token, readyAt); rerr != nil && !errors.Is(rerr, store.ErrLeaseLost) {
		err = errors.Join(err, rerr)
	}
	return true, err
}

func (in *Inbox) heartbeat(ctx context.Context, chat int64, token string) {
	t := time.NewTicker(in.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := in.store.InboxExtend(ctx, chat, token, in.now().Add(in.cfg.Lease)); err != nil && ctx.Err() == nil {
				in.log.Warn("inbox lease", "chat", chat, "err", err)
			}
		}
	}
}

// maxBatch bounds how many updates of one chat a worker handles before
// giving others a turn.
const maxBatch = 32

// drain handles the chat's updates in order. It returns when the chat is
// empty, after a failure (returning when to try again), or after maxBatch.
func (in *Inbox) drain(ctx context.Context, chat int64, token string) (readyAt time.Time, err error) {
	for range maxBatch {
		if ctx.Err() != nil {
			return in.now(), nil
		}
		it, ok, err := in.store.InboxHead(ctx, chat)
		if err != nil || !ok {
			return in.now(), err
		}
		herr := in.handle(ctx, chat, it)
		if herr == nil {
			if err := in.store.InboxAck(ctx, chat, token, it.UpdateID); err != nil {
				return in.now(), err
			}
			continue
		}
		if ctx.Err() != nil {
			// Shutting down: not the update's fault, don't count it.
			return in.now(), nil
		}
		var ra *RetryAfterError
		if errors.As(herr, &ra) {
			// Flood control is not the update's fault: wait, don't count.
			return in.now().Add(ra.After), nil
		}
		maxTries := in.cfg.MaxTries
		if errors.Is(herr, ErrPermanent) {
			maxTries = it.Tries + 1
		}
		parked, err := in.store.InboxFail(ctx, chat, token, it.UpdateID, maxTries, failReason(herr), in.now())
		if err != nil {
			return in.now(), err
		}
		if parked {
			in.log.Error("update parked", "update_id", it.UpdateID, "chat", chat, "tries", it.Tries+1, "reason", failReason(herr))
			continue
		}
		return in.now().Add(backoff(it.Tries + 1)), nil
	}
	return in.now(), nil
}

// backoff is the wait before the n-th retry: 2s, 8s, 32s, ... at most 5 min.
func backoff(n int) time.Duration {
	d := 2 * time.Second
	for i := 1; i < n && d < 5*time.Minute; i++ {
		d *= 4
	}
	return min(d, 5*time.Minute)
}

func failReason(err error) string {
	var p *panicError
	switch {
	case errors.As(err, &p):
		return "panic"
	case errors.Is(err, ErrPermanent):
		return "permanent"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}

type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// handle runs the handler on one update with a timeout, recovering panics,
// and logs the outcome with ids and kinds only.
func (in *Inbox) handle(ctx context.Context, chat int64, it store.InboxItem) (err error) {
	start := time.Now()
	var upd models.Update
	if jerr := json.Unmarshal(it.Payload, &upd); jerr != nil || upd.ID == 0 {
		in.log.Error("undecodable update", "update_id", it.UpdateID, "chat", chat)
		return fmt.Errorf("%w: undecodable update", ErrPermanent)
	}
	// An update being handled is finished even when shutdown begins.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.cfg.HandleTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, stack: debug.Stack()}
			// The panic value and stack name code, not user content.
			in.log.Error("handler panic", "update_id", upd.ID, "chat", chat, "kind", Kind(&upd), "panic", fmt.Sprint(r), "stack", string(err.(*panicError).stack))
		}
	}()
	err = in.handler.HandleUpdate(hctx, &upd)
	lvl := slog.LevelInfo
	if err != nil {
		lvl = slog.LevelWarn
	}
	in.log.Log(ctx, lvl, "update", "update_id", upd.ID, "chat", chat, "kind", Kind(&upd),
		"try", it.Tries+1, "ms", time.Since(start).Milliseconds(), "err", errString(err))
	return err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
