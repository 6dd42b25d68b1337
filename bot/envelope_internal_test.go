package bot

import (
	"encoding/json"
	"testing"

	"github.com/go-telegram/bot/models"
)

// TestEnvelopeFindsTheChatAsChatOf: the inbox's one light decode finds the
// same chat as ChatOf on the whole update, for every kind of update.
func TestEnvelopeFindsTheChatAsChatOf(t *testing.T) {
	for _, raw := range []string{
		`{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":77,"type":"private"},"from":{"id":77},"text":"bonjour"}}`,
		`{"update_id":2,"edited_message":{"message_id":5,"date":1,"chat":{"id":-100,"type":"group"},"text":"x"}}`,
		`{"update_id":3,"callback_query":{"id":"q","from":{"id":55},"message":{"message_id":9,"date":5,"chat":{"id":66,"type":"private"}},"data":"d"}}`,
		`{"update_id":4,"callback_query":{"id":"q","from":{"id":55},"message":{"message_id":9,"date":0,"chat":{"id":66,"type":"private"}},"data":"d"}}`,
		`{"update_id":5,"callback_query":{"id":"q","from":{"id":56},"inline_message_id":"i","data":"d"}}`,
		`{"update_id":6,"my_chat_member":{"chat":{"id":88,"type":"private"},"from":{"id":88},"date":1}}`,
		`{"update_id":7,"poll":{"id":"p"}}`,
	} {
		var env envelope
		if err := json.Unmarshal([]byte(raw), &env); err != nil {
			t.Fatal(err)
		}
		var upd models.Update
		if err := json.Unmarshal([]byte(raw), &upd); err != nil {
			t.Fatal(err)
		}
		if got, want := env.chat(), ChatOf(&upd); got != want {
			t.Errorf("%s: envelope says chat %d, ChatOf %d", raw, got, want)
		}
	}
}
