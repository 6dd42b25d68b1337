package dialogs

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
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
// consent and when not kept private.
func (t *turn) export(ctx context.Context) error {
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
	for _, c := range cases {
		loc := c.Ben.Location(r.DefaultZone)
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
			if err := w.Write([]string{word(catalog.CsvCheckin), c.Ben.Name, stamp(when, loc), string(ci.Week), state, score, help, answer, note, "", "", "", ""}); err != nil {
				return nil, err
			}
		}
		for _, s := range c.Plan.Steps {
			for _, h := range s.History {
				due, event, title := "", "", ""
				if h.Due != nil {
					due = h.Due.String()
				}
				if h.Title != "" {
					event, title = word(catalog.CsvRenamed), h.Title
				}
				if err := w.Write([]string{word(catalog.CsvStep), c.Ben.Name, stamp(h.At, loc), "", event, "", "", "", title, s.Title, string(h.Status), due, string(h.By)}); err != nil {
					return nil, err
				}
			}
			if len(s.History) == 0 {
				if err := w.Write([]string{word(catalog.CsvStep), c.Ben.Name, "", "", "", "", "", "", "", s.Title, string(s.Status), s.Due.String(), ""}); err != nil {
					return nil, err
				}
			}
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}
