package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"suivi/domain"
	"suivi/store"
)

// cmdAdvisor handles `suivi advisor add ID NAME`: registers (or renames) an
// advisor by Telegram user id.
func cmdAdvisor(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	if len(args) < 3 || args[0] != "add" {
		fmt.Fprint(stderr, "suivi: usage: suivi advisor add TELEGRAM_ID NAME\n")
		return exitUsage
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || id <= 0 {
		fmt.Fprintf(stderr, "suivi: %q is not a Telegram user id\n", args[1])
		return exitUsage
	}
	name := strings.TrimSpace(strings.Join(args[2:], " "))
	if name == "" || len([]rune(name)) > domain.MaxNameLen || strings.ContainsAny(name, "\r\n") {
		fmt.Fprintf(stderr, "suivi: the name must be one line of 1 to %d characters\n", domain.MaxNameLen)
		return exitUsage
	}
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
	created, err := st.EnsureAdvisor(ctx, &domain.Advisor{ID: id, Name: name, Created: now().UTC()})
	if err == nil && !created {
		_, err = st.UpdateAdvisor(ctx, id, func(a *domain.Advisor) error { a.Name = name; return nil })
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	if created {
		fmt.Fprintf(stdout, "Advisor %d (%s) added. They can now write to the bot.\n", id, name)
	} else {
		fmt.Fprintf(stdout, "Advisor %d is now named %s.\n", id, name)
	}
	return exitOK
}
