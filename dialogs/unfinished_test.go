package dialogs

import (
	"strings"
	"testing"
	"time"

	"suivi/catalog"
	"suivi/domain"
)

// An unfinished check-in whose answer to the plan's question is a voice
// note, shared: the grace passes it on in part with the voice note; the
// completed check-in, later, says it completes that part and does not send
// the voice note again. Handled twice, the grace sends once.
func TestUnfinishedCheckinVoiceNoteGoesOnce(t *testing.T) {
	h := newHarness(t)
	p := h.join(81, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
	if _, err := h.st.UpdatePlan(h.ctx, p.ben, h.clk.Now(), func(pl *domain.Plan) error {
		pl.Checkin.Question = "Qu'avez-vous appris ?"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p.says("/progres")
	p.presses(label(catalog.Score4))
	p.sendsVoice("voice-file-1")
	p.presses(label(catalog.BtnShare))
	if !h.saysSomething(p.id, "CV") {
		t.Fatalf("the step question did not come:\n%s", h.chat(p.id))
	}
	week := domain.WeekOf(h.clk.Now().In(h.r.DefaultZone))

	h.fire(h.clk.Now().Add(6 * time.Hour))
	h.deliver()
	// The same grace handled again (a retry of the lane) sends nothing more.
	if err := h.r.partGrace(h.ctx, h.dueGrace(p, week)); err != nil {
		t.Fatal(err)
	}
	got := h.queuedFor(adviserID)
	if len(got) != 2 || got[0].Key != "fwdpart:"+p.ben+":"+string(week) || got[1].Kind != "voice" || got[1].FileID != "voice-file-1" {
		t.Fatalf("after the grace the advisor's outbox holds:\n%+v", got)
	}
	if !strings.Contains(got[0].Text, "Point commencé par") || !strings.Contains(got[0].Text, "4/5") || !strings.Contains(got[0].Text, "message vocal") {
		t.Errorf("unfinished check-in:\n%s", got[0].Text)
	}

	p.says("/progres")
	if !h.saysSomething(p.id, "On reprend où vous en étiez") {
		t.Fatalf("no resuming intro:\n%s", h.chat(p.id))
	}
	p.presses(label(catalog.BtnInProgress))
	p.presses(label(catalog.BtnNothing))
	p.presses(label(catalog.BtnHelpNo))
	got = h.queuedFor(adviserID)
	if len(got) != 3 || got[2].Key != "fwd:"+p.ben+":"+string(week) {
		t.Fatalf("after completing, the advisor's outbox holds:\n%+v", got)
	}
	if !strings.Contains(got[2].Text, "La suite du point déjà transmis en partie") {
		t.Errorf("the completed check-in does not say it completes the part sent:\n%s", got[2].Text)
	}
	if jobs, _ := h.sched.Planned(h.ctx, p.ben); !jobs["g|"+p.ben].IsZero() {
		t.Errorf("a grace job is left after completion: %v", jobs)
	}
}

// An unfinished check-in of which everything was kept private says only
// that: it was begun, and what was answered is kept.
func TestUnfinishedCheckinAllKeptPrivate(t *testing.T) {
	h := newHarness(t)
	p := h.join(82, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary), step("Visite", "2031-03-25", domain.OwnerBeneficiary))
	p.says("/progres")
	p.presses(label(catalog.BtnKeep))
	h.fire(h.clk.Now().Add(6 * time.Hour))
	h.deliver()
	got := h.queuedFor(adviserID)
	if len(got) != 1 || !strings.Contains(got[0].Text, "Point commencé par") || !strings.Contains(got[0].Text, "gardé pour soi") ||
		strings.Contains(got[0].Text, "/5") || strings.Contains(got[0].Text, "Besoin d'aide") {
		t.Fatalf("unfinished check-in, all kept private:\n%+v", got)
	}
}
