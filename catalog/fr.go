package catalog

func french() map[Key]string {
	return map[Key]string{
		StartStranger: "Bonjour ! Je suis <b>Suivi</b>, l'assistant qui vous accompagne entre deux rendez-vous avec votre conseiller ou votre conseillère.\n\n" +
			"Je vous rappelle les étapes de votre plan d'action et je vous demande de temps en temps comment ça avance.\n\n" +
			"Pour commencer, il faut le lien personnel que votre conseiller vous donne pendant l'entretien. Ouvrez ce lien, et c'est parti.",
		StartWelcome: "Bienvenue {name} ! 👋\n\n" +
			"Votre plan d'action est prêt. Je vous rappellerai chaque étape au bon moment, et je vous demanderai de temps en temps comment ça avance.\n\n" +
			"👉 /plan pour voir votre plan\n👉 /aide pour tout le reste",
		StartAgain:      "Re-bonjour {name} ! Vous êtes bien inscrit. 👉 /plan pour voir votre plan, /aide pour tout le reste.",
		InviteUsed:      "Ce lien a déjà servi. S'il est à vous, tapez /plan. Sinon, demandez un nouveau lien à votre conseiller : c'est rapide.",
		InviteExpired:   "Ce lien n'est plus valable : il a expiré. Demandez-en un nouveau à votre conseiller, c'est rapide.",
		InviteUnknown:   "Je ne reconnais pas ce lien. Vérifiez qu'il est complet, ou demandez-en un nouveau à votre conseiller.",
		InviteOtherPlan: "Vous êtes déjà suivi avec un autre plan. Parlez-en à votre conseiller : il pourra vous aider.",
		NotLinked: "Je ne vous connais pas encore. 🙂\n\n" +
			"Pour utiliser Suivi, ouvrez le lien personnel que votre conseiller vous donne pendant l'entretien.",

		PlanTitle:      "📋 <b>Votre plan d'action</b>",
		PlanStep:       "{icon} <b>{n}. {title}</b>\n{status}",
		PlanObjective:  "🎯 {objective}",
		PlanDue:        "📅 {date} · {owner}",
		PlanResources:  "🧰 {list}",
		PlanIndicators: "✔️ Réussi quand : {list}",
		PlanMeetings:   "🤝 <b>Rendez-vous</b> : {list}",
		PlanQuestion:   "💬 Votre question de la semaine : <i>{question}</i>",
		PlanEmpty:      "Votre plan n'a pas encore d'étape. Votre conseiller va le compléter.",

		Help: "Voici ce que vous pouvez faire :\n\n" +
			"📋 /plan : voir votre plan d'action\n" +
			"❓ /aide : revoir ce message\n\n" +
			"Je vous rappelle chaque étape avant la date prévue. Vous pouvez répondre en touchant un bouton ou par un message vocal.",
		HelpAdvisor: "Vous êtes conseiller dans Suivi.\n\n" +
			"Les plans s'importent avec <code>suivi plan import FICHIER</code> ; le lien d'invitation est à donner à la personne pendant l'entretien.\n" +
			"❓ /aide : revoir ce message",
		HelpStranger: "Suivi accompagne les personnes entre deux rendez-vous avec leur conseiller.\n\n" +
			"Pour l'utiliser, ouvrez le lien personnel que votre conseiller vous donne pendant l'entretien.",
		UnknownCmd:    "Je ne connais pas cette commande. Tapez /aide pour voir ce que je sais faire.",
		FallbackText:  "Merci pour votre message ! Je ne sais pas encore répondre à un texte libre.\n👉 /plan pour voir votre plan, /aide pour tout le reste.",
		FallbackMedia: "Merci ! Je ne sais pas lire ce type de message. Vous pouvez m'écrire ou m'envoyer un message vocal.\n👉 /plan pour voir votre plan, /aide pour tout le reste.",
		FallbackVoice: "Merci pour votre message vocal ! 🎙️ Je le garderai pour les questions de suivi.\n👉 /plan pour voir votre plan, /aide pour tout le reste.",
		TooLong:       "Votre message est très long : je n'en garde que le début. Merci !",
		Oops:          "Oups, un souci de mon côté. Je réessaie dans un instant ; vous n'avez rien à refaire.",

		ButtonClosed: "Cette question est close. Merci !",

		CmdStart: "Commencer avec le lien de votre conseiller",
		CmdPlan:  "Voir mon plan d'action",
		CmdHelp:  "Ce que je peux faire",

		TimeAt: " à {time}",

		"status.todo":        "À faire",
		"status.in_progress": "En cours",
		"status.done":        "Fait",
		"status.blocked":     "Bloqué",
		"status.cancelled":   "Annulé",
		"owner.beneficiary":  "c'est vous qui agissez",
		"owner.advisor":      "votre conseiller s'en occupe",

		"day.0": "dimanche", "day.1": "lundi", "day.2": "mardi", "day.3": "mercredi",
		"day.4": "jeudi", "day.5": "vendredi", "day.6": "samedi",
		"month.1": "janvier", "month.2": "février", "month.3": "mars", "month.4": "avril",
		"month.5": "mai", "month.6": "juin", "month.7": "juillet", "month.8": "août",
		"month.9": "septembre", "month.10": "octobre", "month.11": "novembre", "month.12": "décembre",
	}
}
