package catalog_test

import (
	"strings"
	"testing"

	"suivi/catalog"
	"suivi/domain"
)

// Texts say nothing that assumes the gender of the one they speak to or
// about (issue 13): no "vous n'êtes pas seul", "inscrit", "prévenu(e)",
// "il" or "elle" about a person.
func TestTextsAssumeNoGender(t *testing.T) {
	gendered := []string{
		"n'êtes pas seul", "êtes bien inscrit", "êtes déjà suivi", "êtes conseiller", "êtes maintenant conseiller",
		"absent(e)", "prévenu(e)", "en sera informé", "il pourra vous aider", "il sait aussi", "il reçoit aussi",
		"n'est prévenu", "désolé", "content de vous revoir",
	}
	c := catalog.New()
	for _, key := range catalog.Keys(c, domain.French) {
		raw, _ := c.Raw(domain.French, key)
		low := strings.ToLower(raw)
		for _, g := range gendered {
			if strings.Contains(low, g) {
				t.Errorf("fr/%s assumes a gender (%q): %q", key, g, raw)
			}
		}
	}
}
