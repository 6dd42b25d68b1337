package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Token is the bot token expected in request paths.
	// Default "123456:TEST-TOKEN".
	Token string
	// BotID is the id of the bot user. Default 123456.
	BotID int64
	// BotUsername is the bot's username, without "@". Default "suivi_test_bot".
	BotUsername string
	// Now gives message dates and call times; it must be safe for
	// concurrent use. Default time.Now.
	Now func() time.Time
	// WebhookRetry is the pause between two deliveries of an update the
	// webhook did not accept. Default 20ms.
	WebhookRetry time.Duration
	// WebhookClient performs webhook deliveries. Default: a client with a
	// 10s timeout that does not follow redirects (like Telegram).
	WebhookClient *http.Client
	// MaxCalls, when positive, bounds the record of calls (Calls) to the
	// most recent ones, for a server that runs for long (the sandbox).
	MaxCalls int
	// Answered, when set, is called after each call is answered, outside
	// the server's lock, with the method and the HTTP status (0 when the
	// client went away): a cheap way to count calls as they happen (the
	// benchmark's throughput runs).
	Answered func(method string, status int)
	// Received, when set, is called as each call arrives, before it is
	// handled, outside the server's lock (a long poll is seen when it
	// starts).
	Received func(method string)
	// ConnState, when set, is the HTTP server's ConnState hook (the
	// benchmark counts the TCP connections a bot opens).
	ConnState func(net.Conn, http.ConnState)
	// RateLimit, when positive, is Telegram's flood limit per bot token:
	// a call that sends a message (sendMessage, sendPhoto, sendDocument,
	// sendVoice, copyMessage, forwardMessage) arriving when RateLimit such
	// calls were accepted in the last second (a sliding window on Now) is
	// answered 429 "Too Many Requests: retry after N", with
	// parameters.retry_after N = RateLimitRetryAfter, and has no effect.
	// Calls answered 429 do not count. Faults are applied first.
	RateLimit int
	// RateLimitRetryAfter is the retry_after of RateLimit's 429s, in
	// seconds. Default 1.
	RateLimitRetryAfter int
}

const (
	defaultToken       = "123456:TEST-TOKEN"
	defaultBotID       = 123456
	defaultBotUsername = "suivi_test_bot"
	botFirstName       = "Suivi"
	firstUpdateID      = 100001
)

// Server is a fake Telegram Bot API server. Create it with NewServer and
// stop it with Close. All methods are safe for concurrent use.
type Server struct {
	opts Options
	http *httptest.Server

	closeOnce sync.Once
	wg        sync.WaitGroup // webhook delivery goroutines
	closing   chan struct{}  // closed by Close

	mu      sync.Mutex
	changed chan struct{} // closed and replaced at every state change
	closed  bool

	chats map[int64]*chat
	files map[string]*file
	seq   int64 // generator for file ids, callback ids, ...

	updates      []pendingUpdate // not yet confirmed, in update_id order
	lastUpdateID int64
	confirmed    int64
	allowed      map[string]bool // nil: Telegram's default set
	pollSeq      int64           // incremented by every getUpdates
	actions      int64           // calls other than getUpdates, ever (Actions)

	webhook    *webhookState
	webhookGen int64
	attempts   []WebhookAttempt

	calls   []*Call
	faults  []*faultRule
	release chan struct{} // closed by ReleaseHangs

	callbacks     map[string]*callbackState
	callbackOrder []string

	commands map[commandKey][]models.BotCommand

	sends []time.Time // arrivals of the sends accepted in the last second (RateLimit)
}

// NewServer starts a fake Telegram Bot API server listening on 127.0.0.1.
func NewServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = defaultToken
	}
	if opts.BotID == 0 {
		opts.BotID = defaultBotID
	}
	if opts.BotUsername == "" {
		opts.BotUsername = defaultBotUsername
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimitRetryAfter <= 0 {
		opts.RateLimitRetryAfter = 1
	}
	if opts.WebhookRetry <= 0 {
		opts.WebhookRetry = 20 * time.Millisecond
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{
			Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	s := &Server{
		opts:         opts,
		closing:      make(chan struct{}),
		changed:      make(chan struct{}),
		chats:        make(map[int64]*chat),
		files:        make(map[string]*file),
		lastUpdateID: firstUpdateID - 1,
		release:      make(chan struct{}),
		callbacks:    make(map[string]*callbackState),
		commands:     make(map[commandKey][]models.BotCommand),
	}
	s.http = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.http.Config.ConnState = opts.ConnState
	s.http.Start()
	return s
}

// Close stops webhook delivery, wakes pending long polls and held requests,
// and shuts the server down. It is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.closing)
		s.stopWebhookLocked()
		s.notifyLocked()
		s.mu.Unlock()
		s.wg.Wait()
		s.http.Close()
	})
}

// URL returns the base URL to pass to bot.WithServerURL (without /bot<token>).
func (s *Server) URL() string { return s.http.URL }

// Token returns the bot token the server expects.
func (s *Server) Token() string { return s.opts.Token }

// BotUsername returns the bot's username, without "@".
func (s *Server) BotUsername() string { return s.opts.BotUsername }

// BotID returns the bot user's id.
func (s *Server) BotID() int64 { return s.opts.BotID }

// MethodURL returns the full URL of a Bot API method, for raw HTTP clients.
func (s *Server) MethodURL(method string) string {
	return s.http.URL + "/bot" + s.opts.Token + "/" + method
}

func (s *Server) botUser() *models.User {
	return &models.User{ID: s.opts.BotID, IsBot: true, FirstName: botFirstName, Username: s.opts.BotUsername}
}

// notifyLocked wakes every waiter. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) nextSeqLocked() int64 {
	s.seq++
	return s.seq
}

// Wait blocks until cond returns true or timeout expires. cond is evaluated
// without any lock of the server held (it may call the server's methods),
// once at the start and again after every state change of the server.
func (s *Server) Wait(timeout time.Duration, cond func() bool) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ch, closed := s.changed, s.closed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		if closed {
			return errors.New("telegramtest: server closed while waiting")
		}
		select {
		case <-ch:
		case <-timer.C:
			if cond() {
				return nil
			}
			return fmt.Errorf("telegramtest: condition not met after %v", timeout)
		}
	}
}

// ---------------------------------------------------------------------------
// Calls

// Call records one request the bot made, in arrival order.
type Call struct {
	Method  string            // as written in the URL
	Params  map[string]string // form/JSON/query fields; JSON fields stay raw JSON
	Files   map[string][]byte // multipart uploads by field name
	Status  int               // HTTP status answered: 200, 400, 403, 429, 500, ...; 0 while in flight or when aborted
	Error   string            // description when not ok
	Aborted bool              // the client went away before an answer
	Done    bool              // answered or aborted
	Held    bool              // currently held by a Hang or Delay fault
	Polling bool              // a getUpdates currently long-polling (waiting for updates)
	At      time.Time         // arrival time
}

func (c *Call) clone() Call {
	out := *c
	out.Params = make(map[string]string, len(c.Params))
	for k, v := range c.Params {
		out.Params[k] = v
	}
	if c.Files != nil {
		out.Files = make(map[string][]byte, len(c.Files))
		for k, v := range c.Files {
			out.Files[k] = v
		}
	}
	return out
}

// Actions returns how many calls other than getUpdates the server has
// received, ever (MaxCalls does not bound it): a cheap way to tell that a
// bot is still at work.
func (s *Server) Actions() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.actions
}

// Calls returns every call received so far, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = c.clone()
	}
	return out
}

// CallsTo returns the calls to method (case-insensitive), in arrival order.
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if strings.EqualFold(c.Method, method) {
			out = append(out, c.clone())
		}
	}
	return out
}

// WaitCalls blocks until match returns true for the calls received so far,
// re-evaluating it at every change, or until timeout expires.
func (s *Server) WaitCalls(timeout time.Duration, match func([]Call) bool) error {
	err := s.Wait(timeout, func() bool { return match(s.Calls()) })
	if err == nil {
		return nil
	}
	calls := s.Calls()
	var b strings.Builder
	fmt.Fprintf(&b, "telegramtest: calls did not match after %v; %d calls:", timeout, len(calls))
	for _, c := range calls {
		fmt.Fprintf(&b, "\n  %s status=%d", c.Method, c.Status)
		if c.Error != "" {
			fmt.Fprintf(&b, " error=%q", c.Error)
		}
		if c.Aborted {
			b.WriteString(" aborted")
		}
		if !c.Done {
			b.WriteString(" in-flight")
		}
	}
	return errors.New(b.String())
}

// InFlight returns how many calls to method (case-insensitive) are
// currently held by a Hang or Delay fault.
func (s *Server) InFlight(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Held && strings.EqualFold(c.Method, method) {
			n++
		}
	}
	return n
}

// ---------------------------------------------------------------------------
// Faults

// Fault describes how to disturb matching calls before normal handling.
type Fault struct {
	// Status, when non-zero, answers with this error code and does not apply
	// the call's effect. 429 answers "Too Many Requests: retry after N".
	Status int
	// RetryAfter is parameters.retry_after with Status 429.
	RetryAfter int
	// Description overrides the error description.
	Description string
	// HTML answers Status with an nginx HTML error page instead of JSON, as
	// Telegram's front proxies do for 502 and 504.
	HTML bool
	// Delay holds the call this long before answering. If the client goes
	// away first, the call is recorded Aborted and its effect is not applied.
	Delay time.Duration
	// Hang holds the call until the client goes away (recorded Aborted, no
	// effect) or ReleaseHangs is called (then handled normally, or answered
	// with Status if set).
	Hang bool
}

type faultRule struct {
	method string
	chatID int64
	times  int // <= 0: unlimited
	fault  Fault
}

// InjectFault applies f to the next times calls to method (case-insensitive)
// for chatID (0: any chat, including calls without chat_id). times <= 0
// applies it until ClearFaults. Rules are matched in injection order.
func (s *Server) InjectFault(method string, chatID int64, times int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{method: method, chatID: chatID, times: times, fault: f})
}

// ClearFaults removes all fault rules. Calls already held stay held.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// ReleaseHangs lets every call currently held by a Hang fault proceed.
func (s *Server) ReleaseHangs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.release)
	s.release = make(chan struct{})
	s.notifyLocked()
}

func (s *Server) takeFaultLocked(method string, chatID int64) (Fault, bool) {
	for i, r := range s.faults {
		if !strings.EqualFold(r.method, method) {
			continue
		}
		if r.chatID != 0 && r.chatID != chatID {
			continue
		}
		f := r.fault
		if r.times > 0 {
			r.times--
			if r.times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f, true
	}
	return Fault{}, false
}

// hold waits as the fault says. It reports false if the client went away
// or the server is closing.
func (s *Server) hold(ctx context.Context, call *Call, f Fault) bool {
	s.mu.Lock()
	call.Held = true
	release := s.release
	s.notifyLocked()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		call.Held = false
		s.notifyLocked()
		s.mu.Unlock()
	}()
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		case <-s.closing:
			return false
		}
	}
	if f.Hang {
		select {
		case <-release:
		case <-ctx.Done():
			return false
		case <-s.closing:
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// HTTP plumbing

// apiError is a not-ok answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	html       bool
	aborted    bool
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

func errBlocked() *apiError {
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
}

func errChatNotFound() *apiError { return badRequest("chat not found") }

// errAborted marks a call whose client went away before an answer.
func errAborted() *apiError { return &apiError{aborted: true} }

type upload struct {
	name string
	data []byte
}

// request is a parsed Bot API call.
type request struct {
	ctx    context.Context
	method string
	params map[string]string
	files  map[string]upload
	call   *Call
}

func (q *request) str(name string) string { return q.params[name] }

func (q *request) has(name string) bool {
	_, ok := q.params[name]
	return ok
}

func (q *request) int64(name string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(q.params[name]), 10, 64)
	return v, err == nil
}

func (q *request) int(name string) int {
	v, _ := q.int64(name)
	return int(v)
}

func (q *request) bool(name string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(q.params[name]))
	return b
}

const maxUpload = 64 << 20

// parseRequest reads parameters from the query string and from a
// multipart, JSON or URL-encoded body.
func parseRequest(r *http.Request) (map[string]string, map[string]upload, error) {
	params := make(map[string]string)
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	files := make(map[string]upload)
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return params, files, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if ctParams["boundary"] == "" {
			return params, files, errors.New("missing multipart boundary")
		}
		// go-telegram/bot sends an empty body (not even a closing
		// boundary) for methods without parameters.
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
		if err != nil {
			return params, files, err
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return params, files, nil
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(maxUpload); err != nil {
			return params, files, err
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		for k, v := range r.MultipartForm.Value {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
		for k, hs := range r.MultipartForm.File {
			if len(hs) == 0 {
				continue
			}
			f, err := hs[0].Open()
			if err != nil {
				return params, files, err
			}
			data, err := io.ReadAll(f)
			_ = f.Close()
			if err != nil {
				return params, files, err
			}
			files[k] = upload{name: hs[0].Filename, data: data}
		}
	case "application/json":
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
		if err != nil {
			return params, files, err
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return params, files, nil
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			return params, files, errors.New("can't parse JSON object")
		}
		for k, raw := range fields {
			var str string
			if err := json.Unmarshal(raw, &str); err == nil {
				params[k] = str
				continue
			}
			if string(raw) == "null" {
				continue
			}
			params[k] = string(raw)
		}
	default: // application/x-www-form-urlencoded, or no body
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
		if err != nil {
			return params, files, err
		}
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return params, files, err
		}
		for k, v := range vals {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
	}
	return params, files, nil
}

type handler func(s *Server, q *request) (any, *apiError)

// handlerFor returns the handler of a method (case-insensitive), or nil.
func handlerFor(method string) handler {
	switch strings.ToLower(method) {
	case "getme":
		return (*Server).hGetMe
	case "getupdates":
		return (*Server).hGetUpdates
	case "setwebhook":
		return (*Server).hSetWebhook
	case "deletewebhook":
		return (*Server).hDeleteWebhook
	case "getwebhookinfo":
		return (*Server).hGetWebhookInfo
	case "sendmessage":
		return (*Server).hSendMessage
	case "editmessagetext":
		return (*Server).hEditMessageText
	case "editmessagecaption":
		return (*Server).hEditMessageCaption
	case "editmessagereplymarkup":
		return (*Server).hEditMessageReplyMarkup
	case "answercallbackquery":
		return (*Server).hAnswerCallbackQuery
	case "deletemessage":
		return (*Server).hDeleteMessage
	case "setmycommands":
		return (*Server).hSetMyCommands
	case "getmycommands":
		return (*Server).hGetMyCommands
	case "deletemycommands":
		return (*Server).hDeleteMyCommands
	case "sendphoto":
		return func(s *Server, q *request) (any, *apiError) { return s.sendMedia(q, kindPhoto) }
	case "senddocument":
		return func(s *Server, q *request) (any, *apiError) { return s.sendMedia(q, kindDocument) }
	case "sendvoice":
		return func(s *Server, q *request) (any, *apiError) { return s.sendMedia(q, kindVoice) }
	case "copymessage":
		return (*Server).hCopyMessage
	case "forwardmessage":
		return (*Server).hForwardMessage
	case "sendchataction":
		return (*Server).hSendChatAction
	case "getfile":
		return (*Server).hGetFile
	}
	return nil
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/file/bot") {
		s.serveFile(w, r)
		return
	}
	rest, ok := strings.CutPrefix(path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeAnswer(w, nil, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	params, files, perr := parseRequest(r)
	call := &Call{Method: method, Params: params, At: s.opts.Now()}
	if len(files) > 0 {
		call.Files = make(map[string][]byte, len(files))
		for k, f := range files {
			call.Files[k] = f.data
		}
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	if !strings.EqualFold(method, "getUpdates") {
		s.actions++
	}
	if n := s.opts.MaxCalls; n > 0 && len(s.calls) > 2*n {
		s.calls = append([]*Call(nil), s.calls[len(s.calls)-n:]...)
	}
	s.notifyLocked()
	s.mu.Unlock()
	if s.opts.Received != nil {
		s.opts.Received(method)
	}

	if token != s.opts.Token {
		s.answer(w, call, nil, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	if perr != nil {
		s.answer(w, call, nil, badRequest(perr.Error()))
		return
	}
	q := &request{ctx: r.Context(), method: method, params: params, files: files, call: call}

	chatID, _ := q.int64("chat_id")
	s.mu.Lock()
	f, faulted := s.takeFaultLocked(method, chatID)
	s.mu.Unlock()
	if faulted {
		if f.Delay > 0 || f.Hang {
			if !s.hold(r.Context(), call, f) {
				s.answer(w, call, nil, errAborted())
				return
			}
		}
		if f.Status != 0 {
			s.answer(w, call, nil, faultError(f))
			return
		}
	}

	if s.overRate(method, call.At) {
		s.answer(w, call, nil, faultError(Fault{Status: http.StatusTooManyRequests, RetryAfter: s.opts.RateLimitRetryAfter}))
		return
	}
	h := handlerFor(method)
	if h == nil {
		s.answer(w, call, nil, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	result, aerr := h(s, q)
	s.answer(w, call, result, aerr)
}

// overRate reports whether a call to method arriving at is over
// Options.RateLimit; when it is not and method sends a message, it counts.
func (s *Server) overRate(method string, at time.Time) bool {
	if s.opts.RateLimit <= 0 {
		return false
	}
	switch strings.ToLower(method) {
	case "sendmessage", "sendphoto", "senddocument", "sendvoice", "copymessage", "forwardmessage":
	default:
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	from := at.Add(-time.Second)
	i := 0
	for i < len(s.sends) && !s.sends[i].After(from) {
		i++
	}
	s.sends = s.sends[i:]
	if len(s.sends) >= s.opts.RateLimit {
		return true
	}
	s.sends = append(s.sends, at)
	return false
}

func faultError(f Fault) *apiError {
	e := &apiError{code: f.Status, desc: f.Description, html: f.HTML}
	if f.Status == http.StatusTooManyRequests {
		e.retryAfter = f.RetryAfter
	}
	if e.desc == "" {
		switch f.Status {
		case http.StatusTooManyRequests:
			e.desc = fmt.Sprintf("Too Many Requests: retry after %d", f.RetryAfter)
		case http.StatusForbidden:
			e.desc = "Forbidden: bot was blocked by the user"
		case http.StatusBadRequest:
			e.desc = "Bad Request"
		default:
			e.desc = http.StatusText(f.Status)
		}
	}
	return e
}

// answer writes the response and completes the call record.
func (s *Server) answer(w http.ResponseWriter, call *Call, result any, aerr *apiError) {
	s.mu.Lock()
	call.Done = true
	switch {
	case aerr != nil && aerr.aborted:
		call.Aborted = true
	case aerr != nil:
		call.Status = aerr.code
		call.Error = aerr.desc
	default:
		call.Status = http.StatusOK
	}
	s.notifyLocked()
	status := call.Status
	s.mu.Unlock()
	if aerr != nil && aerr.aborted {
		if s.opts.Answered != nil {
			s.opts.Answered(call.Method, 0)
		}
		return
	}
	writeAnswer(w, result, aerr)
	if s.opts.Answered != nil {
		s.opts.Answered(call.Method, status)
	}
}

func writeAnswer(w http.ResponseWriter, result any, aerr *apiError) {
	if aerr != nil && aerr.html {
		text := fmt.Sprintf("%d %s", aerr.code, http.StatusText(aerr.code))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(aerr.code)
		fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n", text, text)
		return
	}
	var body []byte
	status := http.StatusOK
	if aerr != nil {
		status = aerr.code
		resp := struct {
			OK          bool   `json:"ok"`
			ErrorCode   int    `json:"error_code"`
			Description string `json:"description"`
			Parameters  *struct {
				RetryAfter int `json:"retry_after"`
			} `json:"parameters,omitempty"`
		}{ErrorCode: aerr.code, Description: aerr.desc}
		if aerr.retryAfter > 0 {
			resp.Parameters = &struct {
				RetryAfter int `json:"retry_after"`
			}{aerr.retryAfter}
		}
		body, _ = json.Marshal(resp)
	} else {
		raw, err := json.Marshal(result)
		if err != nil {
			status = http.StatusInternalServerError
			body, _ = json.Marshal(map[string]any{"ok": false, "error_code": 500, "description": "Internal Server Error: " + err.Error()})
		} else {
			body, _ = json.Marshal(struct {
				OK     bool            `json:"ok"`
				Result json.RawMessage `json:"result"`
			}{true, raw})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// serveFile serves /file/bot<token>/<file_path> downloads.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/file/bot")
	token, path, _ := strings.Cut(rest, "/")
	if token != s.opts.Token {
		writeAnswer(w, nil, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	s.mu.Lock()
	var data []byte
	found := false
	for _, f := range s.files {
		if f.path == path {
			data, found = f.content(), true
			break
		}
	}
	s.mu.Unlock()
	if !found {
		writeAnswer(w, nil, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}

func (s *Server) hGetMe(*request) (any, *apiError) {
	u := s.botUser()
	u.CanJoinGroups = true
	return u, nil
}
