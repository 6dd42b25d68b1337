package catalog_test

import (
	"regexp"
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
	// The advisor is a "conseiller" or a name: no adjective or participle
	// that agrees with it ("votre conseiller est prévenu", "{advisor} est
	// absent", review 13).
	agreeing := regexp.MustCompile(`(conseiller|\{advisor\}|\{standin\})( ne)? (est|sera|serait|était|a été|n'est|n'a pas été)( pas| bien| déjà| aussi| maintenant)? (prévenu|informé|averti|absent|occupé|ravi|content|prêt|parti|revenu|arrivé|joint|tenu|désolé|seul)([^\p{L}]|$)`)
	c := catalog.New()
	for _, key := range catalog.Keys(c, domain.French) {
		raw, _ := c.Raw(domain.French, key)
		low := strings.ToLower(raw)
		for _, g := range gendered {
			if strings.Contains(low, g) {
				t.Errorf("fr/%s assumes a gender (%q): %q", key, g, raw)
			}
		}
		if m := agreeing.FindString(low); m != "" {
			t.Errorf("fr/%s gives the advisor a gender (%q): %q", key, m, raw)
		}
	}
}
