package bot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/redis/go-redis/v9"

	"suivi/bot"
	"suivi/internal/clock"
	"suivi/internal/redistest"
	"suivi/store"
	"suivi/telegramtest"
)

// senderOn is newSender on a given Redis client (to look at its keys).
func senderOn(t *testing.T, srv *telegramtest.Server, clk *clock.Fake, rdb redis.UniversalClient) (*bot.Sender, *store.Store) {
	t.Helper()
	api, err := tg.New(srv.Token(), tg.WithServerURL(srv.URL()), tg.WithSkipGetMe(), tg.WithErrorsHandler(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	return bot.NewSender(api, st, bot.Limits{PerChat: 1000, ChatBurst: 1000}, clk.Now, quiet()), st
}

// keysOf returns the keys that name a message key, and fails on any
// suivi:sent: marker (the layout before: a second key per message).
func keysOf(t *testing.T, rdb redis.UniversalClient, key string) []string {
	t.Helper()
	ctx := context.Background()
	keys, err := redistest.Keys(ctx, rdb, "*"+key+"*")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "suivi:sent:") {
			t.Errorf("a sent marker beside the outbox's: %s", k)
		}
	}
	return keys
}

// A message Telegram accepted whose worker died before its ack (the lease
// lapses, another worker gets the chat) is not sent again; it leaves one
// key, for 7 days.
func TestOutboxRedeliveredAfterCrashIsNotResent(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	clk := clock.NewFake(t0)
	rdb := redistest.Client(t)
	sender, st := senderOn(t, srv, clk, rdb)
	u := srv.NewUser(42, "Ana")
	ctx := context.Background()
	newOutbox := func() *bot.Outbox {
		return bot.NewOutbox(st, sender, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{Workers: 1, Lease: time.Minute})
	}
	m := bot.Outgoing{Key: "ana:reminder:1:x", ChatID: u.ID(), Text: "Rappel"}
	if ok, err := newOutbox().Enqueue(ctx, m); err != nil || !ok {
		t.Fatalf("enqueue: %v %v", ok, err)
	}
	// The worker that dies: it claims the chat, sends, and never acks.
	lane, ok, err := st.Outbox().Claim(ctx, clk.Now(), clk.Now().Add(time.Minute), "dead")
	if err != nil || !ok || lane != u.ID() {
		t.Fatalf("claim: %d %v %v", lane, ok, err)
	}
	if _, err := sender.SendLong(ctx, bot.Message{ChatID: m.ChatID, Text: m.Text, Key: m.Key}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	drainOutbox(t, newOutbox())
	if n, _ := st.Outbox().Pending(ctx, u.ID()); n != 0 {
		t.Errorf("%d items still waiting", n)
	}
	if calls := srv.CallsTo("sendMessage"); len(calls) != 1 {
		t.Errorf("sendMessage calls: %d, want 1", len(calls))
	}
	if got := len(u.Messages()); got != 1 {
		t.Errorf("the user got %d messages, want 1", got)
	}
	keys := keysOf(t, rdb, m.Key)
	if len(keys) != 1 {
		t.Fatalf("keys of the message: %v, want one", keys)
	}
	const week = 7 * 24 * time.Hour
	if d, err := rdb.PTTL(ctx, keys[0]).Result(); err != nil || d <= week-time.Minute || d > week {
		t.Errorf("TTL of %s: %v %v, want 7 days", keys[0], d, err)
	}
}

// A long text cut short after its first part (Telegram failed) resumes
// with the second: no part twice, none lost, one key for all of them.
func TestSendLongResumesAfterThePartsSent(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	clk := clock.NewFake(t0)
	rdb := redistest.Client(t)
	sender, _ := senderOn(t, srv, clk, rdb)
	u := srv.NewUser(42, "Ana")
	ctx := context.Background()
	line := strings.Repeat("x", 100) + "\n"
	text := strings.Repeat(line, 100) // about 10,000 characters: three parts
	parts := bot.Split(text, bot.MaxText)
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	m := bot.Message{ChatID: u.ID(), Text: text, Key: "ana:brief:1"}
	// The first part goes, the second meets Telegram down.
	srv.InjectFault("sendMessage", 0, 1, telegramtest.Fault{})
	srv.InjectFault("sendMessage", 0, 1, telegramtest.Fault{Status: http.StatusBadGateway})
	if _, err := sender.SendLong(ctx, m); !errors.Is(err, bot.ErrTransient) {
		t.Fatalf("first attempt: %v, want ErrTransient", err)
	}
	last, err := sender.SendLong(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	// Again (redelivered after its last part): nothing goes.
	again, err := sender.SendLong(ctx, m)
	if err != nil || again != last {
		t.Fatalf("third attempt: %d %v, want %d", again, err, last)
	}
	got := u.Messages()
	if len(got) != 3 {
		t.Fatalf("the user got %d messages, want 3", len(got))
	}
	for i, msg := range got {
		if msg.Text != parts[i] {
			t.Errorf("message %d is not part %d", i, i)
		}
	}
	if got[2].ID != last {
		t.Errorf("returned id %d, want the last part's %d", last, got[2].ID)
	}
	if ok := len(srv.CallsTo("sendMessage")); ok != 4 {
		t.Errorf("sendMessage calls: %d, want 4 (one failed)", ok)
	}
	if keys := keysOf(t, rdb, m.Key); len(keys) != 1 {
		t.Errorf("keys of the message: %v, want one", keys)
	}
}

// A reply sent in a turn of the inbox (not through the outbox) is
// remembered the same way: sent again with its key, it does not go.
func TestReplyInATurnIsSentOnce(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	clk := clock.NewFake(t0)
	rdb := redistest.Client(t)
	sender, _ := senderOn(t, srv, clk, rdb)
	u := srv.NewUser(42, "Ana")
	ctx := context.Background()
	for range 2 {
		if _, err := sender.SendDocument(ctx, u.ID(), "u77.csv", "a.csv", []byte("a,b\n"), ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.CallsTo("sendDocument")); n != 1 {
		t.Errorf("sendDocument calls: %d, want 1", n)
	}
	if keys := keysOf(t, rdb, "u77.csv"); len(keys) != 1 || !strings.Contains(keys[0], "{outbox:") {
		t.Errorf("keys of the reply: %v, want its outbox marker", keys)
	}
}

// Messages a version before recorded as sent (suivi:sent:<key>.<n> beside
// a 60-day seen marker) and still queued (a crash before the ack) are not
// sent again; a long text it left half sent goes on from the next part.
func TestOldSentMarkersAreHonouredByTheOutbox(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	clk := clock.NewFake(t0)
	rdb := redistest.Client(t)
	sender, st := senderOn(t, srv, clk, rdb)
	u := srv.NewUser(42, "Ana")
	ctx := context.Background()
	ob := bot.NewOutbox(st, sender, bot.NewEvents(st, clk.Now), clk.Now, quiet(), bot.LaneConfig{Workers: 1})
	line := strings.Repeat("y", 100) + "\n"
	long := strings.Repeat(line, 100)
	for _, m := range []bot.Outgoing{
		{Key: "ana:reminder:1:old", ChatID: u.ID(), Text: "Rappel"},
		{Key: "ana:brief:old", ChatID: u.ID(), Text: long},
	} {
		if ok, err := ob.Enqueue(ctx, m); err != nil || !ok {
			t.Fatalf("enqueue: %v %v", ok, err)
		}
		keys := keysOf(t, rdb, m.Key)
		if len(keys) != 1 {
			t.Fatalf("keys: %v", keys)
		}
		if err := rdb.PExpire(ctx, keys[0], 60*24*time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for k, id := range map[string]int{"ana:reminder:1:old.0": 901, "ana:brief:old.0": 902} {
		if err := rdb.Set(ctx, "suivi:sent:"+k, id, 7*24*time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}
	drainOutbox(t, ob)
	got := u.Messages()
	parts := bot.Split(long, bot.MaxText)
	if len(got) != len(parts)-1 {
		t.Fatalf("the user got %d messages, want %d (the parts not sent before)", len(got), len(parts)-1)
	}
	for i, msg := range got {
		if msg.Text != parts[i+1] {
			t.Errorf("message %d is not part %d", i, i+1)
		}
	}
	if n, _ := st.Outbox().Pending(ctx, u.ID()); n != 0 {
		t.Errorf("%d items still waiting", n)
	}
}
