package domain

import "time"

// Consent is the beneficiary's answer to "may your advisor read your
// check-in answers?". Until they answer, nothing personal is shared.
type Consent string

// Consent states.
const (
	ConsentUnset Consent = ""
	ConsentYes   Consent = "yes"
	ConsentNo    Consent = "no"
)

// Shares reports whether answers may be forwarded to the advisor.
func (c Consent) Shares() bool { return c == ConsentYes }

// State is where a beneficiary's follow-up stands.
type State string

// Beneficiary states.
const (
	// StateInvited: the plan exists, the invite has not been used yet.
	StateInvited State = "invited"
	// StateActive: linked to Telegram and followed.
	StateActive State = "active"
	// StatePaused: the beneficiary asked for a pause.
	StatePaused State = "paused"
	// StateStopped: the beneficiary sent /stop; nothing is sent until /start.
	StateStopped State = "stopped"
	// StateBlocked: Telegram told us the beneficiary blocked the bot.
	StateBlocked State = "blocked"
	// StateClosed: the accompaniment has ended.
	StateClosed State = "closed"
)

// Beneficiary is a person followed by an advisor, as Suivi knows them.
// Its ID is also the ID of their plan.
type Beneficiary struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Language   Lang      `json:"language"`
	Timezone   string    `json:"timezone"`
	AdvisorID  int64     `json:"advisor"`
	TelegramID int64     `json:"telegram,omitempty"`
	State      State     `json:"state"`
	Consent    Consent   `json:"consent,omitempty"`
	Created    time.Time `json:"created"`
	Joined     time.Time `json:"joined,omitzero"`
}

// Location returns the beneficiary's zone, or fallback when it is unknown.
func (b *Beneficiary) Location(fallback *time.Location) *time.Location {
	if loc, err := time.LoadLocation(b.Timezone); err == nil && b.Timezone != "" {
		return loc
	}
	return fallback
}

// Advisor is a counsellor who follows beneficiaries through Suivi.
type Advisor struct {
	// ID is the advisor's Telegram user id.
	ID      int64     `json:"id"`
	Name    string    `json:"name,omitempty"`
	Admin   bool      `json:"admin,omitempty"`
	Created time.Time `json:"created"`
}
