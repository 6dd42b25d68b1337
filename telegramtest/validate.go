package telegramtest

import "errors"

// ParseHTML checks s the way Telegram checks a text sent with parse_mode
// HTML, and returns its plain text (tags removed, entities decoded). The
// error, when s is invalid, carries the reason Telegram would give after
// "can't parse entities: ". It lets other packages check that a text they
// build is valid Telegram HTML without going through a Server.
func ParseHTML(s string) (plain string, err error) {
	plain, _, reason := parseHTML(s)
	if reason != "" {
		return "", errors.New(reason)
	}
	return plain, nil
}
