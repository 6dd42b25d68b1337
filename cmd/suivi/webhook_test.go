package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"suivi/bot"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/telegramtest"
)

// In webhook mode Telegram pushes updates to us; a wrong secret is refused
// and stores nothing, a right one is stored and handled.
func TestWebhookMode(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	clk := clock.NewFake(t0)
	e := baseEnv(t, srv)
	addr := freeAddr(t)
	hook := "http://" + addr + "/telegram/webhook"
	e["SUIVI_HTTP_ADDR"] = addr
	e["SUIVI_WEBHOOK_URL"] = hook
	e["SUIVI_WEBHOOK_SECRET"] = "s3cret_token"
	code := importPlan(t, e, clk, "../../examples/remise-a-niveau.yaml")
	r := start(t, e, clk)
	if err := srv.WaitCalls(wait, func([]telegramtest.Call) bool { return srv.WebhookURL() == hook }); err != nil {
		t.Fatal("webhook never set")
	}

	// A forged call without the right secret: 401, nothing stored.
	body := `{"update_id":999,"message":{"message_id":1,"date":1,"text":"/start x","chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"X"}}}`
	for _, secret := range []string{"", "wrong"} {
		req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewBufferString(body))
		if secret != "" {
			req.Header.Set(bot.SecretHeader, secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("secret %q: HTTP %d", secret, resp.StatusCode)
		}
	}
	if keys, _ := redistest.Keys(t.Context(), r.app.rdb, "suivi:{b:*"); len(keys) == 0 {
		t.Fatal("plan missing")
	}
	if keys, _ := redistest.Keys(t.Context(), r.app.rdb, "suivi:{inbox:*}:seen:999"); len(keys) != 0 {
		t.Fatal("a forged update was stored")
	}

	u := srv.NewUser(8001, "Teddy")
	u.SendText("/start " + code)
	if _, err := u.WaitMessage(wait, has("Bienvenue Teddy")); err != nil {
		t.Fatal(err)
	}
	for _, a := range srv.WebhookAttempts() {
		if a.Status != http.StatusOK {
			t.Errorf("webhook attempt for update %d answered %d", a.UpdateID, a.Status)
		}
	}
	if got := srv.CallsTo("getUpdates"); len(got) != 0 {
		t.Errorf("webhook mode also polled: %d calls", len(got))
	}
	// Health and metrics on the same address.
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/metrics": `suivi_queue_chats{queue="inbox",state="parked"} 0`,
	} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, want %q in:\n%.400s", path, resp.StatusCode, want, body)
		}
		if path == "/metrics" && !strings.Contains(string(body), "suivi_redis_up 1") {
			t.Errorf("metrics say Redis is down")
		}
	}
}
