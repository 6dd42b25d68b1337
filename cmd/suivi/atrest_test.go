package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/internal/clock"
	"suivi/internal/redisserver"
	"suivi/internal/redistest"
	"suivi/telegramtest"
)

// diskRedis starts a redis-server of the test's own that keeps what an
// operator's disk keeps: an append-only file written at each command, and
// snapshots without compression (so that text in them can be searched).
// disk saves a snapshot and returns the bytes of every file Redis wrote.
// Without redis-server (and SUIVI_TEST_REAL_REDIS unset) it falls back to
// the package's Redis, and disk is nil.
func diskRedis(t *testing.T) (url string, disk func() []byte) {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SUIVI_TEST_REAL_REDIS") == "1" {
			t.Fatal("SUIVI_TEST_REAL_REDIS=1 but redis-server is not on PATH")
		}
		t.Log("redis-server not on PATH: the files of Redis are not checked")
		return "", nil
	}
	dir, err := os.MkdirTemp("", "suivi-aof-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	stop, socket, err := redisserver.Start(path, dir, "--appendonly", "yes", "--appendfsync", "always", "--rdbcompression", "no")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: socket})
	t.Cleanup(func() { _ = rdb.Close() })
	if v := rdb.ConfigGet(context.Background(), "appendonly").Val()["appendonly"]; v != "yes" {
		t.Fatalf("appendonly %q", v)
	}
	return "unix://" + socket, func() []byte {
		t.Helper()
		if err := rdb.Save(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		var all []byte
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Type()&os.ModeSocket != 0 {
				return err
			}
			b, err := os.ReadFile(p)
			all = append(all, b...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return all
	}
}

// rawRedis returns every key of the database with everything it holds, as
// Redis has it: SCAN, then GET, HGETALL, LRANGE, SMEMBERS or ZRANGE.
func rawRedis(t *testing.T, rdb redis.UniversalClient) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	keys, err := redistest.Keys(ctx, rdb, "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		var vals []string
		switch typ := rdb.Type(ctx, k).Val(); typ {
		case "string":
			vals = []string{rdb.Get(ctx, k).Val()}
		case "hash":
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				vals = append(vals, f, v)
			}
		case "list":
			vals = rdb.LRange(ctx, k, 0, -1).Val()
		case "set":
			vals = rdb.SMembers(ctx, k).Val()
		case "zset":
			vals = rdb.ZRange(ctx, k, 0, -1).Val()
		case "none":
			continue // gone between SCAN and TYPE
		default:
			t.Fatalf("key %s has type %s", k, typ)
		}
		out[k] = strings.Join(vals, "\n")
	}
	return out
}

// clearForms are the ways a secret could show: as it is, or in base64 at
// each of the three alignments (a []byte field of a JSON payload).
func clearForms(s string) []string {
	out := []string{s}
	for skip := range 3 {
		b := strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(s[skip:])), "=")
		out = append(out, b[:len(b)-3]) // the last characters depend on what follows
	}
	return out
}

// leaks names the keys of raw (or "the files") that show a secret.
func leaks(raw map[string]string, secrets ...string) []string {
	var out []string
	for k, v := range raw {
		for _, s := range secrets {
			for _, f := range clearForms(s) {
				if strings.Contains(k, f) || strings.Contains(v, f) {
					out = append(out, fmt.Sprintf("%s shows %q", k, s))
				}
			}
		}
	}
	return out
}

// expectSealedOnly checks a raw copy of Redis: none of the secrets shows,
// and the given keys hold values sealed under key id.
func expectSealedOnly(t *testing.T, when string, raw map[string]string, id string, sealed []string, secrets ...string) {
	t.Helper()
	if l := leaks(raw, secrets...); len(l) > 0 {
		t.Errorf("%s: free text in clear in Redis:\n%s", when, strings.Join(l, "\n"))
	}
	for _, k := range sealed {
		// A pattern (a queue's shards) needs one key of it to hold one.
		found := false
		for key, v := range raw {
			if ok, _ := path.Match(k, key); ok && strings.Contains(v, "$sv1$"+id+"$") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %s holds no value sealed under %s: %q", when, k, id, raw[k])
		}
	}
}

// A check-in with a typed answer and note, its forward, a reply of the
// advisor and the beneficiary's answers back (by voice and by text): at
// each step, while messages wait in the outbox and after, no key of Redis
// shows any of the words typed nor the voice note's file id; nor do Redis's
// append-only file and snapshot at the end. The words reach each side.
func TestFreeTextNeverInClearInRedis(t *testing.T) {
	const (
		question  = "QuelleQuestionDuPlan"
		objective = "ObjectifPersonnelDeNadia"
		resource  = "RessourceChoisiePourNadia"
		answer    = "ReponseTapeeParNadia"
		note      = "NoteSurMaSanteEtMesDettes"
		reply     = "ReponseDeClaireANadia"
		back      = "NadiaRepondAClaire"
		cv        = "Refaire son CV"
	)
	url, disk := diskRedis(t)
	clk := clock.NewFake(t0)
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	t.Cleanup(srv.Close)
	e := baseEnv(t, srv)
	if url != "" {
		e["REDIS_URL"] = url
		delete(e, "REDIS_CLUSTER_ADDRS") // this test's own node, with its files
	}
	w := &world{clk: clk, srv: srv, e: e, r: start(t, e, clk), adv: srv.NewUser(advisorID, "Claire")}
	rdb := w.r.app.rdb
	plan := writePlan(t, fmt.Sprintf(`beneficiary: {name: Nadia, timezone: Europe/Paris}
advisor: %d
checkin: {question: %q}
steps:
  - {title: %q, due: 2026-12-08, objective: %q, resources: [%q]}
`, advisorID, question, cv, objective, resource))
	u := w.enrol(t, plan, 7401, "Nadia", true)
	benID := w.ben(t, u).ID
	secrets := []string{question, objective, resource, answer, note, reply, back}

	// The advisor's chat is unreachable: the forward waits in the outbox.
	w.srv.InjectFault("sendMessage", advisorID, 0, telegramtest.Fault{Status: http.StatusBadGateway})
	c := newTalk(t, u)
	c.text("/progres")
	c.expect(txtScoreQ)
	w.checkin(t, u, ciAnswers{score: btnScore4, answer: "txt:" + answer, steps: map[string]string{cv: btnProgress}, note: note})
	if cs := w.checkins(t, benID); len(cs) != 1 || cs[0].Answer != answer || cs[0].Note != note {
		t.Fatalf("check-in as read through the store: %+v", cs)
	}
	expectSealedOnly(t, "forward waiting", rawRedis(t, rdb), "t1",
		[]string{"suivi:{b:" + benID + "}:checkins", "suivi:{b:" + benID + "}:plan", "suivi:{outbox:*}:items"}, secrets...)

	// Telegram is back: the forward reaches the advisor with the words.
	w.srv.ClearFaults()
	w.clk.Advance(time.Minute)
	w.settle(t)
	fwd := one(t, w.adv, txtFwdTitle)
	if !strings.Contains(fwd.PlainText, answer) || !strings.Contains(fwd.PlainText, note) {
		t.Fatalf("forward without the words: %s", fwd.PlainText)
	}

	// The advisor replies while the beneficiary's chat is unreachable.
	if _, err := w.adv.PressButton(fwd.ID, "💬 Répondre"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.adv.WaitMessage(wait, has("Écrivez votre message pour Nadia")); err != nil {
		t.Fatal(err)
	}
	w.srv.InjectFault("sendMessage", u.ID(), 0, telegramtest.Fault{Status: http.StatusBadGateway})
	w.adv.SendText(reply)
	if _, err := w.adv.WaitMessage(wait, has("Envoyé à Nadia")); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	expectSealedOnly(t, "reply waiting", rawRedis(t, rdb), "t1", []string{"suivi:{outbox:*}:items"}, secrets...)
	w.srv.ClearFaults()
	w.clk.Advance(time.Minute)
	w.settle(t)
	got, err := u.WaitMessage(wait, has(reply))
	if err != nil {
		t.Fatal(err)
	}

	// The beneficiary answers back by voice, then by text.
	if _, err := u.PressButton(got.ID, "↩️ Répondre"); err != nil {
		t.Fatal(err)
	}
	_, voice := u.SendVoice(4)
	if _, err := w.adv.WaitMessage(wait, func(m telegramtest.Message) bool { return m.Kind == "voice" && m.FileID == voice }); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	if _, err := u.PressButton(got.ID, "↩️ Répondre"); err != nil {
		t.Fatal(err)
	}
	u.SendText(back)
	if _, err := w.adv.WaitMessage(wait, has(back)); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	secrets = append(secrets, voice)
	raw := rawRedis(t, rdb)
	expectSealedOnly(t, "at the end", raw, "t1", []string{"suivi:{b:" + benID + "}:checkins"}, secrets...)
	// What stays clear, stays clear: the alias and the step's title.
	if !strings.Contains(raw["suivi:{b:"+benID+"}:profile"], `"name":"Nadia"`) || !strings.Contains(raw["suivi:{b:"+benID+"}:plan"], cv) {
		t.Errorf("profile %q, plan %q: the alias and the title stay clear", raw["suivi:{b:"+benID+"}:profile"], raw["suivi:{b:"+benID+"}:plan"])
	}

	if disk == nil {
		return
	}
	files := disk()
	// Every write went to the append-only file: the inbox's raw updates
	// and the outbox's messages were there, and were sealed.
	if !regexp.MustCompile(`suivi:\{inbox:\d+\}:items`).Match(files) || !bytes.Contains(files, []byte("$sv1$t1$")) || !bytes.Contains(files, []byte(`"name":"Nadia"`)) {
		t.Fatalf("the files of Redis (%d bytes) do not hold the journey", len(files))
	}
	if l := leaks(map[string]string{"the append-only file or snapshot": string(files)}, secrets...); len(l) > 0 {
		t.Errorf("free text in clear on Redis's disk:\n%s", strings.Join(l, "\n"))
	}
}
