package sandbox

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"suivi/catalog"
	"suivi/domain"
)

//go:embed static page.html
var assets embed.FS

func staticFS() fs.FS {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // the embedded tree always has it
	}
	return sub
}

var pageTemplate = template.Must(template.ParseFS(assets, "page.html"))

// sampleVoice is the bundled recording sent when no microphone is at hand.
func sampleVoice() ([]byte, string) {
	b, err := assets.ReadFile("static/sample-voice.ogg")
	if err != nil {
		panic(err) // embedded
	}
	return b, "audio/ogg"
}

// pageKeys are the catalog texts the page uses, by the name its script
// knows them by.
var pageKeys = map[string]catalog.Key{
	"title": catalog.SbTitle, "tagline": catalog.SbTagline, "clock": catalog.SbClock,
	"plusHour": catalog.SbPlusHour, "plusDay": catalog.SbPlusDay, "plusWeek": catalog.SbPlusWeek,
	"next": catalog.SbNext, "nextAt": catalog.SbNextAt, "nothingNext": catalog.SbNothingNext,
	"zoneOf": catalog.SbZoneOf, "beneficiaries": catalog.SbBeneficiaries, "advisors": catalog.SbAdvisors,
	"phoneOf": catalog.SbPhoneOf, "menu": catalog.SbMenu, "menuTitle": catalog.SbMenuTitle,
	"message": catalog.SbMessage, "send": catalog.SbSend, "record": catalog.SbRecord,
	"stopRecord": catalog.SbStopRecord, "sample": catalog.SbSample, "noMic": catalog.SbNoMic,
	"inviteCard": catalog.SbInviteCard, "openInvite": catalog.SbOpenInvite,
	"startCard": catalog.SbStartCard, "start": catalog.SbStart,
	"addBen": catalog.SbAddBen, "addAdv": catalog.SbAddAdv, "reset": catalog.SbReset,
	"resetConfirm": catalog.SbResetConfirm, "chooseCase": catalog.SbChooseCase,
	"followedBy": catalog.SbFollowedBy, "advName": catalog.SbAdvName, "add": catalog.SbAdd,
	"cancel": catalog.SbCancel, "edited": catalog.SbEdited, "voice": catalog.SbVoice,
	"document": catalog.SbDocument, "photo": catalog.SbPhoto, "sticker": catalog.SbSticker,
	"silent": catalog.SbSilent, "busy": catalog.SbBusy, "error": catalog.SbError,
	"newInvite": catalog.SbNewInvite,
}

type pageData struct {
	Roles  []string
	Lang   string
	T      map[string]string
	Zone   string
	Labels map[string]string // the same texts, for the script
}

// page serves the sandbox page, in French or, with ?lang=en, English.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	lang := domain.French
	if strings.HasPrefix(r.URL.Query().Get("lang"), "en") {
		lang = domain.English
	}
	texts := map[string]string{}
	for name, key := range pageKeys {
		texts[name], _ = s.opts.Catalog.Raw(lang, key)
	}
	zone := "UTC"
	if world, err := s.current(); err == nil {
		zone = world.DefaultZone()
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, pageData{Roles: []string{RoleBeneficiary, RoleAdvisor}, Lang: string(lang), T: texts, Zone: zone, Labels: texts}); err != nil {
		fail(w, http.StatusInternalServerError, "page: %v", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "+
		"script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(b.Bytes())
}
