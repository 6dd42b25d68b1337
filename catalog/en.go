package catalog

func english() map[Key]string {
	return map[Key]string{
		StartStranger: "Hello! I am <b>Suivi</b>, the assistant that keeps you going between two meetings with your advisor.\n\n" +
			"I remind you of the steps of your action plan and ask you now and then how things are going.\n\n" +
			"To begin, you need the personal link your advisor gives you during your meeting. Open that link and we are ready.",
		StartWelcome: "Welcome {name}! 👋\n\n" +
			"Your action plan is ready. I will remind you of each step at the right time, and ask you now and then how things are going.\n\n" +
			"👉 /plan to see your plan\n👉 /aide for everything else",
		StartAgain:      "Hello again {name}! You are all set. 👉 /plan to see your plan, /aide for everything else.",
		InviteUsed:      "This link has already been used. If it is yours, type /plan. Otherwise, ask your advisor for a new link: it only takes a moment.",
		InviteExpired:   "This link is no longer valid: it has expired. Ask your advisor for a new one, it only takes a moment.",
		InviteUnknown:   "I don't recognise this link. Check that it is complete, or ask your advisor for a new one.",
		InviteOtherPlan: "You are already followed with another plan. Talk to your advisor about it: they can help.",
		NotLinked: "I don't know you yet. 🙂\n\n" +
			"To use Suivi, open the personal link your advisor gives you during your meeting.",

		PlanTitle:      "📋 <b>Your action plan</b>",
		PlanStep:       "{icon} <b>{n}. {title}</b>\n{status}",
		PlanObjective:  "🎯 {objective}",
		PlanDue:        "📅 {date} · {owner}",
		PlanResources:  "🧰 {list}",
		PlanIndicators: "✔️ Done when: {list}",
		PlanMeetings:   "🤝 <b>Meetings</b>: {list}",
		PlanQuestion:   "💬 Your question of the week: <i>{question}</i>",
		PlanEmpty:      "Your plan has no steps yet. Your advisor will complete it.",

		Help: "Here is what you can do:\n\n" +
			"📋 /plan: see your action plan\n" +
			"❓ /aide: see this message again\n\n" +
			"I remind you of each step before its date. You can answer with one tap on a button or with a voice message.",
		HelpAdvisor: "You are an advisor in Suivi.\n\n" +
			"Plans are imported with <code>suivi plan import FILE</code>; give the invite link to the person during your meeting.\n" +
			"❓ /aide: see this message again",
		HelpStranger: "Suivi supports people between two meetings with their advisor.\n\n" +
			"To use it, open the personal link your advisor gives you during your meeting.",
		UnknownCmd:    "I don't know this command. Type /aide to see what I can do.",
		FallbackText:  "Thank you for your message! I can't answer free text yet.\n👉 /plan to see your plan, /aide for everything else.",
		FallbackMedia: "Thank you! I can't read this kind of message. You can write to me or send a voice message.\n👉 /plan to see your plan, /aide for everything else.",
		FallbackVoice: "Thank you for your voice message! 🎙️ I'll keep it for the follow-up questions.\n👉 /plan to see your plan, /aide for everything else.",
		TooLong:       "Your message is very long: I only keep the beginning. Thank you!",
		Oops:          "Oops, a problem on my side. I'll try again in a moment; you don't have to do anything.",

		ButtonClosed: "This question is closed. Thank you!",

		CmdStart: "Start with your advisor's link",
		CmdPlan:  "See my action plan",
		CmdHelp:  "What I can do",

		TimeAt: " at {time}",

		"status.todo":        "To do",
		"status.in_progress": "In progress",
		"status.done":        "Done",
		"status.blocked":     "Blocked",
		"status.cancelled":   "Cancelled",
		"owner.beneficiary":  "you do it",
		"owner.advisor":      "your advisor does it",

		"day.0": "Sunday", "day.1": "Monday", "day.2": "Tuesday", "day.3": "Wednesday",
		"day.4": "Thursday", "day.5": "Friday", "day.6": "Saturday",
		"month.1": "January", "month.2": "February", "month.3": "March", "month.4": "April",
		"month.5": "May", "month.6": "June", "month.7": "July", "month.8": "August",
		"month.9": "September", "month.10": "October", "month.11": "November", "month.12": "December",
	}
}
