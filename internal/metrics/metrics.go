// Package metrics holds Suivi's Prometheus counters and histograms, every
// one defined in this file (the README lists them). The app builds one
// Metrics on its own registry and hands it to the parts that count; no
// global registry is touched. A nil *Metrics counts nothing, so tests and
// tools that don't care pass none.
//
// Labels take a few fixed values each (queue, kind of update, event or
// message, outcome, Bot API method, error class): never an id or a text.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the handles the parts count with.
type Metrics struct {
	items         *prometheus.CounterVec
	itemSeconds   *prometheus.HistogramVec
	parkedOnPush  *prometheus.CounterVec
	rateLimited   *prometheus.CounterVec
	rateSeconds   *prometheus.CounterVec
	requests      *prometheus.CounterVec
	requestSecond *prometheus.HistogramVec
	sent          *prometheus.CounterVec
	jobs          *prometheus.CounterVec
}

// Outcomes of a queue item's attempt (suivi_queue_items_total).
const (
	Done        = "done"        // handled (inbox) or sent (outbox): removed
	Failed      = "failed"      // failed, will be tried again
	Parked      = "parked"      // given up on: kept aside for an operator
	Deferred    = "deferred"    // Telegram's flood control: back in its queue until retry_after
	Unavailable = "unavailable" // Telegram unreachable or failing (5xx, timeout): waited out
	Dropped     = "dropped"     // the chat blocked the bot: its messages dropped
)

// Causes of a chat put back to wait (suivi_rate_limited_*).
const (
	ChatRate     = "chat_rate"     // over its own rate (SUIVI_RATE_CHAT)
	FloodControl = "flood_control" // Telegram answered 429 (retry_after)
)

// Outcomes of a job's firing (suivi_jobs_total).
const (
	JobFired  = "fired"
	JobFailed = "failed"
	JobParked = "parked"
)

// New returns Metrics registered on reg.
func New(reg prometheus.Registerer) *Metrics {
	// Handling an update (replies included) or sending a message: from a
	// few milliseconds to the 30 s timeout.
	secs := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m := &Metrics{
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "suivi_queue_items_total",
			Help: "Attempts at items of the inbox (updates, events) and of the outbox (messages), by queue, kind and outcome.",
		}, []string{"queue", "kind", "outcome"}),
		itemSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "suivi_queue_item_seconds",
			Help:    "Time one attempt at an item took: handling an update or event with its replies (inbox), delivering a message (outbox).",
			Buckets: secs,
		}, []string{"queue"}),
		parkedOnPush: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "suivi_updates_parked_on_arrival_total",
			Help: "Updates parked as they arrived, by reason: backlog (their chat had too many waiting), undecodable.",
		}, []string{"reason"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "suivi_rate_limited_total",
			Help: "Times a chat was put back in its queue with a ready time instead of holding a worker, by queue and cause.",
		}, []string{"queue", "cause"}),
		rateSeconds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "suivi_rate_limited_seconds_total",
			Help: "Time chats were put back for, summed over chats, by queue and cause (chat_rate, flood_control).",
		}, []string{"queue", "cause"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "suivi_telegram_requests_total",
			Help: "Bot API requests by method and result class: ok, 400, 403, 429, 5xx, timeout, network, other.",
		}, []string{"method", "class"}),
		requestSecond: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "suivi_telegram_request_seconds",
			Help:    "Duration of Bot API requests by method (getUpdates holds a long poll).",
			Buckets: secs,
		}, []string{"method"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "suivi_messages_sent_total",
			Help: "Messages Telegram accepted, by kind: text, photo, document, voice.",
		}, []string{"kind"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "suivi_jobs_total",
			Help: "Firings of scheduled jobs by kind (reminder, checkin, digest, ...) and outcome: fired, failed (retried later), parked.",
		}, []string{"kind", "outcome"}),
	}
	reg.MustRegister(m.items, m.itemSeconds, m.parkedOnPush, m.rateLimited, m.rateSeconds, m.requests, m.requestSecond, m.sent, m.jobs)
	return m
}

// Names lists the metrics of this package.
func Names() []string {
	return []string{
		"suivi_queue_items_total", "suivi_queue_item_seconds", "suivi_updates_parked_on_arrival_total",
		"suivi_rate_limited_total", "suivi_rate_limited_seconds_total", "suivi_telegram_requests_total",
		"suivi_telegram_request_seconds", "suivi_messages_sent_total", "suivi_jobs_total",
	}
}

// Item counts one attempt at a queue item and how long it took.
func (m *Metrics) Item(queue, kind, outcome string, took time.Duration) {
	if m == nil {
		return
	}
	m.items.WithLabelValues(queue, kind, outcome).Inc()
	m.itemSeconds.WithLabelValues(queue).Observe(took.Seconds())
}

// ParkedOnArrival counts an update parked before it entered a queue.
func (m *Metrics) ParkedOnArrival(reason string) {
	if m == nil {
		return
	}
	m.parkedOnPush.WithLabelValues(reason).Inc()
}

// RateLimited counts a chat put back to wait d.
func (m *Metrics) RateLimited(queue, cause string, d time.Duration) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(queue, cause).Inc()
	m.rateSeconds.WithLabelValues(queue, cause).Add(max(d, 0).Seconds())
}

// Request counts one Bot API request.
func (m *Metrics) Request(method, class string, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(method, class).Inc()
	m.requestSecond.WithLabelValues(method).Observe(took.Seconds())
}

// Sent counts a message Telegram accepted.
func (m *Metrics) Sent(kind string) {
	if m == nil {
		return
	}
	m.sent.WithLabelValues(kind).Inc()
}

// Job counts a job's firing.
func (m *Metrics) Job(kind, outcome string) {
	if m == nil {
		return
	}
	m.jobs.WithLabelValues(kind, outcome).Inc()
}
