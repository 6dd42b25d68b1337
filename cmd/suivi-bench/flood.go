package main

import (
	"cmp"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/store"
	"suivi/telegramtest"
)

// floodOptions describe part 4, the flood.
type floodOptions struct {
	bin      string        // suivi binary; empty: built from ./cmd/suivi
	flooders int           // chats that flood
	rate     int           // messages a second each flooder sends
	during   time.Duration // how long they flood
	others   int           // chats that write once during the flood
	workers  int           // SUIVI_WORKERS of the replica
	dataKeys string        // SUIVI_DATA_KEYS of the replica
}

// floodRun is what one scenario measured.
type floodRun struct {
	name          string
	latencies     []time.Duration // of the others' replies, sorted
	missing       int             // others never answered
	floodSent     int             // messages the flooders sent
	floodAnswered int             // answers the flooders got
	parked        int64           // updates parked in the inbox
}

// benchFlood runs a real suivi replica (a child process) against the fake
// Bot API (telegramtest, on the wall clock) and this Redis, twice: the
// others alone, then the others while the flooders flood. Latency is from
// the moment an other's update is queued at the fake to the moment the fake
// receives the reply's sendMessage.
func benchFlood(ctx context.Context, rdb *redis.Client, url string, o floodOptions) error {
	dir, err := os.MkdirTemp("", "suivi-bench-flood-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, built := o.bin, ""
	if bin == "" {
		built = gitRevision(ctx)
		bin = filepath.Join(dir, "suivi")
		progress("flood: building ./cmd/suivi")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/suivi").CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/suivi: %w\n%s", err, out)
		}
	}
	var runs []floodRun
	for _, flood := range []bool{false, true} {
		if err := rdb.FlushDB(ctx).Err(); err != nil {
			return err
		}
		r, err := floodScenario(ctx, rdb, url, bin, o, flood)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	fmt.Printf("## Flood: %d chats × %d msg/s for %s, while %d others write once\n\n", o.flooders, o.rate, o.during, o.others)
	fmt.Printf("One replica (`SUIVI_WORKERS=%d`, default rates: 1 msg/s per chat, 25 msg/s in all), built from %s.\n\n", o.workers, cmp.Or(built, binRevision(bin)))
	fmt.Println("| | others answered | others p50 | others p99 | others max | flooders: sent / answered by then | updates parked |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range runs {
		fmt.Printf("| %s | %d / %d | %s | %s | %s | %d / %d | %d |\n", r.name, len(r.latencies), len(r.latencies)+r.missing,
			msec(quantile(r.latencies, 0.50)), msec(quantile(r.latencies, 0.99)), msec(quantile(r.latencies, 1)), r.floodSent, r.floodAnswered, r.parked)
	}
	base, flood := quantile(runs[0].latencies, 0.99), quantile(runs[1].latencies, 0.99)
	if base > 0 {
		fmt.Printf("\nOthers' p99 during the flood / without: **%.2f×** (p50: %.2f×).\n\n", float64(flood)/float64(base),
			float64(quantile(runs[1].latencies, 0.5))/float64(max(quantile(runs[0].latencies, 0.5), 1)))
	}
	return nil
}

func floodScenario(ctx context.Context, rdb *redis.Client, url, bin string, o floodOptions, flood bool) (floodRun, error) {
	name := "without flood"
	if flood {
		name = "during the flood"
	}
	run := floodRun{name: name}
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(),
		"TELEGRAM_BOT_TOKEN="+srv.Token(), "TELEGRAM_API_URL="+srv.URL(), "REDIS_URL="+url,
		"SUIVI_WORKERS="+strconv.Itoa(o.workers), "SUIVI_LOG_LEVEL=error", "SUIVI_HTTP_ADDR=",
		"SUIVI_RATE_CHAT=", "SUIVI_RATE_GLOBAL=", "SUIVI_DATA_KEYS="+o.dataKeys)
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	if err := cmd.Start(); err != nil {
		return run, fmt.Errorf("start %s: %w", bin, err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
		}
	}
	defer stop()
	// Ready: it polls, and answers a first message.
	warm := srv.NewUser(1, "Warm")
	warm.SendText("bonjour")
	if _, err := warm.WaitMessage(30*time.Second, func(telegramtest.Message) bool { return true }); err != nil {
		return run, fmt.Errorf("%s: the replica does not answer: %w", name, err)
	}
	progress("flood: %s", name)

	var wg sync.WaitGroup
	start := time.Now()
	var fl []*telegramtest.User
	if flood {
		for i := range o.flooders {
			u := srv.NewUser(int64(1000+i), fmt.Sprintf("Flood%d", i))
			fl = append(fl, u)
			wg.Go(func() {
				t := time.NewTicker(time.Second / time.Duration(o.rate))
				defer t.Stop()
				for n := 0; time.Since(start) < o.during; n++ {
					u.SendText("message " + strconv.Itoa(n))
					<-t.C
				}
			})
		}
	}
	// The others write once each, spread over the flood's middle.
	others := make([]*telegramtest.User, o.others)
	sentAt := make([]time.Time, o.others)
	window := o.during * 8 / 10
	for i := range o.others {
		others[i] = srv.NewUser(int64(100000+i), fmt.Sprintf("Other%d", i))
	}
	wg.Go(func() {
		for i, u := range others {
			time.Sleep(time.Until(start.Add(o.during/10 + window*time.Duration(i)/time.Duration(o.others))))
			sentAt[i] = time.Now()
			u.SendText("bonjour")
		}
	})
	wg.Wait()
	// Wait for the others' answers (at most two minutes).
	deadline := time.Now().Add(2 * time.Minute)
	_ = srv.Wait(time.Until(deadline), func() bool {
		for _, u := range others {
			if len(u.Messages()) == 0 {
				return false
			}
		}
		return true
	})
	first := map[string]time.Time{}
	for _, c := range srv.CallsTo("sendMessage") {
		if c.Status != 200 {
			continue
		}
		if _, ok := first[c.Params["chat_id"]]; !ok {
			first[c.Params["chat_id"]] = c.At
		}
	}
	for i, u := range others {
		at, ok := first[strconv.FormatInt(u.ID(), 10)]
		if !ok {
			run.missing++
			continue
		}
		run.latencies = append(run.latencies, at.Sub(sentAt[i]))
	}
	slices.Sort(run.latencies)
	for _, u := range fl {
		run.floodSent += len(u.UserMessages())
		run.floodAnswered += len(u.Messages())
	}
	stop()
	keys, err := store.ParseKeyring(o.dataKeys)
	if err != nil {
		return run, err
	}
	stats, err := store.New(rdb, store.Options{Keys: keys}).Inbox().Stats(ctx)
	if err != nil {
		return run, err
	}
	run.parked = stats.Parked
	return run, nil
}

// quantile returns the q-quantile of sorted durations (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func msec(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

// binRevision names the commit a Go binary was built from.
func binRevision(bin string) string {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "`" + filepath.Base(bin) + "`"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 7:
			rev = s.Value[:7]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = " with local changes"
		}
	}
	if rev == "" {
		return "`" + filepath.Base(bin) + "` (no commit recorded)"
	}
	return "commit `" + rev + "`" + dirty
}

// gitRevision names the commit of the working tree, for a binary built from
// it ("" when git cannot tell).
func gitRevision(ctx context.Context) string {
	rev, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	s := "commit `" + strings.TrimSpace(string(rev)) + "`"
	if st, err := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		s += " with local changes"
	}
	return s
}
