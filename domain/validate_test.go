package domain_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"suivi/domain"
)

func dt(t *testing.T, s string) domain.DateTime {
	t.Helper()
	v, err := domain.ParseDateTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// validPlan returns a normalized plan that passes Validate.
func validPlan(t *testing.T) domain.Plan {
	t.Helper()
	p := domain.Plan{
		ID:          "lea42",
		Beneficiary: domain.Person{Name: "Léa", Language: domain.French, Timezone: "Indian/Reunion"},
		AdvisorID:   1001,
		Checkin:     domain.Checkin{Schedule: "0 18 * * WED", Question: "Qu'est-ce qui a avancé ?\nEt qu'est-ce qui bloque ?"},
		Steps: []domain.Step{
			{
				Title:      "Mettre à jour le CV",
				Objective:  "Un CV d'une page.\nAvec les deux derniers stages.",
				Due:        dt(t, "2027-01-20"),
				Reminders:  []domain.Offset{"-7d", "-1d", "0d"},
				Resources:  []string{"Modèle de CV", "Atelier du jeudi"},
				Indicators: []string{"CV envoyé au conseiller"},
			},
			{
				Title:     "Appeler la mission locale",
				Owner:     domain.OwnerAdvisor,
				Due:       dt(t, "2027-01-22T14:30"),
				Reminders: []domain.Offset{"-2h", "-1d"},
			},
		},
		Meetings: []domain.DateTime{dt(t, "2027-02-03T10:00"), dt(t, "2027-03-03")},
	}
	p.Normalize("Europe/Paris")
	if err := p.Validate(); err != nil {
		t.Fatalf("validPlan is not valid: %v", err)
	}
	return p
}

// problems returns the problems of err, failing when err is not Problems.
func problems(t *testing.T, err error) domain.Problems {
	t.Helper()
	if err == nil {
		t.Fatal("Validate returned nil, want problems")
	}
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
	}
	var ps domain.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Validate returned %T, want domain.Problems", err)
	}
	if len(ps) == 0 {
		t.Fatal("Validate returned an empty Problems")
	}
	return ps
}

func fields(ps domain.Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Field
	}
	return out
}

func TestValidateValid(t *testing.T) {
	p := validPlan(t)
	if err := p.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
	// Limits are inclusive.
	p.Beneficiary.Name = strings.Repeat("é", domain.MaxNameLen)
	p.Steps[0].Title = strings.Repeat("x", domain.MaxTitleLen)
	p.Steps[0].Objective = strings.Repeat("o", domain.MaxTextLen)
	p.Checkin.Question = strings.Repeat("?", domain.MaxQuestionLen)
	p.Checkin.Schedule = ""
	p.Steps[1].Reminders = []domain.Offset{"-72h", "-71h", "-60d", "-59d", "0d", "-1d", "-2d", "-3d"}
	for len(p.Steps) < domain.MaxSteps {
		p.Steps = append(p.Steps, domain.Step{ID: p.NextStepID(), Title: "t", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo, Due: dt(t, "2027-05-01")})
	}
	p.Steps[2].Resources = make([]string, domain.MaxListItems)
	for i := range p.Steps[2].Resources {
		p.Steps[2].Resources[i] = "r"
	}
	for len(p.Meetings) < domain.MaxMeetings {
		p.Meetings = append(p.Meetings, dt(t, "2100-12-31T23:59"))
	}
	if err := p.Validate(); err != nil {
		t.Errorf("plan at every limit: Validate() = %v, want nil", err)
	}
}

func TestValidateManyProblems(t *testing.T) {
	p := validPlan(t)
	p.Beneficiary = domain.Person{Name: "  ", Language: "de", Timezone: "Paris"}
	p.AdvisorID = 0
	p.Checkin.Schedule = "@every 1h"
	p.Steps[0].Resources = []string{"Modèle de CV", "Atelier", " "}
	p.Steps[1] = domain.Step{ID: 2, Title: "", Owner: "boss", Status: domain.StatusTodo, Reminders: []domain.Offset{"3 days"}}
	p.Steps = append(p.Steps,
		domain.Step{ID: 3, Title: "Ligne un\nligne deux", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo, Due: dt(t, "2027-02-01")},
		domain.Step{ID: 4, Title: strings.Repeat("a", domain.MaxTitleLen+1), Objective: strings.Repeat("b", domain.MaxTextLen+1), Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo, Due: dt(t, "2027-02-01")},
		domain.Step{ID: 1, Title: "Doublon", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo, Due: dt(t, "2027-02-01")},
		domain.Step{ID: 6, Title: "Entretien", Owner: domain.OwnerBeneficiary, Status: "late", Due: dt(t, "2027-02-01"), Reminders: []domain.Offset{"-1d", "-2h", "-61d", "0d"}},
		domain.Step{ID: 7, Title: "Rendez-vous", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo, Due: dt(t, "2027-02-01T09:00"), Reminders: []domain.Offset{"-73h"}},
		domain.Step{ID: 8, Title: "Bip\x07", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo, Due: domain.DateTime{Date: domain.Date{Year: 1999, Month: 1, Day: 1}}},
	)
	p.Meetings = []domain.DateTime{{Date: domain.Date{Year: 2101, Month: 1, Day: 1}}, dt(t, "2027-02-03"), {Date: domain.Date{Year: 2027, Month: 2, Day: 3}, Hour: 24, HasTime: true}}

	ps := problems(t, p.Validate())
	want := [][2]string{
		{"beneficiary.name", "is required"},
		{"beneficiary.language", `must be fr or en, not "de"`},
		{"beneficiary.timezone", `"Paris" is not an IANA zone name like Europe/Paris`},
		{"advisor", "must be the advisor's Telegram user id (a positive number)"},
		{"checkin.schedule", `"@every 1h" fires more than once a day`},
		{"steps[0].resources[2]", "is required"},
		{"steps[1].title", "is required"},
		{"steps[1].owner", `must be beneficiary or advisor, not "boss"`},
		{"steps[1].due", "is required (a date like 2026-12-15)"},
		{"steps[1].reminders[0]", `"3 days" is not an offset like -3d, -1d, 0d or -2h`},
		{"steps[2].title", "must fit on one line"},
		{"steps[3].title", "is too long (201 characters, at most 200)"},
		{"steps[3].objective", "is too long (601 characters, at most 600)"},
		{"steps[4].id", "id 1 is used twice"},
		{"steps[5].reminders[1]", "an offset in hours needs a due time, like 2026-12-15T14:30"},
		{"steps[5].reminders[2]", "must be within 60 days of the due date"},
		{"steps[5].status", `must be one of todo, in_progress, done, blocked, cancelled, not "late"`},
		{"steps[6].reminders[0]", "must be within 72 hours of the due time"},
		{"steps[7].title", "contains control characters"},
		{"steps[7].due", "year 1999 is out of range"},
		{"meetings[0]", "year 2101 is out of range"},
		{"meetings[2]", "time 24:00 is not a time of day"},
	}
	var got [][2]string
	for _, p := range ps {
		got = append(got, [2]string{p.Field, p.Message})
		if p.Code == "" {
			t.Errorf("%s: %q has no code for the catalog", p.Field, p.Message)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	// Error lists every problem, each named by its field.
	msg := ps.Error()
	for _, w := range want {
		if !strings.Contains(msg, w[0]+": "+w[1]) {
			t.Errorf("Error() lacks %q:\n%s", w[0]+": "+w[1], msg)
		}
	}
	if got := strings.Count(msg, "; "); got != len(want)-1 {
		t.Errorf("Error() joins %d problems, want %d", got+1, len(want))
	}
}

func TestValidateOneProblem(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *domain.Plan)
		field  string
		msg    string // a part of the message
	}{
		{"name with newline", func(p *domain.Plan) { p.Beneficiary.Name = "Léa\nMartin" }, "beneficiary.name", "must fit on one line"},
		{"name with CR", func(p *domain.Plan) { p.Beneficiary.Name = "Léa\rMartin" }, "beneficiary.name", "must fit on one line"},
		{"name too long", func(p *domain.Plan) { p.Beneficiary.Name = strings.Repeat("é", domain.MaxNameLen+1) }, "beneficiary.name", "is too long (65 characters, at most 64)"},
		{"empty language", func(p *domain.Plan) { p.Beneficiary.Language = "" }, "beneficiary.language", `not ""`},
		{"empty timezone", func(p *domain.Plan) { p.Beneficiary.Timezone = "" }, "beneficiary.timezone", "is required"},
		{"unknown timezone", func(p *domain.Plan) { p.Beneficiary.Timezone = "Mars/Olympus" }, "beneficiary.timezone", "not a known IANA time zone"},
		{"negative advisor", func(p *domain.Plan) { p.AdvisorID = -5 }, "advisor", "positive number"},
		{"bad schedule", func(p *domain.Plan) { p.Checkin.Schedule = "61 * * * *" }, "checkin.schedule", `"61 * * * *" is not a valid cron spec`},
		{"panicking schedule", func(p *domain.Plan) { p.Checkin.Schedule = "CRON_TZ=UTC" }, "checkin.schedule", `"CRON_TZ=UTC" is not a valid cron spec`},
		{"question too long", func(p *domain.Plan) { p.Checkin.Question = strings.Repeat("q", domain.MaxQuestionLen+1) }, "checkin.question", "is too long"},
		{"no steps", func(p *domain.Plan) { p.Steps = nil }, "steps", "at least one step"},
		{"too many steps", func(p *domain.Plan) {
			for len(p.Steps) <= domain.MaxSteps {
				p.Steps = append(p.Steps, domain.Step{ID: p.NextStepID(), Title: "t", Owner: domain.OwnerBeneficiary, Status: domain.StatusTodo, Due: p.Steps[0].Due})
			}
		}, "steps", "has 41 steps, at most 40"},
		{"negative id", func(p *domain.Plan) { p.Steps[1].ID = -1 }, "steps[1].id", "must be between 1 and"},
		{"huge id", func(p *domain.Plan) { p.Steps[1].ID = domain.MaxStepID + 1 }, "steps[1].id", "must be between 1 and"},
		{"duplicate id", func(p *domain.Plan) { p.Steps[1].ID = p.Steps[0].ID }, "steps[1].id", "is used twice"},
		{"hour offset without due time", func(p *domain.Plan) { p.Steps[0].Reminders = []domain.Offset{"-2h"} }, "steps[0].reminders[0]", "needs a due time"},
		{"too many reminders", func(p *domain.Plan) {
			p.Steps[0].Reminders = []domain.Offset{"-9d", "-8d", "-7d", "-6d", "-5d", "-4d", "-3d", "-2d", "-1d"}
		}, "steps[0].reminders", "has 9 reminders, at most 8"},
		{"bad reminder unit", func(p *domain.Plan) { p.Steps[0].Reminders = []domain.Offset{"-1w"} }, "steps[0].reminders[0]", "is not an offset"},
		{"too many resources", func(p *domain.Plan) {
			p.Steps[0].Resources = strings.Fields(strings.Repeat("r ", domain.MaxListItems+1))
		}, "steps[0].resources", "has 21 items, at most 20"},
		{"indicator too long", func(p *domain.Plan) { p.Steps[0].Indicators = []string{strings.Repeat("i", domain.MaxTitleLen+1)} }, "steps[0].indicators[0]", "is too long"},
		{"indicator on two lines", func(p *domain.Plan) { p.Steps[0].Indicators = []string{"a\nb"} }, "steps[0].indicators[0]", "must fit on one line"},
		{"empty status", func(p *domain.Plan) { p.Steps[0].Status = "" }, "steps[0].status", `not ""`},
		{"empty owner", func(p *domain.Plan) { p.Steps[0].Owner = "" }, "steps[0].owner", `not ""`},
		{"objective with control character", func(p *domain.Plan) { p.Steps[0].Objective = "a\x00b" }, "steps[0].objective", "contains control characters"},
		{"too many meetings", func(p *domain.Plan) {
			for len(p.Meetings) <= domain.MaxMeetings {
				p.Meetings = append(p.Meetings, p.Meetings[0])
			}
		}, "meetings", "has 21 dates, at most 20"},
		{"meeting at 25:00", func(p *domain.Plan) {
			p.Meetings[1] = domain.DateTime{Date: p.Meetings[1].Date, Hour: 25, HasTime: true}
		}, "meetings[1]", "is not a time of day"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := validPlan(t)
			tc.change(&p)
			ps := problems(t, p.Validate())
			if diff := cmp.Diff([]string{tc.field}, fields(ps)); diff != "" {
				t.Fatalf("fields (-want +got):\n%s\nproblems: %v", diff, ps)
			}
			if !strings.Contains(ps[0].Message, tc.msg) {
				t.Errorf("message %q does not contain %q", ps[0].Message, tc.msg)
			}
		})
	}
}

func TestValidTimezone(t *testing.T) {
	for _, name := range []string{
		"Europe/Paris", "UTC", "Etc/UTC",
		"America/Cayenne", "America/Guadeloupe", "America/Martinique", "America/Miquelon",
		"Indian/Reunion", "Indian/Mayotte", "Pacific/Noumea", "Pacific/Tahiti", "Pacific/Wallis",
	} {
		if err := domain.ValidTimezone(name); err != nil {
			t.Errorf("ValidTimezone(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"Local", "", "Paris", "Mars/Olympus", "CET", "+02:00", "../etc/localtime", "/etc/localtime", "Europe/Paris "} {
		err := domain.ValidTimezone(name)
		if err == nil {
			t.Errorf("ValidTimezone(%q) = nil, want an error", name)
			continue
		}
		if name != "" && !strings.Contains(err.Error(), `"`+name+`"`) {
			t.Errorf("ValidTimezone(%q) = %v, want the name quoted", name, err)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	reunion := mustLoad(t, "Indian/Reunion")
	paris := mustLoad(t, "Europe/Paris")
	sunday := time.Date(2027, 1, 3, 15, 0, 0, 0, reunion) // a Sunday afternoon in Reunion
	tests := []struct {
		spec string
		loc  *time.Location
		from time.Time
		next time.Time
	}{
		// Without CRON_TZ, the spec is read in loc: 10:00 Reunion is 06:00 UTC.
		{"0 10 * * MON", reunion, sunday, time.Date(2027, 1, 4, 6, 0, 0, 0, time.UTC)},
		{"0 10 * * MON", paris, sunday, time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)},
		{"0 10 * * MON", time.UTC, sunday, time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC)},
		{"  0 10 * * MON  ", reunion, sunday, time.Date(2027, 1, 4, 6, 0, 0, 0, time.UTC)},
		// A CRON_TZ (or TZ) prefix wins over loc.
		{"CRON_TZ=Indian/Reunion 0 18 * * WED", paris, sunday, time.Date(2027, 1, 6, 14, 0, 0, 0, time.UTC)},
		{"TZ=Europe/Paris 0 18 * * WED", reunion, sunday, time.Date(2027, 1, 6, 17, 0, 0, 0, time.UTC)},
		// Descriptors too are read in loc: @weekly is Sunday midnight.
		{"@weekly", reunion, sunday, time.Date(2027, 1, 9, 20, 0, 0, 0, time.UTC)},
		{"@every 168h", reunion, sunday, sunday.Add(168 * time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.spec+" in "+tc.loc.String(), func(t *testing.T) {
			s, err := domain.ParseSchedule(tc.spec, tc.loc)
			if err != nil {
				t.Fatalf("ParseSchedule(%q): %v", tc.spec, err)
			}
			if got := s.Next(tc.from); !got.Equal(tc.next) {
				t.Errorf("Next(%v) = %v, want %v", tc.from, got.UTC(), tc.next.UTC())
			}
			if err := domain.ValidCheckinSchedule(tc.spec, tc.loc); err != nil {
				t.Errorf("ValidCheckinSchedule(%q) = %v, want nil", tc.spec, err)
			}
		})
	}
}

func TestParseScheduleBad(t *testing.T) {
	reunion := mustLoad(t, "Indian/Reunion")
	for _, spec := range []string{
		"CRON_TZ=UTC", // the cron parser panics on a zone with no spec
		"TZ=Europe/Paris",
		"CRON_TZ=Europe/Paris\t0 10 * * *",
		"TZ=Nowhere/X 0 10 * * *",
		"CRON_TZ=Nowhere/X 0 10 * * *",
		"61 * * * *",
		"0 10 * * MON *",
		"0 10 * *",
		"0 10 * * FUNDAY",
		"@fortnightly",
		"@every",
		"@every 1 week",
		"",
		"   ",
	} {
		for _, loc := range []*time.Location{reunion, nil} {
			var (
				s   any
				err error
			)
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("ParseSchedule(%q, %v) panicked: %v", spec, loc, r)
					}
				}()
				s, err = domain.ParseSchedule(spec, loc)
			}()
			if err == nil {
				t.Errorf("ParseSchedule(%q, %v) = %v, nil; want an error", spec, loc, s)
				continue
			}
			if strings.TrimSpace(spec) == "" {
				continue
			}
			// The message quotes the spec as the user wrote it.
			if !strings.Contains(err.Error(), strconv.Quote(strings.TrimSpace(spec))) {
				t.Errorf("ParseSchedule(%q) error %q does not quote the spec", spec, err)
			}
			if !strings.HasPrefix(spec, "CRON_TZ=") && strings.Contains(err.Error(), "CRON_TZ") {
				t.Errorf("ParseSchedule(%q) error %q shows the added CRON_TZ prefix", spec, err)
			}
			if verr := domain.ValidCheckinSchedule(spec, loc); verr == nil {
				t.Errorf("ValidCheckinSchedule(%q) = nil, want an error", spec)
			}
		}
	}
	_, err := domain.ParseSchedule("61 * * * *", reunion)
	if err == nil || !strings.HasPrefix(err.Error(), `"61 * * * *" is not a valid cron spec`) {
		t.Errorf(`ParseSchedule("61 * * * *") error = %v, want it to start with the spec as written`, err)
	}
}

func TestValidCheckinSchedule(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	tests := []struct {
		spec string
		msg  string // "" when valid; else a part of the error
	}{
		{"0 10 * * MON", ""},
		{"CRON_TZ=Indian/Reunion 0 18 * * WED", ""},
		{"@weekly", ""},
		{"@daily", ""},
		{"@monthly", ""},
		{"@every 168h", ""},
		{"@every 24h", ""},
		{"30 9 * * MON,THU", ""},
		{"0 10 1 1 *", ""}, // once a year is rare, not too often
		{"@every 1h", `"@every 1h" fires more than once a day`},
		{"@every 23h59m", "fires more than once a day"},
		{"* * * * *", `"* * * * *" fires more than once a day`},
		{"0 9,17 * * MON", "fires more than once a day"},
		{"*/30 10 * * FRI", "fires more than once a day"},
		{"@hourly", "fires more than once a day"},
		{"0 10 30 2 *", `"0 10 30 2 *" never fires`},
		{"61 * * * *", "is not a valid cron spec"},
		{"", "is empty"},
		{"CRON_TZ=UTC", `"CRON_TZ=UTC" is not a valid cron spec`},
	}
	for _, tc := range tests {
		for _, loc := range []*time.Location{paris, nil} {
			err := domain.ValidCheckinSchedule(tc.spec, loc)
			switch {
			case tc.msg == "" && err != nil:
				t.Errorf("ValidCheckinSchedule(%q, %v) = %v, want nil", tc.spec, loc, err)
			case tc.msg != "" && err == nil:
				t.Errorf("ValidCheckinSchedule(%q, %v) = nil, want an error with %q", tc.spec, loc, tc.msg)
			case tc.msg != "" && !strings.Contains(err.Error(), tc.msg):
				t.Errorf("ValidCheckinSchedule(%q, %v) = %q, want it to contain %q", tc.spec, loc, err, tc.msg)
			}
		}
	}
}

// A daily check-in fires once a day even on the days the clocks change; a
// 23-hour gap at the spring change is not "more than once a day".
func TestValidCheckinScheduleAcrossDST(t *testing.T) {

	paris := mustLoad(t, "Europe/Paris")
	for _, spec := range []string{"0 10 28-31 3 *", "0 10 * 3 SAT,SUN"} {
		if err := domain.ValidCheckinSchedule(spec, paris); err != nil {
			t.Errorf("ValidCheckinSchedule(%q, Europe/Paris) = %v, want nil (once a day)", spec, err)
		}
	}
}

// The field rules of Validate, exported for what people type in Telegram.
func TestFieldRules(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"a title", domain.ValidTitle("Refaire son CV"), true},
		{"accents and emoji", domain.ValidTitle("Inscription à l'ÉCOLE 🎓"), true},
		{"a tab", domain.ValidTitle("Visite\tdu CIO"), true},
		{"C0 control", domain.ValidTitle("15/12 Titre\x11"), false},
		{"DEL", domain.ValidTitle("Titre\x7f"), false},
		{"C1 control", domain.ValidTitle("Titre\u0085suite"), false},
		{"not UTF-8", domain.ValidTitle("Titre \xff"), false},
		{"two lines", domain.ValidTitle("Visite\ndu CIO"), false},
		{"empty", domain.ValidTitle("  "), false},
		{"too long", domain.ValidTitle(strings.Repeat("é", domain.MaxTitleLen+1)), false},
		{"a name", domain.ValidName("N'Diaye & Co"), true},
		{"a name with a control", domain.ValidName("Awa\x00"), false},
		{"a question on two lines", domain.ValidQuestion("Qu'avez-vous appris ?\nEt après ?"), true},
		{"a question with a control", domain.ValidQuestion("Quoi\x1b[31m ?"), false},
		{"a date", domain.ValidDateTime(dt(t, "2037-12-15T14:30")), true},
		{"a far year", domain.ValidDateTime(domain.DateTime{Date: domain.Date{Year: 9999, Month: 12, Day: 15}}), false},
	} {
		if (c.err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, c.err, c.ok)
		}
	}
}
