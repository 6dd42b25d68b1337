package domain

import "time"

// Public holidays in France (the national ones, everywhere including the
// DOM-TOM): 1 January, Easter Monday, 1 May, 8 May, Ascension Thursday,
// Whit Monday, 14 July, 15 August, 1 November, 11 November and 25
// December. Dates Suivi computes itself (a template's, moved to start next
// week) avoid them, as they avoid weekends: no step falls due, and no
// meeting is set, on a day offices are closed.

// Holiday reports whether d is a public holiday in France.
func Holiday(d Date) bool {
	switch {
	case d.Month == time.January && d.Day == 1,
		d.Month == time.May && (d.Day == 1 || d.Day == 8),
		d.Month == time.July && d.Day == 14,
		d.Month == time.August && d.Day == 15,
		d.Month == time.November && (d.Day == 1 || d.Day == 11),
		d.Month == time.December && d.Day == 25:
		return true
	}
	easter := Easter(d.Year)
	for _, days := range []int{1, 39, 50} { // Easter Monday, Ascension, Whit Monday
		if d == easter.AddDays(days) {
			return true
		}
	}
	return false
}

// Easter returns Easter Sunday of year (Gregorian calendar; the anonymous
// algorithm of Meeus, Jones and Butcher).
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{Year: year, Month: time.Month(month), Day: day}
}

// WorkingDay reports whether d is a day offices open: Monday to Friday,
// and not a public holiday.
func WorkingDay(d Date) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !Holiday(d)
}

// NextWorkingDay returns d when it is a working day, else the first one
// after it.
func (d Date) NextWorkingDay() Date {
	for !WorkingDay(d) {
		d = d.AddDays(1)
	}
	return d
}
