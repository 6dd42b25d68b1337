package dialogs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
)

// Writing to one's advisor first. A beneficiary can write to their advisor
// whenever they like:
//
//   - /ecrire (or "✉️ Écrire à …" in the menu): their next text or voice
//     note goes to the advisor, as a "Répondre" does (flowAnswer, their own
//     choice: the consent for that message);
//   - a text or voice note sent outside any flow is not dropped: it waits,
//     as its own draft (sealed in the conversation's state, kept whatever
//     flow starts or ends, for draftTTL), and Suivi asks, one tap, "Envoyer
//     à <reader>" or "Garder pour moi" (wr:<nonce>:s|k). Each offer sends
//     the message it was made for, and only it; nothing reaches the advisor
//     without that tap.
//
// What is sent goes through news() like any answer to the advisor: to
// whoever reads the advisor's news now (the stand-in during an absence),
// within their working hours (held outside them, the beneficiary told when
// it will be read), under a key fixed per draft: a press handled again, or
// pressed twice, sends it once. The reader named on the offer is the one
// who gets it: if that changed before the tap (an absence began or ended),
// the person is asked again, naming the new reader. The text goes whole
// (the sender splits what Telegram would not take in one message). An
// offer left unanswered holds nothing back: a check-in due meanwhile is
// asked, and the offer still works.

// flowWrite was the flow of an older version's draft (read as no flow).
const flowWrite = "write"

// draftTTL is how long a message waits for its offer's tap; maxDrafts how
// many wait at once (beyond, the oldest offer closes, nothing sent).
const (
	draftTTL  = 24 * time.Hour
	maxDrafts = 20
)

// draft is one message written outside a flow, waiting for a tap.
type draft struct {
	// ID is fixed for the message: its outbox key. Nonce is the offer now
	// showing (its buttons carry it); a new offer gets a new nonce.
	ID     string    `json:"id"`
	Nonce  string    `json:"nonce"`
	Text   string    `json:"text,omitempty"`
	Voice  string    `json:"voice,omitempty"`
	Reader int64     `json:"reader"` // the chat the offer names
	At     time.Time `json:"at"`
	Update int64     `json:"update"` // the update it came in
}

// writeCommand answers /ecrire: the next message goes to the advisor.
func (t *turn) writeCommand(ctx context.Context) error {
	cur, err := t.r.loadState(ctx, t.ben.ID)
	if err != nil {
		return err
	}
	st := &state{Flow: flowAnswer, First: true, Since: t.r.Now()}
	switch {
	case cur != nil && cur.Flow == flowAnswer:
		st = cur
		st.First, st.Since = true, t.r.Now()
	case cur != nil && (cur.Flow == flowCheckin || cur.Flow == flowOnboarding && cur.Stage != stageDone):
		st.Then = cur
	}
	if err := t.r.saveState(ctx, t.ben.ID, st); err != nil {
		return err
	}
	return t.reply(ctx, t.t(catalog.WritePrompt, "advisor", t.r.advisorFor(ctx, t.lang, t.r.advisorChat(ctx, t.ben))), nil)
}

// mayOfferWrite reports whether a message outside a flow can be offered to
// the advisor: not in the middle of the welcome.
func mayOfferWrite(st *state) bool {
	return st == nil || st.Flow == flowOnboarding && st.Stage == stageDone
}

// offerWrite keeps a text or voice note sent outside a flow, as its own
// draft, and asks whether it goes to the advisor.
func (t *turn) offerWrite(ctx context.Context, _ *state, m *models.Message) error {
	text := strings.TrimSpace(m.Text)
	voice := ""
	switch {
	case m.Voice != nil:
		voice = m.Voice.FileID
	case m.Audio != nil:
		voice = m.Audio.FileID
	}
	raw, err := t.r.loadRaw(ctx, t.ben.ID)
	if err != nil {
		return err
	}
	var drafts []draft
	if raw != nil {
		drafts = raw.Drafts
	}
	i := slices.IndexFunc(drafts, func(d draft) bool { return d.Update == t.upd.ID })
	if i < 0 { // else handled again: already a draft
		n := newNonce()
		drafts = append(drafts, draft{ID: n, Nonce: n, Text: text, Voice: voice,
			Reader: t.r.advisorChat(ctx, t.ben), At: t.r.Now(), Update: t.upd.ID})
		if len(drafts) > maxDrafts {
			drafts = drafts[len(drafts)-maxDrafts:]
		}
		if err := t.r.saveDrafts(ctx, t.ben.ID, drafts); err != nil {
			return err
		}
		i = len(drafts) - 1
	}
	body, kb := t.writeOffer(ctx, drafts[i], catalog.WriteOffer)
	if mentionsData(text) {
		body += "\n\n" + t.t(catalog.WriteMyData)
	}
	return t.reply(ctx, body, kb)
}

// writeOffer is the question asked for a draft, naming its reader.
func (t *turn) writeOffer(ctx context.Context, d draft, k catalog.Key) (string, bot.Keyboard) {
	name := t.r.advisorFor(ctx, t.lang, d.Reader)
	return t.t(k, "advisor", name), bot.Keyboard{
		{btn(t.label(catalog.BtnWriteSend, "advisor", name), "wr", d.Nonce, "s")},
		{btn(t.label(catalog.BtnKeep), "wr", d.Nonce, "k")},
	}
}

// mentionsData reports whether a text speaks of one's data or of erasing:
// the answer points to /mesdonnees.
func mentionsData(text string) bool {
	f := fold(text)
	for _, w := range []string{"donnee", "supprim", "effac", "data", "delete", "erase"} {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}

// writeButton handles wr:<nonce>:s (send that offer's message) and
// wr:<nonce>:k (keep it: it is dropped, nothing reaches the advisor).
func (t *turn) writeButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	if len(parts) != 2 || (parts[1] != "s" && parts[1] != "k") {
		return false, "", nil
	}
	raw, err := t.r.loadRaw(ctx, t.ben.ID)
	if err != nil {
		return true, "", err
	}
	if raw == nil {
		return false, "", nil
	}
	drafts := raw.Drafts
	i := slices.IndexFunc(drafts, func(d draft) bool { return d.Nonce == parts[0] })
	if i < 0 {
		return false, "", nil
	}
	d := drafts[i]
	rest := slices.Delete(slices.Clone(drafts), i, i+1)
	if parts[1] == "k" {
		if err := t.edit(ctx, m, t.t(catalog.WriteKept)); err != nil {
			return true, "", err
		}
		return true, "", t.r.saveDrafts(ctx, t.ben.ID, rest)
	}
	reader := t.r.advisorChat(ctx, t.ben)
	if reader != d.Reader {
		// Someone else reads the advisor's news now: ask again, naming them.
		d.Reader, d.Nonce = reader, newNonce()
		drafts = slices.Clone(drafts)
		drafts[i] = d
		if err := t.r.saveDrafts(ctx, t.ben.ID, drafts); err != nil {
			return true, "", err
		}
		body, kb := t.writeOffer(ctx, d, catalog.WriteReaderChanged)
		if m == nil || m.ID == 0 {
			return true, "", t.reply(ctx, body, kb)
		}
		err := t.r.Send.Edit(ctx, t.chat, m.ID, body, kb)
		if errors.Is(err, bot.ErrRejected) || errors.Is(err, bot.ErrBlocked) {
			return true, "", t.reply(ctx, body, kb)
		}
		return true, "", err
	}
	name := t.r.advisorFor(ctx, t.lang, reader)
	key := "write:" + t.ben.ID + ":" + d.ID
	sent, err := t.r.toAdvisor(ctx, t.ben, reader, key, d.Text, d.Voice, true)
	if err != nil {
		return true, "", err
	}
	if err := t.edit(ctx, m, t.t(catalog.WriteSent, "advisor", name)); err != nil {
		return true, "", err
	}
	if err := t.r.whenAdvisorSees(ctx, t.ben, key, sent.Held, reader); err != nil {
		return true, "", err
	}
	// The draft goes last: a press handled again sends under the same keys.
	return true, "", t.r.saveDrafts(ctx, t.ben.ID, rest)
}

// toAdvisor sends a beneficiary's text and/or voice note to whoever reads
// their advisor's news (chat), as news: the text with "Répondre" under key,
// the voice note under key+":voice". first: written first, not an answer.
func (r *Router) toAdvisor(ctx context.Context, ben *domain.Beneficiary, chat int64, key, text, voice string, first bool) (sentNews, error) {
	var out sentNews
	if strings.TrimSpace(text) != "" {
		reply, err := r.benButton(ctx, chat, ben.ID, r.alabel(catalog.BtnReply), "reply")
		if err != nil {
			return out, err
		}
		k := catalog.AnswerFromBen
		if first {
			k = catalog.WriteFromBen
		}
		s, err := r.news(ctx, bot.Outgoing{Key: key, ChatID: chat, Keyboard: bot.Keyboard{{reply}},
			Text: r.at(k, "name", ben.Name, "text", text)}, prioAnswer, false)
		if err != nil {
			return out, err
		}
		out = s
	}
	if voice != "" {
		k := catalog.FwdVoiceFrom
		if first {
			k = catalog.WriteVoiceFromBen
		}
		vkey := key
		if strings.TrimSpace(text) != "" {
			vkey = fmt.Sprintf("%s:voice", key)
		}
		s, err := r.news(ctx, bot.Outgoing{Key: vkey, ChatID: chat, Kind: "voice", FileID: voice,
			Text: r.at(k, "name", ben.Name)}, prioAnswer, false)
		if err != nil {
			return out, err
		}
		if out.Held.IsZero() {
			out.Held = s.Held
		}
		out.New = out.New || s.New
	}
	return out, nil
}
