package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"suivi/bot"
	"suivi/catalog"
	"suivi/dialogs"
	"suivi/domain"
	"suivi/planfile"
	"suivi/store"
)

// maxPlanFile bounds a plan file read from disk.
const maxPlanFile = 1 << 20

func cmdPlan(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	update := len(args) == 3 && args[0] == "import" && args[1] == "--update"
	if update {
		args = []string{"import", args[2]}
	}
	if len(args) != 2 || (args[0] != "import" && args[0] != "export" && args[0] != "invite") {
		fmt.Fprint(stderr, "suivi: usage: suivi plan import [--update] FILE | suivi plan export ID | suivi plan invite ID\n")
		return exitUsage
	}
	cfg, ok := config(getenv, false, stderr)
	if !ok {
		return exitUsage
	}
	switch {
	case update:
		return planUpdate(ctx, cfg, args[1], now, stdout, stderr)
	case args[0] == "import":
		return planImport(ctx, cfg, args[1], now, stdout, stderr)
	case args[0] == "invite":
		return planInvite(ctx, cfg, args[1], now, stdout, stderr)
	}
	return planExport(ctx, cfg, args[1], stdout, stderr)
}

// botUsername is the bot's username for invite links: SUIVI_BOT_USERNAME,
// or asked to Telegram with the token.
func botUsername(ctx context.Context, cfg Config, stderr io.Writer) (string, int) {
	if cfg.BotUsername != "" {
		return cfg.BotUsername, exitOK
	}
	if cfg.Token == "" {
		fmt.Fprintln(stderr, "suivi: set SUIVI_BOT_USERNAME (or TELEGRAM_BOT_TOKEN) to build the invite link")
		return "", exitUsage
	}
	_, me, err := newTelegram(ctx, cfg, nil)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return "", exitFailure
	}
	return me, exitOK
}

// printInvite prints when an invite expires and, last, its link.
func printInvite(w io.Writer, cfg Config, zone, username string, inv store.Invite) {
	loc := cfg.Zone
	if l, err := time.LoadLocation(zone); err == nil {
		loc = l
	}
	fmt.Fprintf(w, "The invite works once, until %s (%s).\n", inv.Expires.In(loc).Format("2006-01-02 15:04"), loc)
	fmt.Fprintf(w, "https://t.me/%s?start=%s\n", username, inv.Code)
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
	username, code := botUsername(ctx, cfg, stderr)
	if code != exitOK {
		return code
	}
	st, done, err := openStore(ctx, cfg, true)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	defer done()
	inv, err := st.CreatePlan(ctx, p, now(), cfg.InviteTTL)
	if errors.Is(err, store.ErrExists) {
		fmt.Fprintf(stderr, "suivi: %s: plan %s already exists: to change it with this file, run suivi plan import --update %s\n", path, p.ID, path)
		return exitFailure
	}
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "Plan %s stored for %s (advisor %d): %d steps.\n", p.ID, p.Beneficiary.Name, p.AdvisorID, len(p.Steps))
	printInvite(stdout, cfg, p.Beneficiary.Timezone, username, inv)
	return exitOK
}

// planUpdate takes a plan file for a stored plan (plan export's, edited):
// checked as an import is, then handed to the running bot as one revision
// of the plan in the person's lane (dialogs.Router.ReviseFromFile), as
// /modifier's: the person is told once what changed, and their reminders
// follow. Without a change, nothing is sent.
func planUpdate(ctx context.Context, cfg Config, path string, now func() time.Time, stdout, stderr io.Writer) int {
	data, err := readPlanFile(path)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	p, err := planfile.ParseUpdate(data, cfg.ZoneName)
	if err != nil {
		printPlanProblems(stderr, path, err)
		return exitFailure
	}
	st, done, err := openStore(ctx, cfg, true)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	defer done()
	stored, err := st.Plan(ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(stderr, "suivi: %s: no plan %s to update: to store a new plan, run suivi plan import %s\n", path, p.ID, path)
		return exitFailure
	}
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	if p.AdvisorID != stored.AdvisorID {
		fmt.Fprintf(stderr, "suivi: %s: advisor: plan %s is followed by advisor %d: a file does not move a person to another advisor\n", path, p.ID, stored.AdvisorID)
		return exitFailure
	}
	// Past dates: a warning for those the file changes, not for steps
	// that were late already.
	var ws planfile.Errors
	for _, w := range planfile.Warnings(data, p, now()) {
		var i int
		if _, err := fmt.Sscanf(w.Field, "steps[%d]", &i); err == nil && i < len(p.Steps) {
			if old := stored.Step(p.Steps[i].ID); old != nil && old.Due == p.Steps[i].Due {
				continue
			}
		}
		ws = append(ws, w)
	}
	printPlanWarnings(stderr, path, ws)
	router := dialogs.New(dialogs.Deps{Store: st, Events: bot.NewEvents(st, now), Catalog: catalog.New(), Now: now, DefaultZone: cfg.Zone,
		Log: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	changes, changed, err := router.ReviseFromFile(ctx, p)
	var ps domain.Problems
	switch {
	case errors.As(err, &ps):
		for _, pr := range ps {
			fmt.Fprintf(stderr, "%s: %s\n", path, pr.String())
		}
		fmt.Fprintf(stderr, "suivi: %s: %d problem(s) once merged with the stored plan, nothing changed\n", path, len(ps))
		return exitFailure
	case err != nil:
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	switch {
	case !changed:
		fmt.Fprintf(stdout, "Plan %s: the file changes nothing.\n", p.ID)
	case len(changes) == 0:
		fmt.Fprintf(stdout, "Plan %s updated (statuses, owners or reminders only: nothing to tell the person).\n", p.ID)
	default:
		fmt.Fprintf(stdout, "Plan %s updated: %d change(s), told to the person in one message (Suivi sends it when it runs).\n", p.ID, len(changes))
	}
	return exitOK
}

// planInvite makes a new invite for a person who has not joined yet (a
// link lost or expired), prints it as import does, and revokes the old one.
func planInvite(ctx context.Context, cfg Config, id string, now func() time.Time, stdout, stderr io.Writer) int {
	if !store.ValidID(id) {
		fmt.Fprintf(stderr, "suivi: %q is not a plan id\n", id)
		return exitUsage
	}
	username, code := botUsername(ctx, cfg, stderr)
	if code != exitOK {
		return code
	}
	st, done, err := openStore(ctx, cfg, true)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	defer done()
	b, err := st.Beneficiary(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(stderr, "suivi: no plan %s\n", id)
		return exitFailure
	}
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	inv, err := st.NewInvite(ctx, id, "", now(), cfg.InviteTTL)
	switch {
	case errors.Is(err, store.ErrJoined):
		fmt.Fprintf(stderr, "suivi: plan %s: %s has joined already (their invite was used): no new invite\n", id, b.Name)
		return exitFailure
	case errors.Is(err, store.ErrEnded):
		fmt.Fprintf(stderr, "suivi: plan %s: the accompaniment has ended: no new invite\n", id)
		return exitFailure
	case err != nil:
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "New invite for %s (plan %s); the one before no longer works.\n", b.Name, id)
	printInvite(stdout, cfg, b.Timezone, username, inv)
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
