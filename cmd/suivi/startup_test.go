package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"

	"suivi/internal/clock"
	"suivi/telegramtest"
)

// Advisors created while the bot is down (`suivi advisor add`, a plan
// import naming a new advisor) get their digest job at the next start,
// from the set of advisors pending one; the admins of the configuration,
// created by the start itself, too. After the start nobody is pending.
func TestAdvisorsCreatedWhileDownGetTheirDigestAtTheNextStart(t *testing.T) {
	const admin, added, imported = 444444444, 222222222, 333333333
	ctx := context.Background()
	clk := clock.NewFake(moreStart)
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	t.Cleanup(srv.Close)
	e := baseEnv(t, srv)
	e["SUIVI_ADMIN_IDS"] = strconv.Itoa(admin)
	r := start(t, e, clk)
	digest := func(r *running, id int64) bool {
		jobs, err := r.app.store.Jobs(ctx, fmt.Sprintf("a%d", id))
		if err != nil {
			t.Fatal(err)
		}
		_, ok := jobs[fmt.Sprintf("d|a%d", id)]
		return ok
	}
	eventually(t, "the admin's digest scheduled at the first start", func() bool { return digest(r, admin) })
	r.shutdown(t)

	// While the bot is down.
	var out, errb bytes.Buffer
	if code := realMain(ctx, []string{"advisor", "add", strconv.Itoa(added), "Léa"}, e.get, clk.Now, &out, &errb); code != 0 {
		t.Fatalf("advisor add: exit %d\n%s", code, errb.String())
	}
	importPlan(t, e, clk, planSpec{name: "Awa", advisor: imported, steps: []stepSpec{{title: "CV", due: "2037-03-20"}}}.file(t))
	for _, id := range []int64{added, imported} {
		if digest(r, id) {
			t.Fatalf("advisor %d has a digest before the bot started", id)
		}
	}

	r = start(t, e, clk)
	for _, id := range []int64{added, imported} {
		eventually(t, fmt.Sprintf("advisor %d's digest scheduled at the next start", id), func() bool { return digest(r, id) })
	}
	eventually(t, "nobody pending after the start", func() bool {
		ids, _, err := r.app.store.PendingAdvisors(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(ids) == 0
	})
}
