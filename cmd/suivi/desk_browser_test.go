package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDeskInTheBrowser: an advisor with 30 people signs in with the link
// /bureau gives, finds the ones who need her first at the top, looks one
// up, changes a step's date, and the person hears of it in Telegram. No
// JavaScript error; a screenshot for the README (SUIVI_SCREENSHOT_DIR).
func TestDeskInTheBrowser(t *testing.T) {
	b := newBrowser(t)
	w, _ := deskWorld(t, deskStart, nil)
	names := []string{"Inès", "Moussa", "Karim", "Nadia", "Sofia", "Teddy", "Awa", "Bob", "Chloé", "Dylan",
		"Emma", "Farid", "Gaëlle", "Hugo", "Ilyes", "Jade", "Kenza", "Lina", "Malik", "Noé",
		"Océane", "Paul", "Quentin", "Rania", "Sami", "Tom", "Ugo", "Véra", "Wassim", "Yasmine"}
	people := map[string]string{}
	for i, name := range names {
		path := stepPlan(t, name, "", [2]string{"Refaire son CV", "2037-03-20"}, [2]string{"Visite du CIO", "2037-03-27"})
		u := w.enrol(t, path, int64(9600+i), name, true)
		people[name] = w.ben(t, u).ID
		if name == "Malik" || name == "Rania" {
			u.SendText("/progres")
			answerCheckinWith(t, u, btnHelpYes)
		}
	}
	w.settle(t)
	lina := w.srv.NewUser(9617, "Lina")

	link := bureauLink(t, w, w.adv)
	b.do("sign in with the link", chromedp.Navigate(link), chromedp.WaitVisible(`//table[contains(@class,'cases')]`))
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('table.cases tbody th a')).map(a => a.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 30 {
		t.Fatalf("%d rows, want the 30 people", len(rows))
	}
	if top := strings.Join(rows[:2], ","); top != "Malik,Rania" {
		t.Errorf("the first rows are %s, want the two who asked for help", top)
	}
	shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}

	// Find Lina, open her plan, move her first step.
	b.do("search", chromedp.SendKeys(`//input[@name='q']`, "lina"), chromedp.Click(`//form[contains(@class,'filters')]//button[@type='submit']`),
		// Lina is on the first page too: wait for the page of the search
		// (its box holds the query) before counting its rows.
		chromedp.WaitVisible(`//input[@name='q' and @value='lina']`),
		chromedp.WaitVisible(`//table[contains(@class,'cases')]//a[normalize-space(.)='Lina']`))
	if n := b.countX(`//table[contains(@class,'cases')]/tbody/tr`); n != 1 {
		t.Fatalf("the search shows %d rows, want Lina's", n)
	}
	b.do("open Lina", chromedp.Click(`//a[normalize-space(.)='Lina']`), chromedp.WaitVisible(`//h1[starts-with(normalize-space(.),'Lina')]`))
	step := `//li[@id='step-1']`
	b.do("edit the step", chromedp.Click(step+`//summary[normalize-space(.)='Modifier cette étape']`), chromedp.WaitVisible(step+`//input[@name='due']`))
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("#step-1 input[name=due]").value = "2037-03-31"`)); err != nil {
		t.Fatal(err)
	}
	b.do("save", chromedp.Click(step+`//button[normalize-space(.)='Enregistrer']`), chromedp.WaitVisible(`//p[contains(@class,'notice')]`))
	w.settle(t)
	if got := w.plan(t, people["Lina"]).Step(1).Due.String(); got != "2037-03-31" {
		t.Fatalf("Lina's step is due %s after the change", got)
	}
	notice := containing(lina.Messages(), "a mis à jour votre plan")
	if len(notice) != 1 || !strings.Contains(notice[0].PlainText, "31 mars 2037") {
		t.Fatalf("Lina was not told once of the new date: %s", dump(lina.Messages()))
	}

	dir := os.Getenv("SUIVI_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "desk.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if errs := b.errors(); len(errs) > 0 {
		t.Errorf("JavaScript errors on the desk:\n%s", strings.Join(errs, "\n"))
	}
}
