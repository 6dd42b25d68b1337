package dialogs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
)

// Absence (/absence): the advisor names a stand-in among the other advisors
// and a period. During it, forwards, alerts and digests go to the stand-in,
// who may act on these beneficiaries; each beneficiary is told who reads
// their answers. "/absence fin" ends it early.
//
// Buttons: av:<token>:pick (the token names a stand-in advisor in the
// presser's own table), ab:<nonce>:1w|2w|dates.

func (t *turn) absence(ctx context.Context, arg string) error {
	if strings.EqualFold(strings.TrimSpace(arg), "fin") {
		return t.endAbsence(ctx)
	}
	if ab := t.adv.Absence; ab != nil && t.r.Now().Before(ab.To) {
		who := t.advisorName(ctx, ab.StandIn)
		return t.areply(ctx, t.at(catalog.AbsCurrent, "name", who, "to", t.lastDay(ab.To)), nil)
	}
	advs, err := t.r.Store.Advisors(ctx)
	if err != nil {
		return err
	}
	var kb bot.Keyboard
	for _, a := range advs {
		if a.ID == t.adv.ID {
			continue
		}
		tok, err := t.r.Store.Ref(ctx, t.adv.ID, "adv:"+strconv.FormatInt(a.ID, 10))
		if err != nil {
			return err
		}
		kb = append(kb, []bot.Button{{Text: t.r.colleague(&a), Data: data("av", tok, "pick")}})
	}
	if len(kb) == 0 {
		return t.areply(ctx, t.at(catalog.AbsNoOther), nil)
	}
	return t.areply(ctx, t.at(catalog.AbsWho), kb)
}

func (t *turn) advisorName(ctx context.Context, id int64) string { return t.r.advisorName(ctx, id) }

// advisorName is how an advisor is named to another advisor: their name,
// or "une personne de l'équipe" (never an empty name, never an id).
func (r *Router) advisorName(ctx context.Context, id int64) string {
	if a, err := r.Store.Advisor(ctx, id); err == nil {
		return r.colleague(a)
	}
	return r.at(catalog.ColleagueCalled)
}

// colleague names advisor a to another advisor.
func (r *Router) colleague(a *domain.Advisor) string {
	if name := strings.TrimSpace(a.Name); name != "" {
		return name
	}
	return r.at(catalog.ColleagueCalled)
}

// advisorFor is how advisor id is named to a beneficiary, in lang: their
// name, or "la personne qui vous accompagne" (never empty, never an id).
func (r *Router) advisorFor(ctx context.Context, lang domain.Lang, id int64) string {
	if a, err := r.Store.Advisor(ctx, id); err == nil && strings.TrimSpace(a.Name) != "" {
		return strings.TrimSpace(a.Name)
	}
	return r.Catalog.Plain(lang, catalog.YourAdvisor)
}

// absenceButton: a stand-in was picked (its id comes from the presser's
// own token table).
func (t *turn) absenceButton(ctx context.Context, m *models.Message, id string, parts []string) (bool, string, error) {
	standIn, err := strconv.ParseInt(id, 10, 64)
	if err != nil || parts[0] != "pick" || standIn == t.adv.ID {
		return false, "", nil
	}
	if _, err := t.r.Store.Advisor(ctx, standIn); err != nil {
		return false, "", nil
	}
	st := &advState{Flow: advFlowAbsence, Nonce: newNonce(), StandIn: standIn}
	if err := t.r.saveAdvState(ctx, t.adv.ID, st); err != nil {
		return true, "", err
	}
	_ = t.r.Send.EditKeyboard(ctx, t.chat, m.ID, nil)
	return true, "", t.areply(ctx, t.at(catalog.AbsWhen, "name", t.advisorName(ctx, standIn)), bot.Keyboard{
		{{Text: t.alabel(catalog.BtnPause1w), Data: data("ab", st.Nonce, "1w")}, {Text: t.alabel(catalog.BtnPause2w), Data: data("ab", st.Nonce, "2w")}},
	})
}

// absencePeriodButton handles ab:<nonce>:1w|2w.
func (t *turn) absencePeriodButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	if t.adv == nil || len(parts) != 2 {
		return false, "", nil
	}
	st, err := t.r.loadAdvState(ctx, t.adv.ID)
	if err != nil {
		return true, "", err
	}
	if st == nil || st.Flow != advFlowAbsence || st.Nonce != parts[0] {
		return false, "", nil
	}
	days := map[string]int{"1w": 7, "2w": 14}[parts[1]]
	if days == 0 {
		return false, "", nil
	}
	_ = t.r.Send.EditKeyboard(ctx, t.chat, m.ID, nil)
	today := domain.DateOf(t.r.Now().In(t.r.DefaultZone))
	return true, "", t.setAbsence(ctx, st, t.r.Now(), today.AddDays(days))
}

// absenceInput takes a typed period "24/12 - 05/01" (the last day included).
func (t *turn) absenceInput(ctx context.Context, st *advState, text string) error {
	now := t.r.Now().In(t.r.DefaultZone)
	parts := strings.FieldsFunc(text, func(r rune) bool { return r == '-' || r == '–' || r == ' ' })
	var dates []domain.Date
	for _, p := range parts {
		if m := meetingRE.FindStringSubmatch(p); m != nil {
			if dt, ok := userDateTime(m[1], m[2], m[3], "", "", now); ok {
				dates = append(dates, dt.Date)
			}
		}
	}
	if len(dates) != 2 || dates[1].Before(dates[0]) {
		return t.areply(ctx, t.at(catalog.AbsBadDates), nil)
	}
	from := dates[0].At(t.r.DefaultZone, 0, 0)
	return t.setAbsence(ctx, st, from, dates[1].AddDays(1))
}

// setAbsence stores the absence from `from` to the start of day `until`
// and tells the stand-in and each beneficiary.
func (t *turn) setAbsence(ctx context.Context, st *advState, from time.Time, until domain.Date) error {
	a, err := t.r.startAbsence(ctx, t.adv, st.StandIn, from, until, fmt.Sprintf("absence:%d:%s", t.adv.ID, st.Nonce))
	if err != nil {
		return err
	}
	t.adv = a
	// The state goes last: a retry sends what failed (keys keep the rest
	// from doubling).
	if err := t.areply(ctx, t.at(catalog.AbsSet, "name", t.advisorName(ctx, st.StandIn), "to", t.r.Catalog.Date(advisorLang, until.AddDays(-1))), nil); err != nil {
		return err
	}
	return t.r.saveAdvState(ctx, t.adv.ID, nil)
}

// startAbsence records an advisor's absence from from until the day
// before until, with a stand-in, and tells the stand-in and the people
// followed (silently), each once under key (the /absence flow and the web
// desk).
func (r *Router) startAbsence(ctx context.Context, adv *domain.Advisor, standIn int64, from time.Time, until domain.Date, key string) (*domain.Advisor, error) {
	to := until.At(r.DefaultZone, 0, 0)
	a, err := r.Store.UpdateAdvisor(ctx, adv.ID, func(a *domain.Advisor) error {
		a.Absence = &domain.Absence{StandIn: standIn, From: from.UTC(), To: to.UTC()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	last := r.Catalog.Date(advisorLang, until.AddDays(-1))
	first := domain.DateOf(from.In(r.DefaultZone))
	if _, err := r.Outbox.Enqueue(ctx, bot.Outgoing{Key: key + ":standin", ChatID: standIn,
		Text: r.at(catalog.AbsStandIn, "name", r.colleague(a), "from", r.Catalog.Date(advisorLang, first), "to", last)}); err != nil {
		return nil, err
	}
	if err := r.tellFollowed(ctx, a.ID, key, func(b *domain.Beneficiary) string {
		return r.Catalog.T(b.Language, catalog.AbsNotice, "advisor", r.advisorFor(ctx, b.Language, a.ID), "standin", r.advisorFor(ctx, b.Language, standIn),
			"from", r.Catalog.Date(b.Language, first), "to", r.Catalog.Date(b.Language, until.AddDays(-1)))
	}); err != nil {
		return nil, err
	}
	return a, nil
}

// lastDay writes the last day of a period that ends at to (exclusive).
func (t *turn) lastDay(to time.Time) string {
	return t.r.Catalog.Date(advisorLang, domain.DateOf(to.In(t.r.DefaultZone)).AddDays(-1))
}

// endAbsence answers "/absence fin": the advisor reads their news again;
// the stand-in and the beneficiaries who were told are told too.
func (t *turn) endAbsence(ctx context.Context) error {
	a, err := t.r.stopAbsence(ctx, t.adv)
	if err != nil {
		return err
	}
	t.adv = a
	return t.areply(ctx, t.at(catalog.AbsEnded), nil)
}

// stopAbsence ends an advisor's absence: they read their news again; the
// stand-in and the people who were told are told too.
func (r *Router) stopAbsence(ctx context.Context, adv *domain.Advisor) (*domain.Advisor, error) {
	old := adv.Absence
	a, err := r.Store.UpdateAdvisor(ctx, adv.ID, func(a *domain.Advisor) error {
		a.Absence = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	if old != nil && r.Now().Before(old.To) {
		key := fmt.Sprintf("absence-end:%d:%d", a.ID, old.From.Unix())
		if _, err := r.Outbox.Enqueue(ctx, bot.Outgoing{Key: key + ":standin", ChatID: old.StandIn,
			Text: r.at(catalog.AbsBackStandIn, "name", r.colleague(a))}); err != nil {
			return nil, err
		}
		if err := r.tellFollowed(ctx, a.ID, key, func(b *domain.Beneficiary) string {
			return r.Catalog.T(b.Language, catalog.AbsBack, "advisor", r.advisorFor(ctx, b.Language, a.ID))
		}); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// tellFollowed queues a silent message, under key + ":" + their id, to
// each beneficiary of an advisor who is followed now.
func (r *Router) tellFollowed(ctx context.Context, advisorID int64, key string, text func(*domain.Beneficiary) string) error {
	ids, err := r.Store.AdvisorBeneficiaries(ctx, advisorID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		b, err := r.Store.Beneficiary(ctx, id)
		if err != nil || !b.Followed() {
			continue
		}
		if _, err := r.Outbox.Enqueue(ctx, bot.Outgoing{Key: key + ":" + id, ChatID: b.TelegramID, Silent: true, Text: text(b)}); err != nil {
			return err
		}
	}
	return nil
}
