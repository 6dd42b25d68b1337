package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/telegramtest"
)

// childEnv, when set, makes the test binary run as the suivi command: crash
// tests start real processes of the same code and kill them.
const childEnv = "SUIVI_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	redis.SetLogger(silentRedis{})
	if os.Getenv(childEnv) == "1" {
		os.Exit(realMain(context.Background(), os.Args[1:], os.Getenv, time.Now, os.Stdout, os.Stderr))
	}
	redistest.Run(m)
}

// env is a test's environment for realMain.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func (e env) list() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

// baseEnv points Suivi at the fake Telegram and a fresh Redis database.
func baseEnv(t *testing.T, srv *telegramtest.Server) env {
	return env{
		"TELEGRAM_BOT_TOKEN": srv.Token(),
		"TELEGRAM_API_URL":   srv.URL(),
		"REDIS_URL":          redistest.URL(t),
		"SUIVI_WORKERS":      "4",
		"SUIVI_RATE_CHAT":    "100",
		"SUIVI_DATA_KEYS":    newDataKey(t, "t1"),
	}
}

// logWriter sends logs to the test log (they carry ids and kinds only).
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// running is one in-process replica of Suivi.
type running struct {
	app  *app
	stop context.CancelFunc
	done chan error
}

// start runs Suivi in-process on e with the given clock, stopped at the end
// of the test.
func start(t *testing.T, e env, clk *clock.Fake) *running {
	t.Helper()
	cfg, probs := loadConfig(e.get, true)
	if len(probs) > 0 {
		t.Fatalf("config: %v", probs)
	}
	log := slog.New(slog.NewJSONHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, clk.Now, log)
	if err != nil {
		cancel()
		t.Fatalf("newApp: %v", err)
	}
	r := &running{app: a, stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("suivi did not stop within 20s")
		}
		a.close()
	})
	return r
}

// importPlan runs `suivi plan import FILE` and returns the invite code.
func importPlan(t *testing.T, e env, clk *clock.Fake, path string) string {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), []string{"plan", "import", path}, e.get, clk.Now, &out, &errb)
	if code != 0 {
		t.Fatalf("plan import %s: exit %d\n%s", path, code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	link := lines[len(lines)-1]
	_, invite, ok := strings.Cut(link, "?start=")
	if !ok || !strings.HasPrefix(link, "https://t.me/suivi_test_bot?start=") {
		t.Fatalf("last line is not an invite link: %q", link)
	}
	return invite
}

// eventually waits for a condition on state the fake cannot signal (Redis),
// checking it every few milliseconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", wait, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var _ io.Writer = logWriter{}
