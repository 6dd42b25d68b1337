package bot

import (
	"github.com/go-telegram/bot/models"
)

// Button is an inline keyboard button: Data is the callback data sent back
// when it is pressed (at most 64 bytes), URL a link to open, or WebApp the
// https address of a Mini App Telegram opens in the chat.
type Button struct {
	Text   string
	Data   string
	URL    string
	WebApp string
}

// Keyboard is an inline keyboard, row by row.
type Keyboard [][]Button

// MaxCallbackData is Telegram's limit on callback data, in bytes.
const MaxCallbackData = 64

func (k Keyboard) markup() models.ReplyMarkup {
	if len(k) == 0 {
		return nil
	}
	rows := make([][]models.InlineKeyboardButton, 0, len(k))
	for _, r := range k {
		row := make([]models.InlineKeyboardButton, 0, len(r))
		for _, b := range r {
			ib := models.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data, URL: b.URL}
			if b.WebApp != "" {
				ib.WebApp = &models.WebAppInfo{URL: b.WebApp}
			}
			row = append(row, ib)
		}
		rows = append(rows, row)
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}
