package telegramtest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// This file mirrors Telegram's HTML parse mode (td's parse_html): the same
// tags, the same attribute rules and the same error wording. It is stricter
// than Telegram on one point, following the Bot API documentation: in text,
// a '&' that does not start one of &lt; &gt; &amp; &quot; or a numeric
// entity is an error (Telegram itself keeps it literally).

func supportedTag(name string) bool {
	switch name {
	case "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
		"span", "tg-spoiler", "tg-emoji", "code", "pre", "blockquote":
		return true
	}
	return false
}

func isHTMLSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

type openTag struct {
	name       string
	arg        string
	expandable bool
	offset     int // UTF-16 offset in the plain text
}

// parseHTML converts an HTML-formatted text to plain text and entities.
// reason is non-empty when the text is invalid.
func parseHTML(s string) (plain string, entities []models.MessageEntity, reason string) {
	var out strings.Builder
	offset := 0
	var stack []openTag
	n := len(s)
	add := func(t models.MessageEntityType, open openTag) *models.MessageEntity {
		length := offset - open.offset
		if length <= 0 {
			return nil
		}
		entities = append(entities, models.MessageEntity{Type: t, Offset: open.offset, Length: length})
		return &entities[len(entities)-1]
	}
	for i := 0; i < n; {
		c := s[i]
		if c == '&' {
			r, size, why := decodeHTMLEntity(s, i)
			if why != "" {
				return "", nil, why
			}
			out.WriteRune(r)
			offset += utf16.RuneLen(r)
			i += size
			continue
		}
		if c != '<' {
			r, size := utf8.DecodeRuneInString(s[i:])
			out.WriteString(s[i : i+size])
			offset += utf16.RuneLen(r)
			i += size
			continue
		}
		begin := i
		if i+1 < n && s[i+1] == '/' {
			// End tag.
			if len(stack) == 0 {
				return "", nil, fmt.Sprintf("Unexpected end tag at byte offset %d", begin)
			}
			j := i + 2
			for j < n && !isHTMLSpace(s[j]) && s[j] != '>' {
				j++
			}
			endName := strings.ToLower(s[i+2 : j])
			for j < n && isHTMLSpace(s[j]) {
				j++
			}
			if j >= n || s[j] != '>' {
				return "", nil, fmt.Sprintf("Unclosed end tag at byte offset %d", begin)
			}
			i = j + 1
			open := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if endName != "" && endName != open.name {
				return "", nil, fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, open.name, endName)
			}
			switch open.name {
			case "b", "strong":
				add(models.MessageEntityTypeBold, open)
			case "i", "em":
				add(models.MessageEntityTypeItalic, open)
			case "u", "ins":
				add(models.MessageEntityTypeUnderline, open)
			case "s", "strike", "del":
				add(models.MessageEntityTypeStrikethrough, open)
			case "tg-spoiler", "span":
				add(models.MessageEntityTypeSpoiler, open)
			case "a":
				if open.arg != "" {
					if e := add(models.MessageEntityTypeTextLink, open); e != nil {
						e.URL = open.arg
					}
				}
			case "code":
				if e := add(models.MessageEntityTypeCode, open); e != nil {
					e.Language = open.arg // kept only if it becomes a pre
				}
			case "pre":
				length := offset - open.offset
				if k := len(entities) - 1; k >= 0 && entities[k].Type == models.MessageEntityTypeCode &&
					entities[k].Offset == open.offset && entities[k].Length == length && entities[k].Language != "" {
					entities[k].Type = models.MessageEntityTypePre
				} else if e := add(models.MessageEntityTypePre, open); e != nil {
					e.Language = ""
				}
			case "blockquote":
				t := models.MessageEntityTypeBlockquote
				if open.expandable {
					t = models.MessageEntityTypeExpandableBlockquote
				}
				add(t, open)
			case "tg-emoji":
				if e := add(models.MessageEntityTypeCustomEmoji, open); e != nil {
					e.CustomEmojiID = open.arg
				}
			}
			continue
		}

		// Start tag.
		j := i + 1
		for j < n && !isHTMLSpace(s[j]) && s[j] != '>' {
			j++
		}
		if j >= n {
			return "", nil, fmt.Sprintf("Unclosed start tag at byte offset %d", begin)
		}
		name := strings.ToLower(s[i+1 : j])
		if !supportedTag(name) {
			return "", nil, fmt.Sprintf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
		}
		i = j
		tag := openTag{name: name, offset: offset}
		for {
			for i < n && isHTMLSpace(s[i]) {
				i++
			}
			if i >= n {
				return "", nil, fmt.Sprintf("Unclosed start tag at byte offset %d", begin)
			}
			if s[i] == '>' {
				i++
				break
			}
			attrBegin := i
			for i < n && !isHTMLSpace(s[i]) && s[i] != '=' && s[i] != '>' {
				i++
			}
			attr := strings.ToLower(s[attrBegin:i])
			if attr == "" {
				return "", nil, fmt.Sprintf("Empty attribute name in the tag \"%s\" at byte offset %d", name, begin)
			}
			for i < n && isHTMLSpace(s[i]) {
				i++
			}
			if i >= n {
				return "", nil, fmt.Sprintf("Unclosed start tag at byte offset %d", begin)
			}
			if s[i] != '=' {
				if name == "blockquote" && attr == "expandable" {
					tag.expandable = true
					continue
				}
				return "", nil, fmt.Sprintf("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", name, begin)
			}
			i++
			for i < n && isHTMLSpace(s[i]) {
				i++
			}
			if i >= n {
				return "", nil, fmt.Sprintf("Unclosed start tag at byte offset %d", begin)
			}
			var value string
			if s[i] != '"' && s[i] != '\'' {
				tokenBegin := i
				for i < n && (isAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
					i++
				}
				value = strings.ToLower(s[tokenBegin:i])
				if i >= n {
					return "", nil, fmt.Sprintf("Unclosed start tag at byte offset %d", begin)
				}
				if !isHTMLSpace(s[i]) && s[i] != '>' {
					return "", nil, fmt.Sprintf("Unexpected end of name token at byte offset %d", tokenBegin)
				}
			} else {
				quote := s[i]
				i++
				var v strings.Builder
				for i < n && s[i] != quote {
					if s[i] == '&' {
						if r, size, why := decodeHTMLEntity(s, i); why == "" {
							v.WriteRune(r)
							i += size
							continue
						}
					}
					v.WriteByte(s[i])
					i++
				}
				if i >= n {
					return "", nil, fmt.Sprintf("Unclosed start tag at byte offset %d", begin)
				}
				i++
				value = v.String()
			}
			switch {
			case name == "a" && attr == "href":
				tag.arg = value
			case name == "code" && attr == "class" && strings.HasPrefix(value, "language-"):
				tag.arg = value[len("language-"):]
			case name == "span" && attr == "class" && strings.HasPrefix(value, "tg-"):
				tag.arg = value[len("tg-"):]
			case name == "tg-emoji" && attr == "emoji-id":
				tag.arg = value
			case name == "blockquote" && attr == "expandable":
				tag.expandable = true
			}
		}
		if name == "span" && tag.arg != "spoiler" {
			return "", nil, fmt.Sprintf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
		}
		if name == "tg-emoji" {
			if id, err := strconv.ParseInt(tag.arg, 10, 64); err != nil || id <= 0 {
				return "", nil, "Invalid custom emoji identifier specified"
			}
		}
		stack = append(stack, tag)
	}
	if len(stack) > 0 {
		return "", nil, fmt.Sprintf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	for k := range entities {
		if entities[k].Type == models.MessageEntityTypeCode {
			entities[k].Language = ""
		}
	}
	sort.SliceStable(entities, func(a, b int) bool {
		if entities[a].Offset != entities[b].Offset {
			return entities[a].Offset < entities[b].Offset
		}
		return entities[a].Length > entities[b].Length
	})
	return out.String(), entities, ""
}

// decodeHTMLEntity decodes the entity starting with '&' at s[i]. It accepts
// &lt; &gt; &amp; &quot;, &#N; and &#xH; (the ';' is required).
func decodeHTMLEntity(s string, i int) (r rune, size int, reason string) {
	n := len(s)
	j := i + 1
	if j < n && s[j] == '#' {
		j++
		base := 10
		if j < n && (s[j] == 'x' || s[j] == 'X') {
			base = 16
			j++
		}
		start := j
		for j < n && isDigitOfBase(s[j], base) {
			j++
		}
		if j == start || j >= n || s[j] != ';' || j-start > 8 {
			return 0, 0, fmt.Sprintf("Invalid numeric HTML entity at byte offset %d", i)
		}
		v, err := strconv.ParseInt(s[start:j], base, 32)
		if err != nil || v <= 0 || v > utf8.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
			return 0, 0, fmt.Sprintf("Invalid numeric HTML entity at byte offset %d", i)
		}
		return rune(v), j + 1 - i, ""
	}
	start := j
	for j < n && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
		j++
	}
	name := s[start:j]
	if name != "" && j < n && s[j] == ';' {
		switch name {
		case "lt":
			return '<', j + 1 - i, ""
		case "gt":
			return '>', j + 1 - i, ""
		case "amp":
			return '&', j + 1 - i, ""
		case "quot":
			return '"', j + 1 - i, ""
		}
		return 0, 0, fmt.Sprintf("Unsupported HTML entity \"&%s;\" at byte offset %d", name, i)
	}
	return 0, 0, fmt.Sprintf("Character '&' must be escaped as \"&amp;\" at byte offset %d", i)
}

func isDigitOfBase(c byte, base int) bool {
	if c >= '0' && c <= '9' {
		return true
	}
	return base == 16 && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')
}
