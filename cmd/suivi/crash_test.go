package main

import (
	"bytes"
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/store"
	"suivi/telegramtest"
)

// The process is killed (SIGKILL) after it fetched an update and while it
// was handling it; a new process handles it, and the beneficiary gets the
// answer exactly once.
func TestCrashAfterFetchIsHandledOnceByNextProcess(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	e := baseEnv(t, srv)
	e["SUIVI_INBOX_LEASE"] = "2s"
	code := importPlan(t, e, clock.NewFake(time.Now()), "../../examples/fle-electricien.yaml")

	a, outA := child(t, e, "run")
	if err := srv.WaitCalls(wait, func(cs []telegramtest.Call) bool { return len(srv.CallsTo("deleteWebhook")) > 0 }); err != nil {
		t.Fatalf("first process never polled:\n%s", outA.String())
	}
	u := srv.NewUser(7001, "Moussa")
	// Telegram will hold every message to this chat: the process fetches the
	// update, persists it, starts handling it and blocks on its answer.
	srv.InjectFault("sendMessage", u.ID(), 0, telegramtest.Fault{Hang: true})
	upd := u.SendText("/start " + code)
	if err := srv.WaitCalls(wait, func([]telegramtest.Call) bool { return srv.InFlight("sendMessage") == 1 }); err != nil {
		t.Fatalf("update never handled:\n%s", outA.String())
	}
	if err := a.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	// The held answer died with the process: Telegram never delivered it.
	srv.ClearFaults()
	if err := srv.WaitCalls(wait, func(cs []telegramtest.Call) bool { return srv.InFlight("sendMessage") == 0 }); err != nil {
		t.Fatal(err)
	}
	if n := len(u.Messages()); n != 0 {
		t.Fatalf("a message reached the user before the crash: %v", u.Messages())
	}
	if got := srv.Confirmed(); got < upd {
		t.Fatalf("update %d was not confirmed to Telegram (confirmed %d): the test did not crash after the fetch", upd, got)
	}

	b, outB := child(t, e, "run")
	if _, err := u.WaitMessage(wait, has("Bienvenue Moussa")); err != nil {
		t.Fatalf("%v\nsecond process:\n%s", err, outB.String())
	}
	// Let the second process finish with the update before counting.
	rdb := e.redis(t)
	st := store.New(rdb, store.Options{Keys: e.keys(t)})
	eventually(t, "the inbox is empty", func() bool {
		_, queued, _ := st.Inbox().Head(context.Background(), u.ID())
		stats, _ := st.Inbox().Stats(context.Background())
		return !queued && stats.Leased == 0
	})
	welcomes := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.PlainText, "Bienvenue") {
			welcomes++
		}
	}
	if welcomes != 1 {
		t.Fatalf("welcome delivered %d times: %v", welcomes, u.Messages())
	}
	// The beneficiary is linked, nothing was parked.
	ben, err := st.BeneficiaryByTelegram(context.Background(), u.ID())
	if err != nil || ben.Name != "Moussa" {
		t.Fatalf("beneficiary not linked: %+v %v", ben, err)
	}
	stats, err := st.Inbox().Stats(context.Background())
	if err != nil || stats.Parked != 0 {
		t.Fatalf("inbox: %+v %v", stats, err)
	}

	// A graceful stop exits 0.
	if err := b.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(); err != nil {
		t.Fatalf("second process did not stop cleanly: %v\n%s", err, outB.String())
	}
}

// Missing token, bad values, unreachable Redis: one clear line each, exit
// code not 0, no stack trace.
func TestStartupFailuresAreOneClearLine(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	key := newDataKey(t, "k1")
	_, material, _ := strings.Cut(key, ":")
	// A Redis that holds data sealed under another key k1.
	sealed := baseEnv(t, srv)
	sealed["SUIVI_DATA_KEYS"] = newDataKey(t, "k1")
	importPlan(t, sealed, clock.NewFake(time.Now()), "../../examples/fle-electricien.yaml")
	cases := []struct {
		name string
		env  env
		code int
		want []string
	}{
		{"no token", env{"SUIVI_DATA_KEYS": key}, exitUsage, []string{"suivi: config: TELEGRAM_BOT_TOKEN is required"}},
		{"bad values", env{"TELEGRAM_BOT_TOKEN": "nope", "SUIVI_TIMEZONE": "Mars/Olympus", "SUIVI_ADMIN_IDS": "12,abc", "SUIVI_DATA_KEYS": key}, exitUsage, []string{
			"suivi: config: TELEGRAM_BOT_TOKEN does not look like a bot token",
			"suivi: config: SUIVI_ADMIN_IDS: \"abc\" is not a Telegram user id",
			"suivi: config: SUIVI_TIMEZONE: \"Mars/Olympus\" is not a known IANA time zone",
		}},
		{"redis down", env{"TELEGRAM_BOT_TOKEN": srv.Token(), "TELEGRAM_API_URL": srv.URL(), "REDIS_URL": "redis://127.0.0.1:1/0", "SUIVI_DATA_KEYS": key}, exitFailure, []string{
			"suivi: cannot reach Redis at redis://127.0.0.1:1/0",
		}},
		{"bad token", env{"TELEGRAM_BOT_TOKEN": "999:WRONG", "TELEGRAM_API_URL": srv.URL(), "REDIS_URL": redistest.URL(t), "SUIVI_DATA_KEYS": key}, exitFailure, []string{
			"suivi: Telegram refused TELEGRAM_BOT_TOKEN",
		}},
		{"no data keys", env{"TELEGRAM_BOT_TOKEN": srv.Token()}, exitUsage, []string{
			"suivi: config: SUIVI_DATA_KEYS is required: the keys that seal free text in Redis",
		}},
		{"malformed data key", env{"TELEGRAM_BOT_TOKEN": srv.Token(), "SUIVI_DATA_KEYS": "k1:" + material[:30]}, exitUsage, []string{
			"suivi: config: SUIVI_DATA_KEYS: key \"k1\" is not 32 bytes in base64",
		}},
		{"data key missing", sealed.redisOf(env{"TELEGRAM_BOT_TOKEN": srv.Token(), "TELEGRAM_API_URL": srv.URL(), "SUIVI_DATA_KEYS": newDataKey(t, "k2")}), exitFailure, []string{
			"suivi: SUIVI_DATA_KEYS does not open Redis's data: Redis holds values sealed under key \"k1\", which it lacks",
		}},
		{"data key differs", sealed.redisOf(env{"TELEGRAM_BOT_TOKEN": srv.Token(), "TELEGRAM_API_URL": srv.URL(), "SUIVI_DATA_KEYS": key}), exitFailure, []string{
			"suivi: SUIVI_DATA_KEYS does not open Redis's data: its key \"k1\" is not the key Redis holds values under",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			got := realMain(context.Background(), []string{"run"}, c.env.get, time.Now, &out, &errb)
			if got != c.code {
				t.Errorf("exit %d, want %d", got, c.code)
			}
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if len(lines) != len(c.want) {
				t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(c.want), errb.String())
			}
			for i, w := range c.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
				}
			}
			if strings.Contains(errb.String(), "goroutine") || strings.Contains(errb.String(), "WRONG") || strings.Contains(errb.String(), material[:30]) {
				t.Errorf("stderr leaks a stack trace, the token or key material:\n%s", errb.String())
			}
		})
	}
}
