package content

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/winnowhq/winnow/qualify"
)

// file is one YAML document being read, with the problems found in it.
type file struct {
	name  string   // the path diagnostics name
	lines []string // the source, for mapping offsets inside block scalars
	shift int      // lines before the YAML starts (front matter)
	diags *qualify.Diags

	anchors map[string]ast.Node // &name -> the anchored node
}

// parse parses src as one YAML document and returns its body, or nil (with
// a diagnostic) if it is not valid YAML.
func (f *file) parse(src []byte) ast.Node {
	f.lines = strings.Split(string(src), "\n")
	// Duplicate keys are reported by mapping, with both positions.
	doc, err := parser.ParseBytes(src, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		var se *yaml.SyntaxError
		switch {
		case errors.As(err, &se) && se.Token != nil:
			f.errAt(se.Token, "invalid YAML: "+se.Message)
		default:
			f.diags.Add(qualify.Pos{File: f.name, Line: f.shift + 1, Col: 1}, "invalid YAML: "+firstLine(err.Error()))
		}
		return nil
	}
	if len(doc.Docs) == 0 || doc.Docs[0].Body == nil {
		return nil
	}
	if len(doc.Docs) > 1 {
		f.err(doc.Docs[1], "expected one YAML document, found "+strconv.Itoa(len(doc.Docs)))
	}
	f.anchors = map[string]ast.Node{}
	for _, n := range ast.Filter(ast.AnchorType, doc.Docs[0].Body) {
		a := n.(*ast.AnchorNode)
		f.anchors[a.Name.GetToken().Value] = a.Value
	}
	return doc.Docs[0].Body
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (f *file) posOf(tk *token.Token) qualify.Pos {
	if tk == nil || tk.Position == nil {
		return qualify.Pos{File: f.name}
	}
	return qualify.Pos{File: f.name, Line: tk.Position.Line + f.shift, Col: tk.Position.Column}
}

// pos returns the position of a node.
func (f *file) pos(n ast.Node) qualify.Pos {
	switch d := n.(type) {
	case nil:
		return qualify.Pos{File: f.name, Line: f.shift + 1, Col: 1}
	case *ast.DocumentNode:
		// A document's own tokens (---, ...) may be missing.
		switch {
		case d.Start != nil:
			return f.posOf(d.Start)
		case d.Body != nil:
			return f.pos(d.Body)
		}
		return qualify.Pos{File: f.name, Line: f.shift + 1, Col: 1}
	case *ast.MappingNode:
		// A block mapping's token is its first colon: point at the first key.
		if !d.IsFlowStyle && len(d.Values) > 0 && d.Values[0].Key != nil {
			return f.posOf(d.Values[0].Key.GetToken())
		}
	case *ast.MappingValueNode:
		if d.Key != nil {
			return f.posOf(d.Key.GetToken())
		}
	}
	return f.posOf(n.GetToken())
}

func (f *file) err(n ast.Node, msg string)        { f.diags.Add(f.pos(n), msg) }
func (f *file) errAt(tk *token.Token, msg string) { f.diags.Add(f.posOf(tk), msg) }
func (f *file) errPos(p qualify.Pos, msg string)  { f.diags.Add(p, msg) }

// unwrap looks through anchors, tags and aliases (*name) to the value.
func (f *file) unwrap(n ast.Node) ast.Node {
	for depth := 0; depth < 100; depth++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			a, ok := f.anchors[v.Value.GetToken().Value]
			if !ok {
				return n
			}
			n = a
		default:
			return n
		}
	}
	return n
}

// isNull reports whether a node is missing or an empty value.
func (f *file) isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := f.unwrap(n).(*ast.NullNode)
	return ok
}

// entry is one key of a mapping.
type entry struct {
	key   string
	keyN  ast.Node
	value ast.Node
}

// mapping returns the entries of a mapping node, reporting anything else.
// Merge keys (<<: *anchor) bring in the anchored mapping's entries, which
// the mapping's own keys override.
func (f *file) mapping(n ast.Node, what string) []entry {
	return f.mappingDepth(n, what, 0)
}

func (f *file) mappingDepth(n ast.Node, what string, depth int) []entry {
	n = f.unwrap(n)
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	case *ast.NullNode, nil:
		return nil
	case *ast.AliasNode:
		f.err(n, what+": unknown anchor "+strconv.Quote(v.Value.GetToken().Value))
		return nil
	default:
		f.err(n, what+" must be a mapping of keys to values, not "+f.describeNode(n))
		return nil
	}
	var out, merged []entry
	for _, mv := range values {
		if mv.Key == nil {
			continue
		}
		if key := mv.Key.GetToken().Value; slices.ContainsFunc(out, func(o entry) bool { return o.key == key }) {
			i := slices.IndexFunc(out, func(o entry) bool { return o.key == key })
			f.err(mv.Key, what+": key "+strconv.Quote(key)+" is given twice (first at line "+strconv.Itoa(f.pos(out[i].keyN).Line)+")")
			continue
		}
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			if depth > 20 {
				f.err(mv.Key, what+": merge keys nest too deeply")
				continue
			}
			merged = append(merged, f.mappingDepth(mv.Value, what, depth+1)...)
			continue
		}
		out = append(out, entry{key: mv.Key.GetToken().Value, keyN: mv.Key, value: mv.Value})
	}
	for _, e := range merged {
		if !slices.ContainsFunc(out, func(o entry) bool { return o.key == e.key }) {
			out = append(out, e)
		}
	}
	return out
}

// fields reads a mapping whose keys must be among the handlers' keys.
func (f *file) fields(n ast.Node, what string, handlers map[string]func(ast.Node)) {
	for _, e := range f.mapping(n, what) {
		h, ok := handlers[e.key]
		if !ok {
			keys := make([]string, 0, len(handlers))
			for k := range handlers {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			msg := what + ": unknown key " + strconv.Quote(e.key)
			if s := qualify.DidYouMean(e.key, keys); s != "" {
				msg += s
			} else {
				msg += "; known keys: " + strings.Join(keys, ", ")
			}
			f.err(e.keyN, msg)
			continue
		}
		h(e.value)
	}
}

// seq returns the items of a sequence node.
func (f *file) seq(n ast.Node, what string) []ast.Node {
	n = f.unwrap(n)
	switch v := n.(type) {
	case *ast.SequenceNode:
		return v.Values
	case *ast.NullNode, nil:
		return nil
	}
	f.err(n, what+" must be a list, not "+f.describeNode(n))
	return nil
}

func (f *file) describeNode(n ast.Node) string {
	switch f.unwrap(n).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "text"
	case *ast.IntegerNode, *ast.FloatNode:
		return "a number"
	case *ast.BoolNode:
		return "true/false"
	case *ast.NullNode:
		return "empty"
	}
	return "a " + n.Type().String()
}

// scalar returns the text of a scalar node, whatever its YAML type.
func (f *file) scalar(n ast.Node) (string, bool) {
	switch v := f.unwrap(n).(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	case *ast.NullNode:
		return "", true
	}
	return "", false
}

// str reads text.
func (f *file) str(n ast.Node, what string) string {
	s, ok := f.scalar(n)
	if !ok {
		f.err(n, what+" must be text, not "+f.describeNode(n))
	}
	return strings.TrimRight(s, "\n")
}

func (f *file) int(n ast.Node, what string) (int, bool) {
	s, ok := f.scalar(n)
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if !ok || err != nil {
		f.err(n, what+" must be a whole number, not "+f.describeValue(n))
		return 0, false
	}
	return v, true
}

func (f *file) number(n ast.Node, what string) (float64, bool) {
	s, ok := f.scalar(n)
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if !ok || err != nil || v != v || v > 1e15 || v < -1e15 {
		f.err(n, what+" must be a number, not "+f.describeValue(n))
		return 0, false
	}
	return v, true
}

func (f *file) bool(n ast.Node, what string) bool {
	s, ok := f.scalar(n)
	if !ok {
		f.err(n, what+" must be true or false, not "+f.describeNode(n))
		return false
	}
	switch strings.ToLower(s) {
	case "true", "yes":
		return true
	case "false", "no", "":
		return false
	}
	f.err(n, what+" must be true or false, not "+f.describeValue(n))
	return false
}

func (f *file) duration(n ast.Node, what string) int64 {
	s, _ := f.scalar(n)
	d, ok := qualify.ParseDuration(strings.TrimSpace(s))
	if !ok {
		f.err(n, what+" must be a duration like 90d, 24h or 2w, not "+f.describeValue(n))
	}
	return d
}

func (f *file) strs(n ast.Node, what string) []string {
	var out []string
	for _, item := range f.seq(n, what) {
		out = append(out, f.str(item, what+" item"))
	}
	return out
}

func (f *file) describeValue(n ast.Node) string {
	if s, ok := f.scalar(n); ok {
		if s == "" {
			return "empty"
		}
		return strconv.Quote(s)
	}
	return f.describeNode(n)
}

// textPos returns where byte off of a scalar's text stands in the file,
// for plain, quoted and block scalars alike.
func (f *file) textPos(n ast.Node, off int) qualify.Pos {
	n = f.unwrap(n)
	p := f.pos(n)
	switch v := n.(type) {
	case *ast.LiteralNode:
		// The text starts on the line after the indicator, indented.
		line := v.GetToken().Position.Line // the indicator's line, 1-based
		indent := -1
		for i := line; i < len(f.lines); i++ {
			l := f.lines[i]
			if strings.TrimSpace(l) == "" {
				if off <= 0 && indent >= 0 {
					break
				}
				off--
				continue
			}
			if indent < 0 {
				indent = len(l) - len(strings.TrimLeft(l, " "))
			}
			width := len(l) - indent
			if off <= width {
				return qualify.Pos{File: f.name, Line: i + 1 + f.shift, Col: indent + off + 1}
			}
			off -= width + 1
		}
		return p
	case *ast.StringNode:
		tk := v.GetToken()
		if tk.Type == token.DoubleQuoteType || tk.Type == token.SingleQuoteType {
			p.Col++
		}
	}
	p.Col += off
	return p
}
