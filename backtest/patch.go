package backtest

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/winnowhq/winnow/qualify"
)

// PatchFiles are the two content files a suggestion's patch changes: their
// text, as the model was loaded from them, and their paths in the diff,
// relative to the directory `git apply` runs in, with forward slashes.
type PatchFiles struct {
	Scoring, Fields         []byte
	ScoringPath, FieldsPath string
}

// Patch returns a unified diff of the scoring and fields files that a
// marketer can apply with `git apply` to adopt a suggestion, and that
// yields a model that loads:
//
//   - each of the model's point rules gets its suggested points; where
//     they go against the rule's kind, the rule gets the proposed kind too,
//     with a comment saying so;
//   - each rule Suggest proposes to remove (Feature.Remove) is deleted, its
//     whole list item, block or flow style, and a one-line comment in its
//     place says which rule it was and why it went;
//   - each candidate rule with points becomes a point rule appended to the
//     points list, with its kind stated (the kind its column's mapping
//     states, or the proposed one, with a comment, when its points go
//     against that kind), its points, a label in words and its when rule;
//   - each attribute the new rules read is declared at the end of the
//     fields list, unless the model has a field of that name already:
//     attribute: true, of type number for cuts and text for values, with a
//     label made from its column's name and a help saying integrations
//     fill it in. A field of that name whose type the rules cannot read is
//     an error that names it.
//
// note is written above the diff, where `git apply` ignores it. A rule is
// found by its position, m.Points[i].Pos, so files must hold the text m
// was loaded from. When nothing would change, Patch returns nil.
//
// Nothing else in the content names a point rule, so removing one leaves
// a model that loads. The example leads, though, expect stages, fit
// grades and scores that new points, and a removed rule, may change: the
// patch cannot know what they should become, so check them after applying
// it.
func Patch(files PatchFiles, m *qualify.Model, s *Suggestion, note string) ([]byte, error) {
	scoring, err := newFileEdit(files.ScoringPath, files.Scoring)
	if err != nil {
		return nil, err
	}
	fields, err := newFileEdit(files.FieldsPath, files.Fields)
	if err != nil {
		return nil, err
	}
	if err := scoring.rules(m, s.Rules, s.Leads); err != nil {
		return nil, err
	}
	adopted, attrs, err := adopt(m, s.Candidates)
	if err != nil {
		return nil, err
	}
	if len(adopted) > 0 {
		if err := scoring.appendRules(m, adopted); err != nil {
			return nil, err
		}
	}
	if len(attrs) > 0 {
		if err := fields.appendFields(attrs); err != nil {
			return nil, err
		}
	}
	var b strings.Builder
	for _, e := range []*fileEdit{fields, scoring} {
		diff, err := e.diff()
		if err != nil {
			return nil, err
		}
		b.WriteString(diff)
	}
	if b.Len() == 0 {
		return nil, nil
	}
	if note != "" {
		return []byte(strings.TrimRight(note, "\n") + "\n\n" + b.String()), nil
	}
	return []byte(b.String()), nil
}

// proposedKind returns the kind a rule is stated to be (its own for a
// model rule; for a candidate, the kind its column's mapping states,
// engagement when it states none), the kind its patch gives it (the kind
// Suggest proposes), and whether they differ because its points go
// against the stated kind.
func proposedKind(m *qualify.Model, f *Feature) (stated, kind qualify.PointKind, changed bool) {
	stated = f.Kind
	if stated == 0 && f.Rule >= 0 && f.Rule < len(m.Points) {
		stated = m.Points[f.Rule].Kind
	}
	if stated == 0 {
		stated = qualify.EngagementPoints
	}
	kind = cmp.Or(f.SuggestKind, stated)
	return stated, kind, kind != stated
}

// removeComment says which rule a patch removed and why: "Removed rule
// newsletter (Newsletter, +3 points): fitted to 16,000 past leads, beside
// the other rules it is worth less than half a point (weight +0.046)."
func removeComment(f *Feature, pr *qualify.PointRule, leads int) string {
	what := pr.Name
	if pr.Label != "" {
		what += " (" + pr.Label + ", " + fmt.Sprintf("%+d", pr.Points) + " points)"
	} else {
		what += fmt.Sprintf(" (%+d points)", pr.Points)
	}
	on := "fitted to past leads"
	if leads > 0 {
		on = "fitted to " + thousands(leads) + " past leads"
	}
	return fmt.Sprintf("Removed rule %s: %s, beside the other rules it is worth less than half a point (weight %+.3f).", what, on, f.Weight)
}

// thousands writes n with commas between groups of three digits: 16,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// kindComment says why a rule's kind is not the one stated for it.
func kindComment(f *Feature, stated, kind qualify.PointKind, candidate bool) string {
	if candidate {
		return fmt.Sprintf("Kind %s, not %s as the mapping states: the points fitted (%+d) go against %s points.", kind, stated, f.Points, stated)
	}
	return fmt.Sprintf("Kind %s, was %s: the points fitted (%+d) go against %s points.", kind, stated, f.Points, stated)
}

// attribute is an attribute field the adopted candidates read.
type attribute struct {
	name   string
	column string
	typ    qualify.FieldType
}

// adoption is a candidate the patch adds as a point rule.
type adoption struct {
	f       Feature
	name    string // unique among the point rules
	stated  qualify.PointKind
	kind    qualify.PointKind
	changed bool
	// below is the total points of the cuts below this one over the same
	// attribute, which this one adds to; none when it is the first.
	below      int
	belowLabel string
	hasBelow   bool
}

// adopt picks the candidates with points, names them, and finds the
// attributes they read that the model lacks. It fails when a rule reads
// something else than its attribute, or when a name is taken by something
// the rules cannot read as the attribute.
func adopt(m *qualify.Model, cands []Feature) ([]adoption, []attribute, error) {
	taken := map[string]bool{}
	for _, p := range m.Points {
		taken[p.Name] = true
	}
	// An attribute is a number when a cut is made over it, text otherwise.
	number := map[string]bool{}
	for _, f := range cands {
		if f.HasCut {
			number[candidateAttr(f)] = true
		}
	}
	var out []adoption
	var attrs []attribute
	seen := map[string]bool{}
	for _, f := range cands {
		if f.Points == 0 {
			continue
		}
		attr := candidateAttr(f)
		if attr == "" {
			return nil, nil, fmt.Errorf("candidate rule %s names no attribute", f.Name)
		}
		if err := readsOnly(f.When, attr); err != nil {
			return nil, nil, fmt.Errorf("candidate rule %s: %w", f.Name, err)
		}
		if number[attr] && (f.Value != "" || f.Other) {
			return nil, nil, fmt.Errorf("attribute %s: candidate rules compare it with numbers and with text", attr)
		}
		if i := m.FieldIndex(attr); i >= 0 {
			if err := fieldReads(&m.Fields[i], f); err != nil {
				return nil, nil, err
			}
		} else if !seen[attr] {
			if err := freeName(m, attr); err != nil {
				return nil, nil, err
			}
			typ := qualify.Text
			if number[attr] {
				typ = qualify.Number
			}
			attrs = append(attrs, attribute{name: attr, column: cmp.Or(f.Column, attr), typ: typ})
		}
		seen[attr] = true
		stated, kind, changed := proposedKind(m, &f)
		if lo, hi := qualify.PointRange(kind); f.Points < lo || f.Points > hi {
			return nil, nil, fmt.Errorf("candidate rule %s: %s points must be between %d and %d, not %d", f.Name, kind, lo, hi, f.Points)
		}
		name := f.Name
		for k := 2; taken[name]; k++ {
			name = f.Name + "-" + strconv.Itoa(k)
		}
		taken[name] = true
		out = append(out, adoption{f: f, name: name, stated: stated, kind: kind, changed: changed})
	}
	// The rules over one attribute together, in the order the attributes
	// first come.
	first := map[string]int{}
	for i, a := range out {
		if _, ok := first[candidateAttr(a.f)]; !ok {
			first[candidateAttr(a.f)] = i
		}
	}
	slices.SortStableFunc(out, func(a, b adoption) int {
		return cmp.Compare(first[candidateAttr(a.f)], first[candidateAttr(b.f)])
	})
	cumulate(out)
	return out, attrs, nil
}

// cumulate tells each cut over an attribute the points of the cuts below
// it, which its own add to.
func cumulate(rules []adoption) {
	byAttr := map[string][]int{}
	for i, a := range rules {
		if a.f.HasCut {
			byAttr[candidateAttr(a.f)] = append(byAttr[candidateAttr(a.f)], i)
		}
	}
	for _, idx := range byAttr {
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(rules[a].f.Cut, rules[b].f.Cut) })
		total := 0
		for k, i := range idx {
			if k > 0 {
				rules[i].below, rules[i].belowLabel, rules[i].hasBelow = total, condition(&rules[idx[k-1]].f), true
			}
			total += rules[i].f.Points
		}
	}
}

// candidateAttr is the attribute a candidate reads: its Attr, else its
// column's name made a field name, as the candidate's rule names it.
func candidateAttr(f Feature) string {
	if f.Attr != "" {
		return f.Attr
	}
	if f.Column == "" {
		return ""
	}
	return slug(f.Column, '_')
}

// readsOnly checks that a candidate's rule parses and names nothing but
// its attribute.
func readsOnly(when, attr string) error {
	e, err := qualify.Parse(when)
	if err != nil {
		return fmt.Errorf("rule %q: %w", when, err)
	}
	var bad string
	var walk func(e *qualify.Expr)
	walk = func(e *qualify.Expr) {
		if e == nil {
			return
		}
		if e.Op == qualify.OpName && e.Name != attr && bad == "" {
			bad = e.Name
		}
		if (e.Op == qualify.OpIn || e.Op == qualify.OpNotIn) && e.Name != "" && bad == "" {
			bad = e.Name
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	walk(e)
	if bad != "" {
		return fmt.Errorf("rule %q reads %s, not only its attribute %s", when, bad, attr)
	}
	return nil
}

// freeName checks that an attribute may be declared under name: a valid
// name that nothing else in the model takes.
func freeName(m *qualify.Model, name string) error {
	const hint = ": name the attribute otherwise with as: in the mapping's extra"
	if !qualify.IsName(name) || qualify.IsReserved(name) {
		return fmt.Errorf("attribute %q cannot be a field name%s", name, hint)
	}
	what := ""
	switch {
	case m.SignalIndex(name) >= 0:
		what = "a signal"
	case slices.ContainsFunc(m.Consts, func(c qualify.Const) bool { return c.Name == name }):
		what = "a threshold"
	case slices.ContainsFunc(m.Lists, func(l qualify.List) bool { return l.Name == name }):
		what = "a list"
	case m.FrameworkIndex(name) >= 0:
		what = "a framework"
	}
	if what != "" {
		return fmt.Errorf("attribute %s: the model has %s of that name%s", name, what, hint)
	}
	return nil
}

// fieldReads checks that a field of the model can be read as a
// candidate's attribute: a number for cuts, text (or a choice offering
// the value) for values.
func fieldReads(fd *qualify.Field, f Feature) error {
	fail := func(want string) error {
		return fmt.Errorf("attribute %s: the model's field %s is of type %s, and candidate rule %s reads it as %s: "+
			"name the attribute otherwise with as: in the mapping's extra", fd.Name, fd.Name, fd.Type, f.Name, want)
	}
	switch {
	case f.Missing:
		return nil
	case f.HasCut:
		if fd.Type != qualify.Number {
			return fail("a number")
		}
	case fd.Type == qualify.Choice && !f.Other:
		if !slices.ContainsFunc(fd.Options, func(o qualify.Option) bool { return o.Value == f.Value }) {
			return fail("text")
		}
	case fd.Type != qualify.Text && fd.Type != qualify.LongText:
		return fail("text")
	}
	return nil
}

// fileEdit is a set of edits of one file: text replaced within lines,
// lines inserted before others and lines removed.
type fileEdit struct {
	path   string
	src    []byte
	lines  []string         // as read, each with its line end
	spans  map[int][]span   // by 0-based line
	insert map[int][]string // lines inserted before a 0-based line; len(lines) for the end
	remove map[int]bool     // 0-based lines removed
}

// span replaces old, at the 0-based column col (in characters), with new.
type span struct {
	col      int
	old, new string
}

func newFileEdit(path string, src []byte) (*fileEdit, error) {
	if path == "" {
		return nil, fmt.Errorf("a patch needs the path of each file")
	}
	lines := strings.SplitAfter(string(src), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return &fileEdit{path: path, src: src, lines: lines, spans: map[int][]span{}, insert: map[int][]string{}, remove: map[int]bool{}}, nil
}

func (e *fileEdit) replace(line, col int, old, new string) {
	e.spans[line-1] = append(e.spans[line-1], span{col - 1, old, new})
}

// diff applies the edits and writes them as a unified diff, or "" when
// they change nothing.
func (e *fileEdit) diff() (string, error) {
	var ops []op
	n := len(e.lines)
	for i := 0; i <= n; i++ {
		for _, l := range e.insert[i] {
			ops = append(ops, op{'+', "", l})
		}
		if i == n {
			break
		}
		old := e.lines[i]
		if e.remove[i] {
			ops = append(ops, op{'-', old, ""})
			continue
		}
		line := []rune(old)
		sp := slices.Clone(e.spans[i])
		slices.SortFunc(sp, func(a, b span) int { return cmp.Compare(b.col, a.col) }) // right to left
		for _, s := range sp {
			o := []rune(s.old)
			if s.col+len(o) > len(line) || string(line[s.col:s.col+len(o)]) != s.old {
				return "", fmt.Errorf("%s:%d:%d: %q is not where the file says: it changed since the model was loaded", e.path, i+1, s.col+1, s.old)
			}
			line = slices.Concat(line[:s.col], []rune(s.new), line[s.col+len(o):])
		}
		text := string(line)
		if i == n-1 && len(e.insert[n]) > 0 && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		if text == old {
			ops = append(ops, op{' ', old, old})
		} else {
			ops = append(ops, op{'~', old, text})
		}
	}
	if !slices.ContainsFunc(ops, func(o op) bool { return o.kind != ' ' }) {
		return "", nil
	}
	return unified(e.path, ops), nil
}

// ruleSpot is where a point rule is written.
type ruleSpot struct {
	name       string
	first      int    // 1-based line of the item's dash
	end        int    // 0-based line after the item's last
	indent     string // what comes before the item's dash
	pointsLine int    // of the points value, 1-based (col in characters)
	pointsCol  int
	points     string // the points as written
	kindLine   int
	kindCol    int
	kind       string
}

// rules gives the model's point rules their suggested points, and the
// proposed kind where the points go against theirs, and removes the rules
// proposed for removal. leads is how many past leads they were fitted to.
func (e *fileEdit) rules(m *qualify.Model, rules []Feature, leads int) error {
	var spots map[[2]int]ruleSpot
	for _, f := range rules {
		_, kind, changed := proposedKind(m, &f)
		if f.Points == f.Current && !changed && !f.Remove {
			continue
		}
		if spots == nil {
			var err error
			if spots, _, err = e.pointSpots(); err != nil {
				return err
			}
		}
		pr := m.Points[f.Rule]
		v, ok := spots[[2]int{pr.Pos.Line, pr.Pos.Col}]
		if !ok || v.name != pr.Name || v.pointsLine == 0 {
			return fmt.Errorf("%s: no point rule %q at line %d: the file changed since the model was loaded", e.path, pr.Name, pr.Pos.Line)
		}
		if f.Remove {
			if v.first == 0 {
				return fmt.Errorf("%s:%d: point rule %q: no list item to remove", e.path, pr.Pos.Line, pr.Name)
			}
			for i := v.first - 1; i < v.end; i++ {
				e.remove[i] = true
			}
			e.insert[v.end] = append(e.insert[v.end], v.indent+"# "+removeComment(&f, &pr, leads)+"\n")
			continue
		}
		if f.Points != f.Current {
			e.replace(v.pointsLine, v.pointsCol, v.points, strconv.Itoa(f.Points))
		}
		if changed {
			if v.kindLine == 0 {
				return fmt.Errorf("%s:%d: point rule %q states no kind", e.path, pr.Pos.Line, pr.Name)
			}
			if kind == qualify.Fit && pr.Signal >= 0 {
				return fmt.Errorf("point rule %s is tied to a signal: it cannot become a fit rule", pr.Name)
			}
			e.replace(v.kindLine, v.kindCol, v.kind, kind.String())
			e.insert[v.first-1] = append(e.insert[v.first-1], v.indent+"# "+kindComment(&f, pr.Kind, kind, false)+"\n")
		}
		if lo, hi := qualify.PointRange(kind); f.Points < lo || f.Points > hi {
			return fmt.Errorf("point rule %s: %s points must be between %d and %d, not %d", pr.Name, kind, lo, hi, f.Points)
		}
	}
	return nil
}

// pointSpots finds every point rule of a scoring file, by the position
// the loader gives the rule: its first key in block style, its opening
// brace in flow style; and where the points list ends.
func (e *fileEdit) pointSpots() (map[[2]int]ruleSpot, *listEnd, error) {
	seq, err := topList(e.path, e.src, "points")
	if err != nil {
		return nil, nil, err
	}
	out := map[[2]int]ruleSpot{}
	if seq == nil {
		return out, nil, nil
	}
	for k, item := range seq.Values {
		var v ruleSpot
		for _, kv := range mappingValues(item) {
			switch kv.Key.GetToken().Value {
			case "name":
				v.name, _ = scalar(kv.Value)
			case "points":
				tk := kv.Value.GetToken()
				v.pointsLine, v.pointsCol, v.points = tk.Position.Line, tk.Position.Column, tk.Value
			case "kind":
				tk := kv.Value.GetToken()
				v.kindLine, v.kindCol, v.kind = tk.Position.Line, tk.Position.Column, tk.Value
			}
		}
		if k < len(seq.Entries) && seq.Entries[k].Start != nil && seq.Entries[k].Start.Position != nil {
			p := seq.Entries[k].Start.Position
			v.first = p.Line
			v.indent = strings.Repeat(" ", p.Column-1)
			v.end = e.itemEnd(seq, k)
		}
		tk := item.GetToken()
		if mn, ok := item.(*ast.MappingNode); ok && !mn.IsFlowStyle && len(mn.Values) > 0 {
			tk = mn.Values[0].Key.GetToken()
		} else if mv, ok := item.(*ast.MappingValueNode); ok {
			tk = mv.Key.GetToken()
		}
		if tk != nil && tk.Position != nil {
			if v.first == 0 {
				v.first, v.indent = tk.Position.Line, strings.Repeat(" ", max(0, tk.Position.Column-3))
			}
			out[[2]int{tk.Position.Line, tk.Position.Column}] = v
		}
	}
	end, err := e.listEnd(seq, "points")
	return out, end, err
}

// topList returns the block sequence under key at the top of a YAML file,
// or nil when there is none.
func topList(path string, src []byte, key string) (*ast.SequenceNode, error) {
	doc, err := parser.ParseBytes(src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Docs) == 0 {
		return nil, nil
	}
	for _, kv := range mappingValues(doc.Docs[0].Body) {
		if kv.Key.GetToken().Value != key {
			continue
		}
		seq, ok := kv.Value.(*ast.SequenceNode)
		if !ok {
			return nil, nil
		}
		if seq.IsFlowStyle {
			return nil, fmt.Errorf("%s: %s is written as a flow list ([...]): write it as a block list (- items) for a patch to add to it", path, key)
		}
		return seq, nil
	}
	return nil, nil
}

// listEnd is where new items of a block list go: before the 0-based line
// at, with their dash after indent.
type listEnd struct {
	at     int
	indent string
}

// listEnd finds the line after the last item of a block list.
func (e *fileEdit) listEnd(seq *ast.SequenceNode, key string) (*listEnd, error) {
	last := len(seq.Entries) - 1
	if last < 0 || seq.Entries[last].Start == nil || seq.Entries[last].Start.Position == nil {
		return nil, fmt.Errorf("%s: %s: no list item to add after", e.path, key)
	}
	p := seq.Entries[last].Start.Position
	return &listEnd{at: e.itemEnd(seq, last), indent: strings.Repeat(" ", p.Column-1)}, nil
}

// itemEnd returns the 0-based line after item k of a block list, whose
// dash the parser places. The item runs from its dash to the last line
// before the next item's dash that is indented deeper than its own dash:
// YAML holds a block item's keys, a flow item's continued lines and a
// block scalar's text there. Blank lines and comments no deeper than the
// dash, between them, belong to the item only when deeper lines follow.
func (e *fileEdit) itemEnd(seq *ast.SequenceNode, k int) int {
	p := seq.Entries[k].Start.Position
	dash := p.Column - 1
	stop := len(e.lines)
	if k+1 < len(seq.Entries) && seq.Entries[k+1].Start != nil && seq.Entries[k+1].Start.Position != nil {
		stop = min(stop, seq.Entries[k+1].Start.Position.Line-1)
	}
	at := p.Line // 0-based index of the line after the dash's
	for i := p.Line; i < stop; i++ {
		l := strings.TrimRight(e.lines[i], "\r\n")
		trimmed := strings.TrimLeft(l, " ")
		deeper := len(l)-len(trimmed) > dash
		switch {
		case trimmed == "":
			continue
		case strings.HasPrefix(trimmed, "#"):
			if deeper {
				at = i + 1
			}
			continue
		case !deeper:
			return at
		}
		at = i + 1
	}
	return at
}

// appendRules adds the adopted candidates to the end of the points list.
func (e *fileEdit) appendRules(m *qualify.Model, rules []adoption) error {
	_, end, err := e.pointSpots()
	if err != nil {
		return err
	}
	if end == nil {
		return fmt.Errorf("%s: no points list to add the candidate rules to", e.path)
	}
	in := end.indent
	out := []string{
		"\n",
		in + "# Rules fitted by winnow backtest to past outcomes, over fields the form does\n",
		in + "# not ask: integrations fill them in. Rules over one number add up: a lead\n",
		in + "# above several cuts gets the points of each.\n",
	}
	last := ""
	for _, a := range rules {
		f := a.f
		if attr := candidateAttr(f); attr != last {
			last = attr
			out = append(out, "\n", in+"# "+columnLabel(cmp.Or(f.Column, attr))+": the attribute "+attr+".\n")
		}
		if a.changed {
			out = append(out, in+"# "+kindComment(&f, a.stated, a.kind, true)+"\n")
		}
		if a.hasBelow {
			out = append(out, fmt.Sprintf("%s# %s: %+d on top of the %+d for %s, %+d in all\n",
				in, ruleLabel(&f), f.Points, a.below, a.belowLabel, a.below+f.Points))
		}
		out = append(out,
			in+"- name: "+yamlScalar(a.name)+"\n",
			in+"  kind: "+a.kind.String()+"\n",
			in+"  points: "+strconv.Itoa(f.Points)+"\n",
			in+"  label: "+yamlScalar(ruleLabel(&f))+"\n",
			in+"  when: "+yamlScalar(f.When)+"\n",
		)
	}
	e.insert[end.at] = append(e.insert[end.at], out...)
	return nil
}

// appendFields declares the attributes at the end of the fields list.
func (e *fileEdit) appendFields(attrs []attribute) error {
	seq, err := topList(e.path, e.src, "fields")
	if err != nil {
		return err
	}
	if seq == nil {
		return fmt.Errorf("%s: no fields list to add the attributes to", e.path)
	}
	end, err := e.listEnd(seq, "fields")
	if err != nil {
		return err
	}
	in := end.indent
	out := []string{
		"\n",
		in + "# Filled in by integrations (a CRM, an import through the API), never asked:\n",
		in + "# the rules winnow backtest fitted to past outcomes read them.\n",
	}
	for _, a := range attrs {
		out = append(out,
			in+"- name: "+a.name+"\n",
			in+"  type: "+a.typ.String()+"\n",
			in+"  label: "+yamlScalar(columnLabel(a.column))+"\n",
			in+"  help: "+yamlScalar("Never asked: integrations and imports fill it in. Past leads held it in the column "+strconv.Quote(a.column)+".")+"\n",
			in+"  attribute: true\n",
		)
	}
	e.insert[end.at] = append(e.insert[end.at], out...)
	return nil
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

// yamlScalar writes s as a plain YAML scalar when it reads back as the
// same string, else single-quoted.
func yamlScalar(s string) string {
	plain := s != "" && s == strings.TrimSpace(s) && !strings.Contains(s, ": ") && !strings.Contains(s, " #")
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' && i > 0:
		case i > 0 && strings.ContainsRune(" _().,<>=!-", r):
		default:
			plain = false
		}
	}
	if plain {
		switch strings.ToLower(s) {
		case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
			plain = false
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "'", "''") + "'"
}

// op is a line of a diff: kept (' '), changed ('~'), added ('+') or
// removed ('-').
type op struct {
	kind     byte
	old, new string
}

// unified writes a unified diff of one file, with three lines of context.
// Lines keep their line ends.
func unified(path string, ops []op) string {
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
		for k := start; k < stop; k++ {
			switch o := ops[k]; o.kind {
			case ' ':
				line(' ', o.old)
			case '~':
				// A run of changed lines: the old ones, then the new.
				run := k
				for run < stop && ops[run].kind == '~' {
					line('-', ops[run].old)
					run++
				}
				for _, o := range ops[k:run] {
					line('+', o.new)
				}
				k = run - 1
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
