package planfile_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"suivi/domain"
	"suivi/planfile"
)

// want is one expected problem: its line and field exactly, and a part of
// its message.
type want struct {
	line  int
	field string
	msg   string
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []want
	}{
		{
			name: "many problems at once",
			file: `beneficiary:
  name: [Moussa, M]
  language: de
  timezone: Mars/Olympus
advisor: abc
checkin:
  schedule: "0 10 * *"
  question: Quels progrès ?
  frequency: weekly
steps:
  - titel: Inscription
    due: 2026-12-15
    reminders: ["-3d", "-2h", "x"]
  - title: Deux
    due: 2026-13-01
    owner: someone
    status: finished
    resources:
      - ok
      - [nested]
      -
  - just text
  - title: Trois
    title: Again
    due: 2027-01-01 14:30
    reminders: []
meetings: ["2027-01-10T10:00", "tomorrow"]
extra: 1
`,
			want: []want{
				{2, "beneficiary.name", "must be a text, not a list"},
				{3, "beneficiary.language", "must be fr or en"},
				{4, "beneficiary.timezone", "not a known IANA time zone"},
				{5, "advisor", `not "abc"`},
				{7, "checkin.schedule", "not a valid cron spec"},
				{9, "checkin", "unknown field frequency"},
				{11, "steps[0]", "unknown field titel"},
				{11, "steps[0].title", "is required"},
				{13, "steps[0].reminders[1]", "needs a due time"},
				{13, "steps[0].reminders[2]", "not an offset"},
				{15, "steps[1].due", `not "2026-13-01"`},
				{16, "steps[1].owner", "must be beneficiary or advisor"},
				{17, "steps[1].status", "must be one of todo"},
				{20, "steps[1].resources[1]", "must be a text, not a list"},
				{21, "steps[1].resources[2]", "is required"},
				{22, "steps[2]", `must be a step`},
				{24, "steps[3].title", "is given twice (first at line 23)"},
				{27, "meetings[1]", `not "tomorrow"`},
				{28, "", "unknown field extra"},
			},
		},
		{
			name: "missing fields point at the mapping that lacks them",
			file: `# a plan with holes
advisor: 111111111
steps:
  - title: Sans date
    owner: advisor

  - due: 2027-01-10
checkin:
  question: ""
beneficiary:
  language: en
`,
			want: []want{
				{4, "steps[0].due", "is required"},
				{7, "steps[1].title", "is required"},
				{10, "beneficiary.name", "is required"},
			},
		},
		{
			name: "missing top-level fields point at the first line of the mapping",
			file: "\n\nbeneficiary:\n  name: Awa\n",
			want: []want{
				{3, "advisor", "must be the advisor's Telegram user id"},
				{3, "steps", "at least one step"},
			},
		},
		{
			name: "wrong types",
			file: `beneficiary: Moussa
advisor: 1.5
checkin: [weekly]
steps: "do things"
meetings:
  a: b
`,
			want: []want{
				{1, "beneficiary", "must be a mapping"},
				{2, "advisor", `not "1.5"`},
				{3, "checkin", "must be a mapping (field: value lines), not a list"},
				{4, "steps", "must be a list of steps"},
				{5, "meetings", "must be a list, not a mapping"},
			},
		},
		{
			name: "step ids and numbers",
			file: `beneficiary: {name: Awa}
advisor: -4
steps:
  - {id: 2, title: A, due: 2027-01-10}
  - {id: 2, title: B, due: 2027-01-11}
  - {id: 0, title: C, due: 2027-01-12}
  - {id: abc, title: D, due: 2027-01-13}
  - id: [1]
    title: E
    due: 2027-01-14
`,
			want: []want{
				{2, "advisor", `not "-4"`},
				{5, "steps[1].id", "id 2 is used twice"},
				{6, "steps[2].id", "from 1 to 1000000"},
				{7, "steps[3].id", `not "abc"`},
				{8, "steps[4].id", "not a list"},
			},
		},
		{
			name: "duplicate keys and odd keys",
			file: `beneficiary:
  name: Awa
  name: Awa
advisor: 1
advisor: 2
? [a, b]
: c
steps:
  - title: A
    due: 2027-01-10
`,
			want: []want{
				{3, "beneficiary.name", "is given twice (first at line 2)"},
				{5, "advisor", "is given twice (first at line 4)"},
				{6, "", "a field name must be a plain word, not a list"},
			},
		},
		{
			name: "aliases are refused",
			file: `beneficiary: &b
  name: Awa
advisor: 1
checkin: *b
steps:
  - title: A
    due: &d 2027-01-10
    resources: *d
  - title: B
    due: *d
`,
			want: []want{
				{4, "checkin", "aliases (*b) are not supported"},
				{8, "steps[0].resources", "aliases (*d) are not supported"},
				{10, "steps[1].due", "aliases (*d) are not supported"},
			},
		},
		{
			name: "bad dates and reminders",
			file: `beneficiary: {name: Awa}
advisor: 1
steps:
  - title: A
    due: 15/12/2026
  - title: B
    due: 1999-12-15
    reminders: ["-90d", "-100h"]
  - title: C
    due: 2027-01-10T25:00
  - title: D
    due: 2027-01-10T10:00
    reminders: ["-100h", "+2h", -1d, 1w]
meetings: ["2027-01-10", "", 2027-02-31]
`,
			want: []want{
				{5, "steps[0].due", `not "15/12/2026"`},
				{7, "steps[1].due", "year 1999 is out of range"},
				{8, "steps[1].reminders[0]", "within 60 days"},
				{8, "steps[1].reminders[1]", "needs a due time"},
				{10, "steps[2].due", `not "2027-01-10T25:00"`},
				{13, "steps[3].reminders[0]", "within 72 hours"},
				{13, "steps[3].reminders[1]", `"+2h" is after the due date: reminders come before it or on it`},
				{13, "steps[3].reminders[3]", "not an offset"},
				{14, "meetings[1]", "is empty"},
				{14, "meetings[2]", `not "2027-02-31"`},
			},
		},
		{
			name: "too long and too many",
			file: fmt.Sprintf(`beneficiary: {name: %s}
advisor: 1
checkin:
  question: %s
steps:
  - title: A
    due: 2027-01-10
    indicators: [%s]
`, strings.Repeat("x", 65), strings.Repeat("q", 301), strings.Repeat("i, ", 21)+"i"),
			want: []want{
				{1, "beneficiary.name", "is too long (65 characters, at most 64)"},
				{4, "checkin.question", "is too long"},
				{8, "steps[0].indicators", "has 22 items, at most 20"},
			},
		},
		{
			name: "syntax error",
			file: "beneficiary:\n  name: Awa\n steps: x\n",
			// yaml.v3 gives the line before the offending one for some
			// parser errors; Parse passes on what yaml says.
			want: []want{{2, "", "not valid YAML: did not find expected key"}},
		},
		{
			name: "syntax error: mapping in a text",
			file: "beneficiary:\n  name: Awa\nadvisor: 1\nsteps:\n  - title: Inscription: FLE\n",
			want: []want{{5, "", "not valid YAML: mapping values are not allowed in this context"}},
		},
		{
			name: "syntax error: tab",
			file: "beneficiary:\n\tname: Awa\n",
			want: []want{{2, "", "not valid YAML: found character that cannot start any token"}},
		},
		{
			name: "unclosed list",
			file: "beneficiary: {name: Awa}\nmeetings: [2027-01-10,\n",
			want: []want{{2, "", "not valid YAML: did not find expected node content"}},
		},
		{
			name: "control characters",
			file: "beneficiary: {name: \x01}\n",
			want: []want{{0, "", "not valid YAML: control characters are not allowed"}},
		},
		{name: "empty", file: "", want: []want{{0, "", "the file is empty"}}},
		{name: "only comments", file: "# nothing yet\n\n", want: []want{{0, "", "the file is empty"}}},
		{name: "document marker only", file: "---\n", want: []want{{0, "", "the file is empty"}}},
		{name: "null", file: "~\n", want: []want{{0, "", "the file is empty"}}},
		{
			name: "a list, not a mapping",
			file: "# plan\n- title: A\n  due: 2027-01-10\n",
			want: []want{{2, "", "must be a mapping of fields (beneficiary:, advisor:, steps: ...), not a list"}},
		},
		{
			name: "a text, not a mapping",
			file: "Moussa, FLE, 2027-01-10\n",
			want: []want{{1, "", `not "Moussa, FLE, 2027-01-10"`}},
		},
		{
			name: "two documents",
			file: "beneficiary: {name: Awa}\nadvisor: 1\n---\nbeneficiary: {name: Bob}\n",
			want: []want{{3, "", "more than one YAML document"}},
		},
		{
			name: "too large",
			file: "beneficiary: {name: Awa}\n#" + strings.Repeat("x", planfile.MaxSize),
			want: []want{{0, "", "the file is too large (262170 bytes, at most 256 KiB)"}},
		},
		{
			name: "more steps than allowed",
			file: "beneficiary: {name: Awa}\nadvisor: 1\nsteps:\n" + strings.Repeat("  - {title: A, due: 2027-01-10}\n", domain.MaxSteps+1),
			want: []want{{3, "steps", "has 41 steps, at most 40"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := planfile.Parse([]byte(tt.file), "Europe/Paris")
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want errors", p)
			}
			if p != nil {
				t.Errorf("Parse returned a plan with its errors")
			}
			checkErrors(t, err, tt.want)
		})
	}
}

func checkErrors(t *testing.T, err error, want []want) {
	t.Helper()
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("errors.Is(err, domain.ErrInvalid) is false for %v", err)
	}
	var es planfile.Errors
	if !errors.As(err, &es) {
		t.Fatalf("error %T %v is not planfile.Errors", err, err)
	}
	type key struct {
		Line  int
		Field string
	}
	var gotKeys, wantKeys []key
	for _, e := range es {
		gotKeys = append(gotKeys, key{e.Line, e.Field})
	}
	for _, w := range want {
		wantKeys = append(wantKeys, key{w.line, w.field})
	}
	if d := cmp.Diff(wantKeys, gotKeys); d != "" {
		t.Fatalf("problems (-want +got):\n%s\nall:\n%v", d, err)
	}
	for i, w := range want {
		if !strings.Contains(es[i].Message, w.msg) {
			t.Errorf("problem %d: message %q does not contain %q", i, es[i].Message, w.msg)
		}
	}
}

func TestTooManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("beneficiary: {name: Awa}\nadvisor: 1\nsteps: [{title: A, due: 2027-01-10}]\n")
	for i := range 60 {
		fmt.Fprintf(&b, "unknown%d: x\n", i)
	}
	_, err := planfile.Parse([]byte(b.String()), "Europe/Paris")
	var es planfile.Errors
	if !errors.As(err, &es) {
		t.Fatalf("error %v is not planfile.Errors", err)
	}
	if len(es) != 51 {
		t.Fatalf("%d problems listed, want 50 and a last line", len(es))
	}
	if es[0].Line != 4 || es[49].Line != 53 {
		t.Errorf("first and last lines %d, %d; want 4, 53", es[0].Line, es[49].Line)
	}
	if got := es[50].Error(); got != "and 10 more problems: fix these first" {
		t.Errorf("last line %q", got)
	}
}

func TestErrorsText(t *testing.T) {
	es := planfile.Errors{
		{Message: "the file is empty"},
		{Line: 12, Field: "steps[0].due", Message: "is required"},
		{Line: 3, Message: "unknown field titel"},
	}
	want := "the file is empty\nline 12: steps[0].due: is required\nline 3: unknown field titel"
	if got := es.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var err error = es
	if !errors.Is(err, domain.ErrInvalid) {
		t.Error("errors.Is(Errors, domain.ErrInvalid) is false")
	}
	if errors.Is(err, domain.ErrBadDateTime) {
		t.Error("errors.Is(Errors, domain.ErrBadDateTime) is true")
	}
}

func TestDateTimeForms(t *testing.T) {
	file := `beneficiary: {name: Awa}
advisor: 111111111
steps:
  - {title: A, due: 2026-12-15}
  - {title: B, due: 2026-12-15T14:30}
  - {title: C, due: 2026-12-15 14:30}
  - {title: D, due: "2026-12-15"}
  - {title: E, due: '2026-12-15T09:05'}
meetings: [2027-01-10, 2027-01-10T10:00, "2027-01-10 10:00"]
`
	p, err := planfile.Parse([]byte(file), "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	day := domain.Date{Year: 2026, Month: 12, Day: 15}
	wantDue := []domain.DateTime{
		{Date: day},
		{Date: day, Hour: 14, Minute: 30, HasTime: true},
		{Date: day, Hour: 14, Minute: 30, HasTime: true},
		{Date: day},
		{Date: day, Hour: 9, Minute: 5, HasTime: true},
	}
	var gotDue []domain.DateTime
	for _, s := range p.Steps {
		gotDue = append(gotDue, s.Due)
	}
	if d := cmp.Diff(wantDue, gotDue); d != "" {
		t.Errorf("due (-want +got):\n%s", d)
	}
	jan := domain.Date{Year: 2027, Month: 1, Day: 10}
	wantMeetings := []domain.DateTime{
		{Date: jan},
		{Date: jan, Hour: 10, HasTime: true},
		{Date: jan, Hour: 10, HasTime: true},
	}
	if d := cmp.Diff(wantMeetings, p.Meetings); d != "" {
		t.Errorf("meetings (-want +got):\n%s", d)
	}
}

func TestDefaults(t *testing.T) {
	file := `beneficiary:
  name: Awa
advisor: "111111111"
steps:
  - title: A
    due: 2027-01-10
  - id: 7
    title: B
    due: 2027-01-11
    reminders: []
    status: done
    owner: advisor
  - title: C
    due: 2027-01-12T10:00
    reminders: -2h
    resources: Greta
meetings: 2027-01-15
`
	got, err := planfile.Parse([]byte(file), "America/Cayenne")
	if err != nil {
		t.Fatal(err)
	}
	want := &domain.Plan{
		Beneficiary: domain.Person{Name: "Awa", Language: domain.French, Timezone: "America/Cayenne"},
		AdvisorID:   111111111,
		Steps: []domain.Step{
			{ID: 8, Title: "A", Owner: domain.OwnerBeneficiary, Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 1, Day: 10}}, Status: domain.StatusTodo},
			{ID: 7, Title: "B", Owner: domain.OwnerAdvisor, Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 1, Day: 11}}, Reminders: []domain.Offset{}, Status: domain.StatusDone},
			{ID: 9, Title: "C", Owner: domain.OwnerBeneficiary, Due: domain.DateTime{Date: domain.Date{Year: 2027, Month: 1, Day: 12}, Hour: 10, HasTime: true}, Reminders: []domain.Offset{"-2h"}, Resources: []string{"Greta"}, Status: domain.StatusTodo},
		},
		Meetings: []domain.DateTime{{Date: domain.Date{Year: 2027, Month: 1, Day: 15}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("plan (-want +got):\n%s", d)
	}
	if got.Steps[0].Reminders != nil {
		t.Error("left-out reminders are not nil: the default would not follow later changes")
	}
	if got.Steps[1].Reminders == nil {
		t.Error(`"reminders: []" gave nil, which means the default reminders`)
	}
}

func TestExplicitFields(t *testing.T) {
	file := `id: sam42
beneficiary: {name: Sam, language: en, timezone: Indian/Reunion}
advisor: 5
checkin: {schedule: "@weekly", question: "How did it go?"}
steps: [{title: A, due: 2027-01-10, status: in_progress}]
`
	p, err := planfile.Parse([]byte(file), "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "sam42" || p.Beneficiary.Language != domain.English || p.Beneficiary.Timezone != "Indian/Reunion" ||
		p.Checkin != (domain.Checkin{Schedule: "@weekly", Question: "How did it go?"}) || p.Steps[0].Status != domain.StatusInProgress {
		t.Errorf("plan %+v does not keep the file's fields", p)
	}
}

func TestDefaultTimezoneIsChecked(t *testing.T) {
	_, err := planfile.Parse([]byte("beneficiary:\n  name: Awa\nadvisor: 1\nsteps: [{title: A, due: 2027-01-10}]\n"), "")
	checkErrors(t, err, []want{{1, "beneficiary.timezone", "is required"}})
}

// A file that is not UTF-8 text — UTF-16 as Windows editors save it, with
// or without a byte order mark, or Latin-1 — is refused with one problem
// that says so, on its line when it has one.
func TestParseRefusesTextThatIsNotUTF8(t *testing.T) {
	const plan = "beneficiary: {name: Zoé}\nadvisor: 1\nsteps: [{title: CV, due: 2027-01-10}]\n"
	encode16 := func(bom []byte, order binary.AppendByteOrder) []byte {
		b := append([]byte(nil), bom...)
		for _, c := range utf16.Encode([]rune(plan)) {
			b = order.AppendUint16(b, c)
		}
		return b
	}
	latin1 := []byte(strings.Replace(plan, "é", "\xe9", 1))
	for _, c := range []struct {
		name string
		data []byte
		line int
		msg  string
	}{
		{"UTF-16 LE with BOM", encode16([]byte{0xFF, 0xFE}, binary.LittleEndian), 0, "the file is not UTF-8 text (UTF-16?)"},
		{"UTF-16 BE with BOM", encode16([]byte{0xFE, 0xFF}, binary.BigEndian), 0, "the file is not UTF-8 text (UTF-16?)"},
		{"UTF-16 LE without BOM", encode16(nil, binary.LittleEndian), 0, "the file is not UTF-8 text (UTF-16?)"},
		{"Latin-1", latin1, 1, "the file is not UTF-8 text (Latin-1 or Windows-1252?)"},
	} {
		_, err := planfile.Parse(c.data, "Europe/Paris")
		var errs planfile.Errors
		if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Line != c.line || !strings.HasPrefix(errs[0].Message, c.msg) {
			t.Errorf("%s: %v, want one problem on line %d: %q", c.name, err, c.line, c.msg)
		}
	}
	// A UTF-8 byte order mark is fine.
	if _, err := planfile.Parse(append([]byte("\xef\xbb\xbf"), plan...), "Europe/Paris"); err != nil {
		t.Errorf("UTF-8 with BOM: %v", err)
	}
}
