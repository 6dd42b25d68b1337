// Command suivi runs the Suivi Telegram bot and its administration commands.
// It reads the configuration from the environment, wires the parts together
// and handles signals; everything else lives in the packages.
//
//	suivi [run]                 run the bot
//	suivi sandbox               try it: the bot on an embedded Redis and a fake Telegram, in a web page
//	suivi plan import FILE      store a plan and print its invite link
//	suivi plan import --update FILE   change a stored plan to a file's version
//	suivi plan export ID        print a stored plan as YAML
//	suivi plan invite ID        a new invite for someone who has not joined yet
//	suivi advisor add ID NAME   register an advisor
//	suivi export structure      the structure's figures as CSV (admins)
//	suivi keys new [ID]         print a fresh key for SUIVI_DATA_KEYS
//	suivi keys rotate           seal everything again under the first key of SUIVI_DATA_KEYS
//	suivi healthcheck           probe the running bot (for container health checks)
package main

import (
	"context"
	"fmt"
	"github.com/redis/go-redis/v9"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "time/tzdata" // the zone database, for slim images
)

const usage = `Usage:
  suivi [run]                 run the bot
  suivi sandbox [-addr 127.0.0.1:8080] [-plan FILE | -empty]
                              try Suivi without Telegram: both roles in a web page,
                              an embedded Redis and a clock you can move forward
  suivi plan import FILE      validate and store a plan, print its invite link
  suivi plan import --update FILE
                              change a stored plan to the file's version (plan export's,
                              edited): the person is told once, as after /modifier
  suivi plan export ID        print a stored plan as YAML
  suivi plan invite ID        a new invite link for someone who has not joined yet
                              (the links before it stop working)
  suivi advisor add ID NAME   register an advisor by Telegram user id
  suivi export structure      the structure's figures as CSV: per advisor and per person
                              (steps done and late, check-ins answered, help asked)
  suivi keys new [ID]         print a fresh key for SUIVI_DATA_KEYS (id:base64key)
  suivi keys rotate           seal all data again under the first key of SUIVI_DATA_KEYS,
                              so that the others may be removed
  suivi healthcheck           exit 0 if the local bot answers on SUIVI_HTTP_ADDR
  suivi help                  this text

Configuration comes from the environment: see README.md.
`

func main() {
	// go-redis prints connection errors through its own logger; ours say it
	// once, in one line.
	redis.SetLogger(silentRedis{})
	os.Exit(realMain(context.Background(), os.Args[1:], os.Getenv, time.Now, os.Stdout, os.Stderr))
}

type silentRedis struct{}

func (silentRedis) Printf(context.Context, string, ...any) {}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// realMain runs one command. now is the clock (time.Now, or a test's).
func realMain(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "run":
		return cmdRun(ctx, getenv, now, stderr)
	case "plan":
		return cmdPlan(ctx, args[1:], getenv, now, stdout, stderr)
	case "advisor":
		return cmdAdvisor(ctx, args[1:], getenv, now, stdout, stderr)
	case "keys":
		return cmdKeys(ctx, args[1:], getenv, now, stdout, stderr)
	case "export":
		return cmdExport(ctx, args[1:], getenv, now, stdout, stderr)
	case "healthcheck":
		return cmdHealthcheck(ctx, getenv, stderr)
	case "sandbox":
		return cmdSandbox(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "suivi: unknown command %q\n%s", cmd, usage)
	return exitUsage
}

// config loads the configuration or prints every problem, one per line.
func config(getenv func(string) string, needToken bool, stderr io.Writer) (Config, bool) {
	cfg, probs := loadConfig(getenv, needToken)
	for _, p := range probs {
		fmt.Fprintln(stderr, "suivi: config:", p)
	}
	return cfg, len(probs) == 0
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

func cmdRun(ctx context.Context, getenv func(string) string, now func() time.Time, stderr io.Writer) int {
	cfg, ok := config(getenv, true, stderr)
	if !ok {
		return exitUsage
	}
	log := newLogger(stderr, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a, err := newApp(ctx, cfg, now, log)
	if err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	defer a.close()
	if err := a.run(ctx); err != nil {
		fmt.Fprintln(stderr, "suivi:", err)
		return exitFailure
	}
	return exitOK
}
