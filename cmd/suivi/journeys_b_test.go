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

// Texts of the advisor's own steps (catalog/journeys.go).
const (
	txtOwnStep     = "Étape à votre charge pour Awa"
	txtOwnOverdue  = "Votre étape pour Awa"
	btnOwnDone     = "✅ Fait"
	btnOwnPostpone = "📅 Reporter"
	btnOwnWeek     = "+1 semaine"
)

// Journey 6: the advisor's own steps. Their reminder carries "Fait" and
// "Reporter"; "Fait" marks the step done and stops its reminders and its
// overdue alert; "Reporter" moves it; a step of the advisor's left open is
// the advisor's to do, not the beneficiary's lateness (its overdue alert
// says so, with the same buttons, and the digest does not count it against
// the beneficiary). Only the beneficiary's advisor can press them: the
// buttons' data pressed by another advisor, or naming a step of the
// beneficiary's, changes nothing.
func TestJourneyAdvisorOwnSteps(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	addAdvisor(t, w.e, otherAdvisor, "Bastien")
	b := w.srv.NewUser(otherAdvisor, "Bastien")
	awa := w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{
		{title: "Refaire son CV", due: "2037-04-20"},
		{title: "Appeler le centre de formation", due: "2037-03-05", advisor: true},
		{title: "Envoyer la fiche de liaison", due: "2037-03-03", advisor: true},
	}}.file(t), 9101, "Awa", true)
	ben := w.ben(t, awa)
	stepID := func(title string) int {
		for _, s := range w.plan(t, ben.ID).Steps {
			if s.Title == title {
				return s.ID
			}
		}
		t.Fatalf("no step %q", title)
		return 0
	}
	call, fiche, cv := stepID("Appeler le centre de formation"), stepID("Envoyer la fiche de liaison"), stepID("Refaire son CV")

	// The day before the call is due: its reminder, with the advisor's actions.
	w.runUntil(t, on(3, 4, 18, 0))
	var rem telegramtest.Message
	for _, m := range containing(w.adv.Messages(), txtOwnStep) {
		if strings.Contains(m.PlainText, "Appeler le centre de formation") {
			rem = m
		}
	}
	if rem.ID == 0 || !hasButton(rem, btnOwnDone) || !hasButton(rem, btnOwnPostpone) {
		t.Fatalf("the reminder of the advisor's own step has no actions:\n%s", dump(w.adv.Messages()))
	}
	done := buttonData(rem, btnOwnDone)

	// Bastien presses Claire's button: not his, nothing changes.
	w.say(t, b, "/aide")
	bm := lastOf(t, b)
	if got := forge(t, w.srv, b, bm.ID, done); got != txtClosedToast {
		t.Errorf("another advisor's press: %q", got)
	}
	// Claire's own token on a step of Awa's: nothing changes either.
	tok := strings.Split(done, ":")[1]
	am := w.sayExpect(t, w.adv, "/aide", "/beneficiaires") // forged presses lose their message's buttons
	for _, data := range []string{"av:" + tok + ":ao" + strconv.Itoa(cv), "av:" + tok + ":ao999", "av:" + tok + ":aw" + strconv.Itoa(cv) + ".20370320"} {
		if got := forge(t, w.srv, w.adv, am.ID, data); got != txtClosedToast {
			t.Errorf("forged %q: %q", data, got)
		}
	}
	w.settle(t)
	p := w.plan(t, ben.ID)
	if p.Step(call).Status.Open() == false || p.Step(cv).Status != "todo" || p.Step(cv).Due.Date.Day != 20 {
		t.Fatalf("forged presses changed the plan: %+v", p.Steps)
	}

	// Claire marks it done: done in the plan, its jobs gone.
	if _, err := w.adv.PressButton(rem.ID, btnOwnDone); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	if s := w.plan(t, ben.ID).Step(call); s.Status != "done" || s.History[len(s.History)-1].By != "advisor" {
		t.Fatalf("the advisor's step after Fait: %+v", s)
	}
	jobs := w.jobs(t, ben.ID)
	for _, k := range []string{"r", "o", "v"} {
		if hasJob(jobs, k, ben.ID, call) {
			t.Errorf("job %s of the step done is still there: %v", k, jobs)
		}
	}
	if !hasJob(jobs, "v", ben.ID, fiche) {
		t.Fatalf("the other step lost its jobs: %v", jobs)
	}

	// The fiche, due 3 March, left open: the overdue alert is the advisor's
	// own to-do, with the same actions; "Reporter" moves it a week from today.
	w.runUntil(t, on(3, 11, 12, 0))
	alerts := containing(w.adv.Messages(), txtOwnOverdue)
	if len(alerts) != 1 || !hasButton(alerts[0], btnOwnDone) {
		t.Fatalf("overdue alert of the advisor's own step:\n%s", dump(w.adv.Messages()))
	}
	if got := containing(w.adv.Messages(), txtAlertOverdue); len(got) != 0 {
		t.Errorf("queued as if Awa were late:\n%s", dump(got))
	}
	digest := w.say(t, w.adv, "/digest")
	if strings.Contains(shown(digest), "en retard") {
		t.Errorf("the digest counts the advisor's step against Awa:\n%s", dump(digest))
	}
	for _, label := range []string{btnOwnPostpone, btnOwnWeek} { // the picker replaces the alert's buttons
		if _, err := w.adv.WaitMessage(wait, func(m telegramtest.Message) bool { return m.ID == alerts[0].ID && hasButton(m, label) }); err != nil {
			t.Fatalf("no %q on the alert: %v", label, err)
		}
		if _, err := w.adv.PressButton(alerts[0].ID, label); err != nil {
			t.Fatal(err)
		}
		w.settle(t)
	}
	if s := w.plan(t, ben.ID).Step(fiche); s.Due.Date.Day != 18 || s.Due.Date.Month != 3 || !s.Status.Open() {
		t.Errorf("postponed a week from today (past its due date): %+v", s.Due)
	}
}

// The advisor's noise: one check-in with four steps blocked and a request
// for help is ONE message to the advisor, opening on what matters most:
// the help asked, then the steps blocked (named, as the plan always shows
// them), then the forward of the answers; with sound, at once.
func TestJourneyOneMessagePerCheckin(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	titles := []string{"Refaire son CV", "Visite de la Mission Locale", "Inscription au Greta", "Dossier de financement"}
	var steps []stepSpec
	blocked := map[string]string{}
	for i, s := range titles {
		steps = append(steps, stepSpec{title: s, due: "2037-04-" + strconv.Itoa(10+i)})
		blocked[s] = btnBlocked
	}
	awa := w.enrol(t, planSpec{name: "Awa", steps: steps}.file(t), 9101, "Awa", true)
	w.runUntil(t, on(3, 2, 10, 0))
	before := len(w.adv.Messages())
	w.checkin(t, awa, ciAnswers{score: "😟 Difficile", steps: blocked, help: true})
	w.runUntil(t, on(3, 2, 18, 0))
	got := since(w.adv, before)
	if len(got) != 1 {
		t.Fatalf("the advisor got %d messages for one check-in, want 1:\n%s", len(got), dump(got))
	}
	m := got[0]
	lines := strings.Split(m.PlainText, "\n")
	if !strings.Contains(lines[0], "Awa demande de l'aide") {
		t.Errorf("does not open on the help asked: %q", m.PlainText)
	}
	iBlocked, iTitle := strings.Index(m.PlainText, "blocage"), strings.Index(m.PlainText, txtFwdTitle)
	if iBlocked < 0 || iTitle < 0 || iBlocked > iTitle {
		t.Errorf("the blocked steps do not come after help and before the answers: %q", m.PlainText)
	}
	for _, s := range titles {
		if !strings.Contains(m.PlainText[:iTitle], s) {
			t.Errorf("blocked step %q not named at the top: %q", s, m.PlainText)
		}
	}
	if !strings.Contains(m.PlainText, "1/5") || m.DisableNotification || !hasButton(m, btnReply) {
		t.Errorf("the forward of the answers, with sound and Répondre: %s (silent %v)", m, m.DisableNotification)
	}
	// The help asked is counted once for the brief and the digest.
	if n := w.ben(t, awa).HelpSince(moreStart); n != 1 {
		t.Errorf("help asked counted %d times", n)
	}
}

// The digest names the people invited who have not joined yet, with the
// age of their invite.
func TestJourneyDigestListsInvitedNotJoined(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	addAdvisor(t, w.e, advisorID, "Claire")
	w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-04-20"}}}.file(t), 9101, "Awa", true)
	importPlan(t, w.e, w.clk, planSpec{name: "Moussa", steps: []stepSpec{{title: "Inscription aux cours de FLE", due: "2037-04-05"}}}.file(t))
	w.runUntil(t, on(3, 4, 12, 0))
	importPlan(t, w.e, w.clk, planSpec{name: "Nadia", steps: []stepSpec{{title: "Visite de la crèche", due: "2037-04-06"}}}.file(t))
	got := shown(w.say(t, w.adv, "/digest"))
	if !strings.Contains(got, "2 invitations pas encore ouvertes : Moussa (il y a 3 j), Nadia (aujourd'hui)") {
		t.Errorf("the digest does not list who has not joined:\n%s", got)
	}
}

// Texts for the advisor: /plan speaks of the person ("Plan de Léa", "Léa
// agit"), not "Votre plan d'action"; a time in a zone other than the
// advisor's says so; the admin's /aide lists /inviterconseiller (and only
// the admin's).
func TestJourneyAdvisorTexts(t *testing.T) {
	w := newWorldAt(t, moreStart, env{"SUIVI_ADMIN_IDS": strconv.Itoa(advisorID)})
	addAdvisor(t, w.e, advisorID, "Claire")
	addAdvisor(t, w.e, otherAdvisor, "Bastien")
	b := w.srv.NewUser(otherAdvisor, "Bastien")
	lea := writePlan(t, "beneficiary: {name: Léa, timezone: America/Cayenne}\nadvisor: "+strconv.Itoa(advisorID)+"\n"+
		"steps:\n  - {title: \"Appeler Pôle emploi\", due: 2037-03-20T18:21}\n  - {title: \"Préparer le dossier\", due: 2037-03-25, owner: advisor}\n"+
		"meetings: [\"2037-03-27T09:00\"]\n")
	w.enrol(t, lea, 9301, "Léa", true)
	w.enrol(t, planSpec{name: "Awa", steps: []stepSpec{{title: "Refaire son CV", due: "2037-03-20T18:21"}}}.file(t), 9302, "Awa", true)

	got := shown(w.say(t, w.adv, "/plan Léa"))
	for _, want := range []string{"Plan de Léa", "Léa agit", "à votre charge", "18:21 (heure de Guyane, UTC−3)", "09:00 (heure de Guyane, UTC−3)"} {
		if !strings.Contains(got, want) {
			t.Errorf("/plan Léa lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"Votre plan d'action", "c'est vous qui agissez", "votre conseiller s'en occupe"} {
		if strings.Contains(got, not) {
			t.Errorf("/plan Léa says %q, the beneficiary's wording:\n%s", not, got)
		}
	}
	if got := shown(w.say(t, w.adv, "/plan Awa")); !strings.Contains(got, "à 18:21 ·") || strings.Contains(got, "UTC") {
		t.Errorf("a time in the advisor's own zone carries a zone:\n%s", got)
	}

	if got := shown(w.say(t, w.adv, "/aide")); !strings.Contains(got, "/inviterconseiller") || !strings.Contains(got, "/export structure") {
		t.Errorf("the admin's /aide lacks /inviterconseiller or /export structure:\n%s", got)
	}
	if got := shown(w.say(t, b, "/aide")); strings.Contains(got, "/inviterconseiller") || strings.Contains(got, "/export structure") {
		t.Errorf("a non-admin's /aide offers /inviterconseiller:\n%s", got)
	}
}
