package backtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/winnowhq/winnow/qualify"
)

// Patch returns a unified diff of the scoring file src, named path in the
// diff, that gives the model's point rules their suggested points and
// appends the candidate rules as comments for people to adopt. note is
// written above the diff, where `git apply` ignores it. A rule is found by
// its position, m.Points[i].Pos, so src must be the file m was loaded from.
// When nothing would change, Patch returns nil.
func Patch(src []byte, path string, m *qualify.Model, s *Suggestion, note string) ([]byte, error) {
	lines := strings.SplitAfter(string(src), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	changed := make([]string, len(lines))
	copy(changed, lines)
	values, err := pointValues(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, f := range s.Rules {
		if f.Points == f.Current {
			continue
		}
		pr := m.Points[f.Rule]
		v, ok := values[[2]int{pr.Pos.Line, pr.Pos.Col}]
		if !ok || v.name != pr.Name {
			return nil, fmt.Errorf("%s: no point rule %q at line %d: the file changed since the model was loaded", path, pr.Name, pr.Pos.Line)
		}
		line := []rune(changed[v.line-1])
		old := []rune(v.text)
		at := v.col - 1
		if at+len(old) > len(line) || string(line[at:at+len(old)]) != v.text {
			return nil, fmt.Errorf("%s:%d:%d: the points of rule %q are not where the file says", path, v.line, v.col, pr.Name)
		}
		changed[v.line-1] = string(line[:at]) + strconv.Itoa(f.Points) + string(line[at+len(old):])
	}
	if len(s.Candidates) > 0 {
		if n := len(changed); n > 0 && !strings.HasSuffix(changed[n-1], "\n") {
			changed[n-1] += "\n"
		}
		changed = append(changed, candidateComment(s.Candidates)...)
	}
	if slices.Equal(lines, changed) {
		return nil, nil
	}
	var b strings.Builder
	if note != "" {
		b.WriteString(strings.TrimRight(note, "\n"))
		b.WriteString("\n\n")
	}
	b.WriteString(unified(path, lines, changed))
	return []byte(b.String()), nil
}

// pointValue is where a point rule's points are written.
type pointValue struct {
	name      string
	line, col int    // of the value, 1-based (col in characters)
	text      string // the value as written
}

// pointValues finds the points of every rule in a scoring file, by the
// position the loader gives the rule: its first key in block style, its
// opening brace in flow style.
func pointValues(src []byte) (map[[2]int]pointValue, error) {
	doc, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, err
	}
	out := map[[2]int]pointValue{}
	if len(doc.Docs) == 0 {
		return out, nil
	}
	var seq *ast.SequenceNode
	for _, kv := range mappingValues(doc.Docs[0].Body) {
		if kv.Key.GetToken().Value == "points" {
			seq, _ = kv.Value.(*ast.SequenceNode)
		}
	}
	if seq == nil {
		return out, nil
	}
	for _, item := range seq.Values {
		var v pointValue
		for _, kv := range mappingValues(item) {
			switch kv.Key.GetToken().Value {
			case "name":
				v.name, _ = scalar(kv.Value)
			case "points":
				tk := kv.Value.GetToken()
				v.line, v.col, v.text = tk.Position.Line, tk.Position.Column, tk.Value
			}
		}
		tk := item.GetToken()
		if mn, ok := item.(*ast.MappingNode); ok && !mn.IsFlowStyle && len(mn.Values) > 0 {
			tk = mn.Values[0].Key.GetToken()
		} else if mv, ok := item.(*ast.MappingValueNode); ok {
			tk = mv.Key.GetToken()
		}
		if v.line > 0 && tk != nil && tk.Position != nil {
			out[[2]int{tk.Position.Line, tk.Position.Column}] = v
		}
	}
	return out, nil
}

func mappingValues(n ast.Node) []*ast.MappingValueNode {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}
	}
	return nil
}

// candidateComment writes the candidate rules with points as commented
// YAML items of the points list.
func candidateComment(cands []Feature) []string {
	out := []string{
		"\n",
		"# Candidate rules fitted by winnow backtest from columns the model does not score.\n",
		"# Each reads a field named like its column: add the field to fields.yaml, move\n",
		"# the rule into the points list above and remove the comment marks. The kind is\n",
		"# a guess from the sign of the points: choose the axis the rule belongs on.\n",
	}
	n := 0
	for _, c := range cands {
		if c.Points == 0 {
			continue
		}
		n++
		kind := "negative"
		switch {
		case c.Points > 5:
			kind = "engagement"
		case c.Points > 0:
			kind = "behaviour"
		}
		out = append(out,
			"#  - name: "+c.Name+"\n",
			"#    kind: "+kind+"\n",
			"#    points: "+strconv.Itoa(c.Points)+"\n",
			"#    label: "+yamlQuote(c.Label)+"\n",
			"#    when: "+yamlQuote(c.When)+"\n",
		)
	}
	if n == 0 {
		return nil
	}
	return out
}

// yamlQuote writes s as a single-quoted YAML scalar.
func yamlQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "'", "''") + "'"
}

// unified writes a unified diff, with three lines of context, from old to
// new, where new holds old's lines, some changed in place, and perhaps
// more lines at the end. Lines keep their line ends.
func unified(path string, old, new []string) string {
	type op struct {
		kind     byte // ' ', '~' (changed) or '+'
		old, new string
	}
	var ops []op
	for i := range max(len(old), len(new)) {
		switch {
		case i >= len(old):
			ops = append(ops, op{'+', "", new[i]})
		case i >= len(new):
			ops = append(ops, op{'-', old[i], ""})
		case old[i] == new[i]:
			ops = append(ops, op{' ', old[i], new[i]})
		default:
			ops = append(ops, op{'~', old[i], new[i]})
		}
	}
	const context = 3
	var b strings.Builder
	b.WriteString("--- a/" + path + "\n+++ b/" + path + "\n")
	line := func(prefix byte, s string) {
		b.WriteByte(prefix)
		b.WriteString(s)
		if !strings.HasSuffix(s, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
	oldLine, newLine := 0, 0 // lines before ops[i]
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			oldLine++
			newLine++
			continue
		}
		// A hunk: from context lines before the change to context lines
		// after the last change closer than two contexts to the previous.
		start := max(0, i-context)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
			} else if j-end >= 2*context {
				break
			}
		}
		stop := min(len(ops), end+context)
		oStart, nStart := oldLine-(i-start), newLine-(i-start)
		var oCount, nCount int
		for _, o := range ops[start:stop] {
			switch o.kind {
			case ' ', '~':
				oCount++
				nCount++
			case '+':
				nCount++
			case '-':
				oCount++
			}
		}
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(oStart, oCount), hunkRange(nStart, nCount))
		for _, o := range ops[start:stop] {
			switch o.kind {
			case ' ':
				line(' ', o.old)
			case '~':
				line('-', o.old)
				line('+', o.new)
			case '+':
				line('+', o.new)
			case '-':
				line('-', o.old)
			}
		}
		for _, o := range ops[i:stop] {
			if o.kind != '+' {
				oldLine++
			}
			if o.kind != '-' {
				newLine++
			}
		}
		i = stop
	}
	return b.String()
}

// hunkRange formats the start (0-based lines before) and count of a hunk.
func hunkRange(before, count int) string {
	if count == 0 {
		return strconv.Itoa(before) + ",0"
	}
	return strconv.Itoa(before+1) + "," + strconv.Itoa(count)
}
