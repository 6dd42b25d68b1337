package sandbox

import (
	"html"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// renderHTML turns a message's plain text and its formatting entities (as
// Telegram hands them to clients, offsets in UTF-16 code units) into HTML
// for the page, the way a Telegram client draws them. Every character of the
// text is escaped: only the tags written here reach the page, so nothing a
// person typed can inject markup. Bot commands (/plan) become buttons that
// send the command, as a tap on them does in Telegram.
func renderHTML(plain string, ents []models.MessageEntity) string {
	units := utf16.Encode([]rune(plain))
	type edge struct {
		at    int
		open  bool
		order int // opening: longer first; closing: inner first
		tag   string
	}
	var edges []edge
	for i, e := range ents {
		if e.Length <= 0 || e.Offset < 0 || e.Offset+e.Length > len(units) {
			continue
		}
		open, closeTag := entityTags(e)
		if open == "" {
			continue
		}
		edges = append(edges,
			edge{at: e.Offset, open: true, order: -e.Length*1000 + i, tag: open},
			edge{at: e.Offset + e.Length, open: false, order: e.Length*1000 - i, tag: closeTag})
	}
	sort.SliceStable(edges, func(i, j int) bool {
		a, b := edges[i], edges[j]
		if a.at != b.at {
			return a.at < b.at
		}
		if a.open != b.open {
			return !a.open // close before open at the same place
		}
		return a.order < b.order
	})
	var out strings.Builder
	literal := 0 // inside code, pre or a link: no command buttons or links
	pos := 0
	flush := func(to int) {
		if to <= pos {
			return
		}
		text := string(utf16.Decode(units[pos:to]))
		if literal > 0 {
			out.WriteString(html.EscapeString(text))
		} else {
			out.WriteString(commands(text))
		}
		pos = to
	}
	for _, e := range edges {
		flush(e.at)
		out.WriteString(e.tag)
		switch {
		case e.tag == "<code>" || e.tag == "<pre>" || strings.HasPrefix(e.tag, "<a "):
			literal++
		case e.tag == "</code>" || e.tag == "</pre>" || e.tag == "</a>":
			literal--
		}
	}
	flush(len(units))
	return out.String()
}

// entityTags returns the HTML that opens and closes an entity, or "" for
// the kinds drawn as plain text.
func entityTags(e models.MessageEntity) (string, string) {
	switch e.Type {
	case models.MessageEntityTypeBold:
		return "<b>", "</b>"
	case models.MessageEntityTypeItalic:
		return "<i>", "</i>"
	case models.MessageEntityTypeUnderline:
		return "<u>", "</u>"
	case models.MessageEntityTypeStrikethrough:
		return "<s>", "</s>"
	case models.MessageEntityTypeSpoiler:
		return `<span class="spoiler">`, "</span>"
	case models.MessageEntityTypeCode:
		return "<code>", "</code>"
	case models.MessageEntityTypePre:
		return "<pre>", "</pre>"
	case models.MessageEntityTypeBlockquote, models.MessageEntityTypeExpandableBlockquote:
		return "<blockquote>", "</blockquote>"
	case models.MessageEntityTypeTextLink:
		if href, ok := safeLink(e.URL); ok {
			return `<a href="` + html.EscapeString(href) + `" target="_blank" rel="noopener noreferrer">`, "</a>"
		}
	}
	return "", ""
}

// safeLink accepts the links a Telegram client opens: web, mail and tg.
func safeLink(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto", "tg":
		return u.String(), true
	}
	return "", false
}

var (
	commandRE = regexp.MustCompile(`(^|[\s(])(/[a-z][a-z0-9_]{0,31})\b`)
	linkRE    = regexp.MustCompile(`https?://[^\s<>"]+`)
)

// commands escapes a run of text and turns the bot commands and web links
// in it into controls of the page.
func commands(text string) string {
	var out strings.Builder
	last := 0
	for _, m := range linkRE.FindAllStringIndex(text, -1) {
		out.WriteString(commandButtons(text[last:m[0]]))
		link := strings.TrimRight(text[m[0]:m[1]], ".,;:!?)")
		if href, ok := safeLink(link); ok {
			out.WriteString(`<a href="` + html.EscapeString(href) + `" target="_blank" rel="noopener noreferrer">` + html.EscapeString(link) + "</a>")
		} else {
			out.WriteString(html.EscapeString(link))
		}
		last = m[0] + len(link)
	}
	out.WriteString(commandButtons(text[last:]))
	return out.String()
}

func commandButtons(text string) string {
	var out strings.Builder
	last := 0
	for _, m := range commandRE.FindAllStringSubmatchIndex(text, -1) {
		out.WriteString(html.EscapeString(text[last:m[4]]))
		cmd := text[m[4]:m[5]]
		out.WriteString(`<button type="button" class="cmd" data-cmd="` + cmd + `">` + cmd + "</button>")
		last = m[5]
	}
	out.WriteString(html.EscapeString(text[last:]))
	return out.String()
}
