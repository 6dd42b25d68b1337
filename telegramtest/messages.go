package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif"  // register GIF for photo validation
	_ "image/jpeg" // register JPEG for photo validation
	_ "image/png"  // register PNG for photo validation
	"mime"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// Message kinds.
const (
	kindText     = "text"
	kindPhoto    = "photo"
	kindDocument = "document"
	kindVoice    = "voice"
	kindSticker  = "sticker"
	kindCopy     = "copy"
	kindForward  = "forward"
)

// Message is what the fake stores for one message of a chat, in its
// current state (after edits).
type Message struct {
	ID        int
	ChatID    int64
	FromBot   bool
	Text      string // as sent (raw, with HTML tags if parse_mode HTML)
	PlainText string // text after entity parsing (tags removed, entities decoded)
	ParseMode string
	// Entities are the formatting entities of the text (or of the caption
	// for media messages), offsets in UTF-16 code units.
	Entities            []models.MessageEntity
	Keyboard            [][]Button // inline keyboard, nil if none
	ReplyKeyboard       bool       // a reply keyboard (keyboard) was sent with it
	RemoveKeyboard      bool       // remove_keyboard was sent with it
	ForceReply          bool       // force_reply was sent with it
	DisableNotification bool
	ProtectContent      bool
	ReplyTo             int    // message_id it replies to, 0 if none
	Kind                string // "text", "photo", "document", "voice", "sticker", "copy", "forward"
	// CopiedKind is, for "copy" and "forward" messages, the kind of the
	// original message; FromChatID and FromMessageID identify it.
	CopiedKind    string
	FromChatID    int64
	FromMessageID int
	Caption       string // raw caption (as sent)
	PlainCaption  string // caption after entity parsing
	File          []byte // uploaded bytes for photo/document/voice uploads
	FileName      string
	FileID        string // when sent by file_id, or the generated one
	Duration      int    // voice duration in seconds
	Edits         int
	Date          time.Time
}

// Button is an inline keyboard button.
type Button struct{ Text, Data, URL, WebApp string }

func (m Message) clone() Message {
	if m.Keyboard != nil {
		kb := make([][]Button, len(m.Keyboard))
		for i, row := range m.Keyboard {
			kb[i] = slices.Clone(row)
		}
		m.Keyboard = kb
	}
	m.Entities = slices.Clone(m.Entities)
	return m
}

func (m Message) String() string {
	who := "user"
	if m.FromBot {
		who = "bot"
	}
	s := fmt.Sprintf("#%d %s %s", m.ID, who, m.Kind)
	if m.CopiedKind != "" {
		s += "(" + m.CopiedKind + ")"
	}
	if m.PlainText != "" {
		s += fmt.Sprintf(" %q", m.PlainText)
	}
	if m.PlainCaption != "" {
		s += fmt.Sprintf(" caption=%q", m.PlainCaption)
	}
	for _, row := range m.Keyboard {
		for _, b := range row {
			s += fmt.Sprintf(" [%s|%s%s]", b.Text, b.Data, b.URL)
		}
	}
	if m.Edits > 0 {
		s += fmt.Sprintf(" edits=%d", m.Edits)
	}
	return s
}

// message is the stored state of one message.
type message struct {
	pub      Message
	deleted  bool
	from     *models.User
	markup   json.RawMessage // canonical inline keyboard markup, nil if none
	editDate int64

	photo    []models.PhotoSize
	document *models.Document
	voice    *models.Voice
	sticker  *models.Sticker

	forwardFrom *models.User
	forwardDate int64
}

type chat struct {
	id        int64
	firstName string
	lastName  string
	username  string
	blocked   bool
	nextID    int
	msgs      []*message
	byID      map[int]*message
	instance  string
}

func (c *chat) model() models.Chat {
	return models.Chat{ID: c.id, Type: models.ChatTypePrivate, FirstName: c.firstName, LastName: c.lastName, Username: c.username}
}

func (c *chat) add(m *message) *message {
	c.nextID++
	m.pub.ID = c.nextID
	m.pub.ChatID = c.id
	c.msgs = append(c.msgs, m)
	c.byID[m.pub.ID] = m
	return m
}

// file is a file the fake knows by file_id.
type file struct {
	id, uniqueID string
	kind         string
	data         []byte // nil when not uploaded (user media, URLs)
	size         int64
	path         string
	name, mime   string
	duration     int
	photo        []models.PhotoSize // for photos: all sizes
}

func (f *file) content() []byte {
	if f.data != nil {
		return f.data
	}
	return []byte("telegramtest file " + f.id)
}

// fileIDPrefix mimics the look of real file ids of each kind.
func fileIDPrefix(kind string) string {
	switch kind {
	case kindPhoto:
		return "AgACAgIAAxkBAAI"
	case kindVoice:
		return "AwACAgIAAxkBAAI"
	case kindSticker:
		return "CAACAgIAAxkBAAI"
	}
	return "BQACAgIAAxkBAAI"
}

func (s *Server) newFileLocked(kind string, data []byte, name, mimeType string) *file {
	n := s.nextSeqLocked()
	f := &file{
		id:       fmt.Sprintf("%sT%06d", fileIDPrefix(kind), n),
		uniqueID: fmt.Sprintf("AQADT%06d", n),
		kind:     kind,
		data:     data,
		name:     name,
		mime:     mimeType,
	}
	f.size = int64(len(f.content()))
	ext := path.Ext(name)
	switch kind {
	case kindVoice:
		ext = ".oga"
	case kindPhoto:
		ext = ".jpg"
	case kindSticker:
		ext = ".webp"
	}
	f.path = fmt.Sprintf("%ss/file_%d%s", kind, n, ext)
	s.files[f.id] = f
	return f
}

// wireMessage is the JSON form of a message.
type wireMessage struct {
	MessageID           int                    `json:"message_id"`
	From                *models.User           `json:"from,omitempty"`
	Date                int64                  `json:"date"`
	Chat                models.Chat            `json:"chat"`
	ForwardOrigin       *wireOrigin            `json:"forward_origin,omitempty"`
	ReplyToMessage      *wireMessage           `json:"reply_to_message,omitempty"`
	EditDate            int64                  `json:"edit_date,omitempty"`
	HasProtectedContent bool                   `json:"has_protected_content,omitempty"`
	Text                string                 `json:"text,omitempty"`
	Entities            []models.MessageEntity `json:"entities,omitempty"`
	Document            *models.Document       `json:"document,omitempty"`
	Photo               []models.PhotoSize     `json:"photo,omitempty"`
	Sticker             *models.Sticker        `json:"sticker,omitempty"`
	Voice               *models.Voice          `json:"voice,omitempty"`
	Caption             string                 `json:"caption,omitempty"`
	CaptionEntities     []models.MessageEntity `json:"caption_entities,omitempty"`
	ReplyMarkup         json.RawMessage        `json:"reply_markup,omitempty"`
}

type wireOrigin struct {
	Type       string       `json:"type"`
	Date       int64        `json:"date"`
	SenderUser *models.User `json:"sender_user,omitempty"`
}

func (s *Server) wireLocked(c *chat, m *message, withReply bool) *wireMessage {
	w := &wireMessage{
		MessageID:           m.pub.ID,
		From:                m.from,
		Date:                m.pub.Date.Unix(),
		Chat:                c.model(),
		EditDate:            m.editDate,
		HasProtectedContent: m.pub.ProtectContent,
		Document:            m.document,
		Photo:               m.photo,
		Sticker:             m.sticker,
		Voice:               m.voice,
		ReplyMarkup:         m.markup,
	}
	if m.pub.FromBot {
		w.From = s.botUser()
	}
	if m.forwardFrom != nil {
		w.ForwardOrigin = &wireOrigin{Type: "user", Date: m.forwardDate, SenderUser: m.forwardFrom}
	}
	if m.isMedia() {
		w.Caption = m.pub.PlainCaption
		w.CaptionEntities = m.pub.Entities
	} else {
		w.Text = m.pub.PlainText
		w.Entities = m.pub.Entities
	}
	if withReply && m.pub.ReplyTo != 0 {
		if r := c.byID[m.pub.ReplyTo]; r != nil && !r.deleted {
			w.ReplyToMessage = s.wireLocked(c, r, false)
		}
	}
	return w
}

func (m *message) isMedia() bool {
	return m.photo != nil || m.document != nil || m.voice != nil || m.sticker != nil
}

// ---------------------------------------------------------------------------
// Text validation

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

type parsedText struct {
	raw, plain, mode string
	entities         []models.MessageEntity
}

// parseText validates a text or caption as Telegram does.
func parseText(raw, parseMode string, caption bool) (parsedText, *apiError) {
	out := parsedText{raw: raw, plain: raw, mode: parseMode}
	if !utf8.ValidString(raw) {
		return out, badRequest("text must be encoded in UTF-8")
	}
	switch strings.ToLower(parseMode) {
	case "":
	case "html":
		plain, ents, reason := parseHTML(raw)
		if reason != "" {
			return out, badRequest("can't parse entities: " + reason)
		}
		out.plain, out.entities = plain, ents
	case "markdown", "markdownv2":
		// Accepted without validation; the text is kept as is.
	default:
		return out, badRequest("unsupported parse_mode")
	}
	if caption {
		if utf16Len(out.plain) > 1024 {
			return out, badRequest("message caption is too long")
		}
		return out, nil
	}
	if strings.TrimSpace(out.plain) == "" {
		return out, badRequest("message text is empty")
	}
	if utf16Len(out.plain) > 4096 {
		return out, badRequest("message is too long")
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Handler helpers

// chatLocked resolves a chat_id-like parameter.
func (s *Server) chatLocked(q *request, name string) (*chat, *apiError) {
	raw := strings.TrimSpace(q.str(name))
	if raw == "" {
		return nil, badRequest(name + " is empty")
	}
	id, ok := q.int64(name)
	if !ok {
		return nil, errChatNotFound()
	}
	c := s.chats[id]
	if c == nil {
		return nil, errChatNotFound()
	}
	return c, nil
}

func applyMarkup(m *message, mk *markup) {
	m.markup = nil
	m.pub.Keyboard = nil
	m.pub.ReplyKeyboard, m.pub.RemoveKeyboard, m.pub.ForceReply = false, false, false
	if mk == nil {
		return
	}
	switch mk.kind {
	case markupInline:
		m.markup = mk.canonical
		m.pub.Keyboard = mk.buttons
	case markupReply:
		m.pub.ReplyKeyboard = true
	case markupRemove:
		m.pub.RemoveKeyboard = true
	case markupForce:
		m.pub.ForceReply = true
	}
}

// replyToLocked validates reply_parameters / reply_to_message_id.
func replyToLocked(c *chat, q *request) (int, *apiError) {
	id := q.int("reply_to_message_id")
	allow := q.bool("allow_sending_without_reply")
	if raw := q.str("reply_parameters"); raw != "" {
		var rp struct {
			MessageID int  `json:"message_id"`
			Allow     bool `json:"allow_sending_without_reply"`
		}
		if err := json.Unmarshal([]byte(raw), &rp); err != nil {
			return 0, badRequest("can't parse reply parameters JSON object")
		}
		id, allow = rp.MessageID, rp.Allow
	}
	if id == 0 {
		return 0, nil
	}
	if m := c.byID[id]; m == nil || m.deleted {
		if allow {
			return 0, nil
		}
		return 0, badRequest("message to be replied not found")
	}
	return id, nil
}

func (s *Server) newBotMessageLocked(c *chat, q *request, kind string) *message {
	m := &message{pub: Message{
		FromBot:             true,
		Kind:                kind,
		DisableNotification: q.bool("disable_notification"),
		ProtectContent:      q.bool("protect_content"),
		Date:                s.opts.Now(),
	}}
	return m
}

// ---------------------------------------------------------------------------
// Handlers

func (s *Server) hSendMessage(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chatLocked(q, "chat_id")
	if e != nil {
		return nil, e
	}
	if !q.has("text") {
		return nil, badRequest("message text is empty")
	}
	t, e := parseText(q.str("text"), q.str("parse_mode"), false)
	if e != nil {
		return nil, e
	}
	mk, e := parseMarkup(q.str("reply_markup"))
	if e != nil {
		return nil, e
	}
	replyTo, e := replyToLocked(c, q)
	if e != nil {
		return nil, e
	}
	if c.blocked {
		return nil, errBlocked()
	}
	m := s.newBotMessageLocked(c, q, kindText)
	m.pub.Text, m.pub.PlainText, m.pub.ParseMode, m.pub.Entities = t.raw, t.plain, t.mode, t.entities
	m.pub.ReplyTo = replyTo
	applyMarkup(m, mk)
	c.add(m)
	s.notifyLocked()
	return s.wireLocked(c, m, true), nil
}

// editTargetLocked finds the bot message an edit method targets.
func (s *Server) editTargetLocked(q *request) (*chat, *message, *apiError) {
	if q.str("inline_message_id") != "" {
		return nil, nil, badRequest("message to edit not found")
	}
	c, e := s.chatLocked(q, "chat_id")
	if e != nil {
		return nil, nil, e
	}
	id := q.int("message_id")
	if id == 0 {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m := c.byID[id]
	if m == nil || m.deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if !m.pub.FromBot {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

func notModified() *apiError {
	return badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
}

func inlineOnly(mk *markup) *apiError {
	if mk != nil && mk.kind != markupInline && mk.kind != markupNone {
		return badRequest("inline keyboard expected")
	}
	return nil
}

func entitiesEqual(a, b []models.MessageEntity) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return bytes.Equal(x, y)
}

func markupJSON(mk *markup) json.RawMessage {
	if mk == nil || mk.kind != markupInline {
		return nil
	}
	return mk.canonical
}

func (s *Server) hEditMessageText(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editTargetLocked(q)
	if e != nil {
		return nil, e
	}
	t, e := parseText(q.str("text"), q.str("parse_mode"), false)
	if e != nil {
		return nil, e
	}
	mk, e := parseMarkup(q.str("reply_markup"))
	if e != nil {
		return nil, e
	}
	if e := inlineOnly(mk); e != nil {
		return nil, e
	}
	if m.isMedia() {
		return nil, badRequest("there is no text in the message to edit")
	}
	if c.blocked {
		return nil, errBlocked()
	}
	if t.plain == m.pub.PlainText && entitiesEqual(t.entities, m.pub.Entities) && bytes.Equal(markupJSON(mk), m.markup) {
		return nil, notModified()
	}
	m.pub.Text, m.pub.PlainText, m.pub.ParseMode, m.pub.Entities = t.raw, t.plain, t.mode, t.entities
	applyMarkup(m, mk)
	s.editedLocked(m)
	return s.wireLocked(c, m, true), nil
}

func (s *Server) editedLocked(m *message) {
	m.pub.Edits++
	m.editDate = s.opts.Now().Unix()
	s.notifyLocked()
}

func (s *Server) hEditMessageCaption(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editTargetLocked(q)
	if e != nil {
		return nil, e
	}
	t, e := parseText(q.str("caption"), q.str("parse_mode"), true)
	if e != nil {
		return nil, e
	}
	mk, e := parseMarkup(q.str("reply_markup"))
	if e != nil {
		return nil, e
	}
	if e := inlineOnly(mk); e != nil {
		return nil, e
	}
	if !m.isMedia() {
		return nil, badRequest("there is no caption in the message to edit")
	}
	if c.blocked {
		return nil, errBlocked()
	}
	if t.plain == m.pub.PlainCaption && entitiesEqual(t.entities, m.pub.Entities) && bytes.Equal(markupJSON(mk), m.markup) {
		return nil, notModified()
	}
	m.pub.Caption, m.pub.PlainCaption, m.pub.ParseMode, m.pub.Entities = t.raw, t.plain, t.mode, t.entities
	applyMarkup(m, mk)
	s.editedLocked(m)
	return s.wireLocked(c, m, true), nil
}

func (s *Server) hEditMessageReplyMarkup(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editTargetLocked(q)
	if e != nil {
		return nil, e
	}
	mk, e := parseMarkup(q.str("reply_markup"))
	if e != nil {
		return nil, e
	}
	if e := inlineOnly(mk); e != nil {
		return nil, e
	}
	if c.blocked {
		return nil, errBlocked()
	}
	if bytes.Equal(markupJSON(mk), m.markup) {
		return nil, notModified()
	}
	applyMarkup(m, mk)
	s.editedLocked(m)
	return s.wireLocked(c, m, true), nil
}

func (s *Server) hDeleteMessage(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chatLocked(q, "chat_id")
	if e != nil {
		return nil, e
	}
	id := q.int("message_id")
	if id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	m := c.byID[id]
	if m == nil || m.deleted {
		return nil, badRequest("message to delete not found")
	}
	m.deleted = true
	s.notifyLocked()
	return true, nil
}

func (s *Server) hSendChatAction(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chatLocked(q, "chat_id")
	if e != nil {
		return nil, e
	}
	switch q.str("action") {
	case "typing", "upload_photo", "record_video", "upload_video", "record_voice",
		"upload_voice", "upload_document", "choose_sticker", "find_location",
		"record_video_note", "upload_video_note":
	default:
		return nil, badRequest("wrong parameter action in request")
	}
	if c.blocked {
		return nil, errBlocked()
	}
	return true, nil
}

// sendMedia implements sendPhoto, sendDocument and sendVoice.
func (s *Server) sendMedia(q *request, kind string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chatLocked(q, "chat_id")
	if e != nil {
		return nil, e
	}
	t, e := parseText(q.str("caption"), q.str("parse_mode"), true)
	if e != nil {
		return nil, e
	}
	mk, e := parseMarkup(q.str("reply_markup"))
	if e != nil {
		return nil, e
	}
	replyTo, e := replyToLocked(c, q)
	if e != nil {
		return nil, e
	}

	// Resolve the file: upload, attach://, known file_id or URL.
	var up *upload
	var known *file
	var fromURL string
	if u, ok := q.files[kind]; ok {
		up = &u
	} else {
		v := strings.TrimSpace(q.str(kind))
		switch {
		case v == "":
			return nil, badRequest("there is no " + kind + " in the request")
		case strings.HasPrefix(v, "attach://"):
			u, ok := q.files[strings.TrimPrefix(v, "attach://")]
			if !ok {
				return nil, badRequest("wrong file identifier/HTTP URL specified")
			}
			up = &u
		case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
			if _, err := url.Parse(v); err != nil {
				return nil, badRequest("wrong file identifier/HTTP URL specified")
			}
			fromURL = v
		default:
			known = s.files[v]
			if known == nil {
				return nil, badRequest("wrong file identifier/HTTP URL specified")
			}
			if known.kind != kind {
				return nil, badRequest(fmt.Sprintf("can't use file of type %s as %s", titleCase(known.kind), titleCase(kind)))
			}
		}
	}
	var width, height int
	if up != nil {
		if len(up.data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
		if kind == kindPhoto {
			cfg, _, err := image.DecodeConfig(bytes.NewReader(up.data))
			if err != nil {
				return nil, badRequest("IMAGE_PROCESS_FAILED")
			}
			width, height = cfg.Width, cfg.Height
		}
	}
	if c.blocked {
		return nil, errBlocked()
	}

	m := s.newBotMessageLocked(c, q, kind)
	m.pub.Caption, m.pub.PlainCaption, m.pub.ParseMode, m.pub.Entities = t.raw, t.plain, t.mode, t.entities
	m.pub.ReplyTo = replyTo
	applyMarkup(m, mk)

	f := known
	if f == nil {
		var data []byte
		name := ""
		if up != nil {
			data, name = up.data, up.name
		} else {
			u, _ := url.Parse(fromURL)
			name = path.Base(u.Path)
		}
		mt := ""
		switch kind {
		case kindVoice:
			mt = "audio/ogg"
		case kindDocument:
			mt = mimeByName(name)
		}
		f = s.newFileLocked(kind, data, name, mt)
		if kind == kindVoice {
			f.duration = q.int("duration")
		}
		if kind == kindPhoto {
			if width == 0 {
				width, height = 1280, 960
			}
			f.photo = s.photoSizesLocked(f, width, height)
		}
	}
	m.pub.File, m.pub.FileName, m.pub.FileID = f.data, f.name, f.id
	s.attachFile(m, f)
	c.add(m)
	s.notifyLocked()
	return s.wireLocked(c, m, true), nil
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func mimeByName(name string) string {
	mt := mime.TypeByExtension(path.Ext(name))
	if mt == "" {
		return "application/octet-stream"
	}
	if base, _, err := mime.ParseMediaType(mt); err == nil {
		return base
	}
	return mt
}

// photoSizesLocked registers a thumbnail for photo f (the largest size) and
// returns its sizes, smallest first.
func (s *Server) photoSizesLocked(f *file, w, h int) []models.PhotoSize {
	tw, th := w, h
	if tw > 90 || th > 90 {
		if tw >= th {
			th, tw = max(1, th*90/tw), 90
		} else {
			tw, th = max(1, tw*90/th), 90
		}
	}
	thumb := s.newFileLocked(kindPhoto, nil, "", "")
	sizes := []models.PhotoSize{
		{FileID: thumb.id, FileUniqueID: thumb.uniqueID, Width: tw, Height: th, FileSize: int(thumb.size)},
		{FileID: f.id, FileUniqueID: f.uniqueID, Width: w, Height: h, FileSize: int(f.size)},
	}
	thumb.photo = sizes
	return sizes
}

// attachFile sets the media fields of m from f.
func (s *Server) attachFile(m *message, f *file) {
	switch f.kind {
	case kindPhoto:
		m.photo = f.photo
		if m.photo == nil {
			m.photo = []models.PhotoSize{{FileID: f.id, FileUniqueID: f.uniqueID, Width: 1280, Height: 960, FileSize: int(f.size)}}
		}
	case kindDocument:
		m.document = &models.Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: f.name, MimeType: f.mime, FileSize: f.size}
	case kindVoice:
		m.voice = &models.Voice{FileID: f.id, FileUniqueID: f.uniqueID, Duration: f.duration, MimeType: f.mime, FileSize: f.size}
		m.pub.Duration = f.duration
	case kindSticker:
		m.sticker = &models.Sticker{FileID: f.id, FileUniqueID: f.uniqueID, Type: "regular", Width: 512, Height: 512, Emoji: "👍", SetName: "TelegramTest"}
	}
}

func (s *Server) copySourceLocked(q *request, what string) (*chat, *chat, *message, *apiError) {
	c, e := s.chatLocked(q, "chat_id")
	if e != nil {
		return nil, nil, nil, e
	}
	src, e := s.chatLocked(q, "from_chat_id")
	if e != nil {
		return nil, nil, nil, e
	}
	id := q.int("message_id")
	m := src.byID[id]
	if m == nil || m.deleted {
		return nil, nil, nil, badRequest("message to " + what + " not found")
	}
	return c, src, m, nil
}

func (s *Server) cloneIntoLocked(c *chat, src *chat, orig *message, q *request, kind string) *message {
	m := s.newBotMessageLocked(c, q, kind)
	p := orig.pub
	m.pub.Text, m.pub.PlainText, m.pub.ParseMode = p.Text, p.PlainText, p.ParseMode
	m.pub.Entities = slices.Clone(p.Entities)
	m.pub.Caption, m.pub.PlainCaption = p.Caption, p.PlainCaption
	m.pub.File, m.pub.FileName, m.pub.FileID, m.pub.Duration = p.File, p.FileName, p.FileID, p.Duration
	m.pub.CopiedKind = p.Kind
	if p.CopiedKind != "" {
		m.pub.CopiedKind = p.CopiedKind
	}
	m.pub.FromChatID, m.pub.FromMessageID = src.id, p.ID
	m.photo, m.document, m.voice, m.sticker = orig.photo, orig.document, orig.voice, orig.sticker
	return m
}

func (s *Server) hCopyMessage(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, src, orig, e := s.copySourceLocked(q, "copy")
	if e != nil {
		return nil, e
	}
	var t *parsedText
	if q.has("caption") {
		pt, e := parseText(q.str("caption"), q.str("parse_mode"), true)
		if e != nil {
			return nil, e
		}
		t = &pt
	}
	mk, e := parseMarkup(q.str("reply_markup"))
	if e != nil {
		return nil, e
	}
	replyTo, e := replyToLocked(c, q)
	if e != nil {
		return nil, e
	}
	if c.blocked {
		return nil, errBlocked()
	}
	m := s.cloneIntoLocked(c, src, orig, q, kindCopy)
	if t != nil && m.isMedia() {
		m.pub.Caption, m.pub.PlainCaption, m.pub.ParseMode, m.pub.Entities = t.raw, t.plain, t.mode, t.entities
	}
	m.pub.ReplyTo = replyTo
	applyMarkup(m, mk)
	c.add(m)
	s.notifyLocked()
	return models.MessageID{ID: m.pub.ID}, nil
}

func (s *Server) hForwardMessage(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, src, orig, e := s.copySourceLocked(q, "forward")
	if e != nil {
		return nil, e
	}
	if c.blocked {
		return nil, errBlocked()
	}
	m := s.cloneIntoLocked(c, src, orig, q, kindForward)
	m.forwardFrom = orig.from
	if orig.pub.FromBot {
		m.forwardFrom = s.botUser()
	}
	m.forwardDate = orig.pub.Date.Unix()
	if orig.forwardFrom != nil {
		m.forwardFrom, m.forwardDate = orig.forwardFrom, orig.forwardDate
	}
	c.add(m)
	s.notifyLocked()
	return s.wireLocked(c, m, true), nil
}

func (s *Server) hGetFile(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[strings.TrimSpace(q.str("file_id"))]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	return models.File{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: f.size, FilePath: f.path}, nil
}
