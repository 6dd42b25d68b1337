package desk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrInitData is returned for Mini App data that does not come from
// Telegram for this bot, or too long ago.
var ErrInitData = errors.New("invalid Mini App initData")

// CheckInitData checks a Mini App's initData as Telegram's documentation
// says — secret = HMAC-SHA256(key "WebAppData", the bot token); hash =
// hex HMAC-SHA256(key secret, the key=value pairs but hash, sorted by key,
// joined by "\n"), compared in constant time — refuses an auth_date older
// than maxAge (or in the future), and returns the Telegram user's id.
func CheckInitData(raw, botToken string, now time.Time, maxAge time.Duration) (int64, error) {
	vals, err := url.ParseQuery(raw)
	if err != nil || botToken == "" {
		return 0, fmt.Errorf("%w: unreadable", ErrInitData)
	}
	hash := vals.Get("hash")
	if hash == "" {
		return 0, fmt.Errorf("%w: no hash", ErrInitData)
	}
	if !hmac.Equal([]byte(initDataHash(vals, botToken)), []byte(hash)) {
		return 0, fmt.Errorf("%w: wrong hash", ErrInitData)
	}
	sec, err := strconv.ParseInt(vals.Get("auth_date"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: no auth_date", ErrInitData)
	}
	at := time.Unix(sec, 0)
	if now.Sub(at) > maxAge || at.Sub(now) > time.Minute {
		return 0, fmt.Errorf("%w: auth_date %s is out of date", ErrInitData, at.UTC().Format(time.RFC3339))
	}
	var user struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(vals.Get("user")), &user); err != nil || user.ID <= 0 {
		return 0, fmt.Errorf("%w: no user", ErrInitData)
	}
	return user.ID, nil
}

// initDataHash computes the hash Telegram puts in initData.
func initDataHash(vals url.Values, botToken string) string {
	var pairs []string
	for k, vs := range vals {
		if k == "hash" || len(vs) == 0 {
			continue
		}
		pairs = append(pairs, k+"="+vs[0])
	}
	sort.Strings(pairs)
	secret := mac([]byte("WebAppData"), []byte(botToken))
	return hex.EncodeToString(mac(secret, []byte(strings.Join(pairs, "\n"))))
}

func mac(key, msg []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil)
}
