package catalog

// Texts of /mesdonnees: what Suivi keeps about a beneficiary, the copy of
// it they can take away, and the erasure. The "mdoc." texts are the plain
// labels of that copy (an HTML page, escaped by html/template).
const (
	MdSummary       Key = "md.summary"
	MdPlanLine      Key = "md.plan_line"
	MdNoPlan        Key = "md.no_plan"
	MdCheckinsLine  Key = "md.checkins_line"
	MdKeptUntil     Key = "md.kept_until"
	MdKeptWhileOpen Key = "md.kept_while_open"
	MdSent          Key = "md.sent"
	MdConfirm       Key = "md.confirm"
	MdExpired       Key = "md.expired"
	MdKept          Key = "md.kept"
	MdErased        Key = "md.erased"
	MdCaptionHTML   Key = "md.caption_html"
	MdCaptionJSON   Key = "md.caption_json"
	AdvErased       Key = "adv.erased"
	CmdMyData       Key = "cmd.mesdonnees"

	BtnMdGet   Key = "btn.md_get"
	BtnMdErase Key = "btn.md_erase"
	BtnMdYes   Key = "btn.md_yes"
	BtnMdNo    Key = "btn.md_no"

	MdocTitle       Key = "mdoc.title"
	MdocIntro       Key = "mdoc.intro"
	MdocProfile     Key = "mdoc.profile"
	MdocName        Key = "mdoc.name"
	MdocLanguage    Key = "mdoc.language"
	MdocZone        Key = "mdoc.zone"
	MdocState       Key = "mdoc.state"
	MdocAdvisor     Key = "mdoc.advisor"
	MdocJoined      Key = "mdoc.joined"
	MdocCheckinTime Key = "mdoc.checkin_time"
	MdocQuiet       Key = "mdoc.quiet"
	MdocHelp        Key = "mdoc.help"
	MdocKept        Key = "mdoc.kept"
	MdocConsent     Key = "mdoc.consent"
	MdocConsentNow  Key = "mdoc.consent_now"
	MdocPlan        Key = "mdoc.plan"
	MdocStep        Key = "mdoc.step"
	MdocObjective   Key = "mdoc.objective"
	MdocDue         Key = "mdoc.due"
	MdocOwner       Key = "mdoc.owner"
	MdocStatus      Key = "mdoc.status"
	MdocResources   Key = "mdoc.resources"
	MdocIndicators  Key = "mdoc.indicators"
	MdocHistory     Key = "mdoc.history"
	MdocCheckins    Key = "mdoc.checkins"
	MdocNone        Key = "mdoc.none"
	MdocWeek        Key = "mdoc.week"
	MdocAnswered    Key = "mdoc.answered"
	MdocScore       Key = "mdoc.score"
	MdocAnswer      Key = "mdoc.answer"
	MdocStepStatus  Key = "mdoc.step_status"
	MdocNote        Key = "mdoc.note"
	MdocVoice       Key = "mdoc.voice"
	MdocHelpAsked   Key = "mdoc.help_asked"
	MdocShared      Key = "mdoc.shared"
	MdocPrivate     Key = "mdoc.private"
	MdocNotShared   Key = "mdoc.not_shared"
	MdocOpen        Key = "mdoc.open"
	MdocYes         Key = "mdoc.yes"
	MdocNo          Key = "mdoc.no"
	MdocGenerated   Key = "mdoc.generated"
)

func myDataFrench() map[Key]string {
	return map[Key]string{
		MdSummary: "🗂 <b>Ce que Suivi garde sur vous</b>\n\n" +
			"👤 {name} · {lang} · {zone}\n" +
			"{plan}\n" +
			"{checkins}\n" +
			"🔒 {consent}\n" +
			"🗓 {kept}\n\n" +
			"Vous pouvez en recevoir une copie complète, ou tout effacer.",
		MdPlanLine:      "📋 Votre plan : {n} {n:étape|étapes}, dont {done} {done:faite|faites}",
		MdNoPlan:        "📋 Pas encore de plan",
		MdCheckinsLine:  "📊 {n} {n:point|points} d'étape, dont {shared} transmis à {advisor}",
		MdKeptUntil:     "Tout sera effacé le {date}, sauf si vous l'effacez avant.",
		MdKeptWhileOpen: "Gardé pendant l'accompagnement, puis {months} mois après sa fin, puis effacé.",
		MdSent:          "Voici vos données : une page à lire et un fichier JSON à réutiliser ailleurs. 📄",
		MdConfirm: "🗑 <b>Tout effacer ?</b>\n\n" +
			"Votre plan, vos réponses et vos réglages seront supprimés pour de bon, et Suivi ne vous écrira plus.\n" +
			"Je préviendrai {advisor} que vous avez arrêté, sans rien de ce que vous avez écrit.\n\n" +
			"Vous pouvez d'abord recevoir une copie avec /mesdonnees.",
		MdExpired:     "Cette confirmation date un peu. Pour tout effacer, renvoyez /mesdonnees.",
		MdKept:        "D'accord, rien n'est effacé. Tout reste comme avant. 👍",
		MdErased:      "C'est fait : Suivi ne garde plus rien sur vous. Merci pour le chemin parcouru. 🌱\nSi un jour vous voulez reprendre, votre conseiller pourra vous envoyer un nouveau lien.",
		MdCaptionHTML: "Vos données, à lire",
		MdCaptionJSON: "Vos données, en JSON",
		AdvErased:     "🗑 <b>{name}</b> a arrêté le suivi et a effacé ses données. Suivi ne garde plus rien de cette personne.",
		CmdMyData:     "Voir, recevoir ou effacer mes données",

		BtnMdGet:   "📄 Recevoir mes données",
		BtnMdErase: "🗑 Tout effacer",
		BtnMdYes:   "Oui, tout effacer",
		BtnMdNo:    "Non, garder",

		MdocTitle:       "Mes données dans Suivi",
		MdocIntro:       "Tout ce que Suivi garde sur vous, tel qu'il est enregistré.",
		MdocProfile:     "Mon profil",
		MdocName:        "Nom",
		MdocLanguage:    "Langue",
		MdocZone:        "Fuseau horaire",
		MdocState:       "Suivi",
		MdocAdvisor:     "Conseiller",
		MdocJoined:      "Arrivée dans Suivi",
		MdocCheckinTime: "Moment du point",
		MdocQuiet:       "Heures calmes",
		MdocHelp:        "Demandes d'aide",
		MdocKept:        "Conservation",
		MdocConsent:     "Partage avec le conseiller",
		MdocConsentNow:  "Choix actuel",
		MdocPlan:        "Mon plan d'action",
		MdocStep:        "Étape",
		MdocObjective:   "Objectif",
		MdocDue:         "Date",
		MdocOwner:       "Qui",
		MdocStatus:      "Où j'en suis",
		MdocResources:   "Ressources",
		MdocIndicators:  "Indicateurs",
		MdocHistory:     "Historique",
		MdocCheckins:    "Mes points d'étape",
		MdocNone:        "Aucun",
		MdocWeek:        "Semaine",
		MdocAnswered:    "Réponses",
		MdocScore:       "Ma semaine",
		MdocAnswer:      "Réponse à la question",
		MdocStepStatus:  "Étape",
		MdocNote:        "Ce que j'ai ajouté",
		MdocVoice:       "Message vocal",
		MdocHelpAsked:   "Aide demandée",
		MdocShared:      "transmis au conseiller",
		MdocPrivate:     "gardé pour moi",
		MdocNotShared:   "non transmis (pas de partage)",
		MdocOpen:        "pas terminé",
		MdocYes:         "oui",
		MdocNo:          "non",
		MdocGenerated:   "Document créé le",
	}
}

func myDataEnglish() map[Key]string {
	return map[Key]string{
		MdSummary: "🗂 <b>What Suivi keeps about you</b>\n\n" +
			"👤 {name} · {lang} · {zone}\n" +
			"{plan}\n" +
			"{checkins}\n" +
			"🔒 {consent}\n" +
			"🗓 {kept}\n\n" +
			"You can receive a full copy, or erase everything.",
		MdPlanLine:      "📋 Your plan: {n} {n:step|steps}, {done} done",
		MdNoPlan:        "📋 No plan yet",
		MdCheckinsLine:  "📊 {n} {n:check-in|check-ins}, {shared} sent to {advisor}",
		MdKeptUntil:     "Everything will be erased on {date}, unless you erase it before.",
		MdKeptWhileOpen: "Kept during the accompaniment, then {months} months after it ends, then erased.",
		MdSent:          "Here is your data: a page to read and a JSON file to reuse elsewhere. 📄",
		MdConfirm: "🗑 <b>Erase everything?</b>\n\n" +
			"Your plan, your answers and your settings will be deleted for good, and Suivi will not write to you any more.\n" +
			"I will tell {advisor} that you stopped, with nothing of what you wrote.\n\n" +
			"You can receive a copy first with /mesdonnees.",
		MdExpired:     "This confirmation is a little old. To erase everything, send /mesdonnees again.",
		MdKept:        "All right, nothing is erased. Everything stays as it was. 👍",
		MdErased:      "Done: Suivi keeps nothing about you any more. Thank you for the journey. 🌱\nIf one day you want to start again, your advisor can send you a new link.",
		MdCaptionHTML: "Your data, to read",
		MdCaptionJSON: "Your data, as JSON",
		AdvErased:     "🗑 <b>{name}</b> stopped the follow-up and erased their data. Suivi keeps nothing of this person any more.",
		CmdMyData:     "See, receive or erase my data",

		BtnMdGet:   "📄 Receive my data",
		BtnMdErase: "🗑 Erase everything",
		BtnMdYes:   "Yes, erase everything",
		BtnMdNo:    "No, keep it",

		MdocTitle:       "My data in Suivi",
		MdocIntro:       "Everything Suivi keeps about you, as it is stored.",
		MdocProfile:     "My profile",
		MdocName:        "Name",
		MdocLanguage:    "Language",
		MdocZone:        "Time zone",
		MdocState:       "Follow-up",
		MdocAdvisor:     "Advisor",
		MdocJoined:      "Joined Suivi",
		MdocCheckinTime: "Check-in time",
		MdocQuiet:       "Quiet hours",
		MdocHelp:        "Help requests",
		MdocKept:        "Retention",
		MdocConsent:     "Sharing with the advisor",
		MdocConsentNow:  "Current choice",
		MdocPlan:        "My action plan",
		MdocStep:        "Step",
		MdocObjective:   "Objective",
		MdocDue:         "Date",
		MdocOwner:       "Who",
		MdocStatus:      "Where I stand",
		MdocResources:   "Resources",
		MdocIndicators:  "Indicators",
		MdocHistory:     "History",
		MdocCheckins:    "My check-ins",
		MdocNone:        "None",
		MdocWeek:        "Week",
		MdocAnswered:    "Answers",
		MdocScore:       "My week",
		MdocAnswer:      "Answer to the question",
		MdocStepStatus:  "Step",
		MdocNote:        "What I added",
		MdocVoice:       "Voice message",
		MdocHelpAsked:   "Help asked",
		MdocShared:      "sent to the advisor",
		MdocPrivate:     "kept to myself",
		MdocNotShared:   "not sent (no sharing)",
		MdocOpen:        "not finished",
		MdocYes:         "yes",
		MdocNo:          "no",
		MdocGenerated:   "Document made on",
	}
}
