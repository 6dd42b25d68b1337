package telegramtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"suivi/telegramtest"
)

const waitTimeout = 5 * time.Second

func newServer(t *testing.T, opts telegramtest.Options) *telegramtest.Server {
	t.Helper()
	srv := telegramtest.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv
}

func newBot(t *testing.T, srv *telegramtest.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(srv.URL()),
		bot.WithSkipGetMe(),
		bot.WithErrorsHandler(func(err error) { t.Logf("bot error: %v", err) }),
	}, opts...)
	b, err := bot.New(srv.Token(), opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return c
}

// apiResponse is the Bot API answer envelope.
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// rawUpdate is the part of an update the tests look at.
type rawUpdate struct {
	UpdateID int64 `json:"update_id"`
	Message  *struct {
		MessageID int    `json:"message_id"`
		Text      string `json:"text"`
		Entities  []struct {
			Type   string `json:"type"`
			Offset int    `json:"offset"`
			Length int    `json:"length"`
		} `json:"entities"`
		Voice *struct {
			FileID   string `json:"file_id"`
			Duration int    `json:"duration"`
			MimeType string `json:"mime_type"`
		} `json:"voice"`
	} `json:"message"`
	CallbackQuery *struct {
		ID      string `json:"id"`
		Data    string `json:"data"`
		Message struct {
			MessageID   int             `json:"message_id"`
			Text        string          `json:"text"`
			ReplyMarkup json.RawMessage `json:"reply_markup"`
		} `json:"message"`
	} `json:"callback_query"`
}

// tryCall performs a raw JSON Bot API call, as a hand-written poller
// would. Safe to use from any goroutine.
func tryCall(c context.Context, srv *telegramtest.Server, method string, params map[string]any) (int, apiResponse, error) {
	var r apiResponse
	body, err := json.Marshal(params)
	if err != nil {
		return 0, r, err
	}
	req, err := http.NewRequestWithContext(c, http.MethodPost, srv.MethodURL(method), bytes.NewReader(body))
	if err != nil {
		return 0, r, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, r, fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return resp.StatusCode, r, fmt.Errorf("%s: decode: %w", method, err)
	}
	return resp.StatusCode, r, nil
}

// call is tryCall for the test goroutine.
func call(t *testing.T, c context.Context, srv *telegramtest.Server, method string, params map[string]any) (int, apiResponse) {
	t.Helper()
	status, r, err := tryCall(c, srv, method, params)
	if err != nil {
		t.Fatal(err)
	}
	return status, r
}

// tryGetUpdates calls getUpdates and decodes the updates. Safe to use from
// any goroutine.
func tryGetUpdates(c context.Context, srv *telegramtest.Server, params map[string]any) ([]rawUpdate, error) {
	status, r, err := tryCall(c, srv, "getUpdates", params)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK || !r.OK {
		return nil, fmt.Errorf("getUpdates: %d %s", status, r.Description)
	}
	var ups []rawUpdate
	if err := json.Unmarshal(r.Result, &ups); err != nil {
		return nil, err
	}
	return ups, nil
}

func getUpdates(t *testing.T, c context.Context, srv *telegramtest.Server, params map[string]any) []rawUpdate {
	t.Helper()
	ups, err := tryGetUpdates(c, srv, params)
	if err != nil {
		t.Fatal(err)
	}
	return ups
}

func updateIDs(ups []rawUpdate) []int64 {
	ids := []int64{}
	for _, u := range ups {
		ids = append(ids, u.UpdateID)
	}
	return ids
}
