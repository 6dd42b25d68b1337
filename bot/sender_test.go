package bot_test

import (
	"context"
	"errors"
	"net/http"
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
		if d := s.ChatDelay(flood.ID()); d != 0 {
			t.Fatalf("before send %d within the burst: wait %s", i+1, d)
		}
		if _, err := s.Send(ctx, bot.Message{ChatID: flood.ID(), Text: "ok"}); err != nil {
			t.Fatalf("send %d within the burst: %v", i+1, err)
		}
	}
	if d := s.ChatDelay(flood.ID()); d <= 0 || d > time.Second {
		t.Fatalf("after the burst: wait %s, want up to a second", d)
	}
	// A reply already under way still goes, and the chat owes its time.
	if _, err := s.Send(ctx, bot.Message{ChatID: flood.ID(), Text: "the end of a reply"}); err != nil {
		t.Fatalf("4th send: %v", err)
	}
	owed := s.ChatDelay(flood.ID())
	if owed <= time.Second || owed > 2*time.Second {
		t.Fatalf("after a 4th send: wait %s, want between 1 and 2 seconds", owed)
	}
	if d := s.ChatDelay(other.ID()); d != 0 {
		t.Fatalf("another chat waits %s", d)
	}
	if _, err := s.Send(ctx, bot.Message{ChatID: other.ID(), Text: "hello"}); err != nil {
		t.Fatalf("another chat: %v", err)
	}
	clk.Advance(owed)
	if d := s.ChatDelay(flood.ID()); d != 0 {
		t.Fatalf("at the ready time: wait %s", d)
	}
}
