package bot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"suivi/internal/metrics"
)

// InstrumentTransport returns rt counting, in m, every Bot API request —
// its method, its result class (ok, 400, 403, 429, 5xx, timeout, network,
// other) and its duration — and every message Telegram accepted, by kind.
// Give it to the HTTP clients of the Bot API (go-telegram/bot's and the
// Poller's): every call Suivi makes is counted where it leaves, whatever
// path made it. Of the URL, whose path holds the token, only the method
// (its last segment) is read.
func InstrumentTransport(rt http.RoundTripper, m *metrics.Metrics) http.RoundTripper {
	if m == nil {
		return rt
	}
	return instrumented{rt: rt, m: m}
}

type instrumented struct {
	rt http.RoundTripper
	m  *metrics.Metrics
}

var methodRE = regexp.MustCompile(`^[A-Za-z]{1,40}$`)

// sentKinds are the methods that send a message, and the kind each sends.
var sentKinds = map[string]string{
	"sendMessage": "text", "sendPhoto": "photo", "sendDocument": "document", "sendVoice": "voice",
}

func (t instrumented) RoundTrip(req *http.Request) (*http.Response, error) {
	method := "other"
	if strings.HasPrefix(req.URL.Path, "/file/") {
		method = "file"
	} else if i := strings.LastIndexByte(req.URL.Path, '/'); i >= 0 && methodRE.MatchString(req.URL.Path[i+1:]) {
		method = req.URL.Path[i+1:]
	}
	start := time.Now()
	resp, err := t.rt.RoundTrip(req)
	class := requestClass(resp, err)
	t.m.Request(method, class, time.Since(start))
	if kind, ok := sentKinds[method]; ok && class == "ok" {
		t.m.Sent(kind)
	}
	return resp, err
}

// requestClass sorts a Bot API answer for metrics.
func requestClass(resp *http.Response, err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "other"
	case err != nil:
		return "network"
	case resp.StatusCode == http.StatusOK:
		return "ok"
	case resp.StatusCode == http.StatusBadRequest, resp.StatusCode == http.StatusForbidden, resp.StatusCode == http.StatusTooManyRequests:
		return strconv.Itoa(resp.StatusCode)
	case resp.StatusCode >= 500:
		return "5xx"
	}
	return "other"
}
