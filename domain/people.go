package domain

import (
	"fmt"
	"time"
)

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
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Language   Lang    `json:"language"`
	Timezone   string  `json:"timezone"`
	AdvisorID  int64   `json:"advisor"`
	TelegramID int64   `json:"telegram,omitempty"`
	State      State   `json:"state"`
	Consent    Consent `json:"consent,omitempty"`
	// ConsentLog records each change of Consent, oldest first (what the
	// beneficiary's data document shows).
	ConsentLog []ConsentChange `json:"consent_log,omitempty"`
	Created    time.Time       `json:"created"`
	Joined     time.Time       `json:"joined,omitzero"`

	// Preferences, chosen at onboarding or later (/reglages).
	// CheckinSpec is the beneficiary's own check-in time as a cron spec
	// ("0 18 * * FRI"); empty means the plan's.
	CheckinSpec string `json:"checkin_spec,omitempty"`
	// Quiet is the daily quiet window "21:00-08:00" (the default when
	// empty), or "off".
	Quiet     string    `json:"quiet,omitempty"`
	Onboarded time.Time `json:"onboarded,omitzero"`
	// PausedUntil ends a pause (State paused); zero means until /reprendre.
	PausedUntil time.Time `json:"paused_until,omitzero"`
	// Blocks counts the times the beneficiary blocked the bot.
	Blocks int `json:"blocks,omitempty"`
	// Help lists when the beneficiary asked for help (a check-in's question
	// or a reminder's button), the latest last, at most maxHelpLog.
	Help []time.Time `json:"help,omitempty"`
	// Ended is when the accompaniment was closed (State closed): the
	// follow-up tapers off, then the data is deleted after the retention.
	Ended time.Time `json:"ended,omitzero"`
	// Erasing is when the erasure of everything about the beneficiary
	// began: at their request (ErasureAsked: their advisor is told) or at
	// the end of the retention. Whatever handles them next finishes it.
	Erasing      time.Time `json:"erasing,omitzero"`
	ErasureAsked bool      `json:"erasure_asked,omitempty"`
	// Invite is the invite that works for the person: the last one made
	// (making one revokes the others). Nil for a plan stored before
	// invites were remembered.
	Invite *InviteRef `json:"invite,omitempty"`
}

// InviteRef is a beneficiary's current invite: its code, until when it
// works, and the request that made it (an advisor's update handled again
// gets the same invite, not one more).
type InviteRef struct {
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
	Request string    `json:"request,omitempty"`
}

// maxHelpLog bounds the help requests remembered.
const maxHelpLog = 20

// AskedHelp records a request for help at t.
func (b *Beneficiary) AskedHelp(t time.Time) {
	b.Help = append(b.Help, t.UTC())
	if len(b.Help) > maxHelpLog {
		b.Help = b.Help[len(b.Help)-maxHelpLog:]
	}
}

// ConsentChange is one change of a beneficiary's consent: when, to what,
// and where they chose it.
type ConsentChange struct {
	At      time.Time `json:"at"`
	Consent Consent   `json:"consent"`
	Via     string    `json:"via"`
}

// Where a consent is chosen.
const (
	ConsentViaOnboarding = "onboarding"
	ConsentViaSettings   = "settings"
	// ConsentViaBeforeLog: chosen before changes were logged (the date is
	// the end of onboarding).
	ConsentViaBeforeLog = "before-log"
)

// maxConsentLog bounds the consent changes remembered.
const maxConsentLog = 100

// SetConsent records the beneficiary's choice at t, chosen via where; a
// choice that changes nothing is not logged again.
func (b *Beneficiary) SetConsent(c Consent, t time.Time, via string) {
	if c == b.Consent && len(b.ConsentLog) > 0 {
		return
	}
	b.Consent = c
	b.ConsentLog = append(b.ConsentLog, ConsentChange{At: t.UTC(), Consent: c, Via: via})
	if len(b.ConsentLog) > maxConsentLog {
		b.ConsentLog = b.ConsentLog[len(b.ConsentLog)-maxConsentLog:]
	}
}

// HelpSince counts the requests for help at or after t.
func (b *Beneficiary) HelpSince(t time.Time) int {
	n := 0
	for _, h := range b.Help {
		if !h.Before(t) {
			n++
		}
	}
	return n
}

// DefaultQuiet is the quiet window of a beneficiary who chose none.
const DefaultQuiet = "21:00-08:00"

// QuietWindow returns the beneficiary's quiet window in minutes since local
// midnight; start == end means none.
func (b *Beneficiary) QuietWindow() (start, end int) {
	q := b.Quiet
	if q == "" {
		q = DefaultQuiet
	}
	start, end, err := ParseQuiet(q)
	if err != nil {
		start, end, _ = ParseQuiet(DefaultQuiet)
	}
	return start, end
}

// ParseQuiet reads a quiet window "21:00-08:00" ("off": none).
func ParseQuiet(s string) (start, end int, err error) {
	if s == "off" {
		return 0, 0, nil
	}
	var h1, m1, h2, m2 int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil ||
		h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 {
		return 0, 0, fmt.Errorf("%q is not a quiet window like 21:00-08:00", s)
	}
	return h1*60 + m1, h2*60 + m2, nil
}

// Followed reports whether Suivi may write to the beneficiary on its own
// (reminders, check-ins): linked, not paused, stopped, blocked or closed.
func (b *Beneficiary) Followed() bool { return b.State == StateActive && b.TelegramID != 0 }

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
	// DigestSpec is when the weekly digest comes, as a cron spec evaluated
	// in the default zone; empty means DefaultDigest.
	DigestSpec string `json:"digest_spec,omitempty"`
	// Absence, when set, sends forwards, alerts and digests to a stand-in.
	Absence *Absence `json:"absence,omitempty"`
	// Lang is the language of the web desk for this advisor ("" = French;
	// the bot speaks French to advisors).
	Lang Lang `json:"lang,omitempty"`
	// Work, when set, are the advisor's own working hours (else the
	// structure's, SUIVI_WORKING_HOURS).
	Work *WorkHours `json:"work,omitempty"`
}

// DefaultDigest is when an advisor gets the weekly digest unless they chose.
const DefaultDigest = "30 8 * * MON"

// Absence is a period during which a stand-in reads an advisor's news.
type Absence struct {
	StandIn int64     `json:"stand_in"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
}

// Reader returns who reads the advisor's news at t: the stand-in during an
// absence, else the advisor.
func (a *Advisor) Reader(t time.Time) int64 {
	if ab := a.Absence; ab != nil && ab.StandIn != 0 && !t.Before(ab.From) && t.Before(ab.To) {
		return ab.StandIn
	}
	return a.ID
}
