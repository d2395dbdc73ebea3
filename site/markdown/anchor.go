package markdown

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// KindHeadingAnchor is the ast.NodeKind of a HeadingAnchor.
var KindHeadingAnchor = ast.NewNodeKind("HeadingAnchor")

// A HeadingAnchor is the link of a section heading to itself, which
// readers follow to get the address of the section.
type HeadingAnchor struct {
	ast.BaseInline
	ID []byte // the heading's id
}

// Kind implements ast.Node.
func (n *HeadingAnchor) Kind() ast.NodeKind { return KindHeadingAnchor }

// Dump implements ast.Node.
func (n *HeadingAnchor) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"ID": string(n.ID)}, nil)
}

// HeadingAnchors is a goldmark extension that ends every h2 to h6 heading
// that has an id with a link to itself, after the heading's text:
//
//	<h2 id="x">Text <a class="anchor" href="#x" aria-label="Link to this section">#</a></h2>
//
// Headings get their ids from parser.WithAutoHeadingID or
// parser.WithAttribute.
var HeadingAnchors goldmark.Extender = headingAnchors{}

type headingAnchors struct{}

// Extend implements goldmark.Extender.
func (headingAnchors) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(headingAnchorTransformer{}, 1010)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(headingAnchorRenderer{}, 500)))
}

// headingAnchorTransformer appends a HeadingAnchor to each heading that
// gets one.
type headingAnchorTransformer struct{}

// Transform implements parser.ASTTransformer.
func (headingAnchorTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil
		}
		h, ok := n.(*ast.Heading)
		if !ok {
			return ast.WalkContinue, nil
		}
		if id := headingID(h); h.Level >= 2 && len(id) > 0 {
			h.AppendChild(h, &HeadingAnchor{ID: id})
		}
		return ast.WalkSkipChildren, nil
	})
}

// headingAnchorRenderer renders HeadingAnchors to HTML.
type headingAnchorRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (headingAnchorRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindHeadingAnchor, renderHeadingAnchor)
}

func renderHeadingAnchor(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(` <a class="anchor" href="#`)
		_, _ = w.Write(util.EscapeHTML(util.URLEscape(n.(*HeadingAnchor).ID, false)))
		_, _ = w.WriteString(`" aria-label="Link to this section">#</a>`)
	}
	return ast.WalkSkipChildren, nil
}
