package planfile_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"suivi/domain"
	"suivi/examples"
	"suivi/planfile"
)

// FuzzParse checks that Parse never panics, that its errors are always
// Errors with lines within the file, and that whatever it accepts survives
// Marshal and Parse again unchanged. The seed corpus (the examples and a
// few broken files) runs with the normal tests; run the fuzzer with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 30s ./planfile/
func FuzzParse(f *testing.F) {
	for _, name := range examples.Names() {
		data, err := examples.Read(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"---\n",
		"- a\n- b\n",
		"beneficiary: &a {name: *a}\n",
		"beneficiary:\n  name: Awa\n steps: x\n",
		"beneficiary: {name: Awa}\nadvisor: 1\nsteps: [{title: A, due: 2027-01-10T10:00, reminders: [-2h, 0d]}]\n",
		"beneficiary: {name: Awa}\nadvisor: 1\nsteps: [{id: 3, title: A, due: 2027-01-10}, {title: B, due: 2027-01-11, reminders: []}]\n",
		"advisor: 99999999999999999999\nsteps: {}\nmeetings: [[1]]\n",
		"beneficiary: {name: Awa}\nadvisor: 1\nsteps: [{title: \"x\\ty\", due: 2027-01-10, objective: \"a\\nb\"}]\n",
		"a: 1\n---\nb: 2\n",
		"? [a]\n: b\n<<: {c: d}\n",
		"\r0",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := planfile.Parse(data, "Europe/Paris")
		if err != nil {
			var es planfile.Errors
			if !errors.As(err, &es) || len(es) == 0 || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("error %T %v: want non-empty planfile.Errors", err, err)
			}
			// YAML also breaks lines on \r and a few Unicode characters.
			lines := 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) +
				bytes.Count(data, []byte("\u0085")) + bytes.Count(data, []byte("\u2028")) + bytes.Count(data, []byte("\u2029"))
			for _, e := range es {
				if e.Line < 0 || e.Line > lines || e.Message == "" {
					t.Errorf("problem %+v: line out of the file (%d lines) or no message", e, lines)
				}
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid plan: %v", err)
		}
		out, err := planfile.Marshal(p)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := planfile.Parse(out, "UTC")
		if err != nil {
			t.Fatalf("Parse(Marshal(p)): %v\n%s", err, out)
		}
		if d := cmp.Diff(p, again, ignoreUnwritten()); d != "" {
			t.Fatalf("Parse(Marshal(p)) (-want +got):\n%s\n%s", d, out)
		}
	})
}
