package desk

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"suivi/catalog"
	"suivi/dialogs"
	"suivi/domain"
)

//go:embed templates static
var assets embed.FS

func staticFS() fs.FS {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // embedded
	}
	return sub
}

// pages are parsed once: each page with the layout.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	entries, err := fs.ReadDir(assets, "templates")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" {
			continue
		}
		out[name] = template.Must(template.New(name).ParseFS(assets, "templates/layout.html", "templates/"+name))
	}
	return out
}()

// pageData is what every page gets; the page's own fields are in Page.
type pageData struct {
	Lang    domain.Lang
	Title   string
	Advisor *domain.Advisor
	CSRF    string
	Nonce   string // the form's own id: a form sent twice acts once
	Notice  string
	Problem string
	Page    any

	cat  *catalog.Catalog
	zone *time.Location
	now  time.Time
}

// T returns a text of the desk in the page's language, as plain text
// (html/template escapes it).
func (p *pageData) T(key string, kv ...any) string {
	return p.cat.Plain(p.Lang, catalog.Key("desk."+key), kv...)
}

// Status, Owner and State name a step status, an owner, a person's state.
func (p *pageData) Status(s domain.Status) string {
	return p.cat.Plain(p.Lang, catalog.Key("status."+string(s)))
}
func (p *pageData) Owner(o domain.Owner) string {
	return p.cat.Plain(p.Lang, catalog.Key("owner."+string(o)))
}
func (p *pageData) State(s domain.State) string {
	return p.cat.Plain(p.Lang, catalog.Key("state."+string(s)))
}

// DueP writes a due date a step's history points to.
func (p *pageData) DueP(dt *domain.DateTime) string {
	if dt == nil {
		return ""
	}
	return p.DateTime(*dt)
}

// Date writes a local date, DateTime a step's due date, When an instant.
func (p *pageData) Date(d domain.Date) string          { return p.cat.Date(p.Lang, d) }
func (p *pageData) DateTime(dt domain.DateTime) string { return p.cat.DateTime(p.Lang, dt) }
func (p *pageData) When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.cat.Instant(p.Lang, t, p.zone)
}

// Score names a score (4 → "🙂 Bien").
func (p *pageData) Score(n int) string {
	return p.cat.Plain(p.Lang, catalog.Key(fmt.Sprintf("score.%d", n)))
}

// Answer names a quick answer to the plan's question.
func (p *pageData) Answer(v string) string { return p.cat.Plain(p.Lang, catalog.Key("answer."+v)) }

// Lines joins a list one item per line (textareas).
func (p *pageData) Lines(v []string) string { return strings.Join(v, "\n") }

// Telegram renders a text of the bot (Telegram HTML from the catalog, its
// values escaped there) as HTML.
func (p *pageData) Telegram(s string) template.HTML {
	return template.HTML(strings.ReplaceAll(s, "\n", "<br>"))
}

// PNG makes a data: URL of an image (the invite's QR code).
func (p *pageData) PNG(b []byte) template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
}

// SVG trusts a chart drawn here (svg.go escapes every text in it).
func (p *pageData) SVG(s string) template.HTML { return template.HTML(s) }

// Case helpers for the templates.
func (p *pageData) Done(c dialogs.Case) int {
	n := 0
	for _, s := range c.Plan.Steps {
		if s.Status == domain.StatusDone {
			n++
		}
	}
	return n
}

func (p *pageData) Total(c dialogs.Case) int {
	n := 0
	for _, s := range c.Plan.Steps {
		if s.Status != domain.StatusCancelled {
			n++
		}
	}
	return n
}

// NextMeeting is the first follow-up meeting from today, "" when none.
func (p *pageData) NextMeeting(c dialogs.Case) string {
	today := domain.DateOf(p.now.In(c.Ben.Location(p.zone)))
	for _, m := range c.Plan.Meetings {
		if !m.Date.Before(today) {
			return p.DateTime(m)
		}
	}
	return ""
}

// Consent says whether the person shares their answers.
func (p *pageData) Consent(c dialogs.Case) string {
	if c.Ben.Consent.Shares() {
		return p.T("consent_yes")
	}
	return p.T("consent_no")
}

// Sparkline draws the last weeks' scores of a case.
func (p *pageData) Sparkline(c dialogs.Case) template.HTML {
	return template.HTML(sparkline(c, weeksUntil(p.now, p.zone, chartWeeks), p.T("trend_label", "name", c.Ben.Name)))
}

func (s *Server) page(v *visit, title string, page any) *pageData {
	return &pageData{Lang: v.lang, Title: title, Advisor: v.adv, CSRF: v.sess.CSRF, Nonce: nonce(), Page: page,
		cat: s.opts.Catalog, zone: s.opts.Zone, now: s.opts.Now(), Notice: s.notice(v)}
}

// notice is the line that says what a form just did (?done=…).
func (s *Server) notice(v *visit) string {
	done := v.r.URL.Query().Get("done")
	for _, k := range []string{"reply", "nudge", "close", "saved", "settings", "absence"} {
		if done == k {
			return s.opts.Catalog.Plain(v.lang, catalog.Key("desk.done_"+k))
		}
	}
	return ""
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data *pageData) {
	if data.cat == nil {
		data.cat = s.opts.Catalog
	}
	if data.zone == nil {
		data.zone = s.opts.Zone
	}
	if data.now.IsZero() {
		data.now = s.opts.Now()
	}
	t := pages[name]
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", data); err != nil {
		s.fail(w, r, fmt.Errorf("page %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func nonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
