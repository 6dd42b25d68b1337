package dialogs

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"

	"suivi/catalog"
	"suivi/domain"
)

// The digest's chart: one row per beneficiary (in the digest's order, at
// most ChartMaxRows), one column per week, each cell coloured by the week's
// self-evaluation score (1 red … 5 green) with the figure written in it. A
// check-in left without answer is a grey "-" (silence is not a zero score);
// answers kept private are a blue "."; a check-in answered in part without
// a score to show is a purple "½"; a week without check-in stays white.
// Text is drawn with the Go font, so names keep their accents (names are
// composed first: "Le\u0301o" typed decomposed is drawn as "Léo").

// Chart geometry, exported for tests that read the image back.
const (
	ChartNameWidth = 130
	ChartCellW     = 44
	ChartCellH     = 20
	ChartHeader    = 24
	ChartPad       = 8
)

// ScoreColors are the cell colours of scores 1 to 5.
func ScoreColors() [6]color.RGBA {
	return [6]color.RGBA{
		{255, 255, 255, 255},
		{215, 48, 39, 255},
		{252, 141, 89, 255},
		{254, 224, 139, 255},
		{145, 207, 96, 255},
		{26, 152, 80, 255},
	}
}

// Cell colours of the other states.
func SilentColor() color.RGBA  { return color.RGBA{200, 200, 200, 255} }
func PrivateColor() color.RGBA { return color.RGBA{180, 200, 235, 255} }
func PartialColor() color.RGBA { return color.RGBA{212, 190, 235, 255} }
func EmptyColor() color.RGBA   { return color.RGBA{230, 230, 230, 255} }

func chartInk() color.RGBA { return color.RGBA{40, 40, 40, 255} }

// CellValue is what one cell shows: a score 1–5, or one of these.
const (
	CellNone    = 0
	CellSilent  = -1
	CellPrivate = -2
	CellPartial = -3
)

// ChartCell returns what the chart shows for a case in a week: the shared
// score, silence (the same rule as the digest's count), a check-in answered
// in part, answers not visible to the advisor, or nothing.
func ChartCell(c Case, w domain.Week) int { return c.Cells[w] }

// ChartMaxRows caps the chart's height: the first ChartMaxRows cases (the
// digest's order: people needing attention first), then one row that says
// how many more the digest's text lists.
const ChartMaxRows = 40

// chartFont is the Go font (regular), parsed once: it draws accents and
// Greek and Cyrillic names. It is read-only and safe for concurrent use; a
// face is made per chart.
var chartFont = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(goregular.TTF) })

// Chart draws the digest chart as a PNG, its words in lang.
func Chart(cat *catalog.Catalog, lang domain.Lang, cases []Case, weeks []domain.Week) ([]byte, error) {
	f, err := chartFont()
	if err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 12, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	defer face.Close()
	shown, more := cases, 0
	if len(cases) > ChartMaxRows {
		shown, more = cases[:ChartMaxRows], len(cases)-ChartMaxRows
	}
	rows := len(shown)
	if more > 0 {
		rows++
	}
	w := ChartNameWidth + len(weeks)*ChartCellW + ChartPad
	h := ChartHeader + rows*ChartCellH + ChartPad
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{255, 255, 255, 255}}, image.Point{}, draw.Src)
	text := func(x, y int, s string, c color.Color) {
		d := &font.Drawer{Dst: img, Src: &image.Uniform{c}, Face: face, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	// centred draws s centred on x.
	centred := func(x, y int, s string, c color.Color) {
		d := &font.Drawer{Face: face}
		text(x-d.MeasureString(s).Round()/2, y, s, c)
	}
	for j, wk := range weeks {
		label := string(wk)
		if _, n, ok := strings.Cut(label, "-W"); ok {
			label = cat.Plain(lang, catalog.ChartWeek, "n", n)
		}
		centred(ChartNameWidth+j*ChartCellW+ChartCellW/2, ChartHeader-8, label, chartInk())
	}
	colors := ScoreColors()
	for i, c := range shown {
		y := ChartHeader + i*ChartCellH
		// Composed (NFC): the font draws "é", not "e" and a lone accent.
		text(ChartPad, y+14, fitName(face, norm.NFC.String(c.Ben.Name), ChartNameWidth-2*ChartPad), chartInk())
		for j, wk := range weeks {
			x := ChartNameWidth + j*ChartCellW
			cell := image.Rect(x+1, y+1, x+ChartCellW-1, y+ChartCellH-1)
			v := ChartCell(c, wk)
			var fill color.RGBA
			label := ""
			switch {
			case v >= 1 && v <= 5:
				fill, label = colors[v], strconv.Itoa(v)
			case v == CellSilent:
				fill, label = SilentColor(), cat.Plain(lang, catalog.ChartSilent)
			case v == CellPrivate:
				fill, label = PrivateColor(), cat.Plain(lang, catalog.ChartPrivate)
			case v == CellPartial:
				fill, label = PartialColor(), cat.Plain(lang, catalog.ChartPartial)
			default:
				fill = EmptyColor()
			}
			draw.Draw(img, cell, &image.Uniform{fill}, image.Point{}, draw.Src)
			if label != "" {
				centred(x+ChartCellW/2, y+14, label, chartInk())
			}
		}
	}
	if more > 0 {
		text(ChartPad, ChartHeader+len(shown)*ChartCellH+14, cat.Plain(lang, catalog.ChartMore, "n", more), chartInk())
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// fitName shortens a name with "…" until it fits in width pixels.
func fitName(face font.Face, name string, width int) string {
	d := &font.Drawer{Face: face}
	if d.MeasureString(name).Round() <= width {
		return name
	}
	r := []rune(name)
	for len(r) > 1 {
		r = r[:len(r)-1]
		if s := string(r) + "…"; d.MeasureString(s).Round() <= width {
			return s
		}
	}
	return string(r)
}
