package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	tg "github.com/go-telegram/bot"

	"suivi/bot"
	"suivi/catalog"
	"suivi/dialogs"
	"suivi/domain"
	"suivi/internal/clock"
	"suivi/reminders"
	"suivi/store"
	"suivi/telegramtest"
)

// benchWeeks is part 7: n beneficiaries (5-step plans, onboarded, as in
// part 2) and their advisors live through weeks of the real wiring, in
// this process, on a fake clock: the scheduler, the inbox and the dialogs,
// the outbox and the sender (rate limits lifted), talking to the fake Bot
// API through go-telegram/bot. The clock jumps to each next job; at each
// instant everything due is fired and every lane drained before the next
// jump. Nobody answers (check-ins go unanswered, which sends alerts to the
// advisors; digests come weekly). Redis's TTLs follow the simulated clock
// (ttl.go: aged every 6 simulated hours), so that what expires in a week
// of real life expires here too. Reported: Redis bytes per beneficiary at
// rest and after the weeks, with MEMORY USAGE summed by key shape.
func benchWeeks(ctx context.Context, rdb *redis.Client, dataKeys string, n, weeks int, start time.Time) error {
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return err
	}
	keys, err := store.ParseKeyring(dataKeys)
	if err != nil {
		return err
	}
	clk := clock.NewFake(start)
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now, MaxCalls: 1000})
	defer srv.Close()
	users := make([]*telegramtest.User, n)
	for i := range n {
		users[i] = srv.NewUser(tgID(i), names[i%len(names)])
	}
	for b := range (n + caseload - 1) / caseload {
		srv.NewUser(1_000_000+int64(b), "Conseiller")
	}
	log := discardLog()
	st := store.New(rdb, store.Options{Keys: keys})
	api, err := tg.New(srv.Token(), tg.WithServerURL(srv.URL()), tg.WithSkipGetMe(),
		tg.WithHTTPClient(time.Minute, pooledClient(time.Minute)), tg.WithErrorsHandler(func(error) {}))
	if err != nil {
		return err
	}
	now := clk.Now
	sender := bot.NewSender(api, st, bot.Limits{PerSecond: 1e6, PerChat: 1e6}, now, log)
	lanes := bot.LaneConfig{Workers: 1, Gate: sender}
	events := bot.NewEvents(st, now)
	outbox := bot.NewOutbox(st, sender, events, now, log, lanes)
	sched := reminders.New(st, events, now, log, reminders.Options{Zone: paris})
	router := dialogs.New(dialogs.Deps{
		Store: st, Send: sender, Outbox: outbox, Events: events, Sched: sched,
		Catalog: catalog.New(), Now: now, Log: log, DefaultZone: paris,
		BotUsername: srv.BotUsername(), Work: domain.DefaultWorkHours(), WorkLimited: true,
	})
	inbox := bot.NewInbox(st, router, events, now, log, lanes, 0)

	base, _ := usedMemory(ctx, rdb)
	progress("weeks: loading %d beneficiaries", n)
	if err := loadAPI(ctx, st, n, start); err != nil {
		return err
	}
	// The digests of the advisors the loading created (they are pending
	// a digest job, as after an import while the bot is down).
	if _, err := sched.SyncAdvisors(ctx); err != nil {
		return err
	}
	rest, _ := usedMemory(ctx, rdb)
	restBytes, restCount, err := breakdown(ctx, rdb)
	if err != nil {
		return err
	}

	end := start.AddDate(0, 0, 7*weeks)
	ager := newTTLAger(rdb, clk.Now())
	t0 := time.Now()
	instants := 0
	drain := func(run func(context.Context) (bool, error)) (bool, error) {
		any := false
		for {
			worked, err := run(ctx)
			if err != nil {
				return any, err
			}
			if !worked {
				return any, nil
			}
			any = true
		}
	}
	for {
		for {
			fired, err := sched.RunOnce(ctx)
			if err != nil {
				fmt.Fprintln(os.Stderr, "weeks: scheduler:", err)
			}
			a, err1 := drain(inbox.RunOnce)
			b, err2 := drain(outbox.RunOnce)
			if err1 != nil || err2 != nil {
				fmt.Fprintln(os.Stderr, "weeks: lanes:", err1, err2)
			}
			if fired == 0 && !a && !b {
				break
			}
		}
		next, ok, err := st.NextJob(ctx)
		if err != nil {
			return err
		}
		// Chats put back to wait (a backoff) are ready again soon: the
		// clock goes at least a minute on.
		step := clk.Now().Add(time.Minute)
		if ok && next.Before(step) && next.After(clk.Now()) {
			step = next
		} else if ok && next.After(step) {
			if r, _ := st.Inbox().ReadyBy(ctx, next); r == 0 {
				if r, _ := st.Outbox().ReadyBy(ctx, next); r == 0 {
					step = next
				}
			}
		}
		if !ok || step.After(end) {
			break
		}
		clk.Set(step)
		if err := ager.age(ctx, clk.Now(), false); err != nil {
			return err
		}
		instants++
		if instants%500 == 0 {
			progress("weeks: %s, %d messages", clk.Now().Format(time.DateTime), len(srv.CallsTo("sendMessage")))
		}
	}
	clk.Set(end)
	if err := ager.age(ctx, end, true); err != nil {
		return err
	}
	wall := time.Since(t0)
	after, _ := usedMemory(ctx, rdb)
	afterBytes, afterCount, err := breakdown(ctx, rdb)
	if err != nil {
		return err
	}
	sent := 0
	for _, u := range users {
		sent += len(u.Messages())
	}
	fmt.Printf("## Redis bytes per beneficiary after %d simulated weeks of the real wiring (%d beneficiaries, %d advisors)\n\n", weeks, n, (n+caseload-1)/caseload)
	fmt.Println("| | at rest | after the weeks |")
	fmt.Println("|---|---:|---:|")
	fmt.Printf("| **Redis bytes per beneficiary** (used_memory growth / N) | **%d B** | **%d B** |\n", (rest-base)/int64(n), (after-base)/int64(n))
	fmt.Printf("| messages the beneficiaries received | | %d (%.1f each) |\n", sent, float64(sent)/float64(n))
	fmt.Printf("| keys expired on the simulated clock (TTLs aged every %s) | | %d |\n", ttlAgeEvery, ager.expired)
	fmt.Printf("| wall time of the simulation (in process, one worker per pool) | | %s |\n\n", secs(wall))
	printBreakdown(os.Stdout, "At rest", n, restBytes, restCount)
	printBreakdown(os.Stdout, fmt.Sprintf("After %d weeks", weeks), n, afterBytes, afterCount)
	return rdb.FlushDB(ctx).Err()
}
