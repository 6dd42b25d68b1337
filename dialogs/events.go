package dialogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/domain"
	"suivi/reminders"
	"suivi/store"
)

// Kinds of the events the dialogs push into a beneficiary's lane for an
// advisor's action (see the package doc: one writer per beneficiary).
const (
	evRelance = "relance" // an advisor offers a check-in now
	evClose   = "close"   // an advisor closes the accompaniment
	evRevise  = "revise"  // one change of a plan by the advisor, or its end
	// evOwnStep (ownsteps.go): the advisor's own step done or moved.
)

// advisorAct is the Data of an event an advisor's action pushes: who acted,
// on whom.
type advisorAct struct {
	Advisor int64  `json:"advisor"`
	Ben     string `json:"ben"`
}

// HandleEvent implements bot.Handler: a change pushed into a lane by the
// scheduler, by an advisor's action or by the outbox, handled in that lane
// like a Telegram update.
func (r *Router) HandleEvent(ctx context.Context, ev *store.Event) error {
	return r.handleEvent(ctx, ev, true)
}

// handleEvent handles an event; mayWait is false for an event that waited
// for a message to the advisor and runs now that it is sent.
func (r *Router) handleEvent(ctx context.Context, ev *store.Event, mayWait bool) error {
	switch ev.Kind {
	case reminders.EventDue:
		return r.onDue(ctx, ev, mayWait)
	case bot.EventBlocked:
		return r.markBlocked(ctx, ev.Lane)
	case bot.EventBacklog:
		var upd models.Update
		if err := json.Unmarshal(ev.Data, &upd); err != nil || upd.ID == 0 {
			return fmt.Errorf("%w: undecodable backlog event", bot.ErrPermanent)
		}
		return r.backlog(ctx, &upd)
	case evRelance, evClose, evRevise, evOwnStep:
		return r.onAdvisorAct(ctx, ev, mayWait)
	}
	r.Log.Error("unknown event", "kind", ev.Kind, "event", ev.ID)
	return fmt.Errorf("%w: unknown event kind", bot.ErrPermanent)
}

// push hands a change to the lane of the beneficiary it is about.
func (r *Router) push(ctx context.Context, b *domain.Beneficiary, id, kind string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", kind, err)
	}
	_, err = r.Events.Push(ctx, store.Event{ID: id, Lane: store.BeneficiaryLane(b), Kind: kind, Data: raw})
	return err
}

// onDue says what the scheduler found due, on the records as they are now
// in this lane: a step done or a pause begun since the job fired says
// nothing.
func (r *Router) onDue(ctx context.Context, ev *store.Event, mayWait bool) error {
	var dd reminders.DueData
	if err := json.Unmarshal(ev.Data, &dd); err != nil {
		return fmt.Errorf("%w: undecodable due event", bot.ErrPermanent)
	}
	d := reminders.Due{Kind: dd.Kind, Late: dd.Late, Key: dd.Key, Index: dd.Index, Last: dd.Last, Week: dd.Week}
	if dd.Occ != nil {
		d.Occ = *dd.Occ
	}
	if dd.Kind == reminders.KindDigest || dd.Kind == reminders.KindRelease {
		a, err := r.Store.Advisor(ctx, dd.Advisor)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		d.Advisor = a
		return r.notify(ctx, d)
	}
	// Profile and plan in one round trip.
	ben, plan, err := r.Store.BeneficiaryPlan(ctx, dd.Ben)
	if errors.Is(err, store.ErrNotFound) && ben == nil {
		// Erased meanwhile: forget that this occurrence came (its id names
		// them).
		return r.Store.Inbox().Unsee(ctx, ev.Lane, store.EventItemID(ev.ID))
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d.Ben, d.Plan = ben, plan
	if dd.Step != 0 {
		d.Step = plan.Step(dd.Step)
	}
	if !reminders.StillDue(d) {
		return nil
	}
	if mayWait && (d.Kind == reminders.KindCheckin || d.Kind == reminders.KindAftercare) {
		if later, err := r.deferWhileAnswering(ctx, ben.ID, ev); later || err != nil {
			return err
		}
	}
	return r.notify(ctx, d)
}

// deferWhileAnswering keeps a check-in from cutting into a message the
// beneficiary is writing to their advisor (they chose to: /ecrire or
// "Répondre"): the event waits in their state and runs once the message is
// sent. It reports whether it waits. The wait is bounded: only while the
// choice is recent (maxAnswerWait), and for one event; a message offered
// (a draft waiting for its tap) holds nothing back.
func (r *Router) deferWhileAnswering(ctx context.Context, benID string, ev *store.Event) (bool, error) {
	st, err := r.loadState(ctx, benID)
	if err != nil || st == nil || st.Flow != flowAnswer {
		return false, err
	}
	if st.Pending != nil && st.Pending.ID == ev.ID {
		return true, nil // handled again
	}
	if st.Pending != nil || st.Since.IsZero() || !r.Now().Before(st.Since.Add(maxAnswerWait)) {
		return false, nil
	}
	st.Pending = ev
	if err := r.saveState(ctx, benID, st); err != nil {
		return false, err
	}
	return true, nil
}

// maxAnswerWait is how long after /ecrire or "Répondre" a check-in due
// waits for the message.
const maxAnswerWait = time.Hour

// onAdvisorAct carries out, in the beneficiary's lane, what their advisor
// asked from their own chat; the advisor hears the outcome.
func (r *Router) onAdvisorAct(ctx context.Context, ev *store.Event, mayWait bool) error {
	var act advisorAct
	if err := json.Unmarshal(ev.Data, &act); err != nil {
		return fmt.Errorf("%w: undecodable advisor event", bot.ErrPermanent)
	}
	adv, err := r.Store.Advisor(ctx, act.Advisor)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ben, err := r.Store.Beneficiary(ctx, act.Ben)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !r.mayAct(ctx, adv, ben) {
		// Access ended between the press and now (an absence is over).
		return nil
	}
	switch ev.Kind {
	case evRelance:
		if mayWait {
			if later, err := r.deferWhileAnswering(ctx, ben.ID, ev); later || err != nil {
				return err
			}
		}
		return r.relance(ctx, ev, adv, ben)
	case evClose:
		return r.closeAccompaniment(ctx, ev, adv, ben)
	case evRevise:
		return r.reviseInLane(ctx, ev, adv, ben)
	case evOwnStep:
		return r.ownStepInLane(ctx, ev, ben)
	}
	return nil
}

// tellAdvisor answers an advisor's action from the beneficiary's lane,
// through the outbox (once per event).
func (r *Router) tellAdvisor(ctx context.Context, ev *store.Event, advisorID int64, text string) error {
	_, err := r.Outbox.Enqueue(ctx, bot.Outgoing{Key: "ack:" + ev.ID, ChatID: advisorID, Text: text})
	return err
}
