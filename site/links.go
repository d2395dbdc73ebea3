package site

import (
	"bytes"
	"hash/maphash"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/markdown"
)

// pageLinks is what the link check keeps of a page of the site: the
// internal links it makes and the ids it defines. A rebuild keeps it for
// the pages it does not render again.
type pageLinks struct {
	source  string        // the content file the page comes from
	written []writtenLink // links written in Markdown, where they are written
	made    []int32       // links the templates made (navigation, lists), by their number in the builder's linkTable
	ids     []uint64      // the ids the page defines, hashed, sorted
}

// writtenLink is an internal link written in Markdown, and the line of
// the content file it is written on.
type writtenLink struct {
	url  string
	line int
}

// scanHTML calls attr with each id, href, src and action value of an HTML
// page, as written (character references unresolved). It reads tags only,
// so text that looks like markup (escaped code) is never taken for a
// link; the page is the minifier's output, so its tags are well formed.
func scanHTML(page []byte, attr func(id bool, value []byte)) {
	for i := 0; i < len(page); i++ {
		if page[i] != '<' || i+1 >= len(page) || !isAlpha(page[i+1]) {
			continue
		}
		// Inside a start tag: read attributes up to '>'.
		j := i + 1
		for j < len(page) && page[j] != '>' && page[j] != ' ' {
			j++
		}
		for j < len(page) && page[j] != '>' {
			if page[j] == ' ' || page[j] == '/' {
				j++
				continue
			}
			nameStart := j
			for j < len(page) && page[j] != '=' && page[j] != ' ' && page[j] != '>' {
				j++
			}
			name := page[nameStart:j]
			if j >= len(page) || page[j] != '=' {
				continue
			}
			j++
			v, n := attrValue(page[j:])
			j += n
			switch string(name) {
			case "id":
				attr(true, v)
			case "href", "src", "action":
				attr(false, v)
			}
		}
		i = j
	}
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// attrValue reads a quoted or bare attribute value at the start of b and
// returns it, as written, with the number of bytes it took.
func attrValue(b []byte) ([]byte, int) {
	if len(b) == 0 {
		return nil, 0
	}
	if q := b[0]; q == '"' || q == '\'' {
		end := bytes.IndexByte(b[1:], q)
		if end < 0 {
			return nil, len(b)
		}
		return b[1 : end+1], end + 2
	}
	end := bytes.IndexAny(b, " >")
	if end < 0 {
		end = len(b)
	}
	return b[:end], end
}

// unescaped returns an attribute value with its character references
// resolved.
func unescaped(v []byte) []byte {
	if bytes.IndexByte(v, '&') < 0 {
		return v
	}
	return []byte(html.UnescapeString(string(v)))
}

// linkTable numbers the links templates make: the same few stand on
// every page (the navigation, the footer), and a page keeps their
// numbers.
type linkTable struct {
	number map[string]int32
	links  []string
}

// keep records what the link check needs of a rendered page: its ids, the
// internal links written in its Markdown (written, with their lines in
// the Markdown body) and the internal links its templates made.
func (w *worker) keep(j job, page []byte, written []markdown.Link) {
	l := &pageLinks{source: j.source}
	w.ids, w.made = w.ids[:0], w.made[:0]
	scanHTML(page, func(id bool, v []byte) {
		v = unescaped(v)
		if id {
			w.ids = append(w.ids, maphash.Bytes(seed, v))
			return
		}
		if j.line > 0 {
			if line, ok := writtenAt(written, v); ok {
				// Written in Markdown: checked where it is written.
				if internal(string(v)) {
					l.written = append(l.written, writtenLink{url: string(v), line: j.line + line - 1})
				}
				return
			}
		}
		if internal(string(v)) {
			w.made = append(w.made, v)
		}
	})
	l.ids = slices.Clone(w.ids)
	slices.Sort(l.ids)
	l.written = slices.Clip(l.written)
	l.made = make([]int32, len(w.made))
	b := w.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.linkTab
	for i, v := range w.made {
		n, ok := t.number[string(v)]
		if !ok {
			n = int32(len(t.links))
			t.links = append(t.links, string(v))
			t.number[t.links[n]] = n
		}
		l.made[i] = n
	}
	b.links[j.path] = l
}

// writtenAt returns the line of the first Markdown link to url.
func writtenAt(written []markdown.Link, url []byte) (int, bool) {
	for _, l := range written {
		if l.URL == string(url) {
			return l.Line, true
		}
	}
	return 0, false
}

// internal reports whether a link points into the site.
func internal(link string) bool {
	if plainPath(link) {
		return true
	}
	if strings.HasPrefix(link, "//") {
		return false
	}
	u, err := url.Parse(link)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// plainPath reports whether link is a site path or a fragment ("/a/b/",
// "#top") that net/url would parse as it is: nothing to unescape, no
// query, no control character.
func plainPath(link string) bool {
	if link == "" || link[0] != '/' && link[0] != '#' || strings.HasPrefix(link, "//") {
		return false
	}
	for i := 0; i < len(link); i++ {
		if c := link[i]; c < 0x20 || c == 0x7f || c == '%' || c == '?' {
			return false
		}
	}
	return true
}

// target resolves a link from a page to a file of the site and a fragment.
func target(from, link string) (file, fragment string) {
	var p string
	if plainPath(link) {
		p, fragment, _ = strings.Cut(link, "#")
	} else {
		u, err := url.Parse(link)
		if err != nil {
			return "", ""
		}
		p, fragment = u.Path, u.Fragment
	}
	switch {
	case p == "":
		p = "/" + from
	case !strings.HasPrefix(p, "/"):
		dir := "/" + from
		dir = dir[:strings.LastIndexByte(dir, '/')+1]
		p = dir + p
	}
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	return strings.TrimPrefix(p, "/"), fragment
}

// checkLinks reports every internal link of the pages named (all pages
// when only is nil) to a file the site lacks, or to an anchor its target
// lacks.
func (b *builder) checkLinks(only []string) qualify.Diags {
	b.mu.Lock()
	defer b.mu.Unlock()
	pages := only
	if pages == nil {
		pages = make([]string, 0, len(b.links))
		for p := range b.links {
			pages = append(pages, p)
		}
	}
	slices.Sort(pages)
	var diags qualify.Diags
	seen := map[string]bool{}                     // problems reported
	checked := make([]bool, len(b.linkTab.links)) // site-absolute links the templates made, checked once
	check := func(from, link string, pos qualify.Pos) {
		if link == "/api/leads" || strings.HasPrefix(link, "/api/") || strings.HasPrefix(link, "/_winnow/") {
			return // served by the edge and the dev server, not the site
		}
		msg := b.brokenLink(from, link)
		if msg == "" {
			return
		}
		if pos.Line == 0 {
			msg += " (on /" + strings.TrimSuffix(from, "index.html") + ")"
		}
		key := pos.String() + msg
		if !seen[key] {
			seen[key] = true
			diags.Add(pos, msg)
		}
	}
	for _, from := range pages {
		l := b.links[from]
		if l == nil {
			continue
		}
		for _, w := range l.written {
			check(from, w.url, qualify.Pos{File: l.source, Line: w.line})
		}
		for _, n := range l.made {
			// The same link stands on many pages: check each once, but a
			// relative link on each page.
			link := b.linkTab.links[n]
			if strings.HasPrefix(link, "/") {
				if checked[n] {
					continue
				}
				checked[n] = true
			}
			check(from, link, qualify.Pos{File: l.source})
		}
	}
	slices.SortFunc(diags, func(x, y qualify.Diag) int { return strings.Compare(x.String(), y.String()) })
	return diags
}

// brokenLink says what is wrong with a link from a page, or "" if
// nothing is; b.mu is held.
func (b *builder) brokenLink(from, link string) string {
	file, frag := target(from, link)
	if !b.paths[file] {
		if b.paths[file+"/index.html"] {
			return "link to " + strconv.Quote(link) + " lacks its trailing slash"
		}
		return "link to a page that does not exist: " + strconv.Quote(link)
	}
	if frag != "" && strings.HasSuffix(file, ".html") {
		if l := b.links[file]; l == nil || !l.defines(frag) {
			return "link to an anchor that does not exist: " + strconv.Quote(link)
		}
	}
	return ""
}

// defines reports whether the page defines the id.
func (l *pageLinks) defines(id string) bool {
	_, found := slices.BinarySearch(l.ids, maphash.String(seed, id))
	return found
}
