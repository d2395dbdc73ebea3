// Package site builds Winnow's static site from a content directory: the
// marketing pages (Markdown), the shared definitions glossary, and the pages
// generated from the qualification model (SLA, scoring, signup form). Pages
// are rendered in parallel with goldmark and templ, minified, and written
// only when they changed; every internal link and anchor is checked. A
// Rebuilder builds a site again after an edit, rendering only what the
// edit affects.
package site

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/json"
	"github.com/tdewolff/minify/v2/svg"
	"github.com/tdewolff/minify/v2/xml"
	"github.com/tdewolff/parse/v2/buffer"

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
	FormURL  string         // the signup form page, where a post that names no form is sent back to
	// Forms are the pages of the model's forms, by form name.
	Forms map[string]string
	// Verdict: the forms tell visitors what the model makes of them
	// (site.yaml's form verdict).
	Verdict bool
	// Routing is the content's routing.yaml, compiled, or nil without one.
	Routing *routing.Routing
	// Examples are the content's example leads with the verdicts they
	// got; a build does not fail on an example that gets another than
	// it expects (winnow check does).
	Examples []content.Result
	// Rendered is how many pages and other files the build rendered:
	// all of them, unless a Rebuilder kept some from its last build.
	Rendered int
}

// Build builds the site. On any problem it returns every problem found,
// sorted, and leaves the output as it was.
func Build(ctx context.Context, opts Options) (Result, qualify.Diags) {
	start := time.Now()
	b, diags := prepare(opts, nil, nil, nil)
	if len(diags) > 0 {
		return Result{}, diags
	}
	diags = b.run(ctx, b.jobs)
	if len(diags) == 0 {
		diags = append(diags, b.feeds(nil)...)
		diags = append(diags, b.checkLinks(nil)...)
	}
	return b.commit(start, len(b.jobs), diags)
}

// commit makes the staged files the site, unless there are problems.
func (b *builder) commit(start time.Time, rendered int, diags qualify.Diags) (Result, qualify.Diags) {
	if b.failed != nil {
		diags.Add(qualify.Pos{}, "writing the site: "+b.failed.Error())
	}
	if len(diags) > 0 {
		b.opts.Out.Abort()
		diags.Sort()
		return Result{}, diags
	}
	written, removed, err := b.opts.Out.Commit(b.paths)
	if err != nil {
		b.opts.Out.Abort()
		return Result{}, qualify.Diags{{Msg: "writing the site: " + err.Error()}}
	}
	res := Result{Files: len(b.paths), Written: written, Removed: removed, Pages: b.pages, Rendered: rendered}
	res.Duration = time.Since(start)
	res.Model, res.Site, res.FormURL, res.Routing = b.content.Model, b.site, b.fallbackFormURL(), b.content.Routing
	res.Forms, res.Verdict = b.formURLs(), b.settings.Form.Verdict
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
	list      []content.Page // the Markdown pages, sorted by URL
	sections  map[string]*section
	assets    map[string]string // static path ("css/site.css") or "model" -> URL
	modelText string
	jobs      []job
	jobAt     map[string]int // path -> index into jobs
	min       *minify.M
	examples  []content.Result  // every example lead with its verdict
	funnels   [4][2]string      // funnel stage -> its name and the URL of its glossary entry
	pageSigs  map[string]uint64 // page file -> its hash (sig.page), for a Rebuilder
	// sitemapXML is the sitemap, and sitemapSig what it shows, hashed.
	sitemapXML []byte
	sitemapSig uint64
	// static are the files the static files and the assets became, and
	// model those of the model's text: a rebuild that does not read them
	// again keeps them.
	static, model []string
	packed        map[packKey][]byte // compressed forms of files, kept from build to build; nil: none kept

	mu      sync.Mutex
	paths   map[string]bool       // every file of the site
	noindex map[string]bool       // pages kept out of the sitemap
	links   map[string]*pageLinks // page -> its links and ids, for the link check
	linkTab *linkTable            // the links templates make
	failed  error                 // the first error staging a file
}

// job renders one file of the site.
type job struct {
	path    string // where it goes, e.g. "glossary/mql/index.html"
	source  string // the content file it comes from, for diagnostics
	line    int    // the line its Markdown body starts on, or 0
	noindex bool   // keep it out of the sitemap (404, redirects)
	render  func(w *worker) (page, error)
	// A Rebuilder renders a job again when what it reads changed: deps
	// writes that to a hash, besides what every page reads (the layout's
	// parts, the model: see Rebuilder), and md is the Markdown it
	// renders, in which a change to the glossary may link a term.
	deps func(h *sig)
	md   []byte
}

// page is what a job produced.
type page struct {
	html  []byte
	links []markdown.Link // from Markdown, with source lines
}

// worker renders pages one after another, reusing its buffers.
type worker struct {
	b    *builder
	md   *markdown.Renderer
	buf  bytes.Buffer
	out  bytes.Buffer
	ids  []uint64 // scratch of keep
	made [][]byte
}

// prepare reads what a build needs and plans its jobs. Given the last
// good build, prev, it reads again only what ch says changed since, and
// keeps the rest; it may find that a change needs more (ch.model).
func prepare(opts Options, prev *builder, ch *changes, packed map[packKey][]byte) (*builder, qualify.Diags) {
	var diags qualify.Diags
	opts = opts.withDefaults()
	full := prev == nil || ch.all
	b := &builder{
		opts:    opts,
		paths:   make(map[string]bool, pathsHint(prev)),
		noindex: map[string]bool{},
		links:   map[string]*pageLinks{},
		assets:  map[string]string{},
		packed:  packed,
	}
	if prev != nil {
		// The tables only grow: what a build added stays right for the
		// last good one.
		b.min, b.linkTab = prev.min, prev.linkTab
	} else {
		b.min, b.linkTab = newMinifier(), &linkTable{number: map[string]int32{}}
	}
	reload := full || ch.model || ch.glossary
	var modelDiags, ds qualify.Diags
	if reload {
		b.content, modelDiags = content.Load(opts.Content, opts.ContentDir)
		diags = append(diags, modelDiags...)
	} else {
		b.content = prev.content
	}
	if full || ch.model {
		b.settings, ds = content.SiteSettings(opts.Content, opts.ContentDir)
		diags = append(diags, ds...)
	} else {
		b.settings = prev.settings
	}
	if full {
		b.list, ds = content.Pages(opts.Content, opts.ContentDir, opts.Drafts)
	} else {
		var fresh []string
		b.list, fresh, ds = patchPages(opts, prev.list, ch)
		// The hashes of the pages not read again hold.
		b.pageSigs = maps.Clone(prev.pageSigs)
		for _, file := range fresh {
			delete(b.pageSigs, file)
		}
	}
	diags = append(diags, ds...)
	if len(modelDiags) == 0 {
		diags = append(diags, content.CheckPages(b.content.Model, b.list)...)
	}
	if len(diags) > 0 {
		diags.Sort()
		return nil, diags
	}
	if opts.BaseURL != "" {
		b.settings.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	}
	if reload {
		b.modelText = qualify.Encode(b.content.Model)
		b.examples = b.content.Run()
		b.values = newModelValues(b.content)
		b.glossary, ds = newGlossary(b.content, opts.ContentDir)
		diags = append(diags, ds...)
		if !full && b.modelText != prev.modelText {
			ch.model = true // not only the glossary: render every page
		}
	} else {
		b.modelText, b.examples, b.values, b.glossary = prev.modelText, prev.examples, prev.values, prev.glossary
	}
	if full || ch.static || ch.model || ch.assets {
		diags = append(diags, b.addStatic()...)
	} else {
		b.static = prev.static
		maps.Copy(b.assets, prev.assets)
		for _, name := range b.static {
			b.paths[name] = true
		}
	}
	for name, data := range opts.Files {
		b.file(name, data)
	}
	if prev != nil && b.modelText == prev.modelText {
		b.model, b.assets["model"] = prev.model, prev.assets["model"]
		for _, name := range b.model {
			b.paths[name] = true
		}
	} else {
		b.addModel()
	}
	b.site = templates.Site{
		Name:       b.settings.Name,
		BaseURL:    b.settings.BaseURL,
		Language:   b.settings.Language,
		CSS:        b.assets["css/site.css"],
		Favicon:    b.assets["favicon.svg"],
		Feed:       "/feed.xml",
		LiveReload: opts.LiveReload,
		CTA:        templates.Link{Title: b.settings.Form.Title, URL: b.fallbackFormURL()},
	}
	for _, l := range b.settings.Footer {
		b.site.Footer = append(b.site.Footer, templates.Link{Title: l.Title, URL: l.URL})
	}
	diags = append(diags, b.tracking()...)
	b.sections = sections(b.list)
	b.site.Nav = b.nav()
	diags = append(diags, b.plan()...)
	diags.Sort()
	return b, diags
}

// withDefaults returns o with the directories' names in diagnostics
// set.
func (o Options) withDefaults() Options {
	if o.ContentDir == "" {
		o.ContentDir = "content"
	}
	if o.StaticDir == "" {
		o.StaticDir = "static"
	}
	return o
}

// pathsHint is how many files the site may have: as many as the last
// build's.
func pathsHint(prev *builder) int {
	if prev == nil {
		return 0
	}
	return len(prev.paths)
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
	m.Add("text/css", &styleMemo{styles: map[string][]byte{}})
	m.AddFunc("image/svg+xml", svg.Minify)
	m.AddFunc("application/javascript", js.Minify)
	m.AddFunc("application/json", json.Minify)
	m.AddFunc("application/ld+json", json.Minify)
	m.AddFunc("application/xml", xml.Minify)
	return m
}

// styleMemo minifies CSS like css.Minify, and remembers what it made of
// the style attributes it saw: the same few stand on every page (a table
// column's text-align), and minifying one costs as much as a small
// style sheet.
type styleMemo struct {
	mu     sync.RWMutex
	styles map[string][]byte
}

// Minify implements minify.Minifier.
func (c *styleMemo) Minify(m *minify.M, w io.Writer, r io.Reader, params map[string]string) error {
	in, ok := r.(interface{ Bytes() []byte })
	if !ok || params["inline"] != "1" || len(in.Bytes()) > 200 {
		return css.Minify(m, w, r, params)
	}
	c.mu.RLock()
	out, ok := c.styles[string(in.Bytes())]
	c.mu.RUnlock()
	if !ok {
		var buf bytes.Buffer
		if err := css.Minify(m, &buf, r, params); err != nil {
			return err
		}
		out = buf.Bytes()
		c.mu.Lock()
		if len(c.styles) < 1000 {
			c.styles[string(in.Bytes())] = out
		}
		c.mu.Unlock()
	}
	_, err := w.Write(out)
	return err
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
	if j.noindex {
		b.noindex[j.path] = true
	}
	return nil
}

// run renders jobs on the workers, one per CPU unless Options say.
func (b *builder) run(ctx context.Context, jobs []job) qualify.Diags {
	n := b.opts.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = max(1, min(n, len(jobs)))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		diags qualify.Diags
		next  atomic.Int64 // the index of the next job to take
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w *worker
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				if w == nil {
					w = &worker{b: b, md: markdown.New(b.markdownOptions())}
				}
				j := jobs[i]
				if err := w.run(j); err != nil {
					mu.Lock()
					diags = append(diags, jobDiags(j, err)...)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		diags.Add(qualify.Pos{}, "build cancelled")
	}
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

// htmlType is the media type of pages, as the minifier takes it.
var htmlType = []byte("text/html")

// run renders a job, minifies it and stages it for the output.
func (w *worker) run(j job) error {
	p, err := j.render(w)
	if err != nil {
		return err
	}
	w.out.Reset()
	// A reader with a Bytes method: the minifier reads the page where it
	// is instead of copying it.
	if err := w.b.min.MinifyMimetype(htmlType, &w.out, buffer.NewReader(p.html), nil); err != nil {
		return err
	}
	data := w.out.Bytes()
	w.b.file(j.path, data)
	w.keep(j, data, p.links)
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
