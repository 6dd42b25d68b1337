package dialogs

import (
	"context"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
)

// backlog handles a bot.EventBacklog: a chat sent more messages than the
// inbox keeps waiting; upd is the first one set aside. It is told once,
// calmly, that the first ones are being answered.
func (r *Router) backlog(ctx context.Context, upd *models.Update) error {
	var from *models.User
	switch {
	case upd.Message != nil:
		if upd.Message.Chat.Type != models.ChatTypePrivate {
			return nil // Suivi only talks in private chats.
		}
		from = upd.Message.From
	case upd.EditedMessage != nil:
		if upd.EditedMessage.Chat.Type != models.ChatTypePrivate {
			return nil
		}
		from = upd.EditedMessage.From
	case upd.CallbackQuery != nil:
		from = &upd.CallbackQuery.From
	}
	if from == nil {
		return nil
	}
	t, err := r.newTurn(ctx, upd, bot.ChatOf(upd), from)
	if err != nil {
		return err
	}
	return t.reply(ctx, t.t(catalog.BacklogFull), nil)
}
