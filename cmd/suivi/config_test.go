package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// Every variable the code reads is in the README's configuration table.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range configVars {
		if !strings.Contains(string(readme), "| `"+v.name+"` |") {
			t.Errorf("README's configuration table lacks %s", v.name)
		}
	}
}

func TestConfigDefaultsAndProblems(t *testing.T) {
	cfg, probs := loadConfig(env{"TELEGRAM_BOT_TOKEN": "1:a"}.get, true)
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	if cfg.APIURL != "https://api.telegram.org" || cfg.RedisURL != "redis://127.0.0.1:6379/0" ||
		cfg.ZoneName != "Europe/Paris" || cfg.InviteTTL != 336*time.Hour || cfg.Workers != 8 || cfg.RateGlobal != 25 {
		t.Fatalf("defaults: %+v", cfg)
	}
	_, probs = loadConfig(env{
		"TELEGRAM_BOT_TOKEN":   "1:a",
		"SUIVI_WEBHOOK_URL":    "http://example.com/hook",
		"SUIVI_WEBHOOK_SECRET": "has spaces",
		"SUIVI_INVITE_TTL":     "soon",
		"SUIVI_WORKERS":        "0",
		"REDIS_URL":            "mysql://x",
		"SUIVI_LOG_LEVEL":      "loud",
	}.get, true)
	want := []string{"REDIS_URL", "SUIVI_WEBHOOK_URL", "SUIVI_WEBHOOK_SECRET", "SUIVI_HTTP_ADDR", "SUIVI_INVITE_TTL", "SUIVI_WORKERS", "SUIVI_LOG_LEVEL"}
	if len(probs) != len(want) {
		t.Fatalf("problems: %q", probs)
	}
	for i, w := range want {
		if !strings.HasPrefix(probs[i], w) {
			t.Errorf("problem %d = %q, want it about %s", i, probs[i], w)
		}
	}
	// plan commands don't need the token.
	if _, probs := loadConfig(env{}.get, false); len(probs) != 0 {
		t.Fatalf("no token for plan commands: %v", probs)
	}
}
