package main

import (
	"strings"
	"testing"
)

// A name with an apostrophe and an ampersand reads as typed everywhere:
// in messages (HTML, escaped) and on buttons (plain text, not escaped).
func TestButtonLabelsShowNamesAsTyped(t *testing.T) {
	w := newWorldAt(t, moreStart, nil)
	const name = "N'Diaye & Co"
	w.enrol(t, planSpec{name: name, steps: []stepSpec{{title: "Refaire son CV", due: "2037-03-20"}}}.file(t), 9201, "Awa", true)

	ask := w.sayExpect(t, w.adv, "/cloturer "+name, "Clôturer l'accompagnement de "+name)
	want := "✅ Oui, clôturer pour " + name
	if !hasButton(ask, want) {
		t.Fatalf("no button %q: %s", want, ask)
	}
	for _, row := range ask.Keyboard {
		for _, b := range row {
			if strings.Contains(b.Text, "&amp;") || strings.Contains(b.Text, "&#39;") {
				t.Errorf("button label %q shows HTML escapes", b.Text)
			}
		}
	}
}
