package catalog

// Texts of Suivi's web pages (the sandbox). They are plain text, put into
// pages by html/template, which escapes them.
const (
	SbTitle         Key = "sb.title"
	SbTagline       Key = "sb.tagline"
	SbClock         Key = "sb.clock"
	SbPlusHour      Key = "sb.plus_hour"
	SbPlusDay       Key = "sb.plus_day"
	SbPlusWeek      Key = "sb.plus_week"
	SbNext          Key = "sb.next"
	SbNextAt        Key = "sb.next_at"
	SbNothingNext   Key = "sb.nothing_next"
	SbZoneOf        Key = "sb.zone_of"
	SbBeneficiaries Key = "sb.beneficiaries"
	SbAdvisors      Key = "sb.advisors"
	SbPhoneOf       Key = "sb.phone_of"
	SbMenu          Key = "sb.menu"
	SbMenuTitle     Key = "sb.menu_title"
	SbMessage       Key = "sb.message"
	SbSend          Key = "sb.send"
	SbRecord        Key = "sb.record"
	SbStopRecord    Key = "sb.stop_record"
	SbSample        Key = "sb.sample"
	SbNoMic         Key = "sb.no_mic"
	SbInviteCard    Key = "sb.invite_card"
	SbOpenInvite    Key = "sb.open_invite"
	SbStartCard     Key = "sb.start_card"
	SbStart         Key = "sb.start"
	SbAddBen        Key = "sb.add_ben"
	SbAddAdv        Key = "sb.add_adv"
	SbReset         Key = "sb.reset"
	SbResetConfirm  Key = "sb.reset_confirm"
	SbChooseCase    Key = "sb.choose_case"
	SbFollowedBy    Key = "sb.followed_by"
	SbAdvName       Key = "sb.adv_name"
	SbAdd           Key = "sb.add"
	SbCancel        Key = "sb.cancel"
	SbEdited        Key = "sb.edited"
	SbVoice         Key = "sb.voice"
	SbDocument      Key = "sb.document"
	SbPhoto         Key = "sb.photo"
	SbSticker       Key = "sb.sticker"
	SbSilent        Key = "sb.silent"
	SbBusy          Key = "sb.busy"
	SbError         Key = "sb.error"
	SbNewInvite     Key = "sb.new_invite"
)

func webFrench() map[Key]string {
	return map[Key]string{
		SbTitle:         "Suivi — bac à sable",
		SbTagline:       "Le vrai Suivi, sans Telegram : deux téléphones et une horloge que vous pouvez avancer.",
		SbClock:         "Horloge du bac à sable",
		SbPlusHour:      "+1 h",
		SbPlusDay:       "+1 jour",
		SbPlusWeek:      "+1 semaine",
		SbNext:          "⏭ Prochaine échéance",
		SbNextAt:        "Prochaine échéance : {when}",
		SbNothingNext:   "Rien de prévu pour l'instant",
		SbZoneOf:        "chez {name} : {time}",
		SbBeneficiaries: "Personne accompagnée",
		SbAdvisors:      "Conseil",
		SbPhoneOf:       "Téléphone de {name}",
		SbMenu:          "☰ Menu",
		SbMenuTitle:     "Commandes",
		SbMessage:       "Message",
		SbSend:          "Envoyer",
		SbRecord:        "🎙️ Enregistrer",
		SbStopRecord:    "⏹ Envoyer le vocal",
		SbSample:        "🔊 Vocal d'exemple",
		SbNoMic:         "Micro indisponible : j'envoie l'enregistrement d'exemple.",
		SbInviteCard:    "{advisor} vous a remis un lien personnel pendant l'entretien.",
		SbOpenInvite:    "📩 Ouvrir l'invitation",
		SbStartCard:     "La conversation avec Suivi n'a pas encore commencé.",
		SbStart:         "Démarrer",
		SbAddBen:        "➕ Personne accompagnée",
		SbAddAdv:        "➕ Conseiller ou conseillère",
		SbReset:         "↺ Tout recommencer",
		SbResetConfirm:  "Tout effacer et revenir à la scène de départ ?",
		SbChooseCase:    "Quelle situation ? (les six cas types du guide)",
		SbFollowedBy:    "Accompagnement par",
		SbAdvName:       "Prénom",
		SbAdd:           "Ajouter",
		SbCancel:        "Annuler",
		SbEdited:        "modifié",
		SbVoice:         "Message vocal",
		SbDocument:      "Document",
		SbPhoto:         "Image",
		SbSticker:       "Autocollant",
		SbSilent:        "sans sonnerie",
		SbBusy:          "Un instant…",
		SbError:         "Problème : {error}",
		SbNewInvite:     "Ce lien ouvre un nouveau téléphone pour la personne invitée.",
	}
}

func webEnglish() map[Key]string {
	return map[Key]string{
		SbTitle:         "Suivi — sandbox",
		SbTagline:       "The real Suivi, without Telegram: two phones and a clock you can move forward.",
		SbClock:         "Sandbox clock",
		SbPlusHour:      "+1 h",
		SbPlusDay:       "+1 day",
		SbPlusWeek:      "+1 week",
		SbNext:          "⏭ Next thing due",
		SbNextAt:        "Next thing due: {when}",
		SbNothingNext:   "Nothing scheduled yet",
		SbZoneOf:        "for {name}: {time}",
		SbBeneficiaries: "Person followed",
		SbAdvisors:      "Advisor",
		SbPhoneOf:       "{name}'s phone",
		SbMenu:          "☰ Menu",
		SbMenuTitle:     "Commands",
		SbMessage:       "Message",
		SbSend:          "Send",
		SbRecord:        "🎙️ Record",
		SbStopRecord:    "⏹ Send the voice note",
		SbSample:        "🔊 Sample voice note",
		SbNoMic:         "No microphone: sending the sample recording.",
		SbInviteCard:    "{advisor} gave you a personal link during the meeting.",
		SbOpenInvite:    "📩 Open the invitation",
		SbStartCard:     "The conversation with Suivi has not started yet.",
		SbStart:         "Start",
		SbAddBen:        "➕ Person followed",
		SbAddAdv:        "➕ Advisor",
		SbReset:         "↺ Start again",
		SbResetConfirm:  "Erase everything and go back to the first scene?",
		SbChooseCase:    "Which situation? (the guide's six typical cases)",
		SbFollowedBy:    "Followed by",
		SbAdvName:       "First name",
		SbAdd:           "Add",
		SbCancel:        "Cancel",
		SbEdited:        "edited",
		SbVoice:         "Voice message",
		SbDocument:      "Document",
		SbPhoto:         "Image",
		SbSticker:       "Sticker",
		SbSilent:        "silent",
		SbBusy:          "One moment…",
		SbError:         "Problem: {error}",
		SbNewInvite:     "This link opens a new phone for the person invited.",
	}
}
