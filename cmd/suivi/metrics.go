package main

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"suivi/store"
)

// queueCollector reports the durable queues' depth at each scrape, read
// from Redis (so every replica reports the same, shared figures).
type queueCollector struct {
	store *store.Store
	now   func() time.Time
	lanes *prometheus.Desc
	jobs  *prometheus.Desc
	up    *prometheus.Desc
}

func newQueueCollector(st *store.Store, now func() time.Time) *queueCollector {
	return &queueCollector{
		store: st, now: now,
		lanes: prometheus.NewDesc("suivi_queue_chats", "Chats in a durable queue, by queue and state (ready, leased), and items parked.", []string{"queue", "state"}, nil),
		jobs:  prometheus.NewDesc("suivi_jobs", "Scheduled jobs, by state (waiting, due, leased).", []string{"state"}, nil),
		up:    prometheus.NewDesc("suivi_redis_up", "1 when Redis answered the scrape.", nil, nil),
	}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lanes
	ch <- c.jobs
	ch <- c.up
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	up := 1.0
	for name, l := range map[string]*store.Lanes{"inbox": c.store.Inbox(), "outbox": c.store.Outbox()} {
		st, err := l.Stats(ctx)
		if err != nil {
			up = 0
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.lanes, prometheus.GaugeValue, float64(st.Ready), name, "ready")
		ch <- prometheus.MustNewConstMetric(c.lanes, prometheus.GaugeValue, float64(st.Leased), name, "leased")
		ch <- prometheus.MustNewConstMetric(c.lanes, prometheus.GaugeValue, float64(st.Parked), name, "parked")
	}
	waiting, leased, err1 := c.store.JobStats(ctx)
	due, err2 := c.store.DueJobs(ctx, c.now())
	if err1 != nil || err2 != nil {
		up = 0
	} else {
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(waiting), "waiting")
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(due), "due")
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(leased), "leased")
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
}

// metricsHandler serves /metrics from the app's registry: the queues' depth
// (read from Redis at each scrape), the counters and histograms of
// internal/metrics (this replica's), and the Go runtime.
func (a *app) metricsHandler() http.Handler {
	return promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{})
}
