package markdown_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/winnowhq/winnow/site/markdown"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// BenchmarkRender renders a 1.6 KB page of the site (headings, a list, a
// table, code, links, a footnote) with the site's 50 glossary terms of 3
// aliases each, of which the page links 10 (in 18 uses). Beside it, as anchors: goldmark
// alone with the same extensions, and the Renderer without terms.
func BenchmarkRender(b *testing.B) {
	page, err := os.ReadFile("testdata/bench/page.md")
	if err != nil {
		b.Fatal(err)
	}
	terms, err := os.ReadFile("testdata/bench/terms.txt")
	if err != nil {
		b.Fatal(err)
	}
	glossary := parseTerms(b, string(terms))

	b.Run("goldmark", func(b *testing.B) {
		md := goldmark.New(
			goldmark.WithExtensions(extension.GFM, extension.Footnote, extension.DefinitionList, extension.Typographer),
			goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		)
		var out bytes.Buffer
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			if err := md.Convert(page, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, bc := range []struct {
		name  string
		terms []markdown.Term
		links int // term links the page must get
	}{
		{"terms=0", nil, 0},
		{"terms=50", glossary, 10},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := markdown.New(markdown.Options{Terms: bc.terms})
			res, err := r.Render(page, "/")
			if err != nil {
				b.Fatal(err)
			}
			if n := bytes.Count(res.HTML, []byte(`class="term"`)); n != bc.links {
				b.Fatalf("%d term links, want %d:\n%s", n, bc.links, res.HTML)
			}
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(page, "/"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
