// Package domain owns Suivi's model of an accompaniment: the action plan
// agreed between a beneficiary and an advisor, its steps, the people, and
// the check-ins. It holds types, rules and validation only: it imports
// neither Redis nor Telegram, and every other package may depend on it.
package domain
