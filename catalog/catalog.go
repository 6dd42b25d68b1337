// Package catalog holds every sentence Suivi says, in French and English,
// in one place. Texts are Telegram HTML; values put into them are escaped,
// so nothing a user typed can break a message's markup.
package catalog

import (
	"fmt"
	"html"
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
	for lang, web := range map[domain.Lang]map[Key]string{domain.French: webFrench(), domain.English: webEnglish()} {
		for k, v := range web {
			texts[lang][k] = v
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
// each {name} placeholder replaced by the value following "name" in kv.
// Values are HTML-escaped; use HTML(...) for a value that is already markup.
func (c *Catalog) T(lang domain.Lang, key Key, kv ...any) string {
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
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(kv[i])+"}", value(kv[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
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

// Status returns the label of a step status.
func (c *Catalog) Status(lang domain.Lang, s domain.Status) string {
	return c.T(lang, Key("status."+string(s)))
}

// Owner returns who does a step, as said to the beneficiary.
func (c *Catalog) Owner(lang domain.Lang, o domain.Owner) string {
	return c.T(lang, Key("owner."+string(o)))
}
