package planfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"suivi/domain"
)

// parseYAML reads data as one YAML document whose top is a mapping.
func parseYAML(data []byte) (root *yaml.Node, errs Errors) {
	// yaml.v3 is not known to panic on any input any more; should it, the
	// advisor gets an error rather than the bot a crash.
	defer func() {
		if r := recover(); r != nil {
			root, errs = nil, Errors{{Message: "the file cannot be read as YAML"}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{Message: "the file is empty"}}
		}
		return nil, Errors{syntaxError(err)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, Errors{syntaxError(err)}
	default:
		return nil, Errors{{Line: next.Line, Message: "the file holds more than one YAML document (a --- line): put one plan per file"}}
	}
	root = &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, Errors{{Message: "the file is empty"}}
		}
		root = root.Content[0]
	}
	switch {
	case isNull(root):
		return nil, Errors{{Message: "the file is empty"}}
	case root.Kind != yaml.MappingNode:
		return nil, Errors{{Line: root.Line, Message: "a plan file must be a mapping of fields (beneficiary:, advisor:, steps: ...), not " + describe(root)}}
	}
	return root, nil
}

// syntaxError turns a yaml error such as "yaml: line 3: did not find
// expected key" into an Error with its line.
func syntaxError(err error) Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil && n > 0 {
				return Error{Line: n, Message: "not valid YAML: " + text}
			}
		}
	}
	return Error{Message: "not valid YAML: " + msg}
}

// decoder turns a YAML tree into a plan, noting every problem on the way.
type decoder struct {
	errs Errors
	// bad holds the fields whose value could not be read: Validate's
	// problems about them (or about what they hold) would only repeat ours.
	bad map[string]bool
}

// note records a problem that leaves the field's value usable.
func (d *decoder) note(line int, field, format string, args ...any) {
	d.errs = append(d.errs, Error{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// fail records a problem with the value of field.
func (d *decoder) fail(line int, field, format string, args ...any) {
	d.note(line, field, format, args...)
	d.bad[field] = true
}

// reported reports whether field, or a field holding it, could not be read.
func (d *decoder) reported(field string) bool {
	for f := field; f != ""; {
		if d.bad[f] {
			return true
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return false
}

// handler reads the value of one field of a mapping. field is its full
// path, line the line of its key.
type handler func(field string, line int, v *yaml.Node)

// fields reads mapping n, calling the handler of each known field, and
// notes unknown and repeated fields.
func (d *decoder) fields(n *yaml.Node, path string, handlers map[string]handler) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.note(k.Line, path, "a field name must be a plain word, not %s", describe(k))
			continue
		}
		field := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.note(k.Line, field, "is given twice (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		h, ok := handlers[k.Value]
		if !ok {
			d.note(k.Line, path, "unknown field %s", quoteName(k.Value))
			continue
		}
		h(field, k.Line, v)
	}
}

// mapping returns v when it is a mapping. A null value is a missing one,
// which Validate reports if it matters.
func (d *decoder) mapping(field string, line int, v *yaml.Node) (*yaml.Node, bool) {
	switch {
	case v.Kind == yaml.MappingNode:
		return v, true
	case !isNull(v):
		d.wrongKind(line, field, v, "a mapping (field: value lines)")
	}
	return nil, false
}

// scalar returns the text of scalar v as written (a null is ""), whatever
// type YAML would give it: "2026-12-15" stays a string.
func (d *decoder) scalar(field string, line int, v *yaml.Node, want string) (string, bool) {
	switch {
	case isNull(v):
		return "", true
	case v.Kind == yaml.ScalarNode:
		return v.Value, true
	}
	d.wrongKind(line, field, v, want)
	return "", false
}

// wrongKind records that v is not the kind of value field needs.
func (d *decoder) wrongKind(line int, field string, v *yaml.Node, want string) {
	if v.Kind == yaml.AliasNode {
		d.fail(line, field, "aliases (*%s) are not supported: write the value out", v.Value)
		return
	}
	d.fail(line, field, "must be %s, not %s", want, describe(v))
}

func (d *decoder) text(field string, line int, v *yaml.Node) string {
	s, _ := d.scalar(field, line, v, "a text")
	return s
}

// integer reads a whole number in [lo, hi]; a null is 0.
func (d *decoder) integer(field string, line int, v *yaml.Node, what string, lo, hi int64) int64 {
	s, ok := d.scalar(field, line, v, what)
	if !ok || isNull(v) {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < lo || n > hi {
		d.fail(line, field, "must be %s, not %s", what, describe(v))
		return 0
	}
	return n
}

// dateTime reads a date or a date and time. A null is the zero DateTime,
// unless required.
func (d *decoder) dateTime(field string, line int, v *yaml.Node, required bool) domain.DateTime {
	const want = "a date like 2026-12-15 or 2026-12-15T14:30"
	s, ok := d.scalar(field, line, v, want)
	if !ok {
		return domain.DateTime{}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			d.fail(line, field, "is empty: give %s", want)
		}
		return domain.DateTime{}
	}
	dt, err := domain.ParseDateTime(s)
	if err != nil {
		d.fail(line, field, "must be %s, not %s", want, describe(v))
		return domain.DateTime{}
	}
	return dt
}

// list returns the items of a sequence; a single value is a one-item list
// and a null no list at all (nil, true).
func (d *decoder) list(field string, line int, v *yaml.Node) ([]*yaml.Node, bool) {
	switch {
	case v.Kind == yaml.SequenceNode:
		return v.Content, true
	case isNull(v):
		return nil, true
	case v.Kind == yaml.ScalarNode:
		return []*yaml.Node{v}, true
	}
	d.wrongKind(line, field, v, "a list")
	return nil, false
}

// texts reads a list of texts; an empty list is nil.
func (d *decoder) texts(field string, line int, v *yaml.Node) []string {
	items, _ := d.list(field, line, v)
	if len(items) == 0 {
		return nil
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = d.scalar(index(field, i), it.Line, it, "a text")
	}
	return out
}

func (d *decoder) plan(root *yaml.Node) *domain.Plan {
	p := &domain.Plan{}
	d.fields(root, "", map[string]handler{
		"id": func(f string, line int, v *yaml.Node) { p.ID = d.text(f, line, v) },
		"beneficiary": func(f string, line int, v *yaml.Node) {
			m, ok := d.mapping(f, line, v)
			if !ok {
				return
			}
			b := &p.Beneficiary
			d.fields(m, f, map[string]handler{
				"name":     func(f string, line int, v *yaml.Node) { b.Name = d.text(f, line, v) },
				"language": func(f string, line int, v *yaml.Node) { b.Language = domain.Lang(d.text(f, line, v)) },
				"timezone": func(f string, line int, v *yaml.Node) { b.Timezone = d.text(f, line, v) },
			})
		},
		"advisor": func(f string, line int, v *yaml.Node) {
			p.AdvisorID = d.integer(f, line, v, "the advisor's Telegram user id (a positive number)", 1, 1<<62)
		},
		"checkin": func(f string, line int, v *yaml.Node) {
			m, ok := d.mapping(f, line, v)
			if !ok {
				return
			}
			c := &p.Checkin
			d.fields(m, f, map[string]handler{
				"schedule": func(f string, line int, v *yaml.Node) { c.Schedule = d.text(f, line, v) },
				"question": func(f string, line int, v *yaml.Node) { c.Question = d.text(f, line, v) },
			})
		},
		"steps": func(f string, line int, v *yaml.Node) {
			switch {
			case isNull(v):
				return
			case v.Kind != yaml.SequenceNode:
				d.wrongKind(line, f, v, "a list of steps (lines starting with -)")
				return
			}
			items := v.Content
			if len(items) > domain.MaxSteps {
				d.note(line, f, "has %d steps, at most %d", len(items), domain.MaxSteps)
				items = items[:domain.MaxSteps]
			}
			p.Steps = make([]domain.Step, len(items))
			for i, it := range items {
				p.Steps[i] = d.step(index(f, i), it)
			}
		},
		"meetings": func(f string, line int, v *yaml.Node) {
			items, _ := d.list(f, line, v)
			for i, it := range items {
				p.Meetings = append(p.Meetings, d.dateTime(index(f, i), it.Line, it, true))
			}
		},
	})
	return p
}

// step reads one step. A step that is not a mapping stays a zero Step, so
// that the index of the next ones matches the file.
func (d *decoder) step(field string, n *yaml.Node) domain.Step {
	var s domain.Step
	switch {
	case n.Kind == yaml.MappingNode:
	case isNull(n):
		d.fail(n.Line, field, "is empty: a step needs at least a title and a due date")
		return s
	default:
		d.wrongKind(n.Line, field, n, "a step (title:, due: ... lines)")
		return s
	}
	d.fields(n, field, map[string]handler{
		"id": func(f string, line int, v *yaml.Node) {
			s.ID = int(d.integer(f, line, v, fmt.Sprintf("a whole number from 1 to %d", maxStepID), 1, maxStepID))
		},
		"title":     func(f string, line int, v *yaml.Node) { s.Title = d.text(f, line, v) },
		"objective": func(f string, line int, v *yaml.Node) { s.Objective = d.text(f, line, v) },
		"owner":     func(f string, line int, v *yaml.Node) { s.Owner = domain.Owner(d.text(f, line, v)) },
		"due":       func(f string, line int, v *yaml.Node) { s.Due = d.dateTime(f, line, v, false) },
		"reminders": func(f string, line int, v *yaml.Node) {
			items, _ := d.list(f, line, v)
			if items == nil {
				if v.Kind == yaml.SequenceNode {
					s.Reminders = []domain.Offset{} // "reminders: []": none at all
				}
				return
			}
			s.Reminders = make([]domain.Offset, len(items))
			for i, it := range items {
				o, _ := d.scalar(index(f, i), it.Line, it, "an offset like -3d or -2h")
				s.Reminders[i] = domain.Offset(strings.TrimSpace(o))
			}
		},
		"resources":  func(f string, line int, v *yaml.Node) { s.Resources = d.texts(f, line, v) },
		"indicators": func(f string, line int, v *yaml.Node) { s.Indicators = d.texts(f, line, v) },
		"status":     func(f string, line int, v *yaml.Node) { s.Status = domain.Status(d.text(f, line, v)) },
	})
	return s
}

// lineOf returns the line of field ("steps[2].reminders[1]") in the tree
// under root: the line of its key, or of its list item, or, when the field
// is missing, of the deepest field that holds it.
func lineOf(root *yaml.Node, field string) int {
	line, cur := root.Line, root
	if field == "" {
		return line
	}
	for _, part := range strings.Split(field, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			if cur.Kind != yaml.MappingNode {
				return line
			}
			var found *yaml.Node
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if k := cur.Content[i]; k.Kind == yaml.ScalarNode && k.Value == name {
					line, found = k.Line, cur.Content[i+1]
					break
				}
			}
			if found == nil {
				return line
			}
			cur = found
		}
		for rest != "" {
			num, after, _ := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if err != nil || cur.Kind != yaml.SequenceNode || i < 0 || i >= len(cur.Content) {
				return line
			}
			cur = cur.Content[i]
			line = cur.Line
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return line
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(shorten(n.Value))
	}
	return "a YAML document"
}

// quoteName writes a field name as is when it is a plain word, quoted
// otherwise.
func quoteName(s string) string {
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return strconv.Quote(shorten(s))
		}
	}
	if s == "" || len(s) > 40 {
		return strconv.Quote(shorten(s))
	}
	return s
}

// shorten cuts s to about 40 characters for messages.
func shorten(s string) string {
	const n = 40
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
