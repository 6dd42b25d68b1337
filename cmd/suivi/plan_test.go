package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"suivi/internal/clock"
	"suivi/planfile"
	"suivi/telegramtest"
)

// A bad plan file: every problem with its field and line, a non-zero exit,
// nothing stored.
func TestPlanImportRejectsBadFileAndStoresNothing(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	e := baseEnv(t, srv)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(`beneficiary:
  name: Sofia
  timezone: Europe/Nowhere
advisor: -3
checkin:
  schedule: "every monday"
steps:
  - title: Constituer le dossier VAE
    owner: someone
    due: 2027-02-30
  - objective: sans titre
    due: 2027-03-01
`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := realMain(context.Background(), []string{"plan", "import", bad}, e.get, time.Now, &out, &errb)
	if code == 0 {
		t.Fatal("bad file accepted")
	}
	for _, want := range []string{
		"bad.yaml:3: beneficiary.timezone",
		"bad.yaml:4: advisor",
		"bad.yaml:6: checkin.schedule",
		"bad.yaml:9: steps[0].owner",
		"bad.yaml:10: steps[0].due",
		"bad.yaml:11: steps[1].title",
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	if out.Len() != 0 {
		t.Errorf("stdout not empty: %s", out.String())
	}
	rdb := e.redis(t)
	if n, _ := rdb.DBSize(context.Background()).Result(); n != 0 {
		t.Fatalf("a bad file stored %d keys", n)
	}
}

// Import then export gives back the same plan, with ids and statuses.
func TestPlanImportExportRoundTrip(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	e := baseEnv(t, srv)
	e["SUIVI_BOT_USERNAME"] = "suivi_test_bot"
	delete(e, "TELEGRAM_BOT_TOKEN")
	clk := clock.NewFake(t0)
	const example = "../../examples/vae-petite-enfance.yaml"
	var out, errb bytes.Buffer
	if code := realMain(context.Background(), []string{"plan", "import", example}, e.get, clk.Now, &out, &errb); code != 0 {
		t.Fatalf("import: %d %s", code, errb.String())
	}
	var id string
	for _, f := range strings.Fields(out.String()) {
		if len(f) == 12 {
			id = f
			break
		}
	}
	out.Reset()
	if code := realMain(context.Background(), []string{"plan", "export", id}, e.get, clk.Now, &out, &errb); code != 0 {
		t.Fatalf("export %q: %d %s", id, code, errb.String())
	}
	got, err := planfile.Parse(out.Bytes(), "Europe/Paris")
	if err != nil {
		t.Fatalf("export does not parse: %v\n%s", err, out.String())
	}
	data, _ := os.ReadFile(example)
	want, _ := planfile.Parse(data, "Europe/Paris")
	if got.ID != id || len(got.Steps) != len(want.Steps) || got.Beneficiary != want.Beneficiary {
		t.Fatalf("round trip differs:\n%s", out.String())
	}
	for i := range want.Steps {
		if got.Steps[i].Title != want.Steps[i].Title || got.Steps[i].Due != want.Steps[i].Due || got.Steps[i].ID != i+1 {
			t.Errorf("step %d differs: %+v vs %+v", i, got.Steps[i], want.Steps[i])
		}
	}
	// An unknown id is a clear error.
	errb.Reset()
	if code := realMain(context.Background(), []string{"plan", "export", "nosuchplan"}, e.get, clk.Now, &out, &errb); code == 0 || !strings.Contains(errb.String(), "no plan nosuchplan") {
		t.Fatalf("unknown id: %d %q", code, errb.String())
	}
}

// A plan file saved as UTF-16 by a Windows editor is refused with one line
// that says what to do, and nothing is stored.
func TestPlanImportRefusesUTF16WithOneClearLine(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	e := baseEnv(t, srv)
	path := filepath.Join(t.TempDir(), "plan.yaml")
	data := []byte{0xFF, 0xFE}
	for _, c := range utf16.Encode([]rune("beneficiary: {name: Zoé}\nadvisor: 1\nsteps: [{title: CV, due: 2027-01-10}]\n")) {
		data = binary.LittleEndian.AppendUint16(data, c)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := realMain(context.Background(), []string{"plan", "import", path}, e.get, time.Now, &out, &errb); code == 0 {
		t.Fatal("a UTF-16 file was imported")
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if want := path + ": the file is not UTF-8 text (UTF-16?)"; len(lines) != 2 || !strings.HasPrefix(lines[0], want) || !strings.Contains(lines[1], "1 problem(s), nothing stored") {
		t.Fatalf("stderr:\n%s\nwant one line starting %q, then the summary", errb.String(), want)
	}
	rdb := e.redis(t)
	if n, _ := rdb.DBSize(context.Background()).Result(); n != 0 {
		t.Errorf("%d keys stored", n)
	}
}
