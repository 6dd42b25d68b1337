package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// SendCheck is what a keyed send needs before it goes: whether its key was
// sent already, the chat's token and the bot's slot (BotSlot, TakeChat).
type SendCheck struct {
	// SentID is the message id of a key already sent (Sent true).
	SentID int
	Sent   bool
	// ChatPaused is how long Telegram's pause of the chat lasts (then no
	// token was taken).
	ChatPaused time.Duration
	// BotWait, BotOK and BotPaused are BotSlot's answers.
	BotWait   time.Duration
	BotOK     bool
	BotPaused time.Duration
}

// CheckSend asks, in one pipelined round trip, what SentMessage, TakeChat
// and BotSlot would each answer (key "" or chat 0 skip their part). It
// costs one round trip instead of three (issue 9: a stranger's reply went
// through three before its sendMessage). The price: a key found sent, or a
// chat found paused, has still taken the chat's token and the bot's slot
// (both only after a crash or a 429: a slot of the bot's rate lost then).
func (s *Store) CheckSend(ctx context.Context, key string, chat int64, l ChatLimit, perSec float64, maxWait time.Duration, now time.Time) (SendCheck, error) {
	var c SendCheck
	p := s.rdb.Pipeline()
	var sent *redis.StringCmd
	if key != "" {
		sent = p.Get(ctx, s.k.sent(key))
	}
	iv, tol := l.args()
	chatArgs := []any{ms(now), iv, tol, "take", 0}
	var take *redis.Cmd
	if chat != 0 {
		take = rateChat.Run(ctx, p, []string{s.rateChatKey(chat)}, chatArgs...)
	}
	botArgs := rateTakeArgs(perSec, maxWait, now)
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
	if sent != nil {
		id, err := sent.Int()
		switch {
		case err == nil:
			c.SentID, c.Sent = id, true
		case !errors.Is(err, redis.Nil):
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
	if c.BotWait, c.BotOK, c.BotPaused, err = botSlotAnswer(slot); err != nil {
		return c, err
	}
	return c, nil
}
