package site

import (
	"encoding/xml"
	"slices"
	"strings"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/cachepolicy"
)

// feedSize is how many of the newest dated pages the Atom feed holds.
const feedSize = 20

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemap struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	Title     string   `xml:"title"`
	ID        string   `xml:"id"`
	Link      atomLink `xml:"link"`
	Published string   `xml:"published"`
	Updated   string   `xml:"updated"`
	Summary   string   `xml:"summary,omitempty"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  string      `xml:"author>name"`
	Entries []atomEntry `xml:"entry"`
}

// feeds writes sitemap.xml, feed.xml, robots.txt and glossary.json.
func (b *builder) feeds() qualify.Diags {
	base := b.settings.BaseURL
	dates := map[string]time.Time{}
	for _, p := range b.list {
		if !p.Date.IsZero() {
			dates[p.URL] = p.Date
		}
	}
	var sm sitemap
	b.mu.Lock()
	var urls []string
	for name := range b.paths {
		if strings.HasSuffix(name, ".html") && !b.noindex[name] {
			urls = append(urls, "/"+strings.TrimSuffix(name, "index.html"))
		}
	}
	b.mu.Unlock()
	slices.Sort(urls)
	for _, u := range urls {
		e := sitemapURL{Loc: base + u}
		if d, ok := dates[u]; ok {
			e.LastMod = d.Format("2006-01-02")
		}
		sm.URLs = append(sm.URLs, e)
	}
	var dated []content.Page
	for _, p := range b.list {
		if !p.Date.IsZero() && !p.IsSection {
			dated = append(dated, p)
		}
	}
	slices.SortStableFunc(dated, func(x, y content.Page) int { return y.Date.Compare(x.Date) })
	if len(dated) > feedSize {
		dated = dated[:feedSize]
	}
	feed := atomFeed{
		Title: b.settings.Name, ID: base + "/", Author: b.settings.Name,
		Links: []atomLink{{Href: base + "/feed.xml", Rel: "self", Type: "application/atom+xml"}, {Href: base + "/"}},
	}
	for _, p := range dated {
		d := p.Date.UTC().Format(time.RFC3339)
		if feed.Updated == "" {
			feed.Updated = d
		}
		feed.Entries = append(feed.Entries, atomEntry{Title: p.Title, ID: base + p.URL, Link: atomLink{Href: base + p.URL},
			Published: d, Updated: d, Summary: p.Description})
	}
	if feed.Updated == "" {
		feed.Updated = time.Unix(0, 0).UTC().Format(time.RFC3339)
	}
	var diags qualify.Diags
	for name, v := range map[string]any{"sitemap.xml": sm, "feed.xml": feed} {
		data, err := xml.Marshal(v)
		if err != nil {
			diags.Add(qualify.Pos{}, "writing "+name+": "+err.Error())
			continue
		}
		b.file(name, append([]byte(xml.Header), data...))
	}
	b.file("robots.txt", []byte("User-agent: *\nAllow: /\n\nSitemap: "+base+"/sitemap.xml\n"))
	if len(b.opts.Headers) > 0 {
		b.file(cachepolicy.HeadersFile, cachepolicy.Headers(b.opts.Headers))
	}
	b.file("glossary.json", b.minified("application/json", b.glossaryJSON()))
	return diags
}
