package sandbox

import (
	"testing"

	"github.com/go-telegram/bot/models"
)

func TestRenderHTML(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plain string
		ents  []models.MessageEntity
		want  string
	}{
		{"escapes everything typed", `<script>alert("x")</script> & co`, nil,
			`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co`},
		{"bold and nested italic", "Bonjour Nadia !",
			[]models.MessageEntity{{Type: "bold", Offset: 0, Length: 15}, {Type: "italic", Offset: 8, Length: 5}},
			"<b>Bonjour <i>Nadia</i> !</b>"},
		// Offsets count UTF-16 units: the emoji is two.
		{"offsets after an emoji", "📊 Quels progrès ?",
			[]models.MessageEntity{{Type: "bold", Offset: 3, Length: 15}},
			"📊 <b>Quels progrès ?</b>"},
		{"code is literal", "tapez /plan ou <code>",
			[]models.MessageEntity{{Type: "code", Offset: 6, Length: 5}},
			`tapez <code>/plan</code> ou &lt;code&gt;`},
		{"commands become buttons", "👉 /plan pour voir votre plan",
			nil, `👉 <button type="button" class="cmd" data-cmd="/plan">/plan</button> pour voir votre plan`},
		{"safe links only", "ici et là",
			[]models.MessageEntity{{Type: "text_link", Offset: 0, Length: 3, URL: "javascript:alert(1)"}, {Type: "text_link", Offset: 7, Length: 2, URL: "https://t.me/x?start=a&b"}},
			`ici et <a href="https://t.me/x?start=a&amp;b" target="_blank" rel="noopener noreferrer">là</a>`},
		{"bare links", "https://t.me/suivi_bot?start=abc.",
			nil, `<a href="https://t.me/suivi_bot?start=abc" target="_blank" rel="noopener noreferrer">https://t.me/suivi_bot?start=abc</a>.`},
		{"out of range entities are ignored", "court",
			[]models.MessageEntity{{Type: "bold", Offset: 2, Length: 40}}, "court"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := renderHTML(tc.plain, tc.ents); got != tc.want {
				t.Errorf("renderHTML(%q)\n got %s\nwant %s", tc.plain, got, tc.want)
			}
		})
	}
}
