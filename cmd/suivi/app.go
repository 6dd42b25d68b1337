package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"suivi/bot"
	"suivi/catalog"
	"suivi/desk"
	"suivi/dialogs"
	"suivi/domain"
	"suivi/internal/metrics"
	"suivi/reminders"
	"suivi/store"
)

// app is Suivi wired together: one replica.
type app struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	rdb     redis.UniversalClient
	store   *store.Store
	reg     *prometheus.Registry // what /metrics serves
	metrics *metrics.Metrics
	api     *tg.Bot
	me      string // bot username
	sender  *bot.Sender
	outbox  *bot.Outbox
	sched   *reminders.Scheduler
	inbox   *bot.Inbox
	poller  *bot.Poller
	webhook *bot.Webhook
	desk    *desk.Server
}

// redactURL hides a password in a Redis URL.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

// connectRedis opens Redis and checks it answers: the cluster of
// REDIS_CLUSTER_ADDRS when it is set, else the one node of REDIS_URL.
func connectRedis(ctx context.Context, cfg Config) (redis.UniversalClient, error) {
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if cfg.Cluster != nil {
		opt := *cfg.Cluster
		opt.MaxRetries = 2
		rdb := redis.NewClusterClient(&opt)
		// Every master must answer, and the cluster must be whole.
		err := rdb.ForEachMaster(pctx, func(ctx context.Context, c *redis.Client) error { return c.Ping(ctx).Err() })
		if err == nil {
			var info string
			if info, err = rdb.ClusterInfo(pctx).Result(); err == nil && !strings.Contains(info, "cluster_state:ok") {
				err = errors.New("cluster_state is not ok")
			}
		}
		if err != nil {
			_ = rdb.Close()
			return nil, fmt.Errorf("cannot reach the Redis Cluster at %s: %w", strings.Join(opt.Addrs, ","), err)
		}
		return rdb, nil
	}
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL %s: %w", redactURL(cfg.RedisURL), err)
	}
	opt.MaxRetries = 2
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("cannot reach Redis at %s: %w", redactURL(cfg.RedisURL), err)
	}
	return rdb, nil
}

// openStore connects to Redis for a one-shot command, after checking that
// SUIVI_DATA_KEYS opens what Redis holds (and, for a command that writes,
// recording its sealing key); done closes it.
func openStore(ctx context.Context, cfg Config, writes bool) (st *store.Store, done func(), err error) {
	rdb, err := connectRedis(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	st = store.New(rdb, store.Options{Keys: cfg.Keys, Shards: cfg.Shards})
	if err := st.CheckShards(ctx); err != nil {
		_ = rdb.Close()
		return nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		_ = rdb.Close()
		return nil, nil, err
	}
	check := st.CheckKeys
	if writes {
		check = st.UseKeys
	}
	if err := check(ctx); err != nil {
		_ = rdb.Close()
		return nil, nil, err
	}
	return st, func() { _ = rdb.Close() }, nil
}

// httpClient is shared by every Telegram call: it keeps idle connections
// and caps them per host (go-telegram/bot's default client barely reuses
// connections), and counts each call in m (nil: not counted).
func httpClient(timeout time.Duration, m *metrics.Metrics) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 128
	tr.MaxIdleConnsPerHost = 64
	tr.MaxConnsPerHost = 64
	tr.IdleConnTimeout = 90 * time.Second
	return &http.Client{Transport: bot.InstrumentTransport(tr, m), Timeout: timeout}
}

// newTelegram returns a Bot API client, counting its calls in m, and
// checks the token with getMe.
func newTelegram(ctx context.Context, cfg Config, m *metrics.Metrics) (*tg.Bot, string, error) {
	api, err := tg.New(cfg.Token,
		tg.WithServerURL(cfg.APIURL),
		tg.WithSkipGetMe(),
		tg.WithHTTPClient(time.Minute, httpClient(time.Minute, m)),
		tg.WithErrorsHandler(func(error) {}),
	)
	if err != nil {
		return nil, "", fmt.Errorf("telegram client: %w", err)
	}
	gctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	me, err := api.GetMe(gctx)
	switch {
	case errors.Is(err, tg.ErrorUnauthorized) || errors.Is(err, tg.ErrorNotFound):
		return nil, "", errors.New("Telegram refused TELEGRAM_BOT_TOKEN (unauthorized): check the token @BotFather gave you")
	case err != nil:
		return nil, "", fmt.Errorf("cannot reach Telegram at %s: %s", cfg.APIURL, strings.ReplaceAll(err.Error(), cfg.Token, "***"))
	}
	return api, me.Username, nil
}

// newApp connects to Redis and Telegram and wires every part.
func newApp(ctx context.Context, cfg Config, now func() time.Time, log *slog.Logger) (*app, error) {
	rdb, err := connectRedis(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The app's own registry: what /metrics serves, nothing global.
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	api, me, err := newTelegram(ctx, cfg, m)
	if err != nil {
		_ = rdb.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: log, now: now, rdb: rdb, store: store.New(rdb, store.Options{Keys: cfg.Keys, Shards: cfg.Shards}), reg: reg, metrics: m, api: api, me: me}
	reg.MustRegister(
		newQueueCollector(a.store, now),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// One pass, bottom up: whoever has a change to make for someone pushes
	// an event into that person's lane of the inbox, handled by the router.
	a.sender = bot.NewSender(api, a.store, bot.Limits{PerSecond: cfg.RateGlobal, PerChat: cfg.RateChat}, now, log)
	// A chat over its own rate waits in its queue, holding no worker.
	lanes := bot.LaneConfig{Workers: cfg.Workers, Lease: cfg.Lease, Gate: a.sender, Metrics: m}
	events := bot.NewEvents(a.store, now)
	a.outbox = bot.NewOutbox(a.store, a.sender, events, now, log, lanes)
	a.sched = reminders.New(a.store, events, now, log, reminders.Options{Zone: cfg.Zone, RetentionMonths: cfg.Retention, CheckinGrace: cfg.Grace, Metrics: m, Lease: cfg.JobLease})
	router := dialogs.New(dialogs.Deps{
		Store: a.store, Send: a.sender, Outbox: a.outbox, Events: events, Sched: a.sched,
		Catalog: catalog.New(), Now: now, Log: log,
		Admins: cfg.Admins, DefaultZone: cfg.Zone,
		BotUsername: me, InviteTTL: cfg.InviteTTL, RetentionMonths: cfg.Retention, PublicURL: cfg.PublicURL,
		Work: cfg.Work, WorkLimited: cfg.WorkLimited, CheckinGrace: cfg.Grace,
	})
	a.desk = desk.New(desk.Options{Actions: router, Sessions: a.store, Catalog: catalog.New(), Now: now, Log: log,
		BotToken: cfg.Token, PublicURL: cfg.PublicURL, Zone: cfg.Zone})
	a.inbox = bot.NewInbox(a.store, router, events, now, log, lanes, 0)
	if cfg.WebhookURL != "" {
		a.webhook = &bot.Webhook{Inbox: a.inbox, Secret: cfg.Secret, Log: log}
	} else {
		a.poller = &bot.Poller{APIURL: cfg.APIURL, Token: cfg.Token, Client: httpClient(time.Minute, m), Inbox: a.inbox, Store: a.store, Log: log, Now: now}
	}
	return a, nil
}

// setup checks that SUIVI_DATA_KEYS opens what Redis holds, registers the
// admins as advisors, schedules the digests of the advisors created since
// the last start, and publishes the command menu and the update mode.
func (a *app) setup(ctx context.Context) error {
	if err := a.store.UseKeys(ctx); err != nil {
		return err
	}
	if err := a.store.CheckShards(ctx); err != nil {
		return err
	}
	// A deployment of the first key layout is upgraded here, once, by one
	// replica, before any worker (store/migrate.go).
	m, err := a.store.Migrate(ctx)
	if err != nil {
		return err
	}
	if m.Done {
		a.log.Info("key layout upgraded", "layout", store.LayoutVersion, "keys", m.Keys, "lanes", m.Lanes, "items", m.Items,
			"jobs", m.Jobs, "parked", m.Parked, "orphans", m.Orphans, "seen_markers", m.SeenMarkers)
	}
	for _, id := range a.cfg.Admins {
		if _, err := a.store.EnsureAdvisor(ctx, &domain.Advisor{ID: id, Admin: true, Created: a.now().UTC()}); err != nil {
			return err
		}
	}
	// The digests of the advisors created since the last start (and, once
	// for a deployment from before that was tracked, of every advisor).
	synced, err := a.sched.SyncAdvisors(ctx)
	if err != nil {
		return fmt.Errorf("schedule digests: %w", err)
	}
	if synced.Full || synced.Looked > 0 {
		a.log.Info("advisors' digests scheduled", "advisors", synced.Looked, "full_pass", synced.Full)
	}
	cat := catalog.New()
	if err := a.sender.SetCommands(ctx, "", dialogs.Commands(cat, domain.French)); err != nil {
		return fmt.Errorf("setMyCommands: %w", err)
	}
	if err := a.sender.SetCommands(ctx, "en", dialogs.Commands(cat, domain.English)); err != nil {
		return fmt.Errorf("setMyCommands en: %w", err)
	}
	// Advisors get their own menu in their chat (when they first write);
	// admins, known from the configuration, have it from the start.
	for _, id := range a.cfg.Admins {
		if err := a.sender.SetChatCommands(ctx, id, dialogs.AdvisorCommands(cat, domain.French, true)); err != nil {
			// Telegram refuses a chat that never wrote to the bot.
			a.log.Warn("admin menu", "advisor", id, "err", err)
		}
	}
	if a.webhook != nil {
		_, err := a.api.SetWebhook(ctx, &tg.SetWebhookParams{
			URL: a.cfg.WebhookURL, SecretToken: a.cfg.Secret,
			AllowedUpdates: []string{"message", "edited_message", "callback_query", "my_chat_member"},
		})
		if err != nil {
			return fmt.Errorf("setWebhook: %w", err)
		}
		return nil
	}
	// Telegram refuses getUpdates while a webhook is set; keep pending updates.
	if _, err := a.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("deleteWebhook: %w", err)
	}
	return nil
}

// handler serves health checks, metrics and, in webhook mode, Telegram's calls.
// /healthz answers 503 with a one-line reason when Redis does not answer or
// when this replica polls Telegram and has not completed a round for two
// minutes.
func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.store.Ping(r.Context()); err != nil {
			http.Error(w, "redis unavailable", http.StatusServiceUnavailable)
			return
		}
		if a.poller != nil {
			if err := a.poller.Health(); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", a.metricsHandler())
	mux.Handle("/desk/", a.desk)
	if a.webhook != nil {
		mux.Handle("POST /telegram/webhook", a.webhook)
	}
	return mux
}

// run serves until ctx ends, then stops taking work, lets the updates in
// hand finish, and returns.
func (a *app) run(ctx context.Context) error {
	var (
		wg   sync.WaitGroup
		errs = make(chan error, 3)
	)
	// Before the webhook takes updates: until the key layout is upgraded
	// (setup), pushes also look at the old layout's dedupe markers.
	if _, err := a.store.LoadLayout(ctx); err != nil {
		return err
	}
	var srv *http.Server
	if a.cfg.HTTPAddr != "" {
		ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("SUIVI_HTTP_ADDR %s: %w", a.cfg.HTTPAddr, err)
		}
		srv = &http.Server{Handler: a.handler(), ReadHeaderTimeout: 10 * time.Second}
		wg.Go(func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("http server: %w", err)
			}
		})
	}
	// The HTTP server listens before the webhook is set: Telegram calls at once.
	if err := a.setup(ctx); err != nil {
		if srv != nil {
			_ = srv.Close()
		}
		wg.Wait()
		if ctx.Err() != nil {
			return nil // stopped while starting: nothing went wrong
		}
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	if a.poller != nil {
		wg.Go(func() {
			if err := a.poller.Run(runCtx); err != nil {
				errs <- err
			}
		})
	}
	wg.Go(func() { a.inbox.Run(runCtx) })
	wg.Go(func() { a.outbox.Run(runCtx) })
	wg.Go(func() { a.sched.Run(runCtx) })
	a.log.Info("suivi started", "bot", a.me, "mode", map[bool]string{true: "webhook", false: "polling"}[a.webhook != nil])

	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	stop()
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		_ = srv.Shutdown(sctx)
		cancel()
	}
	wg.Wait()
	a.log.Info("suivi stopped")
	return err
}

func (a *app) close() {
	_ = a.rdb.Close()
}
