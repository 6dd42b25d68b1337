package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"suivi/store"
)

// rotateLineEvery is how many keys a rotation scans between two progress
// lines.
const rotateLineEvery = 10000

// cmdKeys handles `suivi keys new [ID]` (print a fresh SUIVI_DATA_KEYS
// entry) and `suivi keys rotate` (seal everything again under the first key
// of SUIVI_DATA_KEYS, after which the other keys may be removed).
func cmdKeys(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	switch {
	case len(args) >= 1 && len(args) <= 2 && args[0] == "new":
		id := "k" + now().UTC().Format("20060102")
		if len(args) == 2 {
			id = args[1]
		}
		entry, err := store.NewKeyEntry(id)
		if err != nil {
			fmt.Fprintln(stderr, "suivi:", err)
			return exitUsage
		}
		fmt.Fprintln(stdout, entry)
		return exitOK
	case len(args) == 1 && args[0] == "rotate":
		return keysRotate(ctx, getenv, stdout, stderr)
	}
	fmt.Fprint(stderr, "suivi: usage: suivi keys new [ID] | suivi keys rotate\n")
	return exitUsage
}

func keysRotate(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, ok := config(getenv, false, stderr)
	if !ok {
		return exitUsage
	}
	st, done, err := openStore(ctx, cfg, true)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	defer done()
	primary := cfg.Keys.Primary()
	line := func(p store.RotateProgress) string {
		return fmt.Sprintf("%d keys scanned, %d values sealed again under %q, %d already under it, %d kept changing, %d unreadable",
			p.Keys, p.Resealed, primary, p.Current, p.Changed, p.Failed)
	}
	shown := 0
	p, err := st.Rotate(ctx, func(p store.RotateProgress) {
		if p.Keys-shown >= rotateLineEvery {
			shown = p.Keys
			fmt.Fprintln(stdout, "suivi: keys rotate:", line(p))
		}
	})
	if err != nil {
		fmt.Fprintln(stderr, "suivi: keys rotate:", line(p)+":", err)
		return exitFailure
	}
	fmt.Fprintln(stdout, "suivi: keys rotate: done:", line(p))
	fmt.Fprintf(stdout, "suivi: keys rotate: Redis now needs only key %q; the others may leave SUIVI_DATA_KEYS once Redis has rewritten its append-only file (BGREWRITEAOF) and old snapshots are deleted, which still hold copies under them.\n", primary)
	return exitOK
}
