package telegramtest

import (
	"encoding/json"
	"fmt"
)

// InjectRawUpdate queues an update whose JSON the test writes itself, to
// see how a bot copes with what Telegram should never send: an update_id
// that is a string or zero, an array instead of an object, unknown fields.
// build receives the update_id the fake assigns for its own bookkeeping (the
// offset that confirms the update is that id + 1) and returns the update's
// JSON, which is delivered as is by getUpdates and by the webhook; it must be
// valid JSON. It returns the assigned id.
func (s *Server) InjectRawUpdate(build func(id int64) []byte) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastUpdateID++
	id := s.lastUpdateID
	raw := build(id)
	if !json.Valid(raw) {
		panic(fmt.Sprintf("telegramtest: InjectRawUpdate: not JSON: %q", raw))
	}
	s.updates = append(s.updates, pendingUpdate{id: id, kind: "raw", raw: json.RawMessage(raw)})
	s.notifyLocked()
	return id
}
