package dialogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"suivi/bot"
	"suivi/catalog"
	"suivi/domain"
	"suivi/store"
)

// The web desk's side of the dialogs: the operations the advisor's
// Telegram flows make, offered to the desk package (one set of rules, no
// second copy of validation, authorization or notification). Each looks
// the beneficiary up in the advisor's caseload — their own people, and
// during an absence those of the advisor they stand in for — and answers
// ErrNotInCaseload otherwise; each change to a beneficiary is an event in
// their lane, as from Telegram. id is the request's own id (a form's
// nonce): a form sent twice acts once.

// Errors of the desk's operations.
var (
	// ErrNotAdvisor: the Telegram user is no advisor.
	ErrNotAdvisor = errors.New("not an advisor")
	// ErrNotInCaseload: no such beneficiary in the advisor's caseload.
	ErrNotInCaseload = errors.New("not in the advisor's caseload")
	// ErrNotFollowed: the beneficiary cannot receive messages now.
	ErrNotFollowed = errors.New("beneficiary not reachable")
	// ErrUnknownTemplate: no such template.
	ErrUnknownTemplate = errors.New("unknown template")
)

// DeskAdvisor returns the advisor with this Telegram id (an admin of the
// configuration counts), or ErrNotAdvisor.
func (r *Router) DeskAdvisor(ctx context.Context, id int64) (*domain.Advisor, error) {
	a, err := r.Store.Advisor(ctx, id)
	switch {
	case err == nil:
		return a, nil
	case errors.Is(err, store.ErrNotFound) && r.admins[id]:
		return &domain.Advisor{ID: id, Admin: true}, nil
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrNotAdvisor
	}
	return nil, err
}

// DeskCaseload returns the advisor's caseload, who needs attention first,
// then by name; people invited who have not joined yet come last.
func (r *Router) DeskCaseload(ctx context.Context, adv *domain.Advisor) ([]Case, error) {
	bens, err := r.caseload(ctx, adv)
	if err != nil {
		return nil, err
	}
	cases, err := r.cases(ctx, bens, r.Now())
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(cases, func(a, b Case) int {
		ai, bi := a.Ben.State == domain.StateInvited, b.Ben.State == domain.StateInvited
		switch {
		case ai != bi && ai:
			return 1
		case ai != bi:
			return -1
		case a.Attention != b.Attention:
			return b.Attention - a.Attention
		}
		return strings.Compare(fold(a.Ben.Name), fold(b.Ben.Name))
	})
	return cases, nil
}

// DeskPerson returns one beneficiary of the advisor's caseload.
func (r *Router) DeskPerson(ctx context.Context, adv *domain.Advisor, benID string) (Case, error) {
	b, err := r.inCaseload(ctx, adv, benID)
	if err != nil {
		return Case{}, err
	}
	cs, err := r.cases(ctx, []*domain.Beneficiary{b}, r.Now())
	if err != nil {
		return Case{}, err
	}
	return cs[0], nil
}

// inCaseload resolves a beneficiary id inside the advisor's caseload.
func (r *Router) inCaseload(ctx context.Context, adv *domain.Advisor, benID string) (*domain.Beneficiary, error) {
	if !store.ValidID(benID) {
		return nil, ErrNotInCaseload
	}
	b, err := r.Store.Beneficiary(ctx, benID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotInCaseload
	}
	if err != nil {
		return nil, err
	}
	if !r.mayAct(ctx, adv, b) {
		return nil, ErrNotInCaseload
	}
	return b, nil
}

// DeskReply sends the advisor's message to the beneficiary, as "Répondre"
// does in Telegram.
func (r *Router) DeskReply(ctx context.Context, adv *domain.Advisor, benID, id, text string) error {
	b, err := r.inCaseload(ctx, adv, benID)
	if err != nil {
		return err
	}
	if b.TelegramID == 0 || b.State == domain.StateBlocked || b.State == domain.StateStopped {
		return ErrNotFollowed
	}
	return r.relay(ctx, adv, b, "desk-relay:"+id, text, "")
}

// DeskNudge offers the beneficiary a check-in now, as /relancer does (the
// outcome comes to the advisor in Telegram).
func (r *Router) DeskNudge(ctx context.Context, adv *domain.Advisor, benID, id string) error {
	b, err := r.inCaseload(ctx, adv, benID)
	if err != nil {
		return err
	}
	return r.push(ctx, b, "desk-relance:"+id, evRelance, advisorAct{Advisor: adv.ID, Ben: b.ID})
}

// DeskClose ends the accompaniment, as /cloturer does.
func (r *Router) DeskClose(ctx context.Context, adv *domain.Advisor, benID, id string) error {
	b, err := r.inCaseload(ctx, adv, benID)
	if err != nil {
		return err
	}
	if b.State == domain.StateClosed {
		return nil
	}
	return r.push(ctx, b, "desk-close:"+id, evClose, advisorAct{Advisor: adv.ID, Ben: b.ID})
}

// DeskRevise changes the plan with ops, as /modifier does: all of them are
// tried first on a copy (a domain.Problems or domain.ErrNoSuchStep refuses
// them all, nothing changes), then applied in the beneficiary's lane, and
// the beneficiary is told once of everything that changed.
func (r *Router) DeskRevise(ctx context.Context, adv *domain.Advisor, benID, id string, ops []domain.RevOp) ([]domain.Revised, error) {
	b, err := r.inCaseload(ctx, adv, benID)
	if err != nil {
		return nil, err
	}
	p, err := r.Store.Plan(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	now := r.Now().UTC()
	tried := p.Clone()
	var changes []domain.Revised
	for _, op := range ops {
		c, err := tried.Apply(op, now, domain.ByAdvisor)
		if err != nil {
			return nil, err
		}
		changes = append(changes, c...)
	}
	if len(changes) == 0 {
		return nil, nil
	}
	return changes, r.pushRevision(ctx, adv, b, "desk", id, ops, changes, now)
}

// pushRevision hands a revision tried already to the beneficiary's lane:
// each operation, then the one message that tells what changed (via names
// where it comes from, id the request, for the events' ids).
func (r *Router) pushRevision(ctx context.Context, adv *domain.Advisor, b *domain.Beneficiary, via, id string, ops []domain.RevOp, changes []domain.Revised, now time.Time) error {
	base := advisorAct{Advisor: adv.ID, Ben: b.ID}
	for i := range ops {
		if err := r.push(ctx, b, fmt.Sprintf("%s-rv:%s:%d", via, id, i), evRevise, reviseAct{advisorAct: base, Op: &ops[i], At: now}); err != nil {
			return err
		}
	}
	if len(changes) == 0 {
		return nil // nothing the person is told of (a status, a reminder)
	}
	notice := reviseAct{advisorAct: base, At: now, Nonce: via + "-" + id, Changes: changes}
	return r.push(ctx, b, via+"-rvn:"+id, evRevise, notice)
}

// ReviseFromFile changes a stored plan to a plan file's version of it
// (suivi plan import --update; f read by planfile.ParseUpdate): one
// operation (domain.RevFile) tried first on a copy (a domain.Problems
// refuses it, nothing changes), then applied in the beneficiary's lane as
// /modifier's are, and the beneficiary told once of what changed. It
// returns what the person is told of, and whether anything changed at all
// (a status or a reminder changes without a word to them; a file the same
// as the stored plan pushes nothing).
func (r *Router) ReviseFromFile(ctx context.Context, f *domain.Plan) ([]domain.Revised, bool, error) {
	b, err := r.Store.Beneficiary(ctx, f.ID)
	if err != nil {
		return nil, false, err
	}
	p, err := r.Store.Plan(ctx, f.ID)
	if err != nil {
		return nil, false, err
	}
	now := r.Now().UTC()
	op := domain.RevOp{Kind: domain.RevFile, Plan: f}
	tried := p.Clone()
	changes, err := tried.Apply(op, now, domain.ByAdvisor)
	if err != nil {
		return nil, false, err
	}
	if len(changes) == 0 && planJSON(tried) == planJSON(p) {
		return nil, false, nil
	}
	adv := &domain.Advisor{ID: b.AdvisorID}
	return changes, true, r.pushRevision(ctx, adv, b, "file", store.RandomID(12), []domain.RevOp{op}, changes, now)
}

func planJSON(p *domain.Plan) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// DeskBrief returns the brief of the beneficiary's next follow-up meeting
// (Telegram HTML), or ok false when none is planned.
func (r *Router) DeskBrief(ctx context.Context, adv *domain.Advisor, benID string) (string, bool, error) {
	b, err := r.inCaseload(ctx, adv, benID)
	if err != nil {
		return "", false, err
	}
	p, err := r.Store.Plan(ctx, b.ID)
	if err != nil {
		return "", false, err
	}
	today := domain.DateOf(r.Now().In(b.Location(r.DefaultZone)))
	for _, m := range p.Meetings {
		if !m.Date.Before(today) {
			return r.briefText(ctx, b, p, m.Date)
		}
	}
	return "", false, nil
}

// DeskExport returns the caseload as CSV, as /export does.
func (r *Router) DeskExport(ctx context.Context, adv *domain.Advisor) ([]byte, error) {
	cases, err := r.DeskCaseload(ctx, adv)
	if err != nil {
		return nil, err
	}
	return r.exportCSV(cases)
}

// DeskTemplate is a starting point for a new plan: one of the six cases.
type DeskTemplate struct{ Name, Label string }

// DeskTemplates lists the templates, as /nouveauplan offers them.
func (r *Router) DeskTemplates(lang domain.Lang) []DeskTemplate {
	var out []DeskTemplate
	for _, name := range templates() {
		out = append(out, DeskTemplate{Name: name, Label: r.Catalog.Plain(lang, catalog.Key("tpl."+name))})
	}
	return out
}

// DeskInvite is a plan just created: the link to give and its QR code.
type DeskInvite struct {
	BenID   string
	Link    string
	QR      []byte // PNG
	Expires time.Time
}

// DeskNewPlan creates a plan for name from a template ("" for a blank plan
// with the steps given), as /nouveauplan does, and returns its invite.
func (r *Router) DeskNewPlan(ctx context.Context, adv *domain.Advisor, id, name, template string, steps []domain.Step) (DeskInvite, error) {
	d := &domain.Plan{
		ID: "d" + strings.ToLower(strings.Map(func(c rune) rune {
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				return c
			}
			return -1
		}, id)),
		AdvisorID:   adv.ID,
		Beneficiary: domain.Person{Name: strings.TrimSpace(name), Language: domain.French, Timezone: r.DefaultZone.String()},
		Checkin:     domain.Checkin{Schedule: rhythms()["w"]},
	}
	if len(d.ID) > 32 {
		d.ID = d.ID[:32]
	}
	if template != "" {
		if !slices.Contains(templates(), template) {
			return DeskInvite{}, fmt.Errorf("template %q: %w", template, ErrUnknownTemplate)
		}
		if err := r.applyTemplate(d, template); err != nil {
			return DeskInvite{}, err
		}
	}
	for _, s := range steps {
		s.ID = d.NextStepID()
		d.Steps = append(d.Steps, s)
	}
	d.Normalize(r.DefaultZone.String())
	if err := d.Validate(); err != nil {
		return DeskInvite{}, err
	}
	now := r.Now()
	request := "desk:" + id
	inv, err := r.Store.CreatePlanFor(ctx, d, request, now, r.InviteTTL)
	if errors.Is(err, store.ErrExists) {
		inv, err = r.sameRequestInvite(ctx, adv, d.ID, request, now, err) // the same form sent again
	}
	if err != nil {
		return DeskInvite{}, err
	}
	link := r.deepLink(inv.Code)
	png, err := qrcode.Encode(link, qrcode.Medium, 320)
	if err != nil {
		return DeskInvite{}, fmt.Errorf("qr code: %w", err)
	}
	return DeskInvite{BenID: d.ID, Link: link, QR: png, Expires: inv.Expires}, nil
}

// sameRequestInvite is the invite of plan id when the request that tried to
// create it made it already (a form sent twice, a creation retried): the
// same advisor's plan, its invite made by that request. Any other plan with
// that id is refused with taken (ErrExists), its invite left alone: an id
// typed in a form never gives a link to somebody else's plan.
func (r *Router) sameRequestInvite(ctx context.Context, adv *domain.Advisor, id, request string, now time.Time, taken error) (store.Invite, error) {
	b, err := r.Store.Beneficiary(ctx, id)
	if err != nil {
		return store.Invite{}, err
	}
	if b.AdvisorID != adv.ID || b.Invite == nil || b.Invite.Request != request {
		return store.Invite{}, taken
	}
	return r.Store.NewInvite(ctx, id, request, now, r.InviteTTL)
}

// DeskSetDigest sets when the advisor's weekly digest comes (a weekday,
// 0 = Sunday, and an hour), as the digest's "when" buttons do.
func (r *Router) DeskSetDigest(ctx context.Context, adv *domain.Advisor, weekday, hour int) (*domain.Advisor, error) {
	if weekday < 0 || weekday > 6 || hour < 0 || hour > 23 {
		return nil, fmt.Errorf("digest time %d %d: %w", weekday, hour, domain.ErrInvalid)
	}
	a, err := r.Store.UpdateAdvisor(ctx, adv.ID, func(a *domain.Advisor) error {
		a.DigestSpec = fmt.Sprintf("0 %d * * %d", hour, weekday)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, r.Sched.SyncAdvisor(ctx, a.ID)
}

// DeskSetLang sets the language the desk speaks to the advisor.
func (r *Router) DeskSetLang(ctx context.Context, adv *domain.Advisor, lang domain.Lang) (*domain.Advisor, error) {
	if !lang.Valid() {
		return nil, fmt.Errorf("language %q: %w", lang, domain.ErrInvalid)
	}
	return r.Store.UpdateAdvisor(ctx, adv.ID, func(a *domain.Advisor) error { a.Lang = lang; return nil })
}

// DeskAdvisors lists the other advisors, who may stand in.
func (r *Router) DeskAdvisors(ctx context.Context, adv *domain.Advisor) ([]domain.Advisor, error) {
	all, err := r.Store.Advisors(ctx)
	if err != nil {
		return nil, err
	}
	var out []domain.Advisor
	for _, a := range all {
		if a.ID != adv.ID {
			a.Name = r.colleague(&a) // never an empty choice
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b domain.Advisor) int { return strings.Compare(fold(a.Name), fold(b.Name)) })
	return out, nil
}

// DeskLogin makes a single-use login link for the advisor's browser:
// valid 10 minutes, at most a few per window.
func (r *Router) DeskLogin(ctx context.Context, adv *domain.Advisor) (string, error) {
	return r.Store.NewDeskLogin(ctx, adv.ID, r.Now(), deskLoginTTL, deskLoginsPerWindow, deskLoginWindow)
}

// Login links to the web desk.
const (
	deskLoginTTL        = 10 * time.Minute
	deskLoginsPerWindow = 10
	deskLoginWindow     = 10 * time.Minute
)

// bureau answers /bureau: a single-use login link for a computer's
// browser and, where the desk is served over https, a button that opens it
// as a Telegram Mini App.
func (t *turn) bureau(ctx context.Context) error {
	if t.r.PublicURL == "" {
		return t.areply(ctx, t.at(catalog.DkOff), nil)
	}
	token, err := t.r.DeskLogin(ctx, t.adv)
	if errors.Is(err, store.ErrTooManyLogins) {
		return t.areply(ctx, t.at(catalog.DkTooMany), nil)
	}
	if err != nil {
		return err
	}
	link := t.r.PublicURL + "/desk/login?t=" + token
	if !strings.HasPrefix(t.r.PublicURL, "https://") {
		// Telegram opens Mini Apps over https only: the link alone.
		return t.areply(ctx, t.at(catalog.DkLink, "link", link), nil)
	}
	return t.areply(ctx, t.at(catalog.DkLinkApp), bot.Keyboard{
		{{Text: t.alabel(catalog.DkBtnApp), WebApp: t.r.PublicURL + "/desk/app"}},
		{{Text: t.alabel(catalog.DkBtnBrowser), URL: link}},
	})
}

// logout answers /deconnexion: every desk session of the advisor ends.
func (t *turn) logout(ctx context.Context) error {
	n, err := t.r.Store.EndDeskSessions(ctx, t.adv.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return t.areply(ctx, t.at(catalog.DkLoggedOutNone), nil)
	}
	return t.areply(ctx, t.at(catalog.DkLoggedOut, "n", n), nil)
}

// DeskSetWork sets the advisor's own working hours.
func (r *Router) DeskSetWork(ctx context.Context, adv *domain.Advisor, w domain.WorkHours) (*domain.Advisor, error) {
	if err := w.Valid(); err != nil {
		return nil, err
	}
	return r.Store.UpdateAdvisor(ctx, adv.ID, func(a *domain.Advisor) error { a.Work = &w; return nil })
}

// DeskSetAbsence records an absence from from until the day before until
// with a stand-in, as /absence does (everyone concerned told once per id).
func (r *Router) DeskSetAbsence(ctx context.Context, adv *domain.Advisor, id string, standIn int64, from, until domain.Date) (*domain.Advisor, error) {
	if standIn == adv.ID || !until.After(from) {
		return nil, fmt.Errorf("absence: %w", domain.ErrInvalid)
	}
	if _, err := r.Store.Advisor(ctx, standIn); err != nil {
		return nil, fmt.Errorf("stand-in %d: %w", standIn, domain.ErrInvalid)
	}
	start := from.At(r.DefaultZone, 0, 0)
	if now := r.Now(); start.Before(now) {
		start = now
	}
	return r.startAbsence(ctx, adv, standIn, start, until, "desk-absence:"+id)
}

// DeskEndAbsence ends the advisor's absence, as "/absence fin" does.
func (r *Router) DeskEndAbsence(ctx context.Context, adv *domain.Advisor) (*domain.Advisor, error) {
	return r.stopAbsence(ctx, adv)
}
