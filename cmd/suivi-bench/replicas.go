package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/store"
	"suivi/telegramtest"
)

// ---------------------------------------------------------------------------
// Part 8: replicas and shared rate limits (-replicas).

// replicaOptions describe part 8.
type replicaOptions struct {
	tp        tpOptions     // bin, dataKeys, dir, workers (SUIVI_WORKERS of each replica)
	redisURL  string        // REDIS_URL of the replicas
	reminders int           // beneficiaries, each with a reminder due at the start
	replicas  int           // replicas of the cluster side (the other side is one)
	rate      float64       // SUIVI_RATE_GLOBAL
	limits    []int         // the fake Bot API's limits per token (msg/s), one scenario each
	warm      time.Duration // warm-up: from the first send, not in the sustained figures
	runs      int
}

// repSample is what one scenario measured at the fake Bot API, from the
// arrival times and answers of sendMessage.
type repSample struct {
	delivered   int           // sendMessage answered 200
	attempts    int           // sendMessage calls
	tooMany     int           // answered 429
	tooManyWarm int           // answered 429, after the warm-up
	sustained   float64       // msg/s delivered over the steady window
	window      time.Duration // the steady window
	maxWindow   int           // most sendMessage calls arriving in any 1 s
	maxOK       int           // most answered 200 in any 1 s
	firstSecond int           // calls in the first second (from the first)
	afterPause  int           // most calls in the second after a 429's retry_after; -1: no 429
	inPause     int           // calls arriving during a 429's retry_after (from 50 ms after it: the sends already on their way)
	extra       int           // answered 200 beyond one per beneficiary
	span        time.Duration // from the first call to the last delivered
	cut         float64       // SUIVI's shared rate at the end (msg/s)
}

// benchReplicas is -replicas: for each limit of the fake Bot API, o.replicas
// replicas together, then one alone, o.runs times, each with
// o.reminders messages to send.
func benchReplicas(ctx context.Context, rdb *redis.Client, o replicaOptions) error {
	sides := []int{o.replicas, 1}
	if o.replicas == 1 {
		sides = sides[:1]
	}
	samples := make(map[[2]int][]repSample) // {limit, replicas}
	for r := range o.runs {
		for _, limit := range o.limits {
			for _, n := range sides {
				progress("replicas %d/%d: %d replica(s), fake limit %d/s, %d reminders", r+1, o.runs, n, limit, o.reminders)
				s, err := replicaScenario(ctx, rdb, o, n, limit)
				if err != nil {
					return err
				}
				progress("  sustained %.2f msg/s, 429: %d (%d after warm-up), max in 1 s: %d, first second: %d, after a pause: %d, during pauses: %d, all delivered in %s",
					s.sustained, s.tooMany, s.tooManyWarm, s.maxWindow, s.firstSecond, s.afterPause, s.inPause, secs(s.span))
				samples[[2]int{limit, n}] = append(samples[[2]int{limit, n}], s)
			}
		}
	}
	printReplicas(o, sides, samples)
	return nil
}

// replicaScenario loads the due reminders, starts n replicas in webhook
// mode against one fake Bot API limiting to limit sends a second, waits for
// every reminder to be delivered, and reads the figures off the fake's
// record of calls.
func replicaScenario(ctx context.Context, rdb *redis.Client, o replicaOptions, n, limit int) (repSample, error) {
	var s repSample
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return s, err
	}
	var delivered atomic.Int64
	srv := telegramtest.NewServer(telegramtest.Options{
		RateLimit: limit, RateLimitRetryAfter: retryAfter,
		Answered: func(method string, status int) {
			if method == "sendMessage" && status == http.StatusOK {
				delivered.Add(1)
			}
		},
	})
	defer srv.Close()
	for i := range o.reminders {
		srv.NewUser(tgID(i), names[i%len(names)])
	}
	if err := loadDueReminders(ctx, rdb, o.tp, o.reminders); err != nil {
		return s, err
	}
	reps := make([]*child, n)
	defer func() {
		for _, c := range reps {
			if c != nil {
				c.end()
			}
		}
	}()
	for i := range reps {
		addr, err := freeAddr()
		if err != nil {
			return s, err
		}
		reps[i] = &child{srv: srv, redis: o.redisURL}
		if err := reps[i].launch(ctx, o.tp.bin, []string{
			"SUIVI_WORKERS=" + strconv.Itoa(o.tp.workers), "SUIVI_LOG_LEVEL=error", "SUIVI_DATA_KEYS=" + o.tp.dataKeys,
			"SUIVI_HTTP_ADDR=" + addr, "SUIVI_WEBHOOK_URL=http://" + addr + "/telegram/webhook", "SUIVI_WEBHOOK_SECRET=bench_secret",
			"SUIVI_RATE_GLOBAL=" + strconv.FormatFloat(o.rate, 'f', -1, 64), "SUIVI_RATE_CHAT=",
		}); err != nil {
			return s, err
		}
	}
	// At half the lower rate, with two minutes to start.
	timeout := 2*time.Minute + time.Duration(float64(o.reminders)/(0.5*min(o.rate, float64(limit)))*float64(time.Second))
	// Answered counts after the server's change notice: look again now
	// and then, not only on a change.
	for deadline := time.Now().Add(timeout); delivered.Load() < int64(o.reminders); {
		if time.Now().After(deadline) {
			return s, fmt.Errorf("%d of %d reminders delivered after %s", delivered.Load(), o.reminders, timeout)
		}
		select {
		case <-srv.Changed():
		case <-time.After(100 * time.Millisecond):
		}
	}
	time.Sleep(2 * time.Second) // anything more they would send
	keys, err := store.ParseKeyring(o.tp.dataKeys)
	if err != nil {
		return s, err
	}
	cut, err := store.New(rdb, store.Options{Keys: keys}).BotRate(ctx, o.rate)
	if err != nil {
		return s, err
	}
	for _, c := range reps {
		c.end()
	}
	s = measureSends(srv.CallsTo("sendMessage"), o.reminders, o.warm, retryAfter*time.Second)
	s.cut = cut
	return s, nil
}

// inFlight is how long after a 429 a send may still arrive that was on
// its way before the replica heard of it.
const inFlight = 50 * time.Millisecond

// retryAfter is the retry_after of the fake's 429s (seconds), Telegram's
// usual answer to a bot over its rate.
const retryAfter = 1

// measureSends reads the figures off the calls to sendMessage: want
// messages expected (one per beneficiary), warm the warm-up from the first
// call, pause Telegram's retry_after.
func measureSends(calls []telegramtest.Call, want int, warm, pause time.Duration) repSample {
	s := repSample{attempts: len(calls), afterPause: -1}
	slices.SortFunc(calls, func(a, b telegramtest.Call) int { return a.At.Compare(b.At) })
	if len(calls) == 0 {
		return s
	}
	var all, ok, tooMany []time.Time
	for _, c := range calls {
		all = append(all, c.At)
		switch c.Status {
		case http.StatusOK:
			ok = append(ok, c.At)
		case http.StatusTooManyRequests:
			tooMany = append(tooMany, c.At)
		}
	}
	first := all[0]
	s.delivered, s.tooMany, s.extra = len(ok), len(tooMany), len(ok)-want
	for _, t := range tooMany {
		if !t.Before(first.Add(warm)) {
			s.tooManyWarm++
		}
	}
	s.maxWindow, s.maxOK = maxIn(all, time.Second), maxIn(ok, time.Second)
	s.firstSecond = countIn(all, first, first.Add(time.Second))
	for _, t := range tooMany {
		s.afterPause = max(s.afterPause, countIn(all, t.Add(pause), t.Add(pause+time.Second)))
	}
	for _, t := range all {
		// Since the latest 429 arrived before t.
		i, _ := slices.BinarySearchFunc(tooMany, t, func(a, b time.Time) int { return a.Compare(b) })
		if i > 0 && t.Sub(tooMany[i-1]) >= inFlight && t.Sub(tooMany[i-1]) < pause {
			s.inPause++
		}
	}
	if len(ok) > 0 {
		s.span = ok[len(ok)-1].Sub(first)
	}
	// The steady window: from the end of the warm-up to the moment 90 % of
	// the messages were delivered (the tail, a few chats put back after a
	// 429, is not the rate).
	if len(ok) > 0 {
		from, to := first.Add(warm), ok[min(len(ok)-1, (9*want+9)/10-1)]
		if to.After(from) {
			s.window = to.Sub(from)
			s.sustained = float64(countIn(ok, from, to)) / s.window.Seconds()
		}
	}
	return s
}

// maxIn is the most times (sorted) in any window of d (a half-open
// interval starting at one of them).
func maxIn(times []time.Time, d time.Duration) int {
	most, j := 0, 0
	for i := range times {
		for j < len(times) && times[j].Before(times[i].Add(d)) {
			j++
		}
		most = max(most, j-i)
	}
	return most
}

// countIn is how many times (sorted) are in [from, to).
func countIn(times []time.Time, from, to time.Time) int {
	lo, _ := slices.BinarySearchFunc(times, from, func(a, b time.Time) int { return a.Compare(b) })
	hi, _ := slices.BinarySearchFunc(times, to, func(a, b time.Time) int { return a.Compare(b) })
	return hi - lo
}

// freeAddr returns a free TCP address on the loopback, for a replica's
// webhook.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func printReplicas(o replicaOptions, sides []int, samples map[[2]int][]repSample) {
	load := "unknown"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil && len(b) > 0 {
		load = string(b[:len(b)-1])
	}
	fmt.Printf("## Replicas and shared rate limits (medians of %d runs, min–max)\n\n", o.runs)
	fmt.Printf("%d beneficiaries, each with a reminder due when the replicas start (webhook mode, `SUIVI_WORKERS=%d`, `SUIVI_RATE_GLOBAL=%g`, "+
		"default per-chat rate); one fake Bot API whose limit per token answers 429 with retry_after %d to a send over it in any sliding second. "+
		"Warm-up: the first %s after the first send. A send during a pause arrived from 50 ms after a 429 to its retry_after. Steady window: from the end of the warm-up until 90 %% of the messages were delivered. "+
		"Load average at the end: %s.\n\n", o.reminders, o.tp.workers, o.rate, retryAfter, o.warm, load)
	fmt.Println("| fake limit | replicas | sustained msg/s | % of the target | 429 after warm-up | 429 in all | most sends in any 1 s | in the first second | in the second after a pause | sent during a pause | shared rate at the end | messages twice |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, limit := range o.limits {
		target := min(o.rate, float64(limit))
		for _, n := range sides {
			v := samples[[2]int{limit, n}]
			pause := "—" // over the runs that had a 429
			if paused := slices.DeleteFunc(slices.Clone(v), func(s repSample) bool { return s.afterPause < 0 }); len(paused) > 0 {
				pause = stat(paused, func(s repSample) float64 { return float64(s.afterPause) }, "%.0f")
				if len(paused) < len(v) {
					pause += fmt.Sprintf(" (%d runs of %d)", len(paused), len(v))
				}
			}
			fmt.Printf("| %d/s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", limit, n,
				stat(v, func(s repSample) float64 { return s.sustained }, "%.2f"),
				stat(v, func(s repSample) float64 { return 100 * s.sustained / target }, "%.1f %%"),
				stat(v, func(s repSample) float64 { return float64(s.tooManyWarm) }, "%.0f"),
				stat(v, func(s repSample) float64 { return float64(s.tooMany) }, "%.0f"),
				stat(v, func(s repSample) float64 { return float64(s.maxWindow) }, "%.0f"),
				stat(v, func(s repSample) float64 { return float64(s.firstSecond) }, "%.0f"),
				pause,
				stat(v, func(s repSample) float64 { return float64(s.inPause) }, "%.0f"),
				stat(v, func(s repSample) float64 { return s.cut }, "%.1f"),
				stat(v, func(s repSample) float64 { return float64(s.extra) }, "%.0f"))
		}
	}
	fmt.Println()
	if len(sides) == 2 {
		fmt.Printf("Sustained rate, %d replicas / 1 replica (per run, same run):", sides[0])
		for i, limit := range o.limits {
			sep := ";"
			if i == len(o.limits)-1 {
				sep = "."
			}
			fmt.Printf(" limit %d/s %s%s", limit, ratio(samples[[2]int{limit, sides[0]}], samples[[2]int{limit, 1}], func(s repSample) float64 { return s.sustained }), sep)
		}
		fmt.Print("\n\n")
	}
}
