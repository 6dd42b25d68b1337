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
)

func journeysFrench() map[Key]string {
	return map[Key]string{
		AdvAskName:      "👋 Bienvenue dans Suivi ! Comment voulez-vous que l'on vous appelle ? Écrivez votre prénom (ou prénom et nom) : c'est ce que liront les personnes que vous accompagnez.",
		AdvNameBad:      "Un prénom ou un nom sur une ligne, {max} caractères au plus, sans caractères invisibles.",
		AdvNameSet:      "✔️ C'est noté : les personnes que vous accompagnez liront « {name} ». /nom pour le changer.",
		AdvWelcomeAny:   "Bienvenue ! Vous faites maintenant partie des conseillers de Suivi.",
		CmdAdvName:      "Le nom que lisent vos bénéficiaires",
		ColleagueCalled: "une personne de l'équipe",
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
	}
}
