package dialogs

import (
	"testing"

	"suivi/domain"
)

// The chart writes "Léo" as Léo however the name was typed: a name in
// decomposed form (e + U+0301, as some keyboards send it) is drawn like the
// composed one, accent included, not as "Leo".
func TestChartKeepsAccentsOfDecomposedNames(t *testing.T) {
	img := chartOf(t, domain.French, "Léo", "Le\u0301o", "Leo")
	if region(img, nameCell(1)) != region(img, nameCell(0)) {
		t.Error(`"Le\u0301o" is not drawn as "Léo"`)
	}
	if region(img, nameCell(1)) == region(img, nameCell(2)) {
		t.Error(`"Le\u0301o" is drawn as "Leo"`)
	}
}
