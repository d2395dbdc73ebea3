package markdown

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Values returns the text of a model value a document names, such as
// "12" for "threshold.mql", or an error that says why the model has no
// such value.
type Values func(ref string) (string, error)

// KindModelValue is the ast.NodeKind of a ModelValue.
var KindModelValue = ast.NewNodeKind("ModelValue")

// A ModelValue is a value of the qualification model named in running
// text, as {{threshold.mql}}: it is printed from the model, so the text
// says what the model does.
type ModelValue struct {
	ast.BaseInline
	Ref   string // as written, e.g. "threshold.mql"
	Value string // its text
	// Capital: the value starts a sentence, and is written with a
	// capital letter ("Cold lead gets ...").
	Capital bool
}

// Kind implements ast.Node.
func (n *ModelValue) Kind() ast.NodeKind { return KindModelValue }

// Dump implements ast.Node.
func (n *ModelValue) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Ref": n.Ref, "Value": n.Value}, nil)
}

// Written returns the value as the document shows it.
func (n *ModelValue) Written() string {
	if !n.Capital {
		return n.Value
	}
	r, size := utf8.DecodeRuneInString(n.Value)
	return string(unicode.ToUpper(r)) + n.Value[size:]
}

// NewModelValues returns a goldmark extension that prints the model
// values a document names between double braces: {{threshold.mql}},
// {{stage.mql.sla.within}}. A name is letters, digits, '.', '-' and '_';
// spaces inside the braces are allowed. A name values cannot resolve is
// a problem of the document, and so is anything else between double
// braces on one line: prose has no use for them, and \{{ or a code span
// writes them as they are. A value that starts a sentence is written
// with a capital letter.
func NewModelValues(values Values) goldmark.Extender {
	return &modelValues{values: values}
}

type modelValues struct {
	values Values
}

// Extend implements goldmark.Extender.
func (e *modelValues) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(&valueParser{values: e.values}, 90)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(valueRenderer{}, 500)))
}

// valueParser is the inline parser of model values.
type valueParser struct {
	values Values
}

// Trigger implements parser.InlineParser.
func (p *valueParser) Trigger() []byte { return []byte{'{'} }

// Parse implements parser.InlineParser.
func (p *valueParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < 2 || line[1] != '{' {
		return nil
	}
	end := bytes.Index(line[2:], []byte("}}"))
	if end < 0 {
		return nil
	}
	ref := string(bytes.TrimSpace(line[2 : 2+end]))
	block.Advance(2 + end + 2)
	n := &ModelValue{Ref: ref, Capital: startsSentence(parent, block.Source())}
	switch {
	case !validRef(ref):
		report(pc, seg.Start, "{{"+ref+"}} is no model value: a name such as {{threshold.mql}} or {{stage.mql.sla.within}} goes between double braces (write \\{{ for the braces themselves)")
		n.Value = "{{" + ref + "}}"
	default:
		v, err := p.values(ref)
		if err != nil {
			report(pc, seg.Start, err.Error())
			v = ref
		}
		n.Value = v
	}
	return n
}

// validRef reports whether s is the name of a model value: letters,
// digits, '.', '-' and '_', starting with a letter.
func validRef(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// startsSentence reports whether an inline about to be added to parent
// starts a sentence: it is the first of its block, or the text before it
// ends a sentence.
func startsSentence(parent ast.Node, src []byte) bool {
	prev := parent.LastChild()
	if prev == nil {
		return true
	}
	t, ok := prev.(*ast.Text)
	if !ok {
		return false
	}
	v := bytes.TrimRight(t.Segment.Value(src), " \t")
	if len(v) == 0 {
		return prev.PreviousSibling() == nil
	}
	switch v[len(v)-1] {
	case '.', '!', '?':
		return len(v) < len(t.Segment.Value(src)) || t.SoftLineBreak()
	}
	return false
}

// valueRenderer renders ModelValues.
type valueRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (valueRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindModelValue, renderValue)
}

func renderValue(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.Write(util.EscapeHTML([]byte(n.(*ModelValue).Written())))
	}
	return ast.WalkSkipChildren, nil
}
