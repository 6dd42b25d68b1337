package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"suivi/store"
)

// Errors of the outbound path, matched with errors.Is / errors.As.
var (
	// ErrBlocked: the user blocked the bot (Telegram 403). Final.
	ErrBlocked = errors.New("user blocked the bot")
	// ErrRejected: Telegram refused the request (400). Retrying won't help.
	ErrRejected = errors.New("telegram rejected the request")
	// ErrTransient: Telegram could not be reached or failed on its side
	// (5xx, an HTML error page from its front proxies, a timeout, a network
	// error). Not the request's fault: try again later, for as long as an
	// outage lasts.
	ErrTransient = errors.New("telegram unavailable")
)

// RetryAfterError is returned when a message may not be sent yet:
// Telegram asked us to slow down (429). The caller's queue puts the chat
// back until then, without holding a worker and without counting a try.
type RetryAfterError struct {
	After time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("telegram flood control: retry after %s", e.After)
}

// Limits bound the rate of outgoing messages, as Telegram asks: about 30
// messages a second per bot and one a second per chat. They hold across
// every replica together: the counts are in Redis (store's rate.go).
type Limits struct {
	// PerSecond is the whole bot's rate (default 25). After Telegram's
	// 429 the rate is cut, then climbs back to it (AIMD).
	PerSecond float64
	// PerChat is one chat's rate (default 1), with a burst of ChatBurst
	// (default three seconds' worth, at least 3).
	PerChat   float64
	ChatBurst int
}

// Message is one outgoing text message.
type Message struct {
	ChatID int64
	// Text is Telegram HTML; longer texts are split by SendLong.
	Text     string
	Keyboard Keyboard
	// Silent sends without a notification sound (non-urgent messages).
	Silent bool
	// Key, when set, makes the send idempotent: a message whose key was
	// already sent is not sent again. Give each message a deterministic key.
	Key string
}

// Sender is the one path every outgoing call takes: it keeps Telegram's
// rate limits, turns Telegram's errors into ErrBlocked, ErrRejected,
// ErrTransient or a *RetryAfterError, and deduplicates by message key.
type Sender struct {
	api    *tg.Bot
	store  *store.Store
	now    func() time.Time
	log    *slog.Logger
	limits Limits
	chat   store.ChatLimit
}

// maxSlotWait is the longest a send waits for its slot under the bot's
// rate; beyond, the chat goes back to its queue for that long.
const maxSlotWait = 2 * time.Second

// NewSender returns a Sender on api. now is the clock of flood-control
// pauses and of each chat's rate.
func NewSender(api *tg.Bot, st *store.Store, limits Limits, now func() time.Time, log *slog.Logger) *Sender {
	if limits.PerSecond <= 0 {
		limits.PerSecond = 25
	}
	if limits.PerChat <= 0 {
		limits.PerChat = 1
	}
	if limits.ChatBurst <= 0 {
		limits.ChatBurst = max(3, int(math.Ceil(3*limits.PerChat)))
	}
	return &Sender{
		api:    api,
		store:  st,
		now:    now,
		log:    log,
		limits: limits,
		chat:   store.ChatLimit{PerSecond: limits.PerChat, Burst: limits.ChatBurst},
	}
}

// wait returns once chat may receive a message under the rate limits. It
// never blocks on one chat: while Telegram's flood control pauses the chat
// (or the bot), or while the bot's next slot is far, it returns a
// *RetryAfterError saying when to try again, and the caller's queue puts
// the chat back until then, so a chat that floods never holds a worker. It
// only waits, briefly, for the bot's next slot (and a pause that began
// meanwhile puts the chat back too).
//
// Only new messages count against a chat's own rate (newMessage): an edit
// or a keyboard change answers a press, and handling an update again after
// a pause repeats its edits — were they counted, a press that edits then
// asks the next question would spend its one token a second on the edit,
// again and again.
func (s *Sender) wait(ctx context.Context, chat int64, newMessage bool) error {
	now := s.now()
	if chat != 0 {
		var paused time.Duration
		var err error
		if newMessage {
			// A message takes its token even when the chat is over its
			// rate (the few replies to one update go together, and the
			// handler is never cut in the middle): the debt is what
			// ChatDelay makes the chat's next item wait for, in its queue.
			paused, err = s.store.TakeChat(ctx, chat, s.chat, now)
		} else if d, derr := s.store.ChatDelay(ctx, chat, store.ChatLimit{PerSecond: s.chat.PerSecond, Burst: 1 << 20}, now); derr == nil && d > 0 {
			// Only a pause stops an edit (its burst never ends).
			paused = d
		} else {
			err = derr
		}
		if err != nil {
			return fmt.Errorf("rate limit: %w", err)
		}
		if paused > 0 {
			return &RetryAfterError{After: paused}
		}
	}
	sl, err := s.store.TakeSlot(ctx, s.limits.PerSecond, maxSlotWait, now)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	return s.awaitSlot(ctx, sl)
}

// awaitSlot waits for the bot's slot as TakeSlot gave it, or says when to
// try again; then, about to go, checks the pause and the last second's
// sends (BotGo), unless the slot was let go already (no wait: TakeSlot
// checked them).
func (s *Sender) awaitSlot(ctx context.Context, sl store.Slot) error {
	switch {
	case sl.Paused > 0:
		return &RetryAfterError{After: sl.Paused}
	case !sl.OK:
		return &RetryAfterError{After: sl.Wait}
	case sl.Gone:
		return nil
	}
	d := sl.Wait
	if d <= 0 && !store.BotWindowed(s.limits.PerSecond) {
		return nil
	}
	var paused time.Duration
	var err error
	// Then, about to go: not during a pause that began while it waited (a
	// 429 to any replica: Telegram's retry_after holds for the slots taken
	// before it too, which would otherwise all go out in it, each drawing
	// another 429), and not as one too many in a second, which a send that
	// woke late and the next one, on time, would make.
	for waited := d > 0; ; waited = true {
		if d > 0 {
			if sleep(ctx, d); ctx.Err() != nil {
				return fmt.Errorf("rate limit: %w", ctx.Err())
			}
		}
		if d, paused, err = s.store.BotGo(ctx, s.limits.PerSecond, waited, s.now()); err != nil {
			return fmt.Errorf("rate limit: %w", err)
		} else if paused > 0 {
			return &RetryAfterError{After: paused}
		} else if d <= 0 {
			return nil
		}
	}
}

// ChatDelay returns how long chat must wait before its next message under
// its own rate or Telegram's pause (0: now). The inbox and the outbox ask
// it before they serve a chat's next item, and put the chat back until
// then: a chat that floods never holds a worker.
func (s *Sender) ChatDelay(ctx context.Context, chat int64) time.Duration {
	if chat == 0 {
		return 0
	}
	d, err := s.store.ChatDelay(ctx, chat, s.chat, s.now())
	if err != nil {
		// Redis unavailable: the item's own calls will say so.
		s.log.Warn("chat rate", "chat", chat, "err", err)
		return 0
	}
	return d
}

// pause holds sends after a 429: the chat for the whole retry_after, and
// every chat too when the wait is short (a bot-wide flood limit), which
// also cuts the bot's shared rate; a long wait is most likely about that
// chat alone and must not stall the others.
func (s *Sender) pause(ctx context.Context, chat int64, after time.Duration) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	now := s.now()
	if chat != 0 {
		if err := s.store.PauseChat(ctx, chat, now.Add(after), now); err != nil {
			s.log.Warn("pause chat", "chat", chat, "err", err)
		}
	}
	if chat == 0 || after <= time.Minute {
		rate, err := s.store.CutBotRate(ctx, s.limits.PerSecond, after, now)
		if err != nil {
			s.log.Warn("cut bot rate", "err", err)
			return
		}
		s.log.Info("bot rate cut after 429", "rate", rate)
	}
}

// classify maps a Telegram client error to our errors.
func (s *Sender) classify(ctx context.Context, method string, chat int64, err error) error {
	if err == nil {
		return nil
	}
	var tmr *tg.TooManyRequestsError
	switch {
	case errors.As(err, &tmr):
		after := time.Duration(max(tmr.RetryAfter, 1)) * time.Second
		s.pause(ctx, chat, after)
		s.log.Warn("telegram flood control", "method", method, "chat", chat, "retry_after_s", tmr.RetryAfter)
		return &RetryAfterError{After: after}
	case errors.Is(err, tg.ErrorForbidden):
		return fmt.Errorf("%s to chat %d: %w", method, chat, ErrBlocked)
	case errors.Is(err, tg.ErrorBadRequest):
		return fmt.Errorf("%s to chat %d: %w: %w", method, chat, ErrRejected, err)
	case errors.Is(err, tg.ErrorUnauthorized), errors.Is(err, tg.ErrorNotFound), errors.Is(err, tg.ErrorConflict), tg.IsMigrateError(err):
		// A bad token or method, or a chat that moved: waiting won't help.
		return fmt.Errorf("%s to chat %d: %w", method, chat, err)
	}
	// Everything else is Telegram out of reach or failing on its side: a
	// transport error or timeout (go-telegram/bot's "error do request"), a
	// body that is not its JSON (a 502/504 page from its proxies), a 5xx.
	return fmt.Errorf("%s to chat %d: %w: %w", method, chat, ErrTransient, err)
}

// sendKey names a keyed send: the message key, and which part of it goes
// (store.Whole, or a part of a long text, after the parts sent already:
// their message ids, in order).
type sendKey struct {
	key   string
	part  int
	prior []int
}

func whole(key string) sendKey { return sendKey{key: key, part: store.Whole} }

// record notes that k went as message id: in the key's one marker, the
// ids of its parts sent so far (store.MarkSent).
func (s *Sender) record(ctx context.Context, chat int64, k sendKey, id int) error {
	if k.key == "" {
		return nil
	}
	ids := []int{id}
	if k.part != store.Whole {
		ids = append(slices.Clip(k.prior), id)
	}
	return s.store.MarkSent(ctx, chat, k.key, ids)
}

var noPreview = &models.LinkPreviewOptions{IsDisabled: ptr(true)}

func ptr[T any](v T) *T { return &v }

// Send sends one message and returns its Telegram message id. A message
// whose key was already sent is not sent again; its id is returned.
func (s *Sender) Send(ctx context.Context, m Message) (int, error) {
	id, _, err := s.sendText(ctx, m, whole(m.Key))
	return id, err
}

// sendText sends one text message as k (the whole message, or a part).
func (s *Sender) sendText(ctx context.Context, m Message, k sendKey) (int, []int, error) {
	return s.sendKeyed(ctx, m.ChatID, k, "sendMessage", func() (*models.Message, error) {
		return s.api.SendMessage(ctx, &tg.SendMessageParams{
			ChatID:              m.ChatID,
			Text:                m.Text,
			ParseMode:           models.ParseModeHTML,
			LinkPreviewOptions:  noPreview,
			DisableNotification: m.Silent,
			ReplyMarkup:         m.Keyboard.markup(),
		})
	})
}

// SendLong sends a text that may exceed Telegram's 4096 characters as
// several messages, split between lines; the keyboard goes on the last one.
// It returns the last one's id. With a key, the key's one marker records
// the parts as they go: sent again (a crash cut it short, or came between
// the last part and the outbox's ack), it resumes after the parts already
// sent, without asking Redis again for the ones the marker names.
func (s *Sender) SendLong(ctx context.Context, m Message) (int, error) {
	parts := Split(m.Text, MaxText)
	var ids, known []int // the parts' ids so far; the ones the marker recorded
	for i, p := range parts {
		if m.Key != "" && i < len(known) {
			ids = append(ids, known[i])
			continue
		}
		part := Message{ChatID: m.ChatID, Text: p, Silent: m.Silent}
		if i == len(parts)-1 {
			part.Keyboard = m.Keyboard
		}
		id, recorded, err := s.sendText(ctx, part, sendKey{key: m.Key, part: i, prior: ids})
		if err != nil {
			return 0, err
		}
		ids = append(ids, id)
		if len(recorded) > len(known) {
			known = recorded
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[len(ids)-1], nil
}

// Edit replaces the text and keyboard of a message the bot sent. An edit
// that changes nothing is not an error.
func (s *Sender) Edit(ctx context.Context, chat int64, messageID int, text string, kb Keyboard) error {
	if err := s.wait(ctx, chat, false); err != nil {
		return err
	}
	_, err := s.api.EditMessageText(ctx, &tg.EditMessageTextParams{
		ChatID:             chat,
		MessageID:          messageID,
		Text:               text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: noPreview,
		ReplyMarkup:        kb.markup(),
	})
	return s.ignoreNotModified(s.classify(ctx, "editMessageText", chat, err))
}

// EditKeyboard replaces (or, with nil, removes) a message's inline keyboard.
func (s *Sender) EditKeyboard(ctx context.Context, chat int64, messageID int, kb Keyboard) error {
	if err := s.wait(ctx, chat, false); err != nil {
		return err
	}
	markup := kb.markup()
	if markup == nil {
		markup = &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}
	}
	_, err := s.api.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{
		ChatID: chat, MessageID: messageID, ReplyMarkup: markup,
	})
	return s.ignoreNotModified(s.classify(ctx, "editMessageReplyMarkup", chat, err))
}

func (s *Sender) ignoreNotModified(err error) error {
	if err != nil && errors.Is(err, ErrRejected) && strings.Contains(err.Error(), "message is not modified") {
		return nil
	}
	return err
}

// Answer answers a callback query (Telegram shows text briefly). Every
// callback query must be answered, or the user's button keeps spinning.
func (s *Sender) Answer(ctx context.Context, queryID, text string) error {
	if err := s.wait(ctx, 0, false); err != nil {
		return err
	}
	_, err := s.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: queryID, Text: text})
	err = s.classify(ctx, "answerCallbackQuery", 0, err)
	if errors.Is(err, ErrRejected) {
		// The query is too old (we were down, or this is a retry): nothing to do.
		return nil
	}
	return err
}

// sendKeyed sends once per key (or part): a key already recorded returns
// its message id; otherwise it waits for the limits, calls send, and
// records the key. It also returns the ids the key's marker recorded
// before (SendLong skips those parts).
//
// Whether the key was sent, the chat's token and the bot's slot are asked
// in one round trip (Store.CheckSend), as wait would for a new message.
// The record is the outbox's own marker of the key (store.MarkSent): a
// message of the outbox and a reply sent in a turn of the inbox are
// remembered the same way, one key each.
func (s *Sender) sendKeyed(ctx context.Context, chat int64, k sendKey, method string, send func() (*models.Message, error)) (int, []int, error) {
	c, err := s.store.CheckSend(ctx, k.key, k.part, chat, s.chat, s.limits.PerSecond, maxSlotWait, s.now())
	switch {
	case err != nil:
		return 0, nil, fmt.Errorf("rate limit: %w", err)
	case c.Sent:
		return c.SentID, c.Parts, nil
	case c.ChatPaused > 0:
		return 0, nil, &RetryAfterError{After: c.ChatPaused}
	}
	if err := s.awaitSlot(ctx, c.Bot); err != nil {
		return 0, nil, err
	}
	msg, err := send()
	if err := s.classify(ctx, method, chat, err); err != nil {
		return 0, nil, err
	}
	return msg.ID, c.Parts, s.record(ctx, chat, k, msg.ID)
}

// sendFile is sendKeyed for a message sent whole.
func (s *Sender) sendFile(ctx context.Context, chat int64, key, method string, send func() (*models.Message, error)) (int, error) {
	id, _, err := s.sendKeyed(ctx, chat, whole(key), method, send)
	return id, err
}

// SendPhoto sends an image with an optional HTML caption.
func (s *Sender) SendPhoto(ctx context.Context, chat int64, key, name string, data []byte, caption string) (int, error) {
	return s.sendFile(ctx, chat, key, "sendPhoto", func() (*models.Message, error) {
		return s.api.SendPhoto(ctx, &tg.SendPhotoParams{
			ChatID:    chat,
			Photo:     &models.InputFileUpload{Filename: name, Data: bytes.NewReader(data)},
			Caption:   caption,
			ParseMode: models.ParseModeHTML,
		})
	})
}

// SendDocument sends a file with an optional HTML caption.
func (s *Sender) SendDocument(ctx context.Context, chat int64, key, name string, data []byte, caption string) (int, error) {
	return s.sendFile(ctx, chat, key, "sendDocument", func() (*models.Message, error) {
		return s.api.SendDocument(ctx, &tg.SendDocumentParams{
			ChatID:    chat,
			Document:  &models.InputFileUpload{Filename: name, Data: bytes.NewReader(data)},
			Caption:   caption,
			ParseMode: models.ParseModeHTML,
		})
	})
}

// SendVoice sends a voice note Telegram already has, by file id.
func (s *Sender) SendVoice(ctx context.Context, chat int64, key, fileID, caption string) (int, error) {
	return s.sendFile(ctx, chat, key, "sendVoice", func() (*models.Message, error) {
		return s.api.SendVoice(ctx, &tg.SendVoiceParams{
			ChatID:    chat,
			Voice:     &models.InputFileString{Data: fileID},
			Caption:   caption,
			ParseMode: models.ParseModeHTML,
		})
	})
}

// SetCommands publishes the command menu for a language ("" = default).
func (s *Sender) SetCommands(ctx context.Context, lang string, cmds []models.BotCommand) error {
	if err := s.wait(ctx, 0, false); err != nil {
		return err
	}
	_, err := s.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: lang})
	return s.classify(ctx, "setMyCommands", 0, err)
}

// SetChatCommands publishes the command menu of one private chat (an
// advisor's, whose commands are not the beneficiaries').
func (s *Sender) SetChatCommands(ctx context.Context, chat int64, cmds []models.BotCommand) error {
	if err := s.wait(ctx, 0, false); err != nil {
		return err
	}
	_, err := s.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, Scope: &models.BotCommandScopeChat{ChatID: chat}})
	return s.classify(ctx, "setMyCommands", chat, err)
}
