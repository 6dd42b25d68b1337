package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"suivi/planfile"
	"suivi/store"
)

// maxPlanFile bounds a plan file read from disk.
const maxPlanFile = 1 << 20

func cmdPlan(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	if len(args) != 2 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, "suivi: usage: suivi plan import FILE | suivi plan export ID\n")
		return exitUsage
	}
	cfg, ok := config(getenv, false, stderr)
	if !ok {
		return exitUsage
	}
	if args[0] == "import" {
		return planImport(ctx, cfg, args[1], now, stdout, stderr)
	}
	return planExport(ctx, cfg, args[1], stdout, stderr)
}

func readPlanFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPlanFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPlanFile {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a plan file", path, maxPlanFile)
	}
	return data, nil
}

// planImport validates a plan file, stores it and prints the invite link as
// the last line. A bad file prints every problem and stores nothing.
func planImport(ctx context.Context, cfg Config, path string, now func() time.Time, stdout, stderr io.Writer) int {
	data, err := readPlanFile(path)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	p, err := planfile.Parse(data, cfg.ZoneName)
	if err != nil {
		printPlanProblems(stderr, path, err)
		return exitFailure
	}
	printPlanWarnings(stderr, path, planfile.Warnings(data, p, now()))
	username := cfg.BotUsername
	if username == "" {
		if cfg.Token == "" {
			fmt.Fprintln(stderr, "suivi: set SUIVI_BOT_USERNAME (or TELEGRAM_BOT_TOKEN) to build the invite link")
			return exitUsage
		}
		_, me, err := newTelegram(ctx, cfg, nil)
		if err != nil {
			fmt.Fprintln(stderr, "suivi:", err)
			return exitFailure
		}
		username = me
	}
	st, done, err := openStore(ctx, cfg, true)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	defer done()
	inv, err := st.CreatePlan(ctx, p, now(), cfg.InviteTTL)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	loc := cfg.Zone
	if l, err := time.LoadLocation(p.Beneficiary.Timezone); err == nil {
		loc = l
	}
	fmt.Fprintf(stdout, "Plan %s stored for %s (advisor %d): %d steps.\n", p.ID, p.Beneficiary.Name, p.AdvisorID, len(p.Steps))
	fmt.Fprintf(stdout, "The invite works once, until %s (%s).\n", inv.Expires.In(loc).Format("2006-01-02 15:04"), loc)
	fmt.Fprintf(stdout, "https://t.me/%s?start=%s\n", username, inv.Code)
	return exitOK
}

// printPlanProblems prints why a plan file was refused: every problem as
// FILE:LINE: field: problem, then a summary line.
func printPlanProblems(w io.Writer, path string, err error) {
	var errs planfile.Errors
	if !errors.As(err, &errs) {
		fmt.Fprintf(w, "suivi: %s: %v\n", path, err)
		return
	}
	for _, e := range errs {
		where, what := path, e.Message
		if e.Line > 0 {
			where = fmt.Sprintf("%s:%d", path, e.Line)
		}
		if e.Field != "" {
			what = e.Field + ": " + e.Message
		}
		fmt.Fprintf(w, "%s: %s\n", where, what)
	}
	fmt.Fprintf(w, "suivi: %s: %d problem(s), nothing stored\n", path, len(errs))
}

// printPlanWarnings prints what a plan file holds that is most often a
// mistake but is stored anyway, as FILE:LINE: field: warning: what.
func printPlanWarnings(w io.Writer, path string, ws planfile.Errors) {
	for _, e := range ws {
		where := path
		if e.Line > 0 {
			where = fmt.Sprintf("%s:%d", path, e.Line)
		}
		fmt.Fprintf(w, "%s: %s: warning: %s\n", where, e.Field, e.Message)
	}
}

// planExport prints a stored plan in the plan file format.
func planExport(ctx context.Context, cfg Config, id string, stdout, stderr io.Writer) int {
	if !store.ValidID(id) {
		fmt.Fprintf(stderr, "suivi: %q is not a plan id\n", id)
		return exitUsage
	}
	st, done, err := openStore(ctx, cfg, false)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	defer done()
	p, err := st.Plan(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(stderr, "suivi: no plan %s\n", id)
		return exitFailure
	}
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	if b, err := st.Beneficiary(ctx, id); err == nil {
		// The beneficiary may have changed language or zone since the import.
		p.Beneficiary.Name, p.Beneficiary.Language, p.Beneficiary.Timezone = b.Name, b.Language, b.Timezone
	}
	out, err := planfile.Marshal(p)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	_, _ = stdout.Write(out)
	return exitOK
}
