package dialogs

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"suivi/domain"
)

// The digest's chart: one row per beneficiary (in the digest's order), one
// column per week, each cell coloured by the week's self-evaluation score
// (1 red … 5 green) with the figure written in it. A check-in left without
// answer is a grey "–" (silence is not a zero score); answers kept private
// are a blue "·"; a week without check-in stays white.

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
func EmptyColor() color.RGBA   { return color.RGBA{230, 230, 230, 255} }

func chartInk() color.RGBA { return color.RGBA{40, 40, 40, 255} }

// CellValue is what one cell shows: a score 1–5, or one of these.
const (
	CellNone    = 0
	CellSilent  = -1
	CellPrivate = -2
)

// ChartCell returns what the chart shows for a case in a week: the shared
// score, silence (the same rule as the digest's count), answers not
// visible to the advisor, or nothing.
func ChartCell(c Case, w domain.Week) int { return c.Cells[w] }

// Chart draws the digest chart as a PNG.
func Chart(cases []Case, weeks []domain.Week) ([]byte, error) {
	w := ChartNameWidth + len(weeks)*ChartCellW + ChartPad
	h := ChartHeader + len(cases)*ChartCellH + ChartPad
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{255, 255, 255, 255}}, image.Point{}, draw.Src)
	face := basicfont.Face7x13
	text := func(x, y int, s string, c color.Color) {
		d := &font.Drawer{Dst: img, Src: &image.Uniform{c}, Face: face, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	for j, wk := range weeks {
		label := string(wk)
		if len(label) > 5 {
			label = "S" + label[len(label)-2:]
		}
		text(ChartNameWidth+j*ChartCellW+10, ChartHeader-8, label, chartInk())
	}
	colors := ScoreColors()
	for i, c := range cases {
		y := ChartHeader + i*ChartCellH
		name := []rune(c.Ben.Name)
		if len(name) > 17 {
			name = append(name[:16], '…')
		}
		text(ChartPad, y+14, asciiName(string(name)), chartInk())
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
				fill, label = SilentColor(), "-"
			case v == CellPrivate:
				fill, label = PrivateColor(), "."
			default:
				fill = EmptyColor()
			}
			draw.Draw(img, cell, &image.Uniform{fill}, image.Point{}, draw.Src)
			if label != "" {
				text(x+ChartCellW/2-3, y+14, label, chartInk())
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// asciiName keeps what the built-in bitmap font can draw: accented letters
// lose their accent, other characters become "?".
func asciiName(s string) string {
	f := fold(s)
	out := make([]rune, 0, len(f))
	for i, r := range f {
		switch {
		case r < 128:
			if i == 0 && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			out = append(out, r)
		default:
			out = append(out, '?')
		}
	}
	return string(out)
}
