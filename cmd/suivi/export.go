package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"suivi/catalog"
	"suivi/dialogs"
)

// cmdExport handles `suivi export structure`: the structure's figures for
// an admin (dialogs.Router.StructureCSV), as CSV on standard output. Who
// runs the CLI holds the structure's keys: they are its admin.
func cmdExport(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "structure" {
		fmt.Fprint(stderr, "suivi: usage: suivi export structure > structure.csv\n")
		return exitUsage
	}
	cfg, ok := config(getenv, false, stderr)
	if !ok {
		return exitUsage
	}
	st, done, err := openStore(ctx, cfg, false)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	defer done()
	router := dialogs.New(dialogs.Deps{Store: st, Catalog: catalog.New(), Now: now, DefaultZone: cfg.Zone,
		Log: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	data, advisors, people, err := router.StructureCSV(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	_, _ = stdout.Write(data)
	fmt.Fprintf(stderr, "suivi: structure export: %d advisor(s), %d person(s) followed\n", advisors, people)
	return exitOK
}
