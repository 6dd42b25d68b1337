package telegramtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

type commandKey struct {
	scope string // "default", "all_private_chats", "chat:<id>", "chat_member:<chat>:<user>", ...
	lang  string
}

// scopeKey normalizes a BotCommandScope JSON object.
func scopeKey(raw string) (string, *apiError) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "default", nil
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID json.RawMessage `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	id := func(r json.RawMessage) string { return strings.Trim(string(r), "\" ") }
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		return sc.Type, nil
	case "chat", "chat_administrators":
		return sc.Type + ":" + id(sc.ChatID), nil
	case "chat_member":
		return fmt.Sprintf("%s:%s:%s", sc.Type, id(sc.ChatID), id(sc.UserID)), nil
	}
	return "", badRequest("unsupported bot command scope type")
}

func validCommand(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_') {
			return false
		}
	}
	return true
}

func (s *Server) hSetMyCommands(q *request) (any, *apiError) {
	if !q.has("commands") {
		return nil, badRequest("parameter \"commands\" is required")
	}
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(q.str("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, c := range cmds {
		if !validCommand(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(c.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	scope, e := scopeKey(q.str("scope"))
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := commandKey{scope: scope, lang: q.str("language_code")}
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) hGetMyCommands(q *request) (any, *apiError) {
	scope, e := scopeKey(q.str("scope"))
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[commandKey{scope: scope, lang: q.str("language_code")}]
	if cmds == nil {
		cmds = []models.BotCommand{}
	}
	return cmds, nil
}

func (s *Server) hDeleteMyCommands(q *request) (any, *apiError) {
	scope, e := scopeKey(q.str("scope"))
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, commandKey{scope: scope, lang: q.str("language_code")})
	s.notifyLocked()
	return true, nil
}

// Commands returns the commands set with setMyCommands for the default
// scope and languageCode ("" = no language).
func (s *Server) Commands(languageCode string) []models.BotCommand {
	return s.ScopedCommands("default", languageCode)
}

// ScopedCommands returns the commands set for a scope ("default",
// "all_private_chats", "chat:<chat_id>", ...) and language code.
func (s *Server) ScopedCommands(scope, languageCode string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[commandKey{scope: scope, lang: languageCode}])
}
