package dialogs

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"suivi/catalog"
	"suivi/domain"
)

// export answers /export: a CSV document (UTF-8 with a byte order mark, so
// spreadsheets read the accents; ';' between fields, as French spreadsheets
// expect) of the check-ins and step history of the advisor's own
// beneficiaries. Scores and answers appear only with the beneficiary's
// consent and when not kept private. Times are the person's local time,
// their zone beside; statuses and who acted are words of the advisor's
// language; a rename gives the title before and after. "/export
// structure" (admins) is the structure's export (StructureCSV).
func (t *turn) export(ctx context.Context, arg string) error {
	if a := fold(arg); a == "structure" || a == "tout" {
		return t.exportStructure(ctx)
	}
	cases, err := t.r.caseloadCases(ctx, t.adv.ID, t.r.Now())
	if err != nil {
		return err
	}
	data, err := t.r.exportCSV(cases)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("suivi-%s.csv", t.r.Now().In(t.r.DefaultZone).Format("2006-01-02"))
	_, err = t.r.Send.SendDocument(ctx, t.chat, fmt.Sprintf("u%d.csv", t.upd.ID), name, data, t.at(catalog.ExportCaption, "n", len(cases)))
	return err
}

// ExportHeader is the first row of the export (the catalog's, for advisors).
func ExportHeader() []string { return exportHeader(catalog.New()) }

func exportHeader(cat *catalog.Catalog) []string {
	return strings.Split(cat.Plain(advisorLang, catalog.CsvHeader), ";")
}

// cell keeps a spreadsheet from reading a typed text as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// safeWriter writes rows with every cell made safe.
type safeWriter struct{ *csv.Writer }

func (w safeWriter) Write(row []string) error {
	for i := range row {
		row[i] = cell(row[i])
	}
	return w.Writer.Write(row)
}

func (r *Router) exportCSV(cases []Case) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	w := safeWriter{cw}
	word := func(k catalog.Key) string { return r.Catalog.Plain(advisorLang, k) }
	if err := w.Write(exportHeader(r.Catalog)); err != nil {
		return nil, err
	}
	stamp := func(t time.Time, loc *time.Location) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	status := map[domain.Status]catalog.Key{
		domain.StatusTodo: catalog.CsvStTodo, domain.StatusInProgress: catalog.CsvStInProgress, domain.StatusDone: catalog.CsvStDone,
		domain.StatusBlocked: catalog.CsvStBlocked, domain.StatusCancelled: catalog.CsvStCancelled,
	}
	statusWord := func(st domain.Status) string {
		if k, ok := status[st]; ok {
			return word(k)
		}
		return string(st)
	}
	byWord := func(a domain.Actor) string {
		switch a {
		case domain.ByBeneficiary:
			return word(catalog.CsvByBen)
		case domain.ByAdvisor:
			return word(catalog.CsvByAdvisor)
		case domain.BySystem:
			return word(catalog.CsvBySystem)
		}
		return string(a)
	}
	for _, c := range cases {
		loc := c.Ben.Location(r.DefaultZone)
		zone := loc.String()
		shares := c.Ben.Consent.Shares()
		for _, ci := range c.CheckIns {
			state := word(catalog.CsvOpen)
			when := ci.Asked
			switch {
			case ci.Done():
				state, when = word(catalog.CsvDone), ci.Completed
			case !ci.Closed.IsZero() && unanswered(&ci):
				state, when = word(catalog.CsvUnanswered), ci.Closed
			case !ci.Closed.IsZero():
				state, when = word(catalog.CsvIncomplete), ci.Closed
			}
			score, answer, note := "", "", ""
			if n := ci.SharedScore(shares); n > 0 {
				score = strconv.Itoa(n)
			}
			if ci.SharedAnswers(shares) && !ci.AnswerPrivate && ci.AnswerDone {
				answer = map[string]string{domain.AnswerMuch: word(catalog.CsvAnsMuch), domain.AnswerSome: word(catalog.CsvAnsSome), domain.AnswerNotYet: word(catalog.CsvAnsNotYet)}[ci.AnswerChoice]
				if ci.Answer != "" {
					answer = ci.Answer
				}
			}
			if ci.SharedAnswers(shares) && !ci.NotePrivate {
				note = ci.Note
			}
			help := map[bool]string{true: word(catalog.CsvYes), false: word(catalog.CsvNo)}[ci.HelpAsked]
			if err := w.Write([]string{word(catalog.CsvCheckin), c.Ben.Name, stamp(when, loc), zone, string(ci.Week), state, score, help, answer, note, "", "", "", "", ""}); err != nil {
				return nil, err
			}
		}
		for _, s := range c.Plan.Steps {
			// A rename names the title before it (recorded since it is;
			// before, the previous rename's title, when there was one).
			prev := ""
			for _, h := range s.History {
				due, event, title, old, st := "", "", s.Title, "", ""
				if h.Due != nil {
					due = h.Due.String()
				}
				if h.Status != "" {
					st = statusWord(h.Status)
				}
				if h.Title != "" {
					event, title, old = word(catalog.CsvRenamed), h.Title, h.From
					if old == "" {
						old = prev
					}
					prev = h.Title
				}
				if err := w.Write([]string{word(catalog.CsvStep), c.Ben.Name, stamp(h.At, loc), zone, "", event, "", "", "", "", title, old, st, due, byWord(h.By)}); err != nil {
					return nil, err
				}
			}
			if len(s.History) == 0 {
				if err := w.Write([]string{word(catalog.CsvStep), c.Ben.Name, "", "", "", "", "", "", "", "", s.Title, "", statusWord(s.Status), s.Due.String(), ""}); err != nil {
					return nil, err
				}
			}
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

// exportStructure answers "/export structure": for an admin only, the
// structure's figures as a CSV document (StructureCSV). Admin is who the
// configuration names (SUIVI_ADMIN_IDS) now, never the stored Admin flag:
// an admin taken off the list no longer gets every advisor's figures.
func (t *turn) exportStructure(ctx context.Context) error {
	if !t.r.admins[t.adv.ID] {
		return t.areply(ctx, t.at(catalog.ExportOrgOnly), nil)
	}
	data, advisors, people, err := t.r.StructureCSV(ctx)
	if err != nil {
		return err
	}
	t.r.Log.Info("structure export", "advisor", t.adv.ID, "advisors", advisors, "beneficiaries", people)
	name := fmt.Sprintf("suivi-structure-%s.csv", t.r.Now().In(t.r.DefaultZone).Format("2006-01-02"))
	_, err = t.r.Send.SendDocument(ctx, t.chat, fmt.Sprintf("u%d.csv", t.upd.ID), name, data,
		t.at(catalog.ExportOrgCaption, "a", advisors, "n", people))
	return err
}

// StructureHeader is the first row of the structure's export.
func StructureHeader() []string {
	return strings.Split(catalog.New().Plain(advisorLang, catalog.CsvOrgHeader), ";")
}

// orgFigures are the indicators of the structure's export.
type orgFigures struct {
	people, steps, done, late, offered, answered, inPart, help int
}

func (f *orgFigures) add(o orgFigures) {
	f.people += o.people
	f.steps += o.steps
	f.done += o.done
	f.late += o.late
	f.offered += o.offered
	f.answered += o.answered
	f.inPart += o.inPart
	f.help += o.help
}

func (f orgFigures) cells() []string {
	out := make([]string, 0, 8)
	for _, n := range []int{f.people, f.steps, f.done, f.late, f.offered, f.answered, f.inPart, f.help} {
		out = append(out, strconv.Itoa(n))
	}
	return out
}

// StructureCSV is the structure's export, for admins (the CLI's `suivi
// export structure`, "/export structure" in Telegram): one row for the
// whole structure, one per advisor, one per person followed, with the
// figures of the follow-up — steps (not cancelled), done, late (open and
// past their due date), check-ins offered, answered, answered in part,
// help asked (the latest 20 requests are kept per person). People are
// named by their plan id: the structure's figures, not their words (no
// score, no answer; nothing that needs their consent). It returns the CSV
// and how many advisors and people it counts.
func (r *Router) StructureCSV(ctx context.Context) ([]byte, int, int, error) {
	now := r.Now()
	advs, err := r.Store.Advisors(ctx)
	if err != nil {
		return nil, 0, 0, err
	}
	slices.SortFunc(advs, func(a, b domain.Advisor) int { return cmp.Compare(a.ID, b.ID) })
	word := func(k catalog.Key) string { return r.Catalog.Plain(advisorLang, k) }
	var all orgFigures
	type advRows struct {
		adv  *domain.Advisor
		sum  orgFigures
		rows [][]string
	}
	var per []advRows
	for i := range advs {
		a := &advs[i]
		ids, err := r.Store.AdvisorBeneficiaries(ctx, a.ID)
		if err != nil {
			return nil, 0, 0, err
		}
		slices.Sort(ids)
		var bens []*domain.Beneficiary
		for _, id := range ids {
			b, err := r.Store.Beneficiary(ctx, id)
			if err != nil || b.AdvisorID != a.ID || !b.Erasing.IsZero() {
				continue // deleted or moved meanwhile
			}
			bens = append(bens, b)
		}
		cases, err := r.cases(ctx, bens, now)
		if err != nil {
			return nil, 0, 0, err
		}
		ar := advRows{adv: a}
		for _, c := range cases {
			f := orgFigures{people: 1, late: c.Overdue, help: len(c.Ben.Help)}
			for _, s := range c.Plan.Steps {
				if s.Status != domain.StatusCancelled {
					f.steps++
				}
				if s.Status == domain.StatusDone {
					f.done++
				}
			}
			for i := range c.CheckIns {
				ci := &c.CheckIns[i]
				f.offered++
				switch {
				case ci.Done():
					f.answered++
				case ci.Started():
					f.inPart++
				}
			}
			ar.sum.add(f)
			ar.rows = append(ar.rows, append([]string{word(catalog.CsvOrgBen), a.Name, strconv.FormatInt(a.ID, 10), c.Ben.ID, r.stateLabel(c.Ben)}, f.cells()...))
		}
		all.add(ar.sum)
		per = append(per, ar)
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	w := safeWriter{cw}
	rows := [][]string{StructureHeader(), append([]string{word(catalog.CsvOrgAll), "", "", "", ""}, all.cells()...)}
	for _, ar := range per {
		rows = append(rows, append([]string{word(catalog.CsvOrgAdvisor), ar.adv.Name, strconv.FormatInt(ar.adv.ID, 10), "", ""}, ar.sum.cells()...))
		rows = append(rows, ar.rows...)
	}
	for _, row := range rows {
		if err := w.Write(row); err != nil {
			return nil, 0, 0, err
		}
	}
	cw.Flush()
	return buf.Bytes(), len(advs), all.people, cw.Error()
}
