package desk

import (
	"fmt"
	"html"
	"strings"
	"time"

	"suivi/dialogs"
	"suivi/domain"
)

// Charts, as SVG written here: every text in them is escaped. A chart
// never stands alone: the numbers are in the page's tables too.

// chartWeeks is how many weeks the charts show.
const chartWeeks = 8

// weeksUntil lists the n ISO weeks that end with now's, oldest first.
func weeksUntil(now time.Time, zone *time.Location, n int) []domain.Week {
	var out []domain.Week
	t := now.In(zone)
	for i := n - 1; i >= 0; i-- {
		out = append(out, domain.WeekOf(t.AddDate(0, 0, -7*i)))
	}
	return out
}

// scoreColor is the colour of a score (1 hard … 5 great), of silence and
// of an answer kept private.
func scoreColor(v int) string {
	switch v {
	case 1:
		return "#d9534f"
	case 2:
		return "#f0ad4e"
	case 3:
		return "#e6d74c"
	case 4:
		return "#9acd5a"
	case 5:
		return "#3c9d4b"
	case dialogs.CellSilent:
		return "#c8c8c8"
	case dialogs.CellPrivate:
		return "#b4c8eb"
	case dialogs.CellPartial:
		return "#d4beeb"
	}
	return "#eeeeee"
}

// sparkline draws a person's shared scores of the last weeks: points on a
// line, gaps where there is none.
func sparkline(c dialogs.Case, weeks []domain.Week, label string) string {
	const w, h, step = 88.0, 22.0, 11.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s">`, w, h, w, h, html.EscapeString(label))
	var pts []string
	for i, wk := range weeks {
		v := c.Cells[wk]
		x := 5 + float64(i)*step
		if v >= domain.MinScore && v <= domain.MaxScore {
			y := h - 4 - float64(v-1)*(h-8)/4
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.2" fill="%s"/>`, x, y, scoreColor(v))
			continue
		}
		if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#7a8a99" stroke-width="1"/>`, strings.Join(pts, " "))
		}
		pts = nil
		if v != 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="4" height="4" fill="%s"/>`, x-2, h/2-2, scoreColor(v))
		}
	}
	if len(pts) > 1 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#7a8a99" stroke-width="1"/>`, strings.Join(pts, " "))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// heatmap draws the caseload's weeks: one row per person, one cell per
// week, the score written in it.
func heatmap(cases []dialogs.Case, weeks []domain.Week, label func(w domain.Week) string, title string) string {
	const nameW, cellW, cellH, headH = 150.0, 44.0, 22.0, 22.0
	width := nameW + cellW*float64(len(weeks))
	height := headH + cellH*float64(len(cases))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="heatmap" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, width, height, html.EscapeString(title))
	for i, wk := range weeks {
		fmt.Fprintf(&b, `<text x="%.1f" y="15" text-anchor="middle" font-size="11">%s</text>`, nameW+cellW*float64(i)+cellW/2, html.EscapeString(label(wk)))
	}
	for r, c := range cases {
		y := headH + cellH*float64(r)
		fmt.Fprintf(&b, `<text x="4" y="%.1f" font-size="12">%s</text>`, y+15, html.EscapeString(truncate(c.Ben.Name, 20)))
		for i, wk := range weeks {
			v := c.Cells[wk]
			x := nameW + cellW*float64(i)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#fff"/>`, x, y, cellW, cellH, scoreColor(v))
			txt := ""
			switch {
			case v >= domain.MinScore:
				txt = fmt.Sprint(v)
			case v == dialogs.CellSilent:
				txt = "–"
			case v == dialogs.CellPrivate:
				txt = "·"
			case v == dialogs.CellPartial:
				txt = "½"
			}
			if txt != "" {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="12">%s</text>`, x+cellW/2, y+15, txt)
			}
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// scoresChart draws one person's shared scores over the weeks.
func scoresChart(points []scorePoint, title string) string {
	const w, h, left, bottom = 560.0, 180.0, 28.0, 22.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="scores" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, html.EscapeString(title))
	plotH := h - bottom - 10
	for s := 1; s <= 5; s++ {
		y := 10 + plotH - float64(s-1)*plotH/4
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#e3e7eb"/><text x="4" y="%.1f" font-size="11">%d</text>`, left, y, w-4, y, y+4, s)
	}
	if len(points) == 0 {
		b.WriteString(`</svg>`)
		return b.String()
	}
	stepX := (w - left - 20) / float64(max(1, len(points)-1))
	var pts []string
	for i, p := range points {
		x := left + 10 + float64(i)*stepX
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" font-size="10">%s</text>`, x, h-6, html.EscapeString(p.label))
		if p.score == 0 {
			continue
		}
		y := 10 + plotH - float64(p.score-1)*plotH/4
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s: %d/5</title></circle>`, x, y, scoreColor(p.score), html.EscapeString(p.label), p.score)
	}
	if len(pts) > 1 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#2481cc" stroke-width="1.5"/>`, strings.Join(pts, " "))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// scorePoint is a check-in on the scores chart (score 0: none shared).
type scorePoint struct {
	label string
	score int
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
