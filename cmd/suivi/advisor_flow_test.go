package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/png"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"suivi/domain"
	"suivi/internal/clock"
	"suivi/store"
	"suivi/telegramtest"
)

// An advisor creates a plan from a template in Telegram and gets the invite
// and its QR code (the PNG decodes back to the same link); the beneficiary
// joins and answers a check-in; the advisor receives it and replies; the
// beneficiary receives the reply, and can answer back.
func TestAdvisorCreatesPlanInTelegramAndTheyTalk(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	defer srv.Close()
	e := baseEnv(t, srv)
	addAdvisor(t, e, advisorID, "Claire")
	r := start(t, e, clk)
	adv := srv.NewUser(advisorID, "Claire")

	adv.SendText("/nouveauplan")
	if _, err := adv.WaitMessage(wait, has("Comment s'appelle la personne")); err != nil {
		t.Fatal(err)
	}
	adv.SendText("Moussa")
	press(t, adv, "🗣️ Français (FLE) et VAE")
	if _, err := adv.WaitMessage(wait, has("Refaire son CV")); err != nil {
		t.Fatal(err)
	}
	adv.SendText("20/12 [conseiller] Appeler le Greta pour Moussa\npas une étape")
	if _, err := adv.WaitMessage(wait, has("Je n'ai pas pu lire la ou les lignes 2")); err != nil {
		t.Fatal(err)
	}
	adv.SendText("20/12 [conseiller] Appeler le Greta pour Moussa")
	if _, err := adv.WaitMessage(wait, has("Appeler le Greta pour Moussa [conseiller]")); err != nil {
		t.Fatal(err)
	}
	press(t, adv, "➡️ Continuer")
	press(t, adv, "Chaque semaine")
	press(t, adv, "✅ Garder cette question")
	if _, err := adv.WaitMessage(wait, has("Dates des prochains rendez-vous")); err != nil {
		t.Fatal(err)
	}
	adv.SendText("10/01 10:00, 24/01 14h30")
	press(t, adv, "✅ Créer le plan")
	created, err := adv.WaitMessage(wait, has("Plan créé pour Moussa"))
	if err != nil {
		t.Fatal(err)
	}
	link := ""
	for _, f := range strings.Fields(created.PlainText) {
		if strings.HasPrefix(f, "https://t.me/suivi_test_bot?start=") {
			link = f
		}
	}
	if link == "" {
		t.Fatalf("no invite link in %q", created.PlainText)
	}
	qr, err := adv.WaitMessage(wait, func(m telegramtest.Message) bool { return m.Kind == "photo" })
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(qr.File))
	if err != nil {
		t.Fatalf("the QR code is not an image: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The reader's finder-pattern search without hints misreads some
	// codes ("dimension = 31"): a generated code is a pure barcode, which
	// it is told when the plain search fails, then to try harder.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	for _, hint := range []gozxing.DecodeHintType{gozxing.DecodeHintType_PURE_BARCODE, gozxing.DecodeHintType_TRY_HARDER} {
		if err == nil {
			break
		}
		res, err = qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{hint: true})
	}
	if err != nil {
		t.Fatalf("the QR code does not decode: %v", err)
	}
	if res.GetText() != link {
		t.Fatalf("QR code says %q, link is %q", res.GetText(), link)
	}

	// What was stored is the template's plan, moved to start next week,
	// with the added advisor step, the rhythm and the meetings.
	code := strings.TrimPrefix(link, "https://t.me/suivi_test_bot?start=")
	u := srv.NewUser(9101, "Moussa")
	join(t, u, code, true)
	ben, err := r.app.store.BeneficiaryByTelegram(context.Background(), u.ID())
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.app.store.Plan(context.Background(), ben.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.AdvisorID != advisorID || p.Checkin.Schedule != "0 10 * * MON" || len(p.Meetings) != 2 || p.Checkin.Question == "" {
		t.Fatalf("plan %+v", p)
	}
	first := p.Steps[0].Due.Date
	if want := (domain.Date{Year: 2026, Month: 11, Day: 30}); first != want {
		t.Errorf("template moved to start on %s, want %s", first, want)
	}
	last := p.Steps[len(p.Steps)-1]
	if last.Title != "Appeler le Greta pour Moussa" || last.Owner != domain.OwnerAdvisor || last.Due.Date != (domain.Date{Year: 2026, Month: 12, Day: 20}) {
		t.Errorf("added step %+v", last)
	}

	// A check-in, answered with taps; the advisor receives it once.
	u.SendText("/progres")
	answerCheckin(t, u, "🙂 Bien")
	fwd, err := adv.WaitMessage(wait, has("Point de suivi de Moussa"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fwd.PlainText, "4/5") || !strings.Contains(fwd.PlainText, "Beaucoup") {
		t.Errorf("forward %q", fwd.PlainText)
	}
	// The advisor replies; the beneficiary receives it as from their advisor.
	if _, err := adv.PressButton(fwd.ID, "💬 Répondre"); err != nil {
		t.Fatal(err)
	}
	if _, err := adv.WaitMessage(wait, has("Écrivez votre message pour Moussa")); err != nil {
		t.Fatal(err)
	}
	adv.SendText("Bravo Moussa, on en parle le 10 !")
	got, err := u.WaitMessage(wait, has("Bravo Moussa, on en parle le 10 !"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.PlainText, "Message de Claire") {
		t.Errorf("reply not shown as from the advisor: %q", got.PlainText)
	}
	// And the beneficiary answers back, by voice.
	if _, err := u.PressButton(got.ID, "↩️ Répondre"); err != nil {
		t.Fatal(err)
	}
	_, fileID := u.SendVoice(7)
	voice, err := adv.WaitMessage(wait, func(m telegramtest.Message) bool { return m.Kind == "voice" })
	if err != nil {
		t.Fatal(err)
	}
	if voice.FileID != fileID || !strings.Contains(voice.Caption, "Moussa") {
		t.Errorf("voice %+v", voice)
	}
	r.settle(t, clk)
	fwds := 0
	for _, m := range adv.Messages() {
		if strings.Contains(m.PlainText, "Point de suivi de Moussa") {
			fwds++
		}
	}
	if fwds != 1 {
		t.Errorf("the advisor got the check-in %d times", fwds)
	}
}

// Closing an accompaniment: the beneficiary is told, step reminders stop,
// check-ins come once a month then a last one at six months, and nothing
// after it; then the data is deleted at the end of the retention.
func TestClosingTapersThenDeletes(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	clk := clock.NewFake(time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC))
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	defer srv.Close()
	e := baseEnv(t, srv)
	e["SUIVI_RETENTION_MONTHS"] = "9"
	addAdvisor(t, e, advisorID, "Claire")
	code := importPlan(t, e, clk, writePlan(t, fmt.Sprintf(`beneficiary: {name: Sofia}
advisor: %d
steps:
  - {title: "Constituer le dossier VAE", due: 2027-03-01}
meetings: ["2027-02-10T10:00"]
`, advisorID)))
	r := start(t, e, clk)
	u := srv.NewUser(9201, "Sofia")
	join(t, u, code, true)
	adv := srv.NewUser(advisorID, "Claire")
	ctx := context.Background()
	ben, _ := r.app.store.BeneficiaryByTelegram(ctx, u.ID())

	clk.Set(time.Date(2027, 1, 20, 14, 0, 0, 0, paris)) // a Wednesday
	// Monday's check-in (sent late) answered first, forwarded with the
	// advisor's buttons: more for the erasure to find at the end.
	r.settle(t, clk)
	answerCheckin(t, u, "🙂 Bien")
	if _, err := adv.WaitMessage(wait, has("Point de suivi de Sofia")); err != nil {
		t.Fatal(err)
	}
	adv.SendText("/cloturer sofia")
	press(t, adv, "✅ Oui, clôturer pour Sofia")
	done, err := adv.WaitMessage(wait, has("Accompagnement de Sofia clôturé"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(done.PlainText, "samedi 20 février 2027") || !strings.Contains(done.PlainText, "mardi 20 juillet 2027") ||
		!strings.Contains(done.PlainText, "lundi 20 septembre 2027 à") && !strings.Contains(done.PlainText, "20 octobre 2027") {
		t.Errorf("closing summary: %q", done.PlainText)
	}
	if _, err := u.WaitMessage(wait, has("votre accompagnement se termine")); err != nil {
		t.Fatal(err)
	}
	// Only after-care and retention are scheduled now.
	jobs, _ := r.app.sched.Planned(ctx, ben.ID)
	var kinds []string
	for m := range jobs {
		kinds = append(kinds, m[:1])
	}
	if len(jobs) != 2 || !strings.Contains(strings.Join(kinds, ""), "f") || !strings.Contains(strings.Join(kinds, ""), "x") {
		t.Fatalf("jobs after closing: %v", jobs)
	}

	before := len(u.Messages())
	r.runUntil(t, clk, time.Date(2027, 10, 1, 0, 0, 0, 0, time.UTC))
	var got []time.Time
	for _, m := range u.Messages()[before:] {
		if !strings.Contains(m.PlainText, "Bonjour Sofia") {
			t.Errorf("unexpected message after closing: %q", m.PlainText)
			continue
		}
		got = append(got, m.Date)
	}
	var want []time.Time
	for i := 1; i <= 6; i++ {
		want = append(want, time.Date(2027, time.January+time.Month(i), 20, 10, 0, 0, 0, paris))
	}
	same := len(got) == len(want)
	for i := range got {
		same = same && got[i].Equal(want[i])
	}
	if !same {
		t.Fatalf("after-care check-ins at\n%v\nwant\n%v", got, want)
	}
	if lastMsg := u.Messages()[len(u.Messages())-1]; !strings.Contains(lastMsg.PlainText, "Six mois après") {
		t.Errorf("the last one should say it is the last: %q", lastMsg.PlainText)
	}
	if _, err := r.app.store.Beneficiary(ctx, ben.ID); err != nil {
		t.Fatalf("deleted too early: %v", err)
	}
	// Retention: 9 months after the end, everything is deleted.
	r.runUntil(t, clk, time.Date(2027, 10, 21, 0, 0, 0, 0, time.UTC))
	if _, err := r.app.store.Beneficiary(ctx, ben.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("not deleted after the retention: %v", err)
	}
	if _, err := r.app.store.BeneficiaryByTelegram(ctx, u.ID()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("telegram link kept: %v", err)
	}
	if jobs, _ := r.app.sched.Planned(ctx, ben.ID); len(jobs) != 0 {
		t.Fatalf("jobs kept: %v", jobs)
	}
	// Nothing anywhere in Redis mentions her any more.
	noTrace(t, r.app.store, ben)
}
