// Package examples holds example plan files, one per real accompaniment case
// from the good-practice guide Suivi was built from, in French and with
// aliases only. They show advisors the plan format and serve as test data.
package examples

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

// FS holds the example plan files, named like "permis-mobilite.yaml".
//
//go:embed *.yaml
var FS embed.FS

// Names returns the example names (file names without .yaml), sorted.
func Names() []string {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Read returns the content of the example called name (without .yaml).
func Read(name string) ([]byte, error) {
	return FS.ReadFile(name + ".yaml")
}
