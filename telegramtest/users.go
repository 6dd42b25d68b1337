package telegramtest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-telegram/bot/models"
)

// User is a simulated Telegram user with a private chat with the bot whose
// id is the user id. Set the exported fields before the user sends
// anything; they are read by the User's methods, on the caller's goroutine.
type User struct {
	LanguageCode string
	LastName     string
	Username     string

	s         *Server
	id        int64
	firstName string
}

// NewUser creates a simulated user and its private chat. Calling it again
// with the same id returns a new handle on the same chat.
func (s *Server) NewUser(id int64, firstName string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[id]
	if c == nil {
		c = &chat{id: id, byID: make(map[int]*message), instance: strconv.FormatInt(-(id*7919 + 4241), 10)}
		s.chats[id] = c
	}
	c.firstName = firstName
	s.notifyLocked()
	return &User{s: s, id: id, firstName: firstName}
}

// ID returns the user id (also the chat id).
func (u *User) ID() int64 { return u.id }

func (u *User) model() *models.User {
	return &models.User{ID: u.id, FirstName: u.firstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}

// sendLocked stores a message from the user and queues its update.
func (u *User) sendLocked(m *message) int64 {
	s := u.s
	c := s.chats[u.id]
	c.lastName, c.username = u.LastName, u.Username
	m.from = u.model()
	m.pub.Date = s.opts.Now()
	c.add(m)
	return s.enqueueLocked("message", &wireUpdate{Message: s.wireLocked(c, m, true)})
}

// commandEntity returns the bot_command entity of a text starting with "/".
func commandEntity(text string) []models.MessageEntity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	word := text
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word = text[:i]
	}
	if len(word) < 2 {
		return nil
	}
	return []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(word)}}
}

// SendText sends a text message to the bot and returns its update_id. A
// text starting with "/" carries a bot_command entity covering the command
// word (including any "@botname").
func (u *User) SendText(text string) int64 {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.sendLocked(&message{pub: Message{Kind: kindText, Text: text, PlainText: text, Entities: commandEntity(text)}})
}

// SendVoice sends a voice note of duration seconds and returns its
// update_id and the voice's unique file_id (known to getFile).
func (u *User) SendVoice(duration int) (updateID int64, fileID string) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFileLocked(kindVoice, nil, "", "audio/ogg")
	f.duration = duration
	m := &message{pub: Message{Kind: kindVoice, FileID: f.id}}
	s.attachFile(m, f)
	return u.sendLocked(m), f.id
}

// SendSticker sends a sticker (emoji "👍") and returns its update_id.
func (u *User) SendSticker() int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFileLocked(kindSticker, nil, "", "image/webp")
	m := &message{pub: Message{Kind: kindSticker, FileID: f.id}}
	s.attachFile(m, f)
	return u.sendLocked(m)
}

// SendPhoto sends a photo without caption and returns its update_id.
func (u *User) SendPhoto() int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFileLocked(kindPhoto, nil, "", "image/jpeg")
	f.photo = s.photoSizesLocked(f, 1280, 960)
	m := &message{pub: Message{Kind: kindPhoto, FileID: f.id}}
	s.attachFile(m, f)
	return u.sendLocked(m)
}

// SendDocument sends a document named name and returns its update_id.
func (u *User) SendDocument(name string) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFileLocked(kindDocument, nil, name, mimeByName(name))
	m := &message{pub: Message{Kind: kindDocument, FileID: f.id, FileName: name}}
	s.attachFile(m, f)
	return u.sendLocked(m)
}

// callbackState tracks one callback query.
type callbackState struct {
	chat     int64 // the chat of the pressed message
	update   int64 // the callback_query's update_id
	answered bool
	answer   CallbackAnswer
}

// CallbackAnswer is what the bot answered to a callback query.
type CallbackAnswer struct {
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
}

func (u *User) pressLocked(c *chat, m *message, data string) int64 {
	s := u.s
	id := strconv.FormatInt(4_000_000_000_000_000_000+u.id%1_000_000*1_000_000+s.nextSeqLocked(), 10)
	st := &callbackState{chat: c.id}
	s.callbacks[id] = st
	s.callbackOrder = append(s.callbackOrder, id)
	cb := &wireCallback{ID: id, From: u.model(), Message: s.wireLocked(c, m, true), ChatInstance: c.instance, Data: data}
	st.update = s.enqueueLocked("callback_query", &wireUpdate{CallbackQuery: cb})
	return st.update
}

// PressButton presses the inline button labelled buttonText of bot message
// messageID, as the message currently is, and returns the callback_query's
// update_id. It fails if the message does not exist, was deleted, or has no
// such callback button.
func (u *User) PressButton(messageID int, buttonText string) (int64, error) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[u.id]
	m := c.byID[messageID]
	if m == nil || m.deleted {
		return 0, fmt.Errorf("telegramtest: no message %d in chat %d", messageID, u.id)
	}
	if !m.pub.FromBot {
		return 0, fmt.Errorf("telegramtest: message %d in chat %d is not a bot message", messageID, u.id)
	}
	var labels []string
	for _, row := range m.pub.Keyboard {
		for _, b := range row {
			if b.Text == buttonText {
				if b.Data == "" {
					return 0, fmt.Errorf("telegramtest: button %q of message %d has no callback_data", buttonText, messageID)
				}
				return u.pressLocked(c, m, b.Data), nil
			}
			labels = append(labels, strconv.Quote(b.Text))
		}
	}
	return 0, fmt.Errorf("telegramtest: message %d in chat %d has no button %q (buttons: %s)", messageID, u.id, buttonText, strings.Join(labels, ", "))
}

// PressData sends a callback query with arbitrary (possibly forged) data on
// message messageID and returns its update_id. It panics if the message does
// not exist in the chat or was deleted.
func (u *User) PressData(messageID int, data string) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[u.id]
	m := c.byID[messageID]
	if m == nil || m.deleted {
		panic(fmt.Sprintf("telegramtest: PressData: no message %d in chat %d", messageID, u.id))
	}
	return u.pressLocked(c, m, data)
}

// Block makes every later send or edit to this chat fail with 403
// "Forbidden: bot was blocked by the user".
func (u *User) Block() { u.setBlocked(true) }

// Unblock undoes Block.
func (u *User) Unblock() { u.setBlocked(false) }

func (u *User) setBlocked(b bool) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.s.chats[u.id].blocked = b
	u.s.notifyLocked()
}

func (u *User) messages(fromBot bool) []Message {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	var out []Message
	for _, m := range u.s.chats[u.id].msgs {
		if !m.deleted && m.pub.FromBot == fromBot {
			out = append(out, m.pub.clone())
		}
	}
	return out
}

// Messages returns the bot's messages in this chat, in order, in their
// current state; deleted messages are excluded.
func (u *User) Messages() []Message { return u.messages(true) }

// UserMessages returns the messages the user sent in this chat, in order;
// messages the bot deleted are excluded.
func (u *User) UserMessages() []Message { return u.messages(false) }

// LastMessage returns the bot's last (not deleted) message in this chat.
func (u *User) LastMessage() (Message, bool) {
	msgs := u.Messages()
	if len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[len(msgs)-1], true
}

// WaitMessage waits until a bot message of this chat satisfies match and
// returns the first such message in chat order. On timeout the error lists
// the chat's messages.
func (u *User) WaitMessage(timeout time.Duration, match func(Message) bool) (Message, error) {
	var found Message
	err := u.s.Wait(timeout, func() bool {
		for _, m := range u.Messages() {
			if match(m) {
				found = m
				return true
			}
		}
		return false
	})
	if err == nil {
		return found, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "telegramtest: no matching bot message in chat %d after %v; bot messages:", u.id, timeout)
	msgs := u.Messages()
	if len(msgs) == 0 {
		b.WriteString(" none")
	}
	for _, m := range msgs {
		b.WriteString("\n  " + m.String())
	}
	return Message{}, errors.New(b.String())
}

// UnansweredCallbacks returns the ids of callback queries never answered,
// in creation order.
func (s *Server) UnansweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.callbackOrder {
		if !s.callbacks[id].answered {
			out = append(out, id)
		}
	}
	return out
}

// CallbackAnswer returns the answer given to callback query id, if any.
func (s *Server) CallbackAnswer(id string) (CallbackAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[id]
	if cb == nil || !cb.answered {
		return CallbackAnswer{}, false
	}
	return cb.answer, true
}

func (s *Server) hAnswerCallbackQuery(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[strings.TrimSpace(q.str("callback_query_id"))]
	if cb == nil || cb.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	text := q.str("text")
	if utf16Len(text) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	cb.answered = true
	cb.answer = CallbackAnswer{Text: text, ShowAlert: q.bool("show_alert"), URL: q.str("url"), CacheTime: q.int("cache_time")}
	s.notifyLocked()
	return true, nil
}
