// Package site builds Winnow's static site from a content directory: the
// marketing pages (Markdown), the shared definitions glossary, and the pages
// generated from the qualification model (SLA, scoring, signup form). Pages
// are rendered in parallel with goldmark and templ, minified, and written
// only when they changed; every internal link and anchor is checked.
package site

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/json"
	"github.com/tdewolff/minify/v2/svg"
	"github.com/tdewolff/minify/v2/xml"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/site/markdown"
	"github.com/winnowhq/winnow/templates"
)

// Options configure a build. Content and Static are read; the site is
// written to Out.
type Options struct {
	Content    fs.FS  // the content directory
	ContentDir string // its path in diagnostics, e.g. "content"
	Static     fs.FS  // static files: CSS, images, scripts
	StaticDir  string // its path in diagnostics, e.g. "static"
	// Assets are files built elsewhere and published like static files:
	// the widget's WebAssembly and Go's wasm_exec.js. A file may come with
	// its brotli and gzip forms beside it (name.br, name.gz), which the
	// build publishes instead of compressing it again. Nil: none.
	Assets     fs.FS
	AssetsDir  string
	Out        Output // where the site is written
	Drafts     bool   // include pages marked draft
	Workers    int    // pages rendered at once; 0 means one per CPU
	BaseURL    string // overrides site.yaml's base_url (the dev server's own address)
	LiveReload string // dev server only: the URL of its reload event stream
	// Files are published as they are, at these paths: the edge's data
	// (the domain lists, the time zone database), which its worker reads
	// from the site instead of carrying it.
	Files map[string][]byte
	// Headers are sent with every page when the site is served as static
	// assets at the edge: the build writes them to _headers (Cloudflare's
	// format), with immutable caching for the fingerprinted assets.
	Headers http.Header
}

// Result tells what a build did.
type Result struct {
	Pages    int           // HTML pages built
	Files    int           // files in the site, pages included
	Written  int           // files written because they are new or changed
	Removed  int           // files of an earlier build no longer part of the site
	Duration time.Duration // wall time of the build
	Model    *qualify.Model
	Site     templates.Site // the layout's site-wide parts, for pages served by the worker
	FormURL  string         // the signup form page
	// Routing is the content's routing.yaml, compiled, or nil without one.
	Routing *routing.Routing
	// Examples are the content's example leads with the verdicts they
	// got; a build does not fail on an example that gets another than
	// it expects (winnow check does).
	Examples []content.Result
}

// Build builds the site. On any problem it returns every problem found,
// sorted, and leaves the output as it was.
func Build(ctx context.Context, opts Options) (Result, qualify.Diags) {
	start := time.Now()
	b, diags := prepare(opts)
	if len(diags) > 0 {
		return Result{}, diags
	}
	diags = b.render(ctx)
	if b.failed != nil {
		diags.Add(qualify.Pos{}, "writing the site: "+b.failed.Error())
	}
	if len(diags) > 0 {
		opts.Out.Abort()
		return Result{}, diags
	}
	written, removed, err := opts.Out.Commit(b.paths)
	if err != nil {
		opts.Out.Abort()
		return Result{}, qualify.Diags{{Msg: "writing the site: " + err.Error()}}
	}
	res := Result{Files: len(b.paths), Written: written, Removed: removed, Pages: b.pages}
	res.Duration = time.Since(start)
	res.Model, res.Site, res.FormURL, res.Routing = b.content.Model, b.site, "/signup/", b.content.Routing
	res.Examples = b.examples
	res.Site.LiveReload = ""
	return res, nil
}

// builder holds one build: what was read, and what is produced.
type builder struct {
	opts      Options
	content   *content.Content
	settings  content.Site
	pages     int // HTML pages produced
	site      templates.Site
	glossary  *glossary
	values    *modelValues   // the model's values Markdown prints
	list      []content.Page // the Markdown pages
	sections  map[string]*section
	assets    map[string]string // static path ("css/site.css") or "model" -> URL
	modelText string
	jobs      []job
	jobAt     map[string]int // path -> index into jobs
	min       *minify.M
	examples  []content.Result // every example lead with its verdict

	mu        sync.Mutex
	paths     map[string]bool     // every file of the site
	noindex   map[string]bool     // pages kept out of the sitemap
	links     []linkRef           // internal links written in Markdown, to check
	generated map[string]linkRef  // internal links made by templates, once each
	ids       map[string][]string // page -> the ids it defines
	failed    error               // the first error staging a file
}

// job renders one file of the site.
type job struct {
	path    string // where it goes, e.g. "glossary/mql/index.html"
	source  string // the content file it comes from, for diagnostics
	line    int    // the line its Markdown body starts on, or 0
	noindex bool   // keep it out of the sitemap (404, redirects)
	render  func(w *worker) (page, error)
}

// page is what a job produced.
type page struct {
	html  []byte
	links []markdown.Link // from Markdown, with source lines
}

// worker renders pages one after another, reusing its buffers.
type worker struct {
	b   *builder
	md  *markdown.Renderer
	buf bytes.Buffer
	out bytes.Buffer
}

func prepare(opts Options) (*builder, qualify.Diags) {
	var diags qualify.Diags
	if opts.ContentDir == "" {
		opts.ContentDir = "content"
	}
	if opts.StaticDir == "" {
		opts.StaticDir = "static"
	}
	c, modelDiags := content.Load(opts.Content, opts.ContentDir)
	diags = append(diags, modelDiags...)
	settings, ds := content.SiteSettings(opts.Content, opts.ContentDir)
	diags = append(diags, ds...)
	pages, ds := content.Pages(opts.Content, opts.ContentDir, opts.Drafts)
	diags = append(diags, ds...)
	if len(modelDiags) == 0 {
		diags = append(diags, content.CheckPages(c.Model, pages)...)
	}
	if len(diags) > 0 {
		diags.Sort()
		return nil, diags
	}
	if opts.BaseURL != "" {
		settings.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	}
	b := &builder{
		opts:      opts,
		content:   c,
		settings:  settings,
		list:      pages,
		paths:     map[string]bool{},
		noindex:   map[string]bool{},
		generated: map[string]linkRef{},
		ids:       map[string][]string{},
		assets:    map[string]string{},
		min:       newMinifier(),
	}
	diags = append(diags, b.addAssets()...)
	b.examples = c.Run()
	b.values = newModelValues(c)
	b.glossary, ds = newGlossary(c, opts.ContentDir)
	diags = append(diags, ds...)
	b.site = templates.Site{
		Name:       settings.Name,
		BaseURL:    settings.BaseURL,
		Language:   settings.Language,
		CSS:        b.assets["css/site.css"],
		Favicon:    b.assets["favicon.svg"],
		Feed:       "/feed.xml",
		LiveReload: opts.LiveReload,
		CTA:        templates.Link{Title: settings.Form.Title, URL: "/signup/"},
	}
	for _, l := range settings.Footer {
		b.site.Footer = append(b.site.Footer, templates.Link{Title: l.Title, URL: l.URL})
	}
	diags = append(diags, b.tracking()...)
	b.sections = sections(pages)
	b.site.Nav = b.nav()
	diags = append(diags, b.plan()...)
	diags.Sort()
	return b, diags
}

// tracking sets up the beacon script on every page, and the consent bar
// when tracking waits for the visitor's consent.
func (b *builder) tracking() qualify.Diags {
	t := b.settings.Tracking
	if !t.Enabled {
		return nil
	}
	b.site.Beacon = b.assets[beaconScript]
	if b.site.Beacon == "" {
		return qualify.Diags{{Pos: qualify.Pos{File: path.Join(b.opts.StaticDir, beaconScript)},
			Msg: "missing: tracking needs it (tracking: {enabled: false} in " + path.Join(b.opts.ContentDir, content.SiteFile) + " turns it off)"}}
	}
	if t.Consent == content.ConsentRequired {
		b.site.Consent = t.Notice
	}
	return nil
}

func newMinifier() *minify.M {
	m := minify.New()
	m.Add("text/html", &html.Minifier{KeepDocumentTags: true, KeepEndTags: true, KeepQuotes: true})
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("image/svg+xml", svg.Minify)
	m.AddFunc("application/javascript", js.Minify)
	m.AddFunc("application/json", json.Minify)
	m.AddFunc("application/ld+json", json.Minify)
	m.AddFunc("application/xml", xml.Minify)
	return m
}

// nav is the main navigation: the pages marked menu, by order, and the
// glossary.
func (b *builder) nav() []templates.Link {
	var menu []content.Page
	for _, p := range b.list {
		if p.Menu {
			menu = append(menu, p)
		}
	}
	slices.SortStableFunc(menu, func(x, y content.Page) int { return x.Order - y.Order })
	var nav []templates.Link
	for _, p := range menu {
		if p.URL == "/" {
			continue // the site name links home
		}
		nav = append(nav, templates.Link{Title: p.Title, URL: p.URL})
	}
	return append(nav, templates.Link{Title: "Glossary", URL: "/glossary/"})
}

// add schedules a job, reporting a path taken twice.
func (b *builder) add(j job) qualify.Diags {
	if b.paths[j.path] {
		return qualify.Diags{{Pos: qualify.Pos{File: j.source, Line: 1, Col: 1},
			Msg: "the page " + j.path + " would replace a static file of the same name"}}
	}
	if i, ok := b.jobAt[j.path]; ok {
		other := b.jobs[i]
		url := "/" + strings.TrimSuffix(j.path, "index.html")
		// Blame the page written by hand, not the one the site generates.
		page, built := other, j
		if strings.HasSuffix(j.source, ".md") && strings.Contains(j.source, "/"+content.PagesDir+"/") {
			page, built = j, other
		}
		msg := "the URL " + url + " is also built from " + built.source
		if !strings.HasSuffix(built.source, ".md") || !strings.Contains(built.source, "/"+content.PagesDir+"/") {
			msg = "the URL " + url + " is also built by the site itself (" + built.source + ")"
		}
		return qualify.Diags{{Pos: qualify.Pos{File: page.source, Line: 1, Col: 1}, Msg: msg}}
	}
	if b.jobAt == nil {
		b.jobAt = map[string]int{}
	}
	b.jobAt[j.path] = len(b.jobs)
	b.jobs = append(b.jobs, j)
	return nil
}

// render runs every job on the workers, then writes the feeds and checks
// the links.
func (b *builder) render(ctx context.Context) qualify.Diags {
	n := b.opts.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		diags qualify.Diags
		next  = make(chan job)
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{b: b, md: markdown.New(b.markdownOptions())}
			for j := range next {
				if err := w.run(j); err != nil {
					mu.Lock()
					diags = append(diags, jobDiags(j, err)...)
					mu.Unlock()
				}
			}
		}()
	}
	for _, j := range b.jobs {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		diags.Add(qualify.Pos{}, "build cancelled")
	}
	if len(diags) > 0 {
		return diags
	}
	diags = append(diags, b.feeds()...)
	diags = append(diags, b.checkLinks()...)
	diags.Sort()
	return diags
}

// jobDiags are the problems of a job that failed: each problem of its
// Markdown at its line and column of the source file, or the error at
// the start of the job's Markdown.
func jobDiags(j job, err error) qualify.Diags {
	var ps markdown.Problems
	if !errors.As(err, &ps) {
		return qualify.Diags{{Pos: qualify.Pos{File: j.source, Line: max(j.line, 1)}, Msg: err.Error()}}
	}
	var diags qualify.Diags
	for _, p := range ps {
		diags.Add(qualify.Pos{File: j.source, Line: max(j.line, 1) + p.Line - 1, Col: p.Col}, p.Msg)
	}
	return diags
}

// run renders a job, minifies it and keeps it for the output.
func (w *worker) run(j job) error {
	p, err := j.render(w)
	if err != nil {
		return err
	}
	w.out.Reset()
	if err := w.b.min.Minify("text/html", &w.out, bytes.NewReader(p.html)); err != nil {
		return err
	}
	data := w.out.Bytes()
	links, ids := scanHTML(data)
	w.b.file(j.path, data)
	w.b.keep(j, links, ids, p.links)
	return nil
}

// renderPage renders a component in the site's layout into the worker's
// buffer.
func (w *worker) renderPage(head templates.Head, crumbs []templates.Link, body templ.Component) ([]byte, error) {
	w.buf.Reset()
	if err := templates.Layout(w.b.site, head, crumbs, body).Render(context.Background(), &w.buf); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// file stages a file of the site.
func (b *builder) file(path string, data []byte) {
	err := b.opts.Out.Stage(path, data)
	b.mu.Lock()
	b.paths[path] = true
	if err != nil && b.failed == nil {
		b.failed = err
	}
	b.mu.Unlock()
}

// minified minifies data of a media type, or returns it as it is if it
// cannot be minified.
func (b *builder) minified(mediatype string, data []byte) []byte {
	out, err := b.min.Bytes(mediatype, data)
	if err != nil {
		return data
	}
	return out
}

// readAll reads a file of an fs.FS.
func readAll(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
