package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/store"
)

// Handler handles one item of a lane: a Telegram update, or an event
// pushed into the lane (store.Event). An error (or a panic) means "try
// again later"; after LaneConfig.MaxTries attempts the item is parked.
// Errors of the Sender that are not the item's fault don't count as
// attempts: a *RetryAfterError waits its time, ErrTransient (Telegram
// unavailable) backs off for up to LaneConfig.MaxWaits attempts, hours.
type Handler interface {
	HandleUpdate(ctx context.Context, upd *models.Update) error
	HandleEvent(ctx context.Context, ev *store.Event) error
}

// HandlerFunc adapts a function to a Handler of updates only: it parks
// events.
type HandlerFunc func(ctx context.Context, upd *models.Update) error

// HandleUpdate calls f.
func (f HandlerFunc) HandleUpdate(ctx context.Context, upd *models.Update) error { return f(ctx, upd) }

// HandleEvent refuses the event for good.
func (f HandlerFunc) HandleEvent(context.Context, *store.Event) error {
	return fmt.Errorf("%w: no handler for events", ErrPermanent)
}

// ErrPermanent marks a handler error that retrying cannot fix: the update is
// parked at once.
var ErrPermanent = errors.New("permanent failure")

// Inbox is the durable queue in front of the handlers. Push persists an
// update (deduplicated by update_id) before Telegram is told we have it;
// Run hands updates to the handler one chat at a time, in order, with
// several chats in parallel, across replicas. A handler error or panic is
// retried with backoff, then the update is parked; a Telegram outage is
// waited out.
type Inbox struct {
	pool    *lanePool
	handler Handler
	timeout time.Duration
}

// NewInbox returns an inbox feeding h, woken by events pushed with ev. now
// is the clock used for leases and retry times; handleTimeout bounds one
// update's handling (default 30s).
func NewInbox(st *store.Store, h Handler, ev *Events, now func() time.Time, log *slog.Logger, cfg LaneConfig, handleTimeout time.Duration) *Inbox {
	if handleTimeout <= 0 {
		handleTimeout = 30 * time.Second
	}
	in := &Inbox{pool: newLanePool("inbox", st.Inbox(), now, log, cfg), handler: h, timeout: handleTimeout}
	in.pool.wake = ev.wake
	in.pool.process = in.process
	return in
}

// envelope reads what the inbox needs from a raw update, in one decode of
// only these fields (issue 9: an update was decoded whole twice here):
// its id and its chat, as ChatOf finds it.
type envelope struct {
	ID      int64     `json:"update_id"`
	Message *chatOnly `json:"message"`
	Edited  *chatOnly `json:"edited_message"`
	Query   *struct {
		From    struct{ ID int64 } `json:"from"`
		Message *struct {
			Date int64 `json:"date"` // 0: inaccessible, as go-telegram/bot reads it
			chatOnly
		} `json:"message"`
	} `json:"callback_query"`
	Member *chatOnly `json:"my_chat_member"`
}

type chatOnly struct {
	Chat struct {
		ID int64 `json:"id"`
	} `json:"chat"`
}

// chat is ChatOf for the envelope.
func (e *envelope) chat() int64 {
	switch {
	case e.Message != nil:
		return e.Message.Chat.ID
	case e.Edited != nil:
		return e.Edited.Chat.ID
	case e.Query != nil:
		if m := e.Query.Message; m != nil && m.Date != 0 {
			return m.Chat.ID
		}
		return e.Query.From.ID
	case e.Member != nil:
		return e.Member.Chat.ID
	}
	return 0
}

// MaxPending is how many updates one chat may have waiting in the inbox.
// Beyond, an update is parked (kept for an operator, not handled) and the
// chat is told once (an EventBacklog): a flood gets answers to its first
// messages at the chat's rate, not a thousand answers at one a second.
const MaxPending = 50

// backlogNoticeEvery is how often, at most, a flooding chat is told.
const backlogNoticeEvery = time.Hour

// EventBacklog is the kind of the event that tells a chat it sent more
// than the inbox keeps (MaxPending updates waiting). Its Data is the first
// update parked for that reason (the handler keys its replies on it); it
// comes right after the update being handled, before the rest of the
// backlog.
const EventBacklog = "backlog"

// Push persists one raw update as Telegram sent it. It reports whether the
// update was new (false: a redelivery, already persisted). An update of a
// chat that already has MaxPending waiting is parked instead, and counts as
// new.
func (in *Inbox) Push(ctx context.Context, raw []byte) (bool, error) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil || env.ID <= 0 {
		return false, fmt.Errorf("%w: update without update_id", ErrPermanent)
	}
	chat := env.chat()
	id := strconv.FormatInt(env.ID, 10)
	ev := store.Event{ID: EventBacklog + ":" + id, Lane: chat, Kind: EventBacklog, Data: raw}
	notice, err := json.Marshal(ev)
	if err != nil {
		return false, fmt.Errorf("backlog notice: %w", err)
	}
	res, err := in.pool.lanes.PushCapped(ctx, id, chat, raw, in.pool.now(), store.Capped{
		Max: MaxPending, NoticeID: store.EventItemID(ev.ID), Notice: notice, NoticeEvery: backlogNoticeEvery,
	})
	if err != nil {
		return false, err
	}
	switch res {
	case store.PushSeen:
		return false, nil
	case store.PushParked, store.PushParkedNotice:
		in.pool.log.Warn("update parked: backlog full", "update_id", env.ID, "chat", chat, "max", MaxPending, "told", res == store.PushParkedNotice)
		in.pool.cfg.Metrics.ParkedOnArrival("backlog")
	}
	in.Wake()
	return true, nil
}

// Park keeps aside an update that cannot be queued (undecodable, or without
// a usable update_id), with the parked updates: bounded, expiring, for an
// operator. The same bytes are parked once. It reports the id it was parked
// under ("bad:" and a digest of the bytes), for logs.
func (in *Inbox) Park(ctx context.Context, raw []byte, reason string) (string, error) {
	sum := sha256.Sum256(raw)
	id := "bad:" + hex.EncodeToString(sum[:8])
	parked, err := in.pool.lanes.Park(ctx, id, 0, reason, raw, in.pool.now())
	if err != nil {
		return id, err
	}
	if parked {
		in.pool.cfg.Metrics.ParkedOnArrival("undecodable")
	}
	return id, nil
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

// Run handles updates until ctx ends, then returns once the updates in hand
// are finished.
func (in *Inbox) Run(ctx context.Context) { in.pool.Run(ctx) }

// RunOnce claims one ready chat and handles its waiting updates in order. It
// reports whether there was a chat to work on.
func (in *Inbox) RunOnce(ctx context.Context) (bool, error) { return in.pool.RunOnce(ctx) }

// Wake tells idle workers that there is work.
func (in *Inbox) Wake() { in.pool.Wake() }

func (in *Inbox) process(ctx context.Context, chat int64, it store.Item) result {
	kind, err := in.handle(ctx, chat, it)
	var ra *RetryAfterError
	res := result{outcome: retry, reason: failReason(err), kind: kind}
	switch {
	case err == nil:
		res = result{outcome: done, kind: kind}
	case errors.As(err, &ra):
		// Flood control is not the update's fault: wait, don't count.
		res = result{outcome: wait, at: in.pool.now().Add(ra.After), kind: kind}
	case errors.Is(err, ErrTransient):
		// Neither is a Telegram outage: wait it out, as the outbox does.
		res = result{outcome: unavailable, reason: "telegram unavailable", kind: kind}
	case errors.Is(err, ErrPermanent):
		res.outcome = park
	}
	return res
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
// and logs the outcome with ids and kinds only. It returns the item's kind
// (Kind, "event:" and the event's kind, or "undecodable").
func (in *Inbox) handle(ctx context.Context, chat int64, it store.Item) (kind string, err error) {
	start := time.Now()
	log := in.pool.log
	if store.IsEventItem(it.ID) {
		return in.handleEvent(ctx, chat, it)
	}
	var upd models.Update
	if jerr := json.Unmarshal(it.Payload, &upd); jerr != nil || upd.ID == 0 {
		log.Error("undecodable update", "id", it.ID, "chat", chat)
		return "undecodable", fmt.Errorf("%w: undecodable update", ErrPermanent)
	}
	kind = Kind(&upd)
	// ctx lets an update being handled finish (within the pool's Grace) when
	// shutdown begins or the lease is lost.
	hctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, stack: debug.Stack()}
			// The panic value and stack name code, not user content.
			log.Error("handler panic", "update_id", upd.ID, "chat", chat, "kind", kind, "panic", fmt.Sprint(r), "stack", string(err.(*panicError).stack))
		}
	}()
	err = in.handler.HandleUpdate(hctx, &upd)
	lvl := slog.LevelInfo
	if err != nil {
		lvl = slog.LevelWarn
	}
	log.Log(ctx, lvl, "update", "update_id", upd.ID, "chat", chat, "kind", kind,
		"try", it.Tries+1, "ms", time.Since(start).Milliseconds(), "err", errString(err))
	return kind, err
}

// handleEvent runs the handler on one lane event, like handle an update.
func (in *Inbox) handleEvent(ctx context.Context, chat int64, it store.Item) (kind string, err error) {
	start := time.Now()
	log := in.pool.log
	ev, derr := store.DecodeEvent(it.Payload)
	if derr != nil {
		log.Error("undecodable event", "id", it.ID, "chat", chat)
		return "undecodable", fmt.Errorf("%w: %w", ErrPermanent, derr)
	}
	kind = "event:" + ev.Kind
	// As for an update: ctx lets it finish within the pool's Grace.
	hctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, stack: debug.Stack()}
			log.Error("handler panic", "event", ev.ID, "chat", chat, "kind", ev.Kind, "panic", fmt.Sprint(r), "stack", string(err.(*panicError).stack))
		}
	}()
	err = in.handler.HandleEvent(hctx, ev)
	lvl := slog.LevelInfo
	if err != nil {
		lvl = slog.LevelWarn
	}
	log.Log(ctx, lvl, "event", "event", ev.ID, "chat", chat, "kind", ev.Kind,
		"try", it.Tries+1, "ms", time.Since(start).Milliseconds(), "err", errString(err))
	return kind, err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
