package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"suivi/dialogs"
	"suivi/store"
	"suivi/telegramtest"
)

// An advisor tries every command and every button on another advisor's
// beneficiary, with callback data copied from the other advisor's chat or
// made up: nothing is shown or changed, every press is answered, and the
// beneficiary hears nothing. Naming the other advisor as stand-in is
// allowed, and opens A's beneficiaries to B, not the reverse.
func TestAuthzAdvisorCannotReachAnotherAdvisorsBeneficiary(t *testing.T) {
	w := newWorldAt(t, authzStart, nil)
	ctx := context.Background()
	st := w.r.app.store
	a, b := w.adv, w.srv.NewUser(otherAdvisor, "Bastien")

	awa := w.enrol(t, authzPlan(t, "Awa", advisorID, "Refaire son CV"), 9101, "Awa", true)
	importPlan(t, w.e, w.clk, authzPlan(t, "Moussa", advisorID, "Inscription aux cours de FLE"))
	zoe := w.enrol(t, authzPlan(t, "Zoé", otherAdvisor, zoeStep1, zoeStep2), 9201, "Zoé", true)
	zoeID := w.ben(t, zoe).ID

	// Zoé does a check-in: B gets the forward with its buttons.
	c := newTalk(t, zoe)
	c.text("/progres")
	c.tap("Quels progrès cette semaine", "🙂 Bien")
	c.tap(zoeStep1, dgSkip)
	c.tap(zoeStep2, dgSkip)
	c.tap(dgNoteQ, dgNothing)
	c.tap(dgHelpQ, dgHelpNo)
	c.expect(txtNextCheckin)
	w.settle(t)
	if fwd := containing(b.Messages(), "Point de suivi de Zoé"); len(fwd) != 1 {
		t.Fatalf("B got %d forwards of Zoé's check-in, want 1:\n%s", len(fwd), dump(b.Messages()))
	}
	// B opens Zoé's plan, a revision and a closing: more buttons to copy.
	w.sayExpect(t, b, "/plan Zoé", zoeStep1)
	w.sayExpect(t, b, "/cloturer Zoé", "Clôturer l'accompagnement de Zoé")
	w.sayExpect(t, b, "/modifier Zoé", "Plan de Zoé")
	w.pressOn(t, b, "⬜ "+zoeStep1+" · 10/04")
	w.sayExpect(t, b, "/annuler", "C'est annulé")
	stolen := callbackData(b.Messages(), "av:")
	var token string
	for _, d := range stolen {
		token = strings.Split(d, ":")[1]
	}
	if len(stolen) < 8 || token == "" {
		t.Fatalf("too few buttons in B's chat to copy: %v", stolen)
	}
	for _, d := range stolen {
		if strings.Split(d, ":")[1] != token {
			t.Fatalf("B's buttons on Zoé carry different tokens: %v", stolen)
		}
	}

	// A's own beneficiaries work (the tests below would pass on a broken bot otherwise).
	w.sayExpect(t, a, "/plan Awa", "Refaire son CV")

	zoeKeys := []string{"suivi:{b:" + zoeID + "}:*", "suivi:tg:" + strconv.FormatInt(zoe.ID(), 10),
		"suivi:{due:*}:of:" + zoeID, "suivi:{a:" + strconv.Itoa(otherAdvisor) + "}:*"}
	before := keySnapshot(t, w.r.app.rdb, zoeKeys...)
	if _, ok := before["suivi:{b:"+zoeID+"}:checkins"]; !ok || len(before) < 6 {
		t.Fatalf("snapshot of Zoé's keys looks incomplete: %v", before)
	}
	jobsBefore := w.jobs(t, zoeID)
	advB := func() string {
		adv, err := st.Advisor(ctx, otherAdvisor)
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(adv)
		return string(j)
	}
	bBefore := advB()
	zoeSeen, zoeSends := len(zoe.Messages()), len(sendsTo(w.srv, "sendMessage", zoe.ID()))

	// Commands naming Zoé, her id, or a prefix: nobody by that name.
	for _, cmd := range []string{"/plan Zoé", "/plan zoe", "/plan ZOÉ", "/plan Z", "/plan " + zoeID,
		"/modifier Zoé", "/relancer Zoé", "/relancer zoe", "/cloturer Zoé", "/clôturer Zoé"} {
		w.sayExpect(t, a, cmd, txtAdvNobody)
	}
	// Then A sends text: no relay, no revision, no new plan was started.
	w.sayExpect(t, a, "Bonjour Zoé, c'est votre conseiller", "Votre espace conseil dans Suivi")

	// Lists and exports are A's own.
	which := w.sayExpect(t, a, "/plan", "De qui s'agit-il ?")
	if got := fmt.Sprint(which.Keyboard); !strings.Contains(got, "Awa") || !strings.Contains(got, "Moussa") || strings.Contains(got, "Zo") {
		t.Errorf("/plan offers %s, want A's Awa and Moussa only", got)
	}
	list := w.sayExpect(t, a, "/beneficiaires", "Vos bénéficiaires")
	if !strings.Contains(list.PlainText, "Awa") || !strings.Contains(list.PlainText, "(2)") {
		t.Errorf("/beneficiaires: %q", list.PlainText)
	}
	dg := w.say(t, a, "/digest")
	if len(dg) != 2 || !strings.Contains(dg[0].PlainText, "1 personne suivie ·") || !strings.Contains(dg[0].PlainText, "Awa") {
		t.Fatalf("/digest: want A's digest of Awa and its chart, got:\n%s", dump(dg))
	}
	if h := decodeChart(t, dg[1]).Bounds().Dy(); h != dialogs.ChartHeader+dialogs.ChartCellH+dialogs.ChartPad {
		t.Errorf("A's chart is %d pixels high, want one row", h)
	}
	ex := w.say(t, a, "/export")
	if len(ex) != 1 {
		t.Fatalf("/export: want one document, got:\n%s", dump(ex))
	}
	rows := exportRows(t, ex[0])
	awaRows := 0
	for _, r := range rows[1:] {
		if r[1] == "Awa" {
			awaRows++
		}
		if r[1] != "Awa" && r[1] != "Moussa" {
			t.Errorf("export row of %q", r[1])
		}
	}
	if awaRows == 0 {
		t.Errorf("export has no row of Awa:\n%s", ex[0].File)
	}

	// Buttons: B's data copied verbatim, B's token with every action, made-up
	// tokens and ids, other flows' data with wrong nonces, a beneficiary's data.
	host := w.say(t, a, "/beneficiaires")[0].ID
	mark := len(a.Messages())
	forged := append([]string{}, stolen...)
	for _, action := range []string{"plan", "reply", "revise", "nudge", "close", "closeok", "pick",
		"rv:s:1", "rv:d:1", "rv:t:1", "rv:x:1", "rv:x:2", "rv:add", "rv:back", "rv:done"} {
		forged = append(forged, "av:"+token+":"+action)
	}
	forged = append(forged, "av:"+token, "av:aaaaaaaa:plan", "av:"+strings.ToUpper(token)+":plan", "av:"+token+"x:plan",
		"av:"+strings.Repeat("b", 17)+":closeok", "av::plan", "av:"+zoeID+":plan", "av:ben:"+zoeID+":plan",
		"av:ben:"+zoeID+":closeok", "av:"+strconv.Itoa(otherAdvisor)+":pick",
		"np:abcdef:ok", "np:abcdef:tpl:0", "ab:abcdef:1w", "dg:h:9:99", "dg:d:7",
		"ci:2037-W09:s:5", "st:1:done", "st:1:help", "rp:adv", "go:progres", "pv:y", "pa:1w")
	for _, d := range forged {
		if got := forge(t, w.srv, a, host, d); got != txtClosedToast {
			t.Errorf("A pressing %q: answered %q, want %q", d, got, txtClosedToast)
		}
	}
	w.settle(t)
	if got := since(a, mark); len(got) != 0 {
		t.Errorf("forged presses sent A messages:\n%s", dump(got))
	}
	// Had a forged "reply" or "revise" started anything, this would go to Zoé.
	w.sayExpect(t, a, "Bonjour Zoé, c'est votre conseiller", "Votre espace conseil dans Suivi")

	// /absence: B is a stand-in A may choose; a forged period button during
	// the choice is refused, the real one works.
	w.sayExpect(t, a, "/absence", "Qui vous remplace")
	pick := callbackData(since(a, len(a.Messages())-1), "av:")
	if len(pick) != 1 {
		t.Fatalf("/absence offers %v, want B only", pick)
	}
	advTok := strings.Split(pick[0], ":")[1]
	for _, d := range []string{"av:" + advTok + ":plan", "av:" + advTok + ":closeok", "av:" + advTok + ":rv:x:1"} {
		if got := forge(t, w.srv, a, host, d); got != txtClosedToast {
			t.Errorf("A pressing %q: answered %q, want %q", d, got, txtClosedToast)
		}
	}
	w.pressOn(t, a, "une personne de l'équipe") // B has no name: never their id
	when := a.Messages()[len(a.Messages())-1]
	if !strings.Contains(when.PlainText, "Jusqu'à quand") {
		t.Fatalf("after choosing B: %s", when)
	}
	if got := forge(t, w.srv, a, host, "ab:zzzzzz:1w"); got != txtClosedToast {
		t.Errorf("a forged absence period: answered %q", got)
	}
	w.pressOn(t, a, "1 semaine")
	if set := a.Messages()[len(a.Messages())-1]; !strings.Contains(set.PlainText, "vous remplace jusqu'au") {
		t.Fatalf("absence not set: %s", set)
	}
	// A's own digest setting is A's to change.
	n := answerCount(w.srv)
	a.PressData(host, "dg:h:1:8")
	if got := callbackAnswer(t, w.srv, n); got == txtClosedToast {
		t.Errorf("A's own digest setting refused")
	}
	w.settle(t)
	if adv, err := st.Advisor(ctx, advisorID); err != nil || adv.DigestSpec != "0 8 * * 1" {
		t.Errorf("A's digest setting: %+v %v", adv, err)
	}
	// During A's absence, A still cannot reach Zoé.
	w.sayExpect(t, a, "/plan Zoé", txtAdvNobody)
	for _, d := range stolen {
		if got := forge(t, w.srv, a, host, d); got != txtClosedToast {
			t.Errorf("A pressing %q during the absence: answered %q", d, got)
		}
	}

	// Nothing of Zoé reached A; every press was answered.
	w.settle(t)
	seen := shown(a.Messages())
	for _, secret := range []string{"Zoé", "Zoe", "ZOÉ", zoeID, zoeStep1, zoeStep2, "aide-soignante"} {
		if strings.Contains(seen, secret) {
			t.Errorf("A was shown %q:\n%s", secret, dump(a.Messages()))
		}
	}
	if u := w.srv.UnansweredCallbacks(); len(u) != 0 {
		t.Errorf("unanswered callbacks: %v", u)
	}
	// Zoé's records and B's are byte for byte as they were; Zoé got nothing.
	sameKeys(t, "advisor A", before, keySnapshot(t, w.r.app.rdb, zoeKeys...))
	if after := w.jobs(t, zoeID); fmt.Sprint(after) != fmt.Sprint(jobsBefore) {
		t.Errorf("Zoé's jobs changed: %v -> %v", jobsBefore, after)
	}
	if got := advB(); got != bBefore {
		t.Errorf("B's advisor record changed:\n%s\n%s", bBefore, got)
	}
	if got := since(zoe, zoeSeen); len(got) != 0 {
		t.Errorf("Zoé received messages:\n%s", dump(got))
	}
	if got := len(sendsTo(w.srv, "sendMessage", zoe.ID())); got != zoeSends {
		t.Errorf("%d messages were sent to Zoé", got-zoeSends)
	}

	// The other way round is what the absence allows: B may act on Awa.
	w.sayExpect(t, b, "/plan Awa", "Refaire son CV")
	if len(containing(awa.Messages(), txtAbsNotice)) != 1 {
		t.Errorf("Awa was not told of A's absence:\n%s", dump(awa.Messages()))
	}
}

// A stranger, and a beneficiary, sending each advisor command get the
// polite refusal, and nothing changes in Redis.
func TestStrangerAndBeneficiaryAdvisorCommandsRefused(t *testing.T) {
	w := newWorldAt(t, authzStart, nil)
	awa := w.enrol(t, authzPlan(t, "Awa", advisorID, "Refaire son CV"), 9101, "Awa", true)
	stranger := w.srv.NewUser(9301, "Inconnu")
	cmds := []string{"/beneficiaires", "/bénéficiaires", "/nouveauplan", "/modifier Awa", "/relancer Awa", "/digest",
		"/export", "/cloturer Awa", "/clôturer Awa", "/absence", "/absence fin", "/inviterconseiller", "/annuler",
		"/digest@suivi_test_bot", "/DIGEST"}
	snap := domainSnapshot(t, w.r.app.rdb)
	for _, u := range []*telegramtest.User{stranger, awa} {
		for _, cmd := range cmds {
			w.sayExpect(t, u, cmd, txtAdvOnly)
		}
	}
	w.settle(t)
	sameSnapshot(t, "advisor commands from a stranger and a beneficiary", snap, domainSnapshot(t, w.r.app.rdb))
	if n := len(w.adv.Messages()); n != 0 {
		t.Errorf("the advisor got %d messages", n)
	}
	if _, err := w.r.app.store.Advisor(context.Background(), stranger.ID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the stranger became an advisor: %v", err)
	}
}

// Only an admin invites an advisor; the link makes whoever opens it first
// an advisor, and nobody else after.
func TestAuthzAdvisorInviteIsAdminOnlyAndSingleUse(t *testing.T) {
	const admin, newcomer, latecomer = 999000001, 333000001, 444000001
	w := newWorldAt(t, authzStart, env{"SUIVI_ADMIN_IDS": strconv.Itoa(admin)})
	ctx := context.Background()
	st := w.r.app.store
	importPlan(t, w.e, w.clk, authzPlan(t, "Awa", advisorID, "Refaire son CV"))

	w.sayExpect(t, w.adv, "/inviterconseiller", txtAdminOnly)
	adm := w.srv.NewUser(admin, "Admin")
	m := w.sayExpect(t, adm, "/inviterconseiller", "Lien d'invitation pour un conseiller")
	_, code, ok := strings.Cut(m.PlainText, "https://t.me/suivi_test_bot?start=")
	code = strings.TrimSpace(code)
	if !ok || !strings.HasPrefix(code, "a_") {
		t.Fatalf("no advisor invite link: %q", m.PlainText)
	}

	nu := w.srv.NewUser(newcomer, "Nina")
	w.sayExpect(t, nu, "/start "+code, txtAdvWelcome)
	if a, err := st.Advisor(ctx, newcomer); err != nil || a.Name != "Nina" || a.Admin {
		t.Fatalf("the newcomer is not a (non-admin) advisor: %+v %v", a, err)
	}
	w.sayExpect(t, nu, "/beneficiaires", "Vous ne suivez encore personne")
	w.sayExpect(t, nu, "/inviterconseiller", txtAdminOnly)

	late := w.srv.NewUser(latecomer, "Léa")
	snap := domainSnapshot(t, w.r.app.rdb)
	w.sayExpect(t, late, "/start "+code, txtInviteUsed)
	w.sayExpect(t, late, "/start a_"+strings.Repeat("x", 24), "Je ne reconnais pas ce lien")
	w.sayExpect(t, late, "/beneficiaires", txtAdvOnly)
	sameSnapshot(t, "a used advisor invite", snap, domainSnapshot(t, w.r.app.rdb))
	if _, err := st.Advisor(ctx, latecomer); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the second person to open the link became an advisor: %v", err)
	}
	// The newcomer opening it again is harmless.
	w.sayExpect(t, nu, "/start "+code, txtAdvWelcome)
}

// A stand-in acts on the absent advisor's beneficiaries only during the
// absence: once it ends, the buttons they got meanwhile (tokens of their
// own table, still valid) and their commands reach nothing.
func TestAuthzStandInLosesAccessWhenAbsenceEnds(t *testing.T) {
	w := newWorldAt(t, authzStart, nil)
	a, b := w.adv, w.srv.NewUser(otherAdvisor, "Bastien")
	importPlan(t, w.e, w.clk, authzPlan(t, "Zoé", otherAdvisor, zoeStep1))
	awa := w.enrol(t, authzPlan(t, "Awa", advisorID, "Refaire son CV", "Visite d'entreprise"), 9101, "Awa", true)
	awaID := w.ben(t, awa).ID

	w.sayExpect(t, a, "/absence", "Qui vous remplace")
	w.pressOn(t, a, "une personne de l'équipe") // B has no name: never their id
	w.pressOn(t, a, "1 semaine")
	if len(containing(b.Messages(), "Vous remplacez")) != 1 {
		t.Fatalf("B was not told of the absence:\n%s", dump(b.Messages()))
	}

	// During the absence Awa's check-in goes to B, whose buttons work.
	c := newTalk(t, awa)
	c.text("/progres")
	c.tap("Quels progrès cette semaine", "🙂 Bien")
	c.tap("Refaire son CV", dgSkip)
	c.tap("Visite d'entreprise", dgSkip)
	c.tap(dgNoteQ, dgNothing)
	c.tap(dgHelpQ, dgHelpNo)
	c.expect(txtNextCheckin)
	w.settle(t)
	fwd := containing(b.Messages(), "Point de suivi de Awa")
	if len(fwd) != 1 || len(containing(a.Messages(), "Point de suivi de Awa")) != 0 {
		t.Fatalf("during the absence the forward goes to B only:\nA:\n%s\nB:\n%s", dump(a.Messages()), dump(b.Messages()))
	}
	w.pressOn(t, b, "📋 Voir le plan")
	if len(containing(b.Messages(), "Visite d'entreprise")) == 0 {
		t.Fatalf("the stand-in cannot see the plan during the absence:\n%s", dump(b.Messages()))
	}
	buttons := callbackData(b.Messages(), "av:")

	// The absence is over (its last day was Saturday 7 March).
	w.runUntil(t, time.Date(2037, 3, 9, 9, 0, 0, 0, paris))
	keys := []string{"suivi:{b:" + awaID + "}:*", "suivi:tg:" + strconv.FormatInt(awa.ID(), 10)}
	before := keySnapshot(t, w.r.app.rdb, keys...)
	awaSeen := len(awa.Messages())
	bSeen := len(b.Messages())
	host := w.sayExpect(t, b, "/plan Awa", txtAdvNobody).ID
	w.sayExpect(t, b, "/relancer Awa", txtAdvNobody)
	w.sayExpect(t, b, "/cloturer Awa", txtAdvNobody)
	tok := strings.Split(buttons[0], ":")[1]
	for _, d := range append(buttons, "av:"+tok+":nudge", "av:"+tok+":closeok", "av:"+tok+":revise", "av:"+tok+":rv:x:1") {
		if got := forge(t, w.srv, b, host, d); got != txtClosedToast {
			t.Errorf("B pressing %q after the absence: answered %q", d, got)
		}
	}
	w.settle(t)
	for _, m := range since(b, bSeen) {
		if !strings.Contains(m.PlainText, txtAdvNobody) {
			t.Errorf("after the absence B was shown: %s", m)
		}
	}
	if got := since(awa, awaSeen); len(got) != 0 {
		t.Errorf("Awa received messages:\n%s", dump(got))
	}
	sameKeys(t, "the former stand-in", before, keySnapshot(t, w.r.app.rdb, keys...))
	if u := w.srv.UnansweredCallbacks(); len(u) != 0 {
		t.Errorf("unanswered callbacks: %v", u)
	}
	// A has them back.
	w.sayExpect(t, a, "/plan Awa", "Visite d'entreprise")
}
