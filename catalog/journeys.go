package catalog

// Texts of the journeys of issue 13 (part b): the advisor's name, writing
// to one's advisor first, the advisor's own steps, one message per
// check-in, the digest's invited people, the advisor's plan view.
const (
	// The advisor's name, asked on their first /start; /nom changes it.
	AdvAskName    Key = "adv.ask_name"
	AdvNameBad    Key = "adv.name_bad"
	AdvNameSet    Key = "adv.name_set"
	AdvWelcomeAny Key = "adv.welcome_any"
	CmdAdvName    Key = "cmd.adv.name"
	// AdvisorCalled names an advisor without a name to a beneficiary;
	// ColleagueCalled to another advisor.
	ColleagueCalled Key = "colleague_called"

	// Writing to one's advisor first (/ecrire, or a message outside a flow).
	CmdWrite           Key = "cmd.write"
	WritePrompt        Key = "write.prompt"
	WriteOffer         Key = "write.offer"
	WriteMyData        Key = "write.mydata"
	BtnWriteSend       Key = "btn.write_send"
	WriteKept          Key = "write.kept"
	WriteReaderChanged Key = "write.reader_changed"
	WriteSent          Key = "write.sent"
	WriteFromBen       Key = "write.from_ben"
	WriteVoiceFromBen  Key = "write.voice_from_ben"

	// The advisor's own steps.
	OwnStepDone     Key = "own.done"
	OwnStepMoved    Key = "own.moved"
	AlertOwnOverdue Key = "alert.own_overdue"

	// One message per check-in: what opens it.
	FwdHelpFirst    Key = "fwd.help_first"
	FwdBlockedFirst Key = "fwd.blocked_first"

	// The digest's people invited who have not joined.
	DgInvited      Key = "dg.invited"
	DgInvitedName  Key = "dg.invited_name"
	DgInvitedAge   Key = "dg.invited_age"
	DgInvitedToday Key = "dg.invited_today"

	// The advisor's view of a plan; times in another zone.
	AdvPlanTitle        Key = "adv.plan_title"
	AdvPlanEmpty        Key = "adv.plan_empty"
	AdvPlanQuestion     Key = "adv.plan_question"
	AdvOwnerBeneficiary Key = "adv.owner_beneficiary"
	AdvOwnerAdvisor     Key = "adv.owner_advisor"
	AdvZoneTime         Key = "adv.zone_time"
	// HelpAdmin: what /aide adds for an admin.
	HelpAdmin Key = "help.admin"
)

func journeysFrench() map[Key]string {
	return map[Key]string{
		AdvAskName:      "👋 Bienvenue dans Suivi ! Comment voulez-vous que l'on vous appelle ? Écrivez votre prénom (ou prénom et nom) : c'est ce que liront les personnes que vous accompagnez.",
		AdvNameBad:      "Un prénom ou un nom sur une ligne, {max} caractères au plus, sans caractères invisibles.",
		AdvNameSet:      "✔️ C'est noté : les personnes que vous accompagnez liront « {name} ». /nom pour le changer.",
		AdvWelcomeAny:   "Bienvenue ! Vous faites maintenant partie des conseillers de Suivi.",
		CmdAdvName:      "Le nom que lisent vos bénéficiaires",
		ColleagueCalled: "une personne de l'équipe",

		CmdWrite:           "Écrire à la personne qui m'accompagne",
		WritePrompt:        "✍️ Écrivez votre message pour {advisor}, ou envoyez un message vocal 🎙️ : je le transmets.",
		WriteOffer:         "✉️ Voulez-vous que j'envoie ce message à {advisor} ? Sinon, il reste entre nous.",
		WriteMyData:        "🗂 Pour voir, recevoir ou effacer vos données : /mesdonnees.",
		BtnWriteSend:       "✉️ Envoyer à {advisor}",
		WriteKept:          "🔒 D'accord : ce message n'est transmis à personne.",
		WriteReaderChanged: "✉️ Entre-temps, c'est {advisor} qui lit vos messages. Voulez-vous que j'envoie ce message à {advisor} ? Sinon, il reste entre nous.",
		WriteSent:          "✔️ C'est envoyé à {advisor}.",
		WriteFromBen:       "✉️ <b>Message de {name}</b> :\n{text}",
		WriteVoiceFromBen:  "🎙️ Message vocal de {name}",

		OwnStepDone:     "✅ C'est noté : « {title} » (pour {name}) est fait. Ses rappels s'arrêtent.",
		OwnStepMoved:    "📅 C'est noté : « {title} » (pour {name}) est reporté au {date}.",
		AlertOwnOverdue: "⏰ Votre étape pour {name} : « {title} », prévue le {date}, reste à faire. C'est fait, ou on la reporte ?",

		FwdHelpFirst:    "🙋 <b>{name} demande de l'aide.</b> Pensez à reprendre contact.",
		FwdBlockedFirst: "🟠 {name} signale un blocage sur {n:l'étape|les étapes} {list}.",

		DgInvited:      "📨 {n} {n:invitation pas encore ouverte|invitations pas encore ouvertes} : {list}",
		DgInvitedName:  "{name} ({age})",
		DgInvitedAge:   "il y a {days} j",
		DgInvitedToday: "aujourd'hui",

		AdvPlanTitle:        "📋 <b>Plan de {name}</b>",
		AdvPlanEmpty:        "Ce plan n'a pas encore d'étape : /modifier pour en ajouter.",
		AdvPlanQuestion:     "💬 Question de suivi : <i>{question}</i>",
		AdvOwnerBeneficiary: "{name} agit",
		AdvOwnerAdvisor:     "à votre charge",
		AdvZoneTime:         " (heure de {place}, UTC{offset})",
		HelpAdmin:           "🔑 Administration :\n✉️ /inviterconseiller : un lien à usage unique pour ouvrir un espace conseil à une ou un collègue\n📊 /export structure : les indicateurs de toute la structure (CSV)",
	}
}

func journeysEnglish() map[Key]string {
	return map[Key]string{
		AdvAskName:      "👋 Welcome to Suivi! What should people call you? Write your first name (or first and last name): this is what the people you support will read.",
		AdvNameBad:      "A first or last name on one line, at most {max} characters, without invisible characters.",
		AdvNameSet:      "✔️ Noted: the people you support will read “{name}”. /nom to change it.",
		AdvWelcomeAny:   "Welcome! You are now one of Suivi's advisors.",
		CmdAdvName:      "The name your beneficiaries read",
		ColleagueCalled: "a colleague",

		CmdWrite:           "Write to my advisor",
		WritePrompt:        "✍️ Write your message for {advisor}, or send a voice note 🎙️: I will pass it on.",
		WriteOffer:         "✉️ Shall I send this message to {advisor}? If not, it stays between us.",
		WriteMyData:        "🗂 To see, receive or erase your data: /mesdonnees.",
		BtnWriteSend:       "✉️ Send to {advisor}",
		WriteKept:          "🔒 All right: this message goes to no one.",
		WriteReaderChanged: "✉️ Meanwhile, {advisor} reads your messages. Shall I send this message to {advisor}? If not, it stays between us.",
		WriteSent:          "✔️ Sent to {advisor}.",
		WriteFromBen:       "✉️ <b>Message from {name}</b>:\n{text}",
		WriteVoiceFromBen:  "🎙️ Voice message from {name}",

		OwnStepDone:     "✅ Noted: “{title}” (for {name}) is done. Its reminders stop.",
		OwnStepMoved:    "📅 Noted: “{title}” (for {name}) is moved to {date}.",
		AlertOwnOverdue: "⏰ Your step for {name}: “{title}”, planned for {date}, is still to do. Done, or shall we move it?",

		FwdHelpFirst:    "🙋 <b>{name} asks for help.</b> Think of getting back in touch.",
		FwdBlockedFirst: "🟠 {name} is stuck on {n:the step|the steps} {list}.",

		DgInvited:      "📨 {n} {n:invitation not opened yet|invitations not opened yet}: {list}",
		DgInvitedName:  "{name} ({age})",
		DgInvitedAge:   "{days} d ago",
		DgInvitedToday: "today",

		AdvPlanTitle:        "📋 <b>{name}'s plan</b>",
		AdvPlanEmpty:        "This plan has no step yet: /modifier to add some.",
		AdvPlanQuestion:     "💬 Check-in question: <i>{question}</i>",
		AdvOwnerBeneficiary: "{name} acts",
		AdvOwnerAdvisor:     "yours to do",
		AdvZoneTime:         " ({place} time, UTC{offset})",
		HelpAdmin:           "🔑 Administration:\n✉️ /inviterconseiller: a single-use link that gives a colleague an advisor's access\n📊 /export structure: the indicators of the whole structure (CSV)",
	}
}
