package markdown_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/site/markdown"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected sections of testdata/NNN-*.txt")

// The sections of a case file. The input sections come first, in any
// order; the expected ones follow, in this order.
const (
	inputSection    = "input.md"
	termsSection    = "terms"  // one term a line: Name|alias1,alias2|/url/|Title
	selfSection     = "self"   // the URL of the page rendered
	valuesSection   = "values" // one model value a line: ref value
	htmlSection     = "output.html"
	tocSection      = "toc"      // one heading a line: level id text
	linksSection    = "links"    // one link a line: line URL
	idsSection      = "ids"      // one id a line
	problemsSection = "problems" // one problem a line: line:col: message
)

var expectedSections = []string{htmlSection, tocSection, linksSection, idsSection, problemsSection}

// TestCases renders each case of testdata and compares the result with
// the expected sections. With -update, it rewrites them instead; on a
// mismatch, it writes the case with what was rendered next to it, as
// NNN-name.txt.actual.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/[0-9][0-9][0-9]-*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no cases in testdata")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runCase(t, file)
		})
	}
}

func runCase(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]byte{}
	for _, f := range ar.Files {
		if _, dup := sections[f.Name]; dup {
			t.Fatalf("%s: section %q twice", file, f.Name)
		}
		sections[f.Name] = f.Data
	}
	input, ok := sections[inputSection]
	if !ok {
		t.Fatalf("%s: no %q section", file, inputSection)
	}
	terms := parseTerms(t, string(sections[termsSection]))
	self := strings.TrimSpace(string(sections[selfSection]))

	opts := markdown.Options{Terms: terms, Components: testComponents}
	if v, ok := sections[valuesSection]; ok {
		opts.Values = parseValues(string(v))
	}
	res, err := markdown.New(opts).Render(input, self)
	var problems markdown.Problems
	if err != nil && !errors.As(err, &problems) {
		t.Fatal(err)
	}
	checkResult(t, input, res)
	got := map[string][]byte{
		htmlSection:     res.HTML,
		tocSection:      formatTOC(res.TOC),
		linksSection:    formatLinks(res.Links),
		idsSection:      formatIDs(res.IDs),
		problemsSection: formatProblems(problems),
	}

	actual := &txtar.Archive{Comment: ar.Comment}
	for _, f := range ar.Files {
		if !slices.Contains(expectedSections, f.Name) {
			actual.Files = append(actual.Files, f)
		}
	}
	for _, name := range expectedSections {
		if name == problemsSection && len(got[name]) == 0 {
			continue // a case without problems has no problems section
		}
		actual.Files = append(actual.Files, txtar.File{Name: name, Data: got[name]})
	}
	if *update {
		if err := os.WriteFile(file, txtar.Format(actual), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	failed := false
	for _, name := range expectedSections {
		want, ok := sections[name]
		if !ok && name == problemsSection && len(got[name]) == 0 {
			continue
		}
		if !ok {
			t.Errorf("%s: no %q section; run go test -update", file, name)
			failed = true
			continue
		}
		if !bytes.Equal(got[name], want) {
			t.Errorf("%s: %s:\n--- got\n%s--- want\n%s", file, name, got[name], want)
			failed = true
		}
	}
	if failed {
		if err := os.WriteFile(file+".actual", txtar.Format(actual), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := os.Remove(file + ".actual"); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// parseTerms reads a terms section.
func parseTerms(tb testing.TB, s string) []markdown.Term {
	tb.Helper()
	var terms []markdown.Term
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 4 {
			tb.Fatalf("term %q: want Name|aliases|URL|Title", line)
		}
		term := markdown.Term{Name: f[0], URL: f[2], Title: f[3]}
		for a := range strings.SplitSeq(f[1], ",") {
			if a = strings.TrimSpace(a); a != "" {
				term.Aliases = append(term.Aliases, a)
			}
		}
		terms = append(terms, term)
	}
	return terms
}

func formatTOC(toc []markdown.Heading) []byte {
	var b bytes.Buffer
	for _, h := range toc {
		fmt.Fprintf(&b, "%d %s %s\n", h.Level, h.ID, h.Text)
	}
	return b.Bytes()
}

func formatLinks(links []markdown.Link) []byte {
	var b bytes.Buffer
	for _, l := range links {
		fmt.Fprintf(&b, "%d %s\n", l.Line, l.URL)
	}
	return b.Bytes()
}

func formatProblems(ps markdown.Problems) []byte {
	if len(ps) == 0 {
		return nil
	}
	return []byte(ps.Error() + "\n")
}

// parseValues reads a values section into a resolver that knows these
// values only.
func parseValues(s string) markdown.Values {
	values := map[string]string{}
	for line := range strings.Lines(s) {
		if ref, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			values[ref] = v
		}
	}
	return func(ref string) (string, error) {
		if v, ok := values[ref]; ok {
			return v, nil
		}
		return "", fmt.Errorf("the model has no value %s", ref)
	}
}

func formatIDs(ids []string) []byte {
	var b bytes.Buffer
	for _, id := range ids {
		fmt.Fprintln(&b, id)
	}
	return b.Bytes()
}

var (
	idAttr  = regexp.MustCompile(` id="([^"]*)"`)
	linkTag = regexp.MustCompile(`<(?:a|img) [^>]*>`)
	urlAttr = regexp.MustCompile(` (?:href|src)="([^"]*)"`)
	// The classes of the links the HTML makes itself, to a heading or a
	// footnote.
	ownLink   = regexp.MustCompile(` class="(?:anchor|footnote-ref|footnote-backref)"`)
	anchorTag = regexp.MustCompile(`</?a[ >]`)
	termHref  = regexp.MustCompile(`<a class="term" href="([^"]*)"`)
	heading   = regexp.MustCompile(`(?s)<h[1-6][ >].*?</h[1-6]>`)
)

// checkResult checks res, rendered from src, against its HTML: the ids
// are exactly the id attributes, in order; the links exactly the href and
// src attributes, in order, but for the links to a heading or a footnote
// that the HTML makes itself, each on a line of src. A link is never
// inside another, a term is linked once at most, and never in a heading.
// HTML text escapes every '"', '<' and '>', so a tag or an attribute is
// never taken for text or the other way round.
func checkResult(tb testing.TB, src []byte, res markdown.Result) {
	tb.Helper()
	var ids []string
	for _, m := range idAttr.FindAllSubmatch(res.HTML, -1) {
		ids = append(ids, unescape(string(m[1])))
	}
	if !slices.Equal(res.IDs, ids) {
		tb.Errorf("IDs = %q, but the HTML defines %q", res.IDs, ids)
	}

	var urls []string
	for _, tag := range linkTag.FindAll(res.HTML, -1) {
		if m := urlAttr.FindSubmatch(tag); m != nil && !ownLink.Match(tag) {
			urls = append(urls, unescape(string(m[1])))
		}
	}
	var linked []string
	lines := bytes.Count(src, []byte("\n")) + 1
	for _, l := range res.Links {
		linked = append(linked, l.URL)
		if l.Line < 1 || l.Line > lines {
			tb.Errorf("link %q on line %d of %d", l.URL, l.Line, lines)
		}
	}
	if !slices.Equal(linked, urls) {
		tb.Errorf("Links = %q, but the HTML links to %q", linked, urls)
	}

	depth := 0
	for _, tag := range anchorTag.FindAll(res.HTML, -1) {
		if tag[1] == '/' {
			depth--
		} else if depth++; depth > 1 {
			tb.Errorf("a link inside a link")
		}
	}
	seen := map[string]bool{}
	for _, m := range termHref.FindAllSubmatch(res.HTML, -1) {
		if url := string(m[1]); seen[url] {
			tb.Errorf("term %s linked twice", url)
		} else {
			seen[url] = true
		}
	}
	for _, h := range heading.FindAll(res.HTML, -1) {
		if termHref.Match(h) {
			tb.Errorf("a term linked in heading %s", h)
		}
	}
}

// unescape undoes goldmark's escaping of attribute values.
func unescape(s string) string {
	return strings.NewReplacer("&quot;", `"`, "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
