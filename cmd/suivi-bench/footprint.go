package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
	"suivi/internal/clock"
	"suivi/reminders"
	"suivi/store"
)

// moreOptions are the parts added for issue 9: throughput (part 5),
// footprint and start-up (part 6), weeks of traffic (part 7).
type moreOptions struct {
	suivi      string
	throughput bool
	updates    int
	reminders  int
	runs       int
	idleFor    time.Duration
	workers    int
	footprint  string
	check      int
	weeks      int
	weeksN     int
	start      time.Time
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// benchMore runs parts 5 to 7.
func benchMore(ctx context.Context, rdb *redis.Client, socket, dataKeys string, o moreOptions) error {
	if socket == "" && (o.throughput || o.footprint != "") {
		return fmt.Errorf("-throughput and -footprint need the benchmark's own redis-server (no -redis): they count round trips through a proxy and read INFO of a server used by nothing else")
	}
	dir, err := os.MkdirTemp("", "suivi-bench-tp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.suivi
	if o.throughput || o.footprint != "" {
		if bin, err = suiviBinary(ctx, bin, dir); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tpo := tpOptions{bin: bin, self: self, updates: o.updates, reminders: o.reminders, runs: o.runs, idleFor: o.idleFor,
		dataKeys: dataKeys, socket: socket, dir: dir, workers: o.workers}
	if o.throughput {
		if o.updates < 2 || o.reminders < 2 || o.runs < 1 {
			return fmt.Errorf("-updates and -reminders must be at least 2, -runs at least 1")
		}
		if err := benchThroughput(ctx, rdb, tpo); err != nil {
			return err
		}
	}
	if o.footprint != "" {
		counts, err := ints(o.footprint)
		if err != nil {
			return fmt.Errorf("-footprint: %w", err)
		}
		if err := benchFootprint(ctx, rdb, tpo, counts, o.check, o.start); err != nil {
			return err
		}
	}
	if o.weeks > 0 {
		if err := benchWeeks(ctx, rdb, dataKeys, o.weeksN, o.weeks, o.start); err != nil {
			return err
		}
	}
	return nil
}

// suiviBinary returns bin, or, when it is empty, a suivi built from
// ./cmd/suivi into dir, and says which commit it is.
func suiviBinary(ctx context.Context, bin, dir string) (string, error) {
	built := ""
	if bin == "" {
		built = gitRevision(ctx)
		bin = filepath.Join(dir, "suivi")
		progress("building ./cmd/suivi")
		if out, err := execOutput(ctx, "go", "build", "-o", bin, "./cmd/suivi"); err != nil {
			return "", fmt.Errorf("go build ./cmd/suivi: %w\n%s", err, out)
		}
	}
	fmt.Printf("Suivi binary: %s.\n\n", strOr(built, binRevision(bin)))
	return bin, nil
}

func strOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ---------------------------------------------------------------------------
// Part 6: bytes at rest and start-up.

// caseload is the block the copying loader copies: one advisor and the 50
// beneficiaries of makePlan that share them.
const caseload = 50

// template is the record of the commands the store sent to create one
// caseload through its API (CreatePlan, RedeemInvite, UpdateBeneficiary,
// Scheduler.Sync), reads left out, ready to be sent again for another
// caseload with the ids changed: each argument is cut, once, into literal
// parts and ids (a beneficiary id, a Telegram id, the advisor's id, an
// invite code) that are written anew for each caseload.
type template struct {
	cmds [][]arg
}

// arg is one argument of a recorded command.
type arg struct {
	v     any    // kept as is when parts is nil
	bytes bool   // was []byte
	parts []part // a string with ids in it
}

// part is a literal (kind 0) or an id of the k-th beneficiary of the caseload.
type part struct {
	kind int // 0 literal, 1 beneficiary id, 2 Telegram id, 3 advisor id, 4 invite code
	lit  string
	k    int
}

var (
	reBen = regexp.MustCompile(`\bben(\d{7})\b`)
	reTg  = regexp.MustCompile(`\b50000000([0-4]\d)\b`)
	reAdv = regexp.MustCompile(`\b1000000\b`)
)

// readOnly are the commands the loader does not send again.
var readOnly = map[string]bool{
	"get": true, "mget": true, "hget": true, "hgetall": true, "hmget": true, "hexists": true, "exists": true,
	"smembers": true, "sismember": true, "scard": true, "zscore": true, "zrange": true, "zrangebyscore": true,
	"zcard": true, "ttl": true, "pttl": true, "type": true, "scan": true, "sscan": true, "hscan": true, "zscan": true,
	"info": true, "ping": true, "lrange": true, "llen": true, "hlen": true, "script": true, "select": true,
	"hello": true, "client": true, "strlen": true, "hkeys": true, "hvals": true, "multi": true, "exec": true,
}

type recorder struct {
	mu   sync.Mutex
	cmds [][]any
}

func (r *recorder) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *recorder) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		r.add(cmd)
		return err
	}
}
func (r *recorder) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, c := range cmds {
			r.add(c)
		}
		return err
	}
}
func (r *recorder) add(cmd redis.Cmder) {
	if cmd.Err() != nil && cmd.Err() != redis.Nil || readOnly[strings.ToLower(cmd.Name())] {
		return
	}
	r.mu.Lock()
	r.cmds = append(r.cmds, slices.Clone(cmd.Args()))
	r.mu.Unlock()
}

// recordCaseload creates caseload 0 through the API on a client that
// records what it sends, one beneficiary after the other.
func recordCaseload(ctx context.Context, rdb *redis.Client, keys *store.Keyring, start time.Time) (*template, error) {
	rec := &recorder{}
	c := redis.NewClient(rdb.Options())
	defer c.Close()
	c.AddHook(rec)
	st := store.New(c, store.Options{Keys: keys})
	clk := clock.NewFake(start)
	sched := reminders.New(st, discardEvents{}, clk.Now, discardLog(), reminders.Options{Zone: paris})
	first := domain.DateOf(start)
	now := clk.Now()
	var codes []string
	index := map[string]int{}
	for i := range caseload {
		inv, err := st.CreatePlan(ctx, makePlan(i, first), now, 14*24*time.Hour)
		if err != nil {
			return nil, err
		}
		codes = append(codes, regexp.QuoteMeta(inv.Code))
		index[inv.Code] = i
		if err := onboard(ctx, st, sched, inv.Code, i, now); err != nil {
			return nil, err
		}
	}
	reCode := regexp.MustCompile(strings.Join(codes, "|"))
	t := &template{}
	for _, c := range rec.cmds {
		args := make([]arg, len(c))
		for i, a := range c {
			switch v := a.(type) {
			case string:
				args[i] = cut(v, false, reCode, index)
			case []byte:
				args[i] = cut(string(v), true, reCode, index)
			default:
				args[i] = arg{v: v}
			}
		}
		t.cmds = append(t.cmds, args)
	}
	return t, nil
}

// cut finds the ids in s.
func cut(s string, bytes bool, reCode *regexp.Regexp, index map[string]int) arg {
	type hit struct{ at, end, kind, k int }
	var hits []hit
	for _, m := range reBen.FindAllStringSubmatchIndex(s, -1) {
		k, _ := strconv.Atoi(s[m[2]:m[3]])
		hits = append(hits, hit{m[0], m[1], 1, k})
	}
	for _, m := range reTg.FindAllStringSubmatchIndex(s, -1) {
		k, _ := strconv.Atoi(s[m[2]:m[3]])
		hits = append(hits, hit{m[0], m[1], 2, k})
	}
	for _, m := range reAdv.FindAllStringIndex(s, -1) {
		hits = append(hits, hit{m[0], m[1], 3, 0})
	}
	for _, m := range reCode.FindAllStringIndex(s, -1) {
		hits = append(hits, hit{m[0], m[1], 4, index[s[m[0]:m[1]]]})
	}
	if len(hits) == 0 {
		if bytes {
			return arg{v: []byte(s)}
		}
		return arg{v: s}
	}
	slices.SortFunc(hits, func(a, b hit) int { return a.at - b.at })
	var parts []part
	pos := 0
	for _, h := range hits {
		if h.at < pos {
			continue // overlapping matches: the first wins
		}
		if h.at > pos {
			parts = append(parts, part{lit: s[pos:h.at]})
		}
		lit := s[h.at:h.end]
		if h.kind == 4 {
			lit = lit[:len(lit)-8]
		}
		parts = append(parts, part{kind: h.kind, k: h.k, lit: lit})
		pos = h.end
	}
	if pos < len(s) {
		parts = append(parts, part{lit: s[pos:]})
	}
	return arg{bytes: bytes, parts: parts}
}

// render writes the argument for caseload b.
func (a arg) render(b int, sb *strings.Builder) any {
	if a.parts == nil {
		switch v := a.v.(type) {
		case int64:
			return rewriteInt(v, b)
		case int:
			return rewriteInt(int64(v), b)
		}
		return a.v
	}
	sb.Reset()
	for _, p := range a.parts {
		switch p.kind {
		case 0:
			sb.WriteString(p.lit)
		case 1:
			sb.WriteString(benID(p.k + caseload*b))
		case 2:
			sb.WriteString(strconv.FormatInt(tgID(p.k+caseload*b), 10))
		case 3:
			sb.WriteString(strconv.Itoa(1_000_000 + b))
		case 4:
			sb.WriteString(p.lit)
			fmt.Fprintf(sb, "%08x", p.k+caseload*b)
		}
	}
	if a.bytes {
		return []byte(sb.String())
	}
	return sb.String()
}

// replay sends the template again for caseloads from..to-1.
func (t *template) replay(ctx context.Context, rdb *redis.Client, from, to int) error {
	pl := rdb.Pipeline()
	var sb strings.Builder
	for b := from; b < to; b++ {
		for _, c := range t.cmds {
			args := make([]any, len(c))
			for i, a := range c {
				args[i] = a.render(b, &sb)
			}
			pl.Do(ctx, args...)
		}
	}
	cmds, err := pl.Exec(ctx)
	if err != nil {
		for _, c := range cmds {
			if c.Err() != nil && c.Err() != redis.Nil {
				return fmt.Errorf("replay %v: %w", c.Args(), c.Err())
			}
		}
	}
	return nil
}

func rewriteInt(v int64, b int) int64 {
	switch {
	case v >= tgID(0) && v < tgID(caseload):
		return v + int64(caseload*b)
	case v == 1_000_000:
		return v + int64(b)
	}
	return v
}

// loadCopies loads n beneficiaries (a multiple of 50) by sending the
// template again, 8 caseloads a pipeline, on 4 connections.
func loadCopies(ctx context.Context, rdb *redis.Client, t *template, n int) error {
	blocks := n / caseload
	const per = 8
	return parallel((blocks+per-1)/per, 4, func(j int) error {
		from := 1 + j*per // caseload 0 is the template itself
		return t.replay(ctx, rdb, from, min(from+per, blocks))
	})
}

// loadAPI loads n beneficiaries through the store's API, 8 at a time.
func loadAPI(ctx context.Context, st *store.Store, n int, start time.Time) error {
	clk := clock.NewFake(start)
	sched := reminders.New(st, discardEvents{}, clk.Now, discardLog(), reminders.Options{Zone: paris})
	first := domain.DateOf(start)
	now := clk.Now()
	return parallel(n, 8, func(i int) error {
		inv, err := st.CreatePlan(ctx, makePlan(i, first), now, 14*24*time.Hour)
		if err != nil {
			return err
		}
		return onboard(ctx, st, sched, inv.Code, i, now)
	})
}

type fpResult struct {
	n          int
	how        string
	perBen     int64
	used       int64
	load       time.Duration
	jobs       int64
	startups   []time.Duration // first start, then again
	startIdle  float64
	keysPerBen float64
}

func benchFootprint(ctx context.Context, rdb *redis.Client, o tpOptions, counts []int, check int, start time.Time) error {
	keys, err := store.ParseKeyring(o.dataKeys)
	if err != nil {
		return err
	}
	st := store.New(rdb, store.Options{Keys: keys})
	var results []fpResult
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return err
	}
	if check > 0 {
		progress("footprint: %d beneficiaries through the API (the check)", check)
		base, _ := usedMemory(ctx, rdb)
		baseKeys, _ := rdb.DBSize(ctx).Result()
		t0 := time.Now()
		if err := loadAPI(ctx, st, check, start); err != nil {
			return err
		}
		r := fpResult{n: check, how: "API", load: time.Since(t0)}
		used, _ := usedMemory(ctx, rdb)
		nk, _ := rdb.DBSize(ctx).Result()
		r.used, r.perBen, r.keysPerBen = used, (used-base)/int64(check), float64(nk-baseKeys)/float64(check)
		w, l, _ := st.JobStats(ctx)
		r.jobs = w + l
		results = append(results, r)
	}
	for _, n := range counts {
		n = max(n/caseload, 1) * caseload
		if err := rdb.FlushDB(ctx).Err(); err != nil {
			return err
		}
		base, _ := usedMemory(ctx, rdb)
		baseKeys, _ := rdb.DBSize(ctx).Result()
		progress("footprint: %d beneficiaries copied from a caseload made through the API", n)
		t0 := time.Now()
		t, err := recordCaseload(ctx, rdb, keys, start)
		if err != nil {
			return err
		}
		if err := loadCopies(ctx, rdb, t, n); err != nil {
			return err
		}
		r := fpResult{n: n, how: "copies", load: time.Since(t0)}
		used, _ := usedMemory(ctx, rdb)
		nk, _ := rdb.DBSize(ctx).Result()
		r.used, r.perBen, r.keysPerBen = used, (used-base)/int64(n), float64(nk-baseKeys)/float64(n)
		w, l, _ := st.JobStats(ctx)
		r.jobs = w + l
		// Start-up to ready with them: the first start, then again.
		for k := range max(o.runs, 2) {
			progress("footprint: start-up %d with %d beneficiaries", k+1, n)
			c, err := newChild(ctx, rdb, o, fmt.Sprintf("start-%d-%d", n, k), 1<<30)
			if err != nil {
				return err
			}
			var s tpSample
			env := []string{"SUIVI_WORKERS=" + strconv.Itoa(o.workers), "SUIVI_LOG_LEVEL=error", "SUIVI_HTTP_ADDR=", "SUIVI_DATA_KEYS=" + o.dataKeys}
			if err := c.launch(ctx, o.bin, env); err != nil {
				c.stop(&s)
				return err
			}
			select {
			case d := <-c.startup:
				r.startups = append(r.startups, d)
			case <-time.After(10 * time.Minute):
				c.stop(&s)
				return fmt.Errorf("start-up with %d beneficiaries: no getUpdates after 10 minutes", n)
			}
			if k == 0 {
				r.startIdle = c.idle(ctx, rdb, o.idleFor)
			}
			c.stop(&s)
		}
		results = append(results, r)
	}
	_ = rdb.FlushDB(ctx).Err()

	fmt.Printf("## Redis bytes per beneficiary at rest, and start-up to ready (5-step plans, onboarded, scheduled)\n\n")
	fmt.Println("| N | loaded by | Redis used_memory | **bytes per beneficiary** | keys per beneficiary | jobs | loading | start-up to first getUpdates: first, then again | idle Redis commands/s with them |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---|---:|")
	for _, r := range results {
		var ss []string
		for _, d := range r.startups {
			ss = append(ss, fmt.Sprintf("%.2f s", d.Seconds()))
		}
		idle := "—"
		if len(r.startups) > 0 {
			idle = fmt.Sprintf("%.1f", r.startIdle)
		}
		fmt.Printf("| %d | %s | %s | **%d B** | %.1f | %d | %s | %s | %s |\n", r.n, r.how, mib(uint64(r.used)), r.perBen, r.keysPerBen, r.jobs,
			secs(r.load), strOr(strings.Join(ss, ", "), "—"), idle)
	}
	fmt.Println()
	return nil
}

// ---------------------------------------------------------------------------
// Part 7: weeks of traffic through the real wiring, in process.

// keyShape names a key by its shape: ids and numbers become #.
var reDigits = regexp.MustCompile(`ben\d+|\d+|[a-z2-7]{24}`)

func keyShape(k string) string { return reDigits.ReplaceAllString(k, "#") }

// breakdown sums MEMORY USAGE by key shape (SCAN, bounded).
func breakdown(ctx context.Context, rdb *redis.Client) (map[string]int64, map[string]int, error) {
	bytes, count := map[string]int64{}, map[string]int{}
	var cursor uint64
	for {
		ks, next, err := rdb.Scan(ctx, cursor, "*", 1000).Result()
		if err != nil {
			return nil, nil, err
		}
		pl := rdb.Pipeline()
		cmds := make([]*redis.IntCmd, len(ks))
		for i, k := range ks {
			cmds[i] = pl.MemoryUsage(ctx, k, 0)
		}
		if _, err := pl.Exec(ctx); err != nil && err != redis.Nil {
			return nil, nil, err
		}
		for i, k := range ks {
			s := keyShape(k)
			bytes[s] += cmds[i].Val()
			count[s]++
		}
		if cursor = next; cursor == 0 {
			return bytes, count, nil
		}
	}
}

func printBreakdown(w io.Writer, title string, n int, bytes map[string]int64, count map[string]int) {
	shapes := slices.SortedFunc(maps.Keys(bytes), func(a, b string) int { return int(bytes[b] - bytes[a]) })
	var total int64
	for _, s := range shapes {
		total += bytes[s]
	}
	fmt.Fprintf(w, "%s: MEMORY USAGE summed by key shape, per beneficiary (total %d B)\n\n", title, total/int64(n))
	fmt.Fprintln(w, "| key shape | keys | bytes per beneficiary |")
	fmt.Fprintln(w, "|---|---:|---:|")
	for _, s := range shapes {
		if bytes[s]/int64(n) < 16 {
			continue
		}
		fmt.Fprintf(w, "| `%s` | %d | %d B |\n", s, count[s], bytes[s]/int64(n))
	}
	fmt.Fprintln(w)
}

// execOutput runs a command and returns its combined output.
func execOutput(ctx context.Context, name string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}

// onboard is what the loaders do for each beneficiary after CreatePlan.
func onboard(ctx context.Context, st *store.Store, sched *reminders.Scheduler, code string, i int, now time.Time) error {
	if _, err := st.RedeemInvite(ctx, code, tgID(i), now); err != nil {
		return err
	}
	if _, err := st.UpdateBeneficiary(ctx, benID(i), func(b *domain.Beneficiary) error {
		b.State = domain.StateActive
		b.Onboarded = now
		b.Consent = domain.ConsentYes
		return nil
	}); err != nil {
		return err
	}
	return sched.Sync(ctx, benID(i))
}
