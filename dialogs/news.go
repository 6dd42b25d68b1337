package dialogs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/reminders"
	"suivi/store"
)

// Working hours (droit à la déconnexion). What Suivi tells an advisor —
// forwards, answers, alerts, digests — comes within their working hours
// (theirs, or the structure's SUIVI_WORKING_HOURS; default Monday to Friday
// 9:00–18:00). Outside them it waits (store.HoldNews) and comes at the
// start of the next working period, all together in one message that opens
// on what matters most (the scheduler's release job, handled in the
// advisor's lane). A request for help marked urgent comes at once, but
// silently, and flagged; the beneficiary who asks for help or writes is
// told, kindly, when the advisor will see it. What answers the advisor's
// own action (an acknowledgment) always comes at once.

// Priorities of news, most important first in a grouped message.
const (
	prioHelp    = 100
	prioBlocked = 80 // a step blocked
	prioSilence = 60
	prioGone    = 50 // the person blocked Suivi
	prioOverdue = 40
	prioAnswer  = 30 // the person wrote to the advisor
	prioForward = 20
	prioBrief   = 15
	prioStep    = 10 // a step of the advisor's own
	prioDigest  = 5
)

// heldNews is a message waiting for working hours. A digest waits as a
// mark (Digest: whose), made at the release.
type heldNews struct {
	Out      bot.Outgoing `json:"out"`
	Priority int          `json:"p"`
	At       time.Time    `json:"at"`
	Digest   int64        `json:"digest,omitempty"`
}

// workHours returns an advisor's working hours, and false when news come
// at any hour.
func (r *Router) workHours(ctx context.Context, advisorID int64) (domain.WorkHours, bool) {
	if a, err := r.Store.Advisor(ctx, advisorID); err == nil && a.Work != nil && a.Work.Valid() == nil {
		return *a.Work, true
	}
	return r.Work, r.WorkLimited
}

// sent is what became of news: New is false for a key queued or held
// before; Held, when set, is when the advisor will see it (outside their
// working hours).
type sentNews struct {
	New  bool
	Held time.Time
}

// news queues a message to an advisor (out.ChatID is whoever reads their
// news now): at once within their working hours, else held until the
// next working period. urgent news come at once, silently, flagged.
func (r *Router) news(ctx context.Context, out bot.Outgoing, priority int, urgent bool) (sentNews, error) {
	work, limited := r.workHours(ctx, out.ChatID)
	now := r.Now()
	if !limited || work.Open(now, r.DefaultZone) {
		isNew, err := r.Outbox.Enqueue(ctx, out)
		return sentNews{New: isNew}, err
	}
	at := work.NextOpen(now, r.DefaultZone)
	if urgent {
		out.Silent = true
		if out.Kind == "" || out.Kind == "text" {
			out.Text = r.at(catalog.NewsUrgentFlag) + "\n" + out.Text
		}
		isNew, err := r.Outbox.Enqueue(ctx, out)
		return sentNews{New: isNew, Held: at}, err
	}
	return r.hold(ctx, heldNews{Out: out, Priority: priority, At: now.UTC()}, at)
}

// hold keeps news for the start of the reader's next working period, at.
func (r *Router) hold(ctx context.Context, h heldNews, at time.Time) (sentNews, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return sentNews{}, fmt.Errorf("encode held news: %w", err)
	}
	isNew, err := r.Store.HoldNews(ctx, h.Out.ChatID, h.Out.Key, b)
	if err != nil {
		return sentNews{}, err
	}
	return sentNews{New: isNew, Held: at}, r.Sched.HoldRelease(ctx, h.Out.ChatID, at)
}

// holdDigest holds the mark of advisor's digest for reader (key: the
// digest's occurrence) when it is outside the reader's working hours.
func (r *Router) holdDigest(ctx context.Context, advisor, reader int64, key string) (bool, error) {
	work, limited := r.workHours(ctx, reader)
	now := r.Now()
	if !limited || work.Open(now, r.DefaultZone) {
		return false, nil
	}
	_, err := r.hold(ctx, heldNews{Out: bot.Outgoing{Key: key, ChatID: reader, Silent: true}, Priority: prioDigest, At: now.UTC(), Digest: advisor},
		work.NextOpen(now, r.DefaultZone))
	return true, err
}

// releaseNews sends an advisor the news held outside their working hours:
// one message, what matters most first (with its buttons), then the images
// and voice notes that came with them.
func (r *Router) releaseNews(ctx context.Context, d reminders.Due) error {
	id := d.Advisor.ID
	raw, err := r.Store.HeldNews(ctx, id)
	if err != nil || len(raw) == 0 {
		return err
	}
	work, limited := r.workHours(ctx, id)
	if now := r.Now(); limited && !work.Open(now, r.DefaultZone) {
		// The hours changed meanwhile: wait for the new ones.
		return r.Sched.HoldRelease(ctx, id, work.NextOpen(now, r.DefaultZone))
	}
	var items []heldNews
	var keys []string
	for k, b := range raw {
		var h heldNews
		if json.Unmarshal(b, &h) != nil {
			keys = append(keys, k) // unreadable: dropped
			continue
		}
		items = append(items, h)
		keys = append(keys, k)
	}
	slices.SortStableFunc(items, func(a, b heldNews) int {
		if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
			return c
		}
		return a.At.Compare(b.At)
	})
	var texts []string
	var media []bot.Outgoing
	var kb bot.Keyboard
	for _, h := range items {
		if h.Digest != 0 {
			// Made now, on the data of now.
			adv, err := r.Store.Advisor(ctx, h.Digest)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			text, png, err := r.digestFor(ctx, adv, id)
			if err != nil {
				return err
			}
			texts = append(texts, text)
			if png != nil {
				media = append(media, r.digestChart(h.Out.Key, id, png))
			}
			continue
		}
		switch h.Out.Kind {
		case "", "text":
			texts = append(texts, h.Out.Text)
			if kb == nil {
				kb = h.Out.Keyboard
			}
		default:
			media = append(media, h.Out)
		}
	}
	if len(texts) > 0 {
		text := r.at(catalog.NewsHeldTitle, "n", len(items)) + "\n\n" + strings.Join(texts, "\n\n")
		if _, err := r.Outbox.Enqueue(ctx, bot.Outgoing{Key: "held:" + d.Key, ChatID: id, Text: text, Keyboard: kb}); err != nil {
			return err
		}
	}
	for _, m := range media {
		m.Silent = true
		if _, err := r.Outbox.Enqueue(ctx, m); err != nil {
			return err
		}
	}
	return r.Store.ReleaseHeldNews(ctx, id, keys)
}

// whenAdvisorSees tells a beneficiary when their advisor will see what they
// sent (their news wait for working hours), once per key.
func (r *Router) whenAdvisorSees(ctx context.Context, ben *domain.Beneficiary, key string, at time.Time, reader int64) error {
	if at.IsZero() || ben.TelegramID == 0 {
		return nil
	}
	name := r.advisorFor(ctx, ben.Language, reader)
	_, err := r.Outbox.Enqueue(ctx, bot.Outgoing{Key: "sees:" + key, ChatID: ben.TelegramID, Silent: true,
		Text: r.Catalog.T(ben.Language, catalog.NewsSeesAt, "advisor", name, "when", r.Catalog.Instant(ben.Language, at, ben.Location(r.DefaultZone)))})
	return err
}
