package dialogs

import (
	"context"
	"fmt"
	"strings"

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
//   - a text or voice note sent outside any flow is not dropped: it waits in
//     the conversation's state (sealed, like every draft) and Suivi asks,
//     one tap, "Envoyer à <advisor>" or "Garder pour moi" (wr:<nonce>:s|k).
//     Nothing reaches the advisor without that tap.
//
// What is sent goes through news() like any answer to the advisor: to
// whoever reads the advisor's news now (the stand-in during an absence),
// within their working hours (held outside them, the beneficiary told when
// it will be read), under a key made of the draft's nonce: a press handled
// again, or pressed twice, sends it once. A check-in due meanwhile waits for
// the choice (deferWhileAnswering), then comes.

const flowWrite = "write"

// maxDraft bounds what one message to the advisor carries, in characters.
const maxDraft = 3000

// writeCommand answers /ecrire: the next message goes to the advisor.
func (t *turn) writeCommand(ctx context.Context) error {
	cur, err := t.r.loadState(ctx, t.ben.ID)
	if err != nil {
		return err
	}
	st := &state{Flow: flowAnswer, First: true}
	switch {
	case cur != nil && cur.Flow == flowAnswer:
		st = cur
		st.First = true
	case cur != nil && cur.Flow == flowWrite:
		st.Pending = cur.Pending // the draft is dropped: they write anew
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
	return st == nil || st.Flow == flowWrite || st.Flow == flowOnboarding && st.Stage == stageDone
}

// offerWrite keeps a text or voice note sent outside a flow and asks
// whether it goes to the advisor. Several messages in a row make one draft.
func (t *turn) offerWrite(ctx context.Context, st *state, m *models.Message) error {
	text := strings.TrimSpace(m.Text)
	voice := ""
	switch {
	case m.Voice != nil:
		voice = m.Voice.FileID
	case m.Audio != nil:
		voice = m.Audio.FileID
	}
	if st == nil || st.Flow != flowWrite {
		st = &state{Flow: flowWrite, Nonce: newNonce()}
	}
	if st.LastUpdate != t.upd.ID { // handled again: already in the draft
		if text != "" {
			st.Draft = truncate(strings.TrimSpace(st.Draft+"\n"+text), maxDraft)
		}
		if voice != "" {
			st.DraftVoice = voice
		}
		st.LastUpdate = t.upd.ID
		if err := t.r.saveState(ctx, t.ben.ID, st); err != nil {
			return err
		}
	}
	name := t.r.advisorFor(ctx, t.lang, t.r.advisorChat(ctx, t.ben))
	body := t.t(catalog.WriteOffer, "advisor", name)
	if mentionsData(text) {
		body += "\n\n" + t.t(catalog.WriteMyData)
	}
	return t.reply(ctx, body, bot.Keyboard{
		{btn(t.label(catalog.BtnWriteSend, "advisor", name), "wr", st.Nonce, "s")},
		{btn(t.label(catalog.BtnKeep), "wr", st.Nonce, "k")},
	})
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

// writeButton handles wr:<nonce>:s (send the draft) and wr:<nonce>:k (keep
// it: it is dropped, nothing reaches the advisor).
func (t *turn) writeButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	if len(parts) != 2 || (parts[1] != "s" && parts[1] != "k") {
		return false, "", nil
	}
	st, err := t.r.loadState(ctx, t.ben.ID)
	if err != nil {
		return true, "", err
	}
	if st == nil || st.Flow != flowWrite || st.Nonce != parts[0] {
		return false, "", nil
	}
	reader := t.r.advisorChat(ctx, t.ben)
	name := t.r.advisorFor(ctx, t.lang, reader)
	if parts[1] == "k" {
		if err := t.edit(ctx, m, t.t(catalog.WriteKept)); err != nil {
			return true, "", err
		}
		return true, "", t.endAnswer(ctx, st)
	}
	key := "write:" + t.ben.ID + ":" + st.Nonce
	sent, err := t.r.toAdvisor(ctx, t.ben, reader, key, st.Draft, st.DraftVoice, true)
	if err != nil {
		return true, "", err
	}
	if err := t.edit(ctx, m, t.t(catalog.WriteSent, "advisor", name)); err != nil {
		return true, "", err
	}
	if err := t.r.whenAdvisorSees(ctx, t.ben, key, sent.Held, reader); err != nil {
		return true, "", err
	}
	// The state goes last: a press handled again sends under the same keys.
	return true, "", t.endAnswer(ctx, st)
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
			Text: r.at(k, "name", ben.Name, "text", truncate(text, maxDraft))}, prioAnswer, false)
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
