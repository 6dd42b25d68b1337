package telegramtest_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"suivi/internal/clock"
	"suivi/telegramtest"
)

func TestFault429(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	other := srv.NewUser(2, "O")
	srv.InjectFault("sendMessage", u.ID(), 1, telegramtest.Fault{Status: 429, RetryAfter: 7})

	// Another chat is not affected.
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: other.ID(), Text: "ok"}); err != nil {
		t.Fatalf("other chat: %v", err)
	}
	_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "hi"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 || !strings.Contains(tooMany.Message, "Too Many Requests: retry after 7") {
		t.Fatalf("err = %#v", err)
	}
	if len(u.Messages()) != 0 {
		t.Error("a faulted call must not deliver the message")
	}
	c := srv.CallsTo("sendMessage")[1]
	if c.Status != 429 || c.Error != "Too Many Requests: retry after 7" || c.Params["text"] != "hi" {
		t.Errorf("recorded = %+v", c)
	}
	// times=1: the retry succeeds.
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "hi"}); err != nil {
		t.Errorf("retry: %v", err)
	}
	if len(u.Messages()) != 1 {
		t.Error("the retry should deliver")
	}
}

func TestFault5xx(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	srv.InjectFault("sendmessage", 0, 0, telegramtest.Fault{Status: 500})
	for i := 0; i < 2; i++ {
		_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "hi"})
		if err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") {
			t.Errorf("attempt %d: %v", i, err)
		}
	}
	srv.ClearFaults()
	srv.InjectFault("sendMessage", 0, 1, telegramtest.Fault{Status: 502, HTML: true})
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "hi"}); err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("502 HTML: %v", err)
	}
	if len(u.Messages()) != 0 {
		t.Error("5xx calls must not deliver")
	}
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "hi"}); err != nil {
		t.Errorf("after faults: %v", err)
	}
	statuses := []int{}
	for _, c := range srv.CallsTo("sendMessage") {
		statuses = append(statuses, c.Status)
	}
	if want := []int{500, 500, 502, 200}; !equalInts(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestHangAbortedByClient(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	srv.InjectFault("sendMessage", u.ID(), 1, telegramtest.Fault{Hang: true})

	c, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := b.SendMessage(c, &bot.SendMessageParams{ChatID: u.ID(), Text: "lost"})
		errc <- err
	}()
	if err := srv.Wait(waitTimeout, func() bool { return srv.InFlight("sendMessage") == 1 }); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("client err = %v", err)
	}
	if err := srv.WaitCalls(waitTimeout, func(calls []telegramtest.Call) bool { return len(calls) == 1 && calls[0].Done }); err != nil {
		t.Fatal(err)
	}
	got := srv.CallsTo("sendMessage")[0]
	if !got.Aborted || got.Status != 0 || got.Held {
		t.Errorf("call = %+v", got)
	}
	if srv.InFlight("sendMessage") != 0 || len(u.Messages()) != 0 {
		t.Error("an aborted call must not deliver")
	}
}

func TestHangReleased(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	srv.InjectFault("sendMessage", 0, 2, telegramtest.Fault{Hang: true})
	errc := make(chan error, 2)
	for _, text := range []string{"a", "b"} {
		go func() {
			_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: text})
			errc <- err
		}()
	}
	if err := srv.Wait(waitTimeout, func() bool { return srv.InFlight("sendMessage") == 2 }); err != nil {
		t.Fatal(err)
	}
	if len(u.Messages()) != 0 {
		t.Error("held calls must not deliver yet")
	}
	srv.ReleaseHangs()
	for i := 0; i < 2; i++ {
		if err := <-errc; err != nil {
			t.Errorf("released call: %v", err)
		}
	}
	if n := len(u.Messages()); n != 2 {
		t.Errorf("messages = %d, want 2", n)
	}
}

func TestDelayFault(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	srv.InjectFault("sendMessage", 0, 1, telegramtest.Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "slow"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered after %v", d)
	}
	// A client that gives up during the delay: aborted, not delivered.
	srv.InjectFault("sendMessage", 0, 1, telegramtest.Fault{Delay: time.Minute})
	c, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := b.SendMessage(c, &bot.SendMessageParams{ChatID: u.ID(), Text: "too slow"})
		errc <- err
	}()
	if err := srv.Wait(waitTimeout, func() bool { return srv.InFlight("sendMessage") == 1 }); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if err := srv.WaitCalls(waitTimeout, func(calls []telegramtest.Call) bool { return len(calls) == 2 && calls[1].Done }); err != nil {
		t.Fatal(err)
	}
	if !srv.Calls()[1].Aborted {
		t.Errorf("call = %+v", srv.Calls()[1])
	}
	msgs := u.Messages()
	if len(msgs) != 1 || msgs[0].Text != "slow" {
		t.Errorf("messages = %v", msgs)
	}
}

func TestFaultOnGetUpdates(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	u := srv.NewUser(1, "U")
	id := u.SendText("x")
	srv.InjectFault("getUpdates", 0, 1, telegramtest.Fault{Status: http.StatusBadGateway})
	status, _ := call(t, ctx(t), srv, "getUpdates", map[string]any{"offset": id + 1})
	if status != http.StatusBadGateway {
		t.Errorf("status = %d", status)
	}
	if srv.Pending() != 1 {
		t.Error("a faulted getUpdates must not confirm")
	}
}

// RateLimit: more sends than the limit in any sliding second get a 429
// with retry_after, without effect and without counting; other methods
// and the sends of the next second pass.
func TestRateLimit(t *testing.T) {
	clk := clock.NewFake(time.Date(2030, 1, 7, 10, 0, 0, 0, time.UTC))
	srv := newServer(t, telegramtest.Options{Now: clk.Now, RateLimit: 3})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	send := func() error {
		_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "hi"})
		return err
	}
	for i := range 3 {
		if err := send(); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		clk.Advance(300 * time.Millisecond)
	}
	// 0.9 s after the first: the fourth is one too many.
	var tooMany *bot.TooManyRequestsError
	if err := send(); !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("fourth send in a second: %v", err)
	}
	if _, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: u.ID(), MessageID: u.Messages()[0].ID, Text: "edited"}); err != nil {
		t.Errorf("an edit is not limited: %v", err)
	}
	// 1.0 s after the first, it has left the window; the refused one did
	// not count, the second is still in.
	clk.Advance(100 * time.Millisecond)
	if err := send(); err != nil {
		t.Fatalf("send once the first left the window: %v", err)
	}
	if err := send(); !errors.As(err, &tooMany) {
		t.Fatalf("a second send at 1.0 s: %v", err)
	}
	if got := len(u.Messages()); got != 4 {
		t.Errorf("%d messages delivered, want 4", got)
	}
	var statuses []int
	for _, c := range srv.CallsTo("sendMessage") {
		statuses = append(statuses, c.Status)
	}
	if want := []int{200, 200, 200, 429, 200, 429}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
}

func TestRateLimitRetryAfter(t *testing.T) {
	srv := newServer(t, telegramtest.Options{RateLimit: 1, RateLimitRetryAfter: 5})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "a"}); err != nil {
		t.Fatal(err)
	}
	var tooMany *bot.TooManyRequestsError
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "b"}); !errors.As(err, &tooMany) || tooMany.RetryAfter != 5 {
		t.Fatalf("err = %v", err)
	}
}
