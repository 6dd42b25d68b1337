package dialogs

import (
	"strings"
	"testing"
	"time"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/reminders"
)

// These tests run the dialogs alone (harness in fixtures_test.go): the
// conversations and their rules, without Telegram, queues or workers.

func label(k catalog.Key, kv ...any) string { return catalog.New().Plain(domain.French, k, kv...) }

func step(title, due string, owner domain.Owner) domain.Step {
	d, err := domain.ParseDate(due)
	if err != nil {
		panic(err)
	}
	return domain.Step{Title: title, Owner: owner, Due: domain.DateTime{Date: d}}
}

// Onboarding is one table: each stage's buttons store the choice and lead
// to the next stage, the last one to the summary.
func TestOnboardingTableStoresEachChoice(t *testing.T) {
	h := newHarness(t)
	p := h.join(71, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
	if err := h.st.SetDialogState(h.ctx, p.ben, nil, 0); err != nil {
		t.Fatal(err)
	}
	p.says("/reglages")
	p.presses(label(catalog.BtnLangFr))
	p.presses(label(catalog.Key("zone.4"))) // La Réunion
	p.presses(label(catalog.Key("day.3")))  // mercredi
	p.presses(label(catalog.HourLabel, "h", 18))
	p.presses(label(catalog.BtnQuietOff))
	b, err := h.st.Beneficiary(h.ctx, p.ben)
	if err != nil {
		t.Fatal(err)
	}
	if b.Language != domain.French || b.Timezone != "Indian/Reunion" || b.CheckinSpec != "0 18 * * 3" || b.Quiet != "off" {
		t.Fatalf("choices stored: %+v", b)
	}
	if st := h.state(p); st == nil || st.Stage != stageDone {
		t.Fatalf("state after the last question: %+v", st)
	}
	if !h.saysSomething(p.id, "Indian/Reunion") && !h.saysSomething(p.id, "Réunion") {
		t.Errorf("the summary does not say the zone chosen:\n%s", h.chat(p.id))
	}
}

// A press of an onboarding button with a value no button offers (edited
// callback data) changes nothing.
func TestOnboardingRefusesAForgedValue(t *testing.T) {
	h := newHarness(t)
	p := h.join(72, "Awa")
	p.says("/reglages")
	m, b := h.button(p.id, label(catalog.BtnLangFr))
	if m == nil {
		t.Fatal("no language question")
	}
	before, _ := h.st.Beneficiary(h.ctx, p.ben)
	forged := strings.TrimSuffix(b.Data, "fr") + "xx"
	h.rec.msgs = append(h.rec.msgs, &sent{ID: 999, Chat: p.id, Keyboard: bot.Keyboard{{{Text: "forged", Data: forged}}}})
	p.presses("forged")
	after, _ := h.st.Beneficiary(h.ctx, p.ben)
	if before.Language != after.Language || h.state(p).Stage != stageLang {
		t.Fatalf("a forged value changed the onboarding: %+v -> %+v", before, after)
	}
}

// The check-in asks its questions in the table's order, a step at a time,
// and its record says what was answered.
func TestCheckinQuestionsComeInOrder(t *testing.T) {
	h := newHarness(t)
	p := h.join(73, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary), step("Visite", "2031-03-25", domain.OwnerBeneficiary),
		step("Appeler le Greta", "2031-03-22", domain.OwnerAdvisor))
	p.says("/progres")
	var asked []string
	for range 10 {
		st := h.state(p)
		if st == nil || st.Flow != flowCheckin {
			break
		}
		c, err := h.st.CheckIn(h.ctx, p.ben, st.Week)
		if err != nil {
			t.Fatal(err)
		}
		q, id := next(c, h.plan(p))
		if q == "" {
			break
		}
		if id != 0 {
			q += ":" + h.plan(p).Step(id).Title
		}
		asked = append(asked, q)
		switch q[:1] {
		case qScore:
			p.presses(label(catalog.Score4))
		case qStep:
			p.presses(label(catalog.BtnInProgress))
		case qNote:
			p.presses(label(catalog.BtnNothing))
		case qHelp:
			p.presses(label(catalog.BtnHelpNo))
		default:
			t.Fatalf("unexpected question %s", q)
		}
	}
	if got := strings.Join(asked, " "); got != "s t:CV t:Visite n h" {
		t.Fatalf("questions %q, want the score, the beneficiary's steps soonest first, the note, help", got)
	}
	for _, id := range []int{1, 2} {
		if s := h.plan(p).Step(id); s.Status != domain.StatusInProgress {
			t.Errorf("step %d is %s after 'En cours'", id, s.Status)
		}
	}
}

// A reminder that fired for a step the beneficiary has done since (the
// event waited in the lane) says nothing.
func TestDueEventForAStepDoneSinceSaysNothing(t *testing.T) {
	h := newHarness(t)
	p := h.join(74, "Awa", step("CV", "2031-03-10", domain.OwnerBeneficiary))
	if err := h.sched.Sync(h.ctx, p.ben); err != nil {
		t.Fatal(err)
	}
	h.fire(time.Date(2031, 3, 7, 9, 0, 0, 0, time.UTC)) // 3 days before, 10:00 in Paris
	if _, err := h.st.UpdatePlan(h.ctx, p.ben, h.clk.Now(), func(pl *domain.Plan) error {
		pl.Step(1).SetStatus(domain.StatusDone, h.clk.Now(), domain.ByBeneficiary)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := h.deliver(); n != 1 {
		t.Fatalf("%d events delivered, want the reminder's", n)
	}
	if h.saysSomething(p.id, "CV") {
		t.Fatalf("a reminder for a step done since was sent:\n%s", h.chat(p.id))
	}
}

// A check-in that comes due while the person writes to their advisor
// waits in their state; it starts once the message is relayed.
func TestCheckinDueWhileAnsweringWaitsForTheMessage(t *testing.T) {
	h := newHarness(t)
	p := h.join(75, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
	// "Répondre" pressed half an hour before the check-in comes due.
	h.clk.Set(time.Date(2031, 3, 10, 8, 30, 0, 0, time.UTC))
	if err := h.r.saveState(h.ctx, p.ben, &state{Flow: flowAnswer, Since: h.clk.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := h.sched.Sync(h.ctx, p.ben); err != nil {
		t.Fatal(err)
	}
	h.fire(time.Date(2031, 3, 10, 9, 0, 0, 0, time.UTC)) // Monday 10:00 in Paris
	h.deliver()
	st := h.state(p)
	if st == nil || st.Flow != flowAnswer || st.Pending == nil || st.Pending.Kind != reminders.EventDue {
		t.Fatalf("state while answering: %+v", st)
	}
	if h.saysSomething(p.id, "Quels progrès") {
		t.Fatal("the check-in cut into the message")
	}
	p.says("Je vous envoie mon CV ce soir.")
	if !h.saysSomething(adviserID, "Je vous envoie mon CV ce soir.") {
		t.Fatalf("the message did not reach the advisor:\n%s", h.chat(adviserID))
	}
	if !h.saysSomething(p.id, "Quels progrès") {
		t.Fatalf("the check-in did not follow the message:\n%s", h.chat(p.id))
	}
	if st := h.state(p); st == nil || st.Flow != flowCheckin {
		t.Fatalf("state after the message: %+v", st)
	}
}

// An advisor's revision that a race made impossible (the step is gone)
// changes nothing; one that would break the plan is refused in the lane
// and the advisor told.
func TestRevisionEventsFollowThePlanRules(t *testing.T) {
	h := newHarness(t)
	p := h.join(76, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
	b, _ := h.st.Beneficiary(h.ctx, p.ben)
	adv := &domain.Advisor{ID: adviserID, Name: "Claire"}
	before := h.plan(p)
	for i, op := range []domain.RevOp{
		{Kind: domain.RevTitle, Step: 9, Text: "Autre"},
		{Kind: domain.RevTitle, Step: 1, Text: "CV\x11"},
	} {
		act := reviseAct{advisorAct: advisorAct{Advisor: adviserID, Ben: p.ben}, Op: &op, At: h.clk.Now()}
		if err := h.r.push(h.ctx, b, "rv:test:"+string(rune('a'+i)), evRevise, act); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.st.EnsureAdvisor(h.ctx, adv); err != nil {
		t.Fatal(err)
	}
	h.deliver()
	after := h.plan(p)
	if after.Step(1).Title != before.Step(1).Title || len(after.Applied) != 0 {
		t.Fatalf("a refused revision changed the plan: %+v", after.Steps)
	}
	if !h.saysSomething(adviserID, "le plan ne serait plus valable") {
		t.Errorf("the advisor was not told why:\n%s", h.chat(adviserID))
	}
}

// /mesdonnees speaks the beneficiary's language: an English speaker sees
// the summary, the confirmation and the end in English, and their advisor
// is told (in French, without content) under a key that does not name them.
func TestMyDataInEnglish(t *testing.T) {
	h := newHarness(t)
	p := h.join(74, "Amina", step("CV", "2031-03-20", domain.OwnerBeneficiary))
	if _, err := h.st.UpdateBeneficiary(h.ctx, p.ben, func(b *domain.Beneficiary) error { b.Language = domain.English; return nil }); err != nil {
		t.Fatal(err)
	}
	en := func(k catalog.Key) string { return catalog.New().Plain(domain.English, k) }
	p.says("/mesdonnees")
	if !h.saysSomething(p.id, "What Suivi keeps about you") || !h.saysSomething(p.id, "1 step, 0 done") {
		t.Fatalf("summary:\n%s", h.chat(p.id))
	}
	p.presses(en(catalog.BtnMdErase))
	if !h.saysSomething(p.id, "Erase everything?") {
		t.Fatalf("confirmation:\n%s", h.chat(p.id))
	}
	p.presses(en(catalog.BtnMdYes))
	if !h.saysSomething(p.id, "Suivi keeps nothing about you any more") {
		t.Fatalf("end:\n%s", h.chat(p.id))
	}
	if _, err := h.st.Beneficiary(h.ctx, p.ben); err == nil {
		t.Fatal("not erased")
	}
	var notice []bot.Outgoing
	for _, m := range h.rec.outbox {
		if m.ChatID == adviserID && strings.Contains(m.Text, "a effacé ses données") {
			notice = append(notice, m)
		}
	}
	if len(notice) != 1 || strings.Contains(notice[0].Key, p.ben) || !strings.Contains(notice[0].Text, "Amina") {
		t.Fatalf("advisor's notice: %+v", notice)
	}
}

// An erasure cut short right after it began (the profile marked, nothing
// erased yet: a crash) is finished by its job EraseRetry later, the
// advisor told once; or by the next thing the person does, who is a
// stranger by then.
func TestErasureCutShortIsFinished(t *testing.T) {
	begin := func(h *harness, p *person) {
		t.Helper()
		now := h.clk.Now()
		if _, err := h.st.UpdateBeneficiary(h.ctx, p.ben, func(b *domain.Beneficiary) error {
			b.Erasing, b.ErasureAsked = now, true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := h.sched.Sync(h.ctx, p.ben); err != nil {
			t.Fatal(err)
		}
	}
	notices := func(h *harness) int {
		n := 0
		for _, m := range h.rec.outbox {
			if m.ChatID == adviserID && strings.Contains(m.Text, "a effacé ses données") {
				n++
			}
		}
		return n
	}
	t.Run("by its job", func(t *testing.T) {
		h := newHarness(t)
		p := h.join(75, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
		begin(h, p)
		h.fire(h.clk.Now().Add(reminders.EraseRetry - time.Minute))
		h.deliver()
		if _, err := h.st.Beneficiary(h.ctx, p.ben); err != nil {
			t.Fatalf("finished too early: %v", err)
		}
		h.fire(h.clk.Now().Add(2 * time.Minute))
		if h.deliver() == 0 {
			t.Fatal("no event to finish the erasure")
		}
		if _, err := h.st.Beneficiary(h.ctx, p.ben); err == nil {
			t.Fatal("not erased by its job")
		}
		if n := notices(h); n != 1 {
			t.Fatalf("%d notices to the advisor, want 1", n)
		}
	})
	t.Run("by the person's next message", func(t *testing.T) {
		h := newHarness(t)
		p := h.join(76, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
		begin(h, p)
		p.says("/plan")
		if _, err := h.st.Beneficiary(h.ctx, p.ben); err == nil {
			t.Fatal("not erased by the next message")
		}
		if !h.saysSomething(p.id, "Je ne vous connais pas encore") {
			t.Fatalf("not answered as a stranger:\n%s", h.chat(p.id))
		}
		if n := notices(h); n != 1 {
			t.Fatalf("%d notices to the advisor, want 1", n)
		}
		if jobs, _ := h.st.Jobs(h.ctx, p.ben); len(jobs) != 0 {
			t.Fatalf("jobs left: %v", jobs)
		}
	})
}

// A digest due outside the advisor's working hours waits as a mark and is
// made when the news are released: someone erased meanwhile is not in it.
func TestHeldDigestIsMadeAtRelease(t *testing.T) {
	h := newHarness(t)
	work, _, err := domain.ParseWorkHours("mon-fri 09:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	h.r.Work, h.r.WorkLimited = work, true
	awa := h.join(77, "Awa", step("CV", "2031-03-20", domain.OwnerBeneficiary))
	h.join(78, "Bintou", step("Greta", "2031-03-21", domain.OwnerBeneficiary))
	if _, err := h.st.EnsureAdvisor(h.ctx, &domain.Advisor{ID: adviserID, Name: "Claire"}); err != nil {
		t.Fatal(err)
	}
	// Monday 8:30 in Paris (7:30 UTC): the default digest, before hours.
	h.clk.Set(time.Date(2031, 3, 10, 7, 30, 0, 0, time.UTC))
	adv, _ := h.st.Advisor(h.ctx, adviserID)
	due := reminders.Due{Kind: reminders.KindDigest, Advisor: adv, Key: "a500:digest:x"}
	if err := h.r.notify(h.ctx, due); err != nil {
		t.Fatal(err)
	}
	held, err := h.st.HeldNews(h.ctx, adviserID)
	if err != nil || len(held) != 1 {
		t.Fatalf("held: %v %v", held, err)
	}
	for _, b := range held {
		if strings.Contains(string(b), "Awa") || strings.Contains(string(b), "Bintou") {
			t.Fatalf("a held digest keeps its lines: %s", b)
		}
	}
	if err := h.r.erase(h.ctx, &domain.Beneficiary{ID: awa.ben}, true); err != nil {
		t.Fatal(err)
	}
	h.clk.Set(time.Date(2031, 3, 10, 8, 0, 0, 0, time.UTC)) // 9:00 in Paris
	if err := h.r.notify(h.ctx, reminders.Due{Kind: reminders.KindRelease, Advisor: adv, Key: "a500:release:1"}); err != nil {
		t.Fatal(err)
	}
	var digest string
	for _, m := range h.rec.outbox {
		if m.ChatID == adviserID && strings.Contains(m.Text, "Bintou") {
			digest = m.Text
		}
	}
	_, lines, ok := strings.Cut(digest, "Votre point de la semaine")
	if !ok || strings.Contains(lines, "Awa") || !strings.Contains(lines, "1 personne suivie") {
		t.Fatalf("released digest:\n%s", digest)
	}
}
