package catalog

import (
	"sort"

	"suivi/domain"
)

// Keys returns every key of lang in c, sorted.
func Keys(c *Catalog, l domain.Lang) []Key {
	keys := make([]Key, 0, len(c.texts[l]))
	for k := range c.texts[l] {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
