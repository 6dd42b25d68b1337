package store_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"suivi/domain"
	"suivi/internal/redistest"
	"suivi/store"
)

// ring parses a key ring of entries, failing the test on error.
func ring(t *testing.T, entries ...string) *store.Keyring {
	t.Helper()
	k, err := store.ParseKeyring(strings.Join(entries, ","))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newKey(t *testing.T, id string) string {
	t.Helper()
	e, err := store.NewKeyEntry(id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// rawRedis returns every key of the database and everything it holds, as
// Redis (and so its snapshot and append-only file) has it: SCAN, then GET,
// HGETALL, LRANGE, SMEMBERS or ZRANGE by type.
func rawRedis(t *testing.T, rdb redis.UniversalClient) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	keys, err := redistest.Keys(ctx, rdb, "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		typ, err := rdb.Type(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		var vals []string
		switch typ {
		case "string":
			vals = []string{rdb.Get(ctx, k).Val()}
		case "hash":
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				vals = append(vals, f, v)
			}
		case "list":
			vals = rdb.LRange(ctx, k, 0, -1).Val()
		case "set":
			vals = rdb.SMembers(ctx, k).Val()
		case "zset":
			vals = rdb.ZRange(ctx, k, 0, -1).Val()
		case "none":
			continue
		default:
			t.Fatalf("key %s has type %s", k, typ)
		}
		out[k] = vals
	}
	return out
}

// revealed returns the keys whose name or content shows a secret: as it
// is, or in base64 (at each of the three alignments), as a []byte field of
// a JSON payload would carry it.
func revealed(raw map[string][]string, secrets ...string) []string {
	var out []string
	for k, vals := range raw {
		all := k + "\n" + strings.Join(vals, "\n")
		for _, s := range secrets {
			for _, form := range forms(s) {
				if strings.Contains(all, form) {
					out = append(out, fmt.Sprintf("%s shows %q", k, s))
				}
			}
		}
	}
	return out
}

func forms(s string) []string {
	out := []string{s}
	for skip := range 3 {
		b := base64.StdEncoding.EncodeToString([]byte(s[skip:]))
		// Leave out the characters that depend on the bytes around.
		out = append(out, strings.TrimRight(b, "=")[1:len(b)-4])
	}
	return out
}

func sealedStore(t *testing.T, rdb redis.UniversalClient, k *store.Keyring) *store.Store {
	t.Helper()
	// One shard: the tests below name the queues' keys.
	s := store.New(rdb, store.Options{Keys: k, Shards: 1})
	if err := s.UseKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// Secrets of the sealing tests: each is typed by someone, or a voice note.
const (
	secretAnswer     = "AnswerTypedByNadia41"
	secretNote       = "NoteAboutMyHealth42"
	secretVoice      = "VoiceFileRef43"
	secretNoteVoice  = "NoteVoiceFileRef44"
	secretObjective  = "ObjectiveOfThePlan45"
	secretResource   = "ResourceOfThePlan46"
	secretIndicator  = "IndicatorOfThePlan47"
	secretQuestion   = "QuestionOfThePlan48"
	secretDraft      = "DraftOfTheBeneficiary49"
	secretAdvDraft   = "DraftOfTheAdvisor50"
	secretUpdate     = "UpdateTypedText51"
	secretForward    = "ForwardedWords52"
	secretParked     = "ParkedUpdateText53"
	secretBacklog    = "BacklogUpdateText54"
	secretBad        = "UndecodableText55"
	secretFailedItem = "FailedItemText56"
)

var allSecrets = []string{
	secretAnswer, secretNote, secretVoice, secretNoteVoice, secretObjective, secretResource, secretIndicator,
	secretQuestion, secretDraft, secretAdvDraft, secretUpdate, secretForward, secretParked, secretBacklog, secretBad,
	secretFailedItem,
}

// fixture is one of everything that holds free text.
type fixture struct {
	plan    *domain.Plan
	checkin domain.CheckIn
	dialog  []byte
	advDlg  []byte
}

func update(id int64, text string) []byte {
	return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":1,"chat":{"id":7,"type":"private"},"text":%q}}`, id, text)
}

// writeEverything stores, through s, a plan, a check-in, conversation
// states, and queue items waiting, parked on arrival, parked after a
// failure, and parked undecodable.
func writeEverything(t *testing.T, s *store.Store) fixture {
	t.Helper()
	ctx := context.Background()
	p := samplePlan()
	p.ID = "nadia001"
	p.Checkin.Question = secretQuestion
	p.Steps[0].Objective = secretObjective
	p.Steps[0].Resources = []string{secretResource, "Cours FLE"}
	p.Steps[0].Indicators = []string{secretIndicator}
	if _, err := s.CreatePlan(ctx, p, t0, time.Hour); err != nil {
		t.Fatal(err)
	}
	week := domain.Week("2026-W48")
	c := domain.CheckIn{BeneficiaryID: p.ID, Week: week, Asked: t0, Score: 4, ScoreDone: true}
	if ok, err := s.CreateCheckIn(ctx, &c); err != nil || !ok {
		t.Fatalf("create check-in: %v %v", ok, err)
	}
	got, err := s.UpdateCheckIn(ctx, p.ID, week, func(c *domain.CheckIn) error {
		c.Answer, c.AnswerVoice, c.AnswerDone = secretAnswer, secretVoice, true
		c.Note, c.Voice, c.NoteDone = secretNote, secretNoteVoice, true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dialog := []byte(`{"flow":"answer","draft":"` + secretDraft + `"}`)
	if err := s.SetDialogState(ctx, p.ID, dialog, time.Hour); err != nil {
		t.Fatal(err)
	}
	advDlg := []byte(`{"flow":"newplan","name":"` + secretAdvDraft + `"}`)
	if err := s.SetAdvisorState(ctx, 111, advDlg, time.Hour); err != nil {
		t.Fatal(err)
	}
	in, out := s.Inbox(), s.Outbox()
	if _, err := in.Push(ctx, "100", 7, update(100, secretUpdate), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := out.Push(ctx, "fwd:nadia001:2026-W48", 111, []byte(`{"key":"fwd","chat":111,"text":"`+secretForward+`"}`), t0); err != nil {
		t.Fatal(err)
	}
	// A lane of one, full: the next update is parked on arrival, with a notice.
	if _, err := in.Push(ctx, "200", 8, update(200, "first"), t0); err != nil {
		t.Fatal(err)
	}
	res, err := in.PushCapped(ctx, "201", 8, update(201, secretBacklog), t0, store.Capped{
		Max: 1, NoticeID: "e:backlog:201", Notice: fmt.Appendf(nil, `{"id":"backlog:201","lane":8,"kind":"backlog","data":%s}`, update(201, secretBacklog)),
		NoticeEvery: time.Hour,
	})
	if err != nil || res != store.PushParkedNotice {
		t.Fatalf("push capped: %v %v", res, err)
	}
	if _, err := in.Park(ctx, "bad:1", 0, "undecodable", []byte(`{"update_id":"x","text":"`+secretBad+`"}`), t0); err != nil {
		t.Fatal(err)
	}
	// An item that fails for good is parked with its payload.
	if _, err := in.Push(ctx, "300", 9, update(300, secretFailedItem), t0); err != nil {
		t.Fatal(err)
	}
	for range 3 { // lanes 7, 8 and 9, one claim each
		if _, ok, err := in.Claim(ctx, t0, t0.Add(time.Minute), "w"); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
	}
	if parked, err := in.Fail(ctx, 9, "w", "300", 1, "panic", t0); err != nil || !parked {
		t.Fatalf("fail: %v %v", parked, err)
	}
	if st, _ := in.Stats(ctx); st.Parked != 3 {
		t.Fatalf("parked %d, want 3 (backlog, undecodable, failed)", st.Parked)
	}
	return fixture{plan: p, checkin: *got, dialog: dialog, advDlg: advDlg}
}

// readEverything reads back through s what writeEverything stored, and
// checks it is what was written.
func readEverything(t *testing.T, s *store.Store, f fixture) {
	t.Helper()
	ctx := context.Background()
	p, err := s.Plan(ctx, f.plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(f.plan, p); d != "" {
		t.Errorf("plan read back (-written +read):\n%s", d)
	}
	cs, err := s.CheckIns(ctx, f.plan.ID)
	if err != nil || len(cs) == 0 {
		t.Fatalf("check-ins %v %v", cs, err)
	}
	if d := cmp.Diff(f.checkin, cs[len(cs)-1]); d != "" {
		t.Errorf("check-in read back (-written +read):\n%s", d)
	}
	if c, err := s.CheckIn(ctx, f.plan.ID, f.checkin.Week); err != nil || c.Note != secretNote || c.Voice != secretNoteVoice {
		t.Errorf("check-in %+v %v", c, err)
	}
	if d, err := s.DialogState(ctx, f.plan.ID); err != nil || string(d) != string(f.dialog) {
		t.Errorf("dialog %q %v", d, err)
	}
	if d, err := s.AdvisorState(ctx, 111); err != nil || string(d) != string(f.advDlg) {
		t.Errorf("advisor dialog %q %v", d, err)
	}
	if it, ok, err := s.Inbox().Head(ctx, 7); err != nil || !ok || string(it.Payload) != string(update(100, secretUpdate)) {
		t.Errorf("inbox head %q %v %v", it.Payload, ok, err)
	}
	if it, ok, err := s.Outbox().Head(ctx, 111); err != nil || !ok || !strings.Contains(string(it.Payload), secretForward) {
		t.Errorf("outbox head %q %v %v", it.Payload, ok, err)
	}
	// The backlog notice waits behind the update in hand, opened like it.
	in := s.Inbox()
	if it, _, _ := in.Head(ctx, 8); it.ID != "200" {
		t.Errorf("lane 8 head %s", it.ID)
	}
	parked, err := in.Parked(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]string{}
	for _, rec := range parked {
		var r struct{ ID, Reason, Item string }
		if err := json.Unmarshal([]byte(rec), &r); err != nil {
			t.Fatalf("parked record %s: %v", rec, err)
		}
		items[r.ID] = r.Item
	}
	for id, secret := range map[string]string{"201": secretBacklog, "bad:1": secretBad, "300": secretFailedItem} {
		if !strings.Contains(items[id], secret) {
			t.Errorf("parked %s reads %q, want it opened", id, items[id])
		}
	}
}

// Free texts, voice-note references and queue payloads are sealed in
// Redis, and read back as written.
func TestFreeTextIsSealedAtRest(t *testing.T) {
	rdb := redistest.Client(t)
	s := sealedStore(t, rdb, ring(t, newKey(t, "k1")))
	f := writeEverything(t, s)

	raw := rawRedis(t, rdb)
	if leaks := revealed(raw, allSecrets...); len(leaks) > 0 {
		t.Errorf("plaintext in Redis:\n%s", strings.Join(leaks, "\n"))
	}
	// The scan saw the records, sealed; names and titles stay clear.
	ci := raw["suivi:{b:nadia001}:checkins"]
	if len(ci) != 2 || !strings.Contains(ci[1], `"note":"$sv1$k1$`) || !strings.Contains(ci[1], `"score":4`) {
		t.Errorf("check-in record in Redis: %q", ci)
	}
	if plan := raw["suivi:{b:nadia001}:plan"]; len(plan) != 1 || !strings.Contains(plan[0], "Visite à la Mission Locale") || !strings.Contains(plan[0], `"name":"Moussa"`) {
		t.Errorf("plan in Redis: %q", plan)
	}
	for _, k := range []string{"suivi:{b:nadia001}:dialog", "suivi:{a:111}:dialog"} {
		if v := raw[k]; len(v) != 1 || !strings.HasPrefix(v[0], "$sv1$k1$") {
			t.Errorf("%s in Redis: %q", k, v)
		}
	}
	for _, k := range []string{"suivi:{inbox:0}:items", "suivi:{outbox:0}:items"} {
		v := raw[k]
		for i := 1; i < len(v); i += 2 {
			if !strings.HasPrefix(v[i], "$sv1$k1$") {
				t.Errorf("%s item %s: %q", k, v[i-1], v[i])
			}
		}
	}
	readEverything(t, s, f)
}

// A sealed value belongs where it was written: copied to another record,
// it does not open.
func TestSealedValueCannotBeMoved(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := sealedStore(t, rdb, ring(t, newKey(t, "k1")))
	f := writeEverything(t, s)
	v := rdb.HGet(ctx, "suivi:{b:nadia001}:checkins", string(f.checkin.Week)).Val()
	rdb.HSet(ctx, "suivi:{b:nadia001}:checkins", "2026-W49", v)
	if _, err := s.CheckIn(ctx, f.plan.ID, "2026-W49"); !errors.Is(err, store.ErrUnsealable) {
		t.Fatalf("a check-in moved to another week opened: %v", err)
	}
	item := rdb.HGet(ctx, "suivi:{inbox:0}:items", "100").Val()
	rdb.HSet(ctx, "suivi:{inbox:0}:items", "200", item)
	if it, ok, err := s.Inbox().Head(ctx, 8); err != nil || !ok || it.Payload != nil {
		t.Fatalf("an item moved to another id opened: %q %v %v", it.Payload, ok, err)
	}
}

// Data written under key A is readable after a rotation to B, and A can
// then leave the ring; before the rotation, a ring without A is refused.
func TestRotateFromKeyAToKeyB(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	a, b := newKey(t, "a"), newKey(t, "b")
	f := writeEverything(t, sealedStore(t, rdb, ring(t, a)))
	// Data written before sealing existed: a clear check-in of another week.
	clear := domain.CheckIn{BeneficiaryID: f.plan.ID, Week: "2026-W47", Asked: t0, Note: secretNote + "Old", Completed: t0}
	cb, _ := json.Marshal(clear)
	rdb.HSet(ctx, "suivi:{b:nadia001}:checkins", "2026-W47", cb)

	onlyB := store.New(rdb, store.Options{Keys: ring(t, b)})
	err := onlyB.UseKeys(ctx)
	if !errors.Is(err, store.ErrKeyMissing) || !strings.Contains(err.Error(), `key "a"`) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("a ring without a accepted before the rotation: %v", err)
	}

	bThenA := store.New(rdb, store.Options{Keys: ring(t, b, a)})
	var pages []store.RotateProgress
	got, err := bThenA.Rotate(ctx, func(p store.RotateProgress) { pages = append(pages, p) })
	if err != nil {
		t.Fatal(err)
	}
	// Sealed under a: plan, check-in, 2 dialogs, 3 inbox items (100, 200,
	// the backlog notice), 1 outbox item, 3 parked records; and the clear
	// check-in.
	if got.Resealed != 12 || got.Failed != 0 || got.Changed != 0 || len(pages) == 0 || pages[len(pages)-1] != got {
		t.Fatalf("rotation %+v, pages %+v", got, pages)
	}
	again, err := bThenA.Rotate(ctx, nil)
	if err != nil || again.Resealed != 0 || again.Current != 12 {
		t.Fatalf("second rotation %+v %v: nothing left to reseal", again, err)
	}

	// a leaves the ring: everything opens with b alone, and nothing in
	// Redis is under a any more, or clear.
	sb := sealedStore(t, rdb, ring(t, b))
	readEverything(t, sb, f)
	if c, err := sb.CheckIn(ctx, f.plan.ID, "2026-W47"); err != nil || c.Note != secretNote+"Old" {
		t.Fatalf("clear check-in after rotation: %+v %v", c, err)
	}
	raw := rawRedis(t, rdb)
	if leaks := revealed(raw, append(allSecrets, secretNote+"Old")...); len(leaks) > 0 {
		t.Errorf("plaintext in Redis after the rotation:\n%s", strings.Join(leaks, "\n"))
	}
	for k, vals := range raw {
		for _, v := range vals {
			if strings.Contains(v, "$sv1$a$") {
				t.Errorf("%s still holds a value sealed under a", k)
			}
		}
	}
}

// A key of the same id but other material (a typo) is refused at start.
func TestUseKeysRefusesAnotherKeyOfTheSameID(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	writeEverything(t, sealedStore(t, rdb, ring(t, newKey(t, "k1"))))
	err := store.New(rdb, store.Options{Keys: ring(t, newKey(t, "k1"))}).UseKeys(ctx)
	if !errors.Is(err, store.ErrKeyMissing) || !strings.Contains(err.Error(), `its key "k1" is not the key Redis holds values under`) {
		t.Fatalf("another k1 accepted: %v", err)
	}
}

func TestParseKeyring(t *testing.T) {
	good := newKey(t, "k2")
	_, material, _ := strings.Cut(good, ":")
	raw, _ := base64.StdEncoding.DecodeString(material)
	k, err := store.ParseKeyring(" " + good + " , k1:" + base64.RawURLEncoding.EncodeToString(raw) + ",")
	if err != nil || k.Primary() != "k2" || fmt.Sprint(k.IDs()) != "[k2 k1]" {
		t.Fatalf("ring %v %v", k, err)
	}
	short := base64.StdEncoding.EncodeToString(raw[:16])
	for in, want := range map[string]string{
		"":                             "no key",
		material:                       "entry 1 is not id:base64key",
		good + ",k1:" + short:          `key "k1" is not 32 bytes in base64`,
		good + ",k1:not base64!":       `key "k1" is not 32 bytes in base64`,
		good + "," + good:              `key id "k2" appears twice`,
		"k:1:" + material:              `key "k" is not 32 bytes`,
		"with space:" + material:       "entry 1 is not id:base64key",
		strings.Repeat("x", 33) + ":a": "entry 1 is not id:base64key",
	} {
		_, err := store.ParseKeyring(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKeyring(%q) = %v, want %q", in, err, want)
			continue
		}
		if strings.Contains(err.Error(), material) || strings.Contains(err.Error(), short) {
			t.Errorf("the error shows key material: %v", err)
		}
	}
}

// A process that only reads checks the ring without recording its sealing
// key; one that writes records it, and a ring without it is refused after.
func TestCheckKeysRecordsNothing(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	k1, k3 := newKey(t, "k1"), newKey(t, "k3")
	writeEverything(t, sealedStore(t, rdb, ring(t, k1)))
	if err := store.New(rdb, store.Options{Keys: ring(t, k3, k1)}).CheckKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if err := store.New(rdb, store.Options{Keys: ring(t, k1)}).UseKeys(ctx); err != nil {
		t.Fatalf("a read-only check recorded its key: %v", err)
	}
	if err := store.New(rdb, store.Options{Keys: ring(t, k3, k1)}).UseKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if err := store.New(rdb, store.Options{Keys: ring(t, k1)}).CheckKeys(ctx); !errors.Is(err, store.ErrKeyMissing) || !strings.Contains(err.Error(), `"k3"`) {
		t.Fatalf("k3 may seal values now, a ring without it must be refused: %v", err)
	}
}
