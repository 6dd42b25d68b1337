package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
	"suivi/internal/clock"
	"suivi/reminders"
	"suivi/store"
	"suivi/telegramtest"
)

// tpOptions describe the throughput runs (-throughput).
type tpOptions struct {
	bin       string        // suivi binary
	self      string        // this program, for the references
	updates   int           // strangers' texts answered per run
	reminders int           // due reminders fanned out per run
	runs      int           // alternated runs of each side
	idleFor   time.Duration // how long an idle replica's commands are counted
	dataKeys  string        // SUIVI_DATA_KEYS
	socket    string        // the benchmark's redis-server (unix socket)
	dir       string        // where the proxies' sockets go
	workers   int           // SUIVI_WORKERS
}

// tpSample is what one run of one side measured, between the first and the
// last of its n answers (n-1 intervals): the work for the first answer is
// outside the window, on both sides alike.
type tpSample struct {
	n          int
	wall       time.Duration
	cpu        time.Duration // the child's user+system CPU in the window
	roundTrips int64         // Redis round trips in the window (the proxy's count)
	commands   int64         // Redis commands in the window (INFO stats)
	apiCalls   int64         // Bot API calls in the window
	tcpConns   int64         // TCP connections to the Bot API over the child's life
	redisConns int64         // connections to Redis over the child's life
	startup    time.Duration // exec to the first getUpdates received
	idlePerSec float64       // Redis commands per second once idle (Suivi only)
	extra      int64         // sendMessage beyond the n expected, after settling
}

func (s tpSample) rate() float64 { return float64(s.n-1) / s.wall.Seconds() }
func (s tpSample) cpuPer1000() float64 {
	return s.cpu.Seconds() * 1000 / float64(s.n-1)
}
func (s tpSample) per(v int64) float64 { return float64(v) / float64(s.n-1) }

// childCPU returns the user+system CPU time of a process (Linux /proc).
func childCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces), from field 3.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("bad /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("bad /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	st, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks, nil
}

// commandsProcessed is Redis's total_commands_processed, minus the INFO
// that asks.
func commandsProcessed(ctx context.Context, rdb *redis.Client) int64 {
	v, err := infoField(ctx, rdb, "stats", "total_commands_processed")
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// child is a bot under measure: a process, the fake Bot API it talks to
// and the proxy to Redis it goes through.
type child struct {
	srv   *telegramtest.Server
	proxy *redisProxy
	redis string // REDIS_URL when there is no proxy
	cmd   *exec.Cmd
	start time.Time

	target  int // sendMessage answers to wait for
	sent    atomic.Int64
	calls   atomic.Int64
	tcp     atomic.Int64
	polled  atomic.Bool
	startup chan time.Duration
	first   chan snapshot
	last    chan snapshot
	cpuOf   func() snapshot
}

type snapshot struct {
	at       time.Time
	cpu      time.Duration
	rt       int64
	commands int64
	calls    int64
}

// newChild makes the fake Bot API and the Redis proxy of one run; prepare
// adds its users and updates before the process starts.
func newChild(ctx context.Context, rdb *redis.Client, o tpOptions, name string, target int) (*child, error) {
	c := &child{target: target, startup: make(chan time.Duration, 1), first: make(chan snapshot, 1), last: make(chan snapshot, 1)}
	c.cpuOf = func() snapshot {
		s := snapshot{at: time.Now(), calls: c.calls.Load()}
		if c.cmd != nil && c.cmd.Process != nil {
			s.cpu, _ = childCPU(c.cmd.Process.Pid)
		}
		if c.proxy != nil {
			_, s.rt = c.proxy.counts()
		}
		s.commands = commandsProcessed(ctx, rdb)
		return s
	}
	c.srv = telegramtest.NewServer(telegramtest.Options{
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				c.tcp.Add(1)
			}
		},
		Received: func(method string) {
			if method == "getUpdates" && !c.polled.Swap(true) {
				c.startup <- time.Since(c.start)
			}
		},
		Answered: func(method string, status int) {
			c.calls.Add(1)
			switch {
			case method == "sendMessage" && status == 200:
				switch n := c.sent.Add(1); {
				case n == 1:
					c.first <- c.cpuOf()
				case n == int64(c.target):
					c.last <- c.cpuOf()
				}
			}
		},
	})
	p, err := newRedisProxy(filepath.Join(o.dir, name+".sock"), o.socket)
	if err != nil {
		c.srv.Close()
		return nil, err
	}
	c.proxy = p
	return c, nil
}

// launch starts the process with env.
func (c *child) launch(ctx context.Context, bin string, env []string) error {
	redisURL := c.redis
	if c.proxy != nil {
		redisURL = "unix://" + c.proxy.ln.Addr().String()
	}
	c.cmd = exec.CommandContext(ctx, bin)
	c.cmd.Env = append(os.Environ(), append([]string{
		"TELEGRAM_BOT_TOKEN=" + c.srv.Token(), "TELEGRAM_API_URL=" + c.srv.URL(),
		"REDIS_URL=" + redisURL,
	}, env...)...)
	c.cmd.Stderr = os.Stderr
	c.cmd.Cancel = func() error { return c.cmd.Process.Signal(syscall.SIGTERM) }
	c.cmd.WaitDelay = 30 * time.Second
	c.start = time.Now()
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	return nil
}

// run starts the process with env and waits for its target answers.
func (c *child) run(ctx context.Context, bin string, env []string, timeout time.Duration) (tpSample, error) {
	s := tpSample{n: c.target}
	if err := c.launch(ctx, bin, env); err != nil {
		return s, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var first, last snapshot
	for _, ch := range []chan snapshot{c.first, c.last} {
		select {
		case v := <-ch:
			if ch == c.first {
				first = v
			} else {
				last = v
			}
		case <-timer.C:
			return s, fmt.Errorf("%s: %d of %d messages after %s", filepath.Base(bin), c.sent.Load(), c.target, timeout)
		}
	}
	select {
	case s.startup = <-c.startup:
	default:
	}
	s.wall = last.at.Sub(first.at)
	s.cpu = last.cpu - first.cpu
	s.roundTrips = last.rt - first.rt
	s.commands = last.commands - first.commands - 1 // the INFO at the first snapshot
	s.apiCalls = last.calls - first.calls
	return s, nil
}

// idle counts the Redis commands per second of the process once it has
// nothing to do, after a short settling.
func (c *child) idle(ctx context.Context, rdb *redis.Client, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	time.Sleep(2 * time.Second)
	a := commandsProcessed(ctx, rdb)
	t := time.Now()
	time.Sleep(d)
	b := commandsProcessed(ctx, rdb)
	return float64(b-a-1) / time.Since(t).Seconds()
}

// stop ends the process and the fakes, and fills what is known at the end.
func (c *child) stop(s *tpSample) {
	c.end()
	c.srv.Close()
	_ = c.proxy.Close()
	s.tcpConns = c.tcp.Load()
	s.redisConns, _ = c.proxy.counts()
	s.extra = c.sent.Load() - int64(c.target)
}

// end ends the process (SIGTERM, then waits for it).
func (c *child) end() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		_ = c.cmd.Wait()
	}
}

// benchThroughput is -throughput: the echo and the fan-out, each side
// alternately, o.runs times.
func benchThroughput(ctx context.Context, rdb *redis.Client, o tpOptions) error {
	rates := []string{"SUIVI_RATE_GLOBAL=1000000", "SUIVI_RATE_CHAT=1000000"}
	suiviEnv := append([]string{"SUIVI_WORKERS=" + strconv.Itoa(o.workers), "SUIVI_LOG_LEVEL=error", "SUIVI_HTTP_ADDR=", "SUIVI_DATA_KEYS=" + o.dataKeys}, rates...)
	var echoRef, echoSuivi, fanRef, fanSuivi []tpSample
	for r := range o.runs {
		// Strangers write once each: N updates waiting when the bot starts.
		strangers := func(srv *telegramtest.Server) {
			for i := range o.updates {
				srv.NewUser(int64(7_000_000_000+i), fmt.Sprintf("Inconnu%d", i)).SendText("bonjour")
			}
		}
		for _, side := range []string{"ref", "suivi"} {
			if err := rdb.FlushDB(ctx).Err(); err != nil {
				return err
			}
			progress("throughput %d/%d: echo, %s", r+1, o.runs, side)
			c, err := newChild(ctx, rdb, o, "echo-"+side, o.updates)
			if err != nil {
				return err
			}
			strangers(c.srv)
			var s tpSample
			if side == "ref" {
				s, err = c.run(ctx, o.self, []string{childEnv + "=echo"}, 5*time.Minute)
			} else {
				s, err = c.run(ctx, o.bin, suiviEnv, 5*time.Minute)
				if err == nil {
					s.idlePerSec = c.idle(ctx, rdb, o.idleFor)
				}
			}
			c.stop(&s)
			if err != nil {
				return err
			}
			if side == "ref" {
				echoRef = append(echoRef, s)
			} else {
				echoSuivi = append(echoSuivi, s)
			}
		}
		for _, side := range []string{"ref", "suivi"} {
			if err := rdb.FlushDB(ctx).Err(); err != nil {
				return err
			}
			progress("throughput %d/%d: fan-out of %d reminders, %s", r+1, o.runs, o.reminders, side)
			c, err := newChild(ctx, rdb, o, "fan-"+side, o.reminders)
			if err != nil {
				return err
			}
			for i := range o.reminders {
				c.srv.NewUser(tgID(i), names[i%len(names)])
			}
			var s tpSample
			if side == "ref" {
				s, err = c.run(ctx, o.self, []string{childEnv + "=send", "BENCH_CHATS=" + strconv.FormatInt(tgID(0), 10) + ":" + strconv.Itoa(o.reminders)}, 5*time.Minute)
			} else {
				if err = loadDueReminders(ctx, rdb, o, o.reminders); err == nil {
					s, err = c.run(ctx, o.bin, suiviEnv, 10*time.Minute)
				}
				if err == nil {
					time.Sleep(2 * time.Second) // anything more it would send
				}
			}
			c.stop(&s)
			if err != nil {
				return err
			}
			if side == "ref" {
				fanRef = append(fanRef, s)
			} else {
				fanSuivi = append(fanSuivi, s)
			}
		}
	}
	printThroughput(o, echoRef, echoSuivi, fanRef, fanSuivi)
	return nil
}

func tgID(i int) int64 { return 5_000_000_000 + int64(i) }

// loadDueReminders creates n beneficiaries through the store and the
// scheduler, as of four days ago, each with one step due today: the
// reminder three days before is their first job, due since, and the
// replica, started now, fires the latest occurrence passed (the day before
// or the due day, at 10:00 local): one message each. Their check-in is two
// days from now, their meeting weeks ahead: nothing else is due.
func loadDueReminders(ctx context.Context, rdb *redis.Client, o tpOptions, n int) error {
	keys, err := store.ParseKeyring(o.dataKeys)
	if err != nil {
		return err
	}
	st := store.New(rdb, store.Options{Keys: keys})
	now := time.Now()
	then := now.Add(-4 * 24 * time.Hour)
	clk := clock.NewFake(then)
	sched := reminders.New(st, discardEvents{}, clk.Now, discardLog(), reminders.Options{Zone: paris})
	return parallel(n, 8, func(i int) error {
		loc := mustZone(zones[i%len(zones)])
		today := domain.DateOf(now.In(loc))
		p := makePlan(i, today.AddDays(30))
		p.Steps[0].Due = domain.DateTime{Date: today}
		p.Checkin.Schedule = fmt.Sprintf("0 11 * * %s", strings.ToUpper(now.In(loc).AddDate(0, 0, 2).Weekday().String()[:3]))
		inv, err := st.CreatePlan(ctx, p, then, 14*24*time.Hour)
		if err != nil {
			return err
		}
		if _, err := st.RedeemInvite(ctx, inv.Code, tgID(i), then); err != nil {
			return err
		}
		if _, err := st.UpdateBeneficiary(ctx, benID(i), func(b *domain.Beneficiary) error {
			b.State = domain.StateActive
			b.Onboarded = then
			b.Consent = domain.ConsentYes
			return nil
		}); err != nil {
			return err
		}
		return sched.Sync(ctx, benID(i))
	})
}

type discardEvents struct{}

func (discardEvents) Push(context.Context, store.Event) (bool, error) { return true, nil }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// stat formats the median and the range of one figure over the runs.
func stat[S any](samples []S, f func(S) float64, format string) string {
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = f(s)
	}
	if len(v) == 0 {
		return "—"
	}
	lo, hi := slices.Min(v), slices.Max(v)
	if len(v) == 1 || lo == hi {
		return fmt.Sprintf(format, median(v))
	}
	return fmt.Sprintf(format+" ("+format+"–"+format+")", median(v), lo, hi)
}

// ratios are the medians of the per-run ratios (runs alternate, so run k
// of each side shared about the same machine load).
func ratio[S any](a, b []S, f func(S) float64) string {
	var v []float64
	for i := range min(len(a), len(b)) {
		if d := f(b[i]); d != 0 {
			v = append(v, f(a[i])/d)
		}
	}
	if len(v) == 0 {
		return "—"
	}
	return fmt.Sprintf("**%.2f×** (%.2f–%.2f)", median(v), slices.Min(v), slices.Max(v))
}

func printThroughput(o tpOptions, echoRef, echoSuivi, fanRef, fanSuivi []tpSample) {
	rate := func(s tpSample) float64 { return s.rate() }
	cpu := func(s tpSample) float64 { return s.cpuPer1000() }
	rt := func(s tpSample) float64 { return s.per(s.roundTrips) }
	cmds := func(s tpSample) float64 { return s.per(s.commands) }
	calls := func(s tpSample) float64 { return s.per(s.apiCalls) }
	tcp := func(s tpSample) float64 { return float64(s.tcpConns) }
	rconns := func(s tpSample) float64 { return float64(s.redisConns) }

	fmt.Printf("## Throughput against the fake Bot API (medians of %d alternated runs, min–max)\n\n", o.runs)
	fmt.Printf("### Strangers' texts: %d updates waiting, one reply each\n\n", o.updates)
	fmt.Println("| | bare go-telegram/bot echo | Suivi | Suivi / bare |")
	fmt.Println("|---|---:|---:|---:|")
	fmt.Printf("| updates/s | %s | %s | %s |\n", stat(echoRef, rate, "%.0f"), stat(echoSuivi, rate, "%.0f"), ratio(echoSuivi, echoRef, rate))
	fmt.Printf("| CPU s per 1000 updates | %s | %s | %s |\n", stat(echoRef, cpu, "%.2f"), stat(echoSuivi, cpu, "%.2f"), ratio(echoSuivi, echoRef, cpu))
	fmt.Printf("| Redis round trips per update | — | %s | |\n", stat(echoSuivi, rt, "%.1f"))
	fmt.Printf("| Redis commands per update | — | %s | |\n", stat(echoSuivi, cmds, "%.1f"))
	fmt.Printf("| Bot API calls per update | %s | %s | |\n", stat(echoRef, calls, "%.2f"), stat(echoSuivi, calls, "%.2f"))
	fmt.Printf("| TCP connections to the Bot API | %s | %s | |\n", stat(echoRef, tcp, "%.0f"), stat(echoSuivi, tcp, "%.0f"))
	fmt.Printf("| Redis connections | — | %s | |\n", stat(echoSuivi, rconns, "%.0f"))
	fmt.Printf("| Redis commands/s once idle (%s) | — | %s | |\n", o.idleFor, stat(echoSuivi, func(s tpSample) float64 { return s.idlePerSec }, "%.1f"))
	fmt.Printf("| start-up to first getUpdates (empty Redis) | %s | %s | |\n\n",
		stat(echoRef, func(s tpSample) float64 { return s.startup.Seconds() * 1000 }, "%.0f ms"),
		stat(echoSuivi, func(s tpSample) float64 { return s.startup.Seconds() * 1000 }, "%.0f ms"))

	fmt.Printf("### Fan-out: %d due reminders (one per beneficiary), rate limits lifted\n\n", o.reminders)
	fmt.Println("| | bare go-telegram/bot sender, 32 goroutines | Suivi | Suivi / bare |")
	fmt.Println("|---|---:|---:|---:|")
	fmt.Printf("| msgs/s | %s | %s | %s |\n", stat(fanRef, rate, "%.0f"), stat(fanSuivi, rate, "%.0f"), ratio(fanSuivi, fanRef, rate))
	fmt.Printf("| CPU s per 1000 messages | %s | %s | %s |\n", stat(fanRef, cpu, "%.2f"), stat(fanSuivi, cpu, "%.2f"), ratio(fanSuivi, fanRef, cpu))
	fmt.Printf("| Redis round trips per reminder | — | %s | |\n", stat(fanSuivi, rt, "%.1f"))
	fmt.Printf("| Redis commands per reminder | — | %s | |\n", stat(fanSuivi, cmds, "%.1f"))
	fmt.Printf("| Bot API calls per message | %s | %s | |\n", stat(fanRef, calls, "%.2f"), stat(fanSuivi, calls, "%.2f"))
	fmt.Printf("| TCP connections to the Bot API | %s | %s | |\n", stat(fanRef, tcp, "%.0f"), stat(fanSuivi, tcp, "%.0f"))
	fmt.Printf("| messages beyond one per beneficiary | %s | %s | |\n\n", stat(fanRef, func(s tpSample) float64 { return float64(s.extra) }, "%.0f"),
		stat(fanSuivi, func(s tpSample) float64 { return float64(s.extra) }, "%.0f"))
}
