package content

import (
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/winnowhq/winnow/qualify"
)

// PagesDir holds the site's Markdown pages; their paths make their URLs.
const PagesDir = "pages"

// Page is a Markdown page of the site, read but not rendered.
type Page struct {
	URL         string // site-absolute path: pages/index.md is "/", pages/blog/a.md is "/blog/a/"
	File        string // the path diagnostics give, e.g. "content/pages/blog/a.md"
	Section     string // the URL of the section it belongs to ("/blog/"), "" at the top
	IsSection   bool   // an _index.md: the list page of its directory
	Title       string
	Description string
	Date        time.Time // zero when the page has no date
	Draft       bool
	Funnel      qualify.Funnel
	Aliases     []string // old URLs that redirect here
	Order       int
	Menu        bool        // shown in the main navigation
	Layout      string      // the layout asked for, "" for the default
	LayoutPos   qualify.Pos // where it was asked for
	Signal      string      // the signal a view of the page records (a model's signal), or ""
	SignalPos   qualify.Pos // where it was named
	Body        []byte
	BodyLine    int // the file line the body starts on
}

// Pages reads every Markdown page under pages/ of the content directory,
// sorted by URL. Drafts are left out unless drafts is set. Every problem
// is reported at its position; a page with a problem is left out.
func Pages(fsys fs.FS, root string, drafts bool) ([]Page, qualify.Diags) {
	l := &loader{fsys: fsys, root: root}
	var names []string
	err := fs.WalkDir(fsys, PagesDir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			l.diags.Add(qualify.Pos{File: l.filePath(name)}, "cannot read: "+errText(err))
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(name, ".md") {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		l.diags.Add(qualify.Pos{File: l.filePath(PagesDir)}, "cannot read: "+errText(err))
	}
	// Read the pages on every CPU: each reader collects its own problems.
	n := min(runtime.GOMAXPROCS(0), max(1, len(names)/64))
	readers := make([]*loader, n)
	results := make([]Page, len(names))
	ok := make([]bool, len(names))
	var wg sync.WaitGroup
	for r := range n {
		readers[r] = &loader{fsys: fsys, root: root}
		wg.Add(1)
		go func(rd *loader) {
			defer wg.Done()
			for i := r; i < len(names); i += n {
				results[i], ok[i] = rd.page(names[i])
			}
		}(readers[r])
	}
	wg.Wait()
	var pages []Page
	for i, p := range results {
		if ok[i] && (drafts || !p.Draft) {
			pages = append(pages, p)
		}
	}
	for _, rd := range readers {
		l.diags = append(l.diags, rd.diags...)
	}
	slices.SortFunc(pages, func(a, b Page) int { return strings.Compare(a.URL, b.URL) })
	l.checkURLs(pages)
	l.diags.Sort()
	return pages, l.diags
}

// ReadPage reads one page as Pages does: name is its path in fsys, under
// pages/ ("pages/blog/a.md"). ok is false when it has a problem; drafts
// are returned like other pages (Page.Draft). A tool that keeps the pages
// of an earlier Pages reads again only those that changed, then checks
// the whole list with CheckURLs.
func ReadPage(fsys fs.FS, root, name string) (p Page, ok bool, diags qualify.Diags) {
	l := &loader{fsys: fsys, root: root}
	p, ok = l.page(name)
	l.diags.Sort()
	return p, ok, l.diags
}

// CheckURLs reports pages, and aliases of pages, that claim the same URL,
// as Pages does; pages must be sorted by URL.
func CheckURLs(pages []Page) qualify.Diags {
	l := &loader{}
	l.checkURLs(pages)
	l.diags.Sort()
	return l.diags
}

// PageURL returns the URL of the page at name, a path under pages/.
func PageURL(name string) (url string, section bool) {
	rel := strings.TrimSuffix(strings.TrimPrefix(name, PagesDir+"/"), ".md")
	base := path.Base(rel)
	dir := path.Dir(rel)
	switch {
	case base == "_index" || base == "index":
		section = base == "_index"
		if dir == "." {
			return "/", section
		}
		return "/" + dir + "/", section
	case dir == ".":
		return "/" + base + "/", false
	}
	return "/" + dir + "/" + base + "/", false
}

// ParentSection returns the URL of the section a page at url belongs to:
// "/blog/" for "/blog/a/" and for "/blog/2026/", "" for top-level pages.
func ParentSection(url string) string {
	dir := path.Dir(strings.TrimSuffix(url, "/"))
	if dir == "/" || dir == "." {
		return ""
	}
	return dir + "/"
}

func (l *loader) page(name string) (Page, bool) {
	f := &file{name: l.filePath(name), diags: &l.diags}
	src, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		l.diags.Add(qualify.Pos{File: f.name}, "cannot read the file: "+errText(err))
		return Page{}, false
	}
	p := Page{File: f.name}
	p.URL, p.IsSection = PageURL(name)
	p.Section = ParentSection(p.URL)
	front, body, bodyLine, ok := splitFrontMatter(string(src))
	if !ok {
		f.errPos(qualify.Pos{File: f.name, Line: 1, Col: 1}, "missing front matter: the file must start with a line --- and a YAML block closed by ---")
		return p, false
	}
	p.Body, p.BodyLine = []byte(body), bodyLine
	f.shift = 1
	before := len(l.diags)
	node := f.parse([]byte(front))
	if len(l.diags) > before {
		return p, false
	}
	var titleN, funnelN ast.Node
	f.fields(node, "page", map[string]func(ast.Node){
		"title":       func(n ast.Node) { p.Title, titleN = f.str(n, "title"), n },
		"description": func(n ast.Node) { p.Description = f.str(n, "description") },
		"draft":       func(n ast.Node) { p.Draft = f.bool(n, "draft") },
		"menu":        func(n ast.Node) { p.Menu = f.bool(n, "menu") },
		"order":       func(n ast.Node) { p.Order, _ = f.int(n, "order") },
		"funnel":      func(n ast.Node) { funnelN = n },
		"aliases":     func(n ast.Node) { p.Aliases = f.strs(n, "aliases") },
		"layout":      func(n ast.Node) { p.Layout, p.LayoutPos = f.str(n, "layout"), f.pos(n) },
		"signal":      func(n ast.Node) { p.Signal, p.SignalPos = f.str(n, "signal"), f.pos(n) },
		"date": func(n ast.Node) {
			s := f.str(n, "date")
			t, ok := ParseInstant(s)
			if !ok {
				f.err(n, "date must be a date like 2026-03-31 or 2026-03-31T09:30:00Z, not "+f.describeValue(n))
				return
			}
			p.Date = time.Unix(t, 0).UTC()
		},
	})
	if titleN == nil || strings.TrimSpace(p.Title) == "" {
		f.errPos(qualify.Pos{File: f.name, Line: 1, Col: 1}, "page: title is missing")
	}
	if funnelN != nil {
		fu, ok := qualify.ParseFunnel(f.str(funnelN, "funnel"))
		if !ok {
			f.err(funnelN, "funnel must be TOFU, MOFU or BOFU, not "+f.describeValue(funnelN))
		}
		p.Funnel = fu
	}
	for _, a := range p.Aliases {
		if !strings.HasPrefix(a, "/") || strings.ContainsAny(a, " ?#\"'<>") {
			f.errPos(qualify.Pos{File: f.name, Line: 1, Col: 1}, "alias "+strconv.Quote(a)+" must be a site path such as /old/page/")
		}
	}
	return p, len(l.diags) == before
}

// CheckPages reports what the pages' front matter names that the model
// lacks: a signal (signal: pricing_visit) the model does not declare.
// Pages are read without the model, so the site build and winnow check
// call it once both are loaded.
func CheckPages(m *qualify.Model, pages []Page) qualify.Diags {
	var diags qualify.Diags
	for i := range pages {
		p := &pages[i]
		if p.SignalPos.File == "" || m.SignalIndex(p.Signal) >= 0 {
			continue
		}
		where := "the model"
		if len(m.Signals) > 0 {
			where = m.Signals[0].Pos.File
		}
		diags.Add(p.SignalPos, "signal "+strconv.Quote(p.Signal)+" is not declared in "+where+choices(p.Signal, "signals", signalNames(m)))
	}
	diags.Sort()
	return diags
}

// checkURLs reports pages and aliases that claim the same URL.
func (l *loader) checkURLs(pages []Page) {
	claimed := make(map[string]string, len(pages))
	claim := func(url, file, what string) {
		if !strings.HasSuffix(url, "/") {
			url += "/"
		}
		if first, ok := claimed[url]; ok && first != file {
			l.diags.Add(qualify.Pos{File: file, Line: 1, Col: 1}, what+" "+url+" is also the URL of "+first)
			return
		}
		claimed[url] = file
	}
	for _, p := range pages {
		claim(p.URL, p.File, "page URL")
	}
	for _, p := range pages {
		for _, a := range p.Aliases {
			claim(a, p.File, "alias")
		}
	}
}
