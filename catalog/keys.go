package catalog

// Keys of the texts. Every key exists in every language (checked by tests).
const (
	StartStranger   Key = "start.stranger"
	StartWelcome    Key = "start.welcome"
	StartAgain      Key = "start.again"
	InviteUsed      Key = "invite.used"
	InviteExpired   Key = "invite.expired"
	InviteUnknown   Key = "invite.unknown"
	InviteOtherPlan Key = "invite.other_plan"
	NotLinked       Key = "not_linked"

	PlanTitle      Key = "plan.title"
	PlanStep       Key = "plan.step"
	PlanObjective  Key = "plan.objective"
	PlanDue        Key = "plan.due"
	PlanResources  Key = "plan.resources"
	PlanIndicators Key = "plan.indicators"
	PlanMeetings   Key = "plan.meetings"
	PlanQuestion   Key = "plan.question"
	PlanEmpty      Key = "plan.empty"

	Help          Key = "help"
	HelpAdvisor   Key = "help.advisor"
	HelpStranger  Key = "help.stranger"
	UnknownCmd    Key = "unknown_command"
	FallbackText  Key = "fallback.text"
	FallbackMedia Key = "fallback.media"
	FallbackVoice Key = "fallback.voice"
	TooLong       Key = "too_long"
	Oops          Key = "oops"
	ButtonClosed  Key = "button.closed"

	CmdStart Key = "cmd.start"
	CmdPlan  Key = "cmd.plan"
	CmdHelp  Key = "cmd.aide"

	TimeAt Key = "time.at"
)
