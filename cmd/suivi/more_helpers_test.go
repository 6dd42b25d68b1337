package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"suivi/telegramtest"
)

// Helpers of the revision, brief, alert, absence, export, digest-setting
// and advisor CLI tests (revise_test.go, advisor_more_test.go).

// moreStart is a Sunday (1 March 2037, 11:00 in Paris), in the future of
// the real clock (Redis expires invites by it). The first check-in of a
// plan joined then is Monday 2 March, 10:00.
var moreStart = time.Date(2037, 3, 1, 11, 0, 0, 0, paris)

// on returns a time of 2037 in Paris.
func on(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2037, month, day, hour, minute, 0, 0, paris)
}

// stepSpec is one step of a test plan.
type stepSpec struct {
	title, due string
	advisor    bool // the advisor's own step ([conseiller])
}

// planSpec is a test plan, in Paris, with the default Monday 10:00 check-in.
type planSpec struct {
	name     string
	advisor  int64
	question string
	steps    []stepSpec
	meetings []string
}

// file writes the plan file and returns its path.
func (p planSpec) file(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	adv := p.advisor
	if adv == 0 {
		adv = advisorID
	}
	fmt.Fprintf(&b, "beneficiary: {name: %q, timezone: Europe/Paris}\nadvisor: %d\n", p.name, adv)
	if p.question != "" {
		fmt.Fprintf(&b, "checkin: {question: %q}\n", p.question)
	}
	b.WriteString("steps:\n")
	for _, s := range p.steps {
		owner := "beneficiary"
		if s.advisor {
			owner = "advisor"
		}
		fmt.Fprintf(&b, "  - {title: %q, due: %s, owner: %s}\n", s.title, s.due, owner)
	}
	if len(p.meetings) > 0 {
		b.WriteString("meetings: [")
		for i, m := range p.meetings {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", m)
		}
		b.WriteString("]\n")
	}
	return writePlan(t, b.String())
}

// ciAnswers says how a beneficiary answers one check-in.
type ciAnswers struct {
	score string // label of the score button
	// only: the score is all they give; the check-in stays unfinished.
	only bool
	// answer to the plan's own question: a button label, or a typed text
	// when it starts with "txt:"; "" skips it.
	answer string
	// steps maps a step title to the label pressed for it; other steps are
	// skipped.
	steps map[string]string
	note  string // a typed note; "" is "Rien à ajouter"
	share string // the label pressed when asked to forward a text; default "✅ Oui, transmettre"
	help  bool
}

// Texts of the check-in the helpers match on.
const (
	txtAnswerQ = "Touchez une réponse, écrivez"
	btnBlocked = "⛔ Bloqué"
)

// checkin answers the latest check-in of u (its score question must have
// been sent already) as a says, and waits until it is thanked and every
// message it set off is sent.
func (w *world) checkin(t *testing.T, u *telegramtest.User, a ciAnswers) {
	t.Helper()
	w.settle(t)
	var q telegramtest.Message
	for _, m := range u.Messages() {
		if strings.Contains(m.PlainText, txtScoreQ) && hasButton(m, btnScore4) {
			q = m
		}
	}
	if q.ID == 0 {
		t.Fatalf("chat %d: no check-in to answer at %s:\n%s", u.ID(), w.clk.Now(), dump(u.Messages()))
	}
	c := &talk{t: t, u: u, mark: q.ID - 1}
	c.tap(txtScoreQ, a.score)
	noteSent := false
	for {
		m, err := u.WaitMessage(wait, func(m telegramtest.Message) bool {
			if m.ID <= c.mark || len(m.Keyboard) == 0 {
				return false
			}
			for _, s := range []string{txtStepQ, txtNoteQ, txtShareQ, txtHelpQ, txtAnswerQ} {
				if strings.Contains(m.PlainText, s) {
					return true
				}
			}
			return false
		})
		if err != nil {
			t.Fatal(err)
		}
		if a.only {
			w.settle(t)
			return
		}
		switch {
		case strings.Contains(m.PlainText, txtShareQ):
			label := a.share
			if label == "" {
				label = btnShare
			}
			c.tap(txtShareQ, label)
		case strings.Contains(m.PlainText, txtAnswerQ):
			switch {
			case strings.HasPrefix(a.answer, "txt:"):
				c.text(strings.TrimPrefix(a.answer, "txt:"))
			case a.answer != "":
				c.tap(txtAnswerQ, a.answer)
			default:
				c.tap(txtAnswerQ, btnSkip)
			}
		case strings.Contains(m.PlainText, txtStepQ):
			label := btnSkip
			for title, l := range a.steps {
				if strings.Contains(m.PlainText, title) {
					label = l
				}
			}
			c.tap(txtStepQ, label)
		case strings.Contains(m.PlainText, txtNoteQ):
			if a.note != "" && !noteSent {
				noteSent = true
				c.text(a.note)
			} else {
				c.tap(txtNoteQ, btnNothing)
			}
		default:
			label := btnHelpNo
			if a.help {
				label = btnHelpYes
			}
			c.tap(txtHelpQ, label)
			c.expect(txtNextCheckin)
			w.settle(t)
			return
		}
	}
}

// containing returns the messages of ms whose text or caption contains s.
func containing(ms []telegramtest.Message, s string) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range ms {
		if strings.Contains(m.PlainText, s) || strings.Contains(m.PlainCaption, s) {
			out = append(out, m)
		}
	}
	return out
}

// sameTimes fails the test unless the messages were sent exactly at want.
func sameTimes(t *testing.T, what string, ms []telegramtest.Message, want ...time.Time) {
	t.Helper()
	ok := len(ms) == len(want)
	for i := range ms {
		ok = ok && i < len(want) && ms[i].Date.Equal(want[i])
	}
	if !ok {
		var got []string
		for _, m := range ms {
			got = append(got, m.Date.In(paris).Format("Mon 2006-01-02 15:04"))
		}
		var exp []string
		for _, w := range want {
			exp = append(exp, w.In(paris).Format("Mon 2006-01-02 15:04"))
		}
		t.Errorf("%s: sent at\n  %v\nwant\n  %v\n%s", what, got, exp, dump(ms))
	}
}

// planState is a beneficiary's plan and scheduled jobs, as JSON.
func (w *world) planState(t *testing.T, benID string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"plan": w.plan(t, benID), "jobs": w.jobs(t, benID)})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jobAt returns when a job of a beneficiary is due (zero: none).
func jobAt(jobs map[string]time.Time, code, benID string, step int) time.Time {
	m := code + "|" + benID
	if step > 0 {
		m += fmt.Sprintf("|%d", step)
	}
	return jobs[m]
}
