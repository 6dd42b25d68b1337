// Package desk is the advisor's web desk: one web app, opened inside
// Telegram as a Mini App or in any browser, on the same data and the same
// rules as the bot. Its pages (the caseload, a person, a new plan, the
// settings, a printable brief) are server-rendered html/template with a
// little JavaScript and embedded assets; its charts are SVG drawn here.
//
// Every action calls the dialogs' own operations (dialogs/desk.go): the
// same validation, authorization and notification as the Telegram flows,
// each change to a beneficiary pushed into that beneficiary's lane. The
// desk itself keeps only sessions.
//
// Security: a session comes from a single-use login link (/bureau in
// Telegram, 10 minutes) or from Telegram's Mini App initData, checked with
// the bot token (HMAC-SHA256, bounded age); it lives in Redis with a TTL
// behind an HttpOnly cookie, and /deconnexion ends them all. Every form
// carries the session's CSRF token; every beneficiary id in a URL is
// resolved inside the advisor's own caseload (another one is a 404, not a
// 403 that would confirm it exists); the Content-Security-Policy allows
// nothing from elsewhere; logs carry ids only.
package desk

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"suivi/catalog"
	"suivi/dialogs"
	"suivi/domain"
	"suivi/store"
)

// Actions are the dialogs' operations the desk calls (*dialogs.Router).
type Actions interface {
	DeskAdvisor(ctx context.Context, id int64) (*domain.Advisor, error)
	DeskCaseload(ctx context.Context, adv *domain.Advisor) ([]dialogs.Case, error)
	DeskPerson(ctx context.Context, adv *domain.Advisor, benID string) (dialogs.Case, error)
	DeskReply(ctx context.Context, adv *domain.Advisor, benID, id, text string) error
	DeskNudge(ctx context.Context, adv *domain.Advisor, benID, id string) error
	DeskClose(ctx context.Context, adv *domain.Advisor, benID, id string) error
	DeskRevise(ctx context.Context, adv *domain.Advisor, benID, id string, ops []domain.RevOp) ([]domain.Revised, error)
	DeskBrief(ctx context.Context, adv *domain.Advisor, benID string) (string, bool, error)
	DeskExport(ctx context.Context, adv *domain.Advisor) ([]byte, error)
	DeskTemplates(lang domain.Lang) []dialogs.DeskTemplate
	DeskNewPlan(ctx context.Context, adv *domain.Advisor, id, name, template string, steps []domain.Step) (dialogs.DeskInvite, error)
	DeskSetDigest(ctx context.Context, adv *domain.Advisor, weekday, hour int) (*domain.Advisor, error)
	DeskSetLang(ctx context.Context, adv *domain.Advisor, lang domain.Lang) (*domain.Advisor, error)
	DeskSetWork(ctx context.Context, adv *domain.Advisor, w domain.WorkHours) (*domain.Advisor, error)
	DeskAdvisors(ctx context.Context, adv *domain.Advisor) ([]domain.Advisor, error)
	DeskSetAbsence(ctx context.Context, adv *domain.Advisor, id string, standIn int64, from, until domain.Date) (*domain.Advisor, error)
	DeskEndAbsence(ctx context.Context, adv *domain.Advisor) (*domain.Advisor, error)
}

// Sessions keep who is signed in (*store.Store).
type Sessions interface {
	RedeemDeskLogin(ctx context.Context, token string, now time.Time) (int64, error)
	NewDeskSession(ctx context.Context, advisorID int64, ttl time.Duration) (store.DeskSession, error)
	DeskSessionByID(ctx context.Context, id string) (store.DeskSession, error)
	EndDeskSessions(ctx context.Context, advisorID int64) (int, error)
}

// Options configure a Server.
type Options struct {
	Actions  Actions
	Sessions Sessions
	Catalog  *catalog.Catalog
	Now      func() time.Time
	Log      *slog.Logger
	// BotToken checks Mini App initData.
	BotToken string
	// PublicURL is where the desk is reached ("https://…" makes cookies
	// Secure and allows Telegram's Mini App frame).
	PublicURL string
	// Zone is the default zone (dates shown to advisors).
	Zone *time.Location
	// SessionTTL is how long a session lasts (default 8 hours).
	SessionTTL time.Duration
	// InitDataMaxAge bounds the age of a Mini App's initData (default 1 hour).
	InitDataMaxAge time.Duration
}

// Server serves the desk under /desk/.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu       sync.Mutex
	limiters map[string]*rate.Limiter // sign-in attempts per client address
}

// cookieName holds the session id.
const cookieName = "suivi_desk"

// New returns the desk's handler.
func New(o Options) *Server {
	if o.SessionTTL <= 0 {
		o.SessionTTL = 8 * time.Hour
	}
	if o.InitDataMaxAge <= 0 {
		o.InitDataMaxAge = time.Hour
	}
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	if o.Catalog == nil {
		o.Catalog = catalog.New()
	}
	s := &Server{opts: o, limiters: map[string]*rate.Limiter{}}
	s.routes()
	return s
}

// ServeHTTP implements http.Handler, with the desk's security headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	frame := "'none'"
	if strings.HasPrefix(s.opts.PublicURL, "https://") {
		frame = "https://web.telegram.org" // Telegram Web opens Mini Apps in a frame
	}
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors "+frame)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.Handle("GET /desk/static/", http.StripPrefix("/desk/static/", http.FileServerFS(staticFS())))
	m.HandleFunc("GET /desk/login", s.login)
	m.HandleFunc("GET /desk/app", s.miniApp)
	m.HandleFunc("POST /desk/app/session", s.miniAppSession)
	m.HandleFunc("GET /desk/{$}", s.signedIn(s.caseload))
	m.HandleFunc("GET /desk/export.csv", s.signedIn(s.export))
	m.HandleFunc("GET /desk/p/{id}", s.signedIn(s.person))
	m.HandleFunc("GET /desk/p/{id}/brief", s.signedIn(s.brief))
	m.HandleFunc("POST /desk/p/{id}/reply", s.signedIn(s.posted(s.reply)))
	m.HandleFunc("POST /desk/p/{id}/nudge", s.signedIn(s.posted(s.nudge)))
	m.HandleFunc("POST /desk/p/{id}/close", s.signedIn(s.posted(s.closeIt)))
	m.HandleFunc("POST /desk/p/{id}/step/{step}", s.signedIn(s.posted(s.editStep)))
	m.HandleFunc("POST /desk/p/{id}/steps", s.signedIn(s.posted(s.addStep)))
	m.HandleFunc("GET /desk/new", s.signedIn(s.newPlanForm))
	m.HandleFunc("POST /desk/new", s.signedIn(s.posted(s.newPlan)))
	m.HandleFunc("GET /desk/settings", s.signedIn(s.settings))
	m.HandleFunc("POST /desk/settings", s.signedIn(s.posted(s.saveSettings)))
	m.HandleFunc("POST /desk/logout", s.signedIn(s.posted(s.logout)))
	m.HandleFunc("/desk/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	s.mux = m
}

// visit is one signed-in request.
type visit struct {
	w    http.ResponseWriter
	r    *http.Request
	sess store.DeskSession
	adv  *domain.Advisor
	lang domain.Lang
}

type handler func(v *visit) error

// signedIn resolves the session cookie to an advisor, on every request, or
// shows how to sign in.
func (s *Server) signedIn(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err != nil {
			s.signInPage(w, r)
			return
		}
		sess, err := s.opts.Sessions.DeskSessionByID(r.Context(), c.Value)
		if errors.Is(err, store.ErrNotFound) {
			s.signInPage(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		adv, err := s.opts.Actions.DeskAdvisor(r.Context(), sess.Advisor)
		if errors.Is(err, dialogs.ErrNotAdvisor) {
			s.signInPage(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v := &visit{w: w, r: r, sess: sess, adv: adv, lang: domain.French}
		if adv.Lang.Valid() {
			v.lang = adv.Lang
		}
		if err := h(v); err != nil {
			s.fail(w, r, err)
		}
	}
}

// posted checks the CSRF token of a state-changing request.
func (s *Server) posted(h handler) handler {
	return func(v *visit) error {
		if err := v.r.ParseForm(); err != nil {
			http.Error(v.w, "bad form", http.StatusBadRequest)
			return nil
		}
		got := v.r.PostForm.Get("csrf")
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(v.sess.CSRF)) != 1 {
			s.opts.Log.Warn("desk: request without a valid CSRF token", "advisor", v.adv.ID, "path", v.r.URL.Path)
			http.Error(v.w, "missing or wrong CSRF token", http.StatusForbidden)
			return nil
		}
		return h(v)
	}
}

// fail answers an error: a beneficiary outside the caseload is a 404.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, dialogs.ErrNotInCaseload) {
		http.NotFound(w, r)
		return
	}
	s.opts.Log.Error("desk", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// redirect answers a POST with the page to show, and a notice key.
func redirect(v *visit, path, done string) error {
	u := path
	if done != "" {
		u += "?done=" + url.QueryEscape(done)
	}
	http.Redirect(v.w, v.r, u, http.StatusSeeOther)
	return nil
}

// allow limits sign-in attempts per client address.
func (s *Server) allow(r *http.Request) bool {
	addr := r.RemoteAddr
	if i := strings.LastIndex(addr, ":"); i > 0 {
		addr = addr[:i]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.limiters) > 10000 {
		s.limiters = map[string]*rate.Limiter{}
	}
	l := s.limiters[addr]
	if l == nil {
		l = rate.NewLimiter(rate.Every(6*time.Second), 10)
		s.limiters[addr] = l
	}
	return l.Allow()
}

func (s *Server) secure() bool { return strings.HasPrefix(s.opts.PublicURL, "https://") }

// startSession opens a session and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, advisorID int64, miniApp bool) error {
	sess, err := s.opts.Sessions.NewDeskSession(r.Context(), advisorID, s.opts.SessionTTL)
	if err != nil {
		return err
	}
	c := &http.Cookie{Name: cookieName, Value: sess.ID, Path: "/desk/", HttpOnly: true, Secure: s.secure(),
		MaxAge: int(s.opts.SessionTTL.Seconds()), SameSite: http.SameSiteLaxMode}
	if miniApp && s.secure() {
		// Telegram Web shows the Mini App in a frame of its own site.
		c.SameSite = http.SameSiteNoneMode
	}
	http.SetCookie(w, c)
	s.opts.Log.Info("desk session", "advisor", advisorID, "mini_app", miniApp)
	return nil
}

// login answers a login link: used up, it opens a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.allow(r) {
		http.Error(w, "too many attempts: wait a minute", http.StatusTooManyRequests)
		return
	}
	id, err := s.opts.Sessions.RedeemDeskLogin(r.Context(), r.URL.Query().Get("t"), s.opts.Now())
	if errors.Is(err, store.ErrLoginUnknown) {
		s.signInPageStatus(w, r, http.StatusUnauthorized, catalog.DeskLinkUsed)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.opts.Actions.DeskAdvisor(r.Context(), id); err != nil {
		s.signInPageStatus(w, r, http.StatusUnauthorized, catalog.DeskNotAdvisor)
		return
	}
	if err := s.startSession(w, r, id, false); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/desk/", http.StatusSeeOther)
}

// miniApp is the page Telegram opens from the web_app button: its script
// sends Telegram's initData to miniAppSession.
func (s *Server) miniApp(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "miniapp.html", &pageData{Lang: domain.French, cat: s.opts.Catalog})
}

// miniAppSession checks a Mini App's initData and opens a session.
func (s *Server) miniAppSession(w http.ResponseWriter, r *http.Request) {
	if !s.allow(r) {
		http.Error(w, "too many attempts: wait a minute", http.StatusTooManyRequests)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	user, err := CheckInitData(r.PostForm.Get("initData"), s.opts.BotToken, s.opts.Now(), s.opts.InitDataMaxAge)
	if err != nil {
		s.opts.Log.Warn("desk: Mini App initData refused", "err", err)
		http.Error(w, "Telegram's data could not be checked: open the desk again from Telegram", http.StatusUnauthorized)
		return
	}
	if _, err := s.opts.Actions.DeskAdvisor(r.Context(), user); err != nil {
		http.Error(w, "only advisors have a desk", http.StatusUnauthorized)
		return
	}
	if err := s.startSession(w, r, user, true); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// logout ends every session of the advisor (as /deconnexion does).
func (s *Server) logout(v *visit) error {
	if _, err := s.opts.Sessions.EndDeskSessions(v.r.Context(), v.adv.ID); err != nil {
		return err
	}
	http.SetCookie(v.w, &http.Cookie{Name: cookieName, Value: "", Path: "/desk/", MaxAge: -1, HttpOnly: true, Secure: s.secure()})
	s.signInPageStatus(v.w, v.r, http.StatusOK, catalog.DeskLoggedOut)
	return nil
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	s.signInPageStatus(w, r, http.StatusUnauthorized, catalog.DeskSignin)
}

func (s *Server) signInPageStatus(w http.ResponseWriter, r *http.Request, status int, why catalog.Key) {
	s.render(w, r, status, "signin.html", &pageData{Lang: domain.French, cat: s.opts.Catalog, Notice: s.opts.Catalog.Plain(domain.French, why)})
}
