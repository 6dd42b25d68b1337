package store_test

import (
	"context"
	"strings"
	"testing"

	"suivi/internal/redistest"
)

// News held for an advisor's working hours are kept sealed, come back
// whole, once, and a key released is not held again.
func TestHeldNewsAreSealedAndReleasedOnce(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	st := sealedStore(t, rdb, ring(t, newKey(t, "a")))
	const secret = "Awa : j'ai peur de ne pas y arriver"
	isNew, err := st.HoldNews(ctx, 111, "fwd:x:2037-W10", []byte(`{"out":{"text":"`+secret+`"}}`))
	if err != nil || !isNew {
		t.Fatalf("hold: %v %v", isNew, err)
	}
	if again, _ := st.HoldNews(ctx, 111, "fwd:x:2037-W10", []byte("other")); again {
		t.Fatal("the same key was held twice")
	}
	raw, err := rdb.HGetAll(ctx, "suivi:{a:111}:held").Result()
	if err != nil || len(raw) != 1 {
		t.Fatalf("raw held news: %v %v", raw, err)
	}
	for _, v := range raw {
		if strings.Contains(v, "peur") {
			t.Fatalf("held news stored in clear: %q", v)
		}
	}
	got, err := st.HeldNews(ctx, 111)
	if err != nil || !strings.Contains(string(got["fwd:x:2037-W10"]), secret) {
		t.Fatalf("held news read back: %q %v", got, err)
	}
	if err := st.ReleaseHeldNews(ctx, 111, []string{"fwd:x:2037-W10"}); err != nil {
		t.Fatal(err)
	}
	if left, _ := st.HeldNews(ctx, 111); len(left) != 0 {
		t.Fatalf("released news still held: %v", left)
	}
	if again, _ := st.HoldNews(ctx, 111, "fwd:x:2037-W10", []byte("x")); again {
		t.Fatal("a released key was held again")
	}
}
