package main

import (
	"fmt"
	"testing"
)

// Review 13, finding 10: an admin taken off SUIVI_ADMIN_IDS can no longer
// run the structure's export (the record the first start wrote still says
// admin: only the configuration counts).
func TestStructureExportRemovedAdmin(t *testing.T) {
	w := newWorldAt(t, moreStart, env{"SUIVI_ADMIN_IDS": fmt.Sprint(advisorID)})
	addAdvisor(t, w.e, advisorID, "Claire")
	if got := w.say(t, w.adv, "/export structure"); len(got) != 1 || got[0].Kind != "document" {
		t.Fatalf("the configured admin did not get the export:\n%s", dump(got))
	}
	w.r.shutdown(t)
	w.e["SUIVI_ADMIN_IDS"] = ""
	w.r = start(t, w.e, w.clk)
	if got := w.sayExpect(t, w.adv, "/export structure", "réservé aux administrateurs"); got.Kind == "document" {
		t.Fatal("a removed admin got the structure's export")
	}
}
