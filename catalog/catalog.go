// Package catalog holds every sentence Suivi says, in French and English,
// in one place. Texts are Telegram HTML; values put into them are escaped,
// so nothing a user typed can break a message's markup.
package catalog

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"

	"suivi/domain"
)

// Key names one text of the catalog.
type Key string

// Catalog looks texts up by language and key.
type Catalog struct {
	texts map[domain.Lang]map[Key]string
}

// New returns the built-in catalog.
func New() *Catalog {
	texts := map[domain.Lang]map[Key]string{
		domain.French:  french(),
		domain.English: english(),
	}
	for lang, web := range map[domain.Lang][]map[Key]string{
		domain.French:  {webFrench(), deskFrench(), myDataFrench(), journeysFrench(), problemsFrench()},
		domain.English: {webEnglish(), deskEnglish(), myDataEnglish(), journeysEnglish(), problemsEnglish()},
	} {
		for _, m := range web {
			for k, v := range m {
				texts[lang][k] = v
			}
		}
	}
	return &Catalog{texts: texts}
}

// Langs returns the languages of the catalog.
func (c *Catalog) Langs() []domain.Lang { return []domain.Lang{domain.French, domain.English} }

// Raw returns the template of key in lang, placeholders unfilled.
func (c *Catalog) Raw(lang domain.Lang, key Key) (string, bool) {
	s, ok := c.texts[lang][key]
	return s, ok
}

// T returns the text of key in lang (French when lang is unknown), with
// each {name} placeholder replaced by the value following "name" in kv,
// and each plural choice {name:one|other} by the form the count "name"
// takes ("1 personne suivie", "2 personnes suivies"). Values are
// HTML-escaped; use HTML(...) for a value that is already markup.
func (c *Catalog) T(lang domain.Lang, key Key, kv ...any) string {
	return c.fill(lang, key, value, kv)
}

// Plain is T for what Telegram shows as plain text, not HTML: button
// labels and callback answers. Values are put in as they are ("N'Diaye &
// Co", not "N&#39;Diaye &amp; Co"). Its templates hold no markup (checked
// by the catalog's tests for every label key).
func (c *Catalog) Plain(lang domain.Lang, key Key, kv ...any) string {
	return c.fill(lang, key, plainValue, kv)
}

func (c *Catalog) fill(lang domain.Lang, key Key, val func(any) string, kv []any) string {
	m, ok := c.texts[lang]
	if !ok {
		m = c.texts[domain.French]
	}
	s, ok := m[key]
	if !ok {
		s, ok = c.texts[domain.French][key]
	}
	if !ok {
		return string(key)
	}
	if len(kv) == 0 {
		return s
	}
	s = c.plurals(lang, s, kv)
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(kv[i])+"}", val(kv[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// pluralRE matches a plural choice in a text: {n:one|other} picks "one" or
// "other" by the count given as n, with the rule of the text's language.
// The forms hold no braces.
var pluralRE = regexp.MustCompile(`\{([a-z_]+):([^{}|]*)\|([^{}|]*)\}`)

// plurals resolves the plural choices of s with the counts in kv. A choice
// whose value is not a whole number takes the "other" form.
func (c *Catalog) plurals(lang domain.Lang, s string, kv []any) string {
	if !strings.Contains(s, "|") {
		return s
	}
	if _, ok := c.texts[lang]; !ok {
		lang = domain.French
	}
	return pluralRE.ReplaceAllStringFunc(s, func(m string) string {
		sm := pluralRE.FindStringSubmatch(m)
		for i := 0; i+1 < len(kv); i += 2 {
			if fmt.Sprint(kv[i]) != sm[1] {
				continue
			}
			if n, ok := count(kv[i+1]); ok && one(lang, n) {
				return sm[2]
			}
			break
		}
		return sm[3]
	})
}

// one reports whether n takes the singular in lang: 0 and 1 in French, 1
// in English (the CLDR rules).
func one(lang domain.Lang, n int64) bool {
	if lang == domain.English {
		return n == 1
	}
	return n == 0 || n == 1
}

// count reads a whole number given as a value.
func count(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), true
	}
	return 0, false
}

// HTML marks a value as markup already escaped, to be inserted as is.
type HTML string

func value(v any) string {
	switch x := v.(type) {
	case HTML:
		return string(x)
	case string:
		return html.EscapeString(x)
	default:
		return html.EscapeString(fmt.Sprint(x))
	}
}

// plainValue writes a value into plain text as it is.
func plainValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// Date writes a date for people: "lundi 15 décembre 2026" / "Monday 15 December 2026".
func (c *Catalog) Date(lang domain.Lang, d domain.Date) string {
	day := c.T(lang, Key(fmt.Sprintf("day.%d", int(d.Weekday()))))
	month := c.T(lang, Key(fmt.Sprintf("month.%d", int(d.Month))))
	return fmt.Sprintf("%s %d %s %d", day, d.Day, month, d.Year)
}

// DateTime writes a local date and, when known, its time of day.
func (c *Catalog) DateTime(lang domain.Lang, dt domain.DateTime) string {
	s := c.Date(lang, dt.Date)
	if dt.HasTime {
		s += c.T(lang, "time.at", "time", fmt.Sprintf("%02d:%02d", dt.Hour, dt.Minute))
	}
	return s
}

// Instant writes an instant as a date and time in loc.
func (c *Catalog) Instant(lang domain.Lang, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return c.DateTime(lang, domain.DateTime{Date: domain.DateOf(t), Hour: t.Hour(), Minute: t.Minute(), HasTime: true})
}

// StatusIcon returns the icon of a step status (⬜ 🔄 ✅ ⛔ ✖️).
func (c *Catalog) StatusIcon(lang domain.Lang, s domain.Status) string {
	return c.T(lang, Key("icon."+string(s)))
}

// Status returns the label of a step status.
func (c *Catalog) Status(lang domain.Lang, s domain.Status) string {
	return c.T(lang, Key("status."+string(s)))
}

// Owner returns who does a step, as said to the beneficiary.
func (c *Catalog) Owner(lang domain.Lang, o domain.Owner) string {
	return c.T(lang, Key("owner."+string(o)))
}
