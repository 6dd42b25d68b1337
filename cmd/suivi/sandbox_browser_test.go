package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"suivi/catalog"
	"suivi/domain"
	"suivi/telegramtest"
)

// TestSandboxInTheBrowser plays the first minutes of Suivi in the sandbox's
// page, as a visitor would, with clicks: the invitation, onboarding, a
// check-in with one typed answer, the forward and the advisor's reply, a
// week later the reminders and the weekly check-in, and the digest chart.
// It fails on any JavaScript error and saves a screenshot (in
// SUIVI_SCREENSHOT_DIR when set: the README's picture comes from here).
func TestSandboxInTheBrowser(t *testing.T) {
	b := newBrowser(t)
	s := startSandbox(t, "")
	c := catalog.New()
	fr := func(k catalog.Key, kv ...any) string {
		plain, err := telegramtest.ParseHTML(c.T(domain.French, k, kv...))
		if err != nil {
			t.Fatal(err)
		}
		return plain
	}
	label := func(k catalog.Key) string { s, _ := c.Raw(domain.French, k); return s }
	ben, adv := "beneficiary", "advisor"

	b.do("open the page", chromedp.Navigate(s.url), chromedp.WaitVisible(`//section[@id='phone-beneficiary' and @aria-label='`+strings.ReplaceAll(label(catalog.SbPhoneOf), "{name}", "Nadia")+`']`))
	openInvite := fmt.Sprintf(`%s//button[normalize-space(.)=%s]`, phoneX(ben), xq(label(catalog.SbOpenInvite)))
	b.do("open the invitation", chromedp.WaitVisible(openInvite), chromedp.Click(openInvite), b.idle())

	// Onboarding with clicks only.
	b.tap(ben, fr(catalog.BtnConsentYes))
	b.tap(ben, "🇫🇷 Français")
	b.tap(ben, fr(catalog.BtnZoneKeep))
	dayKeep := fmt.Sprintf(`(%s//div[contains(@class,'keyboard')]//button[starts-with(normalize-space(.), %s)])[last()]`, phoneX(ben), xq(strings.Split(fr(catalog.BtnDayKeep, "next", "X"), "X")[0]))
	b.click("keep the day", dayKeep)
	b.tap(ben, fr(catalog.BtnQuietA))
	b.see(ben, "🌙")

	// A check-in: from the command menu, clicks and one typed text.
	menu := phoneX(ben) + `//button[contains(@class,'menu-btn')]`
	progres := phoneX(ben) + `//div[contains(@class,'menu')]//button[strong='/progres']`
	b.do("open the menu", chromedp.Click(menu))
	b.click("/progres from the menu", progres)
	b.see(ben, "Quels progrès")
	b.tap(ben, fr(catalog.Score4))
	typed := "J'ai visité une résidence avec la gardienne."
	b.typeText(ben, typed)
	b.tap(ben, fr(catalog.BtnShare))
	// Each open step's status, then "anything to add?".
	lastMsg := fmt.Sprintf(`(%s//div[contains(@class,'msg')])[last()]`, phoneX(ben))
	hasButton := func(label string) string {
		return fmt.Sprintf(`%s[.//button[normalize-space(.)=%s]]`, lastMsg, xq(label))
	}
	for range 10 {
		b.do("a step or the last questions", chromedp.WaitVisible(hasButton(fr(catalog.BtnInProgress))+" | "+hasButton(fr(catalog.BtnNothing))))
		if b.countX(hasButton(fr(catalog.BtnInProgress))) == 0 {
			break
		}
		b.tap(ben, fr(catalog.BtnInProgress))
	}
	b.tap(ben, fr(catalog.BtnNothing))
	b.tap(ben, fr(catalog.BtnHelpNo))

	// The forward arrives in the advisor's phone; the advisor replies.
	b.see(adv, typed)
	b.tap(adv, fr(catalog.BtnReply))
	reply := "Bravo Nadia, on en parle au prochain rendez-vous !"
	b.typeText(adv, reply)
	b.see(ben, reply)

	// A week later: the step's reminders and the weekly check-in.
	scoreQ := fmt.Sprintf(`%s//div[contains(@class,'msg') and contains(., 'Quels progrès')]`, phoneX(ben))
	if n := b.countX(scoreQ); n != 1 {
		t.Fatalf("%d score questions before the week, want 1", n)
	}
	week := fmt.Sprintf(`//button[@data-advance='168h' and normalize-space(.)=%s]`, xq(label(catalog.SbPlusWeek)))
	b.do("+1 semaine", chromedp.Click(week), b.idle())
	b.do("the reminders and the check-in", chromedp.WaitVisible(fmt.Sprintf(`%s//div[contains(@class,'msg') and starts-with(normalize-space(.), '⏰')]`, phoneX(ben))))
	b.do("the weekly check-in", chromedp.WaitVisible(fmt.Sprintf(`(%s)[2]`, scoreQ)))

	// The digest and its chart, on demand.
	imgs := phoneX(adv) + `//div[contains(@class,'msg')]//img`
	before := b.countX(imgs)
	b.typeText(adv, "/digest")
	b.do("the digest chart", chromedp.WaitVisible(fmt.Sprintf(`(%s)[%d]`, imgs, before+1)))
	loaded, err := chromedp.Run(b.ctx, chromedp.Poll[bool](fmt.Sprintf(`(() => { const i = document.evaluate(%q, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null); const img = i.snapshotItem(i.snapshotLength-1); return !!img && img.complete && img.naturalWidth > 0; })()`, imgs), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !loaded {
		t.Errorf("the digest chart did not load: %v", err)
	}

	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("SUIVI_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "sandbox.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
	t.Logf("screenshot: %s", path)
	if errs := b.errors(); len(errs) > 0 {
		t.Errorf("JavaScript errors on the page:\n%s", strings.Join(errs, "\n"))
	}
}
