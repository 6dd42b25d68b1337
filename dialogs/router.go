// Package dialogs holds Suivi's conversations: who is writing (beneficiary,
// advisor or stranger), what they asked for, and what Suivi answers. Each
// conversation reads top to bottom like the exchange it implements; state
// that must outlive one message lives in Redis through the store (see
// state.go). Every text comes from the catalog.
//
// Replies to an update are sent at once, each under a key derived from the
// update id, so handling an update again (after a crash) does not send them
// twice. Messages that start from Suivi (reminders, questions, forwards to
// the advisor) go through the durable outbox under deterministic keys.
//
// One writer per beneficiary. Everything that changes a beneficiary —
// dialog state, plan, profile, check-ins, pause, blocked — happens in that
// beneficiary's lane of the inbox (store.BeneficiaryLane: their chat), one
// thing at a time, in order with their own messages. Whoever else has a
// change to make pushes an event into that lane (store.Event, with a
// deterministic id) instead of writing: the scheduler (what is due), an
// advisor's action from their own chat (/relancer, /cloturer, /modifier),
// the outbox (a chat that blocked the bot). HandleEvent handles them with
// the same dispatcher as Telegram updates (events.go). A check-in due while
// the person is writing to their advisor waits for the message to be sent
// (state.Pending); an advisor's message answered in the middle of a
// check-in comes back to the check-in afterwards (state.Then). No component
// calls back into the one that called it: the parts are built in one pass.
package dialogs

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/reminders"
	"suivi/store"
)

// Sender is what dialogs need of the outbound path for immediate replies.
type Sender interface {
	Send(ctx context.Context, m bot.Message) (int, error)
	SendLong(ctx context.Context, m bot.Message) (int, error)
	Edit(ctx context.Context, chat int64, messageID int, text string, kb bot.Keyboard) error
	EditKeyboard(ctx context.Context, chat int64, messageID int, kb bot.Keyboard) error
	Answer(ctx context.Context, queryID, text string) error
	SendPhoto(ctx context.Context, chat int64, key, name string, data []byte, caption string) (int, error)
	SendDocument(ctx context.Context, chat int64, key, name string, data []byte, caption string) (int, error)
	SetChatCommands(ctx context.Context, chat int64, cmds []models.BotCommand) error
}

// Queue is the durable outbox.
type Queue interface {
	Enqueue(ctx context.Context, m bot.Outgoing) (bool, error)
}

// EventQueue takes a change into the lane of the one it is about.
type EventQueue interface {
	Push(ctx context.Context, ev store.Event) (bool, error)
}

// Scheduler recomputes reminders after a change: a beneficiary's, or an
// advisor's digest.
type Scheduler interface {
	Sync(ctx context.Context, benID string) error
	SyncAdvisor(ctx context.Context, advisorID int64) error
	EnsureAdvisor(ctx context.Context, advisorID int64) error
	HoldRelease(ctx context.Context, advisorID int64, at time.Time) error
	// NextCheckin is when a beneficiary's next check-in is sent (with
	// change applied to their settings first, when set).
	NextCheckin(ctx context.Context, benID string, change func(*domain.Beneficiary)) (time.Time, bool, error)
}

// Deps are the parts a Router works with.
type Deps struct {
	Store   *store.Store
	Send    Sender
	Outbox  Queue
	Events  EventQueue
	Sched   Scheduler
	Catalog *catalog.Catalog
	Now     func() time.Time
	Log     *slog.Logger
	// Admins are Telegram user ids with every advisor right.
	Admins []int64
	// DefaultZone is used when a beneficiary's zone is unknown, and for
	// advisors.
	DefaultZone *time.Location
	// BotUsername builds invite links (t.me/<BotUsername>?start=...).
	BotUsername string
	// InviteTTL is how long an invite made in Telegram stays valid.
	InviteTTL time.Duration
	// PublicURL is where the web desk is reached (SUIVI_PUBLIC_URL,
	// without a trailing slash); empty: /bureau says the desk is off.
	PublicURL string
	// Work are the advisors' working hours unless they set their own
	// (SUIVI_WORKING_HOURS); WorkLimited false: news come at any hour.
	Work        domain.WorkHours
	WorkLimited bool
	// RetentionMonths is how long data is kept after an accompaniment ends.
	RetentionMonths int
	// CheckinGrace is how long a check-in left unfinished waits for a new
	// answer before what was answered goes to the advisor
	// (SUIVI_CHECKIN_GRACE; the scheduler's job has the same).
	CheckinGrace time.Duration
}

// Router dispatches each update and each lane event to its conversation.
// It implements bot.Handler.
type Router struct {
	Deps
	admins map[int64]bool
}

// New returns a Router.
func New(d Deps) *Router {
	r := &Router{Deps: d, admins: map[int64]bool{}}
	for _, id := range d.Admins {
		r.admins[id] = true
	}
	if r.DefaultZone == nil {
		r.DefaultZone = time.UTC
	}
	if r.InviteTTL <= 0 {
		r.InviteTTL = 14 * 24 * time.Hour
	}
	if r.RetentionMonths <= 0 {
		r.RetentionMonths = 24
	}
	if r.CheckinGrace <= 0 {
		r.CheckinGrace = reminders.DefaultCheckinGrace
	}
	return r
}

// role is who a Telegram user is to Suivi.
type role int

const (
	stranger role = iota
	beneficiary
	advisor
)

// turn is one update being handled: who sent it, in which language to
// answer, and a counter that gives each reply a deterministic key.
type turn struct {
	r       *Router
	upd     *models.Update
	chat    int64
	user    *models.User
	role    role
	ben     *domain.Beneficiary
	adv     *domain.Advisor
	lang    domain.Lang
	replies int
}

func (t *turn) t(key catalog.Key, kv ...any) string { return t.r.Catalog.T(t.lang, key, kv...) }

// reply sends a text (split if long) to the turn's chat. A chat that
// blocked the bot is marked so and the reply dropped.
func (t *turn) reply(ctx context.Context, text string, kb bot.Keyboard) error {
	key := fmt.Sprintf("u%d.%d", t.upd.ID, t.replies)
	t.replies++
	_, err := t.r.Send.SendLong(ctx, bot.Message{ChatID: t.chat, Text: text, Keyboard: kb, Key: key})
	if errors.Is(err, bot.ErrBlocked) {
		// This is the chat's own lane: mark it here.
		return t.r.markBlocked(ctx, t.chat)
	}
	return err
}

// edit replaces the text of the message a button was pressed on, dropping
// its keyboard: the answer is visible and the buttons can't be pressed again.
func (t *turn) edit(ctx context.Context, m *models.Message, text string) error {
	if m == nil || m.ID == 0 {
		return nil
	}
	err := t.r.Send.Edit(ctx, t.chat, m.ID, text, nil)
	if errors.Is(err, bot.ErrRejected) || errors.Is(err, bot.ErrBlocked) {
		// Too old to edit, or deleted: the answer still counts.
		return nil
	}
	return err
}

// escaped returns a message's text (as Telegram gives it, without markup)
// ready to be sent again as HTML.
func escaped(m *models.Message) string {
	if m == nil {
		return ""
	}
	return html.EscapeString(m.Text)
}

// HandleUpdate implements bot.Handler.
func (r *Router) HandleUpdate(ctx context.Context, upd *models.Update) error {
	switch {
	case upd.Message != nil:
		if upd.Message.Chat.Type != models.ChatTypePrivate || upd.Message.From == nil {
			return nil // Suivi only talks in private chats.
		}
		t, err := r.newTurn(ctx, upd, upd.Message.Chat.ID, upd.Message.From)
		if err != nil {
			return err
		}
		return t.onMessage(ctx, upd.Message)
	case upd.CallbackQuery != nil:
		cq := upd.CallbackQuery
		t, err := r.newTurn(ctx, upd, bot.ChatOf(upd), &cq.From)
		if err != nil {
			return err
		}
		return t.onCallback(ctx, cq)
	case upd.MyChatMember != nil:
		return r.onMembership(ctx, upd.MyChatMember)
	}
	// Edited messages and the like: nothing to answer.
	return nil
}

func (r *Router) newTurn(ctx context.Context, upd *models.Update, chat int64, from *models.User) (*turn, error) {
	t := &turn{r: r, upd: upd, chat: chat, user: from, lang: domain.French}
	if strings.HasPrefix(from.LanguageCode, "en") {
		t.lang = domain.English
	}
	// One round trip says who they are (two for a beneficiary: the profile).
	ben, adv, err := r.Store.Who(ctx, from.ID)
	if err != nil {
		return nil, err
	}
	if ben != nil && !ben.Erasing.IsZero() {
		// An erasure cut short: finished now, and they are a stranger.
		if err := r.finishErasure(ctx, ben); err != nil {
			return nil, err
		}
		ben = nil
	}
	if ben != nil {
		t.role, t.ben, t.lang = beneficiary, ben, ben.Language
	}
	switch {
	case adv != nil:
		t.adv = adv
	case r.admins[from.ID]:
		t.adv = &domain.Advisor{ID: from.ID, Admin: true}
	}
	if t.adv != nil && t.role == stranger {
		t.role = advisor
	}
	return t, nil
}

// command splits "/start@suivi_bot abc" into "start" and "abc".
func command(text string) (name, arg string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	word, rest, _ := strings.Cut(text[1:], " ")
	word, _, _ = strings.Cut(word, "@")
	return strings.ToLower(word), strings.TrimSpace(rest), true
}

func (t *turn) onMessage(ctx context.Context, m *models.Message) error {
	if name, arg, ok := command(m.Text); ok {
		return t.onCommand(ctx, name, arg)
	}
	if t.role != beneficiary {
		if t.adv != nil {
			if handled, err := t.onAdvisorMessage(ctx, m); handled || err != nil {
				return err
			}
			return t.reply(ctx, t.advisorHelp(), nil)
		}
		return t.reply(ctx, t.t(catalog.HelpStranger), nil)
	}
	st, err := t.r.loadState(ctx, t.ben.ID)
	if err != nil {
		return err
	}
	if st != nil {
		switch st.Flow {
		case flowCheckin:
			if handled, err := t.checkinMessage(ctx, st, m); handled || err != nil {
				return err
			}
		case flowOnboarding:
			if st.LastUpdate == t.upd.ID {
				return t.reask(ctx, st)
			}
			if st.Stage == stageZoneTyp && m.Text != "" {
				return t.typedZone(ctx, st, m.Text)
			}
			if welcoming(st) {
				return t.finishFirst(ctx, st)
			}
		case flowAnswer:
			return t.relayToAdvisor(ctx, st, m)
		}
	}
	switch {
	case (m.Voice != nil || m.Audio != nil || strings.TrimSpace(m.Text) != "") && mayOfferWrite(st):
		// Not dropped: offered to the advisor, sent only if they say so.
		return t.offerWrite(ctx, st, m)
	case m.Voice != nil || m.Audio != nil || m.VideoNote != nil:
		return t.reply(ctx, t.t(catalog.FallbackVoice), progresButton(t))
	case m.Text != "":
		return t.reply(ctx, t.t(catalog.FallbackText), progresButton(t))
	default:
		return t.reply(ctx, t.t(catalog.FallbackMedia), nil)
	}
}

func progresButton(t *turn) bot.Keyboard {
	return bot.Keyboard{{{Text: t.t(catalog.BtnCheckinNow), Data: "go:progres"}}}
}

func (t *turn) onCommand(ctx context.Context, name, arg string) error {
	if t.role == beneficiary && !allowedWhileWelcoming(name, arg) {
		// The welcome questions come first: a command would cut them short.
		st, err := t.r.loadState(ctx, t.ben.ID)
		if err != nil {
			return err
		}
		if welcoming(st) {
			return t.finishFirst(ctx, st)
		}
	}
	switch name {
	case "start":
		return t.start(ctx, arg)
	case "aide", "help":
		return t.help(ctx)
	}
	if handled, err := t.onAdvisorCommand(ctx, name, arg); handled || err != nil {
		return err
	}
	if t.role != beneficiary {
		if t.role == advisor {
			return t.reply(ctx, t.advisorHelp(), nil)
		}
		if isBeneficiaryCommand(name) {
			return t.reply(ctx, t.t(catalog.NotLinked), nil)
		}
		return t.reply(ctx, t.t(catalog.UnknownCmd), nil)
	}
	switch name {
	case "plan":
		return t.showPlan(ctx)
	case "progres", "progrès":
		return t.checkinOnDemand(ctx)
	case "pause":
		return t.pause(ctx, arg)
	case "reprendre":
		return t.resume(ctx)
	case "stop":
		return t.stop(ctx)
	case "confidentialite", "confidentialité":
		return t.privacy(ctx)
	case "reglages", "réglages":
		return t.settings(ctx)
	case "mesdonnees", "mesdonnées":
		return t.myData(ctx)
	case "ecrire", "écrire":
		return t.writeCommand(ctx)
	}
	return t.reply(ctx, t.t(catalog.UnknownCmd), nil)
}

func isBeneficiaryCommand(name string) bool {
	switch name {
	case "plan", "progres", "pause", "reprendre", "stop", "confidentialite", "reglages", "mesdonnees", "ecrire":
		return true
	}
	return false
}

func (t *turn) help(ctx context.Context) error {
	switch t.role {
	case beneficiary:
		return t.reply(ctx, t.t(catalog.Help), nil)
	case advisor:
		return t.reply(ctx, t.advisorHelp(), nil)
	}
	return t.reply(ctx, t.t(catalog.HelpStranger), nil)
}

// onCallback routes a button press. Every press is answered (or the
// button keeps spinning); a press that matches nothing current is told the
// question is closed, and changes nothing.
func (t *turn) onCallback(ctx context.Context, cq *models.CallbackQuery) error {
	parts := callbackParts(cq.Data)
	var toast string
	var err error
	handled := false
	m := cq.Message.Message
	if im := cq.Message.InaccessibleMessage; m == nil && im != nil {
		// Too old for Telegram to show us; it can still be edited by id.
		m = &models.Message{ID: im.MessageID, Chat: im.Chat}
	}
	if m == nil {
		m = &models.Message{Chat: models.Chat{ID: t.chat}}
	}
	if t.adv != nil && len(parts) >= 2 {
		switch parts[0] {
		case "av":
			handled, toast, err = t.advisorButton(ctx, m, parts[1:])
		case "np":
			handled, toast, err = t.newPlanButton(ctx, m, parts[1:])
		case "ab":
			handled, toast, err = t.absencePeriodButton(ctx, m, parts[1:])
		case "dg":
			handled, toast, err = t.digestButton(ctx, m, parts[1:])
		}
	}
	if !handled && err == nil && t.role == beneficiary && len(parts) >= 2 {
		switch parts[0] {
		case "ob":
			handled, toast, err = t.onboardingButton(ctx, m, parts[1:])
		case "ci":
			handled, toast, err = t.checkinButton(ctx, m, parts[1:])
		case "st", "sp", "sd":
			handled, toast, err = t.stepButton(ctx, m, parts[0], parts[1:])
		case "pv":
			handled, toast, err = t.privacyButton(ctx, m, parts[1:])
		case "pa":
			handled, toast, err = t.pauseButton(ctx, m, parts[1:])
		case "go":
			if parts[1] == "progres" {
				handled, err = true, t.checkinOnDemand(ctx)
			}
		case "rp":
			if parts[1] == "adv" {
				handled, err = true, t.answerAdvisor(ctx)
			}
		case "md":
			handled, toast, err = t.myDataButton(ctx, m, parts[1:])
		case "wr":
			handled, toast, err = t.writeButton(ctx, m, parts[1:])
		}
	}
	if !handled && err == nil && t.role == stranger && len(parts) == 4 && parts[0] == "md" && parts[1] == "yes" {
		// Their erasure, pressed again: nothing is left about them.
		handled = true
		t.strangerErased(ctx, m)
	}
	if err != nil {
		return err
	}
	if !handled {
		toast = t.t(catalog.ButtonClosed)
		if m.ID != 0 && (t.role == beneficiary || t.adv != nil) {
			// Take the dead buttons away.
			_ = t.r.Send.EditKeyboard(ctx, t.chat, m.ID, nil)
		}
		t.r.Log.Info("stale or foreign button", "chat", t.chat, "kind", buttonKind(parts[0]))
	}
	return t.r.Send.Answer(ctx, cq.ID, toast)
}

// buttonKind names a callback's kind for logs: one of ours, or "unknown"
// (callback data can be forged: it never reaches a log as is).
func buttonKind(prefix string) string {
	switch prefix {
	case "av", "np", "ab", "dg", "ob", "ci", "st", "sp", "sd", "pv", "pa", "go", "rp", "md", "wr":
		return prefix
	}
	return "unknown"
}

// Commands returns the command menu published with setMyCommands.
func Commands(cat *catalog.Catalog, lang domain.Lang) []models.BotCommand {
	return []models.BotCommand{
		{Command: "plan", Description: cat.T(lang, catalog.CmdPlan)},
		{Command: "progres", Description: cat.T(lang, catalog.CmdProgres)},
		{Command: "ecrire", Description: cat.T(lang, catalog.CmdWrite)},
		{Command: "pause", Description: cat.T(lang, catalog.CmdPause)},
		{Command: "reprendre", Description: cat.T(lang, catalog.CmdResume)},
		{Command: "confidentialite", Description: cat.T(lang, catalog.CmdPrivacy)},
		{Command: "reglages", Description: cat.T(lang, catalog.CmdSettings)},
		{Command: "mesdonnees", Description: cat.T(lang, catalog.CmdMyData)},
		{Command: "stop", Description: cat.T(lang, catalog.CmdStop)},
		{Command: "aide", Description: cat.T(lang, catalog.CmdHelp)},
	}
}

// AdvisorCommands returns an advisor's command menu, published for their
// own chat (admins also invite advisors).
func AdvisorCommands(cat *catalog.Catalog, lang domain.Lang, admin bool) []models.BotCommand {
	cmds := []models.BotCommand{
		{Command: "beneficiaires", Description: cat.T(lang, catalog.CmdAdvBeneficiaries)},
		{Command: "plan", Description: cat.T(lang, catalog.CmdAdvPlan)},
		{Command: "nouveauplan", Description: cat.T(lang, catalog.CmdAdvNewPlan)},
		{Command: "modifier", Description: cat.T(lang, catalog.CmdAdvRevise)},
		{Command: "relancer", Description: cat.T(lang, catalog.CmdAdvNudge)},
		{Command: "digest", Description: cat.T(lang, catalog.CmdAdvDigest)},
		{Command: "export", Description: cat.T(lang, catalog.CmdAdvExport)},
		{Command: "cloturer", Description: cat.T(lang, catalog.CmdAdvClose)},
		{Command: "absence", Description: cat.T(lang, catalog.CmdAdvAbsence)},
		{Command: "bureau", Description: cat.T(lang, catalog.CmdAdvDesk)},
		{Command: "nom", Description: cat.T(lang, catalog.CmdAdvName)},
	}
	if admin {
		cmds = append(cmds, models.BotCommand{Command: "inviterconseiller", Description: cat.T(lang, catalog.CmdAdvInvite)})
	}
	return append(cmds,
		models.BotCommand{Command: "annuler", Description: cat.T(lang, catalog.CmdAdvCancel)},
		models.BotCommand{Command: "aide", Description: cat.T(lang, catalog.CmdHelp)},
	)
}

// publishAdvisorMenu shows the advisors' commands in this advisor's chat
// instead of the beneficiaries' menu. A failure is logged, not fatal: the
// commands work all the same, and /aide lists them.
func (t *turn) publishAdvisorMenu(ctx context.Context) {
	if t.adv == nil {
		return
	}
	admin := t.adv.Admin || t.r.admins[t.adv.ID]
	if err := t.r.Send.SetChatCommands(ctx, t.chat, AdvisorCommands(t.r.Catalog, t.lang, admin)); err != nil {
		t.r.Log.Warn("advisor menu", "advisor", t.adv.ID, "err", err)
	}
}
