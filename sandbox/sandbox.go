// Package sandbox is the web side of `suivi sandbox`: a page that plays
// Telegram for both roles (two phones side by side, live), a clock bar that
// moves the bot's clock forward, and a small JSON API for scripted demos and
// tests. It drives a World — the real bot, wired by cmd/suivi exactly as in
// production, on an embedded Redis and the in-process fake Bot API — and
// knows nothing of dialogs or the store: people act through the fake
// Telegram users, and time moves through the world's clock.
package sandbox

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"suivi/catalog"
	"suivi/internal/clock"
	"suivi/telegramtest"
)

// Roles of the people of a sandbox.
const (
	RoleBeneficiary = "beneficiary"
	RoleAdvisor     = "advisor"
)

// Person is someone with a phone in the sandbox: a simulated Telegram user.
type Person struct {
	// ID is the person's Telegram user id (and chat id).
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	// Lang is the language of the person's Telegram app ("fr", "en").
	Lang string `json:"lang"`
	// Invite is a beneficiary's invite link, until they open it.
	Invite string `json:"invite,omitempty"`
	// Advisor is a beneficiary's advisor.
	Advisor int64 `json:"advisor,omitempty"`
	// Template is the example plan a beneficiary was made from.
	Template string `json:"template,omitempty"`
}

// Template is an example plan a beneficiary can be made from.
type Template struct {
	Name   string `json:"name"`   // e.g. "permis-mobilite"
	Person string `json:"person"` // the example's first name
	Title  string `json:"title"`  // what the case is about, in a few words
}

// NewBeneficiary says who to add: from a template, or from an invite link
// an advisor made in Telegram (the code after ?start=).
type NewBeneficiary struct {
	Template string
	Advisor  int64
	Invite   string
}

// World is one running Suivi with its simulated Telegram side.
type World interface {
	// Clock is the bot's clock; the sandbox only moves it forward.
	Clock() *clock.Offset
	// Fake is the Bot API the bot talks to.
	Fake() *telegramtest.Server
	// User returns the simulated Telegram user of a person.
	User(id int64) (*telegramtest.User, bool)
	// People lists everyone, in the order they were added.
	People() []Person
	// Templates lists the example plans.
	Templates() []Template
	AddBeneficiary(ctx context.Context, nb NewBeneficiary) (Person, error)
	AddAdvisor(ctx context.Context, name string) (Person, error)
	// Zone returns the IANA zone a person lives in, as the bot knows it.
	Zone(ctx context.Context, id int64) string
	// DefaultZone is the bot's default zone (SUIVI_TIMEZONE), the clock's.
	DefaultZone() string
	// NextJob returns when the bot's next scheduled job is due.
	NextJob(ctx context.Context) (time.Time, bool, error)
	// Settle waits until the bot has done everything due at the clock's
	// current time.
	Settle(ctx context.Context) error
	// Handler serves the bot's own /healthz and /metrics.
	Handler() http.Handler
	// Close stops the bot and frees everything.
	Close()
}

// Options configure a Server.
type Options struct {
	// Open starts a fresh world (at start and on every reset).
	Open func(ctx context.Context) (World, error)
	// Catalog holds the page's texts.
	Catalog *catalog.Catalog
	// SettleTimeout bounds how long one action waits for the bot (default 20s).
	SettleTimeout time.Duration
}

// Server serves the sandbox page and its API.
type Server struct {
	opts Options
	mux  *http.ServeMux

	// op serializes what changes the world (actions, clock, reset), so a
	// clock jump never cuts through a conversation being handled.
	op sync.Mutex

	mu      sync.RWMutex
	world   World
	changed chan struct{} // closed and replaced when the world or its clock changes
}

// ErrClosed is returned by a world that was reset meanwhile.
var ErrClosed = errors.New("sandbox: world closed")

// New opens the first world and returns the server.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.SettleTimeout <= 0 {
		opts.SettleTimeout = 20 * time.Second
	}
	if opts.Catalog == nil {
		opts.Catalog = catalog.New()
	}
	w, err := opts.Open(ctx)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, world: w, changed: make(chan struct{})}
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops the current world.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.world != nil {
		s.world.Close()
		s.world = nil
	}
}

// current returns the world in use.
func (s *Server) current() (World, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.world == nil {
		return nil, ErrClosed
	}
	return s.world, nil
}

// notify wakes the page's event streams.
func (s *Server) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) changes() <-chan struct{} {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.changed
}

// reset replaces the world by a fresh one.
func (s *Server) reset(ctx context.Context) error {
	s.mu.Lock()
	old := s.world
	s.world = nil
	s.mu.Unlock()
	if old != nil {
		old.Close()
	}
	w, err := s.opts.Open(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.world = w
	s.mu.Unlock()
	s.notify()
	return nil
}
