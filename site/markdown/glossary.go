package markdown

import (
	"slices"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// KindTermLink is the ast.NodeKind of a TermLink.
var KindTermLink = ast.NewNodeKind("TermLink")

// A TermLink is the first use of a glossary term in a document. Its
// children, the text as written, link to the term's page.
type TermLink struct {
	ast.BaseInline
	Term *Term
}

// Kind implements ast.Node.
func (n *TermLink) Kind() ast.NodeKind { return KindTermLink }

// Dump implements ast.Node.
func (n *TermLink) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"URL": n.Term.URL}, nil)
}

var selfURLKey = parser.NewContextKey()

// SetSelfURL records in pc the URL of the page being parsed, so that the
// glossary does not link a term on its own page.
func SetSelfURL(pc parser.Context, url string) {
	pc.Set(selfURLKey, url)
}

// NewGlossary returns a goldmark extension that links the first use of
// each term in a document to the term's page, as
// <a class="term" href="URL" title="Title">text as written</a>.
//
// A use is the term's name or one of its aliases, matched ignoring case
// as whole words: the characters around it are not letters or digits, so
// "MQL's" and "MQL," use "MQL" and "leader" does not use "lead". Where
// spellings overlap, the leftmost and then the longest wins: "cold lead"
// uses "cold lead", not "lead", even where "cold lead" is not linked
// again. Between the words of a spelling, any white space matches, a line
// break included. Text in headings, links, images, code, raw HTML and
// components (a hero, a feature: marketing copy, not definitions) is left
// alone, and so is the term of the page itself (see SetSelfURL).
// Terms are found within a run of plain text: a spelling split by markup,
// as in "*cold* lead", is not a use.
//
// The extension can be shared: what it learns of a document lives in the
// parse of that document.
func NewGlossary(terms []Term) goldmark.Extender {
	terms = slices.Clone(terms)
	l := &termLinker{terms: terms, index: newTermIndex(terms)}
	l.scans.New = func() any { return new(glossaryScan) }
	return &glossary{linker: l}
}

// glossary is the extension NewGlossary returns.
type glossary struct {
	linker *termLinker
}

// Extend implements goldmark.Extender. The linker runs after goldmark's
// footnote transformer (priority 999), which moves footnotes to the end
// of the document, so that the first use is the first a reader meets.
func (g *glossary) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(g.linker, 1000)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(termLinkRenderer{}, 500)))
}

// termLinker is the AST transformer that wraps the first use of each term
// in a TermLink.
type termLinker struct {
	terms []Term
	index *termIndex
	scans sync.Pool // *glossaryScan, the scratch space of a document
}

// glossaryScan is what the linker keeps while it reads one document.
type glossaryScan struct {
	done    []bool  // terms linked already, or the page's own
	left    int     // terms not done
	run     []piece // the run of text being read
	text    []byte  // its text
	key     []byte
	matches []match
}

// A piece is a text node of a run and where its text starts in the run's.
type piece struct {
	node *ast.Text
	off  int
}

// Transform implements parser.ASTTransformer.
func (l *termLinker) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	s := l.scans.Get().(*glossaryScan)
	defer func() {
		clear(s.run[:cap(s.run)]) // let go of the document's nodes
		l.scans.Put(s)
	}()
	self, _ := pc.Get(selfURLKey).(string)
	s.done, s.left = slices.Grow(s.done[:0], len(l.terms))[:len(l.terms)], len(l.terms)
	for i := range l.terms {
		s.done[i] = l.terms[i].URL == "" || l.terms[i].URL == self
		if s.done[i] {
			s.left--
		}
	}
	src := reader.Source()
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if s.left == 0 {
			return ast.WalkStop, nil
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindHeading, ast.KindLink, ast.KindImage, ast.KindAutoLink, KindTermLink,
			ast.KindCodeSpan, ast.KindCodeBlock, ast.KindFencedCodeBlock, ast.KindRawHTML, ast.KindHTMLBlock,
			KindDirective:
			return ast.WalkSkipChildren, nil
		}
		l.linkChildren(s, n, src)
		return ast.WalkContinue, nil
	})
}

// linkChildren links the terms used in the runs of plain text among the
// children of parent: consecutive text nodes, read as one text with a
// line break after each soft line break. A hard line break ends a run.
func (l *termLinker) linkChildren(s *glossaryScan, parent ast.Node, src []byte) {
	for c := parent.FirstChild(); c != nil && s.left > 0; {
		if !isPlainText(c) {
			c = c.NextSibling()
			continue
		}
		s.run, s.text = s.run[:0], s.text[:0]
		for c != nil && isPlainText(c) {
			t := c.(*ast.Text)
			s.run = append(s.run, piece{node: t, off: len(s.text)})
			s.text = append(s.text, t.Segment.Value(src)...)
			c = c.NextSibling()
			if t.HardLineBreak() {
				break
			}
			if t.SoftLineBreak() {
				s.text = append(s.text, '\n')
			}
		}
		l.linkRun(s, parent)
	}
}

// isPlainText reports whether n is text to look for terms in: text that
// is neither raw nor indented by a tab (whose Value would not match its
// Segment's offsets).
func isPlainText(n ast.Node) bool {
	t, ok := n.(*ast.Text)
	return ok && !t.IsRaw() && t.Segment.Padding == 0
}

// linkRun wraps in a TermLink the first use, in the document, of each
// term used in the run s holds.
func (l *termLinker) linkRun(s *glossaryScan, parent ast.Node) {
	s.matches = l.index.find(s.matches[:0], s.text, &s.key)
	first := s.matches[:0]
	for _, m := range s.matches {
		if !s.done[m.term] {
			s.done[m.term] = true
			s.left--
			first = append(first, m)
		}
	}
	// Right to left, so that splitting a node leaves the offsets of the
	// matches before it valid.
	for i := len(first) - 1; i >= 0; i-- {
		wrap(parent, s.run, first[i], &l.terms[first[i].term])
	}
}

// wrap moves the text of m, in run, into a new TermLink to term.
func wrap(parent ast.Node, run []piece, m match, term *Term) {
	first, last := pieceAt(run, m.from), pieceAt(run, m.to-1)
	head, tail := run[first].node, run[last].node
	// The text after the match leaves the last node, and so does the
	// node's line break, which belongs after the link.
	if at := m.to - run[last].off; at < tail.Segment.Len() || tail.SoftLineBreak() || tail.HardLineBreak() {
		splitText(parent, tail, at)
	}
	if at := m.from - run[first].off; at > 0 {
		rest := splitText(parent, head, at)
		if first == last {
			tail = rest
		}
		head = rest
	}
	link := &TermLink{Term: term}
	link.SetPos(head.Segment.Start)
	parent.InsertBefore(parent, head, link)
	for n := ast.Node(head); ; {
		next := n.NextSibling()
		link.AppendChild(link, n)
		if n == ast.Node(tail) {
			break
		}
		n = next
	}
}

// pieceAt returns the index of the piece of run that holds the character
// at pos of the run's text.
func pieceAt(run []piece, pos int) int {
	i := len(run) - 1
	for i > 0 && run[i].off > pos {
		i--
	}
	return i
}

// splitText cuts t after its first at bytes and returns the new node
// holding the rest, which takes over t's line break.
func splitText(parent ast.Node, t *ast.Text, at int) *ast.Text {
	rest := ast.NewTextSegment(t.Segment.WithStart(t.Segment.Start + at))
	rest.SetSoftLineBreak(t.SoftLineBreak())
	rest.SetHardLineBreak(t.HardLineBreak())
	t.Segment = t.Segment.WithStop(t.Segment.Start + at)
	t.SetSoftLineBreak(false)
	t.SetHardLineBreak(false)
	parent.InsertAfter(parent, t, rest)
	return rest
}

// termLinkRenderer renders TermLinks to HTML.
type termLinkRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (termLinkRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindTermLink, renderTermLink)
}

func renderTermLink(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	t := n.(*TermLink).Term
	_, _ = w.WriteString(`<a class="term" href="`)
	_, _ = w.Write(util.EscapeHTML(termHref(t)))
	if t.Title != "" {
		_, _ = w.WriteString(`" title="`)
		_, _ = w.Write(util.EscapeHTML(util.StringToReadOnlyBytes(t.Title)))
	}
	_, _ = w.WriteString(`">`)
	return ast.WalkContinue, nil
}

// termHref returns the destination of a link to t: its URL,
// percent-encoded as goldmark encodes destinations. The result may share
// memory with t.URL and must not be modified.
func termHref(t *Term) []byte {
	return util.URLEscape(util.StringToReadOnlyBytes(t.URL), false)
}
