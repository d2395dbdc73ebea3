package site

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/markdown"
	"github.com/winnowhq/winnow/templates"
)

// A Rebuilder builds a site again and again, and each time redoes only
// what the files that changed since its last good build affect: winnow
// dev keeps one. Its builds write what Build would write.
//
// It keeps the last good build: the pages read, and for every page and
// file of the site a hash of what it was made of. A changed page is read
// again, and a job (a page of the site) is rendered again when its hash
// differs: an article's own text and front matter, its breadcrumbs and
// funnel; a section's list of page titles, dates and descriptions; a
// redirect's target; a glossary entry's document. A change to a glossary
// term also renders the pages whose Markdown may use one of its old or
// new spellings (markdown.Mentions). What every page shows (the layout's
// parts: navigation, footer, fingerprinted asset URLs) and the model are
// hashed once for the site: when that changes, or when the model,
// site.yaml or the options change, every page is rendered, as Build
// renders them. The feeds are made every time (the sitemap when its
// pages or their dates changed), the compressed forms of unchanged
// files are kept, and links are checked on the pages rendered, or on
// every page when a file or an anchor went away.
//
// A Rebuilder is not safe for concurrent use. Its builds must be given
// the same Output, which then only sees the files that changed.
type Rebuilder struct {
	last    *builder          // the last good build
	sigs    map[string]uint64 // its jobs, by path: what they read, hashed
	global  uint64            // what all of its pages read, hashed
	stamp   string            // the names, sizes and times of its assets
	pending changes           // what changed since the last good build
	packed  map[packKey][]byte
}

// Changes name the files that changed since a Rebuilder's last build.
type Changes struct {
	// Content are paths in Options.Content, such as "pages/blog/a.md"; a
	// directory stands for everything in it.
	Content []string
	// Static are paths in Options.Static.
	Static []string
	// All says that anything may have changed: everything is read again.
	All bool
}

// changes is what a Rebuilder has to read again.
type changes struct {
	all      bool            // everything
	model    bool            // the model or site.yaml: read the content again and render every page
	glossary bool            // a glossary term
	static   bool            // a static file
	assets   bool            // one of Options.Assets
	scan     bool            // a directory under pages/: list the pages again
	pages    map[string]bool // files under pages/
}

// add notes what ch names.
func (c *changes) add(ch Changes) {
	c.all = c.all || ch.All
	c.static = c.static || len(ch.Static) > 0
	for _, name := range ch.Content {
		name = path.Clean(strings.TrimPrefix(name, "/"))
		switch {
		case name == content.PagesDir:
			c.scan = true
		case strings.HasPrefix(name, content.PagesDir+"/"):
			if c.pages == nil {
				c.pages = map[string]bool{}
			}
			c.pages[name] = true
		case name == content.GlossaryDir || strings.HasPrefix(name, content.GlossaryDir+"/"):
			c.glossary = true
		default:
			c.model = true // the model's files, site.yaml, or the directory itself
		}
	}
}

// Build builds the site, as Build does, reading again and rendering again
// only what ch (with the changes of the builds that failed since the last
// good one) affects. The first build reads everything.
func (r *Rebuilder) Build(ctx context.Context, opts Options, ch Changes) (Result, qualify.Diags) {
	start := time.Now()
	opts = opts.withDefaults()
	r.pending.add(ch)
	prev := r.last
	if prev != nil && !sameOptions(prev.opts, opts) {
		r.pending.all = true
	}
	stamp := assetStamp(opts.Assets)
	r.pending.assets = r.pending.assets || stamp != r.stamp
	if r.packed == nil {
		r.packed = map[packKey][]byte{}
	}
	b, diags := prepare(opts, prev, &r.pending, r.packed)
	if len(diags) > 0 {
		return Result{}, diags
	}
	sigs, global := b.signatures()
	todo := b.jobs
	partial := prev != nil && !r.pending.all && !r.pending.model && global == r.global
	if partial {
		todo = b.changedJobs(prev, r.sigs, sigs)
	}
	diags = b.run(ctx, todo)
	if len(diags) == 0 {
		if partial {
			b.keepUnchanged(prev, todo)
		}
		diags = append(diags, b.feeds(prev)...)
		if partial && !b.lostTargets(prev, todo) {
			only := make([]string, len(todo))
			for i, j := range todo {
				only[i] = j.path
			}
			diags = append(diags, b.checkLinks(only)...)
		} else {
			diags = append(diags, b.checkLinks(nil)...)
		}
	}
	res, diags := b.commit(start, len(todo), diags)
	if len(diags) > 0 {
		return res, diags
	}
	r.last, r.sigs, r.global, r.stamp, r.pending = b, sigs, global, stamp, changes{}
	return res, nil
}

// sameOptions reports whether two builds' options make the same site
// from the same files.
func sameOptions(a, b Options) bool {
	return a.ContentDir == b.ContentDir && a.StaticDir == b.StaticDir && a.AssetsDir == b.AssetsDir &&
		(a.Assets == nil) == (b.Assets == nil) && a.Drafts == b.Drafts &&
		a.BaseURL == b.BaseURL && a.LiveReload == b.LiveReload &&
		maps.EqualFunc(a.Headers, b.Headers, slices.Equal) && maps.EqualFunc(a.Files, b.Files, bytes.Equal)
}

// assetStamp lists the names, sizes and modification times of the files
// of fsys, to tell whether they changed: the assets are built elsewhere,
// and no one says when.
func assetStamp(fsys fs.FS) string {
	if fsys == nil {
		return ""
	}
	var b strings.Builder
	fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b.WriteString(name)
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(&b, " %d %d", info.Size(), info.ModTime().UnixNano())
		}
		b.WriteByte('\n')
		return nil
	})
	return b.String()
}

// patchPages returns the pages of the last build, last, with the files ch
// names read again, those that are gone left out, and, when a directory
// changed, the files that appeared in it read; and the names (as
// diagnostics give them) of the files it read. Like content.Pages, it
// reports every problem of the files it reads and every URL claimed twice.
func patchPages(opts Options, last []content.Page, ch *changes) ([]content.Page, []string, qualify.Diags) {
	var diags qualify.Diags
	read := map[string]bool{}
	scan := ch.scan
	for name := range ch.pages {
		if strings.HasSuffix(name, ".md") {
			read[name] = true
		} else {
			scan = true // a directory, or a file that is not a page
		}
	}
	var found map[string]bool // with scan, the pages on disk
	if scan {
		found = map[string]bool{}
		err := fs.WalkDir(opts.Content, content.PagesDir, func(name string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(name, ".md") {
				found[name] = true
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			diags.Add(qualify.Pos{File: contentFile(opts.ContentDir, content.PagesDir)}, "cannot read: "+err.Error())
		}
	}
	pages := make([]content.Page, 0, len(last)+len(read))
	for _, p := range last {
		name := contentName(opts.ContentDir, p.File)
		if read[name] || found != nil && !found[name] {
			continue
		}
		pages = append(pages, p)
		delete(found, name)
	}
	for name := range found {
		read[name] = true // new
	}
	var fresh []string
	kept := len(pages)
	for _, name := range slices.Sorted(maps.Keys(read)) {
		fresh = append(fresh, contentFile(opts.ContentDir, name))
		if _, err := fs.Stat(opts.Content, name); errors.Is(err, fs.ErrNotExist) {
			continue // removed
		}
		p, ok, ds := content.ReadPage(opts.Content, opts.ContentDir, name)
		diags = append(diags, ds...)
		if ok && (opts.Drafts || !p.Draft) {
			pages = append(pages, p)
		}
	}
	// The pages kept are in order: put the few read in place, or sort
	// them all when there are many.
	byURL := func(a, b content.Page) int { return strings.Compare(a.URL, b.URL) }
	if added := pages[kept:]; len(added) > 16 {
		slices.SortFunc(pages, byURL)
	} else {
		added = slices.Clone(added)
		pages = pages[:kept]
		for _, p := range added {
			at, _ := slices.BinarySearchFunc(pages, p, byURL)
			pages = slices.Insert(pages, at, p)
		}
	}
	diags = append(diags, content.CheckURLs(pages)...)
	diags.Sort()
	return pages, fresh, diags
}

// contentFile is the path diagnostics give for name, a file of the
// content directory root, as package content gives it.
func contentFile(root, name string) string {
	if root == "" || root == "." {
		return name
	}
	return path.Join(root, name)
}

// contentName is the name in the content directory root of the file
// diagnostics call file.
func contentName(root, file string) string {
	if root == "" || root == "." {
		return file
	}
	return strings.TrimPrefix(file, path.Clean(root)+"/")
}

// sig hashes what a job reads.
type sig struct {
	maphash.Hash
	trails map[string]uint64 // section -> the hash of its pages' breadcrumbs but their own
}

// crumbs hashes the breadcrumbs of a URL, as b.crumbs makes them.
func (h *sig) crumbs(b *builder, url, title string) {
	if url == "/" {
		h.int(0)
		return
	}
	sec := content.ParentSection(url)
	t, ok := h.trails[sec]
	if !ok {
		var th sig
		th.SetSeed(seed)
		th.links(b.trail(sec))
		t = th.Sum64()
		if h.trails == nil {
			h.trails = map[string]uint64{}
		}
		h.trails[sec] = t
	}
	h.int(int(t))
	h.strs(title, url)
}

func (h *sig) int(n int) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}

func (h *sig) strs(ss ...string) {
	for _, s := range ss {
		h.int(len(s))
		h.WriteString(s)
	}
}

func (h *sig) bytes(b []byte) {
	h.int(len(b))
	h.Write(b)
}

func (h *sig) bools(bs ...bool) {
	for _, b := range bs {
		if b {
			h.WriteByte(1)
		} else {
			h.WriteByte(0)
		}
	}
}

func (h *sig) time(t time.Time) { h.int(int(t.UnixNano())) }

func (h *sig) pos(p qualify.Pos) {
	h.strs(p.File)
	h.int(p.Line)
	h.int(p.Col)
}

// pageSig returns the hash of a page (sig.page), made once per reading
// of its file: signatures calls it, on one goroutine.
func (b *builder) pageSig(p *content.Page) uint64 {
	if s, ok := b.pageSigs[p.File]; ok {
		return s
	}
	var h sig
	h.SetSeed(seed)
	h.page(p)
	s := h.Sum64()
	if b.pageSigs == nil {
		b.pageSigs = map[string]uint64{}
	}
	b.pageSigs[p.File] = s
	return s
}

// page hashes every field of a page (TestSigFields checks that none is
// missed).
func (h *sig) page(p *content.Page) {
	h.strs(p.URL, p.File, p.Section, p.Title, p.Description, p.Layout, p.Signal)
	h.strs(p.Aliases...)
	h.int(len(p.Aliases))
	h.time(p.Date)
	h.bools(p.IsSection, p.Draft, p.Menu)
	h.int(int(p.Funnel))
	h.int(p.Order)
	h.pos(p.LayoutPos)
	h.pos(p.SignalPos)
	h.bytes(p.Body)
	h.int(p.BodyLine)
}

// doc hashes every field of a glossary document.
func (h *sig) doc(d *content.Doc) {
	h.int(int(d.Kind))
	h.strs(d.Name, d.Title, d.Description, d.Body)
	h.strs(d.Aliases...)
	h.int(len(d.Aliases))
	h.pos(d.Pos)
	h.int(d.BodyLine)
}

func (h *sig) links(links []templates.Link) {
	for _, l := range links {
		h.strs(l.Title, l.URL)
	}
	h.int(len(links))
}

// signatures hashes what each job reads, and what every page reads.
func (b *builder) signatures() (jobs map[string]uint64, global uint64) {
	var h sig
	h.SetSeed(seed)
	// Printed with %#v, the site-wide values hash every field they have
	// and will have.
	fmt.Fprintf(&h, "%#v\n%#v\n", b.site, b.settings)
	h.strs(b.modelText, strconv.FormatBool(b.opts.Drafts))
	// The fingerprinted files' URLs: the layout links some, the signup
	// form others.
	for _, name := range slices.Sorted(maps.Keys(b.assets)) {
		h.strs(name, b.assets[name])
	}
	for _, f := range []qualify.Funnel{qualify.TOFU, qualify.MOFU, qualify.BOFU} {
		name, url := b.funnel(f)
		h.strs(name, url)
	}
	global = h.Sum64()
	jobs = make(map[string]uint64, len(b.jobs))
	for _, j := range b.jobs {
		h.Reset()
		h.strs(j.source)
		h.int(j.line)
		h.int(len(j.md))
		h.bools(j.noindex)
		if j.deps != nil {
			j.deps(&h)
		}
		jobs[j.path] = h.Sum64()
	}
	return jobs, global
}

// changedJobs returns the jobs that the last build, prev, did not have,
// those whose hash differs from the one they had then, and, when the
// glossary's terms changed, those whose Markdown may use one that did.
func (b *builder) changedJobs(prev *builder, before, now map[string]uint64) []job {
	var mentions *markdown.Mentions
	if changed := changedTerms(prev.glossary.terms, b.glossary.terms); len(changed) > 0 {
		mentions = markdown.NewMentions(changed)
	}
	var todo []job
	for _, j := range b.jobs {
		old, ok := before[j.path]
		if !ok || old != now[j.path] || mentions != nil && mentions.In(j.md) {
			todo = append(todo, j)
		}
	}
	return todo
}

// changedTerms returns the terms that are in one list and not the other,
// as they are in either: a renamed term both as it was and as it is.
func changedTerms(before, now []markdown.Term) []markdown.Term {
	key := func(t markdown.Term) string {
		return fmt.Sprintf("%q %q %q %q", t.Name, t.Aliases, t.URL, t.Title)
	}
	in := func(list []markdown.Term) map[string]markdown.Term {
		m := make(map[string]markdown.Term, len(list))
		for _, t := range list {
			m[key(t)] = t
		}
		return m
	}
	a, z := in(before), in(now)
	var changed []markdown.Term
	for k, t := range a {
		if _, ok := z[k]; !ok {
			changed = append(changed, t)
		}
	}
	for k, t := range z {
		if _, ok := a[k]; !ok {
			changed = append(changed, t)
		}
	}
	return changed
}

// keepUnchanged takes from the last build, prev, the pages that were not
// rendered again: they stay in the site as they are, and so do their
// links and ids.
func (b *builder) keepUnchanged(prev *builder, rendered []job) {
	done := make(map[string]bool, len(rendered))
	for _, j := range rendered {
		done[j.path] = true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, j := range b.jobs {
		if done[j.path] {
			continue
		}
		b.paths[j.path] = true
		if l := prev.links[j.path]; l != nil {
			b.links[j.path] = l
		}
	}
}

// lostTargets reports whether a link that held in the last build, prev,
// may not hold now: a file of the site went away, or a page rendered
// again lost an id.
func (b *builder) lostTargets(prev *builder, rendered []job) bool {
	for name := range prev.paths {
		if !b.paths[name] {
			return true
		}
	}
	for _, j := range rendered {
		old, now := prev.links[j.path], b.links[j.path]
		if old == nil {
			continue
		}
		if now == nil {
			return true
		}
		for _, id := range old.ids {
			if _, found := slices.BinarySearch(now.ids, id); !found {
				return true
			}
		}
	}
	return false
}
