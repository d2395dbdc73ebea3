package markdown

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/winnowhq/winnow/qualify"
)

// A Component is a block that Markdown names with a directive and a
// template renders: a hero, a feature grid, a pricing table. A directive
// opens with a fence of three colons or more, the component's name and
// its attributes, and closes with a fence of as many colons; between the
// fences is Markdown:
//
//	:::cta title="See your own leads qualified" primary="Book a demo" primary-url=/signup/
//	Bring two of last month's leads: we qualify them with your rules.
//	:::
//
// An attribute's value is quoted ("...", with \" and \\ escaped) or a run
// of characters without spaces; a flag is an attribute written without a
// value. A component that holds items (a feature grid holds features, a
// pricing table plans) is closed after them; using more colons for the
// outer fence makes the nesting plain to read:
//
//	::::features title="What you get"
//	:::feature title="One model" icon=model
//	Written once, read by both teams.
//	:::
//	::::
type Component struct {
	Attrs []Attr
	// Item is the component its items are, or "": features hold feature
	// items. Other Markdown may stand between the items.
	Item string
	// Inside is the component an item is written in; "" for a component
	// written anywhere but inside another.
	Inside string
	// Once: a page holds this component once at most.
	Once bool
	// Render writes the component's HTML. An error is reported at the
	// directive, as a problem of the document.
	Render func(w io.Writer, d *Directive) error
}

// Attr is an attribute a component takes.
type Attr struct {
	Name     string
	Required bool
	Flag     bool // written without a value; its value is then "true"
	URL      bool // a link, checked like the links written in Markdown
}

// Directive is a component as written in a document, handed to its
// Render function.
type Directive struct {
	Name  string
	Attrs map[string]string
	Body  []byte       // its Markdown, but its items, rendered to HTML
	Items []*Directive // its items, in order
}

// Attr returns the value of an attribute, or "".
func (d *Directive) Attr(name string) string { return d.Attrs[name] }

// KindDirective is the ast.NodeKind of a DirectiveNode.
var KindDirective = ast.NewNodeKind("Directive")

// A DirectiveNode is a component in the syntax tree: a block whose
// children are the Markdown between its fences.
type DirectiveNode struct {
	ast.BaseBlock
	Name   string
	Attrs  map[string]string
	fence  int      // the number of colons of its opening fence
	offset int      // where its name starts in the source
	closed bool     // its closing fence was read
	urls   []string // the values of its link attributes
}

// Kind implements ast.Node.
func (n *DirectiveNode) Kind() ast.NodeKind { return KindDirective }

// Dump implements ast.Node.
func (n *DirectiveNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": n.Name}, nil)
}

// directives is the extension that parses and renders components.
type directives struct {
	components map[string]Component
	problems   *problems // where render errors go, set by the Renderer
	md         goldmark.Markdown
}

// Extend implements goldmark.Extender.
func (d *directives) Extend(m goldmark.Markdown) {
	d.md = m
	m.Parser().AddOptions(parser.WithBlockParsers(util.Prioritized(&directiveParser{components: d.components}, 90)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&directiveRenderer{ext: d}, 500)))
}

// directiveParser is the block parser of directives.
type directiveParser struct {
	components map[string]Component
}

// Trigger implements parser.BlockParser.
func (p *directiveParser) Trigger() []byte { return []byte{':'} }

// fence reads a fence at the start of line: its colons, and the offset
// of what follows them. It returns 0 colons when the line is no fence.
func fence(line []byte) (colons, rest int) {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	start := i
	for i < len(line) && line[i] == ':' {
		i++
	}
	if i-start < 3 {
		return 0, 0
	}
	return i - start, i
}

// closing reports whether line is a closing fence, and of how many colons.
func closing(line []byte) int {
	n, rest := fence(line)
	if n == 0 || len(bytes.TrimSpace(line[rest:])) > 0 {
		return 0
	}
	return n
}

// Open implements parser.BlockParser.
func (p *directiveParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	colons, rest := fence(line)
	if colons == 0 {
		return nil, parser.NoChildren
	}
	start := seg.Start + rest
	name := componentName(line[rest:])
	if name == "" {
		if len(bytes.TrimSpace(line[rest:])) == 0 {
			report(pc, seg.Start, strings.Repeat(":", colons)+" closes no directive: every directive is opened by a fence with its name, such as :::hero")
			return nil, parser.NoChildren
		}
		report(pc, start, "a directive fence must name a component right after its colons, such as :::hero"+p.list())
		return nil, parser.NoChildren
	}
	c, ok := p.components[name]
	if !ok {
		report(pc, start, "unknown component "+strconv.Quote(name)+qualify.DidYouMean(name, p.names())+p.list())
	}
	n := &DirectiveNode{Name: name, Attrs: map[string]string{}, fence: colons, offset: start}
	p.attributes(n, c, ok, line[rest+len(name):], start+len(name), pc)
	if ok {
		p.placement(n, c, parent, pc)
	}
	reader.AdvanceToEOL()
	return n, parser.HasChildren
}

// names lists the components, sorted.
func (p *directiveParser) names() []string {
	var out []string
	for name := range p.components {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// list ends a message about a component's name with the components there
// are.
func (p *directiveParser) list() string {
	return "; components: " + strings.Join(p.names(), ", ")
}

// componentName returns the name at the start of s: letters, digits,
// '-' and '_'.
func componentName(s []byte) string {
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9' || s[i] == '-' || s[i] == '_') {
		i++
	}
	return string(s[:i])
}

// attributes reads the attributes after a directive's name into n,
// reporting at its column each it cannot take. off is where s starts in
// the source.
func (p *directiveParser) attributes(n *DirectiveNode, c Component, known bool, s []byte, off int, pc parser.Context) {
	spec := map[string]Attr{}
	var names []string
	for _, a := range c.Attrs {
		spec[a.Name] = a
		names = append(names, a.Name)
	}
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) || s[i] == '\n' || s[i] == '\r' {
			break
		}
		keyAt := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' {
			i++
		}
		key := string(s[keyAt:i])
		value, flag := "", true
		if i < len(s) && s[i] == '=' {
			flag = false
			i++
			if i < len(s) && s[i] == '"' {
				var b strings.Builder
				j := i + 1
				for ; j < len(s) && s[j] != '"' && s[j] != '\n'; j++ {
					if s[j] == '\\' && j+1 < len(s) && (s[j+1] == '"' || s[j+1] == '\\') {
						j++
					}
					b.WriteByte(s[j])
				}
				if j >= len(s) || s[j] != '"' {
					report(pc, off+i, "the value of "+key+" has no closing quote")
					return
				}
				value, i = b.String(), j+1
			} else {
				at := i
				for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' {
					i++
				}
				value = string(s[at:i])
			}
		}
		if !known {
			continue
		}
		a, ok := spec[key]
		switch {
		case !validName(key):
			report(pc, off+keyAt, "expected an attribute such as title=\"...\", not "+strconv.Quote(key))
		case !ok:
			msg := n.Name + " has no attribute " + strconv.Quote(key) + qualify.DidYouMean(key, names)
			if len(names) > 0 {
				msg += "; its attributes: " + strings.Join(names, ", ")
			} else {
				msg += ": it takes none"
			}
			report(pc, off+keyAt, msg)
		case n.Attrs[key] != "" || (a.Flag && n.Attrs[key] == "true"):
			report(pc, off+keyAt, "attribute "+key+" is given twice")
		case a.Flag && !flag:
			report(pc, off+keyAt, key+" is a flag: write it alone, without a value")
		case !a.Flag && flag:
			report(pc, off+keyAt, key+" needs a value, such as "+key+"=\"...\"")
		case !a.Flag && strings.TrimSpace(value) == "":
			report(pc, off+keyAt, key+" is empty")
		case a.Flag:
			n.Attrs[key] = "true"
		default:
			n.Attrs[key] = value
			if a.URL {
				n.urls = append(n.urls, value)
			}
		}
	}
	if !known {
		return
	}
	for _, a := range c.Attrs {
		if a.Required && n.Attrs[a.Name] == "" {
			report(pc, n.offset, n.Name+" needs the attribute "+a.Name)
		}
	}
}

// validName reports whether s is an attribute name: letters, digits and
// hyphens.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// placement reports a component written where it cannot stand: an item
// outside its component, a component inside another that does not hold
// it, and a second copy of a component a page holds once.
func (p *directiveParser) placement(n *DirectiveNode, c Component, parent ast.Node, pc parser.Context) {
	var outer *DirectiveNode
	for a := parent; a != nil; a = a.Parent() {
		if d, ok := a.(*DirectiveNode); ok {
			outer = d
			break
		}
	}
	switch {
	case c.Inside != "" && (outer == nil || outer.Name != c.Inside || parent != outer):
		report(pc, n.offset, n.Name+" is an item of "+c.Inside+": write it directly inside :::"+c.Inside)
	case c.Inside == "" && outer != nil:
		if oc, ok := p.components[outer.Name]; ok {
			msg := n.Name + " cannot stand inside " + outer.Name
			if oc.Item != "" {
				msg += ", which holds " + oc.Item + " items"
			}
			report(pc, n.offset, msg+": close "+outer.Name+" first")
		}
	}
	if c.Once {
		used := pc.ComputeIfAbsent(usedKey, func() any { return map[string]bool{} }).(map[string]bool)
		if used[n.Name] {
			report(pc, n.offset, "a page holds one "+n.Name+" only")
		}
		used[n.Name] = true
	}
}

// usedKey holds the components a page holds once that the document used.
var usedKey = parser.NewContextKey()

// Continue implements parser.BlockParser: a closing fence of as many
// colons closes the innermost open directive; any other line belongs to
// the directive's children, and so does a fence inside a fenced code
// block of them.
func (p *directiveParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	line, seg := reader.PeekLine()
	colons := closing(line)
	if colons == 0 {
		return parser.Continue | parser.HasChildren
	}
	opened := pc.OpenedBlocks()
	if last := opened[len(opened)-1].Node; last.Kind() == ast.KindFencedCodeBlock || last.Kind() == ast.KindHTMLBlock {
		return parser.Continue | parser.HasChildren
	}
	for i := len(opened) - 1; i >= 0; i-- {
		d, ok := opened[i].Node.(*DirectiveNode)
		if !ok {
			continue
		}
		if d != node {
			return parser.Continue | parser.HasChildren // an inner directive closes first
		}
		break
	}
	n := node.(*DirectiveNode)
	if colons != n.fence {
		report(pc, seg.Start, "this fence of "+strconv.Itoa(colons)+" colons does not close "+n.Name+
			", opened with "+strconv.Itoa(n.fence)+": close it with "+strings.Repeat(":", n.fence))
		reader.AdvanceToEOL()
		return parser.Continue | parser.HasChildren
	}
	n.closed = true
	reader.AdvanceToEOL()
	return parser.Close
}

// Close implements parser.BlockParser: a directive closed by the end of
// the document, or of a block around it, was never closed.
func (p *directiveParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {
	n := node.(*DirectiveNode)
	if !n.closed {
		report(pc, n.offset, n.Name+" is never closed: end it with a line "+strings.Repeat(":", n.fence))
	}
	c, ok := p.components[n.Name]
	if !ok || c.Item == "" {
		return
	}
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		if d, ok := ch.(*DirectiveNode); ok && d.Name == c.Item {
			return
		}
	}
	report(pc, n.offset, n.Name+" holds no "+c.Item+": write each inside it as :::"+c.Item+" ... :::")
}

// CanInterruptParagraph implements parser.BlockParser.
func (p *directiveParser) CanInterruptParagraph() bool { return true }

// CanAcceptIndentedLine implements parser.BlockParser.
func (p *directiveParser) CanAcceptIndentedLine() bool { return false }

// directiveRenderer renders directives with their components.
type directiveRenderer struct {
	ext *directives
}

// RegisterFuncs implements renderer.NodeRendererFuncRegisterer.
func (r *directiveRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindDirective, r.render)
}

func (r *directiveRenderer) render(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	node := n.(*DirectiveNode)
	c, ok := r.ext.components[node.Name]
	if !ok || c.Render == nil {
		return ast.WalkSkipChildren, nil
	}
	d, err := r.directive(node, source)
	if err != nil {
		return ast.WalkStop, err
	}
	if err := c.Render(w, d); err != nil {
		r.ext.problems.add(node.offset, node.Name+": "+err.Error())
	}
	return ast.WalkSkipChildren, nil
}

// directive renders a directive's Markdown and items into a Directive.
func (r *directiveRenderer) directive(n *DirectiveNode, source []byte) (*Directive, error) {
	d := &Directive{Name: n.Name, Attrs: n.Attrs}
	c := r.ext.components[n.Name]
	var body htmlBuffer
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		if item, ok := ch.(*DirectiveNode); ok && item.Name == c.Item {
			id, err := r.directive(item, source)
			if err != nil {
				return nil, err
			}
			d.Items = append(d.Items, id)
			continue
		}
		if err := r.ext.md.Renderer().Render(&body, source, ch); err != nil {
			return nil, err
		}
	}
	d.Body = body.Bytes()
	return d, nil
}
