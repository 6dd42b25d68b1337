package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"suivi/catalog"
	"suivi/domain"
	"suivi/telegramtest"
)

// browserEnv, when "1", makes a missing Chromium a failure (CI installs
// it); otherwise the browser tests skip with a one-line reason.
const browserEnv = "SUIVI_TEST_BROWSER"

// chromium finds Debian's Chromium (or another Chrome) or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(browserEnv) == "1" {
		t.Fatalf("%s=1 but no Chromium on PATH (apt-get install chromium)", browserEnv)
	}
	t.Skipf("no Chromium on PATH: browser test skipped (apt-get install chromium, or set %s=1 to make this a failure)", browserEnv)
	return ""
}

// browser is a headless Chromium on one tab that records every JavaScript
// error and console error of the page.
type browser struct {
	t    *testing.T
	ctx  context.Context
	mu   sync.Mutex
	errs []string
}

func newBrowser(t *testing.T) *browser {
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1440, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg := ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil {
				msg += " " + ex.Description
			}
			b.errs = append(b.errs, "exception: "+msg)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value))
				}
				b.errs = append(b.errs, "console.error: "+strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				b.errs = append(b.errs, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	enableLog := func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, cdplog.Enable, cdp.Empty{})
		return chromedp.Void{}, err
	}
	if err := chromedp.Do(ctx, enableLog); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b.ctx = ctx
	return b
}

// do runs actions, failing the test after a minute.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		path := filepath.Join(b.t.TempDir(), "failure.png")
		if shot, serr := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)); serr == nil && os.WriteFile(path, shot, 0o644) == nil {
			b.t.Logf("screenshot of the failure: %s", path)
		}
		b.t.Fatalf("%s: %v", what, err)
	}
}

// errors returns the page's JavaScript and console errors so far.
func (b *browser) errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errs...)
}

// xq quotes a string for XPath (labels hold apostrophes).
func xq(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	parts := strings.Split(s, "'")
	return "concat('" + strings.Join(parts, `', "'", '`) + "')"
}

// phoneX is the XPath of a phone of the page.
func phoneX(role string) string { return fmt.Sprintf(`//section[@id='phone-%s']`, role) }

// tap presses the newest inline button with this label in a phone.
func (b *browser) tap(role, label string) {
	b.t.Helper()
	x := fmt.Sprintf(`(%s//div[contains(@class,'keyboard')]//button[normalize-space(.)=%s])[last()]`, phoneX(role), xq(label))
	b.do("tap "+label, chromedp.WaitVisible(x), chromedp.Click(x), b.idle())
}

// idle waits until the page has no action under way.
func (b *browser) idle() chromedp.Action[chromedp.Void] {
	return chromedp.WaitNotPresent(`//body[contains(@class,'busy')]`)
}

// type_ types a text into a phone and sends it.
func (b *browser) typeText(role, text string) {
	b.t.Helper()
	input := phoneX(role) + `//form[contains(@class,'composer')]//input`
	send := phoneX(role) + `//form[contains(@class,'composer')]//button[contains(@class,'send')]`
	b.do("type "+text, chromedp.WaitVisible(input), chromedp.SendKeys(input, text), chromedp.Click(send), b.idle())
}

// see waits until a phone shows a message containing text.
func (b *browser) see(role, text string) {
	b.t.Helper()
	b.do("see "+text, chromedp.WaitVisible(fmt.Sprintf(`%s//div[contains(@class,'msg') and contains(., %s)]`, phoneX(role), xq(text))))
}

// countX counts the nodes an XPath expression matches.
func (b *browser) countX(x string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`, x)))
	if err != nil {
		b.t.Fatalf("count %s: %v", x, err)
	}
	return n
}

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
	b.do("keep the day", chromedp.WaitVisible(dayKeep), chromedp.Click(dayKeep), b.idle())
	b.tap(ben, fr(catalog.BtnQuietA))
	b.see(ben, "🌙")

	// A check-in: from the command menu, clicks and one typed text.
	menu := phoneX(ben) + `//button[contains(@class,'menu-btn')]`
	progres := phoneX(ben) + `//div[contains(@class,'menu')]//button[strong='/progres']`
	b.do("/progres from the menu", chromedp.Click(menu), chromedp.WaitVisible(progres), chromedp.Click(progres), b.idle())
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
