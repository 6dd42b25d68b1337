// Package bot is Suivi's Telegram transport. It owns the durable inbox in
// front of the handlers (our own getUpdates loop or a webhook, both
// persisting each update before Telegram is told we have it; what cannot be
// decoded is parked, never blocking the queue), per-chat sequencing across
// replicas, panic recovery and id-only logging, and the one outbound path
// (rate limits, 429/403/5xx handling, dedupe by message key), plus keyboards
// and text splitting.
//
// A message is remembered by one key in Redis: its outbox marker
// (store.MarkSent), set when it is queued and, once Telegram accepted it,
// recording its message id (for a long text, each part's as it goes), for
// 7 days from then. A message redelivered after a crash between its send
// and its ack is not sent again, a long text cut short resumes after the
// parts sent, and a reply sent in a turn of the inbox (not queued) is
// remembered the same way. It was two keys (the outbox's 60-day marker
// and a 7-day sent: marker): one key of 7 days, the retry horizon, took a
// beneficiary's bytes after 8 simulated weeks from 14.0 KB to 6.0 KB with
// the rest of issue 9 (BENCHMARKS.md, run of 2026-12-03). It knows nothing of plans or dialogs: cmd wires a
// Handler into it.
//
// No worker ever waits on one chat: a chat over its rate, or paused by
// Telegram's flood control, goes back to its queue with the time it may be
// served again (a *RetryAfterError), and a Telegram outage (ErrTransient)
// is waited out with backoff without counting against an update. One chat
// keeps at most MaxPending updates waiting.
//
// What the transport does is counted when LaneConfig.Metrics is set (each
// item's outcome and time, chats put back and why) and, for every Bot API
// request, by the HTTP client's InstrumentTransport.
package bot
