package telegramtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"suivi/telegramtest"
)

func TestGetUpdatesOffsetSemantics(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	u := srv.NewUser(1, "U")
	id1 := u.SendText("/start@suivi_test_bot now")
	id2 := u.SendText("two")
	id3 := u.SendText("three")
	if id2 != id1+1 || id3 != id2+1 {
		t.Fatalf("update ids %d %d %d", id1, id2, id3)
	}
	c := ctx(t)

	ups := getUpdates(t, c, srv, map[string]any{})
	if !slices.Equal(updateIDs(ups), []int64{id1, id2, id3}) {
		t.Fatalf("no offset: %v", updateIDs(ups))
	}
	ent := ups[0].Message.Entities
	if len(ent) != 1 || ent[0].Type != "bot_command" || ent[0].Offset != 0 || ent[0].Length != len("/start@suivi_test_bot") {
		t.Errorf("command entity = %+v", ent)
	}
	if srv.Pending() != 3 || srv.Confirmed() != 0 {
		t.Errorf("without offset nothing is confirmed: pending %d confirmed %d", srv.Pending(), srv.Confirmed())
	}

	ups = getUpdates(t, c, srv, map[string]any{"offset": id2, "limit": 1})
	if !slices.Equal(updateIDs(ups), []int64{id2}) {
		t.Errorf("offset id2 limit 1: %v", updateIDs(ups))
	}
	if srv.Confirmed() != id1 || srv.Pending() != 2 {
		t.Errorf("confirmed %d pending %d", srv.Confirmed(), srv.Pending())
	}
	// Confirmed updates are forgotten: offset 0 no longer returns id1.
	if ups = getUpdates(t, c, srv, map[string]any{}); !slices.Equal(updateIDs(ups), []int64{id2, id3}) {
		t.Errorf("after confirmation: %v", updateIDs(ups))
	}
	// Negative offset: the last -offset updates; earlier ones are forgotten.
	if ups = getUpdates(t, c, srv, map[string]any{"offset": -1}); !slices.Equal(updateIDs(ups), []int64{id3}) {
		t.Errorf("offset -1: %v", updateIDs(ups))
	}
	if srv.Confirmed() != id2 {
		t.Errorf("confirmed after negative offset = %d", srv.Confirmed())
	}
	if ups = getUpdates(t, c, srv, map[string]any{"offset": id3 + 1}); len(ups) != 0 {
		t.Errorf("all confirmed: %v", updateIDs(ups))
	}
	if srv.Pending() != 0 || srv.Confirmed() != id3 {
		t.Errorf("pending %d confirmed %d", srv.Pending(), srv.Confirmed())
	}
}

func TestGetUpdatesLongPollWakesUp(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	u := srv.NewUser(1, "U")
	c := ctx(t)
	type result struct {
		ups []rawUpdate
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		ups, err := tryGetUpdates(c, srv, map[string]any{"timeout": 30})
		done <- result{ups, err, time.Now()}
	}()
	if err := srv.WaitCalls(waitTimeout, func(calls []telegramtest.Call) bool { return len(calls) == 1 && calls[0].Polling }); err != nil {
		t.Fatal(err)
	}
	id := u.SendText("wake up")
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		if !slices.Equal(updateIDs(r.ups), []int64{id}) {
			t.Errorf("long poll returned %v", updateIDs(r.ups))
		}
		if r.at.Sub(start) > 10*time.Second {
			t.Errorf("long poll took %v", r.at.Sub(start))
		}
	case <-time.After(waitTimeout):
		t.Fatal("long poll did not return after a new update")
	}

	// A long poll ends when its client goes away; the call is recorded Aborted.
	short, cancel := context.WithCancel(c)
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(short, http.MethodGet, srv.MethodURL("getUpdates")+"?timeout=30&offset="+jsonNum(id+1), nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	if err := srv.WaitCalls(waitTimeout, func(calls []telegramtest.Call) bool { return len(calls) == 2 && calls[1].Polling }); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; err == nil {
		t.Error("cancelled long poll should fail on the client side")
	}
	if err := srv.WaitCalls(waitTimeout, func(calls []telegramtest.Call) bool { return calls[1].Done }); err != nil {
		t.Fatal(err)
	}
	if c := srv.Calls()[1]; !c.Aborted {
		t.Errorf("cancelled long poll = %+v", c)
	}
}

func jsonNum(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestGetUpdatesTimeoutReturnsEmpty(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	start := time.Now()
	ups := getUpdates(t, ctx(t), srv, map[string]any{"timeout": 1})
	if len(ups) != 0 {
		t.Errorf("updates = %v", ups)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("returned after %v, want about 1s", d)
	}
}

func TestConcurrentGetUpdatesConflict(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	c := ctx(t)
	type answer struct {
		status int
		r      apiResponse
		err    error
	}
	first := make(chan answer, 1)
	go func() {
		s, r, err := tryCall(c, srv, "getUpdates", map[string]any{"timeout": 30})
		first <- answer{s, r, err}
	}()
	if err := srv.WaitCalls(waitTimeout, func(calls []telegramtest.Call) bool { return len(calls) == 1 && calls[0].Polling }); err != nil {
		t.Fatal(err)
	}
	status, r := call(t, c, srv, "getUpdates", map[string]any{"timeout": 0})
	if status != 200 || !r.OK {
		t.Errorf("second getUpdates: %d %s", status, r.Description)
	}
	a := <-first
	if a.err != nil {
		t.Fatal(a.err)
	}
	if a.status != http.StatusConflict || a.r.Description != "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" {
		t.Errorf("first getUpdates: %d %q", a.status, a.r.Description)
	}
}

func TestWebhookDelivery(t *testing.T) {
	srv := newServer(t, telegramtest.Options{WebhookRetry: time.Millisecond})
	var mu sync.Mutex
	var secrets []string
	var bodies []string
	fails := 2
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		bodies = append(bodies, string(body))
		if r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if fails > 0 {
			fails--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer hook.Close()
	c := ctx(t)
	u := srv.NewUser(4, "U")

	status, r := call(t, c, srv, "setWebhook", map[string]any{"url": hook.URL + "/hook", "secret_token": "bad secret!"})
	if status != 400 || !strings.Contains(r.Description, "secret token") {
		t.Errorf("bad secret: %d %q", status, r.Description)
	}
	status, r = call(t, c, srv, "setWebhook", map[string]any{"url": hook.URL + "/hook", "secret_token": "s3cr3t_-X"})
	if status != 200 || !r.OK {
		t.Fatalf("setWebhook: %d %s", status, r.Description)
	}
	id1 := u.SendText("one")
	id2 := u.SendText("two")
	if err := srv.Wait(waitTimeout, func() bool { return srv.Confirmed() == id2 }); err != nil {
		t.Fatalf("webhook did not confirm: %v; attempts %+v", err, srv.WebhookAttempts())
	}
	att := srv.WebhookAttempts()
	want := []telegramtest.WebhookAttempt{{UpdateID: id1, Status: 500}, {UpdateID: id1, Status: 500}, {UpdateID: id1, Status: 200}, {UpdateID: id2, Status: 200}}
	if len(att) != len(want) {
		t.Fatalf("attempts = %+v", att)
	}
	for i := range want {
		if att[i].UpdateID != want[i].UpdateID || att[i].Status != want[i].Status {
			t.Errorf("attempt %d = %+v, want %+v", i, att[i], want[i])
		}
	}
	if !strings.Contains(att[0].Err, "500") {
		t.Errorf("attempt error = %q", att[0].Err)
	}
	mu.Lock()
	for _, s := range secrets {
		if s != "s3cr3t_-X" {
			t.Errorf("secret header = %q", s)
		}
	}
	var upd rawUpdate
	if err := json.Unmarshal([]byte(bodies[3]), &upd); err != nil || upd.UpdateID != id2 || upd.Message.Text != "two" {
		t.Errorf("delivered body = %s (%v)", bodies[3], err)
	}
	mu.Unlock()
	if srv.Pending() != 0 {
		t.Errorf("pending = %d", srv.Pending())
	}

	// getUpdates conflicts with an active webhook.
	status, r = call(t, c, srv, "getUpdates", map[string]any{})
	if status != http.StatusConflict || r.Description != "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" {
		t.Errorf("getUpdates with webhook: %d %q", status, r.Description)
	}
	status, r = call(t, c, srv, "getWebhookInfo", nil)
	var info models.WebhookInfo
	_ = json.Unmarshal(r.Result, &info)
	if status != 200 || info.URL != hook.URL+"/hook" {
		t.Errorf("getWebhookInfo: %d %+v", status, info)
	}

	// After deleteWebhook, updates wait for getUpdates.
	if status, r = call(t, c, srv, "deleteWebhook", nil); status != 200 {
		t.Fatalf("deleteWebhook: %d %s", status, r.Description)
	}
	id3 := u.SendText("three")
	ups := getUpdates(t, c, srv, map[string]any{})
	if !slices.Equal(updateIDs(ups), []int64{id3}) {
		t.Errorf("after deleteWebhook: %v", updateIDs(ups))
	}
	if n := len(srv.WebhookAttempts()); n != 4 {
		t.Errorf("attempts after deleteWebhook = %d", n)
	}
}

func TestWebhookWithRealClientHandler(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	got := make(chan *models.Update, 1)
	b := newBot(t, srv, bot.WithWebhookSecretToken("tok"), bot.WithDefaultHandler(func(_ context.Context, _ *bot.Bot, u *models.Update) {
		got <- u
	}))
	c, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); b.StartWebhook(c) }()
	defer func() { cancel(); wg.Wait() }()
	hook := httptest.NewServer(b.WebhookHandler())
	defer hook.Close()
	if _, err := b.SetWebhook(ctx(t), &bot.SetWebhookParams{URL: hook.URL, SecretToken: "tok"}); err != nil {
		t.Fatal(err)
	}
	u := srv.NewUser(6, "U")
	id := u.SendText("via webhook")
	select {
	case upd := <-got:
		if upd.ID != id || upd.Message == nil || upd.Message.Text != "via webhook" {
			t.Errorf("update = %+v", upd)
		}
	case <-time.After(waitTimeout):
		t.Fatal("no update through the webhook")
	}
	if _, err := b.DeleteWebhook(ctx(t), &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
}

// TestRealClientPolling runs the go-telegram/bot polling loop against the
// fake: a user's command reaches the handler, the bot answers with a
// keyboard, the user presses a button, the bot answers the callback and edits.
func TestRealClientPolling(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	// Errors after the test cancelled the bot's context are expected: the
	// fake may have applied a call whose answer the client no longer reads.
	handler := func(c context.Context, b *bot.Bot, upd *models.Update) {
		switch {
		case upd.Message != nil && upd.Message.Text == "/start":
			_, err := b.SendMessage(c, &bot.SendMessageParams{ChatID: upd.Message.Chat.ID, Text: "Ready?", ReplyMarkup: keyboard(
				[]models.InlineKeyboardButton{{Text: "Go", CallbackData: "go"}})})
			if err != nil && c.Err() == nil {
				t.Errorf("send: %v", err)
			}
		case upd.CallbackQuery != nil:
			cq := upd.CallbackQuery
			if _, err := b.AnswerCallbackQuery(c, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}); err != nil && c.Err() == nil {
				t.Errorf("answer: %v", err)
			}
			msg := cq.Message.Message
			if _, err := b.EditMessageText(c, &bot.EditMessageTextParams{ChatID: msg.Chat.ID, MessageID: msg.ID, Text: "Went: " + cq.Data}); err != nil && c.Err() == nil {
				t.Errorf("edit: %v", err)
			}
		}
	}
	b := newBot(t, srv, bot.WithDefaultHandler(handler))
	c, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); b.Start(c) }()
	defer func() { cancel(); wg.Wait() }()

	u := srv.NewUser(77, "Zoé")
	u.LanguageCode = "fr"
	u.SendText("/start")
	m, err := u.WaitMessage(waitTimeout, func(m telegramtest.Message) bool { return m.PlainText == "Ready?" })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressButton(m.ID, "Go"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.WaitMessage(waitTimeout, func(m telegramtest.Message) bool { return m.PlainText == "Went: go" && m.Keyboard == nil }); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(waitTimeout, func() bool { return len(srv.UnansweredCallbacks()) == 0 }); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(waitTimeout, func() bool { return srv.Pending() == 0 }); err != nil {
		t.Errorf("the poller should confirm every update: pending %d", srv.Pending())
	}
	if errs := errorsOf(srv.Calls(), "getUpdates"); len(errs) > 0 {
		t.Errorf("getUpdates errors: %v", errs)
	}
}

func errorsOf(calls []telegramtest.Call, method string) []error {
	var errs []error
	for _, c := range calls {
		if strings.EqualFold(c.Method, method) && c.Done && !c.Aborted && c.Status != 200 {
			errs = append(errs, errors.New(c.Error))
		}
	}
	return errs
}

// Actions counts the calls other than getUpdates, beyond what MaxCalls
// keeps: what tells that a bot is still at work.
func TestActionsCountsAllButPolling(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{MaxCalls: 1})
	t.Cleanup(srv.Close)
	u := srv.NewUser(8, "Ana")
	c := ctx(t)
	getUpdates(t, c, srv, map[string]any{})
	for i := range 3 {
		if status, _ := call(t, c, srv, "sendMessage", map[string]any{"chat_id": u.ID(), "text": strconv.Itoa(i)}); status != 200 {
			t.Fatalf("sendMessage: %d", status)
		}
	}
	getUpdates(t, c, srv, map[string]any{})
	if n := srv.Actions(); n != 3 {
		t.Fatalf("actions %d, want the 3 sendMessage", n)
	}
}
