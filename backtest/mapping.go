// Package backtest applies a qualification model to past leads whose
// outcome is known and measures how well the model's verdicts predict it:
// precision, recall and lift per stage, ROC AUC of the score, a decile
// table, calibration by fit grade and the signal each point rule carries.
// Suggest fits point values to the outcomes, and candidate rules over the
// extra columns; Patch writes them as a diff of the model's scoring and
// fields files that people review and apply.
//
// Leads are read from CSV through a Mapping that says which columns hold
// the outcome, the model's fields and its signals, which values mean "no
// answer", and which extra columns may become rules; or they are added
// one by one with a Builder, as the stored leads are.
package backtest

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// Default outcome values, compared case-insensitively.
var (
	DefaultPositive = []string{"yes", "true", "1", "won", "converted"}
	DefaultNegative = []string{"no", "false", "0", "lost"}
)

// DefaultMissing are the values that stand for no value when the mapping
// lists none under missing: what spreadsheets, databases and exports write
// for an empty cell ("NA", "N/A", "#N/A", "NaN", "null", "-", "--", "?",
// "(blank)") and the placeholders of a form's unanswered select ("Select",
// "Select...", "-- select --", "Please select", "unknown"). They are
// compared case-insensitively, trimmed. "none" and "0" are not among them:
// they are often real answers (no budget, no seats). An empty cell is
// always missing.
var DefaultMissing = []string{"NA", "N/A", "#N/A", "NaN", "null", "-", "--", "?", "(blank)",
	"Select", "Select...", "-- select --", "Please select", "unknown"}

// NumericShare is the share of an extra column's present values that must
// be numbers for the column to be read as numbers when the mapping gives
// it no type; the other values are then treated as missing.
const NumericShare = 0.95

// Mapping says how the columns of a CSV of past leads map onto a model.
// Column names match case-insensitively, with surrounding spaces trimmed.
//
// A model field reads the column the mapping maps it to, else the column
// of its own name unless that column is listed as extra; so does a signal.
// An extra column is never read into a field or a signal.
type Mapping struct {
	Outcome  string   // the column holding the known outcome
	Positive []string // outcome values that count as converted
	Negative []string // outcome values that count as not converted
	At       string   // the column holding the instant each lead is scored at, or ""
	// Missing are the values that stand for no value, compared
	// case-insensitively, trimmed: DefaultMissing when the mapping lists
	// none. An empty cell is always missing. A missing answer to a field
	// is an empty answer, unless the field's value map maps the value or
	// the value is one of the field's options; a missing signal is none.
	Missing []string
	Fields  []FieldColumn
	Signals []SignalColumn
	Extra   []ExtraColumn // columns Suggest may turn into new rules
}

// FieldColumn maps a CSV column onto a model field.
type FieldColumn struct {
	Field  int               // index into the model's fields
	Column string            // the CSV column
	Values map[string]string // CSV value -> field answer; values not listed pass as they are
	Pos    qualify.Pos       // where the mapping names the field
}

// SignalColumn maps a CSV column onto a model signal. The column holds the
// instant the signal happened, or yes/true/1 for "at the lead's instant";
// no/false/0 and missing values are no signal. With a value map, the
// column holds anything: a value listed maps to yes, no or an instant, and
// a value not listed is no signal.
type SignalColumn struct {
	Signal int               // index into the model's signals
	Column string            // the CSV column
	Values map[string]string // CSV value -> yes, no or an instant; nil: the column holds those
	Pos    qualify.Pos
}

// ColumnType says how an extra column is read.
type ColumnType uint8

// Column types. TypeAuto reads a column as numbers when at least
// NumericShare of its present values are numbers, else as text.
const (
	TypeAuto ColumnType = iota
	TypeNumber
	TypeText
)

// ExtraColumn is a column Suggest may turn into candidate rules.
type ExtraColumn struct {
	Column string
	Type   ColumnType
	// Kind is the kind of point rule its candidates are: engagement
	// points unless the mapping says otherwise (most extra columns are
	// counts of what the lead did).
	Kind qualify.PointKind
	// Attr names the attribute field a rule over the column reads: the
	// mapping's as:, else the column's name in lower case with every run
	// of other characters than letters and digits made one _. It may be a
	// field of the model only when the mapping reads the column into that
	// field under fields:.
	Attr   string
	Pos    qualify.Pos // where the mapping names the column
	attrAt qualify.Pos // where the mapping names the attribute
}

// ParseMapping reads a mapping file written in YAML. file names it in
// problems, which are returned as qualify.Diags, each at file:line:col.
func ParseMapping(src []byte, file string, m *qualify.Model) (*Mapping, error) {
	r := &mapReader{file: file}
	mp := &Mapping{}
	doc, err := parser.ParseBytes(src, 0)
	if err != nil {
		var se *yaml.SyntaxError
		if errors.As(err, &se) && se.Token != nil && se.Token.Position != nil {
			r.diags.Add(qualify.Pos{File: file, Line: se.Token.Position.Line, Col: se.Token.Position.Column}, "invalid YAML: "+se.Message)
		} else {
			r.diags.Add(qualify.Pos{File: file, Line: 1, Col: 1}, "invalid YAML: "+strings.SplitN(err.Error(), "\n", 2)[0])
		}
		return nil, r.diags
	}
	var body ast.Node
	if len(doc.Docs) > 0 {
		body = doc.Docs[0].Body
	}
	seen := map[string]bool{}
	for _, kv := range r.entries(body, "the mapping") {
		key := kv.Key.GetToken().Value
		if seen[key] {
			r.errAt(kv.Key, "the mapping: "+strconv.Quote(key)+" is given twice")
			continue
		}
		seen[key] = true
		switch key {
		case "outcome":
			r.outcome(mp, kv.Value)
		case "at":
			mp.At = r.text(kv.Value, "at")
		case "fields":
			r.fields(mp, m, kv.Value)
		case "signals":
			r.signals(mp, m, kv.Value)
		case "extra":
			r.extra(mp, m, kv.Value)
		case "missing":
			mp.Missing = r.values(kv.Value, "missing")
		default:
			r.errAt(kv.Key, "unknown key "+strconv.Quote(key)+qualify.DidYouMean(key, mappingKeys)+"; keys are "+strings.Join(mappingKeys, ", "))
		}
	}
	if mp.Missing == nil {
		mp.Missing = DefaultMissing
	}
	r.checkAttrs(mp, m)
	if !seen["outcome"] {
		r.diags.Add(r.pos(body), "outcome is missing: name the column holding the known outcome (outcome: {column: converted})")
	}
	if mp.Positive == nil {
		mp.Positive = DefaultPositive
	}
	if mp.Negative == nil {
		mp.Negative = DefaultNegative
	}
	for _, p := range mp.Positive {
		for _, n := range mp.Negative {
			if strings.EqualFold(strings.TrimSpace(p), strings.TrimSpace(n)) {
				r.diags.Add(r.pos(body), "outcome: "+strconv.Quote(p)+" is both positive and negative")
			}
		}
	}
	if len(r.diags) > 0 {
		r.diags.Sort()
		return nil, r.diags
	}
	return mp, nil
}

var mappingKeys = []string{"outcome", "at", "fields", "signals", "extra", "missing"}

// mapReader reads the YAML of a mapping, collecting its problems.
type mapReader struct {
	file  string
	diags qualify.Diags
}

func (r *mapReader) pos(n ast.Node) qualify.Pos {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return qualify.Pos{File: r.file, Line: 1, Col: 1}
	}
	if mn, ok := n.(*ast.MappingNode); ok && len(mn.Values) > 0 {
		n = mn.Values[0].Key
	}
	if mv, ok := n.(*ast.MappingValueNode); ok {
		n = mv.Key
	}
	p := n.GetToken().Position
	return qualify.Pos{File: r.file, Line: p.Line, Col: p.Column}
}

func (r *mapReader) errAt(n ast.Node, msg string) { r.diags.Add(r.pos(n), msg) }

// entries returns the keys and values of a mapping node.
func (r *mapReader) entries(n ast.Node, what string) []*ast.MappingValueNode {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}
	case nil, *ast.NullNode:
		return nil
	}
	r.errAt(n, what+" must be a mapping of names to values")
	return nil
}

// scalar returns the text of a scalar node, and false for anything else.
func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return v.GetToken().Value, true
	case *ast.NullNode, nil:
		return "", true
	}
	return "", false
}

// text reads a non-empty scalar.
func (r *mapReader) text(n ast.Node, what string) string {
	s, ok := scalar(n)
	if !ok || strings.TrimSpace(s) == "" {
		r.errAt(n, what+" must be a column name")
		return ""
	}
	return strings.TrimSpace(s)
}

// list reads a sequence of scalars.
func (r *mapReader) list(n ast.Node, what string) []string {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		r.errAt(n, what+" must be a list, like [yes, won]")
		return nil
	}
	out := []string{}
	for _, item := range seq.Values {
		out = append(out, r.text(item, what+" item"))
	}
	return out
}

func (r *mapReader) outcome(mp *Mapping, n ast.Node) {
	if s, ok := scalar(n); ok && s != "" {
		mp.Outcome = strings.TrimSpace(s)
		return
	}
	for _, kv := range r.entries(n, "outcome") {
		switch key := kv.Key.GetToken().Value; key {
		case "column":
			mp.Outcome = r.text(kv.Value, "outcome column")
		case "positive":
			mp.Positive = r.list(kv.Value, "outcome positive")
		case "negative":
			mp.Negative = r.list(kv.Value, "outcome negative")
		default:
			r.errAt(kv.Key, "outcome: unknown key "+strconv.Quote(key)+"; keys are column, positive, negative")
		}
	}
	if mp.Outcome == "" {
		r.errAt(n, "outcome: column is missing")
	}
}

func fieldNames(m *qualify.Model) []string {
	names := make([]string, len(m.Fields))
	for i, f := range m.Fields {
		names[i] = f.Name
	}
	return names
}

func signalNames(m *qualify.Model) []string {
	names := make([]string, len(m.Signals))
	for i, s := range m.Signals {
		names[i] = s.Name
	}
	return names
}

// modelName reads the key of an entry of fields or signals: the name of
// one of the model's fields or signals, whose index it returns, or -1.
func (r *mapReader) modelName(kv *ast.MappingValueNode, what string, index func(string) int, names []string) (string, int) {
	name := kv.Key.GetToken().Value
	i := index(name)
	if i < 0 {
		r.errAt(kv.Key, what+"s: the model has no "+what+" "+strconv.Quote(name)+qualify.DidYouMean(name, names))
	}
	return name, i
}

func (r *mapReader) fields(mp *Mapping, m *qualify.Model, n ast.Node) {
	for _, kv := range r.entries(n, "fields") {
		name, i := r.modelName(kv, "field", m.FieldIndex, fieldNames(m))
		if i < 0 {
			continue
		}
		fc := FieldColumn{Field: i, Pos: r.pos(kv.Key)}
		if _, ok := scalar(kv.Value); ok {
			fc.Column = r.text(kv.Value, "field "+name)
		} else {
			for _, e := range r.entries(kv.Value, "field "+name) {
				switch key := e.Key.GetToken().Value; key {
				case "column":
					fc.Column = r.text(e.Value, "field "+name+": column")
				case "values":
					fc.Values = map[string]string{}
					for _, v := range r.entries(e.Value, "field "+name+": values") {
						to, ok := scalar(v.Value)
						if !ok {
							r.errAt(v.Value, "field "+name+": values: "+strconv.Quote(v.Key.GetToken().Value)+" must map to one answer")
						}
						fc.Values[strings.TrimSpace(v.Key.GetToken().Value)] = to
					}
				default:
					r.errAt(e.Key, "field "+name+": unknown key "+strconv.Quote(key)+"; keys are column, values")
				}
			}
			if fc.Column == "" {
				fc.Column = name
			}
		}
		mp.Fields = append(mp.Fields, fc)
	}
}

func (r *mapReader) signals(mp *Mapping, m *qualify.Model, n ast.Node) {
	for _, kv := range r.entries(n, "signals") {
		name, i := r.modelName(kv, "signal", m.SignalIndex, signalNames(m))
		if i < 0 {
			continue
		}
		sc := SignalColumn{Signal: i, Pos: r.pos(kv.Key)}
		if _, ok := scalar(kv.Value); ok {
			sc.Column = r.text(kv.Value, "signal "+name)
		} else {
			for _, e := range r.entries(kv.Value, "signal "+name) {
				switch key := e.Key.GetToken().Value; key {
				case "column":
					sc.Column = r.text(e.Value, "signal "+name+": column")
				case "values":
					sc.Values = map[string]string{}
					for _, v := range r.entries(e.Value, "signal "+name+": values") {
						from := v.Key.GetToken().Value
						to, ok := scalar(v.Value)
						if !ok || !signalValue(to) {
							r.errAt(v.Value, "signal "+name+": values: "+strconv.Quote(from)+" must map to yes, no or an instant like 2026-03-31 or 2026-03-31T09:30:00Z")
						}
						sc.Values[strings.TrimSpace(from)] = strings.TrimSpace(to)
					}
				default:
					r.errAt(e.Key, "signal "+name+": unknown key "+strconv.Quote(key)+"; keys are column, values")
				}
			}
			if sc.Column == "" {
				sc.Column = name
			}
		}
		mp.Signals = append(mp.Signals, sc)
	}
}

// signalValue reports whether s is what a signal column may hold: yes,
// no (or true, false, 1, 0) or an instant.
func signalValue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "1", "no", "false", "0":
		return true
	}
	_, ok := content.ParseInstant(strings.TrimSpace(s))
	return ok
}

// values reads a sequence of scalars, which may be empty.
func (r *mapReader) values(n ast.Node, what string) []string {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		r.errAt(n, what+" must be a list, like [NA, \"Select...\"]")
		return nil
	}
	out := []string{}
	for _, item := range seq.Values {
		s, ok := scalar(item)
		if !ok {
			r.errAt(item, what+": each item must be one value")
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// extra reads the extra columns: each a column's name, or a mapping of
// column, type, kind and as.
func (r *mapReader) extra(mp *Mapping, m *qualify.Model, n ast.Node) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		r.errAt(n, "extra must be a list of columns, like [pages_viewed, {column: lead_source, type: text}]")
		return
	}
	mp.Extra = []ExtraColumn{}
	columns := map[string]qualify.Pos{}
	for _, item := range seq.Values {
		x := ExtraColumn{Kind: qualify.EngagementPoints, Pos: r.pos(item)}
		var as ast.Node
		if _, ok := scalar(item); ok {
			x.Column = r.text(item, "extra item")
		} else {
			for _, e := range r.entries(item, "extra item") {
				switch key := e.Key.GetToken().Value; key {
				case "column":
					x.Column = r.text(e.Value, "extra: column")
				case "type":
					switch s, _ := scalar(e.Value); strings.TrimSpace(s) {
					case "number":
						x.Type = TypeNumber
					case "text":
						x.Type = TypeText
					default:
						r.errAt(e.Value, "extra: type must be number or text (or left out: number when nearly every value is one)")
					}
				case "kind":
					s, _ := scalar(e.Value)
					k, ok := qualify.ParsePointKind(strings.TrimSpace(s))
					if !ok {
						r.errAt(e.Value, "extra: kind must be fit, engagement, behaviour or negative")
					}
					x.Kind = k
				case "as":
					s, _ := scalar(e.Value)
					x.Attr, as = strings.TrimSpace(s), e.Value
					if !qualify.IsName(x.Attr) || x.Attr != strings.ToLower(x.Attr) {
						r.errAt(e.Value, "extra: as "+strconv.Quote(x.Attr)+" must start with a letter and hold only lower-case letters, digits and _")
						continue
					}
				default:
					r.errAt(e.Key, "extra: unknown key "+strconv.Quote(key)+qualify.DidYouMean(key, []string{"column", "type", "kind", "as"})+"; keys are column, type, kind, as")
				}
			}
			if x.Column == "" {
				r.errAt(item, "extra: column is missing, as in {column: lead_source, type: text}")
				continue
			}
		}
		if x.Column == "" {
			continue
		}
		key := strings.ToLower(x.Column)
		if first, dup := columns[key]; dup {
			r.diags.Add(x.Pos, "extra: "+strconv.Quote(x.Column)+" is listed twice (first at "+first.String()+")")
			continue
		}
		columns[key] = x.Pos
		x.attrAt = x.Pos
		if as == nil {
			x.Attr = attrName(x.Column)
		} else {
			x.attrAt = r.pos(as)
		}
		mp.Extra = append(mp.Extra, x)
	}
}

// checkAttrs checks the attributes of the extra columns, once the fields
// are read: each its own, and none the name of a field, unless the column
// is read into that field, or of a signal.
func (r *mapReader) checkAttrs(mp *Mapping, m *qualify.Model) {
	attrs := map[string]qualify.Pos{}
	for _, x := range mp.Extra {
		at, what := x.attrAt, "extra "+strconv.Quote(x.Column)+": its attribute "+strconv.Quote(x.Attr)
		switch f := m.FieldIndex(x.Attr); {
		case f >= 0 && !slices.ContainsFunc(mp.Fields, func(fc FieldColumn) bool {
			return fc.Field == f && strings.EqualFold(fc.Column, x.Column)
		}):
			r.diags.Add(at, what+" is a field of the model the column is not read into; "+
				"map the column under fields: ("+x.Attr+": "+x.Column+") to read it into the field, or name another attribute with as: ({column: "+x.Column+", as: "+x.Attr+"_2})")
		case m.SignalIndex(x.Attr) >= 0:
			r.diags.Add(at, what+" is a signal of the model; name another with as:")
		case qualify.IsReserved(x.Attr):
			r.diags.Add(at, what+" is reserved by the rule language; name another with as:")
		}
		if first, dup := attrs[x.Attr]; dup {
			r.diags.Add(at, what+" is already that of the column at "+first.String()+"; name another with as:")
		}
		attrs[x.Attr] = at
	}
}

// attrName makes a column's name an attribute field's name: lower case,
// each run of other characters than ASCII letters and digits one _, and x_
// before a name that would not start with a letter.
func attrName(column string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(strings.TrimSpace(column)) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
		case b.Len() > 0 && b.String()[b.Len()-1] != '_':
			b.WriteByte('_')
		}
	}
	out := strings.TrimRight(b.String(), "_")
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "x_" + out
	}
	return strings.TrimRight(out, "_")
}
