package markdown_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/winnowhq/winnow/site/markdown"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

func ExampleRenderer_Render() {
	r := markdown.New(markdown.Options{Terms: []markdown.Term{
		{Name: "MQL", Aliases: []string{"MQLs"}, URL: "/glossary/mql/", Title: "Marketing qualified lead"},
	}})
	src := []byte("## Handoff\n\nEach MQL goes to [sales](/sales/),\nas do later MQLs.\n")
	res, err := r.Render(src, "/handoff/")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s", res.HTML)
	fmt.Println(res.TOC)
	fmt.Println(res.IDs)
	fmt.Println(res.Links)
	// Output:
	// <h2 id="handoff">Handoff <a class="anchor" href="#handoff" aria-label="Link to this section">#</a></h2>
	// <p>Each <a class="term" href="/glossary/mql/" title="Marketing qualified lead">MQL</a> goes to <a href="/sales/">sales</a>,
	// as do later MQLs.</p>
	// [{2 handoff Handoff}]
	// [handoff]
	// [{/glossary/mql/ 3} {/sales/ 3}]
}

// The glossary is a goldmark extension of its own; the page's URL goes
// in the parser's context.
func ExampleNewGlossary() {
	md := goldmark.New(goldmark.WithExtensions(markdown.NewGlossary([]markdown.Term{
		{Name: "SQL", URL: "/glossary/sql/", Title: "Sales qualified lead"},
		{Name: "MQL", URL: "/glossary/mql/", Title: "Marketing qualified lead"},
	})))
	src := []byte("An MQL becomes an SQL.")
	pc := parser.NewContext()
	markdown.SetSelfURL(pc, "/glossary/sql/")
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	var out bytes.Buffer
	if err := md.Renderer().Render(&out, src, doc); err != nil {
		log.Fatal(err)
	}
	fmt.Print(out.String())
	// Output:
	// <p>An <a class="term" href="/glossary/mql/" title="Marketing qualified lead">MQL</a> becomes an SQL.</p>
}

// HeadingAnchors works with any goldmark that gives headings ids.
func ExampleHeadingAnchors() {
	md := goldmark.New(
		goldmark.WithExtensions(markdown.HeadingAnchors),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
	var out bytes.Buffer
	if err := md.Convert([]byte("# Title\n\n## Exit rules\n"), &out); err != nil {
		log.Fatal(err)
	}
	fmt.Print(out.String())
	// Output:
	// <h1 id="title">Title</h1>
	// <h2 id="exit-rules">Exit rules <a class="anchor" href="#exit-rules" aria-label="Link to this section">#</a></h2>
}
