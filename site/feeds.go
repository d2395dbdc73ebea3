package site

import (
	"bytes"
	"encoding/xml"
	"hash/maphash"
	"slices"
	"strings"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/cachepolicy"
)

// feedSize is how many of the newest dated pages the Atom feed holds.
const feedSize = 20

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

// feeds writes sitemap.xml, feed.xml, robots.txt and glossary.json. A
// sitemap of the same pages with the same dates as the last build's,
// prev, is not made again.
func (b *builder) feeds(prev *builder) qualify.Diags {
	base := b.settings.BaseURL
	b.sitemapSig = b.sitemapInputs()
	if prev != nil && prev.sitemapSig == b.sitemapSig && prev.sitemapXML != nil {
		b.sitemapXML = prev.sitemapXML
	} else {
		b.sitemapXML = b.sitemap()
	}
	b.file("sitemap.xml", b.sitemapXML)
	// The newest dated pages, newest first (by URL where dates are equal,
	// as pages are listed), kept in order as the list is read.
	newer := func(x, y *content.Page) int {
		if c := y.Date.Compare(x.Date); c != 0 {
			return c
		}
		return strings.Compare(x.URL, y.URL)
	}
	dated := make([]*content.Page, 0, feedSize+1)
	for i := range b.list {
		p := &b.list[i]
		if p.Date.IsZero() || p.IsSection || len(dated) == feedSize && newer(p, dated[feedSize-1]) > 0 {
			continue
		}
		at, _ := slices.BinarySearchFunc(dated, p, newer)
		dated = slices.Insert(dated, at, p)
		if len(dated) > feedSize {
			dated = dated[:feedSize]
		}
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
	if data, err := xml.Marshal(feed); err != nil {
		diags.Add(qualify.Pos{}, "writing feed.xml: "+err.Error())
	} else {
		b.file("feed.xml", append([]byte(xml.Header), data...))
	}
	b.file("robots.txt", []byte("User-agent: *\nAllow: /\n\nSitemap: "+base+"/sitemap.xml\n"))
	if len(b.opts.Headers) > 0 {
		b.file(cachepolicy.HeadersFile, cachepolicy.Headers(b.opts.Headers))
	}
	b.file("glossary.json", b.minified("application/json", b.glossaryJSON()))
	return diags
}

// sitemap lists every page of the site but those kept out of it, with
// the date of those that have one. It writes what encoding/xml would,
// without reflection: the site's largest file but its lists.
func (b *builder) sitemap() []byte {
	b.mu.Lock()
	var urls []string
	for name := range b.paths {
		if strings.HasSuffix(name, ".html") && !b.noindex[name] {
			urls = append(urls, "/"+strings.TrimSuffix(name, "index.html"))
		}
	}
	b.mu.Unlock()
	slices.Sort(urls)
	out := make([]byte, 0, 64+len(urls)*(len(b.settings.BaseURL)+64))
	out = append(out, xml.Header...)
	out = append(out, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`...)
	pages := b.list // sorted by URL, as urls are
	for _, u := range urls {
		out = append(out, "<url><loc>"...)
		out = appendXMLText(out, b.settings.BaseURL)
		out = appendXMLText(out, u)
		out = append(out, "</loc>"...)
		for len(pages) > 0 && pages[0].URL < u {
			pages = pages[1:]
		}
		if len(pages) > 0 && pages[0].URL == u && !pages[0].Date.IsZero() {
			out = append(out, "<lastmod>"...)
			out = pages[0].Date.AppendFormat(out, "2006-01-02")
			out = append(out, "</lastmod>"...)
		}
		out = append(out, "</url>"...)
	}
	return append(out, "</urlset>"...)
}

// sitemapInputs hashes what the sitemap shows: the pages and the dates
// of the Markdown pages, in any order.
func (b *builder) sitemapInputs() uint64 {
	var sum uint64
	b.mu.Lock()
	for name := range b.paths {
		if strings.HasSuffix(name, ".html") && !b.noindex[name] {
			sum += maphash.String(seed, name)
		}
	}
	b.mu.Unlock()
	var h sig
	h.SetSeed(seed)
	for i := range b.list {
		if p := &b.list[i]; !p.Date.IsZero() {
			h.Reset()
			h.strs(p.URL)
			h.time(p.Date)
			sum += h.Sum64()
		}
	}
	return sum
}

// appendXMLText appends s escaped as XML character data, as encoding/xml
// escapes it.
func appendXMLText(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c >= 0x80, c == '"', c == '\'', c == '&', c == '<', c == '>':
			var buf bytes.Buffer
			xml.EscapeText(&buf, []byte(s))
			return append(out, buf.Bytes()...)
		}
	}
	return append(out, s...)
}
