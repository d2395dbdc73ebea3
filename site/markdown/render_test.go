package markdown_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/winnowhq/winnow/site/markdown"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"golang.org/x/tools/txtar"
)

var testTerms = []markdown.Term{
	{Name: "lead", Aliases: []string{"leads"}, URL: "/glossary/lead/", Title: "Lead"},
	{Name: "cold lead", Aliases: []string{"cold leads"}, URL: "/glossary/cold-lead/", Title: "Cold lead"},
	{Name: "MQL", Aliases: []string{"MQLs", "marketing qualified lead"}, URL: "/glossary/mql/", Title: "Marketing qualified lead"},
	{Name: "ICP", URL: "/glossary/icp/", Title: "Ideal customer profile"},
}

// TestRenderReuse renders documents one after another with one Renderer:
// each result must be the one a new Renderer gives, so nothing of a
// document (heading ids, terms linked, the page's URL) leaks into the
// next.
func TestRenderReuse(t *testing.T) {
	docs := []struct {
		src  string
		self string
	}{
		{"## Scoring\n\nAn MQL[^1] and a cold lead.\n\n[^1]: See the [ICP](/icp/).\n", ""},
		{"## Scoring\n\nNo [MQL](/mql/) here, but a lead.\n", "/glossary/lead/"},
		{"## Scoring\n\nAn MQL[^1] and a cold lead.\n\n[^1]: See the [ICP](/icp/).\n", "/glossary/mql/"},
		{"## Scoring\n\nAn MQL[^1] and a cold lead.\n\n[^1]: See the [ICP](/icp/).\n", ""},
	}
	r := markdown.New(markdown.Options{Terms: testTerms})
	for i, d := range docs {
		got, err := r.Render([]byte(d.src), d.self)
		if err != nil {
			t.Fatal(err)
		}
		want, err := markdown.New(markdown.Options{Terms: testTerms}).Render([]byte(d.src), d.self)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.HTML, want.HTML) {
			t.Errorf("render %d: HTML\n%s, want\n%s", i, got.HTML, want.HTML)
		}
		if !slices.Equal(got.TOC, want.TOC) || !slices.Equal(got.IDs, want.IDs) || !slices.Equal(got.Links, want.Links) {
			t.Errorf("render %d: TOC, IDs, Links = %v, %q, %v; want %v, %q, %v",
				i, got.TOC, got.IDs, got.Links, want.TOC, want.IDs, want.Links)
		}
	}
}

// TestGlossaryShared uses one glossary extension from several goroutines,
// on pages of their own: what the glossary learns of a document stays in
// that document's parse.
func TestGlossaryShared(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(markdown.NewGlossary(testTerms)))
	src := []byte("An MQL, then MQLs and a lead.\n")
	want := map[string]string{
		"": `<p>An <a class="term" href="/glossary/mql/" title="Marketing qualified lead">MQL</a>, then MQLs and a ` +
			`<a class="term" href="/glossary/lead/" title="Lead">lead</a>.</p>` + "\n",
		"/glossary/mql/": `<p>An MQL, then MQLs and a <a class="term" href="/glossary/lead/" title="Lead">lead</a>.</p>` + "\n",
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				self := ""
				if (g+i)%2 == 1 {
					self = "/glossary/mql/"
				}
				pc := parser.NewContext()
				markdown.SetSelfURL(pc, self)
				doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
				var b bytes.Buffer
				if err := md.Renderer().Render(&b, src, doc); err != nil {
					t.Error(err)
					return
				}
				if got := b.String(); got != want[self] {
					t.Errorf("self %q: got\n%s, want\n%s", self, got, want[self])
					return
				}
			}
		})
	}
	wg.Wait()
}

// FuzzRender renders any Markdown with a few terms and checks the result
// against its HTML (see checkResult). It is seeded with the inputs of the
// cases in testdata.
func FuzzRender(f *testing.F) {
	files, err := filepath.Glob("testdata/[0-9][0-9][0-9]-*.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, fl := range ar.Files {
			if fl.Name == inputSection {
				f.Add(string(fl.Data), "")
			}
		}
	}
	page, err := os.ReadFile("testdata/bench/page.md")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(page), "/glossary/mql/")
	r := markdown.New(markdown.Options{Terms: testTerms})
	f.Fuzz(func(t *testing.T, src, self string) {
		res, err := r.Render([]byte(src), self)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, []byte(src), res)
		if self != "" && strings.Contains(string(res.HTML), `class="term" href="`+self+`"`) {
			t.Errorf("term linked on its own page %s", self)
		}
	})
}
