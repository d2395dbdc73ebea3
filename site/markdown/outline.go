package markdown

import (
	"bytes"
	stdhtml "html"
	"slices"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// outline reads from a parsed document what a Result reports beside the
// HTML: the table of contents, the ids and the links. It keeps its
// scratch buffers from one document to the next.
type outline struct {
	src   []byte
	lines []int  // offsets at which the lines of src start; built on first use
	text  []byte // a heading's plain text
}

// collect fills res.TOC, res.IDs and res.Links from doc, parsed from src.
// The ids must be the ones goldmark's renderers write: headings carry
// theirs as an attribute, and footnotes are numbered as
// extension.FootnoteHTMLRenderer numbers them without an id prefix.
func (o *outline) collect(res *Result, doc ast.Node, src []byte) {
	o.src, o.lines = src, o.lines[:0]
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			id := string(headingID(n))
			if id == "" {
				break
			}
			res.IDs = append(res.IDs, id)
			if n.Level == 2 || n.Level == 3 {
				o.text = appendPlainText(o.text[:0], n, src)
				res.TOC = append(res.TOC, Heading{Level: n.Level, ID: id, Text: string(bytes.TrimSpace(o.text))})
			}
		case *extast.FootnoteLink:
			ref := "fnref"
			if n.RefIndex > 0 {
				ref += strconv.Itoa(n.RefIndex)
			}
			res.IDs = append(res.IDs, ref+":"+strconv.Itoa(n.Index))
		case *extast.Footnote:
			res.IDs = append(res.IDs, "fn:"+strconv.Itoa(n.Index))
		case *ast.Link:
			res.Links = append(res.Links, Link{URL: safeURL(util.URLEscape(n.Destination, true)), Line: o.line(n)})
		case *ast.Image:
			res.Links = append(res.Links, Link{URL: safeURL(util.URLEscape(n.Destination, true)), Line: o.line(n)})
			// The description is rendered as the alt text: a link in it
			// is text, and so is a footnote reference.
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			url := safeURL(util.URLEscape(n.URL(src), false))
			if n.AutoLinkType == ast.AutoLinkEmail && !hasPrefixFold(url, "mailto:") {
				url = "mailto:" + url
			}
			res.Links = append(res.Links, Link{URL: url, Line: o.line(n)})
		case *TermLink:
			res.Links = append(res.Links, Link{URL: string(termHref(n.Term)), Line: o.line(n)})
		case *DirectiveNode:
			res.Components = append(res.Components, n.Name)
			for _, url := range n.urls {
				res.Links = append(res.Links, Link{URL: url, Line: o.lineAt(n.offset)})
			}
		}
		return ast.WalkContinue, nil
	})
}

// line returns the 1-based line of the source n is written on: where the
// node starts, or else where its nearest positioned ancestor does.
func (o *outline) line(n ast.Node) int {
	pos := -1
	for ; n != nil && pos < 0; n = n.Parent() {
		pos = n.Pos()
		if pos < 0 && n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			pos = n.Lines().At(0).Start
		}
	}
	if pos < 0 {
		return 1
	}
	return o.lineAt(pos)
}

// lineAt returns the 1-based line of the source offset pos is on.
func (o *outline) lineAt(pos int) int {
	if len(o.lines) == 0 {
		o.lines = append(o.lines, 0)
		for i, src := 0, o.src; ; {
			nl := bytes.IndexByte(src[i:], '\n')
			if nl < 0 {
				break
			}
			i += nl + 1
			o.lines = append(o.lines, i)
		}
	}
	i, found := slices.BinarySearch(o.lines, pos)
	if found {
		return i + 1
	}
	return i
}

// appendPlainText appends to dst the text of n's inline content as a
// reader sees it: character references and backslash escapes resolved,
// typographic substitutions as characters, markup and heading anchors
// left out.
func appendPlainText(dst []byte, n ast.Node, src []byte) []byte {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(src)
			if !c.IsRaw() {
				v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
			}
			dst = append(dst, v...)
			if c.SoftLineBreak() || c.HardLineBreak() {
				dst = append(dst, ' ')
			}
		case *ast.String:
			if c.IsCode() {
				// Typographer substitutions are character references.
				dst = append(dst, stdhtml.UnescapeString(string(c.Value))...)
			} else {
				dst = append(dst, c.Value...)
			}
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					// As the HTML renderer does, a line ending is a space.
					v := t.Segment.Value(src)
					if k := len(v) - 1; k >= 0 && v[k] == '\n' {
						dst = append(append(dst, v[:k]...), ' ')
					} else {
						dst = append(dst, v...)
					}
				}
			}
		case *ast.AutoLink:
			dst = append(dst, c.Label(src)...)
		case *ModelValue:
			dst = append(dst, c.Written()...)
		case *ast.RawHTML, *HeadingAnchor:
			// Not text: raw HTML is omitted, the anchor is a "#".
		default:
			dst = appendPlainText(dst, c, src)
		}
	}
	return dst
}

// headingID returns the id attribute of heading n, or nil.
func headingID(n *ast.Heading) []byte {
	v, _ := n.AttributeString("id")
	switch v := v.(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}

// safeURL returns url as the HTML renderer writes it: empty if goldmark
// refuses to link to it without WithUnsafe (a script, a file, data other
// than an image).
func safeURL(url []byte) string {
	// Every dangerous URL has a scheme; most links of a site have none.
	if bytes.IndexByte(url, ':') >= 0 && html.IsDangerousURL(url) {
		return ""
	}
	return string(url)
}

// hasPrefixFold reports whether s begins with the ASCII prefix, ignoring
// case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
