// Package dialogs holds Suivi's conversations: who is writing (beneficiary,
// advisor or stranger), what they asked for, and what Suivi answers. Each
// conversation reads top to bottom like the exchange it implements; state
// that must outlive one message lives in Redis through the store. Every text
// comes from the catalog.
package dialogs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/store"
)

// Sender is what dialogs need of the outbound path.
type Sender interface {
	Send(ctx context.Context, m bot.Message) (int, error)
	SendLong(ctx context.Context, m bot.Message) (int, error)
	Answer(ctx context.Context, queryID, text string) error
}

// Deps are the parts a Router works with.
type Deps struct {
	Store   *store.Store
	Send    Sender
	Catalog *catalog.Catalog
	Now     func() time.Time
	Log     *slog.Logger
	// Admins are Telegram user ids with every advisor right.
	Admins []int64
	// DefaultZone is used when a beneficiary's zone is unknown.
	DefaultZone *time.Location
}

// Router dispatches each update to its conversation. It implements
// bot.Handler.
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
// answer, and a counter that gives each reply a deterministic key, so that a
// retried update does not send the same reply twice.
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

// reply sends a text (split if long) to the turn's chat.
func (t *turn) reply(ctx context.Context, text string, kb bot.Keyboard) error {
	key := fmt.Sprintf("u%d.%d", t.upd.ID, t.replies)
	t.replies++
	_, err := t.r.Send.SendLong(ctx, bot.Message{ChatID: t.chat, Text: text, Keyboard: kb, Key: key})
	return err
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
	}
	// Edited messages, membership changes: nothing to answer.
	return nil
}

func (r *Router) newTurn(ctx context.Context, upd *models.Update, chat int64, from *models.User) (*turn, error) {
	t := &turn{r: r, upd: upd, chat: chat, user: from, lang: domain.French}
	if strings.HasPrefix(from.LanguageCode, "en") {
		t.lang = domain.English
	}
	ben, err := r.Store.BeneficiaryByTelegram(ctx, from.ID)
	switch {
	case err == nil:
		t.role, t.ben, t.lang = beneficiary, ben, ben.Language
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	adv, err := r.Store.Advisor(ctx, from.ID)
	switch {
	case err == nil:
		t.adv = adv
	case errors.Is(err, store.ErrNotFound):
		if r.admins[from.ID] {
			t.adv = &domain.Advisor{ID: from.ID, Admin: true}
		}
	default:
		return nil, err
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
	switch {
	case t.role == stranger:
		return t.reply(ctx, t.t(catalog.HelpStranger), nil)
	case m.Voice != nil || m.Audio != nil || m.VideoNote != nil:
		return t.reply(ctx, t.t(catalog.FallbackVoice), nil)
	case m.Text != "":
		return t.reply(ctx, t.t(catalog.FallbackText), nil)
	default:
		return t.reply(ctx, t.t(catalog.FallbackMedia), nil)
	}
}

func (t *turn) onCommand(ctx context.Context, name, arg string) error {
	switch name {
	case "start":
		return t.start(ctx, arg)
	case "plan":
		return t.showPlan(ctx)
	case "aide", "help":
		return t.help(ctx)
	}
	return t.reply(ctx, t.t(catalog.UnknownCmd), nil)
}

func (t *turn) help(ctx context.Context) error {
	switch t.role {
	case beneficiary:
		return t.reply(ctx, t.t(catalog.Help), nil)
	case advisor:
		return t.reply(ctx, t.t(catalog.HelpAdvisor), nil)
	}
	return t.reply(ctx, t.t(catalog.HelpStranger), nil)
}

func (t *turn) onCallback(ctx context.Context, cq *models.CallbackQuery) error {
	// No button of this version carries an action yet: every press is stale.
	return t.r.Send.Answer(ctx, cq.ID, t.r.Catalog.T(t.lang, catalog.ButtonClosed))
}

// Commands returns the command menu published with setMyCommands.
func Commands(cat *catalog.Catalog, lang domain.Lang) []models.BotCommand {
	return []models.BotCommand{
		{Command: "plan", Description: cat.T(lang, catalog.CmdPlan)},
		{Command: "aide", Description: cat.T(lang, catalog.CmdHelp)},
		{Command: "start", Description: cat.T(lang, catalog.CmdStart)},
	}
}
