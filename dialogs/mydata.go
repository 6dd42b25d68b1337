package dialogs

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/store"
)

// /mesdonnees — the beneficiary's rights over their data (GDPR access,
// portability and erasure), in one command:
//
//	see        a short summary of what Suivi keeps
//	take away  "Recevoir mes données": the same, complete, as a page to
//	           read (HTML) and as JSON
//	erase      "Tout effacer", confirmed: everything goes at once
//	           (store.EraseBeneficiary), the advisor is told without
//	           content, and the person is a stranger to the bot after.
//
// Buttons: md:get, md:erase, md:yes:<unix time of the confirmation>, md:no.

// eraseConfirmFor is how long a confirmation of the erasure stays valid.
const eraseConfirmFor = 15 * time.Minute

// myData answers /mesdonnees with the summary and the two choices.
func (t *turn) myData(ctx context.Context) error {
	doc, err := t.r.myDataDoc(ctx, t.ben)
	if err != nil {
		return err
	}
	return t.reply(ctx, t.r.myDataSummary(t.lang, doc), bot.Keyboard{
		{btn(t.label(catalog.BtnMdGet), "md", "get")},
		{btn(t.label(catalog.BtnMdErase), "md", "erase")},
	})
}

// myDataButton handles the buttons of /mesdonnees.
func (t *turn) myDataButton(ctx context.Context, m *models.Message, parts []string) (bool, string, error) {
	switch {
	case parts[0] == "get" && len(parts) == 1:
		return true, "", t.sendMyData(ctx)
	case parts[0] == "erase" && len(parts) == 1:
		return true, "", t.reply(ctx, t.t(catalog.MdConfirm, "advisor", t.r.advisorCalled(ctx, t.lang, t.ben)), bot.Keyboard{
			{btn(t.label(catalog.BtnMdYes), "md", "yes", t.r.Now().Unix(), confirmTag(t.ben.ID))},
			{btn(t.label(catalog.BtnMdNo), "md", "no")},
		})
	case parts[0] == "no" && len(parts) == 1:
		return true, "", t.edit(ctx, m, t.t(catalog.MdKept))
	case parts[0] == "yes" && len(parts) == 3:
		at, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || parts[2] != confirmTag(t.ben.ID) {
			return false, "", nil // not a confirmation made for this plan
		}
		if age := t.r.Now().Sub(time.Unix(at, 0)); age > eraseConfirmFor || age < -time.Minute {
			return true, "", t.edit(ctx, m, t.t(catalog.MdExpired))
		}
		if err := t.r.erase(ctx, t.ben, true); err != nil {
			return true, "", err
		}
		t.strangerErased(ctx, m)
		return true, "", nil
	}
	return false, "", nil
}

// confirmTag ties a confirmation of the erasure to the plan it was made
// for: a person linked to a new plan since cannot erase it with it.
func confirmTag(benID string) string {
	sum := sha256.Sum256([]byte("erase:" + benID))
	return hex.EncodeToString(sum[:3])
}

// strangerErased tells someone Suivi does not know (any more) that it
// keeps nothing about them: after their erasure, or when the press of a
// confirmation is handled again after it. The erasure is done: a failure
// to say so is logged, not retried (the update would keep their chat id).
func (t *turn) strangerErased(ctx context.Context, m *models.Message) {
	var err error
	if m != nil && m.ID != 0 {
		err = t.edit(ctx, m, t.t(catalog.MdErased))
	} else {
		err = t.reply(ctx, t.t(catalog.MdErased), nil)
	}
	if err != nil {
		t.r.Log.Warn("erasure done, not confirmed", "chat", t.chat, "err", err)
	}
}

// erase erases everything about a beneficiary, in their lane (see
// store.EraseBeneficiary): the profile is marked first, with a job that
// finishes the erasure if it is cut short (reminders' EraseRetry), and
// whatever handles the person next finishes it too (finishErasure). asked:
// at their request (their advisor is told), else the end of the retention.
func (r *Router) erase(ctx context.Context, b *domain.Beneficiary, asked bool) error {
	now := r.Now().UTC()
	b, err := r.Store.UpdateBeneficiary(ctx, b.ID, func(b *domain.Beneficiary) error {
		if b.Erasing.IsZero() {
			b.Erasing, b.ErasureAsked = now, asked
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := r.Sched.Sync(ctx, b.ID); err != nil {
		return err
	}
	return r.finishErasure(ctx, b)
}

// finishErasure erases a beneficiary whose erasure began (b.Erasing). The
// advisor's notice of an erasure asked for goes first, once (its key names
// the advisor and the moment, not the person).
func (r *Router) finishErasure(ctx context.Context, b *domain.Beneficiary) error {
	if b.ErasureAsked {
		if _, err := r.news(ctx, bot.Outgoing{
			Key:    fmt.Sprintf("erased:%d:%d", b.AdvisorID, b.Erasing.UnixMilli()),
			ChatID: r.advisorChat(ctx, b), Text: r.at(catalog.AdvErased, "name", b.Name),
		}, prioGone, false); err != nil {
			return err
		}
	}
	if err := r.Store.EraseBeneficiary(ctx, b.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	r.Log.Info("beneficiary data erased", "beneficiary", b.ID, "asked", b.ErasureAsked)
	return nil
}

// advisorCalled is how the beneficiary's advisor is named to them: by
// name, or "la personne qui vous accompagne".
func (r *Router) advisorCalled(ctx context.Context, lang domain.Lang, b *domain.Beneficiary) string {
	return r.advisorFor(ctx, lang, b.AdvisorID)
}

// MyData is the document of /mesdonnees: everything Suivi keeps about a
// beneficiary, as it is stored (free text opened), with what each check-in
// let the advisor see.
type MyData struct {
	Generated time.Time           `json:"generated"`
	Profile   *domain.Beneficiary `json:"profile"`
	// Advisor is the advisor's name, as the beneficiary knows them.
	Advisor string `json:"advisor"`
	// ConsentHistory lists the changes of the sharing choice, with dates.
	ConsentHistory []domain.ConsentChange `json:"consent_history"`
	// ErasedOn is when everything will be erased, once the accompaniment
	// has ended; RetentionMonths how long after its end.
	ErasedOn        *time.Time   `json:"erased_on,omitempty"`
	RetentionMonths int          `json:"retention_months"`
	Plan            *domain.Plan `json:"plan"`
	CheckIns        []MyCheckIn  `json:"checkins"`
}

// MyCheckIn is one check-in in the document: the record, what reached the
// advisor, and what the person kept for themselves.
type MyCheckIn struct {
	Record domain.CheckIn `json:"record"`
	// SharedWithAdvisor is what the advisor may see of it (the rule of
	// the forward, SharedCheckIn).
	SharedWithAdvisor Shared `json:"shared_with_advisor"`
	// KeptPrivate names the answers kept private: "score", "answer",
	// "step:<id>", "note".
	KeptPrivate []string `json:"kept_private,omitempty"`
}

// myDataDoc gathers the document of a beneficiary.
func (r *Router) myDataDoc(ctx context.Context, b *domain.Beneficiary) (*MyData, error) {
	p, err := r.Store.Plan(ctx, b.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	cis, err := r.Store.CheckIns(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	doc := &MyData{
		Generated: r.Now().UTC(), Profile: b, Advisor: r.advisorCalled(ctx, b.Language, b),
		ConsentHistory: b.ConsentLog, RetentionMonths: r.RetentionMonths, Plan: p,
	}
	if len(doc.ConsentHistory) == 0 && b.Consent != domain.ConsentUnset {
		// Chosen before changes were logged: at onboarding, as far as we know.
		doc.ConsentHistory = []domain.ConsentChange{{At: b.Onboarded, Consent: b.Consent, Via: domain.ConsentViaBeforeLog}}
	}
	if doc.ConsentHistory == nil {
		doc.ConsentHistory = []domain.ConsentChange{}
	}
	if !b.Ended.IsZero() {
		at := b.Ended.AddDate(0, r.RetentionMonths, 0).UTC()
		doc.ErasedOn = &at
	}
	doc.CheckIns = make([]MyCheckIn, 0, len(cis))
	for _, c := range cis {
		mc := MyCheckIn{Record: c}
		if p != nil {
			mc.SharedWithAdvisor = SharedCheckIn(b, p, &c)
		}
		if c.ScorePrivate {
			mc.KeptPrivate = append(mc.KeptPrivate, "score")
		}
		if c.AnswerPrivate {
			mc.KeptPrivate = append(mc.KeptPrivate, "answer")
		}
		for _, u := range c.Steps {
			if u.Private {
				mc.KeptPrivate = append(mc.KeptPrivate, fmt.Sprintf("step:%d", u.StepID))
			}
		}
		if c.NotePrivate {
			mc.KeptPrivate = append(mc.KeptPrivate, "note")
		}
		doc.CheckIns = append(doc.CheckIns, mc)
	}
	return doc, nil
}

// myDataSummary writes the short summary of /mesdonnees.
func (r *Router) myDataSummary(lang domain.Lang, doc *MyData) string {
	T := func(k catalog.Key, kv ...any) string { return r.Catalog.T(lang, k, kv...) }
	b := doc.Profile
	plan := T(catalog.MdNoPlan)
	if doc.Plan != nil {
		done := 0
		for _, s := range doc.Plan.Steps {
			if s.Status == domain.StatusDone {
				done++
			}
		}
		plan = T(catalog.MdPlanLine, "n", len(doc.Plan.Steps), "done", done)
	}
	shared := 0
	for _, c := range doc.CheckIns {
		if v := c.SharedWithAdvisor; v.Done && !v.Private {
			shared++
		}
	}
	kept := T(catalog.MdKeptWhileOpen, "months", doc.RetentionMonths)
	if doc.ErasedOn != nil {
		kept = T(catalog.MdKeptUntil, "date", r.Catalog.Date(lang, domain.DateOf(doc.ErasedOn.In(b.Location(r.DefaultZone)))))
	}
	return T(catalog.MdSummary,
		"name", b.Name, "lang", r.langName(lang, b.Language), "zone", b.Location(r.DefaultZone).String(),
		"plan", catalog.HTML(plan),
		"checkins", catalog.HTML(T(catalog.MdCheckinsLine, "n", len(doc.CheckIns), "shared", shared, "advisor", doc.Advisor)),
		"consent", catalog.HTML(r.consentLine(lang, b.Consent)),
		"kept", catalog.HTML(kept))
}

// langName names a language in lang.
func (r *Router) langName(lang, of domain.Lang) string {
	if of == domain.English {
		return r.Catalog.Plain(lang, catalog.BtnLangEn)
	}
	return r.Catalog.Plain(lang, catalog.BtnLangFr)
}

// consentLine says the sharing choice in lang.
func (r *Router) consentLine(lang domain.Lang, c domain.Consent) string {
	switch c {
	case domain.ConsentYes:
		return r.Catalog.T(lang, catalog.ConsentShared)
	case domain.ConsentNo:
		return r.Catalog.T(lang, catalog.ConsentKept)
	}
	return r.Catalog.T(lang, catalog.ConsentUnset)
}

// sendMyData sends the document twice: a page to read, and JSON.
func (t *turn) sendMyData(ctx context.Context) error {
	doc, err := t.r.myDataDoc(ctx, t.ben)
	if err != nil {
		return err
	}
	page, err := t.r.myDataHTML(t.lang, doc)
	if err != nil {
		return err
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encode my data: %w", err)
	}
	day := t.r.Now().In(t.ben.Location(t.r.DefaultZone)).Format("2006-01-02")
	if _, err := t.r.Send.SendDocument(ctx, t.chat, fmt.Sprintf("u%d.md.html", t.upd.ID), "suivi-mes-donnees-"+day+".html", page, t.t(catalog.MdCaptionHTML)); err != nil {
		return err
	}
	if _, err := t.r.Send.SendDocument(ctx, t.chat, fmt.Sprintf("u%d.md.json", t.upd.ID), "suivi-mes-donnees-"+day+".json", js, t.t(catalog.MdCaptionJSON)); err != nil {
		return err
	}
	return t.reply(ctx, t.t(catalog.MdSent), nil)
}

//go:embed mydata.html
var myDataPage string

var myDataTmpl = template.Must(template.New("mydata").Parse(myDataPage))

// myDataView is the page's data: labels and values already written in the
// person's language.
type myDataView struct {
	Lang       domain.Lang
	L          func(string) string // a label, by key
	Generated  string
	Profile    [][2]string
	Consent    []string
	ConsentNow string
	Kept       string
	HasPlan    bool
	Question   string
	Steps      []myStepView
	CheckIns   []myCheckInView
}

type myStepView struct {
	Title, Objective, Due, Owner, Status string
	Resources, Indicators, History       []string
}

type myCheckInView struct {
	Week, State string
	Lines       []myAnswerView
}

type myAnswerView struct{ Label, Value, Fate string }

// myDataHTML writes the page of the document.
func (r *Router) myDataHTML(lang domain.Lang, doc *MyData) ([]byte, error) {
	L := func(k catalog.Key) string { return r.Catalog.Plain(lang, k) }
	b := doc.Profile
	loc := b.Location(r.DefaultZone)
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return r.Catalog.Instant(lang, t, loc)
	}
	v := myDataView{Lang: lang, L: func(k string) string { return L(catalog.Key(k)) }, Generated: when(doc.Generated), ConsentNow: r.consentLine(lang, b.Consent)}
	v.Profile = [][2]string{
		{L(catalog.MdocName), b.Name},
		{L(catalog.MdocLanguage), r.langName(lang, b.Language)},
		{L(catalog.MdocZone), loc.String()},
		{L(catalog.MdocState), r.Catalog.Plain(lang, catalog.Key("state."+string(b.State)))},
		{L(catalog.MdocAdvisor), doc.Advisor},
		{L(catalog.MdocJoined), when(b.Joined)},
	}
	if b.CheckinSpec != "" {
		v.Profile = append(v.Profile, [2]string{L(catalog.MdocCheckinTime), b.CheckinSpec})
	}
	if b.Quiet != "" {
		v.Profile = append(v.Profile, [2]string{L(catalog.MdocQuiet), b.Quiet})
	}
	if len(b.Help) > 0 {
		var hs []string
		for _, h := range b.Help {
			hs = append(hs, when(h))
		}
		v.Profile = append(v.Profile, [2]string{L(catalog.MdocHelp), strings.Join(hs, ", ")})
	}
	v.Kept = r.Catalog.Plain(lang, catalog.MdKeptWhileOpen, "months", doc.RetentionMonths)
	if doc.ErasedOn != nil {
		v.Kept = r.Catalog.Plain(lang, catalog.MdKeptUntil, "date", r.Catalog.Date(lang, domain.DateOf(doc.ErasedOn.In(loc))))
	}
	for _, c := range doc.ConsentHistory {
		v.Consent = append(v.Consent, when(c.At)+" — "+r.consentLine(lang, c.Consent))
	}
	p := doc.Plan
	if p != nil {
		v.HasPlan = true
		v.Question = p.Checkin.Question
		for _, s := range p.Steps {
			sv := myStepView{
				Title: s.Title, Objective: s.Objective, Due: r.Catalog.DateTime(lang, s.Due),
				Owner: r.Catalog.Owner(lang, s.Owner), Status: r.Catalog.Status(lang, s.Status),
				Resources: s.Resources, Indicators: s.Indicators,
			}
			for _, h := range s.History {
				line := when(h.At)
				if h.Status != "" {
					line += " — " + r.Catalog.Status(lang, h.Status)
				}
				if h.Due != nil {
					line += " — " + r.Catalog.DateTime(lang, *h.Due)
				}
				if h.Title != "" {
					line += " — " + h.Title
				}
				sv.History = append(sv.History, line)
			}
			v.Steps = append(v.Steps, sv)
		}
	}
	for _, mc := range doc.CheckIns {
		v.CheckIns = append(v.CheckIns, r.myCheckInView(lang, p, &mc, when))
	}
	var buf bytes.Buffer
	if err := myDataTmpl.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("my data page: %w", err)
	}
	return buf.Bytes(), nil
}

// myCheckInView writes one check-in of the page: each answer, and whether
// it reached the advisor or was kept private.
func (r *Router) myCheckInView(lang domain.Lang, p *domain.Plan, mc *MyCheckIn, when func(time.Time) string) myCheckInView {
	L := func(k catalog.Key) string { return r.Catalog.Plain(lang, k) }
	c := &mc.Record
	shared := mc.SharedWithAdvisor
	fate := func(private bool) string {
		switch {
		case private:
			return L(catalog.MdocPrivate)
		case shared.Private:
			return L(catalog.MdocNotShared)
		case !shared.Done:
			return L(catalog.MdocOpen)
		}
		return L(catalog.MdocShared)
	}
	cv := myCheckInView{Week: r.weekLabel(lang, c.Week) + " — " + when(c.Asked)}
	switch {
	case c.Done():
		cv.State = when(c.Completed)
	default:
		cv.State = L(catalog.MdocOpen)
	}
	add := func(label, value string, private bool) {
		cv.Lines = append(cv.Lines, myAnswerView{Label: label, Value: value, Fate: fate(private)})
	}
	if c.ScoreDone {
		value := ""
		if c.Score > 0 {
			value = r.Catalog.Plain(lang, scoreKey(c.Score))
		}
		add(L(catalog.MdocScore), value, c.ScorePrivate)
	}
	if c.AnswerDone || c.Answer != "" || c.AnswerVoice != "" {
		value := c.Answer
		if c.AnswerChoice != "" {
			value = r.Catalog.Plain(lang, answerKey(c.AnswerChoice))
		}
		if c.AnswerVoice != "" {
			value = strings.TrimSpace(value + " " + L(catalog.MdocVoice))
		}
		label := L(catalog.MdocAnswer)
		if p != nil && p.Checkin.Question != "" {
			label += " « " + p.Checkin.Question + " »"
		}
		add(label, value, c.AnswerPrivate)
	}
	for _, u := range c.Steps {
		title := strconv.Itoa(u.StepID)
		if p != nil {
			if s := p.Step(u.StepID); s != nil {
				title = s.Title
			}
		}
		value := ""
		if u.Status != "" {
			value = r.Catalog.Status(lang, u.Status)
		}
		add(L(catalog.MdocStepStatus)+" « "+title+" »", value, u.Private)
	}
	if c.Note != "" || c.Voice != "" {
		value := c.Note
		if c.Voice != "" {
			value = strings.TrimSpace(value + " " + L(catalog.MdocVoice))
		}
		add(L(catalog.MdocNote), value, c.NotePrivate)
	}
	if c.HelpDone {
		yes := L(catalog.MdocNo)
		if c.HelpAsked {
			yes = L(catalog.MdocYes)
		}
		f := fate(false)
		if c.HelpAsked {
			f = L(catalog.MdocShared) // the advisor always learns that help was asked
		}
		cv.Lines = append(cv.Lines, myAnswerView{Label: L(catalog.MdocHelpAsked), Value: yes, Fate: f})
	}
	return cv
}
