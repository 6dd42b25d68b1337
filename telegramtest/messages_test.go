package telegramtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"suivi/telegramtest"
)

func TestGetMe(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()))
	if err != nil {
		t.Fatalf("bot.New with getMe: %v", err)
	}
	me, err := b.GetMe(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !me.IsBot || me.Username != "suivi_test_bot" || me.FirstName != "Suivi" || me.ID != 123456 {
		t.Errorf("getMe = %+v", me)
	}
}

func TestWrongTokenAndUnknownMethod(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b, err := bot.New("999:WRONG", bot.WithServerURL(srv.URL()), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetMe(ctx(t)); !errors.Is(err, bot.ErrorUnauthorized) {
		t.Errorf("wrong token: err = %v, want ErrorUnauthorized", err)
	}
	status, r := call(t, ctx(t), srv, "sendTelepathy", map[string]any{})
	if status != http.StatusNotFound || r.Description != "Not Found" {
		t.Errorf("unknown method: %d %q", status, r.Description)
	}
	calls := srv.Calls()
	if len(calls) != 2 || calls[0].Status != 401 || calls[1].Status != 404 {
		t.Errorf("calls = %+v", calls)
	}
}

func TestSendMessageSharedIDsAndState(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(42, "Ann")
	u.SendText("hello")

	m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{
		ChatID:              u.ID(),
		Text:                "<b>Hi</b> &amp; welcome",
		ParseMode:           models.ParseModeHTML,
		DisableNotification: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != 2 {
		t.Errorf("message_id = %d, want 2 (shared counter with the user's message)", m.ID)
	}
	if m.Text != "Hi & welcome" || m.From == nil || !m.From.IsBot || m.Chat.ID != 42 {
		t.Errorf("returned message = %+v", m)
	}
	if len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBold || m.Entities[0].Length != 2 {
		t.Errorf("entities = %+v", m.Entities)
	}
	got, ok := u.LastMessage()
	if !ok || got.Text != "<b>Hi</b> &amp; welcome" || got.PlainText != "Hi & welcome" ||
		got.ParseMode != "HTML" || !got.DisableNotification || got.Kind != "text" || !got.FromBot {
		t.Errorf("stored = %+v", got)
	}
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: 7, Text: "x"}); !errors.Is(err, bot.ErrorBadRequest) ||
		!strings.Contains(err.Error(), "chat not found") {
		t.Errorf("unknown chat: %v", err)
	}
}

func TestHTMLValidation(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	cases := []struct {
		html   string
		plain  string // when valid
		reason string // substring of the error when invalid
	}{
		{html: "<b>bold</b> <i>it</i> <u>u</u> <s>s</s>", plain: "bold it u s"},
		{html: "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del>", plain: "abcde"},
		{html: `<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>`, plain: "xy"},
		{html: `<a href="https://example.com/?a=1&b=2">link</a>`, plain: "link"},
		{html: `<pre><code class="language-go">x := 1</code></pre>`, plain: "x := 1"},
		{html: "<code>a &lt; b</code>", plain: "a < b"},
		{html: "<blockquote expandable>q</blockquote><blockquote>r</blockquote>", plain: "qr"},
		{html: `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, plain: "👍"},
		{html: "Tom &amp; Jerry &quot;&gt;&#33;&#x41;", plain: `Tom & Jerry ">!A`},
		{html: "<B>upper</B>", plain: "upper"},
		{html: "a > b", plain: "a > b"},
		{html: "a < b", reason: `Unsupported start tag "" at byte offset 2`},
		{html: "<b>unclosed", reason: `Can't find end tag corresponding to start tag "b"`},
		{html: "<script>alert(1)</script>", reason: `Unsupported start tag "script" at byte offset 0`},
		{html: "<b><i>x</b></i>", reason: `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{html: "x</b>", reason: "Unexpected end tag at byte offset 1"},
		{html: "a&nbsp;b", reason: `Unsupported HTML entity "&nbsp;"`},
		{html: "AT&T", reason: "Character '&' must be escaped"},
		{html: "<b", reason: "Unclosed start tag at byte offset 0"},
		{html: `<span class="x">s</span>`, reason: `Tag "span" must have class "tg-spoiler"`},
		{html: "<br/>", reason: `Unsupported start tag "br/"`},
	}
	for _, tc := range cases {
		m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: tc.html, ParseMode: models.ParseModeHTML})
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%q: unexpected error %v", tc.html, err)
				continue
			}
			if m.Text != tc.plain {
				t.Errorf("%q: text = %q, want %q", tc.html, m.Text, tc.plain)
			}
			continue
		}
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "can't parse entities: "+tc.reason) {
			t.Errorf("%q: err = %v, want can't parse entities: %s", tc.html, err, tc.reason)
		}
	}
	// Entities of nested tags and the pre language.
	m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: `é<b>x<i>y</i></b><pre><code class="language-go">z</code></pre>`, ParseMode: models.ParseModeHTML})
	if err != nil {
		t.Fatal(err)
	}
	want := []models.MessageEntity{
		{Type: models.MessageEntityTypeBold, Offset: 1, Length: 2},
		{Type: models.MessageEntityTypeItalic, Offset: 2, Length: 1},
		{Type: models.MessageEntityTypePre, Offset: 3, Length: 1, Language: "go"},
	}
	if len(m.Entities) != len(want) {
		t.Fatalf("entities = %+v", m.Entities)
	}
	for i := range want {
		if m.Entities[i] != want[i] {
			t.Errorf("entity %d = %+v, want %+v", i, m.Entities[i], want[i])
		}
	}
	// Markdown is accepted without validation.
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "*a* _b", ParseMode: models.ParseModeMarkdown}); err != nil {
		t.Errorf("markdown: %v", err)
	}
}

func TestTextLengthCountsUTF16(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	send := func(text string, mode models.ParseMode) error {
		_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: text, ParseMode: mode})
		return err
	}
	emoji := strings.Repeat("😀", 2048) // 4096 UTF-16 code units, 2048 runes
	if err := send(emoji, ""); err != nil {
		t.Errorf("4096 units: %v", err)
	}
	if err := send(emoji+"a", ""); err == nil || !strings.Contains(err.Error(), "message is too long") {
		t.Errorf("4097 units: %v", err)
	}
	if err := send(strings.Repeat("a", 4096), ""); err != nil {
		t.Errorf("4096 ascii: %v", err)
	}
	// Length is counted after entity parsing.
	if err := send("<b>"+strings.Repeat("a", 4096)+"</b>", models.ParseModeHTML); err != nil {
		t.Errorf("4096 after parsing: %v", err)
	}
	for _, empty := range []string{"   ", "<b> </b>"} {
		if err := send(empty, models.ParseModeHTML); err == nil || !strings.Contains(err.Error(), "message text is empty") {
			t.Errorf("%q: %v", empty, err)
		}
	}
	// Captions: 1024.
	img := pngBytes(t)
	_, err := b.SendPhoto(ctx(t), &bot.SendPhotoParams{ChatID: u.ID(), Photo: &models.InputFileUpload{Filename: "a.png", Data: bytes.NewReader(img)}, Caption: strings.Repeat("😀", 512)})
	if err != nil {
		t.Errorf("1024 caption: %v", err)
	}
	_, err = b.SendPhoto(ctx(t), &bot.SendPhotoParams{ChatID: u.ID(), Photo: &models.InputFileUpload{Filename: "a.png", Data: bytes.NewReader(img)}, Caption: strings.Repeat("😀", 512) + "a"})
	if err == nil || !strings.Contains(err.Error(), "message caption is too long") {
		t.Errorf("1025 caption: %v", err)
	}
}

func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func TestInlineKeyboardValidation(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(1, "U")
	send := func(btn models.InlineKeyboardButton) error {
		_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "k", ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn})})
		return err
	}
	cases := []struct {
		name string
		btn  models.InlineKeyboardButton
		err  string
	}{
		{"64 ascii bytes", models.InlineKeyboardButton{Text: "a", CallbackData: strings.Repeat("x", 64)}, ""},
		{"65 ascii bytes", models.InlineKeyboardButton{Text: "a", CallbackData: strings.Repeat("x", 65)}, "BUTTON_DATA_INVALID"},
		{"32 two-byte runes = 64 bytes", models.InlineKeyboardButton{Text: "a", CallbackData: strings.Repeat("é", 32)}, ""},
		{"22 three-byte runes = 66 bytes", models.InlineKeyboardButton{Text: "a", CallbackData: strings.Repeat("€", 22)}, "BUTTON_DATA_INVALID"},
		{"16 emoji = 64 bytes", models.InlineKeyboardButton{Text: "a", CallbackData: strings.Repeat("😀", 16)}, ""},
		{"16 emoji + 1 = 65 bytes", models.InlineKeyboardButton{Text: "a", CallbackData: strings.Repeat("😀", 16) + "x"}, "BUTTON_DATA_INVALID"},
		{"url", models.InlineKeyboardButton{Text: "a", URL: "https://example.com"}, ""},
		{"tg url", models.InlineKeyboardButton{Text: "a", URL: "tg://resolve?domain=x"}, ""},
		{"bad url", models.InlineKeyboardButton{Text: "a", URL: "ftp://example.com"}, "BUTTON_URL_INVALID"},
		{"no action", models.InlineKeyboardButton{Text: "a"}, "Text buttons are unallowed"},
		{"empty text", models.InlineKeyboardButton{Text: "", CallbackData: "x"}, "BUTTON_TEXT_INVALID"},
		{"copy_text", models.InlineKeyboardButton{Text: "a", CopyText: models.CopyTextButton{Text: "code"}}, ""},
		{"two actions", models.InlineKeyboardButton{Text: "a", CallbackData: "x", CopyText: models.CopyTextButton{Text: "code"}}, "only one"},
	}
	for _, tc := range cases {
		err := send(tc.btn)
		if tc.err == "" && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if tc.err != "" && (!errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.err)
		}
	}
	// go-telegram/bot sends "copy_text":{"text":""} on every button: accepted,
	// and not echoed back.
	calls := srv.CallsTo("sendMessage")
	if !strings.Contains(calls[0].Params["reply_markup"], `"copy_text":{"text":""}`) {
		t.Fatalf("premise: client should send an empty copy_text: %s", calls[0].Params["reply_markup"])
	}
	m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "k", ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "Yes", CallbackData: "y"}})})
	if err != nil {
		t.Fatal(err)
	}
	if m.ReplyMarkup == nil || m.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "y" {
		t.Errorf("reply_markup = %+v", m.ReplyMarkup)
	}
	last, _ := u.LastMessage()
	if len(last.Keyboard) != 1 || last.Keyboard[0][0] != (telegramtest.Button{Text: "Yes", Data: "y"}) {
		t.Errorf("Keyboard = %+v", last.Keyboard)
	}
	// Other markups.
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "r", ReplyMarkup: &models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: "A"}}}}}); err != nil {
		t.Errorf("reply keyboard: %v", err)
	}
	if last, _ := u.LastMessage(); !last.ReplyKeyboard || last.Keyboard != nil {
		t.Errorf("reply keyboard stored as %+v", last)
	}
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "r", ReplyMarkup: &models.ReplyKeyboardRemove{RemoveKeyboard: true}}); err != nil {
		t.Errorf("remove keyboard: %v", err)
	}
}

func TestEditPressAndAnswer(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(5, "U")
	m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "Pick", ReplyMarkup: keyboard(
		[]models.InlineKeyboardButton{{Text: "One", CallbackData: "v1:one"}, {Text: "Two", CallbackData: "v1:two"}},
	)})
	if err != nil {
		t.Fatal(err)
	}
	edited, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: u.ID(), MessageID: m.ID, Text: "Pick again", ReplyMarkup: keyboard(
		[]models.InlineKeyboardButton{{Text: "Three", CallbackData: "v1:three"}},
	)})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Text != "Pick again" || edited.EditDate == 0 {
		t.Errorf("edited = %+v", edited)
	}
	if _, err := u.PressButton(m.ID, "One"); err == nil {
		t.Error("pressing a button that the edit removed should fail")
	}
	id, err := u.PressButton(m.ID, "Three")
	if err != nil {
		t.Fatal(err)
	}
	ups := getUpdates(t, ctx(t), srv, map[string]any{"offset": id})
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates = %+v", ups)
	}
	cq := ups[0].CallbackQuery
	if cq.Data != "v1:three" || cq.Message.MessageID != m.ID || cq.Message.Text != "Pick again" || !strings.Contains(string(cq.Message.ReplyMarkup), "v1:three") {
		t.Errorf("callback = %+v", cq)
	}
	if got := srv.UnansweredCallbacks(); len(got) != 1 || got[0] != cq.ID {
		t.Errorf("unanswered = %v", got)
	}
	if _, err := b.AnswerCallbackQuery(ctx(t), &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "Done", ShowAlert: true}); err != nil {
		t.Fatal(err)
	}
	if a, ok := srv.CallbackAnswer(cq.ID); !ok || a.Text != "Done" || !a.ShowAlert {
		t.Errorf("answer = %+v %v", a, ok)
	}
	if _, err := b.AnswerCallbackQuery(ctx(t), &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}); err == nil ||
		!strings.Contains(err.Error(), "query is too old and response timeout expired or query ID is invalid") {
		t.Errorf("second answer: %v", err)
	}
	if got := srv.UnansweredCallbacks(); len(got) != 0 {
		t.Errorf("unanswered = %v", got)
	}

	// Not modified: same text and same markup.
	_, err = b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: u.ID(), MessageID: m.ID, Text: "Pick again", ReplyMarkup: keyboard(
		[]models.InlineKeyboardButton{{Text: "Three", CallbackData: "v1:three"}},
	)})
	if err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("identical edit: %v", err)
	}
	// An edit without reply_markup removes the keyboard.
	if _, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: u.ID(), MessageID: m.ID, Text: "Pick again"}); err != nil {
		t.Fatal(err)
	}
	last, _ := u.LastMessage()
	if last.Keyboard != nil || last.Edits != 2 {
		t.Errorf("after edit without markup: %+v", last)
	}
	if _, err := b.EditMessageReplyMarkup(ctx(t), &bot.EditMessageReplyMarkupParams{ChatID: u.ID(), MessageID: m.ID}); err == nil ||
		!strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("removing an absent keyboard: %v", err)
	}
	if _, err := b.EditMessageReplyMarkup(ctx(t), &bot.EditMessageReplyMarkupParams{ChatID: u.ID(), MessageID: m.ID, ReplyMarkup: keyboard(
		[]models.InlineKeyboardButton{{Text: "Four", CallbackData: "v1:four"}})}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressButton(m.ID, "Four"); err != nil {
		t.Errorf("press after editMessageReplyMarkup: %v", err)
	}
	// Forged data on an existing message.
	forged := u.PressData(m.ID, "v0:bogus")
	if forged <= id {
		t.Errorf("update ids should increase: %d after %d", forged, id)
	}

	// Edit errors.
	if _, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: u.ID(), MessageID: 999, Text: "x"}); err == nil ||
		!strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("edit missing: %v", err)
	}
	u.SendText("mine")
	own := u.UserMessages()
	if _, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: u.ID(), MessageID: own[0].ID, Text: "x"}); err == nil ||
		!strings.Contains(err.Error(), "message can't be edited") {
		t.Errorf("edit user message: %v", err)
	}
}

func TestDeleteMessage(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(5, "U")
	m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "bye", ReplyMarkup: keyboard(
		[]models.InlineKeyboardButton{{Text: "X", CallbackData: "x"}})})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := b.DeleteMessage(ctx(t), &bot.DeleteMessageParams{ChatID: u.ID(), MessageID: m.ID})
	if err != nil || !ok {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if len(u.Messages()) != 0 {
		t.Errorf("messages after delete = %v", u.Messages())
	}
	if _, err := b.DeleteMessage(ctx(t), &bot.DeleteMessageParams{ChatID: u.ID(), MessageID: m.ID}); err == nil ||
		!strings.Contains(err.Error(), "message to delete not found") {
		t.Errorf("second delete: %v", err)
	}
	if _, err := u.PressButton(m.ID, "X"); err == nil {
		t.Error("pressing a button of a deleted message should fail")
	}
	if _, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: u.ID(), MessageID: m.ID, Text: "x"}); err == nil {
		t.Error("editing a deleted message should fail")
	}
}

func TestBlockedUser(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(9, "U")
	m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "before"})
	if err != nil {
		t.Fatal(err)
	}
	u.Block()
	_, err = b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "hello"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Errorf("send to blocked: %v", err)
	}
	if _, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: u.ID(), MessageID: m.ID, Text: "edited"}); !errors.Is(err, bot.ErrorForbidden) {
		t.Errorf("edit in blocked chat: %v", err)
	}
	if _, err := b.SendChatAction(ctx(t), &bot.SendChatActionParams{ChatID: u.ID(), Action: models.ChatActionTyping}); !errors.Is(err, bot.ErrorForbidden) {
		t.Errorf("chat action in blocked chat: %v", err)
	}
	if c := srv.CallsTo("sendMessage"); c[1].Status != 403 {
		t.Errorf("recorded status = %d", c[1].Status)
	}
	u.Unblock()
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "again"}); err != nil {
		t.Errorf("after unblock: %v", err)
	}
	if n := len(u.Messages()); n != 2 {
		t.Errorf("messages = %d, want 2", n)
	}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSendPhotoRoundTrip(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(3, "U")
	img := pngBytes(t)
	m, err := b.SendPhoto(ctx(t), &bot.SendPhotoParams{
		ChatID:    u.ID(),
		Photo:     &models.InputFileUpload{Filename: "chart.png", Data: bytes.NewReader(img)},
		Caption:   "<i>Weekly</i> chart",
		ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Photo) == 0 || m.Caption != "Weekly chart" {
		t.Fatalf("returned = %+v", m)
	}
	largest := m.Photo[len(m.Photo)-1]
	if largest.Width != 300 || largest.Height != 200 || largest.FileID == "" {
		t.Errorf("largest size = %+v", largest)
	}
	stored, _ := u.LastMessage()
	if stored.Kind != "photo" || !bytes.Equal(stored.File, img) || stored.FileName != "chart.png" ||
		stored.FileID != largest.FileID || stored.PlainCaption != "Weekly chart" {
		t.Errorf("stored = %+v", stored)
	}
	if c := srv.CallsTo("sendPhoto"); !bytes.Equal(c[0].Files["photo"], img) {
		t.Error("call should record the uploaded bytes")
	}
	// getFile + download.
	f, err := b.GetFile(ctx(t), &bot.GetFileParams{FileID: largest.FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(b.FileDownloadLink(f))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(data, img) {
		t.Errorf("download returned %d bytes, want the uploaded %d", len(data), len(img))
	}
	// Re-send by file_id.
	if _, err := b.SendPhoto(ctx(t), &bot.SendPhotoParams{ChatID: u.ID(), Photo: &models.InputFileString{Data: largest.FileID}}); err != nil {
		t.Errorf("send by file_id: %v", err)
	}
	// Not an image.
	_, err = b.SendPhoto(ctx(t), &bot.SendPhotoParams{ChatID: u.ID(), Photo: &models.InputFileUpload{Filename: "x.png", Data: strings.NewReader("not a png")}})
	if err == nil || !strings.Contains(err.Error(), "IMAGE_PROCESS_FAILED") {
		t.Errorf("bad image: %v", err)
	}
	if _, err := b.SendPhoto(ctx(t), &bot.SendPhotoParams{ChatID: u.ID(), Photo: &models.InputFileString{Data: "nope"}}); err == nil ||
		!strings.Contains(err.Error(), "wrong file identifier") {
		t.Errorf("unknown file_id: %v", err)
	}
}

func TestDocumentVoiceCopyForward(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	alice := srv.NewUser(10, "Alice")
	bob := srv.NewUser(11, "Bob")

	doc, err := b.SendDocument(ctx(t), &bot.SendDocumentParams{ChatID: alice.ID(), Document: &models.InputFileUpload{Filename: "plan.ics", Data: strings.NewReader("BEGIN:VCALENDAR")}})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Document == nil || doc.Document.FileName != "plan.ics" || doc.Document.MimeType != "text/calendar" {
		t.Errorf("document = %+v", doc.Document)
	}
	v, err := b.SendVoice(ctx(t), &bot.SendVoiceParams{ChatID: alice.ID(), Voice: &models.InputFileUpload{Filename: "v.ogg", Data: strings.NewReader("OggS")}, Duration: 3})
	if err != nil {
		t.Fatal(err)
	}
	if v.Voice == nil || v.Voice.Duration != 3 || v.Voice.MimeType != "audio/ogg" {
		t.Errorf("voice = %+v", v.Voice)
	}

	// A voice note from Bob, copied to Alice.
	updID, fileID := bob.SendVoice(7)
	ups := getUpdates(t, ctx(t), srv, map[string]any{"offset": updID})
	if len(ups) != 1 || ups[0].Message.Voice == nil || ups[0].Message.Voice.FileID != fileID || ups[0].Message.Voice.Duration != 7 {
		t.Fatalf("voice update = %+v", ups)
	}
	src := bob.UserMessages()[0]
	cp, err := b.CopyMessage(ctx(t), &bot.CopyMessageParams{ChatID: alice.ID(), FromChatID: bob.ID(), MessageID: src.ID, Caption: "from Bob"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := alice.LastMessage()
	if got.ID != cp.ID || got.Kind != "copy" || got.CopiedKind != "voice" || got.FileID != fileID ||
		got.PlainCaption != "from Bob" || got.FromChatID != bob.ID() || got.FromMessageID != src.ID {
		t.Errorf("copy = %+v", got)
	}
	fw, err := b.ForwardMessage(ctx(t), &bot.ForwardMessageParams{ChatID: alice.ID(), FromChatID: bob.ID(), MessageID: src.ID})
	if err != nil {
		t.Fatal(err)
	}
	if fw.Voice == nil || fw.Voice.FileID != fileID || fw.ForwardOrigin == nil {
		t.Errorf("forward = %+v", fw)
	}
	if _, err := b.CopyMessage(ctx(t), &bot.CopyMessageParams{ChatID: alice.ID(), FromChatID: bob.ID(), MessageID: 999}); err == nil ||
		!strings.Contains(err.Error(), "message to copy not found") {
		t.Errorf("copy missing: %v", err)
	}
	f, err := b.GetFile(ctx(t), &bot.GetFileParams{FileID: fileID})
	if err != nil || f.FilePath == "" {
		t.Errorf("getFile of a user voice: %+v %v", f, err)
	}
}

func TestCommands(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	cmds := []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "plan_today", Description: "Today's plan"}}
	if _, err := b.SetMyCommands(ctx(t), &bot.SetMyCommandsParams{Commands: cmds}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMyCommands(ctx(t), &bot.SetMyCommandsParams{Commands: cmds[:1], LanguageCode: "fr"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands(""); len(got) != 2 || got[1] != cmds[1] {
		t.Errorf("default commands = %+v", got)
	}
	if got := srv.Commands("fr"); len(got) != 1 {
		t.Errorf("fr commands = %+v", got)
	}
	got, err := b.GetMyCommands(ctx(t), &bot.GetMyCommandsParams{LanguageCode: "fr"})
	if err != nil || len(got) != 1 {
		t.Errorf("getMyCommands = %+v %v", got, err)
	}
	for _, bad := range []models.BotCommand{{Command: "Start", Description: "x"}, {Command: "a-b", Description: "x"}, {Command: strings.Repeat("a", 33), Description: "x"}, {Command: "ok", Description: ""}} {
		if _, err := b.SetMyCommands(ctx(t), &bot.SetMyCommandsParams{Commands: []models.BotCommand{bad}}); !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	if _, err := b.DeleteMyCommands(ctx(t), &bot.DeleteMyCommandsParams{LanguageCode: "fr"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands("fr"); len(got) != 0 {
		t.Errorf("after delete = %+v", got)
	}
}

func TestOtherBodyEncodings(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	u := srv.NewUser(8, "U")
	// JSON with a nested object.
	status, r := call(t, ctx(t), srv, "sendMessage", map[string]any{
		"chat_id": 8, "text": "json",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "A", "callback_data": "a"}}}},
	})
	if status != 200 || !r.OK {
		t.Fatalf("json: %d %s", status, r.Description)
	}
	// URL-encoded body.
	resp, err := http.PostForm(srv.MethodURL("sendMessage"), url.Values{"chat_id": {"8"}, "text": {"form"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// GET with query parameters.
	resp, err = http.Get(srv.MethodURL("sendMessage") + "?chat_id=8&text=query")
	if err != nil {
		t.Fatal(err)
	}
	var q apiResponse
	_ = json.NewDecoder(resp.Body).Decode(&q)
	resp.Body.Close()
	if !q.OK {
		t.Errorf("GET: %+v", q)
	}
	msgs := u.Messages()
	if len(msgs) != 3 || msgs[0].Keyboard[0][0].Data != "a" || msgs[1].Text != "form" || msgs[2].Text != "query" {
		t.Errorf("messages = %+v", msgs)
	}
	if srv.CallsTo("sendMessage")[0].Params["chat_id"] != "8" {
		t.Errorf("params = %v", srv.CallsTo("sendMessage")[0].Params)
	}
}

func TestWaitMessage(t *testing.T) {
	srv := newServer(t, telegramtest.Options{})
	b := newBot(t, srv)
	u := srv.NewUser(2, "U")
	done := make(chan error, 1)
	go func() {
		_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: u.ID(), Text: "ready"})
		done <- err
	}()
	m, err := u.WaitMessage(waitTimeout, func(m telegramtest.Message) bool { return m.PlainText == "ready" })
	if err != nil || m.Text != "ready" {
		t.Fatalf("WaitMessage = %+v, %v", m, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	_, err = u.WaitMessage(10*time.Millisecond, func(m telegramtest.Message) bool { return m.PlainText == "never" })
	if err == nil || !strings.Contains(err.Error(), `"ready"`) {
		t.Errorf("timeout error should describe the chat: %v", err)
	}
}
