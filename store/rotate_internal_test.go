package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"suivi/domain"
	"suivi/internal/redistest"
)

// A rotation beside a running Suivi replaces a value only if it is still
// the one it read: a check-in answered meanwhile keeps its answer, and an
// item handled meanwhile does not come back.
func TestRotateNeverUndoesAWrite(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	a, _ := NewKeyEntry("a")
	b, _ := NewKeyEntry("b")
	ringA, _ := ParseKeyring(a)
	ringBA, _ := ParseKeyring(b + "," + a)
	s := New(rdb, Options{Keys: ringA})
	week := domain.Week("2026-W48")
	if _, err := s.CreateCheckIn(ctx, &domain.CheckIn{BeneficiaryID: "ben1", Week: week, Note: "before"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Inbox().Push(ctx, "1", 7, []byte(`{"update_id":1}`), time.Now()); err != nil {
		t.Fatal(err)
	}
	rot := New(rdb, Options{Keys: ringBA})
	var p RotateProgress
	// Suivi writes (under its old key) while the rotation holds what it
	// read: the rotation reads again and reseals the new value.
	writes := 0
	err := rot.rotateHash(ctx, s.k.checkins("ben1"), &p, func(field string) resealer {
		return func(v []byte) ([]byte, bool, error) {
			out, ok, err := recordResealer[domain.CheckIn](rot, aadCheckin("ben1", domain.Week(field)))(v)
			if writes++; writes == 1 {
				if _, uerr := s.UpdateCheckIn(ctx, "ben1", week, func(c *domain.CheckIn) error { c.Note = "meanwhile"; return nil }); uerr != nil {
					t.Fatal(uerr)
				}
			}
			return out, ok, err
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := rot.CheckIn(ctx, "ben1", week); err != nil || c.Note != "meanwhile" || p.Resealed != 1 || writes != 2 {
		t.Fatalf("check-in %+v %v after the rotation, progress %+v, %d reads: Suivi's write undone", c, err, p, writes)
	}
	if v := rdb.HGet(ctx, s.k.checkins("ben1"), string(week)).Val(); !containsSealedUnder(v, "b") {
		t.Fatalf("check-in not resealed under b: %s", v)
	}
	err = rot.rotateHash(ctx, s.Inbox().lkey(7, "items"), &p, func(field string) resealer {
		return func(v []byte) ([]byte, bool, error) {
			out, ok, err := rot.wholeResealer(aadItem(inboxQueue, field))(v)
			rdb.HDel(ctx, s.Inbox().lkey(7, "items"), field) // handled: acked
			return out, ok, err
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := rdb.HLen(ctx, s.Inbox().lkey(7, "items")).Val(); n != 0 || p.Resealed != 1 || p.Changed != 0 {
		t.Fatalf("%d items after the rotation (progress %+v): a handled item came back", n, p)
	}
}

func containsSealedUnder(v, id string) bool {
	return strings.Contains(v, sealPrefix+id+"$") && !strings.Contains(v, sealPrefix+"a$")
}
