package markdown_test

import (
	"errors"
	"html"
	"io"
	"slices"
	"strings"

	"github.com/winnowhq/winnow/site/markdown"
)

// testComponents are the components the case files use: each writes its
// name, its attributes and its body, so that a case shows what a
// component is handed.
var testComponents = map[string]markdown.Component{
	"box": {
		Attrs:  []markdown.Attr{{Name: "title", Required: true}, {Name: "href", URL: true}, {Name: "wide", Flag: true}},
		Render: renderTest,
	},
	"grid": {
		Attrs:  []markdown.Attr{{Name: "title"}},
		Item:   "cell",
		Render: renderTest,
	},
	"cell": {
		Attrs:  []markdown.Attr{{Name: "title", Required: true}},
		Inside: "grid",
		Render: renderTest,
	},
	"signup": {
		Once:   true,
		Render: renderTest,
	},
	"broken": {
		Render: func(io.Writer, *markdown.Directive) error { return errors.New("cannot be shown") },
	},
}

// renderTest writes a component as
// <div class="name" data-attr="value"><a href="...">link</a>
// body<ol><li>item</li></ol></div>, attributes by name; the link of href
// comes first, so that the HTML lists links in the order a render
// reports them.
func renderTest(w io.Writer, d *markdown.Directive) error {
	var b strings.Builder
	b.WriteString(`<div class="` + d.Name + `"`)
	var names []string
	for name := range d.Attrs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b.WriteString(` data-` + name + `="` + html.EscapeString(d.Attrs[name]) + `"`)
	}
	b.WriteString(">")
	if href := d.Attr("href"); href != "" {
		b.WriteString(`<a href="` + html.EscapeString(href) + `">link</a>`)
	}
	b.WriteString("\n")
	b.Write(d.Body)
	if len(d.Items) > 0 {
		b.WriteString("<ol>\n")
		for _, it := range d.Items {
			b.WriteString("<li>")
			if _, err := io.WriteString(w, b.String()); err != nil {
				return err
			}
			b.Reset()
			if err := renderTest(w, it); err != nil {
				return err
			}
			b.WriteString("</li>\n")
		}
		b.WriteString("</ol>\n")
	}
	b.WriteString("</div>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
