package markdown_test

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/winnowhq/winnow/site/markdown"
)

// TestMentions checks Mentions on short texts, and that it finds every
// term the glossary links in the cases of testdata: it may say a
// document uses a term it does not link, never the other way round.
func TestMentions(t *testing.T) {
	cold := markdown.Term{Name: "cold lead", Aliases: []string{"cold leads"}, URL: "/glossary/cold-lead/"}
	for _, c := range []struct {
		src  string
		term markdown.Term
		want bool
	}{
		{"Our MQLs grew.", markdown.Term{Name: "MQL", Aliases: []string{"MQLs"}, URL: "/g/mql/"}, true},
		{"our mql", markdown.Term{Name: "MQL", URL: "/g/mql/"}, true},
		{"A leader.", markdown.Term{Name: "lead", URL: "/g/lead/"}, false},
		{"a cold\nlead", cold, true},
		{"> a cold\n> lead", cold, true},
		{"a warm lead", cold, false},
		{"Ünïcode", markdown.Term{Name: "ünïcode", URL: "/g/u/"}, true},
		{"C++ teams", markdown.Term{Name: "++", URL: "/g/pp/"}, false}, // no word to find
		{"any text", markdown.Term{}, false},
	} {
		if got := markdown.NewMentions([]markdown.Term{c.term}).In([]byte(c.src)); got != c.want {
			t.Errorf("Mentions(%q).In(%q) = %v, want %v", c.term.Name, c.src, got, c.want)
		}
	}

	files, err := filepath.Glob("testdata/[0-9][0-9][0-9]-*.txt")
	if err != nil {
		t.Fatal(err)
	}
	linked := 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var input []byte
		var terms []markdown.Term
		for _, f := range ar.Files {
			switch f.Name {
			case "input.md":
				input = f.Data
			case "terms":
				terms = parseTerms(t, string(f.Data))
			}
		}
		if len(terms) == 0 {
			continue
		}
		res, err := markdown.New(markdown.Options{Terms: terms}).Render(input, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, term := range terms {
			if !strings.Contains(string(res.HTML), `class="term" href="`+term.URL+`"`) {
				continue
			}
			linked++
			if !markdown.NewMentions([]markdown.Term{term}).In(input) {
				t.Errorf("%s: %q is linked, but Mentions does not find it", file, term.Name)
			}
		}
	}
	if linked == 0 {
		t.Error("no case links a term")
	}
}
