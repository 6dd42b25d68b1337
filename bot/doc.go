// Package bot is Suivi's Telegram transport. It owns the durable inbox in
// front of the handlers (our own getUpdates loop or a webhook, both
// persisting each update before Telegram is told we have it), per-chat
// sequencing across replicas, panic recovery and id-only logging, and the
// one outbound path (rate limits, 429/403 handling, dedupe by message key),
// plus keyboards and text splitting. It knows nothing of plans or dialogs:
// cmd wires a Handler into it.
package bot
