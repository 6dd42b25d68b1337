// Command suivi-bench measures Suivi's due-queue and the bot's memory
// against a real redis-server. It is a benchmark, not a test: nothing here
// passes or fails on a time; it prints Markdown tables (BENCHMARKS.md holds
// a run and how to rerun it).
//
//	go run ./cmd/suivi-bench                                 # the full run
//	go run ./cmd/suivi-bench -jobs 100000 -beneficiaries 1000 # a quick one
//
// It starts its own redis-server on a unix socket in a temporary directory
// (no persistence), or uses -redis URL, whose database must then be empty
// (it is flushed between parts and at the end; used_memory is server-wide,
// so run it on an otherwise idle server).
//
// Part 1, the due-queue. -jobs jobs are loaded, all due, spread over the
// day before the start. The store has no bulk API (SyncJobs is one script
// call per owner), so LOADING ONLY bypasses it: pipelined ZADD on
// suivi:{due:0}:q and SADD on suivi:{due:0}:of:<owner> (a store of one shard), the keys documented in
// store/jobs.go, with members shaped as the scheduler's ("r|<ben>|<step>";
// seventeen per owner, as for a beneficiary with a 5-step plan). All that
// is measured goes through the store: for each -batches size, ClaimJobs
// takes the due jobs n at a time and each one is finished with FinishJob,
// rescheduled a week later as a real series is; the next size claims a
// week later, when they are all due again. Reported: jobs/s of the claims
// alone (time inside ClaimJobs), jobs/s of claim plus finish (wall time,
// one goroutine: one replica's scheduler), p50/p99 of one ClaimJobs call,
// and Redis used_memory per job (INFO memory before and after loading).
//
// Part 2, memory with N beneficiaries, for each N of -beneficiaries: N
// plans of 5 steps are created with store.CreatePlan, linked to a fake
// Telegram user with RedeemInvite, marked onboarded with UpdateBeneficiary
// and scheduled with reminders.Scheduler.Sync. Then the Scheduler runs
// over one simulated week: a fake clock jumps to each next job time
// (store.NextJob) and RunOnce is called until nothing is due; the events
// it pushes are only counted (nothing goes to Telegram, logs are discarded).
// Reported: Redis used_memory per beneficiary after each loading phase,
// jobs, the Go heap (HeapInuse, HeapAlloc after runtime.GC) before loading
// (after a warm-up run of 100 beneficiaries, not reported, which fills the
// connection pool and its buffers), at rest with N loaded and after the
// week, wall times and notifications per second.
//
// Part 3, for comparison (-cron): the Go heap of an in-memory robfig/cron
// holding one check-in entry per beneficiary, each in the beneficiary's
// own zone (CRON_TZ=<zone> ...), which is what a bot keeping its schedules
// in process would need.
//
// Part 4, the flood (-flood, off by default): a real suivi replica (the
// binary -suivi, or one built with go build ./cmd/suivi) runs as a child
// process against a fake Bot API (telegramtest, on the wall clock) and this
// Redis, with the default rates (1 message a second per chat, 25 in all).
// Twice: -others chats (strangers to Suivi, each answered with one message)
// write once each, spread over the middle of -flood-for; the second time,
// -flooders other chats send -flood-rate messages a second each meanwhile.
// Reported: the others' reply latency (from the update queued at the fake
// to the reply's sendMessage arriving there), p50, p99 and max, with and
// without the flood, their ratio, and what the flooders got.
//
//	go run ./cmd/suivi-bench -jobs 0 -beneficiaries '' -cron=false -flood
//
// Part 5, throughput (-throughput, throughput.go): Suivi beside bare
// go-telegram/bot references, each a child process (its CPU read from
// /proc), against the same fake Bot API (telegramtest) and the benchmark's
// redis-server, reached through a proxy that counts connections and round
// trips (proxy.go); -runs times, the sides alternated. The echo: -updates
// strangers' texts wait when the bot starts; a bare echo bot (long polling,
// pooled client, one reply per update) vs Suivi answering them. The
// fan-out: -reminders beneficiaries each have a reminder due when the bot
// starts; a bare sender (32 goroutines, pooled client) sends as many
// messages vs Suivi firing them, rate limits lifted. Figures are taken
// between the first and the last reply. Also: Suivi's Redis commands per
// second once idle, TCP connections.
//
// Part 6, footprint (-footprint N,N..., footprint.go): Redis bytes per
// beneficiary at rest, and Suivi's start-up to its first getUpdates with
// them (the first start, then again). One caseload (an advisor, 50
// beneficiaries) is made through the API while its commands are recorded;
// the others are copies of those commands with the ids changed; the copies
// are checked against -footprint-check beneficiaries made through the API.
//
// Part 7, weeks of traffic (-weeks W, weeks.go): the real wiring in process
// on a fake clock, and Redis bytes per beneficiary after, by key shape.
//
//	go run ./cmd/suivi-bench -jobs 0 -beneficiaries '' -cron=false -throughput -footprint 100000,1000000 -weeks 8
//
// Part 8, replicas and shared rate limits (-replicas, replicas.go):
// -replica-count real suivi replicas (child processes, webhook mode, as in
// cmd/suivi's cluster test), then one alone, in the same run, against one
// fake Bot API (telegramtest) that answers 429 with retry_after 1 to a
// send over its limit in any sliding second, for each of -replica-limits;
// -replica-reminders beneficiaries each have a reminder due when they
// start, -replica-rate is their SUIVI_RATE_GLOBAL. Read off the fake's
// record of sendMessage (arrival times and answers): the rate sustained
// from the end of -replica-warm to 90 % delivered, the 429s (after the
// warm-up and in all), the most sends in any 1 s window, in the first
// second and in the second after a 429's pause; -runs times.
//
//	go run ./cmd/suivi-bench -jobs 0 -beneficiaries '' -cron=false -replicas
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/store"

	"suivi/internal/redisserver"
)

func main() {
	if runChild() { // a reference bot of the throughput runs (refs.go)
		return
	}
	var (
		redisURL  = flag.String("redis", "", "Redis URL to use (its database must be empty; flushed between parts and at the end). Empty: start a private redis-server")
		serverBin = flag.String("redis-server", "redis-server", "redis-server binary to start when -redis is empty")
		jobs      = flag.Int("jobs", 1_000_000, "part 1: jobs loaded into the due-queue (0 skips part 1)")
		batches   = flag.String("batches", "50,100", "part 1: ClaimJobs batch sizes, comma-separated (50 is the scheduler's)")
		bens      = flag.String("beneficiaries", "1000,100000", "part 2: beneficiary counts, comma-separated (empty skips part 2)")
		workers   = flag.Int("workers", 8, "part 2: goroutines creating beneficiaries (the simulated week runs on one, like one replica's scheduler)")
		startDay  = flag.String("start", "2030-01-07", "part 2: first day (Europe/Paris midnight) of the simulated week")
		withCron  = flag.Bool("cron", true, "part 3: measure an in-memory robfig/cron with one entry per beneficiary, for comparison")
		flood     = flag.Bool("flood", false, "part 4: run a suivi replica against a fake Telegram while chats flood, and measure the others' reply latency")
		floodBin  = flag.String("suivi", "", "part 4: suivi binary to run (empty: go build ./cmd/suivi, from the module's root)")
		flooders  = flag.Int("flooders", 10, "part 4: chats that flood")
		floodRate = flag.Int("flood-rate", 10, "part 4: messages a second each flooding chat sends")
		floodFor  = flag.Duration("flood-for", 10*time.Second, "part 4: how long they flood")
		others    = flag.Int("others", 100, "part 4: chats that each write once during the flood")
		replicaW  = flag.Int("replica-workers", 8, "part 4: SUIVI_WORKERS of the replica")
		tp        = flag.Bool("throughput", false, "part 5: Suivi (the binary -suivi, a child process) beside bare go-telegram/bot references against the same fake Bot API: echo of strangers' texts, fan-out of due reminders (throughput.go)")
		tpUpdates = flag.Int("updates", 2000, "part 5: strangers' texts per run")
		tpRems    = flag.Int("reminders", 2000, "part 5: due reminders per run")
		tpRuns    = flag.Int("runs", 3, "parts 5, 6 and 8: alternated runs of each side")
		tpIdle    = flag.Duration("idle-for", 10*time.Second, "part 5: how long an idle replica's Redis commands are counted")
		footprint = flag.String("footprint", "", "part 6: beneficiary counts whose Redis bytes at rest and start-up time are measured, comma-separated, e.g. 100000,1000000 (footprint.go)")
		fpCheck   = flag.Int("footprint-check", 100000, "part 6: also load this many through the API, to check the copying loader against (0: no check)")
		weeks     = flag.Int("weeks", 0, "part 7: simulate this many weeks of the real wiring (scheduler, inbox, dialogs, outbox, sender, fake Bot API) and measure Redis bytes per beneficiary after (footprint.go)")
		weeksN    = flag.Int("weeks-beneficiaries", 300, "part 7: beneficiaries of the simulation")
		replicas  = flag.Bool("replicas", false, "part 8: suivi replicas (the binary -suivi, child processes, webhook mode) against one fake Bot API that limits each token's sends: the shared rate limit (replicas.go)")
		repCount  = flag.Int("replica-count", 3, "part 8: replicas of the cluster side (compared with one alone)")
		repRems   = flag.Int("replica-reminders", 2000, "part 8: beneficiaries, each with a reminder due at the start, per scenario")
		repRate   = flag.Float64("replica-rate", 25, "part 8: SUIVI_RATE_GLOBAL of the replicas")
		repLimits = flag.String("replica-limits", "30,20", "part 8: the fake Bot API's limits per token (msg/s in any sliding second), one scenario each, comma-separated")
		repWarm   = flag.Duration("replica-warm", 5*time.Second, "part 8: warm-up after the first send, left out of the sustained figures")
	)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: suivi-bench [flags]\n\n"+
			"Measures the due-queue (claim rate with -jobs scheduled jobs) and the memory of Redis\n"+
			"and of the Go process with each count of -beneficiaries, against a real redis-server.\n"+
			"Prints Markdown; see BENCHMARKS.md.\n\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	batchSizes, err := ints(*batches)
	if err != nil {
		fatal(fmt.Errorf("-batches: %w", err))
	}
	counts, err := ints(*bens)
	if err != nil {
		fatal(fmt.Errorf("-beneficiaries: %w", err))
	}
	start, err := time.ParseInLocation(time.DateOnly, *startDay, paris)
	if err != nil {
		fatal(fmt.Errorf("-start: %w", err))
	}
	if *workers < 1 {
		fatal(errors.New("-workers must be at least 1"))
	}

	ctx := context.Background()
	url, socket := *redisURL, ""
	if url == "" {
		dir, err := os.MkdirTemp("", "suivi-bench-")
		if err != nil {
			fatal(err)
		}
		stop, sock, err := redisserver.Start(*serverBin, dir)
		if err != nil {
			_ = os.RemoveAll(dir)
			fatal(err)
		}
		cleanup := func() {
			stop()
			_ = os.RemoveAll(dir)
		}
		defer cleanup()
		go func() { // an interrupted run does not leave its redis-server behind
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			<-sig
			cleanup()
			os.Exit(1)
		}()
		url, socket = "unix://"+sock, sock
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		fatal(fmt.Errorf("-redis: %w", err))
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if n, err := rdb.DBSize(ctx).Result(); err != nil {
		fatal(fmt.Errorf("redis: %w", err))
	} else if n != 0 {
		fatal(fmt.Errorf("redis database is not empty (%d keys): give an empty one", n))
	}
	defer rdb.FlushDB(context.WithoutCancel(ctx))
	// The data the benchmark writes is flushed after: a key of its own.
	dataKeys, err := store.NewKeyEntry("bench")
	if err != nil {
		fatal(err)
	}
	keys, err := store.ParseKeyring(dataKeys)
	if err != nil {
		fatal(err)
	}
	st := store.New(rdb, store.Options{Keys: keys, Shards: 1})

	version, _ := infoField(ctx, rdb, "server", "redis_version")
	fmt.Printf("suivi-bench %s — %d CPU, %s, redis-server %s, GOMAXPROCS %d%s\n\n",
		time.Now().Format(time.DateOnly), runtime.NumCPU(), runtime.Version(), version, runtime.GOMAXPROCS(0), revision())

	if *jobs > 0 {
		if err := benchQueue(ctx, rdb, st, *jobs, batchSizes); err != nil {
			fatal(err)
		}
	}
	if len(counts) > 0 {
		if err := benchBeneficiaries(ctx, rdb, st, counts, *workers, start, *withCron); err != nil {
			fatal(err)
		}
	}
	if *flood {
		if *flooders < 1 || *floodRate < 1 || *others < 1 || *replicaW < 1 || *floodFor <= 0 {
			fatal(errors.New("-flooders, -flood-rate, -others, -replica-workers and -flood-for must be positive"))
		}
		o := floodOptions{bin: *floodBin, flooders: *flooders, rate: *floodRate, during: *floodFor, others: *others, workers: *replicaW, dataKeys: dataKeys}
		if err := benchFlood(ctx, rdb, url, o); err != nil {
			fatal(err)
		}
	}
	if *tp || *footprint != "" || *weeks > 0 {
		if err := benchMore(ctx, rdb, socket, dataKeys, moreOptions{
			suivi: *floodBin, throughput: *tp, updates: *tpUpdates, reminders: *tpRems, runs: *tpRuns, idleFor: *tpIdle,
			workers: *replicaW, footprint: *footprint, check: *fpCheck, weeks: *weeks, weeksN: *weeksN, start: start,
		}); err != nil {
			fatal(err)
		}
	}
	if *replicas {
		limits, err := ints(*repLimits)
		if err != nil {
			fatal(fmt.Errorf("-replica-limits: %w", err))
		}
		if *repCount < 1 || *repRems < 10 || *repRate <= 0 || *tpRuns < 1 || *repWarm < 0 || len(limits) == 0 {
			fatal(errors.New("-replica-count, -replica-rate, -runs and -replica-limits must be positive, -replica-reminders at least 10"))
		}
		dir, err := os.MkdirTemp("", "suivi-bench-rep-")
		if err != nil {
			fatal(err)
		}
		defer os.RemoveAll(dir)
		bin, err := suiviBinary(ctx, *floodBin, dir)
		if err != nil {
			fatal(err)
		}
		if err := benchReplicas(ctx, rdb, replicaOptions{
			tp:       tpOptions{bin: bin, dataKeys: dataKeys, dir: dir, workers: *replicaW},
			redisURL: url, reminders: *repRems, replicas: *repCount, rate: *repRate, limits: limits, warm: *repWarm, runs: *tpRuns,
		}); err != nil {
			fatal(err)
		}
	}
}

// revision names the commit built, when the go command recorded it.
func revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
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
		return ""
	}
	return ", commit " + rev + dirty
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "suivi-bench:", err)
	os.Exit(1)
}

// progress reports what is going on, on stderr (stdout is the result).
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format(time.TimeOnly)}, args...)...)
}

func ints(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// infoField returns one field of a section of INFO.
func infoField(ctx context.Context, rdb *redis.Client, section, field string) (string, error) {
	s, err := rdb.Info(ctx, section).Result()
	if err != nil {
		return "", fmt.Errorf("info %s: %w", section, err)
	}
	for line := range strings.SplitSeq(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("info %s: no %s", section, field)
}

// usedMemory returns Redis's used_memory in bytes.
func usedMemory(ctx context.Context, rdb *redis.Client) (int64, error) {
	v, err := infoField(ctx, rdb, "memory", "used_memory")
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// goHeap returns the heap statistics after a full collection.
func goHeap() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// perUnit formats bytes divided by n.
func perUnit(b int64, n int) string { return fmt.Sprintf("%d B", (b+int64(n)/2)/int64(n)) }

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f/s", float64(n)/d.Seconds())
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
