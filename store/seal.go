package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"suivi/domain"
)

// Free text at rest. What a person typed (check-in answers and notes,
// messages relayed between a beneficiary and their advisor, drafts held in
// a conversation's state, plan objectives and resources), voice-note file
// references, and every payload of the durable queues (raw Telegram
// updates, messages to send, parked items) are sealed with AES-256-GCM
// before they reach Redis, so that a copy of its snapshot or append-only
// file reveals none of them. The cipher, the key ring and the list of
// sealed record fields (freeText) live here; the store applies them at
// three boundaries: records at encode/decode, queue payloads at the lanes'
// Push/Head (lanes.go), conversation states at their Set/Get.
//
// Nonces are random (96 bits): one key should seal no more than about 2^32
// values, a few years of a large deployment; rotating the key yearly keeps
// far below.
//
// A sealed value is text, so that Lua's cjson can copy it into a parked
// record unchanged:
//
//	$sv1$<key id>$<base64 of nonce (12 bytes) || ciphertext || tag>
//
// It is bound (GCM's additional data) to where it belongs — a check-in's
// beneficiary and week, a queue item's id — so it cannot be moved to
// another record. A value without the prefix is clear: data written before
// sealing existed is read as it is, and sealed by `suivi keys rotate`.
// Empty texts stay empty.
const sealPrefix = "$sv1$"

// ErrUnsealable is returned for a value sealed under a key the ring lacks,
// or altered.
var ErrUnsealable = errors.New("sealed value cannot be opened")

// Keyring holds the keys of SUIVI_DATA_KEYS: the first seals, all open.
type Keyring struct {
	ids  []string
	aead map[string]cipher.AEAD
	fp   map[string]string // key id -> fingerprint (see fingerprint)
	// pseud is the HMAC key of pseudonyms (Keyring.pseudonym), derived
	// from the first key.
	pseud []byte
}

var keyIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// keySize is AES-256's.
const keySize = 32

// ParseKeyring reads SUIVI_DATA_KEYS: comma-separated "id:base64key"
// entries, each key 32 bytes (`openssl rand -base64 32`). The first entry
// seals; every entry opens. Errors name the entry and its id, never the
// key material.
func ParseKeyring(s string) (*Keyring, error) {
	k := &Keyring{aead: map[string]cipher.AEAD{}, fp: map[string]string{}}
	n := 0
	for _, entry := range strings.Split(s, ",") {
		if entry = strings.TrimSpace(entry); entry == "" {
			continue
		}
		n++
		id, b64, ok := strings.Cut(entry, ":")
		id, b64 = strings.TrimSpace(id), strings.TrimSpace(b64)
		if !ok || !keyIDRE.MatchString(id) {
			return nil, fmt.Errorf("entry %d is not id:base64key with an id of 1 to 32 letters, digits, _ or -", n)
		}
		raw, err := decodeKey(b64)
		if err != nil || len(raw) != keySize {
			return nil, fmt.Errorf("key %q is not 32 bytes in base64 (make one with: suivi keys new)", id)
		}
		if _, dup := k.aead[id]; dup {
			return nil, fmt.Errorf("key id %q appears twice", id)
		}
		if err := k.add(id, raw); err != nil {
			return nil, err
		}
	}
	if n == 0 {
		return nil, errors.New("no key")
	}
	return k, nil
}

func decodeKey(s string) ([]byte, error) {
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		var b []byte
		if b, err = enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, err
}

func (k *Keyring) add(id string, raw []byte) error {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return fmt.Errorf("key %q: %w", id, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return fmt.Errorf("key %q: %w", id, err)
	}
	if len(k.ids) == 0 {
		m := hmac.New(sha256.New, raw)
		m.Write([]byte("suivi pseudonym"))
		k.pseud = m.Sum(nil)
	}
	k.ids = append(k.ids, id)
	k.aead[id] = aead
	k.fp[id] = fingerprint(raw)
	return nil
}

// fingerprint identifies a key without revealing it (an HMAC of a fixed
// message under the key): Redis remembers the fingerprints of the keys it
// holds values under, so a mistyped or wrong key is refused at start.
func fingerprint(raw []byte) string {
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("suivi data key fingerprint"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// NewKeyEntry returns a fresh random key as a SUIVI_DATA_KEYS entry,
// "id:base64key".
func NewKeyEntry(id string) (string, error) {
	if !keyIDRE.MatchString(id) {
		return "", fmt.Errorf("key id %q: 1 to 32 letters, digits, _ or -", id)
	}
	raw := make([]byte, keySize)
	_, _ = rand.Read(raw) // never fails (crypto/rand)
	return id + ":" + base64.StdEncoding.EncodeToString(raw), nil
}

// EphemeralKeyring returns a ring of one fresh key that lives as long as
// the process: for the sandbox (which wipes its Redis at start) and tests.
func EphemeralKeyring() *Keyring {
	entry, _ := NewKeyEntry("ephemeral")
	k, err := ParseKeyring(entry)
	if err != nil {
		panic("store: ephemeral key: " + err.Error())
	}
	return k
}

// pseudonym returns a name for v that does not reveal it (an HMAC under a
// key derived from the first key, 16 hex digits): for a key name that
// would otherwise hold a Telegram id (a chat's rate limit), so that a copy
// of Redis does not list who was written to. It changes with the first
// key (a rotation forgets the chats' rates, which last seconds).
func (k *Keyring) pseudonym(v string) string {
	m := hmac.New(sha256.New, k.pseud)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// Primary returns the id of the key that seals.
func (k *Keyring) Primary() string { return k.ids[0] }

// IDs returns the ids of the ring, the sealing one first.
func (k *Keyring) IDs() []string { return append([]string(nil), k.ids...) }

// seal returns plain sealed under the first key, bound to aad.
func (k *Keyring) seal(plain []byte, aad string) []byte {
	id := k.ids[0]
	aead := k.aead[id]
	buf := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	_, _ = rand.Read(buf) // never fails (crypto/rand)
	buf = aead.Seal(buf, buf, plain, []byte(aad))
	out := make([]byte, 0, len(sealPrefix)+len(id)+1+base64.RawStdEncoding.EncodedLen(len(buf)))
	out = append(out, sealPrefix...)
	out = append(out, id...)
	out = append(out, '$')
	return base64.RawStdEncoding.AppendEncode(out, buf)
}

// sealedWith returns the id of the key v is sealed under; ok is false for
// a clear value.
func sealedWith(v []byte) (id string, body []byte, ok bool) {
	rest, found := strings.CutPrefix(string(v), sealPrefix)
	if !found {
		return "", nil, false
	}
	id, b64, found := strings.Cut(rest, "$")
	if !found {
		return "", nil, false
	}
	return id, []byte(b64), true
}

// open returns the clear content of v, bound to aad; a clear v is returned
// as it is.
func (k *Keyring) open(v []byte, aad string) ([]byte, error) {
	id, b64, ok := sealedWith(v)
	if !ok {
		return v, nil
	}
	aead := k.aead[id]
	if aead == nil {
		return nil, fmt.Errorf("%w: sealed under key %q, which SUIVI_DATA_KEYS lacks", ErrUnsealable, id)
	}
	buf, err := base64.RawStdEncoding.AppendDecode(nil, b64)
	if err != nil || len(buf) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%w: malformed", ErrUnsealable)
	}
	plain, err := aead.Open(nil, buf[:aead.NonceSize()], buf[aead.NonceSize():], []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("%w: key %q does not open it", ErrUnsealable, id)
	}
	return plain, nil
}

// current reports whether v needs no resealing: empty, or sealed under the
// first key.
func (k *Keyring) current(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	id, _, ok := sealedWith(v)
	return ok && id == k.ids[0]
}

func (k *Keyring) sealString(s, aad string) string {
	if s == "" {
		return ""
	}
	return string(k.seal([]byte(s), aad))
}

// The additional data each sealed value is bound to: what it is and whose.
func aadCheckin(benID string, week domain.Week) string {
	return "checkin:" + benID + ":" + string(week)
}
func aadPlan(id string) string         { return "plan:" + id }
func aadDialog(benID string) string    { return "dialog:" + benID }
func aadAdvisorDialog(id int64) string { return "advisor-dialog:" + i64(id) }
func aadItem(queue, id string) string  { return queue + ":" + id }
func aadHeld(advisorID int64, key string) string {
	return "held:" + i64(advisorID) + ":" + key
}

// freeText lists the fields of a record that hold free text or voice-note
// references: the ones sealed at rest. Every other field — ids, names and
// aliases, step titles, states, dates, scores and statuses chosen with a
// button — stays clear.
func freeText(v any) []*string {
	switch r := v.(type) {
	case *domain.CheckIn:
		return []*string{&r.Answer, &r.AnswerVoice, &r.Note, &r.Voice}
	case *domain.Plan:
		out := []*string{&r.Checkin.Question}
		for i := range r.Steps {
			st := &r.Steps[i]
			out = append(out, &st.Objective)
			for j := range st.Resources {
				out = append(out, &st.Resources[j])
			}
			for j := range st.Indicators {
				out = append(out, &st.Indicators[j])
			}
		}
		return out
	}
	return nil
}

// bundled reports whether a record's free texts are sealed together, as one
// sealed JSON array under bundleField, rather than each in its field: a
// plan's. A 5-step plan has about 25 of them (objectives, resources,
// indicators), and each sealed value costs ~55 bytes more than its text
// (key id, nonce, tag, base64): about half of the plan's bytes at rest
// (BENCHMARKS.md, issue 9). A check-in's few texts stay sealed each in its
// field.
func bundled(v any) bool {
	_, ok := v.(*domain.Plan)
	return ok
}

// bundleField opens the member a bundle is written under, last in the
// record's JSON. It cannot occur elsewhere in it: a quote inside a JSON
// string is escaped, and the record's free texts are emptied.
var bundleField = []byte(`,"$sealed":"`)

// encode returns the JSON of a record with its free-text fields sealed,
// leaving v untouched.
func encode[T any](s *Store, v *T, aad string) []byte {
	b := mustJSON(v)
	if len(freeText(v)) == 0 {
		return b
	}
	cp := new(T)
	if err := json.Unmarshal(b, cp); err != nil {
		panic(fmt.Sprintf("store: copy %T: %v", v, err))
	}
	if !bundled(cp) {
		for _, f := range freeText(cp) {
			*f = s.keys.sealString(*f, aad)
		}
		return mustJSON(cp)
	}
	var texts []string
	some := false
	for _, f := range freeText(cp) {
		texts = append(texts, *f)
		some = some || *f != ""
		*f = ""
	}
	out := mustJSON(cp)
	if !some || len(out) == 0 || out[len(out)-1] != '}' {
		return out
	}
	out = append(out[:len(out)-1], bundleField...)
	out = append(out, s.keys.seal(mustJSON(texts), aad)...)
	return append(out, '"', '}')
}

// unbundle returns the sealed bundle of a record's JSON, if it has one.
func unbundle(b []byte) ([]byte, bool) {
	i := bytes.LastIndex(b, bundleField)
	if i < 0 {
		return nil, false
	}
	rest := b[i+len(bundleField):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil, false
	}
	return rest[:j], true
}

// decode reads a record's JSON and opens its free-text fields. stale
// reports a field that is clear or sealed under another key than the first
// (and a plan written field by field, before bundles: its next write, or
// `suivi keys rotate`, bundles it).
func decode[T any](s *Store, b []byte, aad string) (v *T, stale bool, err error) {
	v = new(T)
	if err := jsonUnmarshal(b, v); err != nil {
		return nil, false, err
	}
	if bundled(v) {
		if sealed, ok := unbundle(b); ok {
			if !s.keys.current(sealed) {
				stale = true
			}
			plain, err := s.keys.open(sealed, aad)
			if err != nil {
				return nil, false, fmt.Errorf("decode %T: %w", v, err)
			}
			var texts []string
			if err := json.Unmarshal(plain, &texts); err != nil {
				return nil, false, fmt.Errorf("decode %T: bundle: %w", v, err)
			}
			fields := freeText(v)
			if len(texts) != len(fields) {
				return nil, false, fmt.Errorf("decode %T: bundle of %d texts for %d fields", v, len(texts), len(fields))
			}
			for i, f := range fields {
				*f = texts[i]
			}
			return v, stale, nil
		}
	}
	for _, f := range freeText(v) {
		if !s.keys.current([]byte(*f)) {
			stale = true
		}
		if bundled(v) && *f != "" {
			stale = true
		}
		plain, err := s.keys.open([]byte(*f), aad)
		if err != nil {
			return nil, false, fmt.Errorf("decode %T: %w", v, err)
		}
		*f = string(plain)
	}
	return v, stale, nil
}
