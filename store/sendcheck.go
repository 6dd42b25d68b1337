package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Whole is the part of a message sent whole (not a long text in parts),
// for CheckSend.
const Whole = -1

// SendCheck is what a keyed send needs before it goes: whether its key (or
// its part) was sent already, the chat's token and the bot's slot
// (TakeSlot, TakeChat).
type SendCheck struct {
	// SentID is the message id of a key (or part) already sent (Sent true).
	SentID int
	Sent   bool
	// Parts are the message ids the key's marker records, one per part
	// sent, in order (a message sent whole: one). A long text resumes
	// after them without asking again.
	Parts []int
	// ChatPaused is how long Telegram's pause of the chat lasts (then no
	// token was taken).
	ChatPaused time.Duration
	// Bot is the bot's slot, as TakeSlot gives it.
	Bot Slot
}

// CheckSend asks, in one pipelined round trip, whether a key was sent,
// and what TakeChat and TakeSlot would each answer (key "" or chat 0 skip
// their part). It costs one round trip instead of three (issue 9: a
// stranger's reply went through three before its sendMessage). The price:
// a key found sent, or a chat found paused, has still taken the chat's
// token and the bot's slot (both only after a crash or a 429: a slot of
// the bot's rate lost then).
//
// Whether the key was sent is its outbox marker's answer (MarkSent), or,
// written by a version before it, the key's own sent marker
// (suivi:sent:<key>, or <key>.<part> for a part), read in the same
// pipeline until the last of them expires. part is Whole, or which part
// of a long text is about to go.
func (s *Store) CheckSend(ctx context.Context, key string, part int, chat int64, l ChatLimit, perSec float64, maxWait time.Duration, now time.Time) (SendCheck, error) {
	var c SendCheck
	p := s.rdb.Pipeline()
	var marker, legacy *redis.StringCmd
	if key != "" {
		marker = p.Get(ctx, s.Outbox().lkey(chat, "seen:"+key))
		legacy = p.Get(ctx, s.k.sent(legacySentKey(key, part)))
	}
	iv, tol := l.args()
	chatArgs := []any{ms(now), iv, tol, "take", 0}
	var take *redis.Cmd
	if chat != 0 {
		take = rateChat.Run(ctx, p, []string{s.rateChatKey(chat)}, chatArgs...)
	}
	botArgs := takeSlotArgs(perSec, maxWait, now)
	slot := rateTake.Run(ctx, p, []string{s.k.rateBot()}, botArgs...)
	_, _ = p.Exec(ctx) // each answer is read below
	// A script Redis does not hold yet (NOSCRIPT: a pipeline cannot fall
	// back to EVAL) is run again alone.
	if take != nil && noScript(take.Err()) {
		take = rateChat.Run(ctx, s.rdb, []string{s.rateChatKey(chat)}, chatArgs...)
	}
	if noScript(slot.Err()) {
		slot = rateTake.Run(ctx, s.rdb, []string{s.k.rateBot()}, botArgs...)
	}
	if marker != nil {
		if err := c.sent(marker, legacy, part); err != nil {
			return c, fmt.Errorf("sent %s: %w", key, err)
		}
	}
	if take != nil {
		n, err := take.Int64()
		if err != nil {
			return c, fmt.Errorf("chat rate: %w", err)
		}
		c.ChatPaused = time.Duration(n) * time.Millisecond
	}
	var err error
	if c.Bot, err = slotAnswer(slot); err != nil {
		return c, err
	}
	return c, nil
}

// sent reads a key's marker and its legacy sent marker into c.
func (c *SendCheck) sent(marker, legacy *redis.StringCmd, part int) error {
	v, err := marker.Result()
	switch {
	case err == nil:
		if c.Parts, err = sentParts(v); err != nil {
			return err
		}
	case !errors.Is(err, redis.Nil):
		return err
	}
	i := max(part, 0)
	if i < len(c.Parts) {
		c.SentID, c.Sent = c.Parts[i], true
		return nil
	}
	id, err := legacy.Int()
	switch {
	case err == nil:
		c.SentID, c.Sent = id, true
	case !errors.Is(err, redis.Nil):
		return err
	}
	return nil
}

// sentMark starts the value of a marker that records a send; what
// follows it are the message ids of the parts sent, comma-separated. A
// marker without it ("1") only says that the key was queued.
const sentMark = "="

// sentParts reads the message ids a marker's value records (none: the key
// was queued, not sent).
func sentParts(v string) ([]int, error) {
	rest, ok := strings.CutPrefix(v, sentMark)
	if !ok || rest == "" {
		return nil, nil
	}
	fields := strings.Split(rest, ",")
	ids := make([]int, len(fields))
	for i, f := range fields {
		id, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("marker %q: %w", v, err)
		}
		ids[i] = id
	}
	return ids, nil
}

// legacySentKey is the message key a version before this one recorded a
// send under: the key, or "<key>.<part>" for a part of a long text.
func legacySentKey(key string, part int) string {
	if part == Whole {
		return key
	}
	return key + "." + strconv.Itoa(part)
}

// MarkSent records that the message with this key was sent to chat, as
// the message ids ids (one per part sent so far, in order; one for a
// message sent whole). The record is the key's outbox marker (the one a
// push sets: one key per message, in the chat's shard), whose dedupe
// period it starts again: a message queued later under the same key is
// not queued, one redelivered is not sent again.
func (s *Store) MarkSent(ctx context.Context, chat int64, key string, ids []int) error {
	var b strings.Builder
	b.WriteString(sentMark)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(id))
	}
	l := s.Outbox()
	if err := s.rdb.Set(ctx, l.lkey(chat, "seen:"+key), b.String(), l.seenTTL).Err(); err != nil {
		return fmt.Errorf("mark sent %s: %w", key, err)
	}
	return nil
}
