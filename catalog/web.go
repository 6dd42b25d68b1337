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

// The advisor's desk in Telegram: /bureau and /deconnexion (Telegram HTML).
const (
	CmdAdvDesk      Key = "cmd.adv.bureau"
	DkLink          Key = "dk.link"
	DkLinkApp       Key = "dk.link_app"
	DkOff           Key = "dk.off"
	DkTooMany       Key = "dk.too_many"
	DkBtnApp        Key = "dk.btn_app"
	DkBtnBrowser    Key = "dk.btn_browser"
	DkLoggedOut     Key = "dk.logged_out"
	DkLoggedOutNone Key = "dk.logged_out_none"
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

		CmdAdvDesk:      "Ouvrir le bureau (vue d'ensemble, plans)",
		DkLink:          "🖥️ Votre bureau Suivi, dans le navigateur d'un ordinateur :\n{link}\n\nCe lien sert une fois et pendant 10 minutes. 👉 /deconnexion ferme toutes vos sessions.",
		DkLinkApp:       "🖥️ Votre bureau Suivi : touchez « Ouvrir le bureau » ici, ou ouvrez le lien dans le navigateur d'un ordinateur (une fois, pendant 10 minutes). 👉 /deconnexion ferme toutes vos sessions.",
		DkOff:           "Le bureau web n'est pas ouvert sur ce serveur (il faut SUIVI_PUBLIC_URL). Toutes les commandes restent disponibles ici : /aide.",
		DkTooMany:       "Vous avez demandé beaucoup de liens d'un coup : réessayez dans quelques minutes.",
		DkBtnApp:        "🖥️ Ouvrir le bureau",
		DkBtnBrowser:    "🌐 Dans le navigateur",
		DkLoggedOut:     "🔒 C'est fait : {n:session fermée|sessions fermées} ({n}).",
		DkLoggedOutNone: "🔒 Aucune session du bureau n'était ouverte.",
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

		CmdAdvDesk:      "Open the desk (overview, plans)",
		DkLink:          "🖥️ Your Suivi desk, in a computer's browser:\n{link}\n\nThis link works once, for 10 minutes. 👉 /deconnexion ends all your sessions.",
		DkLinkApp:       "🖥️ Your Suivi desk: tap “Open the desk” here, or open the link in a computer's browser (once, for 10 minutes). 👉 /deconnexion ends all your sessions.",
		DkOff:           "The web desk is not open on this server (it needs SUIVI_PUBLIC_URL). Every command still works here: /aide.",
		DkTooMany:       "You asked for many links at once: try again in a few minutes.",
		DkBtnApp:        "🖥️ Open the desk",
		DkBtnBrowser:    "🌐 In the browser",
		DkLoggedOut:     "🔒 Done: {n:session ended|sessions ended} ({n}).",
		DkLoggedOutNone: "🔒 No desk session was open.",
	}
}

// The web desk's pages (plain text: html/template escapes them). The
// desk looks them up as "desk.<name>".
const (
	DeskTitle              Key = "desk.title"
	DeskNav                Key = "desk.nav"
	DeskCaseload           Key = "desk.caseload"
	DeskNewPlan            Key = "desk.new_plan"
	DeskSettings           Key = "desk.settings"
	DeskLogout             Key = "desk.logout"
	DeskCount              Key = "desk.count"
	DeskSearch             Key = "desk.search"
	DeskShow               Key = "desk.show"
	DeskSort               Key = "desk.sort"
	DeskApply              Key = "desk.apply"
	DeskExport             Key = "desk.export"
	DeskFilterAll          Key = "desk.filter_all"
	DeskFilterAttention    Key = "desk.filter_attention"
	DeskFilterInvited      Key = "desk.filter_invited"
	DeskFilterPaused       Key = "desk.filter_paused"
	DeskFilterStopped      Key = "desk.filter_stopped"
	DeskFilterBlocked      Key = "desk.filter_blocked"
	DeskFilterClosed       Key = "desk.filter_closed"
	DeskSortAttention      Key = "desk.sort_attention"
	DeskSortName           Key = "desk.sort_name"
	DeskSortLast           Key = "desk.sort_last"
	DeskCaseloadCaption    Key = "desk.caseload_caption"
	DeskColPerson          Key = "desk.col_person"
	DeskColAttention       Key = "desk.col_attention"
	DeskColLast            Key = "desk.col_last"
	DeskColTrend           Key = "desk.col_trend"
	DeskColSteps           Key = "desk.col_steps"
	DeskColMeeting         Key = "desk.col_meeting"
	DeskColConsent         Key = "desk.col_consent"
	DeskColWeek            Key = "desk.col_week"
	DeskColScore           Key = "desk.col_score"
	DeskColAnswer          Key = "desk.col_answer"
	DeskColNote            Key = "desk.col_note"
	DeskColHelp            Key = "desk.col_help"
	DeskBadgeHelp          Key = "desk.badge_help"
	DeskBadgeBlocked       Key = "desk.badge_blocked"
	DeskBadgeOverdue       Key = "desk.badge_overdue"
	DeskBadgeSilent        Key = "desk.badge_silent"
	DeskConsentYes         Key = "desk.consent_yes"
	DeskConsentNo          Key = "desk.consent_no"
	DeskNobody             Key = "desk.nobody"
	DeskChartWeeks         Key = "desk.chart_weeks"
	DeskChartLegend        Key = "desk.chart_legend"
	DeskWeekShort          Key = "desk.week_short"
	DeskTrendLabel         Key = "desk.trend_label"
	DeskChartScores        Key = "desk.chart_scores"
	DeskNudge              Key = "desk.nudge"
	DeskBrief              Key = "desk.brief"
	DeskClose              Key = "desk.close"
	DeskCloseConfirm       Key = "desk.close_confirm"
	DeskReply              Key = "desk.reply"
	DeskReplyLabel         Key = "desk.reply_label"
	DeskSend               Key = "desk.send"
	DeskUnreachable        Key = "desk.unreachable"
	DeskPlan               Key = "desk.plan"
	DeskQuestion           Key = "desk.question"
	DeskObjective          Key = "desk.objective"
	DeskResources          Key = "desk.resources"
	DeskIndicators         Key = "desk.indicators"
	DeskHistory            Key = "desk.history"
	DeskEditStep           Key = "desk.edit_step"
	DeskFTitle             Key = "desk.f_title"
	DeskFDue               Key = "desk.f_due"
	DeskFTime              Key = "desk.f_time"
	DeskFObjective         Key = "desk.f_objective"
	DeskFResources         Key = "desk.f_resources"
	DeskFIndicators        Key = "desk.f_indicators"
	DeskFOwner             Key = "desk.f_owner"
	DeskSave               Key = "desk.save"
	DeskCancelStep         Key = "desk.cancel_step"
	DeskAddStep            Key = "desk.add_step"
	DeskAdd                Key = "desk.add"
	DeskCheckins           Key = "desk.checkins"
	DeskOpen               Key = "desk.open"
	DeskPrivate            Key = "desk.private"
	DeskYes                Key = "desk.yes"
	DeskNo                 Key = "desk.no"
	DeskNoCheckin          Key = "desk.no_checkin"
	DeskTimeline           Key = "desk.timeline"
	DeskTlCheckin          Key = "desk.tl_checkin"
	DeskTlHelp             Key = "desk.tl_help"
	DeskTlRenamed          Key = "desk.tl_renamed"
	DeskTlMoved            Key = "desk.tl_moved"
	DeskTlMovedTo          Key = "desk.tl_moved_to"
	DeskTlStatus           Key = "desk.tl_status"
	DeskBriefTitle         Key = "desk.brief_title"
	DeskBriefNone          Key = "desk.brief_none"
	DeskPrint              Key = "desk.print"
	DeskBack               Key = "desk.back"
	DeskFName              Key = "desk.f_name"
	DeskFTemplate          Key = "desk.f_template"
	DeskBlank              Key = "desk.blank"
	DeskFSteps             Key = "desk.f_steps"
	DeskFStepsExample      Key = "desk.f_steps_example"
	DeskCreate             Key = "desk.create"
	DeskInviteReady        Key = "desk.invite_ready"
	DeskQrAlt              Key = "desk.qr_alt"
	DeskInviteUntil        Key = "desk.invite_until"
	DeskSeePlan            Key = "desk.see_plan"
	DeskDigest             Key = "desk.digest"
	DeskFDay               Key = "desk.f_day"
	DeskFHour              Key = "desk.f_hour"
	DeskWork               Key = "desk.work"
	DeskWorkHint           Key = "desk.work_hint"
	DeskFDays              Key = "desk.f_days"
	DeskFFrom              Key = "desk.f_from"
	DeskFTo                Key = "desk.f_to"
	DeskAbsence            Key = "desk.absence"
	DeskAbsenceNow         Key = "desk.absence_now"
	DeskAbsenceEnd         Key = "desk.absence_end"
	DeskFStandin           Key = "desk.f_standin"
	DeskFFromDay           Key = "desk.f_from_day"
	DeskFToDay             Key = "desk.f_to_day"
	DeskLanguage           Key = "desk.language"
	DeskLangFr             Key = "desk.lang_fr"
	DeskLangEn             Key = "desk.lang_en"
	DeskDay0               Key = "desk.day_0"
	DeskDay1               Key = "desk.day_1"
	DeskDay2               Key = "desk.day_2"
	DeskDay3               Key = "desk.day_3"
	DeskDay4               Key = "desk.day_4"
	DeskDay5               Key = "desk.day_5"
	DeskDay6               Key = "desk.day_6"
	DeskDoneReply          Key = "desk.done_reply"
	DeskDoneNudge          Key = "desk.done_nudge"
	DeskDoneClose          Key = "desk.done_close"
	DeskDoneSaved          Key = "desk.done_saved"
	DeskDoneSettings       Key = "desk.done_settings"
	DeskDoneAbsence        Key = "desk.done_absence"
	DeskProblemReply       Key = "desk.problem_reply"
	DeskProblemUnreachable Key = "desk.problem_unreachable"
	DeskProblemDate        Key = "desk.problem_date"
	DeskProblemPlan        Key = "desk.problem_plan"
	DeskProblemSteps       Key = "desk.problem_steps"
	DeskProblemTemplate    Key = "desk.problem_template"
	DeskProblemWork        Key = "desk.problem_work"
	DeskProblemAbsence     Key = "desk.problem_absence"
	DeskProblemDigest      Key = "desk.problem_digest"
	DeskProblemLang        Key = "desk.problem_lang"
	DeskSigninHow          Key = "desk.signin_how"
	DeskSignin             Key = "desk.signin"
	DeskLinkUsed           Key = "desk.link_used"
	DeskNotAdvisor         Key = "desk.not_advisor"
	DeskLoggedOut          Key = "desk.logged_out"
	DeskMiniappWait        Key = "desk.miniapp_wait"
	DeskMiniappFail        Key = "desk.miniapp_fail"
)

func deskFrench() map[Key]string {
	return map[Key]string{
		DeskTitle:              "Bureau",
		DeskNav:                "Rubriques du bureau",
		DeskCaseload:           "Mes bénéficiaires",
		DeskNewPlan:            "Nouveau plan",
		DeskSettings:           "Réglages",
		DeskLogout:             "Se déconnecter",
		DeskCount:              "{n} {n:personne|personnes}",
		DeskSearch:             "Chercher un nom",
		DeskShow:               "Montrer",
		DeskSort:               "Trier",
		DeskApply:              "Appliquer",
		DeskExport:             "Exporter en CSV",
		DeskFilterAll:          "Tout le monde",
		DeskFilterAttention:    "À voir en priorité",
		DeskFilterInvited:      "Invités, pas encore là",
		DeskFilterPaused:       "En pause",
		DeskFilterStopped:      "Arrêté",
		DeskFilterBlocked:      "Bloqué sur Telegram",
		DeskFilterClosed:       "Accompagnement terminé",
		DeskSortAttention:      "À voir d'abord",
		DeskSortName:           "Par nom",
		DeskSortLast:           "Dernier point d'abord",
		DeskCaseloadCaption:    "Les personnes qui ont besoin de vous d'abord : aide demandée, étape bloquée, retard, silence.",
		DeskColPerson:          "Personne",
		DeskColAttention:       "À voir",
		DeskColLast:            "Dernier point",
		DeskColTrend:           "Tendance",
		DeskColSteps:           "Étapes faites",
		DeskColMeeting:         "Prochain rendez-vous",
		DeskColConsent:         "Partage",
		DeskColWeek:            "Semaine",
		DeskColScore:           "Progrès",
		DeskColAnswer:          "Réponse",
		DeskColNote:            "Message",
		DeskColHelp:            "Aide demandée",
		DeskBadgeHelp:          "🔴 aide demandée",
		DeskBadgeBlocked:       "🟠 {n:étape bloquée|étapes bloquées}",
		DeskBadgeOverdue:       "⏰ {n} en retard",
		DeskBadgeSilent:        "🔕 {n:point sans réponse|points sans réponse}",
		DeskConsentYes:         "partage ses réponses",
		DeskConsentNo:          "garde ses réponses",
		DeskNobody:             "Personne ne correspond.",
		DeskChartWeeks:         "Les 8 dernières semaines",
		DeskChartLegend:        "Chaque case : le progrès de la semaine (1 à 5) ; « – » pas de réponse ; « · » réponse gardée pour soi ; « ½ » point répondu en partie.",
		DeskWeekShort:          "S{n}",
		DeskTrendLabel:         "Progrès des dernières semaines de {name}",
		DeskChartScores:        "Progrès de {name}, semaine après semaine",
		DeskNudge:              "📊 Proposer un point maintenant",
		DeskBrief:              "🖨️ Préparer le rendez-vous",
		DeskClose:              "🎓 Clôturer l'accompagnement",
		DeskCloseConfirm:       "Clôturer l'accompagnement de {name} ? Les rappels s'arrêtent ; un point par mois pendant six mois, puis les données sont effacées.",
		DeskReply:              "Écrire",
		DeskReplyLabel:         "Votre message pour {name} (il lui arrive dans Telegram, de votre part)",
		DeskSend:               "Envoyer",
		DeskUnreachable:        "Cette personne ne reçoit pas de messages en ce moment.",
		DeskPlan:               "Le plan d'action",
		DeskQuestion:           "Question de suivi :",
		DeskObjective:          "🎯 Objectif :",
		DeskResources:          "🧰 Ressources :",
		DeskIndicators:         "✅ Signes de réussite :",
		DeskHistory:            "Historique",
		DeskEditStep:           "Modifier cette étape",
		DeskFTitle:             "Titre",
		DeskFDue:               "Date prévue",
		DeskFTime:              "Heure (facultatif)",
		DeskFObjective:         "Objectif",
		DeskFResources:         "Ressources (une par ligne)",
		DeskFIndicators:        "Signes de réussite (un par ligne)",
		DeskFOwner:             "Qui s'en occupe",
		DeskSave:               "Enregistrer",
		DeskCancelStep:         "Retirer l'étape",
		DeskAddStep:            "Ajouter une étape",
		DeskAdd:                "Ajouter",
		DeskCheckins:           "Points de suivi partagés",
		DeskOpen:               "en cours",
		DeskPrivate:            "Réponses gardées pour soi : vous savez seulement que le point a eu lieu.",
		DeskYes:                "oui",
		DeskNo:                 "non",
		DeskNoCheckin:          "Pas encore de point de suivi.",
		DeskTimeline:           "Fil des événements",
		DeskTlCheckin:          "Point de suivi de la semaine {week}",
		DeskTlHelp:             "🔴 Aide demandée",
		DeskTlRenamed:          "Étape renommée « {title} »",
		DeskTlMoved:            "« {title} » déplacée au {date}",
		DeskTlMovedTo:          "déplacée au {date}",
		DeskTlStatus:           "« {title} » : {status}",
		DeskBriefTitle:         "Préparer le rendez-vous avec {name}",
		DeskBriefNone:          "Aucun rendez-vous de suivi n'est prévu dans le plan.",
		DeskPrint:              "Imprimer",
		DeskBack:               "Retour",
		DeskFName:              "Prénom ou pseudonyme de la personne",
		DeskFTemplate:          "Partir d'un cas type",
		DeskBlank:              "📄 Plan vide (les étapes ci-dessous)",
		DeskFSteps:             "Étapes (une par ligne : date puis titre)",
		DeskFStepsExample:      "Rendez-vous à la Mission Locale",
		DeskCreate:             "Créer le plan",
		DeskInviteReady:        "Le plan de {name} est prêt : montrez ce code pendant l'entretien.",
		DeskQrAlt:              "Code QR de l'invitation de {name}",
		DeskInviteUntil:        "Le lien sert une fois, jusqu'au {date}.",
		DeskSeePlan:            "Voir le plan",
		DeskDigest:             "Le point de la semaine",
		DeskFDay:               "Jour",
		DeskFHour:              "Heure",
		DeskWork:               "Horaires de travail",
		DeskWorkHint:           "En dehors de ces horaires, vos nouvelles attendent le début de la période suivante et arrivent en un seul message. Une demande d'aide urgente arrive tout de suite, sans sonnerie.",
		DeskFDays:              "Jours travaillés",
		DeskFFrom:              "De",
		DeskFTo:                "À",
		DeskAbsence:            "Absence et remplacement",
		DeskAbsenceNow:         "{name} lit vos nouvelles jusqu'au {date} inclus.",
		DeskAbsenceEnd:         "Je suis de retour",
		DeskFStandin:           "Qui vous remplace",
		DeskFFromDay:           "Du",
		DeskFToDay:             "Au (inclus)",
		DeskLanguage:           "Langue du bureau",
		DeskLangFr:             "Français",
		DeskLangEn:             "English",
		DeskDay0:               "dimanche",
		DeskDay1:               "lundi",
		DeskDay2:               "mardi",
		DeskDay3:               "mercredi",
		DeskDay4:               "jeudi",
		DeskDay5:               "vendredi",
		DeskDay6:               "samedi",
		DeskDoneReply:          "✔️ Message envoyé.",
		DeskDoneNudge:          "✔️ Point proposé : vous saurez dans Telegram comment ça s'est passé.",
		DeskDoneClose:          "✔️ Accompagnement clôturé.",
		DeskDoneSaved:          "✔️ Plan mis à jour ; la personne est prévenue en un message.",
		DeskDoneSettings:       "✔️ Réglages enregistrés.",
		DeskDoneAbsence:        "✔️ C'est noté.",
		DeskProblemReply:       "Écrivez un message (3 000 caractères au plus).",
		DeskProblemUnreachable: "Cette personne ne reçoit pas de messages en ce moment.",
		DeskProblemDate:        "Cette date n'est pas lisible : choisissez un jour (et une heure si besoin).",
		DeskProblemPlan:        "Rien n'est enregistré : le plan ne serait plus valable.",
		DeskProblemSteps:       "Une étape n'est pas lisible (date AAAA-MM-JJ puis titre) :",
		DeskProblemTemplate:    "Ce cas type n'existe pas.",
		DeskProblemWork:        "Choisissez au moins un jour et une heure de fin après l'heure de début.",
		DeskProblemAbsence:     "Choisissez qui vous remplace et des dates dans l'ordre.",
		DeskProblemDigest:      "Ce jour ou cette heure n'existe pas.",
		DeskProblemLang:        "Cette langue n'est pas proposée.",
		DeskSigninHow:          "Pour ouvrir votre bureau, envoyez /bureau à Suivi dans Telegram : il vous donne un lien personnel.",
		DeskSignin:             "Connectez-vous depuis Telegram.",
		DeskLinkUsed:           "Ce lien a déjà servi ou a expiré.",
		DeskNotAdvisor:         "Le bureau est réservé aux conseillers.",
		DeskLoggedOut:          "Vous êtes déconnecté de toutes vos sessions.",
		DeskMiniappWait:        "Ouverture du bureau…",
		DeskMiniappFail:        "Si rien ne s'ouvre, demandez un lien avec /bureau.",
	}
}

func deskEnglish() map[Key]string {
	return map[Key]string{
		DeskTitle:              "Desk",
		DeskNav:                "Desk sections",
		DeskCaseload:           "My beneficiaries",
		DeskNewPlan:            "New plan",
		DeskSettings:           "Settings",
		DeskLogout:             "Sign out",
		DeskCount:              "{n} {n:person|people}",
		DeskSearch:             "Find a name",
		DeskShow:               "Show",
		DeskSort:               "Sort",
		DeskApply:              "Apply",
		DeskExport:             "Export as CSV",
		DeskFilterAll:          "Everyone",
		DeskFilterAttention:    "Needs attention",
		DeskFilterInvited:      "Invited, not joined yet",
		DeskFilterPaused:       "Paused",
		DeskFilterStopped:      "Stopped",
		DeskFilterBlocked:      "Blocked on Telegram",
		DeskFilterClosed:       "Accompaniment ended",
		DeskSortAttention:      "Needs attention first",
		DeskSortName:           "By name",
		DeskSortLast:           "Latest check-in first",
		DeskCaseloadCaption:    "Who needs you first: help asked, step blocked, overdue, silence.",
		DeskColPerson:          "Person",
		DeskColAttention:       "Attention",
		DeskColLast:            "Last check-in",
		DeskColTrend:           "Trend",
		DeskColSteps:           "Steps done",
		DeskColMeeting:         "Next meeting",
		DeskColConsent:         "Sharing",
		DeskColWeek:            "Week",
		DeskColScore:           "Progress",
		DeskColAnswer:          "Answer",
		DeskColNote:            "Message",
		DeskColHelp:            "Help asked",
		DeskBadgeHelp:          "🔴 help asked",
		DeskBadgeBlocked:       "🟠 {n:step blocked|steps blocked}",
		DeskBadgeOverdue:       "⏰ {n} overdue",
		DeskBadgeSilent:        "🔕 {n:check-in unanswered|check-ins unanswered}",
		DeskConsentYes:         "shares their answers",
		DeskConsentNo:          "keeps their answers",
		DeskNobody:             "Nobody matches.",
		DeskChartWeeks:         "The last 8 weeks",
		DeskChartLegend:        "Each cell: the week's progress (1 to 5); “–” no answer; “·” kept private; “½” check-in answered in part.",
		DeskWeekShort:          "W{n}",
		DeskTrendLabel:         "{name}'s progress over the last weeks",
		DeskChartScores:        "{name}'s progress, week by week",
		DeskNudge:              "📊 Offer a check-in now",
		DeskBrief:              "🖨️ Prepare the meeting",
		DeskClose:              "🎓 Close the accompaniment",
		DeskCloseConfirm:       "Close {name}'s accompaniment? Reminders stop; a check-in a month for six months, then the data is erased.",
		DeskReply:              "Write",
		DeskReplyLabel:         "Your message for {name} (it reaches them in Telegram, from you)",
		DeskSend:               "Send",
		DeskUnreachable:        "This person gets no messages at the moment.",
		DeskPlan:               "The action plan",
		DeskQuestion:           "Check-in question:",
		DeskObjective:          "🎯 Objective:",
		DeskResources:          "🧰 Resources:",
		DeskIndicators:         "✅ Signs of success:",
		DeskHistory:            "History",
		DeskEditStep:           "Change this step",
		DeskFTitle:             "Title",
		DeskFDue:               "Due date",
		DeskFTime:              "Time (optional)",
		DeskFObjective:         "Objective",
		DeskFResources:         "Resources (one per line)",
		DeskFIndicators:        "Signs of success (one per line)",
		DeskFOwner:             "Who does it",
		DeskSave:               "Save",
		DeskCancelStep:         "Remove the step",
		DeskAddStep:            "Add a step",
		DeskAdd:                "Add",
		DeskCheckins:           "Check-ins shared",
		DeskOpen:               "under way",
		DeskPrivate:            "Answers kept private: you only know the check-in happened.",
		DeskYes:                "yes",
		DeskNo:                 "no",
		DeskNoCheckin:          "No check-in yet.",
		DeskTimeline:           "Timeline",
		DeskTlCheckin:          "Check-in of week {week}",
		DeskTlHelp:             "🔴 Help asked",
		DeskTlRenamed:          "Step renamed “{title}”",
		DeskTlMoved:            "“{title}” moved to {date}",
		DeskTlMovedTo:          "moved to {date}",
		DeskTlStatus:           "“{title}”: {status}",
		DeskBriefTitle:         "Preparing the meeting with {name}",
		DeskBriefNone:          "No follow-up meeting is planned.",
		DeskPrint:              "Print",
		DeskBack:               "Back",
		DeskFName:              "The person's first name or alias",
		DeskFTemplate:          "Start from a typical case",
		DeskBlank:              "📄 Blank plan (the steps below)",
		DeskFSteps:             "Steps (one per line: date then title)",
		DeskFStepsExample:      "Meeting at the Mission Locale",
		DeskCreate:             "Create the plan",
		DeskInviteReady:        "{name}'s plan is ready: show this code during the meeting.",
		DeskQrAlt:              "QR code of {name}'s invitation",
		DeskInviteUntil:        "The link works once, until {date}.",
		DeskSeePlan:            "See the plan",
		DeskDigest:             "The weekly digest",
		DeskFDay:               "Day",
		DeskFHour:              "Hour",
		DeskWork:               "Working hours",
		DeskWorkHint:           "Outside these hours, your news wait for the start of the next period and arrive in one message. An urgent request for help arrives at once, silently.",
		DeskFDays:              "Working days",
		DeskFFrom:              "From",
		DeskFTo:                "To",
		DeskAbsence:            "Absence and stand-in",
		DeskAbsenceNow:         "{name} reads your news until {date} included.",
		DeskAbsenceEnd:         "I am back",
		DeskFStandin:           "Who stands in",
		DeskFFromDay:           "From",
		DeskFToDay:             "To (included)",
		DeskLanguage:           "Language of the desk",
		DeskLangFr:             "Français",
		DeskLangEn:             "English",
		DeskDay0:               "Sunday",
		DeskDay1:               "Monday",
		DeskDay2:               "Tuesday",
		DeskDay3:               "Wednesday",
		DeskDay4:               "Thursday",
		DeskDay5:               "Friday",
		DeskDay6:               "Saturday",
		DeskDoneReply:          "✔️ Message sent.",
		DeskDoneNudge:          "✔️ Check-in offered: Telegram tells you how it went.",
		DeskDoneClose:          "✔️ Accompaniment closed.",
		DeskDoneSaved:          "✔️ Plan updated; the person is told in one message.",
		DeskDoneSettings:       "✔️ Settings saved.",
		DeskDoneAbsence:        "✔️ Noted.",
		DeskProblemReply:       "Write a message (at most 3,000 characters).",
		DeskProblemUnreachable: "This person gets no messages at the moment.",
		DeskProblemDate:        "This date can't be read: pick a day (and a time if needed).",
		DeskProblemPlan:        "Nothing saved: the plan would no longer be valid.",
		DeskProblemSteps:       "A step can't be read (date YYYY-MM-DD then title):",
		DeskProblemTemplate:    "No such typical case.",
		DeskProblemWork:        "Pick at least one day and an end after the start.",
		DeskProblemAbsence:     "Pick who stands in and dates in order.",
		DeskProblemDigest:      "No such day or hour.",
		DeskProblemLang:        "This language is not offered.",
		DeskSigninHow:          "To open your desk, send /bureau to Suivi in Telegram: it gives you a personal link.",
		DeskSignin:             "Sign in from Telegram.",
		DeskLinkUsed:           "This link was used already or has expired.",
		DeskNotAdvisor:         "The desk is for advisors only.",
		DeskLoggedOut:          "You are signed out of every session.",
		DeskMiniappWait:        "Opening the desk…",
		DeskMiniappFail:        "If nothing opens, ask for a link with /bureau.",
	}
}
