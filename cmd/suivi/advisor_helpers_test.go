package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/redis/go-redis/v9"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"suivi/internal/clock"
	"suivi/telegramtest"
)

// Texts the advisor tests match on (catalog/fr.go).
const (
	txtDigestTitle  = "Votre point de la semaine"
	txtChartCaption = "Scores des 8 dernières semaines"
	txtAdvOnly      = "Cette commande est réservée aux conseillers"
	txtAdvNobody    = "Je ne trouve personne de ce nom parmi vos bénéficiaires"
	txtAdminOnly    = "Seuls les administrateurs peuvent inviter un conseiller"
	txtAdvWelcome   = "Vous êtes maintenant conseiller dans Suivi"
	txtInviteUsed   = "Ce lien a déjà servi"
	txtNextCheckin  = "Prochain point"
	txtClosedToast  = "Cette question est close. Merci !"

	// The check-in, as the digest test answers it.
	dgIntro   = "C'est le moment de faire le point"
	dgStepQ   = "Où en êtes-vous ?"
	dgNoteQ   = "Voulez-vous ajouter quelque chose"
	dgHelpQ   = "Avez-vous besoin d'aide"
	dgSkip    = "⏭️ Passer"
	dgDone    = "✅ Fait"
	dgBlocked = "⛔ Bloqué"
	dgKeep    = "🔒 Garder pour moi"
	dgNothing = "Rien à ajouter"
	dgHelpYes = "🙋 Oui, j'aimerais de l'aide"
	dgHelpNo  = "👍 Non, ça va"
)

// foldName makes a name comparable the way people sort them: lower case,
// without accents.
func foldName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// keySnapshot returns every key matching one of the patterns with a DUMP
// of its value (byte-identical values give identical dumps).
func keySnapshot(t *testing.T, rdb *redis.Client, patterns ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, pat := range patterns {
		iter := rdb.Scan(ctx, 0, pat, 200).Iterator()
		for iter.Next(ctx) {
			k := iter.Val()
			v, err := rdb.Dump(ctx, k).Result()
			if errors.Is(err, redis.Nil) {
				continue // gone between SCAN and DUMP (a queue key)
			}
			if err != nil {
				t.Fatalf("dump %s: %v", k, err)
			}
			out[k] = v
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sameKeys fails the test if a snapshot of keys differs from an earlier one,
// naming each key that changed, appeared or vanished.
func sameKeys(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	var diff []string
	for k, v := range after {
		if old, ok := before[k]; !ok {
			diff = append(diff, "added: "+k)
		} else if old != v {
			diff = append(diff, "changed: "+k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			diff = append(diff, "removed: "+k)
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Errorf("%s changed Redis:\n%s", what, strings.Join(diff, "\n"))
	}
}

// since returns the bot messages of u's chat after the first n.
func since(u *telegramtest.User, n int) []telegramtest.Message {
	ms := u.Messages()
	if n > len(ms) {
		return nil
	}
	return ms[n:]
}

// shown is everything a chat's messages let the reader see: texts,
// captions, button labels and the contents of uploaded documents.
func shown(ms []telegramtest.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.PlainText + "\n" + m.PlainCaption + "\n")
		for _, row := range m.Keyboard {
			for _, btn := range row {
				b.WriteString(btn.Text + "\n")
			}
		}
		if m.Kind == "document" {
			b.Write(m.File)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// exportRows decodes the CSV document of /export: UTF-8 with a byte order
// mark, ';' between fields, a header first.
func exportRows(t *testing.T, m telegramtest.Message) [][]string {
	t.Helper()
	if m.Kind != "document" || !strings.HasSuffix(m.FileName, ".csv") {
		t.Fatalf("export is not a CSV document: %s", m)
	}
	data, ok := bytes.CutPrefix(m.File, []byte("\uFEFF"))
	if !ok {
		t.Errorf("export does not start with a byte order mark")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export is not valid CSV: %v", err)
	}
	if len(rows) == 0 || rows[0][0] != "type" || rows[0][1] != "beneficiaire" {
		t.Fatalf("export has no header: %v", rows)
	}
	return rows
}

// decodeChart decodes a digest chart and checks it is a PNG.
func decodeChart(t *testing.T, m telegramtest.Message) image.Image {
	t.Helper()
	if m.Kind != "photo" {
		t.Fatalf("chart is not a photo: %s", m)
	}
	img, err := png.Decode(bytes.NewReader(m.File))
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	return img
}

// rgba reads one pixel as 8-bit RGBA.
func rgba(img image.Image, x, y int) color.RGBA {
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

func colorName(c color.RGBA) string { return fmt.Sprintf("rgb(%d,%d,%d)", c.R, c.G, c.B) }

// newWorldAt is newWorld with the clock at at and more environment.
// Redis expires invites and other keys by the real clock: tests keep
// their simulated time in the future of it.
func newWorldAt(t *testing.T, at time.Time, extra env) *world {
	t.Helper()
	clk := clock.NewFake(at)
	srv := telegramtest.NewServer(telegramtest.Options{Now: clk.Now})
	t.Cleanup(srv.Close)
	e := baseEnv(t, srv)
	for k, v := range extra {
		e[k] = v
	}
	return &world{clk: clk, srv: srv, e: e, r: start(t, e, clk), adv: srv.NewUser(advisorID, "Claire")}
}
