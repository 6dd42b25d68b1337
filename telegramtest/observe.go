package telegramtest

import (
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// This file lets a viewer follow the simulated Telegram side as it changes:
// the sandbox's web page shows each chat as a phone would, live.

// Changed returns a channel closed at the next change of the server's
// state (a message sent, edited or deleted, a button answered, ...). Take a
// new one after each change.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Transcript returns every message of the user's chat, the user's and the
// bot's, in chat order and in their current state; deleted messages are
// left out, as a Telegram client shows them.
func (u *User) Transcript() []Message {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	c := u.s.chats[u.id]
	out := make([]Message, 0, len(c.msgs))
	for _, m := range c.msgs {
		if !m.deleted {
			out = append(out, m.pub.clone())
		}
	}
	return out
}

// SendVoiceData sends a voice note with its audio (e.g. a recording from a
// browser) and returns its update_id and file_id. mimeType is the audio's
// type ("audio/ogg", "audio/webm", ...).
func (u *User) SendVoiceData(data []byte, mimeType string, duration int) (updateID int64, fileID string) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if mimeType == "" {
		mimeType = "audio/ogg"
	}
	f := s.newFileLocked(kindVoice, data, "", mimeType)
	f.duration = duration
	m := &message{pub: Message{Kind: kindVoice, FileID: f.id, File: f.data}}
	s.attachFile(m, f)
	return u.sendLocked(m), f.id
}

// File returns the content, type and name of a file the server knows by
// file_id (an upload of the bot, or a user's media).
func (s *Server) File(fileID string) (data []byte, mimeType, name string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[fileID]
	if f == nil {
		return nil, "", "", false
	}
	mt := f.mime
	if mt == "" {
		switch f.kind {
		case kindPhoto:
			mt = "image/png"
			if !strings.HasPrefix(string(f.content()), "\x89PNG") {
				mt = "image/jpeg"
			}
		default:
			mt = "application/octet-stream"
		}
	}
	return append([]byte(nil), f.content()...), mt, f.name, true
}

// Toast is the answer the bot gave to a button press, as Telegram shows it
// briefly over the chat.
type Toast struct {
	// UpdateID is the callback_query update of the press.
	UpdateID int64
	CallbackAnswer
}

// Toasts returns the answers to the user's button presses, oldest first
// (presses not answered yet are left out).
func (u *User) Toasts() []Toast {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	var out []Toast
	for _, id := range u.s.callbackOrder {
		cb := u.s.callbacks[id]
		if cb.chat == u.id && cb.answered {
			out = append(out, Toast{UpdateID: cb.update, CallbackAnswer: cb.answer})
		}
	}
	return out
}

// CommandsFor returns the command menu a Telegram client shows in the
// private chat chatID for a user of language languageCode: the narrowest
// scope that has commands (the chat's own, then all private chats, then
// the default scope), in the user's language when set for that scope.
func (s *Server) CommandsFor(chatID int64, languageCode string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, scope := range []string{"chat:" + strconv.FormatInt(chatID, 10), "all_private_chats", "default"} {
		for _, lang := range []string{languageCode, ""} {
			if cmds, ok := s.commands[commandKey{scope: scope, lang: lang}]; ok {
				return append([]models.BotCommand(nil), cmds...)
			}
			if lang == "" {
				break
			}
		}
	}
	return nil
}
