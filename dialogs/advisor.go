package dialogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/go-telegram/bot/models"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/store"
)

// The advisor's side. Every command and every button is checked against the
// advisor's own caseload (their beneficiaries, and those of an advisor they
// stand in for during an absence): a name is looked up among them only, and
// a button carries a token from the presser's own table (store.Ref), never
// an id a user could edit.
//
//	/beneficiaires        the caseload, who needs attention first
//	/plan NOM             a beneficiary's plan, with actions
//	/nouveauplan          create a plan, guided (newplan.go)
//	/modifier NOM         revise a plan (revise.go)
//	/relancer NOM         send a check-in now
//	/digest               the weekly digest now (digest.go)
//	/export               a CSV of check-ins and step history
//	/cloturer NOM         end the accompaniment (after-care follows)
//	/absence              name a stand-in for a period (absence.go)
//	/nom [NOM]            the name the advisor's beneficiaries read (asked on the first /start)
//	/inviterconseiller    (admins) a single-use link that makes an advisor
//	/annuler              stop the current guided conversation

// advState is where an advisor's current conversation stands.
type advState struct {
	Flow  string `json:"flow"`
	Nonce string `json:"nonce"`
	Stage string `json:"stage,omitempty"`
	// Ben is the beneficiary a reply or a revision is about.
	Ben string `json:"ben,omitempty"`
	// Draft is the plan being created.
	Draft *domain.Plan `json:"draft,omitempty"`
	// Step is the step being revised; Changes what the revision did.
	Step    int              `json:"step,omitempty"`
	Changes []domain.Revised `json:"changes,omitempty"`
	// StandIn is the stand-in chosen for an absence.
	StandIn int64 `json:"stand_in,omitempty"`
	// Code is the invite of the plan just created (kept so that a retry
	// sends the same link and QR code).
	Code string `json:"code,omitempty"`
}

const (
	advFlowNewPlan = "newplan"
	advFlowRevise  = "revise"
	advFlowReply   = "reply"
	advFlowAbsence = "absence"
	advFlowName    = "name"
	advStateTTL    = 24 * time.Hour
)

func (r *Router) loadAdvState(ctx context.Context, id int64) (*advState, error) {
	b, err := r.Store.AdvisorState(ctx, id)
	if err != nil || b == nil {
		return nil, err
	}
	s := new(advState)
	if json.Unmarshal(b, s) != nil {
		return nil, nil
	}
	return s, nil
}

func (r *Router) saveAdvState(ctx context.Context, id int64, s *advState) error {
	if s == nil {
		return r.Store.SetAdvisorState(ctx, id, nil, 0)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode advisor state: %w", err)
	}
	return r.Store.SetAdvisorState(ctx, id, b, advStateTTL)
}

// advisorCommands are refused, politely, to anyone who is not an advisor.
func isAdvisorCommand(name string) bool {
	switch name {
	case "beneficiaires", "bénéficiaires", "nouveauplan", "modifier", "relancer", "digest", "export",
		"cloturer", "clôturer", "absence", "inviterconseiller", "annuler", "bureau", "deconnexion", "déconnexion", "nom":
		return true
	}
	return false
}

// at returns an advisor-facing text (advisors read French).
func (t *turn) at(key catalog.Key, kv ...any) string { return t.r.Catalog.T(advisorLang, key, kv...) }

// alabel is a button label for an advisor: plain text, values as typed.
func (t *turn) alabel(key catalog.Key, kv ...any) string {
	return t.r.Catalog.Plain(advisorLang, key, kv...)
}

// label is a button label in the turn's language: plain text, values as
// typed (a button shows "N'Diaye & Co", never "N&#39;Diaye &amp; Co").
func (t *turn) label(key catalog.Key, kv ...any) string { return t.r.Catalog.Plain(t.lang, key, kv...) }

// areply sends a reply to an advisor.
func (t *turn) areply(ctx context.Context, text string, kb bot.Keyboard) error {
	return t.reply(ctx, text, kb)
}

// onAdvisorCommand handles an advisor's command; handled is false for a
// command that is not the advisor's.
func (t *turn) onAdvisorCommand(ctx context.Context, name, arg string) (bool, error) {
	if t.adv == nil {
		if isAdvisorCommand(name) {
			return true, t.reply(ctx, t.t(catalog.AdvOnly), nil)
		}
		return false, nil
	}
	switch name {
	case "beneficiaires", "bénéficiaires":
		return true, t.listCaseload(ctx)
	case "plan":
		if arg == "" && t.role == beneficiary {
			return false, nil
		}
		return true, t.withBeneficiary(ctx, arg, "plan", t.advisorPlan)
	case "nouveauplan":
		return true, t.newPlan(ctx)
	case "modifier":
		return true, t.withBeneficiary(ctx, arg, "revise", t.revise)
	case "relancer":
		return true, t.withBeneficiary(ctx, arg, "nudge", t.sendCheckinNow)
	case "digest":
		return true, t.digestNow(ctx)
	case "export":
		return true, t.export(ctx, arg)
	case "cloturer", "clôturer":
		return true, t.withBeneficiary(ctx, arg, "close", t.askClose)
	case "absence":
		return true, t.absence(ctx, arg)
	case "bureau":
		return true, t.bureau(ctx)
	case "deconnexion", "déconnexion":
		return true, t.logout(ctx)
	case "inviterconseiller":
		return true, t.inviteAdvisor(ctx)
	case "nom":
		return true, t.nameCommand(ctx, arg)
	case "annuler":
		if err := t.r.saveAdvState(ctx, t.adv.ID, nil); err != nil {
			return true, err
		}
		return true, t.areply(ctx, t.at(catalog.AdvCancelled), nil)
	}
	return false, nil
}

// caseload returns the beneficiaries an advisor may see and act on now:
// their own, and during an absence those of the advisor they stand in for.
func (r *Router) caseload(ctx context.Context, adv *domain.Advisor) ([]*domain.Beneficiary, error) {
	owners := []int64{adv.ID}
	advs, err := r.Store.Advisors(ctx)
	if err != nil {
		return nil, err
	}
	now := r.Now()
	for _, a := range advs {
		if a.ID != adv.ID && a.Reader(now) == adv.ID {
			owners = append(owners, a.ID)
		}
	}
	var out []*domain.Beneficiary
	for _, o := range owners {
		ids, err := r.Store.AdvisorBeneficiaries(ctx, o)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			b, err := r.Store.Beneficiary(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if b.AdvisorID == o {
				out = append(out, b)
			}
		}
	}
	slices.SortFunc(out, func(a, b *domain.Beneficiary) int { return strings.Compare(fold(a.Name), fold(b.Name)) })
	return out, nil
}

// mayAct reports whether advisor adv may see and act on ben now.
func (r *Router) mayAct(ctx context.Context, adv *domain.Advisor, ben *domain.Beneficiary) bool {
	if ben.AdvisorID == adv.ID {
		return true
	}
	owner, err := r.Store.Advisor(ctx, ben.AdvisorID)
	return err == nil && owner.Reader(r.Now()) == adv.ID
}

// fold makes a name comparable: lower case, no accents.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// withBeneficiary finds the beneficiary named arg in the advisor's caseload
// and runs fn on them. No name, or several matches: buttons to choose (each
// a token of the advisor's own); none: a message that names nobody else.
func (t *turn) withBeneficiary(ctx context.Context, arg, action string, fn func(context.Context, *domain.Beneficiary) error) error {
	all, err := t.r.caseload(ctx, t.adv)
	if err != nil {
		return err
	}
	var found []*domain.Beneficiary
	want := fold(arg)
	for _, b := range all {
		if want != "" && fold(b.Name) == want {
			found = append(found, b)
		}
	}
	if len(found) == 0 && want != "" {
		for _, b := range all {
			if strings.HasPrefix(fold(b.Name), want) {
				found = append(found, b)
			}
		}
	}
	if len(found) == 1 {
		return fn(ctx, found[0])
	}
	if want == "" {
		found = all
	}
	if len(found) == 0 {
		return t.areply(ctx, t.at(catalog.AdvNobody), nil)
	}
	var kb bot.Keyboard
	for _, b := range found[:min(len(found), 30)] {
		tok, err := t.r.Store.Ref(ctx, t.adv.ID, "ben:"+b.ID)
		if err != nil {
			return err
		}
		kb = append(kb, []bot.Button{{Text: b.Name + " · " + t.alabel(catalog.Key("state."+string(b.State))), Data: data("av", tok, action)}})
	}
	return t.areply(ctx, t.at(catalog.AdvWhich), kb)
}

func (r *Router) stateLabel(b *domain.Beneficiary) string {
	return r.at(catalog.Key("state." + string(b.State)))
}

// benButton makes an advisor's button about a beneficiary.
func (r *Router) benButton(ctx context.Context, advID int64, ben, text, action string) (bot.Button, error) {
	tok, err := r.Store.Ref(ctx, advID, "ben:"+ben)
	if err != nil {
		return bot.Button{}, err
	}
	return bot.Button{Text: text, Data: data("av", tok, action)}, nil
}

// advisorButton handles "av:<token>:<action>": the token is resolved in
// the presser's own table, and the beneficiary checked against their
// caseload again.
func (t *turn) advisorButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	if t.adv == nil || len(parts) < 2 {
		return false, "", nil
	}
	v, ok, err := t.r.Store.ResolveRef(ctx, t.adv.ID, parts[0])
	if err != nil || !ok {
		return false, "", err
	}
	kind, id, _ := strings.Cut(v, ":")
	if kind == "adv" {
		return t.absenceButton(ctx, m, id, parts[1:])
	}
	if kind != "ben" {
		return false, "", nil
	}
	b, err := t.r.Store.Beneficiary(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, "", nil
	}
	if err != nil {
		return true, "", err
	}
	if !t.r.mayAct(ctx, t.adv, b) {
		t.r.Log.Warn("advisor button on a beneficiary not theirs", "advisor", t.adv.ID, "beneficiary", b.ID)
		return false, "", nil
	}
	switch parts[1] {
	case "plan":
		return true, "", t.advisorPlan(ctx, b)
	case "reply":
		return true, "", t.startReply(ctx, b)
	case "revise":
		return true, "", t.revise(ctx, b)
	case "nudge":
		return true, "", t.sendCheckinNow(ctx, b)
	case "close":
		return true, "", t.askClose(ctx, b)
	case "closeok":
		return true, "", t.confirmClose(ctx, m, b)
	case "invite":
		return true, "", t.reinvite(ctx, b)
	}
	if strings.HasPrefix(parts[1], "rv") {
		return t.reviseButton(ctx, m, b, parts[1:])
	}
	if len(parts) == 2 && len(parts[1]) > 2 && (strings.HasPrefix(parts[1], "ao") || strings.HasPrefix(parts[1], "ap") || strings.HasPrefix(parts[1], "aw")) {
		return t.ownStepButton(ctx, m, b, parts[1])
	}
	return false, "", nil
}

// advisorPlan shows a beneficiary's plan to their advisor.
func (t *turn) advisorPlan(ctx context.Context, b *domain.Beneficiary) error {
	p, err := t.r.Store.Plan(ctx, b.ID)
	if err != nil {
		return err
	}
	var row []bot.Button
	for _, a := range []struct {
		key    catalog.Key
		action string
	}{{catalog.BtnRevise, "revise"}, {catalog.BtnNudge, "nudge"}, {catalog.BtnReply, "reply"}} {
		btn, err := t.r.benButton(ctx, t.adv.ID, b.ID, t.alabel(a.key), a.action)
		if err != nil {
			return err
		}
		row = append(row, btn)
	}
	head := t.at(catalog.AdvPlanHead, "name", b.Name, "state", t.r.stateLabel(b), "id", b.ID)
	return t.areply(ctx, head+"\n\n"+t.r.advisorPlanView(b, p), bot.Keyboard{row})
}

// sendCheckinNow answers /relancer: the check-in starts in the
// beneficiary's lane (relance), which tells the advisor how it went.
func (t *turn) sendCheckinNow(ctx context.Context, b *domain.Beneficiary) error {
	return t.r.push(ctx, b, fmt.Sprintf("relance:%s:%d", b.ID, t.upd.ID), evRelance, advisorAct{Advisor: t.adv.ID, Ben: b.ID})
}

// relance offers a check-in now, at an advisor's request: unless the
// person is not followed, still in the welcome, or has answered this week.
func (r *Router) relance(ctx context.Context, ev *store.Event, adv *domain.Advisor, b *domain.Beneficiary) error {
	if !b.Followed() {
		return r.tellAdvisor(ctx, ev, adv.ID, r.at(catalog.AdvNotFollowed, "name", b.Name, "state", r.stateLabel(b)))
	}
	if busy, err := r.onboarding(ctx, b.ID); err != nil || busy {
		if err != nil {
			return err
		}
		return r.tellAdvisor(ctx, ev, adv.ID, r.at(catalog.AdvOnboarding, "name", b.Name))
	}
	p, err := r.Store.Plan(ctx, b.ID)
	if err != nil {
		return err
	}
	c, _, err := r.startCheckin(ctx, b, p, r.weekOf(b, r.Now()), false)
	if err != nil {
		return err
	}
	if c.Done() {
		return r.tellAdvisor(ctx, ev, adv.ID, r.at(catalog.AdvAlreadyDone, "name", b.Name))
	}
	q, step := next(c, p)
	text, kb := r.checkinQuestion(b.Language, b, c, p, q, step)
	if _, err := r.Outbox.Enqueue(ctx, bot.Outgoing{
		Key: ev.ID, ChatID: b.TelegramID, Keyboard: kb,
		Text: r.Catalog.T(b.Language, catalog.CiIntroAdvisor, "name", b.Name) + "\n\n" + text,
	}); err != nil {
		return err
	}
	return r.tellAdvisor(ctx, ev, adv.ID, r.at(catalog.AdvNudged, "name", b.Name))
}

// mayReinvite reports whether b may get a new invite: not joined yet, the
// accompaniment going on (store.NewInvite's rule).
func mayReinvite(b *domain.Beneficiary) bool {
	return b.TelegramID == 0 && b.State == domain.StateInvited && b.Ended.IsZero() && b.Erasing.IsZero()
}

// reinvite makes a new invite for someone who has not joined yet (their
// link lost or expired) and hands it over with its QR code; the old link
// stops working. The button handled again hands over the same link.
func (t *turn) reinvite(ctx context.Context, b *domain.Beneficiary) error {
	inv, err := t.r.Store.NewInvite(ctx, b.ID, fmt.Sprintf("u%d", t.upd.ID), t.r.Now(), t.r.InviteTTL)
	switch {
	case errors.Is(err, store.ErrJoined):
		return t.areply(ctx, t.at(catalog.AdvInviteJoined, "name", b.Name), nil)
	case errors.Is(err, store.ErrEnded):
		return t.areply(ctx, t.at(catalog.AdvInviteEnded, "name", b.Name), nil)
	case err != nil:
		return err
	}
	t.r.Log.Info("invite made again", "beneficiary", b.ID, "advisor", t.adv.ID)
	return t.sendLink(ctx, catalog.AdvInviteNew, b.Name, inv)
}

// inviteAdvisor answers /inviterconseiller (admins only).
func (t *turn) inviteAdvisor(ctx context.Context) error {
	if !t.adv.Admin && !t.r.admins[t.adv.ID] {
		return t.areply(ctx, t.at(catalog.AdminOnly), nil)
	}
	inv, err := t.r.Store.NewAdvisorInvite(ctx, t.adv.ID, t.r.Now(), 7*24*time.Hour)
	if err != nil {
		return err
	}
	return t.areply(ctx, t.at(catalog.AdvInviteLink, "link", t.r.deepLink(inv.Code)), nil)
}

// deepLink is the t.me link that opens the bot with a start code.
func (r *Router) deepLink(code string) string {
	return "https://t.me/" + r.BotUsername + "?start=" + code
}

// joinAsAdvisor handles /start a_<code>.
func (t *turn) joinAsAdvisor(ctx context.Context, code string) error {
	a, err := t.r.Store.RedeemAdvisorInvite(ctx, code, t.user.ID, strings.TrimSpace(t.user.FirstName), t.r.Now())
	if err != nil {
		return t.inviteRefused(ctx, err)
	}
	t.adv = a
	if err := t.r.Sched.SyncAdvisor(ctx, a.ID); err != nil {
		return err
	}
	t.publishAdvisorMenu(ctx)
	if strings.TrimSpace(a.Name) == "" {
		if err := t.reply(ctx, t.at(catalog.AdvWelcomeAny)+"\n\n"+t.advisorHelp(), nil); err != nil {
			return err
		}
		return t.askAdvisorName(ctx)
	}
	return t.reply(ctx, t.at(catalog.AdvWelcome, "name", a.Name)+"\n\n"+t.advisorHelp(), nil)
}

// advisorHelp is the advisors' /aide: admins also invite advisors.
func (t *turn) advisorHelp() string {
	text := t.at(catalog.HelpAdvisor)
	if t.adv != nil && (t.adv.Admin || t.r.admins[t.adv.ID]) {
		text += "\n\n" + t.at(catalog.HelpAdmin)
	}
	return text
}

// askAdvisorName asks an advisor how the people they support will call
// them; their next text is their name.
func (t *turn) askAdvisorName(ctx context.Context) error {
	if err := t.r.saveAdvState(ctx, t.adv.ID, &advState{Flow: advFlowName, Nonce: newNonce()}); err != nil {
		return err
	}
	return t.areply(ctx, t.at(catalog.AdvAskName), nil)
}

// nameCommand answers /nom [NAME]: with a name, it is stored; without,
// it is asked.
func (t *turn) nameCommand(ctx context.Context, arg string) error {
	if strings.TrimSpace(arg) == "" {
		return t.askAdvisorName(ctx)
	}
	return t.setAdvisorName(ctx, arg)
}

// setAdvisorName stores the name the advisor gave (on their profile:
// created for an admin known only by configuration).
func (t *turn) setAdvisorName(ctx context.Context, text string) error {
	name := strings.Join(strings.Fields(text), " ")
	if domain.ValidName(name) != nil {
		return t.areply(ctx, t.at(catalog.AdvNameBad, "max", domain.MaxNameLen), nil)
	}
	if _, err := t.r.Store.EnsureAdvisor(ctx, &domain.Advisor{ID: t.adv.ID, Admin: t.adv.Admin, Created: t.r.Now().UTC()}); err != nil {
		return err
	}
	a, err := t.r.Store.UpdateAdvisor(ctx, t.adv.ID, func(a *domain.Advisor) error {
		a.Name = name
		return nil
	})
	if err != nil {
		return err
	}
	t.adv = a
	if err := t.r.saveAdvState(ctx, t.adv.ID, nil); err != nil {
		return err
	}
	t.r.Log.Info("advisor named", "advisor", a.ID)
	return t.areply(ctx, t.at(catalog.AdvNameSet, "name", name), nil)
}

// onAdvisorMessage takes a text or voice an advisor sends outside a
// command: the next answer of a guided conversation, or a reply to relay.
func (t *turn) onAdvisorMessage(ctx context.Context, m *models.Message) (bool, error) {
	st, err := t.r.loadAdvState(ctx, t.adv.ID)
	if err != nil || st == nil {
		return false, err
	}
	switch st.Flow {
	case advFlowReply:
		return true, t.relayToBeneficiary(ctx, st, m)
	case advFlowNewPlan:
		if st.Stage == npDone {
			return false, nil
		}
		return true, t.newPlanInput(ctx, st, m.Text)
	case advFlowRevise:
		return true, t.reviseInput(ctx, st, m.Text)
	case advFlowAbsence:
		return true, t.absenceInput(ctx, st, m.Text)
	case advFlowName:
		if strings.TrimSpace(m.Text) == "" {
			return true, t.areply(ctx, t.at(catalog.AdvNameBad, "max", domain.MaxNameLen), nil)
		}
		return true, t.setAdvisorName(ctx, m.Text)
	}
	return false, nil
}

// flowBeneficiary returns the beneficiary an advisor's guided conversation
// is about, checked again against their caseload; nil (the conversation
// ended, the advisor told) when they were deleted or are no longer theirs.
func (t *turn) flowBeneficiary(ctx context.Context, st *advState) (*domain.Beneficiary, error) {
	b, err := t.r.Store.Beneficiary(ctx, st.Ben)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if err := t.r.saveAdvState(ctx, t.adv.ID, nil); err != nil {
			return nil, err
		}
		return nil, t.areply(ctx, t.at(catalog.AdvNobody), nil)
	case err != nil:
		return nil, err
	case !t.r.mayAct(ctx, t.adv, b):
		return nil, t.r.saveAdvState(ctx, t.adv.ID, nil)
	}
	return b, nil
}

// startReply: the advisor's next message goes to the beneficiary.
func (t *turn) startReply(ctx context.Context, b *domain.Beneficiary) error {
	if b.TelegramID == 0 || b.State == domain.StateBlocked || b.State == domain.StateStopped {
		return t.areply(ctx, t.at(catalog.AdvNotFollowed, "name", b.Name, "state", t.r.stateLabel(b)), nil)
	}
	if err := t.r.saveAdvState(ctx, t.adv.ID, &advState{Flow: advFlowReply, Nonce: newNonce(), Ben: b.ID}); err != nil {
		return err
	}
	return t.areply(ctx, t.at(catalog.AdvReplyPrompt, "name", b.Name), nil)
}

// relayToBeneficiary sends the advisor's text or voice to the beneficiary,
// shown as from their advisor, with a button to answer back.
func (t *turn) relayToBeneficiary(ctx context.Context, st *advState, m *models.Message) error {
	b, err := t.flowBeneficiary(ctx, st)
	if b == nil || err != nil {
		return err
	}
	voice := ""
	if m.Voice != nil {
		voice = m.Voice.FileID
	}
	if voice == "" && strings.TrimSpace(m.Text) == "" {
		return t.areply(ctx, t.at(catalog.AdvReplyTextOnly), nil)
	}
	if err := t.r.relay(ctx, t.adv, b, fmt.Sprintf("relay:%d:%d", t.adv.ID, t.upd.ID), m.Text, voice); err != nil {
		return err
	}
	// The state goes last: a retry (the reply failed) relays again, and the
	// outbox key keeps the message from doubling.
	if err := t.areply(ctx, t.at(catalog.AdvReplySent, "name", b.Name), nil); err != nil {
		return err
	}
	return t.r.saveAdvState(ctx, t.adv.ID, nil)
}

// answerAdvisor: the beneficiary pressed "Répondre" under a message of
// their advisor; their next text or voice goes to the advisor (their own
// choice: this is consent for that message).
func (t *turn) answerAdvisor(ctx context.Context) error {
	cur, err := t.r.loadState(ctx, t.ben.ID)
	if err != nil {
		return err
	}
	st := &state{Flow: flowAnswer, Since: t.r.Now()}
	switch {
	case cur != nil && cur.Flow == flowAnswer:
		st = cur // pressed again: keep what waits
		st.Since = t.r.Now()
	case cur != nil && (cur.Flow == flowCheckin || cur.Flow == flowOnboarding && cur.Stage != stageDone):
		st.Then = cur // back to it once the message is sent
	}
	if err := t.r.saveState(ctx, t.ben.ID, st); err != nil {
		return err
	}
	return t.reply(ctx, t.t(catalog.AnswerPrompt), nil)
}

// endAnswer closes the message to the advisor: what waited for it runs (a
// check-in that came due), else the conversation it interrupted comes back.
func (t *turn) endAnswer(ctx context.Context, st *state) error {
	if st.Pending != nil {
		if err := t.r.handleEvent(ctx, st.Pending, false); err != nil {
			return err
		}
		cur, err := t.r.loadState(ctx, t.ben.ID)
		if err != nil || cur == nil || cur.Flow != flowAnswer {
			return err // the pending conversation took over
		}
	}
	if st.Then == nil {
		return t.r.saveState(ctx, t.ben.ID, nil)
	}
	if err := t.r.saveState(ctx, t.ben.ID, st.Then); err != nil {
		return err
	}
	return t.comeBack(ctx, st.Then)
}

// comeBack asks again the question of an interrupted conversation.
func (t *turn) comeBack(ctx context.Context, st *state) error {
	if st.Flow == flowOnboarding {
		return t.ask(ctx, st)
	}
	p, err := t.r.Store.Plan(ctx, t.ben.ID)
	if err != nil {
		return err
	}
	c, err := t.r.Store.CheckIn(ctx, t.ben.ID, st.Week)
	if errors.Is(err, store.ErrNotFound) || err == nil && !c.Open() {
		return t.r.saveState(ctx, t.ben.ID, nil)
	}
	if err != nil {
		return err
	}
	return t.askNext(ctx, c, p)
}

// relay sends an advisor's text or voice note to a beneficiary, from
// their advisor, with a button to answer (queued once per key). Telegram's
// "Répondre" and the web desk's reply both come here.
func (r *Router) relay(ctx context.Context, adv *domain.Advisor, b *domain.Beneficiary, key, text, voice string) error {
	name := strings.TrimSpace(adv.Name)
	if name == "" {
		name = r.Catalog.Plain(b.Language, catalog.YourAdvisor)
	}
	out := bot.Outgoing{Key: key, ChatID: b.TelegramID,
		Keyboard: bot.Keyboard{{{Text: r.Catalog.Plain(b.Language, catalog.BtnAnswerAdvisor), Data: "rp:adv"}}}}
	if voice != "" {
		out.Kind, out.FileID, out.Keyboard = "voice", voice, nil
		out.Text = r.Catalog.T(b.Language, catalog.RelayVoiceCaption, "name", name)
	} else {
		out.Text = r.Catalog.T(b.Language, catalog.RelayFromAdvisor, "name", name, "text", truncate(text, 3000))
	}
	_, err := r.Outbox.Enqueue(ctx, out)
	return err
}

// relayToAdvisor sends the beneficiary's text or voice to their advisor
// (an answer, or a message written first with /ecrire).
func (t *turn) relayToAdvisor(ctx context.Context, st *state, m *models.Message) error {
	chat := t.r.advisorChat(ctx, t.ben)
	key := fmt.Sprintf("answer:%s:%d", t.ben.ID, t.upd.ID)
	text, voice := "", ""
	switch {
	case m.Voice != nil:
		voice = m.Voice.FileID
	case m.Audio != nil:
		voice = m.Audio.FileID
	case strings.TrimSpace(m.Text) != "":
		text = m.Text
	default:
		return t.reply(ctx, t.t(catalog.CiUnreadable), nil)
	}
	sent, err := t.r.toAdvisor(ctx, t.ben, chat, key, text, voice, st.First)
	if err != nil {
		return err
	}
	done := t.t(catalog.AnswerSent)
	if st.First {
		done = t.t(catalog.WriteSent, "advisor", t.r.advisorFor(ctx, t.lang, chat))
	}
	if err := t.reply(ctx, done, nil); err != nil {
		return err
	}
	if err := t.r.whenAdvisorSees(ctx, t.ben, key, sent.Held, chat); err != nil {
		return err
	}
	return t.endAnswer(ctx, st)
}
