package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"suivi/internal/metrics"
	"suivi/store"
)

// LaneConfig tunes a lane worker pool; zero values take the defaults.
type LaneConfig struct {
	// Workers is how many chats are served at once (default 8).
	Workers int
	// Lease is how long a worker holds a chat without renewing it; after a
	// crash, the chat's items wait this long before another worker takes
	// them (default 30s).
	Lease time.Duration
	// MaxTries is how many failed attempts park an item (default 5).
	MaxTries int
	// MaxWaits is how many attempts that found Telegram unavailable (5xx,
	// timeouts, network errors) park an item; they are not tries (default
	// 100: with the backoff below, about 8 hours of outage).
	MaxWaits int
	// Idle is how soon an idle pool looks again for work pushed by other
	// replicas (default 500ms); work pushed in this process wakes it at
	// once. Only one worker of the pool looks (the others wait to be
	// woken), and while it finds nothing it looks less and less often, up
	// to IdleMax, but never later than the earliest time it saw a chat
	// would be ready or a lease would expire.
	Idle time.Duration
	// IdleMax is the longest an idle pool waits between two looks
	// (default 10s: a look is a script on each of the 16 shards, three
	// commands each; with 5 s an idle replica ran 28 commands a second).
	IdleMax time.Duration
	// Grace is how long the item in hand may go on when the pool stops
	// (shutdown) or the worker's lease is lost, before it is cancelled
	// (default 10s).
	Grace time.Duration
	// Gate, when set, says how long a chat must wait before its next item
	// (its own rate limit: Sender.ChatDelay); the chat is put back until
	// then instead of holding a worker.
	Gate interface {
		ChatDelay(ctx context.Context, chat int64) time.Duration
	}
	// Metrics, when set, counts each item's outcome and time, and the
	// chats put back to wait (nil: nothing counted).
	Metrics *metrics.Metrics
}

func (c *LaneConfig) defaults() {
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.MaxTries <= 0 {
		c.MaxTries = 5
	}
	if c.MaxWaits <= 0 {
		c.MaxWaits = 100
	}
	if c.Idle <= 0 {
		c.Idle = 500 * time.Millisecond
	}
	if c.IdleMax < c.Idle {
		c.IdleMax = max(c.Idle, 10*time.Second)
	}
	if c.Grace <= 0 {
		c.Grace = 10 * time.Second
	}
}

// outcome is what became of one item.
type outcome int

const (
	done        outcome = iota // handled: remove it
	retry                      // failed: count a try, back off, park after MaxTries
	park                       // failed for good: park it now
	wait                       // not its fault (flood control): try again at `at`, uncounted
	unavailable                // Telegram unavailable: back off, counted apart from tries, park after MaxWaits
	dropAll                    // the chat is gone: drop the whole lane
)

type result struct {
	outcome outcome
	at      time.Time // with wait
	reason  string    // with retry and park, for the parked record and logs
	kind    string    // of the item, for metrics (no content)
	took    time.Duration
}

// lanePool serves a store.Lanes queue: one chat at a time per worker, items
// of a chat in order.
type lanePool struct {
	name    string
	lanes   *store.Lanes
	now     func() time.Time
	log     *slog.Logger
	cfg     LaneConfig
	wake    chan struct{}
	process func(ctx context.Context, lane int64, it store.Item) result

	// watching is held by the one idle worker that looks for work on a
	// timer; idle is its next wait, next the earliest ready time it saw
	// (unix ns on p.now's clock; 0: none).
	watching atomic.Bool
	rewatch  chan struct{}
	// needWatcher asks an idle worker to become the watcher.
	needWatcher chan struct{}
	idle        atomic.Int64
	next        atomic.Int64
}

func newLanePool(name string, lanes *store.Lanes, now func() time.Time, log *slog.Logger, cfg LaneConfig) *lanePool {
	cfg.defaults()
	return &lanePool{name: name, lanes: lanes, now: now, log: log, cfg: cfg, wake: make(chan struct{}, 1), rewatch: make(chan struct{}, 1), needWatcher: make(chan struct{}, 1)}
}

// Wake tells idle workers that there is work.
func (p *lanePool) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run serves until ctx ends. It returns when every worker has finished the
// item in hand (each has at most Grace for it).
func (p *lanePool) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range p.cfg.Workers {
		wg.Go(func() { p.worker(ctx, i) })
	}
	wg.Wait()
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// worker serves chats until ctx ends. An idle worker waits to be woken
// (work pushed in this process, or another worker that found some); one of
// them, the watcher, also looks again on a timer for work pushed by other
// replicas, chats whose wait is over and leases that expired: after
// cfg.Idle, then twice as long each time it finds nothing, up to
// cfg.IdleMax, or at the earliest ready time it saw if that is sooner. An
// idle replica's pools thus cost a few Redis commands a second, not one
// probe of every shard per worker every 500 ms (issue 9: 1,056 commands a
// second with 8 workers, 2 pools and 16 shards).
func (p *lanePool) worker(ctx context.Context, n int) {
	for ctx.Err() == nil {
		worked, err := p.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Error(p.name, "worker", n, "err", err)
		}
		if worked && err == nil {
			continue
		}
		if p.watching.CompareAndSwap(false, true) {
			p.watch(ctx, err != nil)
			continue
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
		case <-p.needWatcher:
			// The watcher went to work: watch in its place.
			if p.watching.CompareAndSwap(false, true) {
				p.watch(ctx, false)
			}
		}
	}
}

// watch is the watcher's wait; the caller holds p.watching.
func (p *lanePool) watch(ctx context.Context, failed bool) {
	t := time.NewTimer(p.idleWait(failed))
	select {
	case <-ctx.Done():
	case <-p.wake:
	case <-p.rewatch:
	case <-t.C:
	}
	t.Stop()
	p.watching.Store(false)
}

// idleWait is how long the watcher waits before it looks again, and doubles
// the wait after that (up to cfg.IdleMax); failed (Redis unreachable) looks
// again after cfg.Idle.
func (p *lanePool) idleWait(failed bool) time.Duration {
	d := time.Duration(p.idle.Load())
	if d <= 0 || failed {
		d = p.cfg.Idle
	}
	p.idle.Store(int64(min(2*d, p.cfg.IdleMax)))
	if next := p.next.Load(); next > 0 {
		if until := time.Duration(next - p.now().UnixNano()); until < d {
			d = max(until, 10*time.Millisecond)
		}
	}
	return d
}

// RunOnce claims one ready chat and serves its waiting items in order. It
// reports whether there was a chat to work on.
func (p *lanePool) RunOnce(ctx context.Context) (bool, error) {
	token := newToken()
	now := p.now()
	c, ok, next, err := p.lanes.ClaimHead(ctx, now, now.Add(p.cfg.Lease), token)
	if err != nil || !ok {
		p.next.Store(0)
		if !next.IsZero() {
			p.next.Store(next.UnixNano())
		}
		return false, err
	}
	lane := c.Lane
	// Work found: look at once again; if more is ready, let one more
	// worker look.
	p.idle.Store(0)
	if c.More {
		p.Wake()
	}
	if !p.watching.Load() {
		select { // someone must watch while this worker serves the chat
		case p.needWatcher <- struct{}{}:
		default:
		}
	}
	// Keep the lease alive while we work; a crash lets it lapse. A lease
	// found lost (another worker took the chat) ends the drain.
	drainCtx, stopDrain := context.WithCancel(ctx)
	defer stopDrain()
	hbCtx, stopHB := context.WithCancel(context.WithoutCancel(ctx))
	var hb sync.WaitGroup
	var released atomic.Bool
	hb.Go(func() { p.heartbeat(hbCtx, lane, token, &released, stopDrain) })
	readyAt, err := p.drain(drainCtx, lane, token, c.Head, &released)
	stopHB()
	hb.Wait()
	if released.Load() {
		return true, err
	}
	// Release even when ctx is done (shutdown), so another replica can go on.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if rerr := p.lanes.Release(rctx, lane, token, readyAt); rerr != nil && !errors.Is(rerr, store.ErrLeaseLost) {
		err = errors.Join(err, rerr)
	}
	if readyAt.After(p.now()) {
		// The chat waits (its rate, a backoff): the watcher, who may be
		// asleep for longer, looks again and sleeps until then.
		select {
		case p.rewatch <- struct{}{}:
		default:
		}
	}
	return true, err
}

// heartbeat extends the lease every third of its length. When the lease is
// found lost, it calls lost: the worker must not start another item of
// that chat (its new owner serves them).
func (p *lanePool) heartbeat(ctx context.Context, lane int64, token string, released *atomic.Bool, lost func()) {
	t := time.NewTicker(p.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := p.lanes.Extend(ctx, lane, token, p.now().Add(p.cfg.Lease))
			switch {
			case errors.Is(err, store.ErrLeaseLost) && released.Load():
				return // the drain gave the emptied chat back
			case errors.Is(err, store.ErrLeaseLost):
				p.log.Warn(p.name+": lease lost, stopping", "chat", lane)
				lost()
				return
			case err != nil && ctx.Err() == nil:
				p.log.Warn(p.name+" lease", "chat", lane, "err", err)
			}
		}
	}
}

// maxBatch bounds how many items of one chat a worker serves before giving
// other chats a turn.
const maxBatch = 32

// itemContext is the context of the item in hand: when ctx ends (shutdown,
// or the lease was lost) the item is not cut short, it gets Grace to finish
// (a message Telegram is accepting must not be abandoned and sent again
// after a restart); then it is cancelled.
func (p *lanePool) itemContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ictx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(p.cfg.Grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-ictx.Done():
		}
	})
	return ictx, func() {
		stop()
		cancel()
	}
}

// drain serves the chat's items in order. It returns when the chat is empty,
// after a failure (returning when to try again), after maxBatch items, or
// when ctx ends (shutdown, or the lease was lost) once the item in hand is
// finished.
//
// head is the chat's first item as the claim found it (nil: none). Each
// handled item's acknowledgement brings the next one, and gives the chat
// back when it was the last (released is then set: nothing to release).
func (p *lanePool) drain(ctx context.Context, lane int64, token string, head *store.Item, released *atomic.Bool) (readyAt time.Time, err error) {
	// What is done with an item is recorded even after ctx ended.
	rctx := context.WithoutCancel(ctx)
	for range maxBatch {
		if ctx.Err() != nil {
			return p.now(), nil
		}
		if head == nil {
			next, ok, err := p.lanes.Head(ctx, lane)
			if err != nil || !ok {
				if ctx.Err() != nil {
					err = nil
				}
				return p.now(), err
			}
			head = &next
		}
		it := *head
		head = nil
		if p.cfg.Gate != nil {
			if d := p.cfg.Gate.ChatDelay(ctx, lane); d > 0 {
				p.cfg.Metrics.RateLimited(p.name, metrics.ChatRate, d)
				return p.now().Add(d), nil
			}
		}
		ictx, finish := p.itemContext(ctx)
		start := time.Now()
		res := p.process(ictx, lane, it)
		res.took = time.Since(start)
		finish()
		if res.outcome != done && ctx.Err() != nil {
			// Shutting down or lease lost: not the item's fault, don't count it.
			return p.now(), nil
		}
		if res.outcome == done {
			// Handled: acknowledged, with the next item in the same step.
			actx, cancel := context.WithTimeout(rctx, 5*time.Second)
			next, more, err := p.lanes.AckNext(actx, lane, token, it.ID)
			cancel()
			if err == nil {
				p.cfg.Metrics.Item(p.name, res.kind, metrics.Done, res.took)
				if !more {
					released.Store(true)
					return time.Time{}, nil
				}
				head = &next
				continue
			}
			if errors.Is(err, store.ErrLeaseLost) {
				p.log.Warn(p.name+": lease lost, item left to the chat's new owner", "id", it.ID, "chat", lane)
				return p.now(), nil
			}
			return p.now(), err
		}
		readyAt, again, err := p.record(rctx, lane, token, it, res)
		if errors.Is(err, store.ErrLeaseLost) {
			p.log.Warn(p.name+": lease lost, item left to the chat's new owner", "id", it.ID, "chat", lane)
			return p.now(), nil
		}
		if err != nil || !again {
			return readyAt, err
		}
	}
	return p.now(), nil
}

// record stores the outcome of an item; again reports whether the drain may
// go on with the next item, else readyAt is when the chat may be served again.
func (p *lanePool) record(ctx context.Context, lane int64, token string, it store.Item, res result) (readyAt time.Time, again bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	count := func(outcome string) { p.cfg.Metrics.Item(p.name, res.kind, outcome, res.took) }
	switch res.outcome { // done is acknowledged by drain (AckNext)
	case wait:
		count(metrics.Deferred)
		p.cfg.Metrics.RateLimited(p.name, metrics.FloodControl, res.at.Sub(p.now()))
		return res.at, false, nil
	case unavailable:
		n, parked, err := p.lanes.Wait(ctx, lane, token, it.ID, p.cfg.MaxWaits, res.reason, p.now())
		if err != nil {
			return p.now(), false, err
		}
		count(map[bool]string{true: metrics.Parked, false: metrics.Unavailable}[parked])
		if parked {
			p.log.Error(p.name+": item parked", "id", it.ID, "chat", lane, "waits", n, "reason", res.reason)
			return time.Time{}, true, nil
		}
		retry := backoff(n)
		p.log.Warn(p.name+": telegram unavailable, will retry", "id", it.ID, "chat", lane, "waits", n, "retry_in_s", int(retry.Seconds()))
		return p.now().Add(retry), false, nil
	case dropAll:
		count(metrics.Dropped)
		n, err := p.lanes.Drop(ctx, lane, token)
		if err == nil {
			p.log.Warn(p.name+": chat gone, items dropped", "chat", lane, "items", n)
		}
		return p.now(), false, err
	}
	maxTries := p.cfg.MaxTries
	if res.outcome == park {
		maxTries = it.Tries + 1
	}
	parked, err := p.lanes.Fail(ctx, lane, token, it.ID, maxTries, res.reason, p.now())
	if err != nil {
		return p.now(), false, err
	}
	count(map[bool]string{true: metrics.Parked, false: metrics.Failed}[parked])
	if parked {
		p.log.Error(p.name+": item parked", "id", it.ID, "chat", lane, "tries", it.Tries+1, "reason", res.reason)
		return time.Time{}, true, nil
	}
	return p.now().Add(backoff(it.Tries + 1)), false, nil
}

// backoff is the wait before the n-th retry: 2s, 8s, 32s, ... at most 5 min.
func backoff(n int) time.Duration {
	d := 2 * time.Second
	for i := 1; i < n && d < 5*time.Minute; i++ {
		d *= 4
	}
	return min(d, 5*time.Minute)
}
