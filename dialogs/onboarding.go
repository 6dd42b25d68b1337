package dialogs

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
)

// Onboarding, right after the invite is used:
//
//	welcome: what Suivi does, and exactly what the advisor will see
//	consent: may the advisor read my check-in answers? (changeable: /confidentialite)
//	lang:    Français / English
//	tz:      the plan's zone, metropolitan France, the DOM-TOM, or typed
//	day:     the plan's rhythm, or a day of the week ...
//	hour:    ... and an hour
//	quiet:   quiet hours (default 21:00–08:00)
//
// One tap each; nothing needs typing. /reglages runs it again from lang.
const (
	stageConsent = "consent"
	stageLang    = "lang"
	stageZone    = "tz"
	stageZoneTyp = "tztype"
	stageDay     = "day"
	stageHour    = "hour"
	stageQuiet   = "quiet"
	stageDone    = "done"
)

// zones offered as buttons: metropolitan France and the DOM-TOM.
func zones() []string {
	return []string{
		"Europe/Paris", "America/Guadeloupe", "America/Martinique", "America/Cayenne",
		"Indian/Reunion", "Indian/Mayotte", "Pacific/Noumea", "Pacific/Tahiti", "America/Miquelon",
	}
}

// quiet windows offered as buttons.
func quietChoices() map[string]string {
	return map[string]string{"a": "21:00-08:00", "b": "22:00-07:00", "c": "20:00-09:00", "off": "off"}
}

func checkinHours() []int { return []int{9, 12, 14, 18, 20} }

func (t *turn) beginOnboarding(ctx context.Context, settings bool) error {
	st := &state{Flow: flowOnboarding, Nonce: newNonce(), Stage: stageConsent, Settings: settings}
	if settings {
		st.Stage = stageLang
	}
	if err := t.r.saveState(ctx, t.ben.ID, st); err != nil {
		return err
	}
	if !settings {
		if err := t.reply(ctx, t.t(catalog.OnbWelcome, "name", t.ben.Name), nil); err != nil {
			return err
		}
	}
	return t.ask(ctx, st)
}

// welcoming reports whether st is a first onboarding not finished yet
// (not a run of /reglages): until it ends, nothing else starts.
func welcoming(st *state) bool {
	return st != nil && st.Flow == flowOnboarding && st.Stage != stageDone && !st.Settings
}

// allowedWhileWelcoming reports whether a command is answered as usual
// in the middle of the first onboarding: /mesdonnees (what is kept), /stop
// (no more messages, always), and /start with a code (an invite opened
// again starts the welcome over).
func allowedWhileWelcoming(name, arg string) bool {
	switch name {
	case "mesdonnees", "mesdonnées", "stop":
		return true
	case "start":
		return arg != ""
	}
	return false
}

// finishFirst answers whatever came in the middle of the first onboarding:
// kindly, the welcome comes first, and its current question again, with
// its buttons.
func (t *turn) finishFirst(ctx context.Context, st *state) error {
	if err := t.reply(ctx, t.t(catalog.OnbFinishFirst), nil); err != nil {
		return err
	}
	return t.ask(ctx, st)
}

// settings answers /reglages: language, zone, rhythm and quiet hours again.
func (t *turn) settings(ctx context.Context) error { return t.beginOnboarding(ctx, true) }

func btn(text string, parts ...any) bot.Button { return bot.Button{Text: text, Data: data(parts...)} }

// onboardingStage is one question of onboarding, its three halves side
// by side: how it is asked, what each of its buttons chooses, and which
// question comes after. Adding a question: a row in onboardingStages, its
// field in domain.Beneficiary, its texts in the catalog.
type onboardingStage struct {
	// ask returns the question's text and buttons (callback data
	// "ob:<nonce>:<stage>:<value>").
	ask func(t *turn, ctx context.Context, st *state) (string, bot.Keyboard)
	// choose turns a button's value into the change it makes and the label
	// shown in place of the buttons; a nil change: no button offers it
	// (edited callback data), nothing happens.
	choose func(t *turn, ctx context.Context, value string) (change func(*domain.Beneficiary), label string)
	// next is the stage after this one, given the value chosen ("" =
	// onboarding is done).
	next func(value string) string
}

// onboardingStages are the questions of onboarding, in order.
var onboardingStages = map[string]onboardingStage{
	stageConsent: {
		ask: func(t *turn, _ context.Context, st *state) (string, bot.Keyboard) {
			return t.t(catalog.OnbConsentQ), bot.Keyboard{
				{btn(t.label(catalog.BtnConsentYes), "ob", st.Nonce, stageConsent, "y")},
				{btn(t.label(catalog.BtnConsentNo), "ob", st.Nonce, stageConsent, "n")},
			}
		},
		choose: func(t *turn, _ context.Context, v string) (func(*domain.Beneficiary), string) {
			now := t.r.Now()
			switch v {
			case "y":
				return func(b *domain.Beneficiary) { b.SetConsent(domain.ConsentYes, now, domain.ConsentViaOnboarding) }, t.t(catalog.BtnConsentYes)
			case "n":
				return func(b *domain.Beneficiary) { b.SetConsent(domain.ConsentNo, now, domain.ConsentViaOnboarding) }, t.t(catalog.BtnConsentNo)
			}
			return nil, ""
		},
		next: func(string) string { return stageLang },
	},
	stageLang: {
		ask: func(t *turn, _ context.Context, st *state) (string, bot.Keyboard) {
			return t.t(catalog.OnbLangQ), bot.Keyboard{{
				btn(t.label(catalog.BtnLangFr), "ob", st.Nonce, stageLang, "fr"),
				btn(t.label(catalog.BtnLangEn), "ob", st.Nonce, stageLang, "en"),
			}}
		},
		choose: func(t *turn, _ context.Context, v string) (func(*domain.Beneficiary), string) {
			l := domain.Lang(v)
			if !l.Valid() {
				return nil, ""
			}
			t.lang = l // the next questions come in the language chosen
			return func(b *domain.Beneficiary) { b.Language = l }, t.t(map[domain.Lang]catalog.Key{domain.French: catalog.BtnLangFr, domain.English: catalog.BtnLangEn}[l])
		},
		next: func(string) string { return stageZone },
	},
	stageZone: {
		ask: func(t *turn, _ context.Context, st *state) (string, bot.Keyboard) {
			n := st.Nonce
			loc := t.ben.Location(t.r.DefaultZone)
			kb := bot.Keyboard{{btn(t.label(catalog.BtnZoneKeep), "ob", n, stageZone, "keep")}}
			var row []bot.Button
			for i := range zones() {
				row = append(row, btn(t.label(catalog.Key(fmt.Sprintf("zone.%d", i))), "ob", n, stageZone, i))
				if len(row) == 2 {
					kb, row = append(kb, row), nil
				}
			}
			if row != nil {
				kb = append(kb, row)
			}
			kb = append(kb, []bot.Button{btn(t.label(catalog.BtnZoneOther), "ob", n, stageZone, "other")})
			return t.t(catalog.OnbZoneQ, "zone", t.zoneName(loc.String()), "time", t.r.Now().In(loc).Format("15:04")), kb
		},
		choose: func(t *turn, _ context.Context, v string) (func(*domain.Beneficiary), string) {
			switch v {
			case "keep":
				return func(*domain.Beneficiary) {}, t.t(catalog.BtnZoneKeep)
			case "other":
				return func(*domain.Beneficiary) {}, t.t(catalog.BtnZoneOther)
			}
			if i, err := strconv.Atoi(v); err == nil && i >= 0 && i < len(zones()) {
				z := zones()[i]
				return func(b *domain.Beneficiary) { b.Timezone = z }, t.zoneName(z)
			}
			return nil, ""
		},
		next: func(v string) string {
			if v == "other" {
				return stageZoneTyp // the zone is typed (typedZone), then the day
			}
			return stageDay
		},
	},
	stageDay: {
		ask: func(t *turn, ctx context.Context, st *state) (string, bot.Keyboard) {
			kb := bot.Keyboard{{btn(t.label(catalog.BtnDayKeep, "next", t.nextCheckinText(ctx, t.ben, planRhythm)), "ob", st.Nonce, stageDay, "keep")}}
			var row []bot.Button
			for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
				row = append(row, btn(t.label(catalog.Key(fmt.Sprintf("day.%d", d))), "ob", st.Nonce, stageDay, d))
				if len(row) == 4 {
					kb, row = append(kb, row), nil
				}
			}
			return t.dayQuestion(ctx), append(kb, row)
		},
		choose: func(t *turn, ctx context.Context, v string) (func(*domain.Beneficiary), string) {
			if v == "keep" {
				return planRhythm, t.t(catalog.BtnDayKeep, "next", t.nextCheckinText(ctx, t.ben, planRhythm))
			}
			if d, err := strconv.Atoi(v); err == nil && d >= 0 && d <= 6 {
				// The hour comes next; keep the beneficiary's current hour meanwhile.
				return func(b *domain.Beneficiary) { b.CheckinSpec = fmt.Sprintf("0 %d * * %d", specHour(b.CheckinSpec), d) }, t.t(catalog.Key(fmt.Sprintf("day.%d", d)))
			}
			return nil, ""
		},
		next: func(v string) string {
			if v == "keep" {
				return stageQuiet
			}
			return stageHour
		},
	},
	stageHour: {
		ask: func(t *turn, _ context.Context, st *state) (string, bot.Keyboard) {
			var row []bot.Button
			for _, h := range checkinHours() {
				row = append(row, btn(t.label(catalog.HourLabel, "h", h), "ob", st.Nonce, stageHour, h))
			}
			return t.t(catalog.OnbHourQ), bot.Keyboard{row}
		},
		choose: func(t *turn, _ context.Context, v string) (func(*domain.Beneficiary), string) {
			if h, err := strconv.Atoi(v); err == nil && validHour(h) {
				return func(b *domain.Beneficiary) { b.CheckinSpec = fmt.Sprintf("0 %d * * %d", h, specDay(b.CheckinSpec)) }, t.t(catalog.HourLabel, "h", h)
			}
			return nil, ""
		},
		next: func(string) string { return stageQuiet },
	},
	stageQuiet: {
		ask: func(t *turn, _ context.Context, st *state) (string, bot.Keyboard) {
			n := st.Nonce
			return t.t(catalog.OnbQuietQ), bot.Keyboard{
				{btn(t.label(catalog.BtnQuietA), "ob", n, stageQuiet, "a")},
				{btn(t.label(catalog.BtnQuietB), "ob", n, stageQuiet, "b"), btn(t.label(catalog.BtnQuietC), "ob", n, stageQuiet, "c")},
				{btn(t.label(catalog.BtnQuietOff), "ob", n, stageQuiet, "off")},
			}
		},
		choose: func(t *turn, _ context.Context, v string) (func(*domain.Beneficiary), string) {
			q, found := quietChoices()[v]
			if !found {
				return nil, ""
			}
			label := t.t(map[string]catalog.Key{"a": catalog.BtnQuietA, "b": catalog.BtnQuietB, "c": catalog.BtnQuietC, "off": catalog.BtnQuietOff}[v])
			return func(b *domain.Beneficiary) { b.Quiet = q }, label
		},
		next: func(string) string { return "" },
	},
}

// question returns the text and buttons of an onboarding stage (the zone
// question while a zone is being typed).
func (t *turn) question(ctx context.Context, st *state) (string, bot.Keyboard) {
	stage := st.Stage
	if stage == stageZoneTyp {
		stage = stageZone
	}
	if q, ok := onboardingStages[stage]; ok {
		return q.ask(t, ctx, st)
	}
	return "", nil
}

func (t *turn) ask(ctx context.Context, st *state) error {
	text, kb := t.question(ctx, st)
	return t.reply(ctx, text, kb)
}

// dayQuestion asks for a check-in day, saying the plan's rhythm; a day
// chosen makes it weekly, which a rhythm other than weekly says too.
func (t *turn) dayQuestion(ctx context.Context) string {
	b := *t.ben
	planRhythm(&b)
	rh := rhythmWeek
	if p, err := t.r.Store.Plan(ctx, b.ID); err == nil {
		rh = t.r.rhythmOf(&b, p)
	}
	q := t.t(catalog.OnbDayQ, "every", t.t(rh.every()))
	if rh != rhythmWeek {
		q += "\n" + t.t(catalog.OnbDayWeekly)
	}
	return q
}

// planRhythm drops the beneficiary's own check-in day: the plan's rhythm.
func planRhythm(b *domain.Beneficiary) { b.CheckinSpec = "" }

// zoneName is a zone as people know it ("La Réunion"), or its IANA name.
func (t *turn) zoneName(name string) string {
	for i, z := range zones() {
		if z == name {
			return t.t(catalog.Key(fmt.Sprintf("zone.%d", i)))
		}
	}
	return name
}

// nextCheckinText says when the next check-in comes, as the scheduler
// will send it (reminders.Scheduler.NextCheckin: one source for the date
// said and the message sent); change, when set, is a change of the
// beneficiary's settings not saved yet ("keep the plan's rhythm").
func (t *turn) nextCheckinText(ctx context.Context, b *domain.Beneficiary, change func(*domain.Beneficiary)) string {
	at, ok, err := t.r.Sched.NextCheckin(ctx, b.ID, change)
	if err != nil {
		t.r.Log.Warn("next check-in", "beneficiary", b.ID, "err", err)
		return "?"
	}
	if !ok {
		return t.t(catalog.CiNoNext)
	}
	return t.r.Catalog.Instant(t.lang, at, b.Location(t.r.DefaultZone))
}

// onboardingButton handles a press on an onboarding question. A press from
// a finished or replaced onboarding is not handled (closed).
func (t *turn) onboardingButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	if len(parts) != 3 {
		return false, "", nil
	}
	nonce, stage, value := parts[0], parts[1], parts[2]
	st, err := t.r.loadState(ctx, t.ben.ID)
	if err != nil {
		return true, "", err
	}
	if st == nil || st.Flow != flowOnboarding || st.Nonce != nonce {
		return false, "", nil
	}
	retry := st.LastUpdate == t.upd.ID
	if st.Stage == stageDone && !retry {
		return false, "", nil
	}
	label, ok, err := t.applyChoice(ctx, st, stage, value)
	if err != nil || !ok {
		return ok, "", err
	}
	// Show what was chosen in place of the buttons.
	asked := *st
	asked.Stage = stage
	q, _ := t.question(ctx, &asked)
	if err := t.edit(ctx, m, q+"\n\n"+t.t(catalog.Chosen, "choice", label)); err != nil {
		return true, "", err
	}
	if retry {
		return true, "", t.reask(ctx, st)
	}
	if stage != st.Stage && !(stage == stageZone && st.Stage == stageZoneTyp) {
		// An earlier question answered again: noted, the current one stands.
		return true, t.t(catalog.Noted), nil
	}
	return true, "", t.advance(ctx, st, stage, value)
}

// reask repeats what the update that moved onboarding on replied (its
// replies' keys keep them from doubling).
func (t *turn) reask(ctx context.Context, st *state) error {
	if st.After == stageZoneTyp {
		if err := t.reply(ctx, t.t(catalog.Chosen, "choice", t.ben.Timezone), nil); err != nil {
			return err
		}
	}
	switch st.Stage {
	case stageDone:
		return t.reply(ctx, t.summary(ctx, t.ben), nil)
	case stageZoneTyp:
		return t.reply(ctx, t.t(catalog.OnbZoneType), nil)
	}
	return t.ask(ctx, st)
}

// applyChoice stores one onboarding answer. ok is false for a value that
// no button offers (edited callback data): nothing changes.
func (t *turn) applyChoice(ctx context.Context, st *state, stage, value string) (label string, ok bool, err error) {
	q, found := onboardingStages[stage]
	if !found {
		return "", false, nil
	}
	change, label := q.choose(t, ctx, value)
	if change == nil {
		return "", false, nil
	}
	b, err := t.r.Store.UpdateBeneficiary(ctx, t.ben.ID, func(b *domain.Beneficiary) error { change(b); return nil })
	if err != nil {
		return "", true, err
	}
	t.ben = b
	return label, true, nil
}

func validHour(h int) bool {
	for _, v := range checkinHours() {
		if v == h {
			return true
		}
	}
	return false
}

// specHour and specDay read back the "0 H * * D" specs onboarding writes.
func specHour(spec string) int {
	f := strings.Fields(spec)
	if len(f) == 5 {
		if h, err := strconv.Atoi(f[1]); err == nil {
			return h
		}
	}
	return 10
}

func specDay(spec string) int {
	f := strings.Fields(spec)
	if len(f) == 5 {
		if d, err := strconv.Atoi(f[4]); err == nil {
			return d
		}
	}
	return 1
}

// advance moves onboarding past the stage just answered.
func (t *turn) advance(ctx context.Context, st *state, stage, value string) error {
	st.LastUpdate, st.After = t.upd.ID, stage
	if value == "typed" {
		st.After = stageZoneTyp
	}
	next := stageDay // after a zone typed following "Autre"
	if value != "typed" {
		next = onboardingStages[stage].next(value)
	}
	if next == "" {
		return t.finishOnboarding(ctx, st)
	}
	st.Stage = next
	if err := t.r.saveState(ctx, t.ben.ID, st); err != nil {
		return err
	}
	if next == stageZoneTyp {
		return t.reply(ctx, t.t(catalog.OnbZoneType), nil)
	}
	return t.ask(ctx, st)
}

// parseZone reads a time zone typed by a person: an IANA name such as
// Europe/Paris (domain.ValidTimezone), at most 64 bytes.
func parseZone(text string) (string, bool) {
	name := strings.TrimSpace(text)
	if len(name) > 64 || domain.ValidTimezone(name) != nil {
		return "", false
	}
	return name, true
}

// typedZone takes a zone name typed after "Autre".
func (t *turn) typedZone(ctx context.Context, st *state, text string) error {
	name, ok := parseZone(text)
	if !ok {
		if err := t.reply(ctx, t.t(catalog.OnbZoneUnknown, "zone", truncate(strings.TrimSpace(text), 64)), nil); err != nil {
			return err
		}
		// The buttons of the zone question are gone (it reads "Autre"):
		// it comes again, with them; typing still works.
		return t.ask(ctx, st)
	}
	b, err := t.r.Store.UpdateBeneficiary(ctx, t.ben.ID, func(b *domain.Beneficiary) error { b.Timezone = name; return nil })
	if err != nil {
		return err
	}
	t.ben = b
	if err := t.reply(ctx, t.t(catalog.Chosen, "choice", name), nil); err != nil {
		return err
	}
	return t.advance(ctx, st, stageZone, "typed")
}

func (t *turn) finishOnboarding(ctx context.Context, st *state) error {
	b, err := t.r.Store.UpdateBeneficiary(ctx, t.ben.ID, func(b *domain.Beneficiary) error {
		if b.Onboarded.IsZero() {
			b.Onboarded = t.r.Now().UTC()
		}
		return nil
	})
	if err != nil {
		return err
	}
	t.ben = b
	if err := t.r.Sched.Sync(ctx, b.ID); err != nil {
		return err
	}
	// Kept as "done" (not cleared) so that a retry can repeat the summary.
	st.Stage = stageDone
	if err := t.r.saveState(ctx, b.ID, st); err != nil {
		return err
	}
	return t.reply(ctx, t.summary(ctx, b), nil)
}

// summary restates the beneficiary's settings.
func (t *turn) summary(ctx context.Context, b *domain.Beneficiary) string {
	loc := b.Location(t.r.DefaultZone)
	qs, qe := b.QuietWindow()
	quiet := t.t(catalog.QuietNone)
	if qs != qe {
		quiet = t.t(catalog.QuietRange, "from", hhmm(qs), "to", hhmm(qe))
	}
	consent := t.t(catalog.ConsentShared)
	if !b.Consent.Shares() {
		consent = t.t(catalog.ConsentKept)
	}
	return t.t(catalog.OnbDone,
		"zone", t.zoneName(loc.String()), "next", t.nextCheckinText(ctx, b, nil), "quiet", quiet, "consent", consent)
}

func hhmm(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
