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
	key := newDataKey(t, "k1")
	cfg, probs := loadConfig(env{"TELEGRAM_BOT_TOKEN": "1:a", "SUIVI_DATA_KEYS": key}.get, true)
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	if cfg.APIURL != "https://api.telegram.org" || cfg.RedisURL != "redis://127.0.0.1:6379/0" ||
		cfg.ZoneName != "Europe/Paris" || cfg.InviteTTL != 336*time.Hour || cfg.Workers != 8 || cfg.RateGlobal != 25 || cfg.Grace != 6*time.Hour || cfg.JobLease != 2*time.Minute {
		t.Fatalf("defaults: %+v", cfg)
	}
	_, probs = loadConfig(env{
		"TELEGRAM_BOT_TOKEN":   "1:a",
		"SUIVI_WEBHOOK_URL":    "http://example.com/hook",
		"SUIVI_WEBHOOK_SECRET": "has spaces",
		"SUIVI_INVITE_TTL":     "soon",
		"SUIVI_CHECKIN_GRACE":  "6",
		"SUIVI_WORKERS":        "0",
		"REDIS_URL":            "mysql://x",
		"SUIVI_LOG_LEVEL":      "loud",
		"SUIVI_DATA_KEYS":      key,
	}.get, true)
	want := []string{"REDIS_URL", "SUIVI_WEBHOOK_URL", "SUIVI_WEBHOOK_SECRET", "SUIVI_HTTP_ADDR", "SUIVI_INVITE_TTL", "SUIVI_CHECKIN_GRACE", "SUIVI_WORKERS", "SUIVI_LOG_LEVEL"}
	if len(probs) != len(want) {
		t.Fatalf("problems: %q", probs)
	}
	for i, w := range want {
		if !strings.HasPrefix(probs[i], w) {
			t.Errorf("problem %d = %q, want it about %s", i, probs[i], w)
		}
	}
	// plan commands don't need the token.
	if _, probs := loadConfig(env{"SUIVI_DATA_KEYS": key}.get, false); len(probs) != 0 {
		t.Fatalf("no token for plan commands: %v", probs)
	}
}

// Every command that touches Suivi's data needs SUIVI_DATA_KEYS, well
// formed; a problem with it is one line that shows no key material.
func TestConfigDataKeys(t *testing.T) {
	key := newDataKey(t, "k1")
	_, material, _ := strings.Cut(key, ":")
	cfg, probs := loadConfig(env{"SUIVI_DATA_KEYS": newDataKey(t, "k2") + "," + key}.get, false)
	if len(probs) != 0 || cfg.Keys.Primary() != "k2" || len(cfg.Keys.IDs()) != 2 {
		t.Fatalf("two keys: %v %v", cfg.Keys, probs)
	}
	for in, want := range map[string]string{
		"":                       "SUIVI_DATA_KEYS is required: the keys that seal free text in Redis (make one with: suivi keys new)",
		material:                 "SUIVI_DATA_KEYS: entry 1 is not id:base64key",
		"k1:" + material[:20]:    `SUIVI_DATA_KEYS: key "k1" is not 32 bytes in base64`,
		key + ",k2:" + material:  "",
		key + "," + key:          `SUIVI_DATA_KEYS: key id "k1" appears twice`,
		"k2:" + material + ",x:": `SUIVI_DATA_KEYS: key "x" is not 32 bytes in base64`,
	} {
		_, probs := loadConfig(env{"SUIVI_DATA_KEYS": in}.get, false)
		if want == "" {
			if len(probs) != 0 {
				t.Errorf("%q: %v", in, probs)
			}
			continue
		}
		if len(probs) != 1 || !strings.HasPrefix(probs[0], want) {
			t.Errorf("%q: problems %q, want one starting %q", in, probs, want)
		}
		if len(probs) > 0 && strings.Contains(probs[0], material[:20]) {
			t.Errorf("the problem shows key material: %q", probs[0])
		}
	}
}

// SUIVI_CHECKIN_GRACE is a duration from a minute to a week; anything else
// is one clear line.
func TestConfigCheckinGrace(t *testing.T) {
	key := newDataKey(t, "k1")
	for in, want := range map[string]time.Duration{"90m": 90 * time.Minute, "1m": time.Minute, "168h": 168 * time.Hour, "  2h ": 2 * time.Hour} {
		cfg, probs := loadConfig(env{"SUIVI_DATA_KEYS": key, "SUIVI_CHECKIN_GRACE": in}.get, false)
		if len(probs) != 0 || cfg.Grace != want {
			t.Errorf("%q: grace %s, problems %q; want %s", in, cfg.Grace, probs, want)
		}
	}
	for _, in := range []string{"6", "soon", "0s", "-1h", "30s", "169h"} {
		_, probs := loadConfig(env{"SUIVI_DATA_KEYS": key, "SUIVI_CHECKIN_GRACE": in}.get, false)
		if want := "SUIVI_CHECKIN_GRACE must be a duration from 1m to 168h (a week), like 6h"; len(probs) != 1 || probs[0] != want {
			t.Errorf("%q: problems %q, want %q", in, probs, want)
		}
	}
}

// REDIS_CLUSTER_ADDRS takes the nodes, and the credentials and TLS of a
// redis:// or rediss:// in front for all of them; a bad one is one line.
func TestClusterAddrs(t *testing.T) {
	key := newDataKey(t, "k1")
	cfg, probs := loadConfig(env{"SUIVI_DATA_KEYS": key, "REDIS_CLUSTER_ADDRS": "10.0.0.1:6379, 10.0.0.2:6380,10.0.0.3:6379"}.get, false)
	if len(probs) != 0 || cfg.Cluster == nil || strings.Join(cfg.Cluster.Addrs, ",") != "10.0.0.1:6379,10.0.0.2:6380,10.0.0.3:6379" || cfg.Cluster.TLSConfig != nil || cfg.Cluster.Password != "" {
		t.Fatalf("plain: %v %+v", probs, cfg.Cluster)
	}
	cfg, probs = loadConfig(env{"SUIVI_DATA_KEYS": key, "REDIS_CLUSTER_ADDRS": "rediss://suivi:p@ss@r1.example:6379,r2.example:6379"}.get, false)
	if len(probs) != 0 || cfg.Cluster.Username != "suivi" || cfg.Cluster.Password != "p@ss" || cfg.Cluster.TLSConfig == nil ||
		cfg.Cluster.TLSConfig.ServerName != "r1.example" || len(cfg.Cluster.Addrs) != 2 {
		t.Fatalf("with credentials: %v %+v", probs, cfg.Cluster)
	}
	if cfg, _ := loadConfig(env{"SUIVI_DATA_KEYS": key}.get, false); cfg.Cluster != nil {
		t.Fatal("no REDIS_CLUSTER_ADDRS: one node")
	}
	for _, bad := range []string{"r1.example", "mysql://r1:1", "r1:0", ","} {
		_, probs := loadConfig(env{"SUIVI_DATA_KEYS": key, "REDIS_CLUSTER_ADDRS": bad}.get, false)
		if len(probs) != 1 || !strings.HasPrefix(probs[0], "REDIS_CLUSTER_ADDRS: ") {
			t.Errorf("%q: %v", bad, probs)
		}
	}
}
