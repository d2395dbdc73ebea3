// Package markdown renders the Markdown of Winnow's site to HTML.
//
// A [Renderer] is goldmark configured for the site: GitHub Flavored
// Markdown, footnotes, definition lists, typographic punctuation and
// heading ids, without raw HTML. The goldmark extensions of this package
// add what the site needs on top: [HeadingAnchors] gives every section a
// link to itself, [NewGlossary] links the first use of each glossary
// term to its page, [NewModelValues] prints the model's values named in
// the text ({{threshold.mql}}), and components written as directives
// (:::hero ... :::, see [Component]) are rendered by the site's
// templates. Beside the HTML, a render reports what the site builder
// checks and indexes: the table of contents, the ids the page defines and
// the links it makes, each with its source line, and the problems of the
// document, each at its line and column.
package markdown

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Term is a glossary entry to link on first use.
type Term struct {
	Name    string   // the term as used in running text, e.g. "MQL", "cold lead"
	Aliases []string // other spellings and plurals, e.g. "MQLs", "marketing qualified lead"
	URL     string   // its glossary page, e.g. "/glossary/mql/"
	Title   string   // full name, for the link's title attribute
}

// Options configure a Renderer. The zero value is useful (no terms, no
// model values, no components).
type Options struct {
	// Terms are the glossary entries to link; see NewGlossary.
	Terms []Term
	// Values resolves the model values the text names; nil leaves
	// double braces as they are written.
	Values Values
	// Components are the components directives can name, by name.
	Components map[string]Component
}

// Heading is an entry of the table of contents.
type Heading struct {
	Level int    // 2 or 3
	ID    string // the heading's id attribute
	Text  string // the heading as plain text, without markup
}

// Link is a link found in the document, with the 1-based line of the
// Markdown source it is written on.
type Link struct {
	// URL is the destination as the href or src attribute holds it:
	// backslash escapes and character references resolved, spaces and
	// non-ASCII characters percent-encoded; empty where the renderer drops
	// a dangerous destination, such as a javascript: URL.
	URL  string
	Line int
}

// Result is one rendered document.
type Result struct {
	HTML  []byte    // valid until the next Render call on the same Renderer
	TOC   []Heading // h2 and h3 headings, in order, with their ids
	IDs   []string  // every id the HTML defines (headings, footnotes...), for anchor checks
	Links []Link    // every link and image destination, for link checks (auto-links to terms included)
	// Components are the names of the components the document uses, in
	// order, items included.
	Components []string
}

// Renderer renders Markdown to HTML. It is not safe for concurrent use:
// make one per goroutine; it reuses its buffers.
type Renderer struct {
	md       goldmark.Markdown
	html     htmlBuffer
	outline  outline
	problems problems
}

// New returns a Renderer for the site's Markdown that links opts.Terms.
func New(opts Options) *Renderer {
	exts := []goldmark.Extender{
		extension.GFM,
		extension.Footnote,
		extension.DefinitionList,
		extension.Typographer,
		HeadingAnchors,
	}
	if len(opts.Terms) > 0 {
		exts = append(exts, NewGlossary(opts.Terms))
	}
	if opts.Values != nil {
		exts = append(exts, NewModelValues(opts.Values))
	}
	r := &Renderer{}
	if len(opts.Components) > 0 {
		exts = append(exts, &directives{components: opts.Components, problems: &r.problems})
	}
	r.md = goldmark.New(
		goldmark.WithExtensions(exts...),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
	return r
}

// Render renders src. selfURL is the URL of the page being rendered: a
// term is never linked on its own page. If the document has problems,
// the error is its Problems, and the Result is rendered all the same.
func (r *Renderer) Render(src []byte, selfURL string) (Result, error) {
	pc := parser.NewContext()
	SetSelfURL(pc, selfURL)
	r.problems.list = r.problems.list[:0]
	pc.Set(problemsKey, &r.problems)
	doc := r.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	r.html.Reset()
	if err := r.md.Renderer().Render(&r.html, src, doc); err != nil {
		return Result{}, err
	}
	res := Result{HTML: r.html.Bytes()}
	r.outline.collect(&res, doc, src)
	if ps := r.problems.resolve(src); len(ps) > 0 {
		return res, ps
	}
	return res, nil
}

// htmlBuffer lets goldmark write straight into a bytes.Buffer: it is a
// util.BufWriter with nothing to flush, so no bufio.Writer is allocated
// and copied through on every render.
type htmlBuffer struct{ bytes.Buffer }

// Buffered reports that no bytes wait to be flushed.
func (*htmlBuffer) Buffered() int { return 0 }

// Flush does nothing: every write is already in the buffer.
func (*htmlBuffer) Flush() error { return nil }
