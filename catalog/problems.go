package catalog

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"suivi/domain"
)

// What is wrong with a plan, said to people in their language: the field,
// then the reason (domain.Problem, domain.Reason). The CLI, which is
// English, prints the domain's own English wording.
const (
	ProblemLine Key = "problem.line"
	FieldStep   Key = "field.step"
	FieldItem   Key = "field.item"

	FieldID                  Key = "field.id"
	FieldBeneficiaryName     Key = "field.beneficiary.name"
	FieldBeneficiaryLanguage Key = "field.beneficiary.language"
	FieldBeneficiaryTimezone Key = "field.beneficiary.timezone"
	FieldAdvisor             Key = "field.advisor"
	FieldCheckinSchedule     Key = "field.checkin.schedule"
	FieldCheckinQuestion     Key = "field.checkin.question"
	FieldSteps               Key = "field.steps"
	FieldStepID              Key = "field.steps.id"
	FieldStepTitle           Key = "field.steps.title"
	FieldStepObjective       Key = "field.steps.objective"
	FieldStepOwner           Key = "field.steps.owner"
	FieldStepDue             Key = "field.steps.due"
	FieldStepReminders       Key = "field.steps.reminders"
	FieldStepResources       Key = "field.steps.resources"
	FieldStepIndicators      Key = "field.steps.indicators"
	FieldStepStatus          Key = "field.steps.status"
	FieldMeetings            Key = "field.meetings"
)

// ReasonKey is the key of the wording of a reason code (domain.Rs…).
func ReasonKey(code string) Key { return Key("problem." + code) }

var fieldPartRE = regexp.MustCompile(`^([a-z_]+)(\[\d+\])?$`)

// Field names a field of a plan for people: "steps[2].due" is "étape 3 ·
// échéance", "steps[0].reminders[1]" "étape 1 · rappels n° 2". A field
// the catalog does not know is given as it is.
func (c *Catalog) Field(lang domain.Lang, field string) string {
	if field == "" {
		return ""
	}
	var path, out []string
	parts := strings.Split(field, ".")
	for i, part := range parts {
		m := fieldPartRE.FindStringSubmatch(part)
		if m == nil {
			return field
		}
		path = append(path, m[1])
		n := 0
		if m[2] != "" {
			v, err := strconv.Atoi(strings.Trim(m[2], "[]"))
			if err != nil {
				return field
			}
			n = v + 1
		}
		if i < len(parts)-1 {
			if n > 0 {
				if m[1] != "steps" {
					return field
				}
				out = append(out, c.Plain(lang, FieldStep, "n", n))
			}
			continue
		}
		name, ok := c.Raw(lang, Key("field."+strings.Join(path, ".")))
		if !ok {
			return field
		}
		if n > 0 {
			name = c.Plain(lang, FieldItem, "field", name, "n", n)
		}
		out = append(out, name)
	}
	return strings.Join(out, " · ")
}

// Problem words one problem of a plan: where, then why.
func (c *Catalog) Problem(lang domain.Lang, p domain.Problem) string {
	return c.Plain(lang, ProblemLine, "field", c.Field(lang, p.Field), "reason", c.reason(lang, p.Code, p.Args, p.Message))
}

// Problems words every problem of a plan, one a line.
func (c *Catalog) Problems(lang domain.Lang, ps domain.Problems) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = c.Problem(lang, p)
	}
	return strings.Join(lines, "\n")
}

// Reason words why a value was refused: a *domain.Reason in lang, any
// other error as its own text.
func (c *Catalog) Reason(lang domain.Lang, err error) string {
	var r *domain.Reason
	if errors.As(err, &r) {
		return c.reason(lang, r.Code, r.Args, r.English)
	}
	return err.Error()
}

func (c *Catalog) reason(lang domain.Lang, code string, args map[string]any, english string) string {
	if _, ok := c.Raw(lang, ReasonKey(code)); code == "" || !ok {
		return english
	}
	kv := make([]any, 0, 2*len(args))
	for k, v := range args {
		kv = append(kv, k, v)
	}
	return c.Plain(lang, ReasonKey(code), kv...)
}

func problemsFrench() map[Key]string {
	return map[Key]string{
		ProblemLine: "{field} : {reason}",
		FieldStep:   "étape {n}",
		FieldItem:   "{field} n° {n}",

		FieldID:                  "identifiant du plan",
		FieldBeneficiaryName:     "prénom ou pseudo",
		FieldBeneficiaryLanguage: "langue",
		FieldBeneficiaryTimezone: "fuseau horaire",
		FieldAdvisor:             "identifiant Telegram du conseiller",
		FieldCheckinSchedule:     "rythme des points",
		FieldCheckinQuestion:     "question du point",
		FieldSteps:               "étapes",
		FieldStepID:              "numéro",
		FieldStepTitle:           "intitulé",
		FieldStepObjective:       "objectif",
		FieldStepOwner:           "qui agit",
		FieldStepDue:             "échéance",
		FieldStepReminders:       "rappels",
		FieldStepResources:       "ressources",
		FieldStepIndicators:      "indicateurs",
		FieldStepStatus:          "statut",
		FieldMeetings:            "rendez-vous",

		ReasonKey(domain.RsOneLine):         "doit tenir sur une ligne",
		ReasonKey(domain.RsRequired):        "est à remplir",
		ReasonKey(domain.RsTooLong):         "est trop long ({n} caractères, {max} au plus)",
		ReasonKey(domain.RsControl):         "contient des caractères invisibles (de contrôle)",
		ReasonKey(domain.RsLanguage):        "doit être fr ou en (et non « {value} »)",
		ReasonKey(domain.RsZoneRequired):    "est à remplir (un fuseau comme Europe/Paris)",
		ReasonKey(domain.RsZoneName):        "« {value} » n'est pas un nom de fuseau comme Europe/Paris",
		ReasonKey(domain.RsZoneUnknown):     "« {value} » n'est pas un fuseau horaire connu",
		ReasonKey(domain.RsAdvisor):         "doit être l'identifiant Telegram du conseiller (un nombre positif)",
		ReasonKey(domain.RsPlanID):          "« {value} » doit compter de 4 à 32 lettres minuscules ou chiffres, dont au moins deux lettres et un chiffre (comme sofia2027)",
		ReasonKey(domain.RsScheduleEmpty):   "est vide",
		ReasonKey(domain.RsScheduleInvalid): "« {value} » n'est pas une règle cron valable (par exemple 0 10 * * MON : le lundi à 10 h)",
		ReasonKey(domain.RsScheduleNever):   "« {value} » ne tombe jamais",
		ReasonKey(domain.RsScheduleTwice):   "« {value} » tomberait plus d'une fois par jour : un point par jour au plus",
		ReasonKey(domain.RsNoSteps):         "un plan a besoin d'au moins une étape",
		ReasonKey(domain.RsTooManySteps):    "{n} étapes, {max} au plus",
		ReasonKey(domain.RsStepID):          "doit être entre 1 et {max}",
		ReasonKey(domain.RsStepIDTwice):     "le numéro {id} sert deux fois",
		ReasonKey(domain.RsOwner):           "doit être beneficiary ou advisor (et non « {value} »)",
		ReasonKey(domain.RsDueRequired):     "est à remplir (une date comme 2026-12-15)",
		ReasonKey(domain.RsTooManyReminder): "{n} rappels, {max} au plus",
		ReasonKey(domain.RsOffset):          "« {value} » n'est pas un rappel comme -3d, -1d, 0d ou -2h",
		ReasonKey(domain.RsOffsetAfter):     "« {value} » tombe après l'échéance : un rappel vient avant, ou le jour même (comme -1d, 0d ou -2h)",
		ReasonKey(domain.RsOffsetDays):      "doit tomber dans les {max} jours avant l'échéance",
		ReasonKey(domain.RsOffsetNeedsTime): "un rappel en heures demande une heure d'échéance, comme 2026-12-15T14:30",
		ReasonKey(domain.RsOffsetHours):     "doit tomber dans les {max} heures avant l'échéance",
		ReasonKey(domain.RsTooManyItems):    "{n} éléments, {max} au plus",
		ReasonKey(domain.RsStatus):          "doit être todo, in_progress, done, blocked ou cancelled (et non « {value} »)",
		ReasonKey(domain.RsTooManyMeetings): "{n} dates, {max} au plus",
		ReasonKey(domain.RsYear):            "l'année {year} est hors des limites",
		ReasonKey(domain.RsTimeOfDay):       "{value} n'est pas une heure de la journée",
		ReasonKey(domain.RsPastDue):         "le {value} est déjà passé : l'étape sera en retard dès le départ",
	}
}

func problemsEnglish() map[Key]string {
	return map[Key]string{
		ProblemLine: "{field}: {reason}",
		FieldStep:   "step {n}",
		FieldItem:   "{field} no. {n}",

		FieldID:                  "plan id",
		FieldBeneficiaryName:     "name or alias",
		FieldBeneficiaryLanguage: "language",
		FieldBeneficiaryTimezone: "time zone",
		FieldAdvisor:             "advisor's Telegram id",
		FieldCheckinSchedule:     "check-in rhythm",
		FieldCheckinQuestion:     "check-in question",
		FieldSteps:               "steps",
		FieldStepID:              "number",
		FieldStepTitle:           "title",
		FieldStepObjective:       "objective",
		FieldStepOwner:           "who acts",
		FieldStepDue:             "due date",
		FieldStepReminders:       "reminders",
		FieldStepResources:       "resources",
		FieldStepIndicators:      "indicators",
		FieldStepStatus:          "status",
		FieldMeetings:            "meetings",

		ReasonKey(domain.RsOneLine):         "must fit on one line",
		ReasonKey(domain.RsRequired):        "is required",
		ReasonKey(domain.RsTooLong):         "is too long ({n} characters, at most {max})",
		ReasonKey(domain.RsControl):         "contains invisible (control) characters",
		ReasonKey(domain.RsLanguage):        "must be fr or en (not “{value}”)",
		ReasonKey(domain.RsZoneRequired):    "is required (a zone like Europe/Paris)",
		ReasonKey(domain.RsZoneName):        "“{value}” is not a zone name like Europe/Paris",
		ReasonKey(domain.RsZoneUnknown):     "“{value}” is not a known time zone",
		ReasonKey(domain.RsAdvisor):         "must be the advisor's Telegram id (a positive number)",
		ReasonKey(domain.RsPlanID):          "“{value}” must be 4 to 32 lower-case letters or digits, with at least two letters and a digit (like sofia2027)",
		ReasonKey(domain.RsScheduleEmpty):   "is empty",
		ReasonKey(domain.RsScheduleInvalid): "“{value}” is not a valid cron rule (for example 0 10 * * MON: Mondays at 10:00)",
		ReasonKey(domain.RsScheduleNever):   "“{value}” never comes",
		ReasonKey(domain.RsScheduleTwice):   "“{value}” would come more than once a day: one check-in a day at most",
		ReasonKey(domain.RsNoSteps):         "a plan needs at least one step",
		ReasonKey(domain.RsTooManySteps):    "{n} steps, at most {max}",
		ReasonKey(domain.RsStepID):          "must be between 1 and {max}",
		ReasonKey(domain.RsStepIDTwice):     "number {id} is used twice",
		ReasonKey(domain.RsOwner):           "must be beneficiary or advisor (not “{value}”)",
		ReasonKey(domain.RsDueRequired):     "is required (a date like 2026-12-15)",
		ReasonKey(domain.RsTooManyReminder): "{n} reminders, at most {max}",
		ReasonKey(domain.RsOffset):          "“{value}” is not a reminder like -3d, -1d, 0d or -2h",
		ReasonKey(domain.RsOffsetAfter):     "“{value}” comes after the due date: a reminder comes before it, or on the day (like -1d, 0d or -2h)",
		ReasonKey(domain.RsOffsetDays):      "must be within {max} days before the due date",
		ReasonKey(domain.RsOffsetNeedsTime): "a reminder in hours needs a due time, like 2026-12-15T14:30",
		ReasonKey(domain.RsOffsetHours):     "must be within {max} hours before the due time",
		ReasonKey(domain.RsTooManyItems):    "{n} items, at most {max}",
		ReasonKey(domain.RsStatus):          "must be todo, in_progress, done, blocked or cancelled (not “{value}”)",
		ReasonKey(domain.RsTooManyMeetings): "{n} dates, at most {max}",
		ReasonKey(domain.RsYear):            "year {year} is out of range",
		ReasonKey(domain.RsTimeOfDay):       "{value} is not a time of day",
		ReasonKey(domain.RsPastDue):         "{value} has passed already: the step is overdue from the start",
	}
}
