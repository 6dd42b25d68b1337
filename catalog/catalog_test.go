package catalog_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"suivi/catalog"
	"suivi/domain"
	"suivi/examples"
	"suivi/telegramtest"
)

// namedKeys are the keys declared as constants in the package's files
// (keys.go, web.go; read from the source, so the list never rots); the code
// looks them up by constant, so each must exist in every language.
var namedKeys = func() []catalog.Key {
	var keys []catalog.Key
	for _, name := range []string{"keys.go", "web.go", "mydata.go", "journeys.go", "problems.go"} {
		keys = append(keys, constKeys(name)...)
	}
	for _, code := range domain.ReasonCodes { // why a plan is refused (problems.go)
		keys = append(keys, catalog.ReasonKey(code))
	}
	return keys
}()

// constKeys reads the string constants of one source file.
func constKeys(name string) []catalog.Key {
	f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
	if err != nil {
		panic(err)
	}
	var keys []catalog.Key
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					k, _ := strconv.Unquote(lit.Value)
					keys = append(keys, catalog.Key(k))
				}
			}
		}
	}
	return keys
}

// builtKeys are the keys the catalog builds from a value (Date, Status, Owner).
func builtKeys() []catalog.Key {
	var keys []catalog.Key
	for d := time.Sunday; d <= time.Saturday; d++ {
		keys = append(keys, catalog.Key(fmt.Sprintf("day.%d", int(d))))
	}
	for m := time.January; m <= time.December; m++ {
		keys = append(keys, catalog.Key(fmt.Sprintf("month.%d", int(m))))
	}
	for _, s := range domain.Statuses {
		keys = append(keys, catalog.Key("status."+string(s)), catalog.Key("icon."+string(s)))
	}
	for _, o := range []domain.Owner{domain.OwnerBeneficiary, domain.OwnerAdvisor} {
		keys = append(keys, catalog.Key("owner."+string(o)))
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		keys = append(keys, catalog.Key(fmt.Sprintf("dayshort.%d", int(d))))
	}
	for i := range 9 { // the zones offered at onboarding
		keys = append(keys, catalog.Key(fmt.Sprintf("zone.%d", i)))
	}
	for _, st := range []domain.State{domain.StateInvited, domain.StateActive, domain.StatePaused, domain.StateStopped, domain.StateBlocked, domain.StateClosed} {
		keys = append(keys, catalog.Key("state."+string(st)))
		if st != domain.StateInvited && st != domain.StateActive {
			keys = append(keys, catalog.Key("dg.state."+string(st)))
		}
	}
	for _, name := range examples.Names() { // the plan templates
		keys = append(keys, catalog.Key("tpl."+name))
	}

	return keys
}

// plainKeys are texts used as values inside other texts or sent without a
// parse mode (command descriptions, callback answers): they must hold no
// markup and nothing that escaping would change.
func plainKeys() []catalog.Key {
	return append(builtKeys(), catalog.CmdStart, catalog.CmdPlan, catalog.CmdHelp, catalog.ButtonClosed)
}

var placeholderRE = regexp.MustCompile(`\{([a-z_]+)\}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// allTexts calls f for every text of every language.
func allTexts(t *testing.T, f func(t *testing.T, lang domain.Lang, key catalog.Key, raw string)) {
	c := catalog.New()
	for _, lang := range c.Langs() {
		for _, key := range catalog.Keys(c, lang) {
			raw, _ := c.Raw(lang, key)
			t.Run(string(lang)+"/"+string(key), func(t *testing.T) { f(t, lang, key, raw) })
		}
	}
}

func TestLangs(t *testing.T) {
	c := catalog.New()
	if diff := cmp.Diff([]domain.Lang{domain.French, domain.English}, c.Langs()); diff != "" {
		t.Errorf("Langs (-want +got):\n%s", diff)
	}
	for _, l := range c.Langs() {
		if !l.Valid() {
			t.Errorf("catalog language %q is not a domain language", l)
		}
	}
}

func TestSameKeysInEveryLanguage(t *testing.T) {
	c := catalog.New()
	fr := catalog.Keys(c, domain.French)
	if len(fr) < len(namedKeys)+len(builtKeys()) {
		t.Fatalf("French has %d keys, fewer than the %d the code uses", len(fr), len(namedKeys)+len(builtKeys()))
	}
	for _, lang := range c.Langs() {
		if diff := cmp.Diff(fr, catalog.Keys(c, lang)); diff != "" {
			t.Errorf("keys of %s differ from French (-fr +%s):\n%s", lang, lang, diff)
		}
		for _, key := range append(slices.Clone(namedKeys), builtKeys()...) {
			s, ok := c.Raw(lang, key)
			if !ok || strings.TrimSpace(s) == "" {
				t.Errorf("%s/%s is missing or empty", lang, key)
			}
		}
	}
	// Every key of the catalog is one the code can look up: no dead text.
	used := append(slices.Clone(namedKeys), builtKeys()...)
	for _, key := range fr {
		if !slices.Contains(used, key) {
			t.Errorf("key %q is neither a constant of keys.go nor built by the catalog", key)
		}
	}
	// Constants are distinct.
	seen := map[catalog.Key]bool{}
	for _, k := range namedKeys {
		if seen[k] {
			t.Errorf("key %q is declared twice", k)
		}
		seen[k] = true
	}
}

func TestSamePlaceholdersInEveryLanguage(t *testing.T) {
	c := catalog.New()
	for _, key := range catalog.Keys(c, domain.French) {
		fr, _ := c.Raw(domain.French, key)
		for _, lang := range c.Langs() {
			other, _ := c.Raw(lang, key)
			if diff := cmp.Diff(placeholders(fr), placeholders(other)); diff != "" {
				t.Errorf("%s: placeholders of %s differ from French (-fr +%s):\n%s", key, lang, lang, diff)
			}
		}
	}
	// A few placeholders the code relies on (see dialogs).
	for key, want := range map[catalog.Key][]string{
		catalog.StartWelcome:  {"name"},
		catalog.StartAgain:    {"name"},
		catalog.PlanStep:      {"icon", "n", "status", "title"},
		catalog.PlanDue:       {"date", "owner"},
		catalog.PlanQuestion:  {"question"},
		catalog.PlanResources: {"list"},
		catalog.TimeAt:        {"time"},
	} {
		fr, _ := c.Raw(domain.French, key)
		if diff := cmp.Diff(want, placeholders(fr)); diff != "" {
			t.Errorf("%s placeholders (-want +got):\n%s", key, diff)
		}
	}
}

// nasty is a sample value with every character HTML cares about.
const nasty = `<b>Tom & "Jerry"</b> l'<i>ami</i> &amp; 1<2>3 {name}`

func TestEveryTextIsValidTelegramHTML(t *testing.T) {
	c := catalog.New()
	allTexts(t, func(t *testing.T, lang domain.Lang, key catalog.Key, raw string) {
		if _, err := telegramtest.ParseHTML(raw); err != nil {
			t.Errorf("template %q is not valid Telegram HTML: %v", raw, err)
		}
		var kv []any
		for _, p := range placeholders(raw) {
			kv = append(kv, p, nasty)
		}
		s := c.T(lang, key, kv...)
		plain, err := telegramtest.ParseHTML(s)
		if err != nil {
			t.Fatalf("filled text is not valid Telegram HTML: %v\n%s", err, s)
		}
		if n := len(utf16.Encode([]rune(plain))); n < 1 || n > 4096 {
			t.Errorf("filled text is %d UTF-16 units long, want 1..4096", n)
		}
		if strings.TrimSpace(plain) == "" {
			t.Errorf("filled text is blank")
		}
		// Every placeholder is replaced, and each value reads as typed.
		if len(kv) > 0 {
			// (Each "{" opens a placeholder or a plural choice; choices
			// become words, not the value.)
			if got, want := strings.Count(plain, nasty), strings.Count(raw, "{")-len(pluralRE.FindAllString(raw, -1)); got != want {
				t.Errorf("the value appears %d times in the text, want %d:\n%s", got, want, plain)
			}
			if left := placeholderRE.FindString(strings.ReplaceAll(plain, nasty, "")); left != "" {
				t.Errorf("placeholder %s is left in %q", left, plain)
			}
		}
	})
}

func TestPlainTexts(t *testing.T) {
	c := catalog.New()
	limits := map[catalog.Key]int{
		// Bot API: command descriptions are 1-256 characters, callback
		// query answers 0-200.
		catalog.CmdStart: 256, catalog.CmdPlan: 256, catalog.CmdHelp: 256,
		catalog.ButtonClosed: 200,
	}
	for _, lang := range c.Langs() {
		for _, key := range plainKeys() {
			s, _ := c.Raw(lang, key)
			// An apostrophe is fine (escaped as &#39;, it reads back as '),
			// but markup, entities, quotes and placeholders are not.
			if strings.ContainsAny(s, "<>&\"{}\n") {
				t.Errorf("%s/%s = %q holds markup, an entity, a placeholder or a newline", lang, key, s)
			}
			if strings.TrimSpace(s) != s || s == "" {
				t.Errorf("%s/%s = %q is empty or has surrounding spaces", lang, key, s)
			}
			if max, ok := limits[key]; ok {
				if n := len(utf16.Encode([]rune(s))); n < 1 || n > max {
					t.Errorf("%s/%s is %d UTF-16 units long, want 1..%d", lang, key, n, max)
				}
			}
		}
	}
}

func TestParseHTMLRejectsBadMarkup(t *testing.T) {
	// The check above is only as good as ParseHTML: make sure it can fail.
	for _, s := range []string{
		"<b>Tom & Jerry</b>",
		"<b>unclosed",
		"1 < 2",
		"<div>x</div>",
		"<b><i>x</b></i>",
		"&nbsp;",
	} {
		if plain, err := telegramtest.ParseHTML(s); err == nil {
			t.Errorf("ParseHTML(%q) = %q, nil; want an error", s, plain)
		}
	}
	plain, err := telegramtest.ParseHTML(`<b>Tom &amp; &quot;Jerry&quot;</b> &lt;3 l&#39;ami <a href="https://x.org/?a=1&amp;b=2">lien</a>`)
	if err != nil || plain != `Tom & "Jerry" <3 l'ami lien` {
		t.Errorf("ParseHTML = %q, %v", plain, err)
	}
}

func TestTEscapesValues(t *testing.T) {
	c := catalog.New()
	got := c.T(domain.English, catalog.StartAgain, "name", "<b>Tom & Jerry</b>")
	want := "Hello again &lt;b&gt;Tom &amp; Jerry&lt;/b&gt;! You are all set."
	if !strings.HasPrefix(got, want) {
		t.Errorf("T = %q, want it to start with %q", got, want)
	}
	// Non-string values are written with fmt and escaped too.
	got = c.T(domain.French, catalog.PlanStep, "icon", "✅", "n", 3, "title", "Q&A", "status", c.Status(domain.French, domain.StatusDone))
	if want := "✅ <b>3. Q&amp;A</b>\nFait"; got != want {
		t.Errorf("T(plan.step) = %q, want %q", got, want)
	}
	got = c.T(domain.French, catalog.PlanDue, "date", fmt.Stringer(domain.Date{Year: 2027, Month: 1, Day: 12}), "owner", errString("a<b"))
	if want := "📅 2027-01-12 · a&lt;b"; got != want {
		t.Errorf("T with a Stringer and an error = %q, want %q", got, want)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestTInsertsHTMLValuesRaw(t *testing.T) {
	c := catalog.New()
	got := c.T(domain.French, catalog.PlanQuestion, "question", catalog.HTML("<b>Et vous ?</b>"))
	if want := "💬 Votre question à chaque point : <i><b>Et vous ?</b></i>"; got != want {
		t.Errorf("T with HTML = %q, want %q", got, want)
	}
	if _, err := telegramtest.ParseHTML(got); err != nil {
		t.Errorf("T with HTML gives invalid HTML: %v", err)
	}
}

func TestTReplacesOnce(t *testing.T) {
	c := catalog.New()
	// A value that looks like a placeholder is not replaced again.
	got := c.T(domain.English, catalog.PlanStep, "icon", "•", "n", 1, "title", "{status}", "status", "Done")
	if want := "• <b>1. {status}</b>\nDone"; got != want {
		t.Errorf("T = %q, want %q", got, want)
	}
	// Unknown names are ignored, missing ones stay as written.
	got = c.T(domain.English, catalog.StartAgain, "nom", "Léa")
	if !strings.HasPrefix(got, "Hello again {name}!") {
		t.Errorf("T with an unknown name = %q", got)
	}
}

func TestTFallbacks(t *testing.T) {
	c := catalog.New()
	fr, _ := c.Raw(domain.French, catalog.PlanTitle)
	en, _ := c.Raw(domain.English, catalog.PlanTitle)
	if fr == en {
		t.Fatal("French and English titles are the same; the test cannot tell them apart")
	}
	for _, lang := range []domain.Lang{"", "de", "FR"} {
		if got := c.T(lang, catalog.PlanTitle); got != fr {
			t.Errorf("T(%q) = %q, want the French %q", lang, got, fr)
		}
	}
	if got := c.T(domain.English, catalog.PlanTitle); got != en {
		t.Errorf("T(en) = %q, want %q", got, en)
	}
	for _, lang := range []domain.Lang{domain.French, domain.English, "de"} {
		if got := c.T(lang, "no.such.key", "name", "x"); got != "no.such.key" {
			t.Errorf("T(%q, unknown key) = %q, want the key", lang, got)
		}
	}
	if _, ok := c.Raw(domain.English, "no.such.key"); ok {
		t.Error("Raw of an unknown key reports ok")
	}
	if _, ok := c.Raw("de", catalog.PlanTitle); ok {
		t.Error("Raw of an unknown language reports ok")
	}
}

func TestDates(t *testing.T) {
	c := catalog.New()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	d := domain.Date{Year: 2027, Month: time.January, Day: 12}
	tests := []struct {
		lang domain.Lang
		got  string
		want string
	}{
		{domain.French, c.Date(domain.French, d), "mardi 12 janvier 2027"},
		{domain.English, c.Date(domain.English, d), "Tuesday 12 January 2027"},
		{domain.French, c.DateTime(domain.French, domain.DateTime{Date: d, Hour: 9, Minute: 30, HasTime: true}), "mardi 12 janvier 2027 à 09:30"},
		{domain.English, c.DateTime(domain.English, domain.DateTime{Date: d, Hour: 9, Minute: 30, HasTime: true}), "Tuesday 12 January 2027 at 09:30"},
		{domain.French, c.DateTime(domain.French, domain.DateTime{Date: d}), "mardi 12 janvier 2027"},
		{domain.French, c.DateTime(domain.French, domain.DateTime{Date: domain.Date{Year: 2026, Month: time.August, Day: 2}, HasTime: true}), "dimanche 2 août 2026 à 00:00"},
		{domain.English, c.DateTime(domain.English, domain.DateTime{Date: domain.Date{Year: 2026, Month: time.December, Day: 31}, Hour: 23, Minute: 5, HasTime: true}), "Thursday 31 December 2026 at 23:05"},
		{domain.French, c.Instant(domain.French, time.Date(2027, 1, 12, 8, 30, 0, 0, time.UTC), paris), "mardi 12 janvier 2027 à 09:30"},
		{domain.English, c.Instant(domain.English, time.Date(2027, 1, 12, 23, 30, 0, 0, time.UTC), paris), "Wednesday 13 January 2027 at 00:30"},
		{"de", c.Date("de", d), "mardi 12 janvier 2027"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.lang, tc.got, tc.want)
		}
	}
	// Every day and month has its own name.
	for _, lang := range c.Langs() {
		names := map[string]bool{}
		for i := range 7 {
			names[c.Date(lang, d.AddDays(i))] = true
		}
		for m := time.January; m <= time.December; m++ {
			names[c.Date(lang, domain.Date{Year: 2027, Month: m, Day: 1})] = true
		}
		if len(names) != 7+12 {
			t.Errorf("%s: %d distinct dates for 7 days and 12 months", lang, len(names))
		}
		for n := range names {
			if strings.Contains(n, "day.") || strings.Contains(n, "month.") {
				t.Errorf("%s: date %q shows a raw key", lang, n)
			}
		}
	}
}

func TestStatusAndOwnerLabels(t *testing.T) {
	c := catalog.New()
	for _, lang := range c.Langs() {
		seen := map[string]domain.Status{}
		for _, s := range domain.Statuses {
			label := c.Status(lang, s)
			if label == "status."+string(s) || label == "" {
				t.Errorf("%s: no label for status %s", lang, s)
			}
			if other, dup := seen[label]; dup {
				t.Errorf("%s: statuses %s and %s share the label %q", lang, s, other, label)
			}
			seen[label] = s
		}
		b, a := c.Owner(lang, domain.OwnerBeneficiary), c.Owner(lang, domain.OwnerAdvisor)
		if b == a || strings.HasPrefix(b, "owner.") || strings.HasPrefix(a, "owner.") {
			t.Errorf("%s: owner labels %q / %q", lang, b, a)
		}
	}
	if got := c.Status(domain.English, domain.StatusInProgress); got != "In progress" {
		t.Errorf("English in_progress = %q", got)
	}
	if got := c.Status(domain.French, domain.StatusBlocked); got != "Bloqué" {
		t.Errorf("French blocked = %q", got)
	}
}

// Suivi accompanies people who may be struggling: no text may blame them.
func TestToneNeverBlames(t *testing.T) {
	blaming := map[domain.Lang][]string{
		domain.French: {
			"échec", "vous êtes en retard", "êtes encore en retard", "toujours pas",
			"encore raté", "vous n'avez pas", "vous avez oublié", "vous auriez dû",
			"inacceptable", "dernier avertissement",
		},
		domain.English: {
			"you failed", "failure", "you still haven't", "late again", "you are late",
			"you're late", "you forgot", "you should have", "unacceptable", "final warning",
		},
	}
	normalize := func(s string) string {
		return strings.ToLower(strings.NewReplacer("’", "'", "\u00a0", " ", "\u202f", " ").Replace(s))
	}
	c := catalog.New()
	for _, lang := range c.Langs() {
		for _, key := range catalog.Keys(c, lang) {
			raw, _ := c.Raw(lang, key)
			text := normalize(raw)
			// Guard every language against every list: a French phrase
			// pasted into the English catalog is just as bad.
			for _, words := range blaming {
				for _, w := range words {
					if strings.Contains(text, normalize(w)) {
						t.Errorf("%s/%s contains the blaming phrase %q: %q", lang, key, w, raw)
					}
				}
			}
		}
	}
	// The guard itself works.
	if !strings.Contains(normalize("Vous n’avez PAS envoyé"), normalize("vous n'avez pas")) {
		t.Error("normalize does not fold case and apostrophes")
	}
}

// pluralRE matches a plural choice {n:one|other} of a template.
var pluralRE = regexp.MustCompile(`\{([a-z_]+):([^{}|]*)\|([^{}|]*)\}`)

// Counts are written with their plural forms: a template chooses only on
// values the code passes for that key (those of the French text; a language
// whose word does not change needs no choice), each choice is well formed,
// and the form follows the language's rule (French: 0 and 1 singular;
// English: 1).
func TestPluralForms(t *testing.T) {
	c := catalog.New()
	choices := func(s string) []string {
		var out []string
		for _, m := range pluralRE.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	for _, key := range catalog.Keys(c, domain.French) {
		fr, _ := c.Raw(domain.French, key)
		for _, lang := range c.Langs() {
			raw, _ := c.Raw(lang, key)
			for _, name := range choices(raw) {
				if !slices.Contains(placeholders(fr), name) && !slices.Contains(choices(fr), name) {
					t.Errorf("%s/%s chooses on %q, a value the code does not give", lang, key, name)
				}
			}
			// Outside choices, no "|" and no "{x:" is left half-written.
			if rest := pluralRE.ReplaceAllString(raw, ""); strings.Contains(rest, "|") || regexp.MustCompile(`\{[a-z_]+:`).MatchString(rest) {
				t.Errorf("%s/%s: a malformed plural choice in %q", lang, key, raw)
			}
		}
	}
	for _, c2 := range []struct {
		lang domain.Lang
		key  catalog.Key
		kv   []any
		want string
	}{
		{domain.French, catalog.DgCount, []any{"n", 1, "urgent", 0}, "1 personne suivie · 🔴 0 à voir en priorité"},
		{domain.French, catalog.DgCount, []any{"n", 0, "urgent", 0}, "0 personne suivie · 🔴 0 à voir en priorité"},
		{domain.French, catalog.DgCount, []any{"n", 2, "urgent", 1}, "2 personnes suivies · 🔴 1 à voir en priorité"},
		{domain.English, catalog.DgCount, []any{"n", 1, "urgent", 0}, "1 person followed · 🔴 0 to look at first"},
		{domain.English, catalog.DgCount, []any{"n", 0, "urgent", 0}, "0 people followed · 🔴 0 to look at first"},
		{domain.French, catalog.DgSilent, []any{"n", int64(1)}, "🔇 1 point sans réponse"},
		{domain.English, catalog.DgSilent, []any{"n", 3}, "🔇 3 check-ins unanswered"},
		{domain.French, catalog.RvSent, []any{"name", "Awa", "n", 1}, "✔️ Message envoyé à Awa : 1 changement."},
		{domain.French, catalog.DgCount, []any{"n", "beaucoup", "urgent", 0}, "beaucoup personnes suivies · 🔴 0 à voir en priorité"},
	} {
		if got := c.T(c2.lang, c2.key, c2.kv...); got != c2.want {
			t.Errorf("%s/%s %v = %q, want %q", c2.lang, c2.key, c2.kv, got, c2.want)
		}
	}
}

// labelKey reports whether a key's text is shown as plain text: a button
// label (Catalog.Plain), a CSV word, a chart label.
func labelKey(k catalog.Key) bool {
	switch k {
	case catalog.HourLabel, catalog.AnsMuch, catalog.AnsSome, catalog.AnsNotYet:
		return true
	}
	for _, p := range []string{"btn.", "score.", "tpl.", "zone.", "day.", "dayshort.", "state.", "icon.", "chart.", "csv.", "dg.icon_", "dg.trend_", "mdoc."} {
		if strings.HasPrefix(string(k), p) {
			return true
		}
	}
	return false
}

// Button labels and other plain texts hold no markup and no entity: Plain
// puts values in as they are, and the template itself shows as written.
func TestLabelsArePlainText(t *testing.T) {
	c := catalog.New()
	n := 0
	for _, lang := range c.Langs() {
		for _, key := range catalog.Keys(c, lang) {
			if !labelKey(key) {
				continue
			}
			n++
			raw, _ := c.Raw(lang, key)
			if strings.ContainsAny(raw, "<>&\n") {
				t.Errorf("%s/%s = %q: a label holds markup, an entity or a newline", lang, key, raw)
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d label texts found: labelKey is out of date", n)
	}
	// Values go in as typed.
	if got := c.Plain(domain.French, catalog.BtnCloseOK, "name", "N'Diaye & Co"); got != "✅ Oui, clôturer pour N'Diaye & Co" {
		t.Errorf("Plain: %q", got)
	}
	if got := c.T(domain.French, catalog.BtnCloseOK, "name", "N'Diaye & Co"); got != "✅ Oui, clôturer pour N&#39;Diaye &amp; Co" {
		t.Errorf("T still escapes for HTML: %q", got)
	}
}
