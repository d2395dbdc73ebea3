// Package backtest applies a qualification model to past leads whose
// outcome is known and measures how well the model's verdicts predict it:
// precision, recall and lift per stage, ROC AUC of the score, a decile
// table, calibration by fit grade and the signal each point rule carries.
// Suggest fits point values to the outcomes and Patch writes them as a
// diff of the model's scoring file for people to review.
//
// Leads are read from CSV through a Mapping that says which columns hold
// the outcome, the model's fields and its signals.
package backtest

import (
	"errors"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/winnowhq/winnow/qualify"
)

// Default outcome values, compared case-insensitively.
var (
	DefaultPositive = []string{"yes", "true", "1", "won", "converted"}
	DefaultNegative = []string{"no", "false", "0", "lost"}
)

// Mapping says how the columns of a CSV of past leads map onto a model.
// Column names match case-insensitively, with surrounding spaces trimmed.
type Mapping struct {
	Outcome  string   // the column holding the known outcome
	Positive []string // outcome values that count as converted
	Negative []string // outcome values that count as not converted
	At       string   // the column holding the instant each lead is scored at, or ""
	Fields   []FieldColumn
	Signals  []SignalColumn
	Extra    []string // columns Suggest may turn into new rules
}

// FieldColumn maps a CSV column onto a model field.
type FieldColumn struct {
	Field  int               // index into the model's fields
	Column string            // the CSV column
	Values map[string]string // CSV value -> field answer; values not listed pass as they are
	Pos    qualify.Pos       // where the mapping names the field
}

// SignalColumn maps a CSV column onto a model signal. The column holds the
// instant the signal happened, or yes/true/1 for "at the lead's instant".
type SignalColumn struct {
	Signal int    // index into the model's signals
	Column string // the CSV column
	Pos    qualify.Pos
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
			mp.Extra = r.list(kv.Value, "extra")
		default:
			r.errAt(kv.Key, "unknown key "+strconv.Quote(key)+qualify.DidYouMean(key, []string{"outcome", "at", "fields", "signals", "extra"})+"; keys are outcome, at, fields, signals, extra")
		}
	}
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
		mp.Signals = append(mp.Signals, SignalColumn{Signal: i, Column: r.text(kv.Value, "signal "+name), Pos: r.pos(kv.Key)})
	}
}
