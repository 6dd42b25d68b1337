package bot_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"

	"suivi/bot"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/store"
	"suivi/telegramtest"
)

// newSender returns a Sender talking to srv through the real
// go-telegram/bot client, on the clock clk.
func newSender(t *testing.T, srv *telegramtest.Server, clk *clock.Fake, limits bot.Limits) (*bot.Sender, *store.Store) {
	t.Helper()
	api, err := tg.New(srv.Token(), tg.WithServerURL(srv.URL()), tg.WithSkipGetMe(), tg.WithErrorsHandler(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	return bot.NewSender(api, st, limits, clk.Now, quiet()), st
}

// The Sender tells apart what retrying can fix: Telegram unavailable (5xx,
// its proxies' HTML error pages, a call that hangs until our deadline, a
// server that is gone) is ErrTransient; a refusal (400), a blocked chat
// (403) and flood control (429) are not.
func TestSenderClassifiesTelegramErrors(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	s, _ := newSender(t, srv, clock.NewFake(t0), bot.Limits{PerChat: 1000, ChatBurst: 1000})
	u := srv.NewUser(42, "Ana")
	send := func(ctx context.Context) error {
		_, err := s.Send(ctx, bot.Message{ChatID: u.ID(), Text: "bonjour"})
		return err
	}
	for _, c := range []struct {
		name      string
		fault     telegramtest.Fault
		timeout   time.Duration
		transient bool
		check     func(error) bool
	}{
		{name: "500", fault: telegramtest.Fault{Status: http.StatusInternalServerError}, transient: true},
		{name: "502 page", fault: telegramtest.Fault{Status: http.StatusBadGateway, HTML: true}, transient: true},
		{name: "504 page", fault: telegramtest.Fault{Status: http.StatusGatewayTimeout, HTML: true}, transient: true},
		{name: "hang", fault: telegramtest.Fault{Hang: true}, timeout: 50 * time.Millisecond, transient: true},
		{name: "400", fault: telegramtest.Fault{Status: http.StatusBadRequest}, check: func(err error) bool { return errors.Is(err, bot.ErrRejected) }},
		{name: "403", fault: telegramtest.Fault{Status: http.StatusForbidden}, check: func(err error) bool { return errors.Is(err, bot.ErrBlocked) }},
		{name: "429", fault: telegramtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1}, check: func(err error) bool {
			var ra *bot.RetryAfterError
			return errors.As(err, &ra)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv.InjectFault("sendMessage", 0, 1, c.fault)
			ctx := context.Background()
			if c.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, c.timeout)
				defer cancel()
			}
			err := send(ctx)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, bot.ErrTransient) != c.transient {
				t.Errorf("errors.Is(%v, ErrTransient) = %v, want %v", err, !c.transient, c.transient)
			}
			if c.check != nil && !c.check(err) {
				t.Errorf("wrong class: %v", err)
			}
		})
	}
	// A server that is gone.
	url := srv.URL()
	srv.Close()
	api, _ := tg.New(srv.Token(), tg.WithServerURL(url), tg.WithSkipGetMe(), tg.WithErrorsHandler(func(error) {}))
	gone := bot.NewSender(api, store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()}), bot.Limits{}, time.Now, quiet())
	if _, err := gone.Send(context.Background(), bot.Message{ChatID: 42, Text: "x"}); !errors.Is(err, bot.ErrTransient) {
		t.Errorf("connection refused: %v, want ErrTransient", err)
	}
}

// A chat over its own rate does not hold the caller: its messages go (the
// replies to one update are never cut in the middle), and ChatDelay says
// how long its queue must wait before its next item; other chats are not
// slowed. The limiter runs on the Sender's clock.
func TestSenderPutsAChatOverItsRateBack(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	clk := clock.NewFake(t0)
	s, _ := newSender(t, srv, clk, bot.Limits{PerChat: 1, ChatBurst: 3})
	flood, other := srv.NewUser(42, "Ana"), srv.NewUser(43, "Bo")
	// A deadline bounds the test if the send blocks; it is no timing claim.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for i := range 3 {
		if d := s.ChatDelay(ctx, flood.ID()); d != 0 {
			t.Fatalf("before send %d within the burst: wait %s", i+1, d)
		}
		if _, err := s.Send(ctx, bot.Message{ChatID: flood.ID(), Text: "ok"}); err != nil {
			t.Fatalf("send %d within the burst: %v", i+1, err)
		}
	}
	if d := s.ChatDelay(ctx, flood.ID()); d <= 0 || d > time.Second {
		t.Fatalf("after the burst: wait %s, want up to a second", d)
	}
	// A reply already under way still goes, and the chat owes its time.
	if _, err := s.Send(ctx, bot.Message{ChatID: flood.ID(), Text: "the end of a reply"}); err != nil {
		t.Fatalf("4th send: %v", err)
	}
	owed := s.ChatDelay(ctx, flood.ID())
	if owed <= time.Second || owed > 2*time.Second {
		t.Fatalf("after a 4th send: wait %s, want between 1 and 2 seconds", owed)
	}
	if d := s.ChatDelay(ctx, other.ID()); d != 0 {
		t.Fatalf("another chat waits %s", d)
	}
	if _, err := s.Send(ctx, bot.Message{ChatID: other.ID(), Text: "hello"}); err != nil {
		t.Fatalf("another chat: %v", err)
	}
	clk.Advance(owed)
	if d := s.ChatDelay(ctx, flood.ID()); d != 0 {
		t.Fatalf("at the ready time: wait %s", d)
	}
}

// maxInWindow is the most calls that arrived within one window.
func maxInWindow(calls []telegramtest.Call, window time.Duration) int {
	best := 0
	for i := range calls {
		n := 0
		for j := range calls {
			if d := calls[j].At.Sub(calls[i].At); d >= 0 && d < window {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// The bot's rate holds across replicas: two Senders (two processes) on the
// same Redis, each sending from several workers, never put more than
// PerSecond messages in any second, from the very start (no burst on top
// of the rate), and use that rate.
func TestSenderRateIsSharedAcrossReplicas(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	st := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	limits := bot.Limits{PerSecond: 20, PerChat: 1000, ChatBurst: 1000}
	var senders []*bot.Sender
	for range 2 {
		api, err := tg.New(srv.Token(), tg.WithServerURL(srv.URL()), tg.WithSkipGetMe(), tg.WithErrorsHandler(func(error) {}))
		if err != nil {
			t.Fatal(err)
		}
		senders = append(senders, bot.NewSender(api, st, limits, time.Now, quiet()))
	}
	const perWorker = 8
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	start := time.Now()
	for r, s := range senders {
		for w := range 3 {
			u := srv.NewUser(int64(100+10*r+w), "U")
			wg.Go(func() {
				for range perWorker {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					for {
						_, err := s.Send(ctx, bot.Message{ChatID: u.ID(), Text: "x"})
						var ra *bot.RetryAfterError
						if errors.As(err, &ra) {
							time.Sleep(ra.After) // the queue would put the chat back
							continue
						}
						if err != nil {
							errs <- err
						}
						break
					}
					cancel()
				}
			})
		}
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	calls := srv.CallsTo("sendMessage")
	if len(calls) != 2*3*perWorker {
		t.Fatalf("%d sends", len(calls))
	}
	// The slots are 1/20 s apart (2% wider): 21 of them span 1.02 s. An
	// arrival can be late by the scheduling of a busy machine (the race
	// detector, other tests): the window is taken 40 ms shorter than a
	// second for that. Two replicas each on its own limiter sent 40.
	if m := maxInWindow(calls, time.Second-40*time.Millisecond); m > 20 {
		t.Fatalf("%d messages within one second, over the shared rate of 20", m)
	}
	// 48 messages at 20/s: the first goes at once, the rest 1/20 s apart
	// (2% wider), about 2.4 s; not much slower than the rate (a loaded
	// machine adds some).
	if took > 5*time.Second {
		t.Fatalf("48 messages took %s at 20/s", took)
	}
}

// A 429 cuts the shared rate once for the 429s that come together, and
// pauses every send (every replica) for its retry_after, on the Sender's
// clock.
func TestSender429CutsTheSharedRate(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	clk := clock.NewFake(t0)
	s, st := newSender(t, srv, clk, bot.Limits{PerSecond: 20, PerChat: 1000, ChatBurst: 1000})
	api, _ := tg.New(srv.Token(), tg.WithServerURL(srv.URL()), tg.WithSkipGetMe(), tg.WithErrorsHandler(func(error) {}))
	other := bot.NewSender(api, st, bot.Limits{PerSecond: 20, PerChat: 1000, ChatBurst: 1000}, clk.Now, quiet())
	a, b := srv.NewUser(42, "Ana"), srv.NewUser(43, "Bo")
	ctx := context.Background()
	srv.InjectFault("sendMessage", 0, 1, telegramtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 3})
	for _, u := range []*telegramtest.User{a, b} {
		var ra *bot.RetryAfterError
		if _, err := s.Send(ctx, bot.Message{ChatID: u.ID(), Text: "x"}); !errors.As(err, &ra) || ra.After != 3*time.Second {
			t.Fatalf("429: %v", err)
		}
	}
	// The 429 of a message another replica sent at the same moment.
	if _, err := st.CutBotRate(ctx, 20, 3*time.Second, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.CallsTo("sendMessage")); n != 1 {
		t.Fatalf("%d sends reached Telegram during the pause", n)
	}
	if r, err := st.BotRate(ctx, 20); err != nil || r < 17.9 || r > 18.1 {
		t.Fatalf("rate after two 429s together: %v %v, want 18 (one cut by %g)", r, err, store.RateCut)
	}
	// The other replica is paused too, until retry_after on the clock.
	var ra *bot.RetryAfterError
	if _, err := other.Send(ctx, bot.Message{ChatID: 44, Text: "x"}); !errors.As(err, &ra) || ra.After != 3*time.Second {
		t.Fatalf("the other replica during the pause: %v", err)
	}
	clk.Advance(3 * time.Second)
	if _, err := other.Send(ctx, bot.Message{ChatID: a.ID(), Text: "x"}); err != nil {
		t.Fatalf("after the pause: %v", err)
	}
}

// A 429 pauses the sends that had already taken their slot and wait for
// it, too: Telegram's retry_after holds for every send, and the slots
// reserved before it, sent anyway, would all go out during the pause.
func TestSender429PausesTheSlotsTakenBefore(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	clk := clock.NewFake(t0)
	limits := bot.Limits{PerSecond: 1, PerChat: 1000, ChatBurst: 1000}
	s, st := newSender(t, srv, clk, limits)
	a, b := srv.NewUser(42, "Ana"), srv.NewUser(43, "Bo")
	ctx := context.Background()
	if _, err := s.Send(ctx, bot.Message{ChatID: a.ID(), Text: "x"}); err != nil {
		t.Fatal(err)
	}
	// The next send takes the slot 1/1 s (2% wider) after, and waits for it.
	done := make(chan error, 1)
	go func() {
		_, err := s.Send(ctx, bot.Message{ChatID: b.ID(), Text: "x"})
		done <- err
	}()
	// Until it has: the next free slot is then two intervals away (a probe
	// that waits for nothing reserves nothing while a slot is ahead).
	for {
		wait, ok, _, err := st.BotSlot(ctx, limits.PerSecond, 0, clk.Now())
		if err != nil || ok {
			t.Fatalf("probe: %v %v", ok, err)
		}
		if wait > 1500*time.Millisecond {
			break
		}
		runtime.Gosched()
	}
	// Meanwhile, another replica's 429.
	if _, err := st.CutBotRate(ctx, limits.PerSecond, 3*time.Second, clk.Now()); err != nil {
		t.Fatal(err)
	}
	var ra *bot.RetryAfterError
	if err := <-done; !errors.As(err, &ra) || ra.After != 3*time.Second {
		t.Fatalf("a send whose slot came during the pause: %v", err)
	}
	if n := len(srv.CallsTo("sendMessage")); n != 1 {
		t.Fatalf("%d sends reached Telegram, want 1 (none during the pause)", n)
	}
	clk.Advance(3 * time.Second)
	if _, err := s.Send(ctx, bot.Message{ChatID: b.ID(), Text: "x"}); err != nil {
		t.Fatalf("after the pause: %v", err)
	}
}

// When Telegram's limit is below the configured rate, the first 429 finds
// it: the rate is cut to what went in the last second (here 20 messages,
// Telegram's limit), not by a tenth each time until under it.
func TestSender429CutsToWhatWentInTheLastSecond(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{RateLimit: 20})
	t.Cleanup(srv.Close)
	s, st := newSender(t, srv, clock.NewFake(t0), bot.Limits{PerSecond: 25, PerChat: 1000, ChatBurst: 1000})
	ctx := context.Background()
	u := srv.NewUser(42, "Ana")
	for i := range 21 {
		_, err := s.Send(ctx, bot.Message{ChatID: u.ID(), Text: "x"})
		var ra *bot.RetryAfterError
		switch {
		case i < 20 && err != nil:
			t.Fatalf("send %d: %v", i, err)
		case i == 20 && !errors.As(err, &ra):
			t.Fatalf("the 21st within a second (%d sends): %v", len(srv.CallsTo("sendMessage")), err)
		}
	}
	if r, err := st.BotRate(ctx, 25); err != nil || r < 18.9 || r > 20 {
		t.Fatalf("rate after the 429: %v %v, want 19 (95 %% of the 20 that went)", r, err)
	}
}
