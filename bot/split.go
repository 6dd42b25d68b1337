package bot

import (
	"regexp"
	"strings"
	"unicode/utf16"
)

// MaxText is Telegram's limit on a message's text, counted (like Telegram
// counts entity offsets) in UTF-16 code units after entity parsing. We count
// the raw HTML, which is never shorter, so a part we produce always fits.
const MaxText = 4096

// Len returns the length of s as Telegram counts it: UTF-16 code units.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// Split cuts text into parts of at most limit UTF-16 units, between lines
// (preferring blank lines), so that each part stays valid HTML as long as
// every line of the text is. A single line longer than limit loses its
// markup and is cut between words.
func Split(text string, limit int) []string {
	if Len(text) <= limit {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if s := strings.Trim(cur.String(), "\n"); s != "" {
			parts = append(parts, s)
		}
		cur.Reset()
		curLen = 0
	}
	for _, line := range strings.Split(text, "\n") {
		l := Len(line)
		if l > limit {
			flush()
			parts = append(parts, splitWords(tagRE.ReplaceAllString(line, ""), limit)...)
			continue
		}
		if curLen+l+1 > limit {
			flush()
		}
		if curLen > 0 {
			cur.WriteByte('\n')
			curLen++
		}
		cur.WriteString(line)
		curLen += l
	}
	flush()
	return parts
}

// splitWords cuts a line of escaped text between words (or, for a word
// longer than limit, between characters, never inside an HTML entity).
func splitWords(line string, limit int) []string {
	var parts []string
	var cur strings.Builder
	curLen := 0
	for _, w := range strings.Fields(line) {
		for Len(w) > limit {
			cut := 0
			n := 0
			for i, r := range w {
				if n+utf16.RuneLen(r) > limit-8 {
					cut = i
					break
				}
				n += utf16.RuneLen(r)
			}
			if amp := strings.LastIndexByte(w[:cut], '&'); amp >= 0 && !strings.Contains(w[amp:cut], ";") {
				cut = amp
			}
			if curLen > 0 {
				parts = append(parts, cur.String())
				cur.Reset()
				curLen = 0
			}
			parts = append(parts, w[:cut])
			w = w[cut:]
		}
		if curLen > 0 && curLen+1+Len(w) > limit {
			parts = append(parts, cur.String())
			cur.Reset()
			curLen = 0
		}
		if curLen > 0 {
			cur.WriteByte(' ')
			curLen++
		}
		cur.WriteString(w)
		curLen += Len(w)
	}
	if curLen > 0 {
		parts = append(parts, cur.String())
	}
	return parts
}
