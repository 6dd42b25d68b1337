package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"suivi/store"
)

// Outgoing is a message to deliver later, durably: a reminder, a question,
// a forward to an advisor. Its Key is its deterministic id: an Outgoing
// whose key was already queued is not queued again, and one already sent is
// not sent again.
type Outgoing struct {
	Key    string `json:"key"`
	ChatID int64  `json:"chat"`
	// Kind is "text" (default), "voice" (FileID) or "photo"/"document" (Data).
	Kind     string   `json:"kind,omitempty"`
	Text     string   `json:"text,omitempty"` // HTML text, or caption
	Keyboard Keyboard `json:"kb,omitempty"`
	Silent   bool     `json:"silent,omitempty"`
	FileID   string   `json:"file,omitempty"`
	Data     []byte   `json:"data,omitempty"`
	FileName string   `json:"name,omitempty"`
}

// Outbox is the durable queue of outgoing messages. Enqueue stores the
// message in Redis (once per key); workers deliver each chat's messages in
// order through the Sender: while Telegram is unavailable (5xx, timeouts,
// network errors) they retry with backoff for hours (LaneConfig.MaxWaits),
// on 429 they wait retry_after, on 403 they drop the chat's messages and
// push an EventBlocked into the chat's lane of the inbox (the outbox
// changes no one: the chat's own lane does), on 400 they park the message.
type Outbox struct {
	pool   *lanePool
	sender *Sender
	events *Events
}

// EventBlocked is the kind of the event the outbox pushes into a chat's
// lane when Telegram says the chat blocked the bot (403).
const EventBlocked = "blocked"

// NewOutbox returns an outbox delivering through sender, telling blocked
// chats through events.
func NewOutbox(st *store.Store, sender *Sender, events *Events, now func() time.Time, log *slog.Logger, cfg LaneConfig) *Outbox {
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = 12 // other failures: about an hour of retries with the pool's backoff
	}
	o := &Outbox{pool: newLanePool("outbox", st.Outbox(), now, log, cfg), sender: sender, events: events}
	o.pool.process = o.deliver
	return o
}

// Enqueue stores m for delivery. It reports whether m is new (false: a
// message with that key was already queued).
func (o *Outbox) Enqueue(ctx context.Context, m Outgoing) (bool, error) {
	if m.Key == "" || m.ChatID == 0 {
		return false, fmt.Errorf("outbox: a message needs a key and a chat")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return false, fmt.Errorf("outbox: encode: %w", err)
	}
	isNew, err := o.pool.lanes.Push(ctx, m.Key, m.ChatID, b, o.pool.now())
	if err != nil {
		return false, err
	}
	if isNew {
		o.pool.Wake()
	}
	return isNew, nil
}

// Run delivers until ctx ends.
func (o *Outbox) Run(ctx context.Context) { o.pool.Run(ctx) }

// RunOnce serves one ready chat; it reports whether there was one.
func (o *Outbox) RunOnce(ctx context.Context) (bool, error) { return o.pool.RunOnce(ctx) }

func (o *Outbox) deliver(ctx context.Context, chat int64, it store.Item) result {
	var m Outgoing
	if err := json.Unmarshal(it.Payload, &m); err != nil {
		return result{outcome: park, reason: "undecodable", kind: "undecodable"}
	}
	res := o.send(ctx, chat, it, m)
	res.kind = cmp.Or(m.Kind, "text")
	return res
}

// send delivers one decoded message and says what became of it.
func (o *Outbox) send(ctx context.Context, chat int64, it store.Item, m Outgoing) result {
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var err error
	switch m.Kind {
	case "", "text":
		_, err = o.sender.SendLong(sctx, Message{ChatID: m.ChatID, Text: m.Text, Keyboard: m.Keyboard, Silent: m.Silent, Key: m.Key})
	case "voice":
		_, err = o.sender.SendVoice(sctx, m.ChatID, m.Key, m.FileID, m.Text)
	case "photo":
		_, err = o.sender.SendPhoto(sctx, m.ChatID, m.Key, m.FileName, m.Data, m.Text)
	case "document":
		_, err = o.sender.SendDocument(sctx, m.ChatID, m.Key, m.FileName, m.Data, m.Text)
	default:
		return result{outcome: park, reason: "unknown kind"}
	}
	log := o.pool.log
	var ra *RetryAfterError
	switch {
	case err == nil:
		log.Info("sent", "key", m.Key, "chat", chat, "kind", m.Kind)
		return result{outcome: done}
	case errors.As(err, &ra):
		return result{outcome: wait, at: o.pool.now().Add(ra.After)}
	case errors.Is(err, ErrBlocked):
		// The chat's lane learns it first: the messages go only once it knows.
		if _, err := o.events.Push(context.WithoutCancel(ctx), store.Event{ID: "blocked:" + m.Key, Lane: chat, Kind: EventBlocked}); err != nil {
			log.Warn("blocked chat: event not pushed, will retry", "key", m.Key, "chat", chat, "err", err)
			return result{outcome: retry, reason: "transient"}
		}
		return result{outcome: dropAll}
	case errors.Is(err, ErrRejected):
		log.Error("message rejected by Telegram", "key", m.Key, "chat", chat, "err", err)
		return result{outcome: park, reason: "rejected"}
	case errors.Is(err, ErrTransient):
		return result{outcome: unavailable, reason: "telegram unavailable"}
	}
	log.Warn("send failed, will retry", "key", m.Key, "chat", chat, "try", it.Tries+1, "err", err)
	return result{outcome: retry, reason: "transient"}
}

// Wake tells idle workers that there is work.
func (o *Outbox) Wake() { o.pool.Wake() }
