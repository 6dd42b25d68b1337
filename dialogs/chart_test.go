package dialogs

import (
	"fmt"
	"image"
	"testing"

	"suivi/domain"
)

// Names are drawn as written, with a real font: accents are not dropped,
// Cyrillic and Greek names are not question marks.
func TestChartDrawsNamesAsWritten(t *testing.T) {
	img := chartOf(t, domain.French, "Zoé", "Zoe", "Алёна", "?????", "Αλέξης", "Élodie", "Elodie")
	differ := func(i, j int, what string) {
		t.Helper()
		if region(img, nameCell(i)) == region(img, nameCell(j)) {
			t.Errorf("%s: rows %d and %d look the same", what, i, j)
		}
	}
	differ(0, 1, "the accent of Zoé")
	differ(2, 3, "a Cyrillic name and question marks")
	differ(4, 3, "a Greek name and question marks")
	differ(5, 6, "the capital É of Élodie")
	blank := chartOf(t, domain.French, "")
	if region(img, nameCell(2)) == region(blank, nameCell(0)) {
		t.Error("the Cyrillic name drew nothing")
	}
}

// The chart's height is capped: at most ChartMaxRows people, then one row
// that says how many more the digest lists.
func TestChartHeightIsCapped(t *testing.T) {
	var names []string
	for i := range ChartMaxRows + 5 {
		names = append(names, fmt.Sprintf("Personne %d", i))
	}
	if h, want := chartOf(t, domain.French, names...).Bounds().Dy(), ChartHeader+(ChartMaxRows+1)*ChartCellH+ChartPad; h != want {
		t.Errorf("%d people: chart %d pixels high, want %d", len(names), h, want)
	}
	if h, want := chartOf(t, domain.French, names[:3]...).Bounds().Dy(), ChartHeader+3*ChartCellH+ChartPad; h != want {
		t.Errorf("3 people: chart %d pixels high, want %d", h, want)
	}
}

// The chart's words come from the catalog: the week header reads S10 in
// French and W10 in English.
func TestChartWordsFromTheCatalog(t *testing.T) {
	header := image.Rect(ChartNameWidth, 0, ChartNameWidth+2*ChartCellW, ChartHeader)
	fr, en := chartOf(t, domain.French, "Awa"), chartOf(t, domain.English, "Awa")
	if region(fr, header) == region(en, header) {
		t.Error("the week header is the same in French and English")
	}
	if region(fr, nameCell(0)) != region(en, nameCell(0)) {
		t.Error("a name is drawn differently by language")
	}
}
