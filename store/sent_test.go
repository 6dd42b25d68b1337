package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"suivi/internal/redistest"
	"suivi/store"
)

// A message is remembered by one key: its outbox marker, set at its push
// for 7 days, records its send and lasts 7 days from then. Nothing else
// is written for it (no suivi:sent:<key>).
func TestOneMarkerPerMessageWithTheOutboxTTL(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	const week = 7 * 24 * time.Hour
	if ok, err := s.Outbox().Push(ctx, "ana:reminder:1:x", 5, []byte(`{}`), t0); err != nil || !ok {
		t.Fatalf("push: %v %v", ok, err)
	}
	keys, err := redistest.Keys(ctx, rdb, "*ana:reminder:1:x*")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || !strings.Contains(keys[0], ":seen:") {
		t.Fatalf("keys of a pushed message: %v, want its seen marker", keys)
	}
	ttl := func() time.Duration {
		t.Helper()
		d, err := rdb.PTTL(ctx, keys[0]).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := ttl(); d <= week-time.Minute || d > week {
		t.Fatalf("TTL at push: %v, want 7 days", d)
	}
	// Time passes; the message goes: its marker says so, for 7 days again.
	if err := rdb.PExpire(ctx, keys[0], 3*24*time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, 5, "ana:reminder:1:x", []int{42}); err != nil {
		t.Fatal(err)
	}
	after, err := redistest.Keys(ctx, rdb, "*ana:reminder:1:x*")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after, keys) {
		t.Fatalf("keys of a sent message: %v, want only %v", after, keys)
	}
	if d := ttl(); d <= week-time.Minute || d > week {
		t.Errorf("TTL after the send: %v, want 7 days again", d)
	}
	l := store.ChatLimit{PerSecond: 1000, Burst: 1000}
	c, err := s.CheckSend(ctx, "ana:reminder:1:x", store.Whole, 5, l, 1000, time.Second, t0)
	if err != nil || !c.Sent || c.SentID != 42 {
		t.Errorf("check: %+v %v, want sent as 42", c, err)
	}
	// Still the lane's dedupe: not queued again.
	if ok, err := s.Outbox().Push(ctx, "ana:reminder:1:x", 5, []byte(`{}`), t0); err != nil || ok {
		t.Errorf("pushed again after its send: %v %v", ok, err)
	}
	if sent, err := redistest.Keys(ctx, rdb, "suivi:sent:*"); err != nil || len(sent) != 0 {
		t.Errorf("sent markers: %v %v, want none", sent, err)
	}
}

// A long text's marker records its parts as they go: a part it names is
// sent, the next is not.
func TestMarkerRecordsTheParts(t *testing.T) {
	ctx := context.Background()
	s := store.New(redistest.Client(t), store.Options{Keys: store.EphemeralKeyring()})
	l := store.ChatLimit{PerSecond: 1000, Burst: 1000}
	if err := s.MarkSent(ctx, 5, "long", []int{10, 11}); err != nil {
		t.Fatal(err)
	}
	for part, want := range map[int]int{0: 10, 1: 11, 2: 0} {
		c, err := s.CheckSend(ctx, "long", part, 5, l, 1000, time.Second, t0)
		if err != nil || c.Sent != (want != 0) || c.SentID != want || !slices.Equal(c.Parts, []int{10, 11}) {
			t.Errorf("part %d: %+v %v, want sent as %d (0: not sent), parts [10 11]", part, c, err, want)
		}
	}
}

// A send recorded by a version before (suivi:sent:<key>, or <key>.<n> for
// a part, beside a 60-day seen marker) still counts until it expires.
func TestOldSentMarkersAreHonoured(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := store.New(rdb, store.Options{Keys: store.EphemeralKeyring()})
	l := store.ChatLimit{PerSecond: 1000, Burst: 1000}
	if ok, err := s.Outbox().Push(ctx, "old", 5, []byte(`{}`), t0); err != nil || !ok {
		t.Fatalf("push: %v %v", ok, err)
	}
	if err := rdb.Set(ctx, "suivi:sent:old", 7, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, "suivi:sent:oldlong.0", 8, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if c, err := s.CheckSend(ctx, "old", store.Whole, 5, l, 1000, time.Second, t0); err != nil || !c.Sent || c.SentID != 7 {
		t.Errorf("old whole message: %+v %v, want sent as 7", c, err)
	}
	if c, err := s.CheckSend(ctx, "oldlong", 0, 5, l, 1000, time.Second, t0); err != nil || !c.Sent || c.SentID != 8 {
		t.Errorf("old part 0: %+v %v, want sent as 8", c, err)
	}
	if c, err := s.CheckSend(ctx, "oldlong", 1, 5, l, 1000, time.Second, t0); err != nil || c.Sent {
		t.Errorf("old part 1: %+v %v, want not sent", c, err)
	}
}
