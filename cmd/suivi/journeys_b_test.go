package main

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"suivi/catalog"
	"suivi/dialogs"
	"suivi/domain"
	"suivi/telegramtest"
)

// Journeys of issue 13 (part b): what new advisors and beneficiaries
// tripped over.

// noHoles fails when a message of ms prints an advisor's raw id, or a
// blank where a name should be.
func noHoles(t *testing.T, who string, ms []telegramtest.Message, ids ...int64) {
	t.Helper()
	for _, m := range ms {
		text := m.PlainText + m.PlainCaption
		for _, id := range ids {
			if strings.Contains(text, strconv.FormatInt(id, 10)) {
				t.Errorf("%s: a raw advisor id in %q", who, text)
			}
		}
		if strings.Contains(text, "  ") || strings.Contains(text, " ,") || strings.Contains(text, "( ") {
			t.Errorf("%s: an empty name in %q", who, text)
		}
	}
}

// Journey 3: an advisor known only by the id a plan file gave is asked
// their name on their first /start, and keeps it (/nom changes it); until
// then no one reads an empty name or a raw id: the beneficiary reads "la
// personne qui vous accompagne", the stand-in "une personne de l'équipe".
func TestJourneyAdvisorNameAskedAndNeverEmpty(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	ctx := context.Background()
	// A (advisorID) exists only through the plan file: no name.
	addAdvisor(t, w.e, otherAdvisor, "Bastien")
	b := w.srv.NewUser(otherAdvisor, "Bastien")
	awa := w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-04-20"}}}.file(t), 9101, "Awa", true)
	if a, err := w.r.app.store.Advisor(ctx, advisorID); err != nil || a.Name != "" {
		t.Fatalf("imported advisor: %+v %v", a, err)
	}

	// A goes away before ever opening the bot: Awa and B are told, without
	// a hole or an id.
	w.sayExpect(t, w.adv, "/absence", "Qui vous remplace pendant votre absence ?")
	w.pressOn(t, w.adv, "Bastien")
	w.pressOn(t, w.adv, "1 semaine")
	notice := containing(awa.Messages(), "Pendant ce temps")
	if len(notice) != 1 || !strings.Contains(notice[0].PlainText, "la personne qui vous accompagne") || !strings.Contains(notice[0].PlainText, "Bastien") {
		t.Errorf("Awa's notice of the absence:\n%s", dump(awa.Messages()))
	}
	if got := containing(b.Messages(), "Vous remplacez"); len(got) != 1 || !strings.Contains(got[0].PlainText, "une personne de l'équipe") {
		t.Errorf("B's notice:\n%s", dump(b.Messages()))
	}
	noHoles(t, "Awa", awa.Messages(), advisorID, otherAdvisor)
	noHoles(t, "B", b.Messages(), advisorID, otherAdvisor)
	w.say(t, w.adv, "/absence fin")

	// A's first /start asks their name; the answer is stored.
	got := w.say(t, w.adv, "/start")
	if !strings.Contains(shown(got), "Comment voulez-vous que l'on vous appelle") {
		t.Fatalf("A's first /start:\n%s", dump(got))
	}
	w.sayExpect(t, w.adv, "Claire", "Claire")
	if a, err := w.r.app.store.Advisor(ctx, advisorID); err != nil || a.Name != "Claire" {
		t.Fatalf("A's stored name: %+v %v", a, err)
	}
	// Asked once: /start again does not ask again.
	if got := w.say(t, w.adv, "/start"); strings.Contains(shown(got), "Comment voulez-vous que l'on vous appelle") {
		t.Errorf("asked again:\n%s", dump(got))
	}
	// /nom changes it.
	w.sayExpect(t, w.adv, "/nom Claire Martin", "Claire Martin")
	if a, _ := w.r.app.store.Advisor(ctx, advisorID); a.Name != "Claire Martin" {
		t.Errorf("renamed: %q", a.Name)
	}
	noHoles(t, "A", w.adv.Messages(), advisorID, otherAdvisor)
}

// Texts of writing to one's advisor first (catalog/journeys.go).
const (
	txtWriteOffer = "Voulez-vous que j'envoie ce message à Claire"
	btnWriteSend  = "✉️ Envoyer à Claire"
	btnWriteKeep  = "🔒 Garder pour moi"
	txtWriteFrom  = "Message de Awa"
)

// Journey 4: a beneficiary writes to their advisor first. Free text or a
// voice note outside a flow is offered to the advisor, sent only on "Envoyer
// à Claire" (once, however often it is pressed), kept on "Garder pour moi";
// /ecrire writes directly; words about erasing point to /mesdonnees.
func TestJourneyBeneficiaryWritesFirst(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	awa := w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-04-20"}}}.file(t), 9101, "Awa", true)
	// The beneficiary's menu and /aide offer it.
	if !strings.Contains(shown(w.say(t, awa, "/aide")), "/ecrire") {
		t.Errorf("/aide does not offer /ecrire")
	}
	cmds := dialogs.Commands(catalog.New(), domain.French)
	if !slices.ContainsFunc(cmds, func(c models.BotCommand) bool { return c.Command == "ecrire" }) {
		t.Errorf("the beneficiary's menu has no /ecrire: %v", cmds)
	}

	// Free text: offered, not sent until confirmed.
	const words = "Bonjour, j'ai trouvé une formation qui me plaît."
	got := w.say(t, awa, words)
	if len(got) != 1 || !strings.Contains(got[0].PlainText, txtWriteOffer) || !hasButton(got[0], btnWriteSend) || !hasButton(got[0], btnWriteKeep) {
		t.Fatalf("free text: want one offer to send it, got:\n%s", dump(got))
	}
	if strings.Contains(shown(got), "Je ne sais pas encore répondre") {
		t.Errorf("still the dead end:\n%s", dump(got))
	}
	if n := len(containing(w.adv.Messages(), words)); n != 0 {
		t.Fatalf("sent before being confirmed: %d", n)
	}
	offer := got[0]
	w.pressOn(t, awa, btnWriteSend)
	sent := containing(w.adv.Messages(), words)
	if len(sent) != 1 || !strings.Contains(sent[0].PlainText, txtWriteFrom) || !hasButton(sent[0], btnReply) {
		t.Fatalf("Claire: want the message once, with Répondre:\n%s", dump(w.adv.Messages()))
	}
	if m := messageByID(awa, offer.ID); !strings.Contains(m.PlainText, "Claire") || len(m.Keyboard) != 0 {
		t.Errorf("the offer after sending: %s", m)
	}
	// Pressed again (the same data): nothing doubles.
	forge(t, w.srv, awa, offer.ID, buttonData(offer, btnWriteSend))
	w.settle(t)
	if n := len(containing(w.adv.Messages(), words)); n != 1 {
		t.Errorf("pressed twice: Claire got it %d times", n)
	}

	// A voice note kept for oneself goes nowhere; the next one is sent.
	before := len(w.adv.Messages())
	c := newTalk(t, awa)
	c.voice()
	c.tap(txtWriteOffer, btnWriteKeep)
	w.settle(t)
	if got := since(w.adv, before); len(got) != 0 {
		t.Errorf("a voice note kept for oneself reached Claire:\n%s", dump(got))
	}
	file := c.voice()
	c.tap(txtWriteOffer, btnWriteSend)
	w.settle(t)
	if vs := voices(w.adv); len(vs) != 1 || vs[0].FileID != file || !strings.Contains(vs[0].PlainCaption, "Awa") {
		t.Errorf("Claire: want the second voice note only:\n%s", dump(w.adv.Messages()))
	}

	// /ecrire: the next message goes to Claire.
	if got := w.say(t, awa, "/ecrire"); !strings.Contains(shown(got), "Écrivez votre message pour Claire") {
		t.Errorf("/ecrire:\n%s", dump(got))
	}
	w.say(t, awa, "Je serai en retard mardi.")
	if got := containing(w.adv.Messages(), "Je serai en retard mardi."); len(got) != 1 {
		t.Errorf("/ecrire did not reach Claire:\n%s", dump(w.adv.Messages()))
	}

	// Asking to erase one's data: /mesdonnees is pointed at.
	if got := w.say(t, awa, "je veux que vous supprimiez mes données"); !strings.Contains(shown(got), "/mesdonnees") {
		t.Errorf("erasure asked in words:\n%s", dump(got))
	}
}
