package domain

import (
	"testing"
	"time"
)

// A check-in left unfinished: when its answers go to the advisor (grace
// after the last answer, in real time), when it counts as answered in
// part, and which score the advisor may see then.
func TestUnfinishedCheckinRules(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	const grace = 6 * time.Hour
	asked := time.Date(2037, 10, 24, 10, 0, 0, 0, paris)
	// 23:30 CEST the day before the clocks go back: six real hours later
	// is 04:30 CET, five hours later on the wall clock.
	last := time.Date(2037, 10, 24, 23, 30, 0, 0, paris)
	begun := CheckIn{Asked: asked, Score: 4, ScoreDone: true, LastAnswer: last}
	for _, tc := range []struct {
		name     string
		c        CheckIn
		due      time.Time // zero: nothing to send
		inPartAt time.Time // zero: never answered in part
		score    int       // shared score, the beneficiary sharing
	}{
		{name: "not begun", c: CheckIn{Asked: asked}},
		{name: "begun", c: begun, due: time.Date(2037, 10, 25, 4, 30, 0, 0, paris), inPartAt: time.Date(2037, 10, 25, 4, 30, 0, 0, paris)},
		{name: "a text waiting for its share decision", c: CheckIn{Asked: asked, Pending: "note", LastAnswer: last},
			due: last.Add(grace), inPartAt: last.Add(grace)},
		{name: "completed", c: func() CheckIn { c := begun; c.Completed, c.Shared = last, true; return c }(), score: 4},
		{name: "sent in part while sharing", c: func() CheckIn { c := begun; c.Partial, c.PartialShared = last.Add(grace), true; return c }(),
			inPartAt: asked, score: 4},
		{name: "sent in part while not sharing", c: func() CheckIn { c := begun; c.Partial = last.Add(grace); return c }(), inPartAt: asked},
		{name: "score kept private, sent in part", c: func() CheckIn {
			c := begun
			c.ScorePrivate, c.Partial, c.PartialShared = true, last.Add(grace), true
			return c
		}(), inPartAt: asked},
		{name: "closed before the grace", c: func() CheckIn { c := begun; c.Closed = last.Add(time.Hour); return c }(),
			due: last.Add(grace), inPartAt: asked},
		{name: "answered before the time of answers was kept", c: CheckIn{Asked: asked, ScoreDone: true, Score: 3},
			inPartAt: asked.Add(grace)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			due, ok := tc.c.PartDue(grace)
			if ok != !tc.due.IsZero() || !due.Equal(tc.due) {
				t.Errorf("PartDue = %s, %v; want %s", due, ok, tc.due)
			}
			for _, at := range []time.Time{asked, last, last.Add(grace - time.Second), last.Add(grace), last.Add(30 * 24 * time.Hour)} {
				want := !tc.inPartAt.IsZero() && !at.Before(tc.inPartAt)
				if got := tc.c.AnsweredInPart(at, grace); got != want {
					t.Errorf("AnsweredInPart(%s) = %v, want %v", at.In(paris), got, want)
				}
			}
			if got := tc.c.SharedScore(true); got != tc.score {
				t.Errorf("SharedScore(sharing) = %d, want %d", got, tc.score)
			}
			if got := tc.c.SharedScore(false); got != 0 {
				t.Errorf("SharedScore(not sharing now) = %d, want 0", got)
			}
		})
	}
}
