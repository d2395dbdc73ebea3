package site

import (
	"html"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/templates"
)

// section is a directory of pages with a list page.
type section struct {
	url   string
	index *content.Page // its _index.md, if any
	pages []*content.Page
}

// sections groups the pages by the section they belong to.
func sections(pages []content.Page) map[string]*section {
	secs := map[string]*section{}
	get := func(url string) *section {
		s := secs[url]
		if s == nil {
			s = &section{url: url}
			secs[url] = s
		}
		return s
	}
	for i := range pages {
		p := &pages[i]
		if p.IsSection {
			get(p.URL).index = p
		}
		if p.Section != "" {
			get(p.Section).pages = append(get(p.Section).pages, p)
		}
	}
	for _, s := range secs {
		slices.SortFunc(s.pages, func(a, b *content.Page) int {
			switch {
			case !a.Date.Equal(b.Date):
				return b.Date.Compare(a.Date) // newest first
			case a.Order != b.Order:
				return a.Order - b.Order
			case a.Title != b.Title:
				return strings.Compare(a.Title, b.Title)
			}
			return strings.Compare(a.URL, b.URL) // as pages are listed
		})
	}
	return secs
}

// outPath is where the page of a URL is written: "/a/b/" is "a/b/index.html".
func outPath(url string) string {
	if strings.HasSuffix(url, ".html") || strings.HasSuffix(url, ".xml") || strings.HasSuffix(url, ".json") || strings.HasSuffix(url, ".txt") {
		return strings.TrimPrefix(url, "/")
	}
	return strings.TrimPrefix(url+"index.html", "/")
}

// crumbs returns the breadcrumbs of a URL: home, its sections, itself.
func (b *builder) crumbs(url, title string) []templates.Link {
	if url == "/" {
		return nil
	}
	return append(b.trail(content.ParentSection(url)), templates.Link{Title: title, URL: url})
}

// trail returns the breadcrumbs of the pages of section sec ("" for the
// top) but the page's own: home, then the sections from the top down to
// sec.
func (b *builder) trail(sec string) []templates.Link {
	out := []templates.Link{{Title: "Home", URL: "/"}}
	for ; sec != ""; sec = content.ParentSection(sec) {
		t := titleOfDir(sec)
		if s := b.sections[sec]; s != nil && s.index != nil {
			t = s.index.Title
		}
		out = slices.Insert(out, 1, templates.Link{Title: t, URL: sec})
	}
	return out
}

func titleOfDir(url string) string {
	base := path.Base(strings.TrimSuffix(url, "/"))
	if base == "" {
		return url
	}
	return strings.ToUpper(base[:1]) + strings.ReplaceAll(base[1:], "-", " ")
}

// plan lists every page to render.
func (b *builder) plan() qualify.Diags {
	var diags qualify.Diags
	for _, f := range []qualify.Funnel{qualify.TOFU, qualify.MOFU, qualify.BOFU} {
		name, url := b.funnel(f)
		b.funnels[f] = [2]string{name, url}
	}
	b.jobs = make([]job, 0, len(b.list)+len(b.sections)+len(b.glossary.entries)+8)
	b.jobAt = make(map[string]int, cap(b.jobs))
	for i := range b.list {
		p := &b.list[i]
		if p.Layout != "" && !slices.Contains(templates.Layouts, p.Layout) {
			diags.Add(p.LayoutPos, "layout "+strconv.Quote(p.Layout)+" does not exist"+
				qualify.DidYouMean(p.Layout, templates.Layouts)+"; layouts: "+strings.Join(templates.Layouts, ", "))
			continue
		}
		if p.IsSection {
			if p.Layout != "" && p.Layout != "article" {
				diags.Add(p.LayoutPos, "layout "+strconv.Quote(p.Layout)+": a section's _index.md is laid out as the list of its pages")
				continue
			}
			diags = append(diags, b.add(b.sectionJob(p.URL))...)
			continue
		}
		diags = append(diags, b.add(b.articleJob(p))...)
	}
	// Sections without an _index.md still get a list page.
	var implicit []string
	for url, s := range b.sections {
		if s.index == nil {
			implicit = append(implicit, url)
		}
	}
	slices.Sort(implicit)
	for _, url := range implicit {
		diags = append(diags, b.add(b.sectionJob(url))...)
	}
	diags = append(diags, b.glossaryJobs()...)
	diags = append(diags, b.modelJobs()...)
	diags = append(diags, b.add(job{path: "404.html", source: b.opts.ContentDir, noindex: true, render: func(w *worker) (page, error) {
		out, err := w.renderPage(templates.Head{Title: "Page not found", Path: "/404.html", NoIndex: true}, nil, templates.NotFoundView())
		return page{html: out}, err
	}})...)
	for i := range b.list {
		p := &b.list[i]
		for _, alias := range p.Aliases {
			diags = append(diags, b.add(b.aliasJob(alias, p))...)
		}
	}
	for _, j := range b.jobs {
		if strings.HasSuffix(j.path, ".html") {
			b.pages++
		}
	}
	return diags
}

// funnel returns the name of a funnel stage and the URL of its glossary
// entry, if any.
func (b *builder) funnel(f qualify.Funnel) (name, url string) {
	if f == qualify.NoFunnel {
		return "", ""
	}
	if int(f) < len(b.funnels) && b.funnels[f][0] != "" {
		return b.funnels[f][0], b.funnels[f][1]
	}
	name = f.String()
	if t := b.glossary.byName[strings.ToLower(name)]; t != nil {
		url = t.url
	}
	return name, url
}

func (b *builder) articleJob(p *content.Page) job {
	deps := func(h *sig) {
		h.int(int(b.pageSig(p)))
		h.crumbs(b, p.URL, p.Title)
		name, url := b.funnel(p.Funnel)
		h.strs(name, url)
	}
	return job{path: outPath(p.URL), source: p.File, line: p.BodyLine, deps: deps, md: p.Body, render: func(w *worker) (page, error) {
		res, err := w.md.Render(p.Body, p.URL)
		if err != nil {
			return page{}, err
		}
		a := templates.Article{Title: p.Title, Body: string(res.HTML), Layout: p.Layout, Hero: slices.Contains(res.Components, "hero")}
		if b.settings.InternalLabels {
			a.Funnel, a.FunnelURL = b.funnel(p.Funnel)
		}
		for _, h := range res.TOC {
			a.TOC = append(a.TOC, templates.Heading{Level: h.Level, ID: h.ID, Text: h.Text})
		}
		head := templates.Head{Title: p.Title, Description: p.Description, Path: p.URL, Type: "website", Signal: p.Signal}
		if !p.Date.IsZero() {
			a.Date, a.DateISO = p.Date.Format("2 January 2006"), p.Date.Format("2006-01-02")
			head.Type, head.Published = "article", a.DateISO
			head.JSONLD = jsonLD(map[string]any{
				"@context": "https://schema.org", "@type": "Article", "headline": p.Title,
				"description": p.Description, "datePublished": a.DateISO,
				"url": b.settings.BaseURL + p.URL,
			})
		}
		if p.URL == "/" && head.Description == "" {
			head.Description = b.settings.Description
		}
		crumbs := b.crumbs(p.URL, p.Title)
		if p.Layout == "landing" {
			crumbs = nil
		}
		out, err := w.renderPage(head, crumbs, templates.ArticleView(a))
		return page{html: out, links: res.Links}, err
	}}
}

func (b *builder) sectionJob(url string) job {
	s := b.sections[url]
	source, title, line := b.opts.ContentDir+"/pages"+strings.TrimSuffix(url, "/"), titleOfDir(url), 0
	if s != nil && s.index != nil {
		source, title, line = s.index.File, s.index.Title, s.index.BodyLine
	}
	deps := func(h *sig) {
		h.strs(source, title)
		if s != nil && s.index != nil {
			h.int(int(b.pageSig(s.index)))
		}
		h.crumbs(b, url, title)
		if s != nil {
			for _, p := range s.pages {
				name, _ := b.funnel(p.Funnel)
				h.strs(p.Title, p.URL, p.Description, name)
				h.time(p.Date)
			}
		}
	}
	var md []byte
	if s != nil && s.index != nil {
		md = s.index.Body
	}
	return job{path: outPath(url), source: source, line: line, deps: deps, md: md, render: func(w *worker) (page, error) {
		l := templates.SectionList{Title: title}
		head := templates.Head{Title: title, Path: url, Type: "website"}
		var res page
		if s != nil && s.index != nil {
			r, err := w.md.Render(s.index.Body, url)
			if err != nil {
				return page{}, err
			}
			l.Intro, head.Description, res.links = string(r.HTML), s.index.Description, r.Links
			head.Signal = s.index.Signal
		}
		if s != nil {
			for _, p := range s.pages {
				item := templates.ListItem{Title: p.Title, URL: p.URL, Description: p.Description}
				if b.settings.InternalLabels {
					item.Funnel, _ = b.funnel(p.Funnel)
				}
				if !p.Date.IsZero() {
					item.Date, item.DateISO = p.Date.Format("2 January 2006"), p.Date.Format("2006-01-02")
				}
				l.Items = append(l.Items, item)
			}
		}
		out, err := w.renderPage(head, b.crumbs(url, title), templates.SectionView(l))
		res.html = out
		return res, err
	}}
}

// aliasJob writes a page at an old URL that sends visitors to the new one.
func (b *builder) aliasJob(alias string, p *content.Page) job {
	return b.redirectJob(alias, p.URL, p.Title, p.File)
}

// redirectJob writes a page at an old URL (alias) that sends visitors to
// the page of url, titled title, written in source.
func (b *builder) redirectJob(alias, url, title, source string) job {
	alias = strings.TrimSuffix(alias, "/") + "/"
	deps := func(h *sig) { h.strs(alias, source, url, title) }
	return job{path: outPath(alias), source: source, noindex: true, deps: deps, render: func(w *worker) (page, error) {
		target := html.EscapeString(url)
		canonical := html.EscapeString(b.settings.BaseURL + url)
		doc := `<!doctype html><html lang="` + html.EscapeString(b.settings.Language) + `"><head><meta charset="utf-8">` +
			`<title>` + html.EscapeString(title) + `</title><link rel="canonical" href="` + canonical + `">` +
			`<meta name="robots" content="noindex"><meta http-equiv="refresh" content="0; url=` + target + `"></head>` +
			`<body><main><p>This page has moved to <a href="` + target + `">` + html.EscapeString(title) + `</a>.</p></main></body></html>`
		return page{html: []byte(doc)}, nil
	}}
}
