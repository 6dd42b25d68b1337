package bot_test

import (
	"strings"
	"testing"

	"suivi/bot"
	"suivi/telegramtest"
)

func TestSplitKeepsPartsValidAndWithinLimit(t *testing.T) {
	line := "<b>Étape</b> avec un emoji 🎉 &amp; du texte"
	var b strings.Builder
	for range 300 {
		b.WriteString(line + "\n")
	}
	long := strings.Repeat("mot ", 1500) + strings.Repeat("x", 5000) + " &amp;fin"
	for _, text := range []string{b.String(), long, "court"} {
		parts := bot.Split(text, 4096)
		var joined strings.Builder
		for _, p := range parts {
			if n := bot.Len(p); n == 0 || n > 4096 {
				t.Fatalf("part of %d UTF-16 units", n)
			}
			if _, err := telegramtest.ParseHTML(p); err != nil {
				t.Fatalf("part is not valid HTML: %v\n%.200s", err, p)
			}
			joined.WriteString(p)
		}
		if strings.Count(joined.String(), "🎉") != strings.Count(text, "🎉") || strings.Count(joined.String(), "x") != strings.Count(text, "x") {
			t.Fatal("text lost in the split")
		}
	}
	if got := bot.Split("court", 4096); len(got) != 1 || got[0] != "court" {
		t.Fatalf("short text split: %q", got)
	}
	if bot.Len("🎉a") != 3 {
		t.Fatalf("Len counts UTF-16 units: %d", bot.Len("🎉a"))
	}
}
