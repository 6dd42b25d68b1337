package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"suivi/bot"
	"suivi/internal/clock"
	"suivi/telegramtest"
)

// More chats flood than there are workers (each sends far more than its 1
// message a second), and others write once: at that very instant every
// other chat is answered, because a chat over its rate goes back to the
// queue with a ready time instead of holding a worker; the flooders get
// their burst. Then, second by second, each flooder gets an answer to each
// message up to the backlog cap, and one calm word about the rest, which
// is parked. No clock runs but the fake one: nothing here is timed.
func TestAFloodDoesNotStallTheOthers(t *testing.T) {
	clk := clock.NewFake(t0)
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	t.Cleanup(srv.Close)
	e := baseEnv(t, srv)
	e["SUIVI_RATE_CHAT"] = "1" // Telegram's own limit; bursts of 3
	e["SUIVI_WORKERS"] = "4"
	e["SUIVI_RATE_GLOBAL"] = "1000" // the bot-wide limit runs on the wall clock: keep it out of the way
	r := start(t, e, clk)
	const (
		flooders = 8
		each     = bot.MaxPending + 10
		others   = 20
	)
	var fl, ot []*telegramtest.User
	for i := range flooders {
		u := srv.NewUser(int64(9200+i), fmt.Sprintf("Flot%d", i))
		fl = append(fl, u)
	}
	for i := range others {
		ot = append(ot, srv.NewUser(int64(9300+i), fmt.Sprintf("Autre%d", i)))
	}
	for n := range each {
		for _, u := range fl {
			u.SendText(fmt.Sprintf("message %d", n))
		}
		if n == 5 {
			for _, u := range ot {
				u.SendText("bonjour")
			}
		}
	}
	// Every update is in the inbox (Telegram saw the offset move past it).
	if err := srv.Wait(wait, func() bool { return srv.Pending() == 0 }); err != nil {
		t.Fatal(err)
	}
	r.settle(t, clk)
	for _, u := range ot {
		if got := len(u.Messages()); got != 1 {
			t.Errorf("chat %d, which wrote once, got %d answers at once, want 1", u.ID(), got)
		}
	}
	for _, u := range fl {
		if got := len(u.Messages()); got > 3 {
			t.Errorf("flooding chat %d got %d messages in one instant, over its burst of 3", u.ID(), got)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Second by second, the flooders are answered at their rate, until
	// nothing waits.
	for range 2 * each {
		clk.Advance(time.Second)
		r.settle(t, clk)
		if n, _ := r.app.store.Inbox().ReadyBy(context.Background(), clk.Now().Add(time.Hour)); n == 0 {
			break
		}
	}
	parked, err := r.app.store.Inbox().Parked(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	parkedOf := map[string]int{}
	for _, p := range parked {
		var rec struct{ Lane, Reason string }
		if err := json.Unmarshal([]byte(p), &rec); err != nil || rec.Reason != "backlog" {
			t.Fatalf("parked record %s", p)
		}
		parkedOf[rec.Lane]++
	}
	for _, u := range fl {
		if got := len(containing(u.Messages(), txtBacklog)); got != 1 {
			t.Errorf("flooding chat %d was told %d times that it sent too much, want once", u.ID(), got)
		}
		// Updates handled before the flood was all in don't count in the
		// backlog: at least MaxPending are answered, each other is parked.
		answers, set := len(u.Messages())-1, parkedOf[strconv.FormatInt(u.ID(), 10)]
		if answers < bot.MaxPending || answers+set != each {
			t.Errorf("flooding chat %d: %d answers and %d parked, want at least %d answers and %d in all", u.ID(), answers, set, bot.MaxPending, each)
		}
	}
	for _, u := range ot {
		if got := len(u.Messages()); got != 1 {
			t.Errorf("chat %d got %d answers, want 1", u.ID(), got)
		}
	}
}
