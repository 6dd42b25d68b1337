package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"suivi/dialogs"
	"suivi/domain"
	"suivi/telegramtest"
)

// Texts of /mesdonnees the tests match on (catalog/mydata.go).
const (
	txtMyData     = "Ce que Suivi garde sur vous"
	txtMdConfirm  = "Tout effacer ?"
	txtMdErased   = "Suivi ne garde plus rien sur vous"
	txtMdExpired  = "Cette confirmation date un peu"
	txtAdvErased  = "a arrêté le suivi et a effacé ses données"
	btnMdGet      = "📄 Recevoir mes données"
	btnMdErase    = "🗑 Tout effacer"
	btnMdYes      = "Oui, tout effacer"
	btnMdNo       = "Non, garder"
	txtNotLinkedB = "Je ne vous connais pas encore"
)

// /mesdonnees: the summary says what is kept; "Recevoir mes données" sends
// a page and JSON holding everything the store has, field by field;
// "Tout effacer", confirmed, leaves nothing in Redis that mentions the
// person, tells the advisor without content, and the person is a stranger
// after. Another beneficiary's data is untouched.
func TestMyDataSeeTakeAwayErase(t *testing.T) {
	ctx := context.Background()
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	question := "Qu'avez-vous fait pour votre projet ?"
	// Sofia joins with a second invite made for her (the first one revoked,
	// still remembered): both must go with her data.
	first := importPlan(t, w.e, w.clk, planSpec{name: "Sofia", question: question, steps: []stepSpec{
		{title: "Refaire son CV", due: "2037-03-05"},
		{title: "Appeler l'AFPA", due: "2037-03-20"},
	}}.file(t))
	sofiaID, err := w.r.app.store.InviteBeneficiary(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	second, err := w.r.app.store.NewInvite(ctx, sofiaID, "", w.clk.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sofia := w.srv.NewUser(7700001, "Sofia")
	join(t, sofia, second.Code, true)
	w.settle(t)
	malik := w.enrol(t, planSpec{name: "Malik", steps: []stepSpec{{title: "Atelier numérique", due: "2037-03-12"}}}.file(t), 7700002, "Malik", true)
	ben := w.ben(t, sofia)

	// A check-in with a typed answer (with characters HTML must escape), a
	// step done, a step kept private and a note; Malik's too.
	w.runUntil(t, on(3, 2, 10, 0))
	answer := "J'ai écrit à <l'AFPA> & au Greta"
	w.checkin(t, sofia, ciAnswers{score: btnScore4, answer: "txt:" + answer,
		steps: map[string]string{"Refaire son CV": btnDone, "Appeler l'AFPA": btnKeep}, note: "Ma fille est malade"})
	w.checkin(t, malik, ciAnswers{score: btnScore4})
	// The advisor starts a reply to Sofia (a conversation that names her).
	fwd, err := w.adv.WaitMessage(wait, has("Point de suivi de Sofia"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.adv.PressButton(fwd.ID, "💬 Répondre"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.adv.WaitMessage(wait, has("Sofia")); err != nil {
		t.Fatal(err)
	}
	w.settle(t)

	// See.
	c := newTalk(t, sofia)
	sofia.SendText("/mesdonnees")
	c.markSent()
	sum := c.expect(txtMyData)
	for _, want := range []string{"Sofia", "Europe/Paris", "2 étapes, dont 1 faite", "1 point d'étape, dont 1 transmis à Claire",
		"Vous partagez vos réponses", "puis 24 mois après sa fin"} {
		if !strings.Contains(sum.PlainText, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.PlainText)
		}
	}

	// Take away: a page and JSON, checked against the store.
	c.tap(txtMyData, btnMdGet)
	docs := func() (page, js telegramtest.Message) {
		for _, m := range sofia.Messages() {
			if m.Kind == "document" && strings.HasSuffix(m.FileName, ".html") {
				page = m
			}
			if m.Kind == "document" && strings.HasSuffix(m.FileName, ".json") {
				js = m
			}
		}
		return page, js
	}
	c.expect("Voici vos données")
	page, js := docs()
	if page.ID == 0 || js.ID == 0 {
		t.Fatalf("no page and JSON documents:\n%s", dump(sofia.Messages()))
	}
	var doc dialogs.MyData
	if err := json.Unmarshal(js.File, &doc); err != nil {
		t.Fatalf("JSON document: %v", err)
	}
	stored := w.ben(t, sofia)
	if d := cmp.Diff(stored, doc.Profile); d != "" {
		t.Errorf("profile differs from the store (-store +doc):\n%s", d)
	}
	plan := w.plan(t, ben.ID)
	if d := cmp.Diff(plan, doc.Plan); d != "" {
		t.Errorf("plan differs from the store (-store +doc):\n%s", d)
	}
	cis := w.checkins(t, ben.ID)
	if len(doc.CheckIns) != len(cis) || len(cis) != 1 {
		t.Fatalf("document has %d check-ins, the store %d", len(doc.CheckIns), len(cis))
	}
	for i := range cis {
		if d := cmp.Diff(cis[i], doc.CheckIns[i].Record); d != "" {
			t.Errorf("check-in %s differs from the store (-store +doc):\n%s", cis[i].Week, d)
		}
		if d := cmp.Diff(dialogs.SharedCheckIn(stored, plan, &cis[i]), doc.CheckIns[i].SharedWithAdvisor); d != "" {
			t.Errorf("what the advisor saw of %s (-rule +doc):\n%s", cis[i].Week, d)
		}
	}
	ci := doc.CheckIns[0]
	if ci.Record.Answer != answer || ci.Record.Note != "Ma fille est malade" || ci.SharedWithAdvisor.Answer != answer {
		t.Errorf("free text not opened in the document: %+v", ci.Record)
	}
	afpa := plan.Steps[1].ID
	if d := cmp.Diff([]string{"step:" + strconv.Itoa(afpa)}, ci.KeptPrivate); d != "" {
		t.Errorf("kept private (-want +got):\n%s", d)
	}
	for _, s := range ci.SharedWithAdvisor.Steps {
		if s.Title == "Appeler l'AFPA" {
			t.Errorf("a step kept private is shown as shared: %+v", ci.SharedWithAdvisor)
		}
	}
	if len(doc.ConsentHistory) != 1 || doc.ConsentHistory[0].Consent != domain.ConsentYes ||
		doc.ConsentHistory[0].Via != domain.ConsentViaOnboarding || !doc.ConsentHistory[0].At.Equal(stored.Joined) {
		t.Errorf("consent history: %+v (joined %s)", doc.ConsentHistory, stored.Joined)
	}
	if doc.Advisor != "Claire" || doc.RetentionMonths != 24 || doc.ErasedOn != nil {
		t.Errorf("advisor %q, retention %d, erased on %v", doc.Advisor, doc.RetentionMonths, doc.ErasedOn)
	}
	html := string(page.File)
	for _, want := range []string{"Mes données dans Suivi", "J&#39;ai écrit à &lt;l&#39;AFPA&gt; &amp; au Greta", "Ma fille est malade",
		"Refaire son CV", "gardé pour moi", "transmis au conseiller", "Partage avec le conseiller"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "<l'AFPA>") {
		t.Error("page holds the answer unescaped")
	}

	// A confirmation left too long does nothing.
	c.mark = sum.ID - 1 // the same summary's other button
	c.tap(txtMyData, btnMdErase)
	c.expect(txtMdConfirm)
	w.clk.Advance(20 * time.Minute)
	c.tap(txtMdConfirm, btnMdYes)
	c.expectEdit(txtMdExpired)
	w.settle(t)
	if _, err := w.r.app.store.Beneficiary(ctx, ben.ID); err != nil {
		t.Fatalf("an expired confirmation erased: %v", err)
	}
	// "Non, garder" keeps everything.
	sofia.SendText("/mesdonnees")
	c.markSent()
	c.tap(txtMyData, btnMdErase)
	c.tap(txtMdConfirm, btnMdNo)
	c.expectEdit("rien n'est effacé")

	// The next week's check-in left after the score: what was answered
	// reaches the advisor after the grace (more for the erasure to find).
	w.runUntil(t, on(3, 9, 10, 0))
	w.checkin(t, sofia, ciAnswers{score: btnScore4, only: true})
	w.runUntil(t, on(3, 9, 17, 0))
	if _, err := w.adv.WaitMessage(wait, has("Point commencé par Sofia")); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	malikBefore := w.snapshot(t, w.ben(t, malik).ID)

	// Erase.
	sofia.SendText("/mesdonnees")
	c.markSent()
	c.tap(txtMyData, btnMdErase)
	confirm := c.expect(txtMdConfirm)
	if !strings.Contains(confirm.PlainText, "Je préviendrai Claire") {
		t.Errorf("confirmation: %q", confirm.PlainText)
	}
	yes := c.tap(txtMdConfirm, btnMdYes)
	c.expectEdit(txtMdErased)
	told, err := w.adv.WaitMessage(wait, has(txtAdvErased))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(told.PlainText, "Sofia") || strings.Contains(told.PlainText, "malade") || len(told.Keyboard) != 0 {
		t.Errorf("advisor's notice: %q %v", told.PlainText, told.Keyboard)
	}
	w.settle(t)
	noTrace(t, w.r.app.store, ben, "Sofia", "Ma fille est malade", "AFPA")

	// A stranger now: the same press again is answered the same way, and
	// the commands of beneficiaries are refused.
	forge(t, w.srv, sofia, yes.ID, buttonData(yes, btnMdYes))
	if m := messageByID(sofia, yes.ID); !strings.Contains(m.PlainText, txtMdErased) {
		t.Errorf("the press again: %q", m.PlainText)
	}
	sofia.SendText("/plan")
	c.markSent()
	c.expect(txtNotLinkedB)
	w.settle(t)
	noTrace(t, w.r.app.store, ben)
	if got := w.snapshot(t, w.ben(t, malik).ID); got != malikBefore {
		t.Errorf("another beneficiary's data changed:\n%s\nwas\n%s", got, malikBefore)
	}
}
