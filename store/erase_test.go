package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/internal/redistest"
	"suivi/store"
)

// joined stores a plan for name, linked to Telegram user tg, with one of
// everything kept about a person: a check-in, a conversation, a job, an
// extra invite, a button token and a message sent.
func joined(t *testing.T, s *store.Store, id, name string, tg int64) *domain.Beneficiary {
	t.Helper()
	ctx := context.Background()
	p := samplePlan()
	p.ID, p.Beneficiary.Name = id, name
	if _, err := s.CreatePlan(ctx, p, t0, time.Hour); err != nil {
		t.Fatal(err)
	}
	// A second invite (the first, revoked, stays until it expires).
	inv, err := s.NewInvite(ctx, id, "", t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.RedeemInvite(ctx, inv.Code, tg, t0)
	if err != nil {
		t.Fatal(err)
	}
	week := domain.Week("2026-W48")
	if _, err := s.CreateCheckIn(ctx, &domain.CheckIn{BeneficiaryID: id, Week: week, Asked: t0, Note: "note of " + name, NoteDone: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDialogState(ctx, id, []byte(`{"flow":"checkin"}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncJobs(ctx, id, map[string]time.Time{"c|" + id: t0.Add(time.Hour), "r|" + id + "|1": t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ref(ctx, 111, "ben:"+id); err != nil {
		t.Fatal(err)
	}
	// Its check-in question, sent (the outbox key's marker records it).
	if err := s.MarkSent(ctx, tg, id+":checkin:2026-11-23T10:00", []int{5}); err != nil {
		t.Fatal(err)
	}
	if err := s.Inbox().MarkSeen(ctx, r.Beneficiary.TelegramID, "e:"+id+":checkin:2026-11-23T10:00"); err != nil {
		t.Fatal(err)
	}
	return r.Beneficiary
}

// An erasure leaves nothing that mentions the person — records, links,
// invites, jobs (waiting, leased, parked), their lanes' items, messages
// about them waiting for or held for the advisor, parked items, button
// tokens, the advisor's conversation about them, dedupe and sent markers
// — and leaves everyone else's alone. The item a worker holds is left to
// it; a job being fired is not brought back when it finishes.
func TestEraseLeavesNoTraceAndSparesOthers(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := sealedStore(t, rdb, ring(t, newKey(t, "a")))
	nadia := joined(t, s, "nadia001", "Nadia", 7700001)
	malik := joined(t, s, "malik002", "Malik", 7700002)
	in, out := s.Inbox(), s.Outbox()
	update := func(id int64, chat int64) []byte {
		return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":1,"chat":{"id":%d,"type":"private"},"from":{"id":%[2]d},"text":"bonjour"}}`, id, chat)
	}
	push := func(l *store.Lanes, id string, lane int64, payload []byte) {
		t.Helper()
		if ok, err := l.Push(ctx, id, lane, payload, t0); err != nil || !ok {
			t.Fatalf("push %s: %v %v", id, ok, err)
		}
	}
	for _, b := range []*domain.Beneficiary{nadia, malik} {
		tg := b.TelegramID
		// A message sent by a version before: its own sent marker.
		if err := rdb.Set(ctx, "suivi:sent:"+b.ID+":nudge:1:2026-11-20T10:00.0", 4, time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		// Their lane: the update in a worker's hands, one behind it.
		push(in, fmt.Sprint(tg*10), tg, update(tg*10, tg))
		push(in, fmt.Sprint(tg*10+1), tg, update(tg*10+1, tg))
		// A reminder waiting to be sent to them; news about them waiting
		// in the advisor's lane, held for the advisor, parked.
		push(out, b.ID+":reminder:1:x", tg, fmt.Appendf(nil, `{"chat":%d,"text":"rappel"}`, tg))
		push(out, "fwd:"+b.ID+":2026-W48", 111, []byte(`{"chat":111,"text":"point de `+b.Name+`"}`))
		if ok, err := s.HoldNews(ctx, 111, "help:"+b.ID+":2026-W48", []byte(`{"chat":111}`)); err != nil || !ok {
			t.Fatalf("hold: %v %v", ok, err)
		}
		if _, err := in.Park(ctx, fmt.Sprint(tg*10+9), tg, "undecodable", update(tg*10+9, tg), t0); err != nil {
			t.Fatal(err)
		}
	}
	// The advisor is writing to Nadia; another advisor follows Malik.
	if err := s.SetAdvisorState(ctx, 111, []byte(`{"flow":"reply","ben":"nadia001"}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAdvisorState(ctx, 222, []byte(`{"flow":"reply","ben":"malik002"}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	// Nadia's chat is being handled; her check-in job is being fired, her
	// reminder's job failed for good (parked).
	lane, ok, err := in.Claim(ctx, t0, t0.Add(time.Minute), "worker")
	if err != nil || !ok || lane != nadia.TelegramID {
		t.Fatalf("claim: %d %v %v", lane, ok, err)
	}
	jobs, err := s.ClaimJobs(ctx, t0.Add(3*time.Hour), t0.Add(4*time.Hour), 10)
	if err != nil || len(jobs) != 4 {
		t.Fatalf("claim jobs: %v %v", jobs, err)
	}
	for _, j := range jobs {
		var err error
		switch j.Member {
		case "r|nadia001|1", "r|malik002|1":
			_, _, err = s.FailJob(ctx, j.Member, t0, t0.Add(time.Hour), 1, "boom")
		case "c|malik002":
			err = s.FinishJob(ctx, "malik002", j.Member, t0.Add(7*24*time.Hour))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	malikBefore := placesOf(t, s, malik)

	if err := s.EraseBeneficiary(ctx, nadia.ID); err != nil {
		t.Fatal(err)
	}
	// The worker still has its update, and acks it; the job finishes.
	head, ok, err := in.Head(ctx, nadia.TelegramID)
	if err != nil || !ok || head.ID != fmt.Sprint(nadia.TelegramID*10) {
		t.Fatalf("the update in hand was taken from its worker: %+v %v %v", head, ok, err)
	}
	if err := in.Ack(ctx, nadia.TelegramID, "worker", head.ID); err != nil {
		t.Fatal(err)
	}
	if err := in.Release(ctx, nadia.TelegramID, "worker", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishJob(ctx, nadia.ID, "c|nadia001", t0.Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	found, err := s.Mentions(ctx, store.ErasureTokens(nadia), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range found {
		t.Errorf("still in Redis: %s (%s)", m.Key, m.Where)
	}
	if _, err := s.Beneficiary(ctx, nadia.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("profile: %v", err)
	}
	if _, err := s.BeneficiaryByTelegram(ctx, nadia.TelegramID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("telegram link: %v", err)
	}
	// Malik: everything as it was (his lane still ready, his news waiting).
	if d := diffRaw(malikBefore, placesOf(t, s, malik)); d != "" {
		t.Errorf("another beneficiary's data changed:\n%s", d)
	}
	if n := len(malikBefore); n < 15 {
		t.Errorf("only %d places mention Malik: the fixture is thin: %v", n, malikBefore)
	}
	// Again: nothing left to erase.
	if err := s.EraseBeneficiary(ctx, nadia.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("erase again: %v", err)
	}
}

// placesOf returns every place in Redis that mentions b (sealed values
// differ at each write: places are compared, not bytes).
func placesOf(t *testing.T, s *store.Store, b *domain.Beneficiary) map[string]string {
	t.Helper()
	found, err := s.Mentions(context.Background(), store.ErasureTokens(b), 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range found {
		where, _, _ := strings.Cut(m.Where, " ") // an element's index moves when others go
		if where != "element" {
			where = m.Where
		}
		out[m.Key+" "+where] += "1"
	}
	return out
}

func diffRaw(before, after map[string]string) string {
	var d string
	for k := range before {
		if _, ok := after[k]; !ok {
			d += "- " + k + "\n"
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			d += "+ " + k + "\n"
		}
	}
	return d
}

// An advisor who joined a plan of their own (trying Suivi on their
// account) shares their chat with that role: erasing the beneficiary
// takes what is about them from it, and leaves the advisor's news about
// others, and the advisor's own parked updates.
func TestEraseSparesTheAdvisorOfTheSameChat(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := sealedStore(t, rdb, ring(t, newKey(t, "a")))
	malik := joined(t, s, "malik002", "Malik", 7700002)
	self := joined(t, s, "claire03", "Claire", 111) // the advisor's own account
	out, in := s.Outbox(), s.Inbox()
	for _, id := range []string{"fwd:" + malik.ID + ":2026-W48", "fwd:" + self.ID + ":2026-W48", self.ID + ":reminder:1:x"} {
		if _, err := out.Push(ctx, id, 111, []byte(`{"chat":111}`), t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := in.Park(ctx, "4242", 111, "undecodable", []byte(`{"update_id":4242}`), t0); err != nil {
		t.Fatal(err)
	}
	if err := s.EraseBeneficiary(ctx, self.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := out.Pending(ctx, 111); n != 1 {
		t.Errorf("%d messages left in the advisor's chat, want the one about Malik", n)
	}
	if head, _, _ := out.Head(ctx, 111); head.ID != "fwd:"+malik.ID+":2026-W48" {
		t.Errorf("left in the advisor's chat: %q", head.ID)
	}
	if parked, _ := in.Parked(ctx, 10); len(parked) != 1 {
		t.Errorf("the advisor's own parked update went: %v", parked)
	}
	if _, err := s.Advisor(ctx, 111); err != nil {
		t.Errorf("the advisor is gone: %v", err)
	}
	found, err := s.Mentions(ctx, []string{self.ID}, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range found {
		t.Errorf("still in Redis: %s (%s)", m.Key, m.Where)
	}
}
