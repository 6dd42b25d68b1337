package dialogs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/catalog"
	"suivi/domain"
)

// Review 13's findings on writing to one's advisor first (1, 3, 4, 5, 8).

func writeSendLabel(name string) string {
	if name == "" {
		name = catalog.New().Plain(domain.French, catalog.YourAdvisor)
	}
	return label(catalog.BtnWriteSend, "advisor", name)
}

// 1: a message the person never confirmed does not ride along with a
// later one: each offer sends the message it was made for, and only it.
func TestWriteOfferSendsOnlyItsOwnMessage(t *testing.T) {
	h := newHarness(t)
	p := h.join(81, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
	p.says("Je ne veux pas que ma conseillère sache que je suis malade")
	h.clk.Set(h.clk.Now().Add(20 * time.Hour))
	p.says("Mon CV est prêt")
	p.presses(writeSendLabel("")) // the newest offer: "Mon CV est prêt"
	if h.saysSomething(adviserID, "malade") {
		t.Errorf("the first, never confirmed message reached the advisor:\n%s", h.chat(adviserID))
	}
	if !h.saysSomething(adviserID, "Mon CV est prêt") {
		t.Fatalf("the confirmed message did not reach the advisor:\n%s", h.chat(adviserID))
	}
	// The earlier offer still works, for its own message only, once.
	first, b := h.button(p.id, writeSendLabel(""))
	if first == nil {
		t.Fatalf("the first offer lost its buttons:\n%s", h.chat(p.id))
	}
	p.pressesData(first.ID, b.Data)
	p.pressesData(first.ID, b.Data) // a double tap
	var got []string
	for _, m := range h.queuedFor(adviserID) {
		got = append(got, m.Text)
	}
	if n := countContaining(got, "malade"); n != 1 {
		t.Errorf("the first message, confirmed on its own offer: want it once, got %d:\n%s", n, strings.Join(got, "\n---\n"))
	}
	if n := countContaining(got, "Mon CV est prêt"); n != 1 {
		t.Errorf("the second message: want it once, got %d", n)
	}
}

// 4: two voice notes are two messages; neither replaces the other.
func TestWriteTwoVoiceNotesBothKept(t *testing.T) {
	h := newHarness(t)
	p := h.join(82, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
	p.sendsVoice("voice-one")
	p.sendsVoice("voice-two")
	p.presses(writeSendLabel(""))
	if files := voicesFor(h, adviserID); len(files) != 1 || files[0] != "voice-two" {
		t.Fatalf("after the second offer's tap: want voice-two only, got %v", files)
	}
	m, b := h.button(p.id, writeSendLabel(""))
	if m == nil {
		t.Fatalf("the first voice note's offer is gone:\n%s", h.chat(p.id))
	}
	p.pressesData(m.ID, b.Data)
	if files := voicesFor(h, adviserID); len(files) != 2 || files[1] != "voice-one" {
		t.Errorf("want both voice notes, each once, got %v", files)
	}
}

// 5: nothing is cut: a long text goes whole (the sender splits it), and a
// later message is its own.
func TestWriteLongTextGoesWhole(t *testing.T) {
	h := newHarness(t)
	p := h.join(83, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
	long := strings.Repeat("a", 3100) + "FIN"
	p.says(long)
	p.says("RENDEZ-VOUS MARDI")
	p.presses(writeSendLabel(""))
	if !h.saysSomething(adviserID, "RENDEZ-VOUS MARDI") {
		t.Errorf("the second message was dropped:\n%s", h.chat(adviserID))
	}
	m, b := h.button(p.id, writeSendLabel(""))
	if m == nil {
		t.Fatalf("the long message's offer is gone")
	}
	p.pressesData(m.ID, b.Data)
	whole := false
	for _, q := range h.queuedFor(adviserID) {
		whole = whole || strings.Contains(q.Text, long)
	}
	if !whole {
		t.Errorf("the long message was cut")
	}
}

// 3: an offer left unanswered holds back no check-in; the offer still
// works after it.
func TestWriteIgnoredOfferHoldsNoCheckin(t *testing.T) {
	h := newHarness(t)
	p := h.join(84, "Awa", step("CV", "2031-06-20", domain.OwnerBeneficiary))
	if err := h.sched.Sync(h.ctx, p.ben); err != nil {
		t.Fatal(err)
	}
	h.clk.Set(time.Date(2031, 3, 10, 7, 0, 0, 0, time.UTC)) // two hours before the check-in
	p.says("merci")
	h.fire(time.Date(2031, 3, 10, 9, 0, 0, 0, time.UTC))
	h.deliver()
	if !h.saysSomething(p.id, "Quels progrès") {
		t.Fatalf("the check-in was held back by an unanswered offer:\n%s", h.chat(p.id))
	}
	m, b := h.button(p.id, writeSendLabel(""))
	if m == nil {
		t.Fatalf("the offer lost its buttons")
	}
	p.pressesData(m.ID, b.Data)
	if !h.saysSomething(adviserID, "merci") {
		t.Errorf("the offer no longer sends its message after the check-in")
	}
}

// 3: typing after /ecrire holds a check-in back, but not for ever.
func TestWriteCommandHoldsCheckinBounded(t *testing.T) {
	h := newHarness(t)
	p := h.join(87, "Awa", step("CV", "2031-06-20", domain.OwnerBeneficiary))
	if err := h.sched.Sync(h.ctx, p.ben); err != nil {
		t.Fatal(err)
	}
	h.clk.Set(time.Date(2031, 3, 10, 8, 30, 0, 0, time.UTC))
	p.says("/ecrire")
	h.fire(time.Date(2031, 3, 10, 9, 0, 0, 0, time.UTC))
	h.deliver()
	if st := h.state(p); st == nil || st.Flow != flowAnswer || st.Pending == nil {
		t.Fatalf("a check-in due a moment after /ecrire should wait for the message: %+v", st)
	}
	// Never written: the next week's check-in is not held back too.
	h.fire(time.Date(2031, 3, 17, 9, 0, 0, 0, time.UTC))
	h.deliver()
	if !h.saysSomething(p.id, "Quels progrès") {
		t.Errorf("an /ecrire never followed held back two check-ins:\n%s", h.chat(p.id))
	}
}

// 8: the reader named on the offer is the one who receives it; if that
// changed before the tap, the person is asked again, naming the new one.
func TestWriteOfferReaderChangedAsksAgain(t *testing.T) {
	h := newHarness(t)
	const standIn = 601
	for _, a := range []*domain.Advisor{{ID: adviserID, Name: "Claire"}, {ID: standIn, Name: "Marc"}} {
		if err := h.st.PutAdvisor(h.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	p := h.join(88, "Awa", step("CV", "2031-06-20", domain.OwnerBeneficiary))
	p.says("Une question sur ma formation")
	m, b := h.button(p.id, writeSendLabel("Claire"))
	if m == nil {
		t.Fatalf("no offer naming Claire:\n%s", h.chat(p.id))
	}
	now := h.clk.Now()
	if _, err := h.st.UpdateAdvisor(h.ctx, adviserID, func(a *domain.Advisor) error {
		a.Absence = &domain.Absence{StandIn: standIn, From: now.Add(-time.Minute), To: now.Add(72 * time.Hour)}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p.pressesData(m.ID, b.Data)
	if h.saysSomething(standIn, "formation") || h.saysSomething(adviserID, "formation") {
		t.Fatalf("sent without asking again, while the offer named Claire")
	}
	m2, b2 := h.button(p.id, writeSendLabel("Marc"))
	if m2 == nil {
		t.Fatalf("not offered again naming Marc:\n%s", h.chat(p.id))
	}
	p.pressesData(m2.ID, b2.Data)
	if !h.saysSomething(standIn, "formation") {
		t.Errorf("Marc did not get it after the new offer:\n%s", h.chat(standIn))
	}
	if h.saysSomething(adviserID, "formation") {
		t.Errorf("Claire got it while away")
	}
}

func countContaining(texts []string, s string) int {
	n := 0
	for _, t := range texts {
		if strings.Contains(t, s) {
			n++
		}
	}
	return n
}

func voicesFor(h *harness, chat int64) []string {
	var files []string
	for _, m := range h.queuedFor(chat) {
		if m.FileID != "" {
			files = append(files, m.FileID)
		}
	}
	return files
}

// pressesData presses a button of a message by its data, as a forged or
// repeated press would.
func (p *person) pressesData(msgID int, data string) {
	p.h.t.Helper()
	u := p.h.update()
	u.CallbackQuery = &models.CallbackQuery{ID: fmt.Sprint(u.ID), From: models.User{ID: p.id}, Data: data,
		Message: models.MaybeInaccessibleMessage{Message: &models.Message{ID: msgID, Chat: models.Chat{ID: p.id, Type: models.ChatTypePrivate}}}}
	if err := p.h.r.HandleUpdate(p.h.ctx, u); err != nil {
		p.h.t.Fatalf("press %q: %v", data, err)
	}
}
