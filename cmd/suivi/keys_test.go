package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"suivi/store"
)

// newDataKey makes a fresh SUIVI_DATA_KEYS entry.
func newDataKey(t *testing.T, id string) string {
	t.Helper()
	k, err := store.NewKeyEntry(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// keys returns the key ring of e's SUIVI_DATA_KEYS.
func (e env) keys(t *testing.T) *store.Keyring {
	t.Helper()
	k, err := store.ParseKeyring(e["SUIVI_DATA_KEYS"])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// runCmd runs one suivi command on e and returns its exit code, stdout and
// stderr.
func runCmd(e env, now func() time.Time, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := realMain(context.Background(), args, e.get, now, &out, &errb)
	return code, out.String(), errb.String()
}

// Data written by a replica under key t1 (a plan's objective, a check-in's
// note, a conversation in progress) is still read after `suivi keys
// rotate` to key b, by a replica whose SUIVI_DATA_KEYS holds b alone;
// before the rotation such a replica is refused, in one line.
func TestKeysRotateThenOldKeyRemoved(t *testing.T) {
	const (
		objective = "ObjectifQuiDoitSurvivre"
		note      = "NoteQuiDoitSurvivre"
		cv        = "Refaire son CV"
	)
	w := newWorld(t)
	plan := writePlan(t, fmt.Sprintf("beneficiary: {name: Nadia, timezone: Europe/Paris}\nadvisor: %d\nsteps:\n  - {title: %q, due: 2026-12-08, objective: %q}\n", advisorID, cv, objective))
	u := w.enrol(t, plan, 7411, "Nadia", true)
	benID := w.ben(t, u).ID
	c := newTalk(t, u)
	c.text("/progres")
	c.expect(txtScoreQ)
	w.checkin(t, u, ciAnswers{score: btnScore4, steps: map[string]string{cv: btnDone}, note: note})
	// A conversation in progress: the beneficiary is writing to the advisor.
	fwd := one(t, w.adv, txtFwdTitle)
	if _, err := w.adv.PressButton(fwd.ID, "💬 Répondre"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.adv.WaitMessage(wait, has("Écrivez votre message pour Nadia")); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	w.r.shutdown(t)

	old := w.e["SUIVI_DATA_KEYS"]
	b := newDataKey(t, "b")
	onlyB := env{}
	for k, v := range w.e {
		onlyB[k] = v
	}
	onlyB["SUIVI_DATA_KEYS"] = b
	both := env{}
	for k, v := range w.e {
		both[k] = v
	}
	both["SUIVI_DATA_KEYS"] = b + "," + old

	code, out, errs := runCmd(onlyB, w.clk.Now, "plan", "export", benID)
	if code != exitFailure || out != "" || strings.Count(errs, "\n") != 1 ||
		!strings.HasPrefix(errs, `suivi: SUIVI_DATA_KEYS does not open Redis's data: Redis holds values sealed under key "t1", which it lacks`) {
		t.Fatalf("export with b alone before the rotation: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	code, out, errs = runCmd(both, w.clk.Now, "keys", "rotate")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || errs != "" || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "suivi: keys rotate: done: ") || !strings.Contains(lines[0], `values sealed again under "b"`) ||
		!strings.Contains(lines[0], "0 unreadable") || !strings.Contains(lines[1], "BGREWRITEAOF") {
		t.Fatalf("keys rotate: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	var scanned, resealed int
	if _, err := fmt.Sscanf(lines[0], "suivi: keys rotate: done: %d keys scanned, %d values", &scanned, &resealed); err != nil || scanned < 10 || resealed < 3 {
		t.Fatalf("progress %q: %d keys, %d values (the plan, the check-in, the advisor's conversation at least)", lines[0], scanned, resealed)
	}
	if code, out, _ := runCmd(both, w.clk.Now, "keys", "rotate"); code != exitOK || !strings.Contains(out, `, 0 values sealed again under "b", `) {
		t.Fatalf("a second rotation found something to do: %q", out)
	}

	// t1 leaves: the data opens with b alone, in the CLI and in a replica.
	code, out, errs = runCmd(onlyB, w.clk.Now, "plan", "export", benID)
	if code != exitOK || !strings.Contains(out, objective) {
		t.Fatalf("export with b alone after the rotation: exit %d, stderr %q\n%s", code, errs, out)
	}
	w.e = onlyB
	w.r = start(t, onlyB, w.clk)
	if cs := w.checkins(t, benID); len(cs) != 1 || cs[0].Note != note {
		t.Fatalf("check-ins after the rotation: %+v", cs)
	}
	// The advisor's message, begun under t1, goes on under b.
	w.adv.SendText("Bravo pour le CV")
	if _, err := u.WaitMessage(wait, has("Bravo pour le CV")); err != nil {
		t.Fatal(err)
	}
}

// `suivi keys new` prints an entry SUIVI_DATA_KEYS accepts, named after
// the day unless given an id.
func TestKeysNew(t *testing.T) {
	now := func() time.Time { return t0 }
	code, out, errs := runCmd(env{}, now, "keys", "new")
	k, err := store.ParseKeyring(strings.TrimSpace(out))
	if code != exitOK || errs != "" || err != nil || k.Primary() != "k20261122" {
		t.Fatalf("keys new: exit %d %q %q: %v", code, out, errs, err)
	}
	if _, again, _ := runCmd(env{}, now, "keys", "new"); again == out {
		t.Fatal("two keys alike")
	}
	if code, out, _ := runCmd(env{}, now, "keys", "new", "prod-2027"); code != exitOK || !strings.HasPrefix(out, "prod-2027:") {
		t.Fatalf("keys new prod-2027: %d %q", code, out)
	}
	for _, args := range [][]string{{"keys", "new", "bad id"}, {"keys"}, {"keys", "turn"}} {
		if code, out, errs := runCmd(env{}, now, args...); code != exitUsage || out != "" || strings.Count(errs, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
}
