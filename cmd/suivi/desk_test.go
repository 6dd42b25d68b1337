package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"suivi/telegramtest"
)

// The advisor's web desk, through its pages and forms, on the whole app.

// deskStart is a Monday morning, within working hours.
var deskStart = time.Date(2037, 3, 2, 9, 0, 0, 0, paris)

// TestDeskPagesAndActions: an advisor signs in with the link /bureau
// gives, sees the caseload (who needs attention first), a person's plan and
// check-ins, replies, offers a check-in, changes a step's date and adds a
// step (the beneficiary told once), creates a plan with its QR code and
// changes the settings.
func TestDeskPagesAndActions(t *testing.T) {
	w, base := deskWorld(t, deskStart, nil)
	awa := w.enrol(t, stepPlan(t, "Awa", "", [2]string{"Refaire son CV", "2037-03-20"}, [2]string{"Visite du CIO", "2037-03-27"}), 9501, "Awa", true)
	bob := w.enrol(t, stepPlan(t, "Bob", "", [2]string{"Inscription au Greta", "2037-03-25"}), 9502, "Bob", true)
	// Bob asks for help: he comes first.
	bob.SendText("/progres")
	answerCheckinWith(t, bob, btnHelpYes)
	w.settle(t)
	d := deskLogin(t, w, base, w.adv)

	page := d.get(t, "/desk/", http.StatusOK)
	if a, b := strings.Index(page, ">Bob<"), strings.Index(page, ">Awa<"); a < 0 || b < 0 || a > b {
		t.Fatalf("caseload: Bob (help asked) should come before Awa:\n%s", page)
	}
	if !strings.Contains(page, "aide demandée") || !strings.Contains(page, `<svg class="spark"`) || !strings.Contains(page, `<svg class="heatmap"`) {
		t.Errorf("caseload lacks the attention badge or the charts")
	}
	if got := d.get(t, "/desk/?q=awa", http.StatusOK); strings.Contains(got, ">Bob<") || !strings.Contains(got, ">Awa<") {
		t.Errorf("the filter by name does not filter")
	}
	csv := d.get(t, "/desk/export.csv", http.StatusOK)
	if !strings.Contains(csv, "Awa") || !strings.Contains(csv, "Bob") {
		t.Errorf("export: %q", csv)
	}

	awaID := w.ben(t, awa).ID
	person := d.get(t, "/desk/p/"+awaID, http.StatusOK)
	for _, want := range []string{"Refaire son CV", "Visite du CIO", "Modifier cette étape"} {
		if !strings.Contains(person, want) {
			t.Errorf("person page lacks %q", want)
		}
	}

	// Reply, as "Répondre" does.
	d.post(t, "/desk/p/"+awaID+"/reply", url.Values{"text": {"Bonjour Awa, on se voit jeudi ?"}}, http.StatusSeeOther)
	w.settle(t)
	if got := containing(awa.Messages(), "Bonjour Awa, on se voit jeudi ?"); len(got) != 1 || !strings.Contains(got[0].PlainText, "Message de") {
		t.Fatalf("the reply did not reach Awa once from her advisor: %s", dump(awa.Messages()))
	}

	// Offer a check-in now.
	d.post(t, "/desk/p/"+awaID+"/nudge", nil, http.StatusSeeOther)
	w.settle(t)
	if len(containing(awa.Messages(), txtScoreQ)) != 1 {
		t.Fatalf("no check-in after the nudge: %s", dump(awa.Messages()))
	}

	// Change a step's date and add a step: one message to Awa.
	before := len(awa.Messages())
	d.post(t, "/desk/p/"+awaID+"/step/1", url.Values{"due": {"2037-03-24"}, "time": {""}, "title": {"Refaire son CV"},
		"objective": {""}, "resources": {""}, "indicators": {""}}, http.StatusSeeOther)
	d.post(t, "/desk/p/"+awaID+"/steps", url.Values{"title": {"Atelier numérique"}, "due": {"2037-04-02"}, "owner": {"beneficiary"}}, http.StatusSeeOther)
	w.settle(t)
	p := w.plan(t, awaID)
	if p.Step(1).Due.String() != "2037-03-24" || len(p.Steps) != 3 || p.Steps[2].Title != "Atelier numérique" {
		t.Fatalf("plan after the desk's changes: %+v", p.Steps)
	}
	notices := containing(awa.Messages()[before:], "a mis à jour votre plan")
	if len(notices) != 2 || !strings.Contains(notices[0].PlainText, "Refaire son CV") || !strings.Contains(notices[1].PlainText, "Atelier numérique") {
		t.Fatalf("want one notice per save, saying what changed: %s", dump(awa.Messages()[before:]))
	}
	// A change that breaks the plan is refused whole.
	body := d.post(t, "/desk/p/"+awaID+"/step/1", url.Values{"due": {"2037-03-24"}, "title": {"CV\x11"}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "le plan ne serait plus valable") || w.plan(t, awaID).Step(1).Title != "Refaire son CV" {
		t.Errorf("a title with a control character was not refused")
	}

	// A new plan from a template: the invite link and its QR code.
	created := d.post(t, "/desk/new", url.Values{"name": {"Nadia"}, "template": {"immersion-gardienne"}}, http.StatusOK)
	if !strings.Contains(created, "https://t.me/suivi_test_bot?start=") || !strings.Contains(created, `src="data:image/png;base64,`) {
		t.Fatalf("new plan page: %s", created)
	}

	// Settings: the digest on Tuesday at 10:00, working hours.
	d.post(t, "/desk/settings", url.Values{"section": {"digest"}, "day": {"2"}, "hour": {"10"}}, http.StatusSeeOther)
	d.post(t, "/desk/settings", url.Values{"section": {"work"}, "days": {"1", "2", "4"}, "from": {"08:30"}, "to": {"16:00"}}, http.StatusSeeOther)
	a, err := w.r.app.store.Advisor(context.Background(), advisorID)
	if err != nil {
		t.Fatal(err)
	}
	if a.DigestSpec != "0 10 * * 2" || a.Work == nil || a.Work.String() != "mon,tue,thu 08:30-16:00" {
		t.Fatalf("settings stored: %q %+v", a.DigestSpec, a.Work)
	}
	// The brief page, printable.
	if got := d.get(t, "/desk/p/"+awaID+"/brief", http.StatusOK); !strings.Contains(got, "Préparer le rendez-vous avec Awa") {
		t.Errorf("brief page: %s", got)
	}
}

// TestDeskRefusals: each refused, and nothing in Redis changes.
func TestDeskRefusals(t *testing.T) {
	w, base := deskWorld(t, deskStart, nil)
	awa := w.enrol(t, stepPlan(t, "Awa", "", [2]string{"Refaire son CV", "2037-03-20"}), 9511, "Awa", true)
	awaID := w.ben(t, awa).ID
	// Another advisor, with a person of her own.
	addAdvisor(t, w.e, 222222222, "Léa")
	lea := w.srv.NewUser(222222222, "Léa")
	other := writePlan(t, "beneficiary: {name: Zoé, timezone: Europe/Paris}\nadvisor: 222222222\nsteps:\n  - {title: CV, due: 2037-03-20}\n")
	zoe := w.srv.NewUser(9512, "Zoé")
	join(t, zoe, importPlan(t, w.e, w.clk, other), true)
	w.settle(t)
	zoeID := w.ben(t, zoe).ID
	d := deskLogin(t, w, base, w.adv)
	snap := domainSnapshot(t, w.r.app.rdb)

	// Another advisor's beneficiary: a 404, for pages and forms alike.
	d.get(t, "/desk/p/"+zoeID, http.StatusNotFound)
	d.get(t, "/desk/p/"+zoeID+"/brief", http.StatusNotFound)
	for _, path := range []string{"/reply", "/nudge", "/close", "/step/1", "/steps"} {
		d.post(t, "/desk/p/"+zoeID+path, url.Values{"text": {"x"}, "due": {"2037-03-30"}, "title": {"x"}}, http.StatusNotFound)
	}
	d.get(t, "/desk/p/nosuchperson", http.StatusNotFound)
	// A form without the CSRF token, or with another one.
	d.postRaw(t, "/desk/p/"+awaID+"/reply", url.Values{"text": {"hello"}}, http.StatusForbidden)
	d.postRaw(t, "/desk/p/"+awaID+"/close", url.Values{"csrf": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}, http.StatusForbidden)
	w.settle(t)
	sameSnapshot(t, "refused desk requests", snap, domainSnapshot(t, w.r.app.rdb))
	if n := len(containing(awa.Messages(), "hello")); n != 0 {
		t.Fatalf("a form without its CSRF token was acted on")
	}

	// A login link works once, and not after 10 minutes.
	link := bureauLink(t, w, w.adv)
	anon := newDeskUser(base)
	anon.get(t, link, http.StatusOK)
	other2 := newDeskUser(base)
	if got := other2.get(t, link, http.StatusUnauthorized); !strings.Contains(got, "déjà servi") {
		t.Errorf("a used link: %s", got)
	}
	late := bureauLink(t, w, w.adv)
	w.clk.Advance(11 * time.Minute)
	newDeskUser(base).get(t, late, http.StatusUnauthorized)
	w.clk.Advance(-11 * time.Minute)
	// No session: the sign-in page, nothing else.
	if got := newDeskUser(base).get(t, "/desk/", http.StatusUnauthorized); strings.Contains(got, "Awa") {
		t.Errorf("the caseload showed without a session")
	}

	// Mini App data: tampered, stale, or from someone who is no advisor.
	token := w.srv.Token()
	good := signInitData(url.Values{"auth_date": {fmt.Sprint(w.clk.Now().Unix())}, "user": {fmt.Sprintf(`{"id":%d,"first_name":"Claire"}`, advisorID)}}, token)
	tampered := strings.Replace(good, "Claire", "Clara", 1)
	stale := signInitData(url.Values{"auth_date": {fmt.Sprint(w.clk.Now().Add(-2 * time.Hour).Unix())}, "user": {fmt.Sprintf(`{"id":%d}`, advisorID)}}, token)
	stranger := signInitData(url.Values{"auth_date": {fmt.Sprint(w.clk.Now().Unix())}, "user": {`{"id":9511}`}}, token)
	forged := signInitData(url.Values{"auth_date": {fmt.Sprint(w.clk.Now().Unix())}, "user": {fmt.Sprintf(`{"id":%d}`, advisorID)}}, "123:another-bot-token")
	for name, data := range map[string]string{"tampered": tampered, "stale": stale, "stranger": stranger, "another bot": forged} {
		u := newDeskUser(base)
		u.postRaw(t, "/desk/app/session", url.Values{"initData": {data}}, http.StatusUnauthorized)
		u.get(t, "/desk/", http.StatusUnauthorized)
		_ = name
	}
	// ...and the real thing opens a session.
	mini := newDeskUser(base)
	mini.postRaw(t, "/desk/app/session", url.Values{"initData": {good}}, http.StatusOK)
	mini.get(t, "/desk/", http.StatusOK)

	// A beneficiary (or a stranger) gets no desk from /bureau.
	awa.SendText("/bureau")
	w.settle(t)
	if len(containing(awa.Messages(), "/desk/login")) != 0 {
		t.Fatal("a beneficiary got a desk link")
	}
	// /deconnexion ends every session of the advisor, Léa's stay.
	ld := deskLogin(t, w, base, lea)
	w.adv.SendText("/deconnexion")
	w.settle(t)
	d.get(t, "/desk/", http.StatusUnauthorized)
	mini.get(t, "/desk/", http.StatusUnauthorized)
	ld.get(t, "/desk/", http.StatusOK)
}

// TestWorkingHoursHoldNewsUntilMorning: a message written to the advisor at
// 22:00 waits for 9:00 the next working day and comes with the other news
// of the night in one message, the most important first; the beneficiary is
// told when it will be seen. An urgent request for help comes at once,
// silently.
func TestWorkingHoursHoldNewsUntilMorning(t *testing.T) {
	w := newWorldAt(t, time.Date(2037, 3, 6, 21, 0, 0, 0, paris), env{"SUIVI_WORKING_HOURS": "mon-fri 09:00-18:00"}) // a Friday evening
	awa := w.enrol(t, stepPlan(t, "Awa", "", [2]string{"Refaire son CV", "2037-03-20"}), 9521, "Awa", true)
	bob := w.enrol(t, stepPlan(t, "Bob", "", [2]string{"Inscription au Greta", "2037-03-25"}), 9522, "Bob", true)
	w.clk.Set(time.Date(2037, 3, 6, 22, 0, 0, 0, paris))
	advBefore := len(w.adv.Messages())

	// Awa writes to her advisor at 22:00 (answering a message of hers).
	awa.SendText("/progres")
	answerCheckinWith(t, awa, btnHelpNo)
	w.settle(t)
	// Bob asks for help, urgently.
	bob.SendText("/progres")
	answerCheckinWith(t, bob, "🆘 Oui, c'est urgent")
	w.settle(t)

	news := w.adv.Messages()[advBefore:]
	if len(news) != 1 || !strings.Contains(news[0].PlainText, "Bob") || !strings.Contains(news[0].PlainText, "urgente") || !news[0].DisableNotification ||
		!strings.Contains(news[0].PlainText, "Point de suivi de Bob") {
		t.Fatalf("at 22:00 the advisor should get only Bob's urgent request, with his check-in (one message), silently:\n%s", dump(news))
	}
	if got := containing(awa.Messages(), "à partir du lundi 9 mars 2037 à 09:00"); len(got) != 0 {
		// Awa's check-in is news, not a message to the advisor: she is not told.
		t.Fatalf("Awa was told about a check-in forward: %s", dump(got))
	}
	if got := containing(bob.Messages(), "à partir du lundi 9 mars 2037 à 09:00"); len(got) != 1 {
		t.Fatalf("Bob is not told when his advisor will see it: %s", dump(bob.Messages()))
	}

	// The weekend passes; Monday 9:00, one message with the night's news.
	w.runUntil(t, time.Date(2037, 3, 9, 9, 0, 0, 0, paris))
	w.settle(t)
	news = w.adv.Messages()[advBefore+1:]
	grouped := containing(news, "Arrivé en dehors de vos horaires")
	if len(grouped) != 1 {
		t.Fatalf("want one grouped message on Monday morning:\n%s", dump(news))
	}
	g := grouped[0]
	if g.Date.Before(time.Date(2037, 3, 9, 9, 0, 0, 0, paris)) {
		t.Errorf("the grouped message came at %s, before 9:00", g.Date)
	}
	fwdAwa, digest := strings.Index(g.PlainText, "Point de suivi de Awa"), strings.Index(g.PlainText, "Votre point de la semaine")
	if fwdAwa < 0 || digest < 0 || fwdAwa > digest || !strings.HasPrefix(g.PlainText, "🌅") || strings.Contains(g.PlainText, "Point de suivi de Bob") {
		t.Errorf("the grouped message does not open on what matters most:\n%s", g.PlainText)
	}
	if n := len(containing(news, "Point de suivi de Awa")); n != 1 {
		t.Errorf("Awa's check-in came %d times, want once (in the grouped message)", n)
	}
	if n := len(containing(news, "Votre point de la semaine")); n != 1 || len(containing(news, "Scores des 8 dernières semaines")) != 1 {
		t.Errorf("the Monday digest (08:30) should come once at 9:00, with its chart:\n%s", dump(news))
	}
}

// ------------------------------------------------------------------------

// answerCheckinWith answers a check-in with taps, the help question with
// help.
func answerCheckinWith(t *testing.T, u *telegramtest.User, help string) {
	t.Helper()
	last := 0
	for range 12 {
		q, err := u.WaitMessage(wait, func(m telegramtest.Message) bool { return m.ID > last && len(m.Keyboard) > 0 })
		if err != nil {
			t.Fatal(err)
		}
		var label string
		switch {
		case hasButton(q, help):
			label = help
		case hasButton(q, btnScore4):
			label = btnScore4
		case hasButton(q, btnProgress):
			label = btnProgress
		case hasButton(q, btnNothing):
			label = btnNothing
		case hasButton(q, btnMuch):
			label = btnMuch
		default:
			t.Fatalf("unexpected question: %s", q.PlainText)
		}
		if _, err := u.PressButton(q.ID, label); err != nil {
			t.Fatal(err)
		}
		if label == help {
			return
		}
		last = q.ID
	}
	t.Fatal("the check-in did not end")
}
