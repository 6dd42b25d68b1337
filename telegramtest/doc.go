// Package telegramtest provides a fake of the Telegram Bot API for tests,
// in the spirit of net/http/httptest.
//
// A Server is an HTTP server speaking the Bot API wire protocol
// (POST <url>/bot<token>/<method>, multipart/form-data, JSON or URL-encoded
// bodies, and GET with query parameters; answers {"ok":true,"result":...} or
// {"ok":false,"error_code":N,"description":"..."}). The real
// github.com/go-telegram/bot client talks to it through
// bot.WithServerURL(srv.URL()), and raw getUpdates pollers and webhook
// receivers work against it as they would against api.telegram.org.
//
// The package owns the simulated Telegram side of a conversation:
//
//   - simulated users (User), each with a private chat whose id is the user
//     id, who send texts, voice notes, stickers, photos and documents and
//     press inline buttons, producing updates;
//   - the update queue, delivered by getUpdates (offset confirmation,
//     long-polling, 409 conflicts) or by a webhook delivery loop with
//     redelivery on failure;
//   - per-chat message state (user and bot messages, current text and inline
//     keyboard after edits, deletions, uploaded files), validated the way
//     Telegram validates it (HTML parse mode, length limits counted in UTF-16
//     code units, callback_data size, "message is not modified", ...);
//   - a record of every call the bot made (Call), bot commands, callback
//     query answers, and fault injection (error statuses, 429 with
//     retry_after, delays and hanging requests);
//   - Telegram's flood limit per bot token (Options.RateLimit): more sends
//     than the limit in any sliding second are answered 429 with
//     retry_after.
//
// Tests never need to sleep: Wait, WaitCalls and User.WaitMessage block on
// a change notification until a condition holds or a timeout expires.
//
// All state belongs to a Server; there is no package-level mutable state.
package telegramtest
