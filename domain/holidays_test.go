package domain_test

import (
	"testing"
	"time"

	"suivi/domain"
)

func TestEaster(t *testing.T) {
	for year, want := range map[int]domain.Date{
		2024: {Year: 2024, Month: time.March, Day: 31},
		2025: {Year: 2025, Month: time.April, Day: 20},
		2026: {Year: 2026, Month: time.April, Day: 5},
		2027: {Year: 2027, Month: time.March, Day: 28},
		2038: {Year: 2038, Month: time.April, Day: 25},
	} {
		if got := domain.Easter(year); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestHolidaysAndWorkingDays(t *testing.T) {
	d := func(s string) domain.Date {
		v, err := domain.ParseDateTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return v.Date
	}
	for _, s := range []string{"2026-12-25", "2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08",
		"2027-05-17", "2027-07-14", "2027-08-15", "2027-11-01", "2027-11-11"} {
		if !domain.Holiday(d(s)) {
			t.Errorf("%s is a public holiday", s)
		}
	}
	for _, s := range []string{"2026-12-24", "2026-12-26", "2027-01-02", "2027-03-28", "2027-05-07"} {
		if domain.Holiday(d(s)) {
			t.Errorf("%s is not a public holiday", s)
		}
	}
	for from, want := range map[string]string{
		"2026-12-25": "2026-12-28", // Friday, Christmas: Monday
		"2027-01-01": "2027-01-04", // Friday, New Year's Day: Monday
		"2027-03-27": "2027-03-30", // Saturday, then Easter Sunday and Monday
		"2027-05-06": "2027-05-07", // Ascension Thursday
		"2027-05-07": "2027-05-07", // a working day stays
	} {
		if got := d(from).NextWorkingDay(); got != d(want) {
			t.Errorf("NextWorkingDay(%s) = %s, want %s", from, got, want)
		}
	}
}
