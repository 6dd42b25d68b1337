package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"suivi/telegramtest"
)

// The JSON API. Every answer is JSON; an error is {"error": "one line"}
// with a 4xx status for a bad request, 5xx when the bot failed.

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.page)
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(staticFS())))
	m.HandleFunc("GET /api/people", s.apiPeople)
	m.HandleFunc("POST /api/people", s.apiAddPerson)
	m.HandleFunc("GET /api/templates", s.apiTemplates)
	m.HandleFunc("GET /api/people/{id}/messages", s.apiMessages)
	m.HandleFunc("POST /api/people/{id}/send", s.apiSend)
	m.HandleFunc("POST /api/people/{id}/voice", s.apiVoice)
	m.HandleFunc("POST /api/people/{id}/press", s.apiPress)
	m.HandleFunc("POST /api/people/{id}/invite", s.apiInvite)
	m.HandleFunc("GET /api/clock", s.apiClock)
	m.HandleFunc("POST /api/clock", s.apiMoveClock)
	m.HandleFunc("POST /api/reset", s.apiReset)
	m.HandleFunc("GET /api/events", s.apiEvents)
	m.HandleFunc("GET /api/files/{id}", s.apiFile)
	m.HandleFunc("GET /healthz", s.botHandler)
	m.HandleFunc("GET /metrics", s.botHandler)
	// The advisors' web desk, served by the bot as in production.
	m.HandleFunc("/desk/", s.botHandler)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "no such API call: %s %s (see the README's sandbox section)", r.Method, r.URL.Path)
	})
	s.mux = m
}

// maxBody bounds a request body (a voice recording is the largest).
const maxBody = 8 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers an error in one line.
func fail(w http.ResponseWriter, status int, format string, args ...any) {
	msg := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	writeJSON(w, status, map[string]string{"error": msg})
}

// failErr answers an error from the world: a timeout says the bot is busy.
func failErr(w http.ResponseWriter, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		fail(w, http.StatusServiceUnavailable, "the bot is still busy: %v", err)
		return
	}
	if errors.Is(err, ErrClosed) {
		fail(w, http.StatusServiceUnavailable, "the sandbox is being reset: try again")
		return
	}
	fail(w, http.StatusInternalServerError, "%v", err)
}

// decode reads a JSON body into v; an empty body leaves v as is.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		fail(w, http.StatusRequestEntityTooLarge, "request body too large (at most %d bytes)", maxBody)
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return true
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		fail(w, http.StatusBadRequest, "request body is not the JSON expected: %v", err)
		return false
	}
	return true
}

// person resolves the {id} of a path to a person of the current world.
func (s *Server) person(w http.ResponseWriter, r *http.Request) (World, Person, *telegramtest.User, bool) {
	world, err := s.current()
	if err != nil {
		failErr(w, err)
		return nil, Person{}, nil, false
	}
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, "%q is not a person id (see GET /api/people)", raw)
		return nil, Person{}, nil, false
	}
	for _, p := range world.People() {
		if p.ID == id {
			u, _ := world.User(id)
			return world, p, u, true
		}
	}
	fail(w, http.StatusNotFound, "no person %d here (see GET /api/people)", id)
	return nil, Person{}, nil, false
}

// settle waits, bounded, for the bot to finish what an action started.
func (s *Server) settle(r *http.Request, w World) error {
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.SettleTimeout)
	defer cancel()
	return w.Settle(ctx)
}

func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) {
	world, err := s.current()
	if err != nil {
		failErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"people": world.People()})
}

func (s *Server) apiTemplates(w http.ResponseWriter, r *http.Request) {
	world, err := s.current()
	if err != nil {
		failErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"templates": world.Templates()})
}

// addPerson is the body of POST /api/people.
type addPerson struct {
	Role     string `json:"role"`
	Template string `json:"template,omitempty"`
	Advisor  int64  `json:"advisor,omitempty"`
	Invite   string `json:"invite,omitempty"`
	Name     string `json:"name,omitempty"`
}

func (s *Server) apiAddPerson(w http.ResponseWriter, r *http.Request) {
	var req addPerson
	if !decode(w, r, &req) {
		return
	}
	s.op.Lock()
	defer s.op.Unlock()
	world, err := s.current()
	if err != nil {
		failErr(w, err)
		return
	}
	var p Person
	switch req.Role {
	case RoleBeneficiary:
		if req.Invite != "" {
			// A whole link pasted is fine too.
			if u, err := url.Parse(req.Invite); err == nil && u.Query().Get("start") != "" {
				req.Invite = u.Query().Get("start")
			}
		} else if req.Template == "" {
			fail(w, http.StatusBadRequest, "a beneficiary needs a template (see GET /api/templates) or an invite")
			return
		}
		p, err = world.AddBeneficiary(r.Context(), NewBeneficiary{Template: req.Template, Advisor: req.Advisor, Invite: req.Invite})
	case RoleAdvisor:
		name := strings.TrimSpace(req.Name)
		if name == "" || len([]rune(name)) > 64 || strings.ContainsAny(name, "\r\n") {
			fail(w, http.StatusBadRequest, "an advisor needs a name of one line, 1 to 64 characters")
			return
		}
		p, err = world.AddAdvisor(r.Context(), name)
	default:
		fail(w, http.StatusBadRequest, "role must be %q or %q, not %q", RoleBeneficiary, RoleAdvisor, req.Role)
		return
	}
	var bad *BadRequestError
	switch {
	case errors.As(err, &bad):
		fail(w, http.StatusBadRequest, "%s", bad.Msg)
		return
	case err != nil:
		failErr(w, err)
		return
	}
	s.notify()
	writeJSON(w, http.StatusCreated, p)
}

// BadRequestError is a world's refusal of what was asked (an unknown
// template, a used invite): the caller's mistake, said in one line.
type BadRequestError struct{ Msg string }

func (e *BadRequestError) Error() string { return e.Msg }

// messageView is a message as the page draws it.
type messageView struct {
	ID       int            `json:"id"`
	From     string         `json:"from"` // "bot" or "user"
	Kind     string         `json:"kind"` // text, photo, document, voice, sticker, ...
	HTML     string         `json:"html,omitempty"`
	Text     string         `json:"text,omitempty"` // plain text (or caption)
	Keyboard [][]buttonView `json:"keyboard,omitempty"`
	File     string         `json:"file,omitempty"` // URL of the photo, document or voice
	FileName string         `json:"file_name,omitempty"`
	Duration int            `json:"duration,omitempty"`
	Edited   bool           `json:"edited,omitempty"`
	Silent   bool           `json:"silent,omitempty"`
	Date     time.Time      `json:"date"`
}

type buttonView struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

func viewOf(m telegramtest.Message) messageView {
	v := messageView{ID: m.ID, Kind: m.Kind, Edited: m.Edits > 0, Silent: m.DisableNotification, Date: m.Date, Duration: m.Duration}
	v.From = "user"
	if m.FromBot {
		v.From = "bot"
	}
	text := m.PlainText
	if m.Kind != "text" {
		text = m.PlainCaption
	}
	v.Text = text
	v.HTML = renderHTML(text, m.Entities)
	if m.FileID != "" {
		v.File = "/api/files/" + url.PathEscape(m.FileID)
		v.FileName = m.FileName
	}
	for _, row := range m.Keyboard {
		var r []buttonView
		for _, b := range row {
			r = append(r, buttonView{Text: b.Text, Data: b.Data, URL: b.URL})
		}
		v.Keyboard = append(v.Keyboard, r)
	}
	return v
}

// chatView is a person's phone: their chat, menu and latest toasts.
type chatView struct {
	Person   Person        `json:"person"`
	Zone     string        `json:"zone"`
	Messages []messageView `json:"messages"`
	Commands []commandView `json:"commands"`
	Toasts   []toastView   `json:"toasts,omitempty"`
}

type commandView struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

type toastView struct {
	Update int64  `json:"update"`
	Text   string `json:"text"`
}

func (s *Server) chat(ctx context.Context, world World, p Person, u *telegramtest.User) chatView {
	cv := chatView{Person: p, Zone: world.Zone(ctx, p.ID), Messages: []messageView{}, Commands: []commandView{}}
	for _, m := range u.Transcript() {
		cv.Messages = append(cv.Messages, viewOf(m))
	}
	for _, c := range world.Fake().CommandsFor(p.ID, p.Lang) {
		cv.Commands = append(cv.Commands, commandView{Command: "/" + c.Command, Description: c.Description})
	}
	for _, t := range u.Toasts() {
		if t.Text != "" {
			cv.Toasts = append(cv.Toasts, toastView{Update: t.UpdateID, Text: t.Text})
		}
	}
	return cv
}

func (s *Server) apiMessages(w http.ResponseWriter, r *http.Request) {
	world, p, u, ok := s.person(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.chat(r.Context(), world, p, u))
}

// maxText is the longest text Telegram lets a person send.
const maxText = 4096

func (s *Server) apiSend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text string `json:"text"`
	}
	if !decode(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		fail(w, http.StatusBadRequest, `send needs a non-empty "text"`)
		return
	}
	if n := len([]rune(req.Text)); n > maxText {
		fail(w, http.StatusBadRequest, "text too long: %d characters, Telegram takes at most %d", n, maxText)
		return
	}
	s.act(w, r, func(world World, p Person, u *telegramtest.User) (string, error) {
		u.SendText(req.Text)
		return "", nil
	})
}

// act runs one action as a person, waits for the bot and answers their
// phone (with the toast of a button pressed).
func (s *Server) act(w http.ResponseWriter, r *http.Request, do func(World, Person, *telegramtest.User) (string, error)) {
	s.op.Lock()
	defer s.op.Unlock()
	world, p, u, ok := s.person(w, r)
	if !ok {
		return
	}
	toast, err := do(world, p, u)
	var bad *BadRequestError
	if errors.As(err, &bad) {
		fail(w, http.StatusBadRequest, "%s", bad.Msg)
		return
	}
	if err == nil {
		err = s.settle(r, world)
	}
	s.notify()
	if err != nil {
		failErr(w, err)
		return
	}
	cv := s.chat(r.Context(), world, p, u)
	writeJSON(w, http.StatusOK, map[string]any{"toast": toast, "chat": cv})
}

func (s *Server) apiVoice(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		fail(w, http.StatusRequestEntityTooLarge, "recording too large (at most %d bytes)", maxBody)
		return
	}
	mimeType := r.Header.Get("Content-Type")
	if len(data) == 0 {
		data, mimeType = sampleVoice()
	} else if !strings.HasPrefix(mimeType, "audio/") && !strings.HasPrefix(mimeType, "video/webm") {
		fail(w, http.StatusUnsupportedMediaType, "a voice note is audio (Content-Type audio/...), not %q; send an empty body for the sample recording", mimeType)
		return
	}
	duration := 3
	if d := r.URL.Query().Get("duration"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 3600 {
			fail(w, http.StatusBadRequest, "duration must be a number of seconds from 1 to 3600")
			return
		}
		duration = n
	}
	s.act(w, r, func(world World, p Person, u *telegramtest.User) (string, error) {
		u.SendVoiceData(data, mimeType, duration)
		return "", nil
	})
}

// pressReq is the body of POST /api/people/{id}/press: a button by its
// label or its callback data, on the newest message that has it (or on the
// message given).
type pressReq struct {
	Label   string `json:"label,omitempty"`
	Data    string `json:"data,omitempty"`
	Message int    `json:"message,omitempty"`
}

func (s *Server) apiPress(w http.ResponseWriter, r *http.Request) {
	var req pressReq
	if !decode(w, r, &req) {
		return
	}
	if (req.Label == "") == (req.Data == "") {
		fail(w, http.StatusBadRequest, `press needs either "label" or "data"`)
		return
	}
	s.act(w, r, func(world World, p Person, u *telegramtest.User) (string, error) {
		msgID, btn, ok := findButton(u.Transcript(), req)
		if !ok {
			what := strconv.Quote(req.Label)
			if req.Label == "" {
				what = "with data " + strconv.Quote(req.Data)
			}
			return "", &BadRequestError{Msg: fmt.Sprintf("no button %s on %s's messages", what, p.Name)}
		}
		if btn.Data == "" {
			return "", &BadRequestError{Msg: fmt.Sprintf("button %q opens a link (%s): it has nothing to press", btn.Text, btn.URL)}
		}
		update := u.PressData(msgID, btn.Data)
		// The toast is the bot's answer to this very press.
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.SettleTimeout)
		defer cancel()
		if err := world.Settle(ctx); err != nil {
			return "", err
		}
		for _, t := range u.Toasts() {
			if t.UpdateID == update {
				return t.Text, nil
			}
		}
		return "", nil
	})
}

// findButton finds a callback button by label or data on the newest bot
// message that has it (or on the message asked for).
func findButton(msgs []telegramtest.Message, req pressReq) (int, telegramtest.Button, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if !m.FromBot || (req.Message != 0 && m.ID != req.Message) {
			continue
		}
		for _, row := range m.Keyboard {
			for _, b := range row {
				if (req.Label != "" && b.Text == req.Label) || (req.Data != "" && b.Data == req.Data) {
					return m.ID, b, true
				}
			}
		}
	}
	return 0, telegramtest.Button{}, false
}

func (s *Server) apiInvite(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, func(world World, p Person, u *telegramtest.User) (string, error) {
		code := inviteCode(p.Invite)
		if code == "" {
			return "", &BadRequestError{Msg: fmt.Sprintf("%s has no invitation to open", p.Name)}
		}
		u.SendText("/start " + code)
		return "", nil
	})
}

// inviteCode returns the code of an invite link (https://t.me/bot?start=CODE).
func inviteCode(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Query().Get("start")
}

// clockView is the sandbox's time.
type clockView struct {
	Now  time.Time  `json:"now"`
	Next *time.Time `json:"next,omitempty"` // the next scheduled job
	// Stops is how many scheduled jobs the last move stopped at.
	Stops int `json:"stops,omitempty"`
}

func (s *Server) clock(ctx context.Context, world World) (clockView, error) {
	cv := clockView{Now: world.Clock().Now()}
	at, ok, err := world.NextJob(ctx)
	if err != nil {
		return cv, err
	}
	if ok {
		cv.Next = &at
	}
	return cv, nil
}

func (s *Server) apiClock(w http.ResponseWriter, r *http.Request) {
	world, err := s.current()
	if err != nil {
		failErr(w, err)
		return
	}
	cv, err := s.clock(r.Context(), world)
	if err != nil {
		failErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, cv)
}

// moveReq is the body of POST /api/clock: exactly one of advance (a Go
// duration such as "1h", "24h", "168h"), to (an RFC 3339 time, later than
// now) and next (jump to the next scheduled job).
type moveReq struct {
	Advance string `json:"advance,omitempty"`
	To      string `json:"to,omitempty"`
	Next    bool   `json:"next,omitempty"`
}

// maxAdvance bounds one move of the clock.
const maxAdvance = 366 * 24 * time.Hour

func (s *Server) apiMoveClock(w http.ResponseWriter, r *http.Request) {
	var req moveReq
	if !decode(w, r, &req) {
		return
	}
	n := 0
	for _, set := range []bool{req.Advance != "", req.To != "", req.Next} {
		if set {
			n++
		}
	}
	if n != 1 {
		fail(w, http.StatusBadRequest, `move the clock with exactly one of "advance" (like "24h"), "to" (RFC 3339) or "next": true`)
		return
	}
	s.op.Lock()
	defer s.op.Unlock()
	world, err := s.current()
	if err != nil {
		failErr(w, err)
		return
	}
	now := world.Clock().Now()
	var target time.Time
	switch {
	case req.Advance != "":
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d <= 0 || d > maxAdvance {
			fail(w, http.StatusBadRequest, "advance must be a positive duration of at most 8784h, like \"1h\" or \"168h\", not %q", req.Advance)
			return
		}
		target = now.Add(d)
	case req.To != "":
		t, err := time.Parse(time.RFC3339, req.To)
		if err != nil {
			fail(w, http.StatusBadRequest, "to must be an RFC 3339 time like 2027-01-04T10:00:00+01:00, not %q", req.To)
			return
		}
		if !t.After(now) {
			fail(w, http.StatusBadRequest, "the clock only moves forward: %s is not after %s", t.Format(time.RFC3339), now.Format(time.RFC3339))
			return
		}
		if t.Sub(now) > maxAdvance {
			fail(w, http.StatusBadRequest, "at most a year at a time")
			return
		}
		target = t
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*s.opts.SettleTimeout)
	defer cancel()
	var stops int
	if req.Next {
		var ok bool
		_, ok, err = advanceToNext(ctx, world)
		if err == nil && !ok {
			s.notify()
			fail(w, http.StatusConflict, "nothing is scheduled")
			return
		}
		stops = 1
	} else {
		stops, err = advanceTo(ctx, world, target)
	}
	s.notify()
	if err != nil {
		failErr(w, err)
		return
	}
	cv, err := s.clock(r.Context(), world)
	if err != nil {
		failErr(w, err)
		return
	}
	cv.Stops = stops
	writeJSON(w, http.StatusOK, cv)
}

func (s *Server) apiReset(w http.ResponseWriter, r *http.Request) {
	s.op.Lock()
	defer s.op.Unlock()
	if err := s.reset(r.Context()); err != nil {
		failErr(w, err)
		return
	}
	world, err := s.current()
	if err != nil {
		failErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"people": world.People()})
}

// apiEvents streams Server-Sent Events: one "change" event whenever the
// simulated Telegram side, the people or the clock change. The page then
// fetches what it shows.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		fail(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n\n")
	fl.Flush()
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for seq := 1; ; seq++ {
		var fake <-chan struct{}
		if world, err := s.current(); err == nil {
			fake = world.Fake().Changed()
		}
		ours := s.changes()
		select {
		case <-r.Context().Done():
			return
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			fl.Flush()
			seq--
			continue
		case <-fake:
		case <-ours:
		}
		// Let a burst of changes (a check-in's questions) arrive as one.
		t := time.NewTimer(40 * time.Millisecond)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
		fmt.Fprintf(w, "event: change\ndata: %d\n\n", seq)
		fl.Flush()
	}
}

func (s *Server) apiFile(w http.ResponseWriter, r *http.Request) {
	world, err := s.current()
	if err != nil {
		failErr(w, err)
		return
	}
	data, mimeType, name, ok := world.Fake().File(r.PathValue("id"))
	if !ok {
		fail(w, http.StatusNotFound, "no file %q", r.PathValue("id"))
		return
	}
	w.Header().Set("Content-Type", mimeType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if name != "" && !strings.HasPrefix(mimeType, "image/") && !strings.HasPrefix(mimeType, "audio/") {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	}
	_, _ = w.Write(data)
}

func (s *Server) botHandler(w http.ResponseWriter, r *http.Request) {
	world, err := s.current()
	if err != nil {
		failErr(w, err)
		return
	}
	world.Handler().ServeHTTP(w, r)
}
