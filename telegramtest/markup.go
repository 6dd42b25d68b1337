package telegramtest

import (
	"bytes"
	"encoding/json"
	"strings"
)

type markupKind int

const (
	markupNone markupKind = iota
	markupInline
	markupReply
	markupRemove
	markupForce
)

// markup is a validated reply_markup.
type markup struct {
	kind      markupKind
	canonical json.RawMessage // inline keyboards: normalized JSON
	buttons   [][]Button
}

func errMarkupJSON() *apiError { return badRequest("can't parse reply keyboard markup JSON object") }

func errButton(reason string) *apiError {
	return badRequest("can't parse inline keyboard button: " + reason)
}

// inlineActions are the fields of which an inline button must have exactly one.
func isInlineAction(field string) bool {
	switch field {
	case "url", "callback_data", "web_app", "login_url", "switch_inline_query",
		"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
		"copy_text", "callback_game", "pay":
		return true
	}
	return false
}

// parseMarkup validates a reply_markup parameter. An empty string gives nil.
func parseMarkup(raw string) (*markup, *apiError) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errMarkupJSON()
	}
	if ik, ok := obj["inline_keyboard"]; ok {
		return parseInlineKeyboard(ik)
	}
	if kb, ok := obj["keyboard"]; ok {
		rows, ok := kb.([]any)
		if !ok {
			return nil, errMarkupJSON()
		}
		for _, row := range rows {
			btns, ok := row.([]any)
			if !ok {
				return nil, errMarkupJSON()
			}
			for _, b := range btns {
				switch b := b.(type) {
				case string:
					if b == "" {
						return nil, badRequest("BUTTON_TEXT_INVALID")
					}
				case map[string]any:
					if t, _ := b["text"].(string); t == "" {
						return nil, badRequest("BUTTON_TEXT_INVALID")
					}
				default:
					return nil, errMarkupJSON()
				}
			}
		}
		return &markup{kind: markupReply}, nil
	}
	if v, ok := obj["remove_keyboard"]; ok {
		if v != true {
			return nil, errMarkupJSON()
		}
		return &markup{kind: markupRemove}, nil
	}
	if v, ok := obj["force_reply"]; ok {
		if v != true {
			return nil, errMarkupJSON()
		}
		return &markup{kind: markupForce}, nil
	}
	return nil, errMarkupJSON()
}

func parseInlineKeyboard(ik any) (*markup, *apiError) {
	rows, ok := ik.([]any)
	if !ok {
		return nil, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
	}
	var canon [][]map[string]any
	var buttons [][]Button
	for _, row := range rows {
		btns, ok := row.([]any)
		if !ok {
			return nil, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
		}
		if len(btns) == 0 {
			continue
		}
		var crow []map[string]any
		var brow []Button
		for _, b := range btns {
			obj, ok := b.(map[string]any)
			if !ok {
				return nil, errButton("InlineKeyboardButton must be an Object")
			}
			btn, e := parseInlineButton(obj)
			if e != nil {
				return nil, e
			}
			crow = append(crow, obj)
			brow = append(brow, btn)
		}
		canon = append(canon, crow)
		buttons = append(buttons, brow)
	}
	if len(buttons) == 0 {
		// An empty inline keyboard means no keyboard.
		return &markup{kind: markupNone}, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"inline_keyboard": canon}); err != nil {
		return nil, errMarkupJSON()
	}
	return &markup{kind: markupInline, canonical: json.RawMessage(bytes.TrimSpace(buf.Bytes())), buttons: buttons}, nil
}

// parseInlineButton validates one button and normalizes obj in place
// (an empty copy_text and pay=false, as sent by go-telegram/bot, are dropped).
func parseInlineButton(obj map[string]any) (Button, *apiError) {
	var btn Button
	if ct, ok := obj["copy_text"].(map[string]any); ok {
		if t, _ := ct["text"].(string); t == "" {
			delete(obj, "copy_text")
		}
	}
	if obj["pay"] == false {
		delete(obj, "pay")
	}
	text, ok := obj["text"].(string)
	if !ok {
		return btn, errButton("Field \"text\" must be of type String")
	}
	if strings.TrimSpace(text) == "" {
		return btn, badRequest("BUTTON_TEXT_INVALID")
	}
	btn.Text = text
	actions := 0
	for k := range obj {
		if isInlineAction(k) {
			actions++
		}
	}
	if actions == 0 {
		return btn, errButton("Text buttons are unallowed in the inline keyboard")
	}
	if actions > 1 {
		return btn, errButton("only one of the optional fields must be used")
	}
	if v, ok := obj["callback_data"]; ok {
		data, ok := v.(string)
		if !ok {
			return btn, errButton("Field \"callback_data\" must be of type String")
		}
		if len(data) < 1 || len(data) > 64 {
			return btn, badRequest("BUTTON_DATA_INVALID")
		}
		btn.Data = data
	}
	if v, ok := obj["web_app"]; ok {
		wa, ok := v.(map[string]any)
		u, _ := wa["url"].(string)
		if !ok || !strings.HasPrefix(strings.ToLower(u), "https://") {
			return btn, badRequest("BUTTON_TYPE_INVALID")
		}
		btn.WebApp = u
	}
	if v, ok := obj["url"]; ok {
		u, ok := v.(string)
		if !ok {
			return btn, errButton("Field \"url\" must be of type String")
		}
		if !validButtonURL(u) {
			return btn, badRequest("BUTTON_URL_INVALID")
		}
		btn.URL = u
	}
	return btn, nil
}

func validButtonURL(u string) bool {
	l := strings.ToLower(u)
	for _, p := range []string{"http://", "https://", "tg://"} {
		if strings.HasPrefix(l, p) && len(l) > len(p) && !strings.ContainsAny(u, " \t\n") {
			return true
		}
	}
	return false
}
