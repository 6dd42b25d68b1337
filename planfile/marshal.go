package planfile

import (
	"bytes"
	"strconv"

	"gopkg.in/yaml.v3"

	"suivi/domain"
)

// Marshal writes p in the plan file format, fields in the documented order,
// with the plan id, step ids and statuses, so that the file can be edited
// and sent back. Empty optional fields are left out; a step's reminders are
// written only when they are not the default (nil) ones. Step histories and
// the plan's creation and update times are not part of the format.
func Marshal(p *domain.Plan) ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	if p.ID != "" {
		add(root, "id", text(p.ID))
	}
	ben := &yaml.Node{Kind: yaml.MappingNode}
	add(ben, "name", text(p.Beneficiary.Name))
	if p.Beneficiary.Language != "" {
		add(ben, "language", text(string(p.Beneficiary.Language)))
	}
	if p.Beneficiary.Timezone != "" {
		add(ben, "timezone", text(p.Beneficiary.Timezone))
	}
	add(root, "beneficiary", ben)
	add(root, "advisor", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(p.AdvisorID, 10)})
	if p.Checkin != (domain.Checkin{}) {
		c := &yaml.Node{Kind: yaml.MappingNode}
		if p.Checkin.Schedule != "" {
			sched := text(p.Checkin.Schedule)
			sched.Style = yaml.DoubleQuotedStyle // cron specs read better quoted
			add(c, "schedule", sched)
		}
		if p.Checkin.Question != "" {
			add(c, "question", text(p.Checkin.Question))
		}
		add(root, "checkin", c)
	}
	steps := &yaml.Node{Kind: yaml.SequenceNode}
	for i := range p.Steps {
		steps.Content = append(steps.Content, stepNode(&p.Steps[i]))
	}
	add(root, "steps", steps)
	if len(p.Meetings) > 0 {
		add(root, "meetings", dates(p.Meetings))
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func stepNode(s *domain.Step) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	if s.ID != 0 {
		add(m, "id", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(s.ID)})
	}
	add(m, "title", text(s.Title))
	if s.Objective != "" {
		add(m, "objective", text(s.Objective))
	}
	if s.Owner != "" {
		add(m, "owner", text(string(s.Owner)))
	}
	if !s.Due.IsZero() || s.Due.HasTime {
		add(m, "due", date(s.Due))
	}
	if s.Reminders != nil {
		r := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, o := range s.Reminders {
			r.Content = append(r.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(o), Style: yaml.DoubleQuotedStyle})
		}
		add(m, "reminders", r)
	}
	if len(s.Resources) > 0 {
		add(m, "resources", texts(s.Resources))
	}
	if len(s.Indicators) > 0 {
		add(m, "indicators", texts(s.Indicators))
	}
	if s.Status != "" {
		add(m, "status", text(string(s.Status)))
	}
	return m
}

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

// text is a string scalar: the encoder quotes it when it would otherwise
// read as a number, a boolean, a date or null.
func text(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func texts(vs []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range vs {
		n.Content = append(n.Content, text(v))
	}
	return n
}

// date is a date or date-time scalar, written plain (2026-12-15) as in a
// hand-written file: Parse reads it as text whatever its YAML type.
func date(dt domain.DateTime) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: dt.String()}
}

func dates(dts []domain.DateTime) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, dt := range dts {
		d := date(dt)
		d.Style = yaml.DoubleQuotedStyle
		n.Content = append(n.Content, d)
	}
	return n
}
