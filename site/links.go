package site

import (
	"bytes"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/markdown"
)

// linkRef is an internal link found on a page.
type linkRef struct {
	from string      // the page's path in the site
	url  string      // the link as written
	pos  qualify.Pos // where it is written: a Markdown line, or the page's source
}

// scanHTML returns the href, src and action values and the ids of an HTML
// page. It reads tags only, so text that looks like markup (escaped code)
// is never taken for a link; the page is the minifier's output, so its
// tags are well formed.
func scanHTML(page []byte) (links, ids []string) {
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
			name := string(page[nameStart:j])
			if j >= len(page) || page[j] != '=' {
				continue
			}
			j++
			v, n := attrValue(page[j:])
			j += n
			switch name {
			case "id":
				ids = append(ids, v)
			case "href", "src", "action":
				links = append(links, v)
			}
		}
		i = j
	}
	return links, ids
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// attrValue reads a quoted or bare attribute value at the start of b and
// returns it with the number of bytes it took.
func attrValue(b []byte) (string, int) {
	if len(b) == 0 {
		return "", 0
	}
	if q := b[0]; q == '"' || q == '\'' {
		end := bytes.IndexByte(b[1:], q)
		if end < 0 {
			return "", len(b)
		}
		return html.UnescapeString(string(b[1 : end+1])), end + 2
	}
	end := bytes.IndexAny(b, " >")
	if end < 0 {
		end = len(b)
	}
	return html.UnescapeString(string(b[:end])), end
}

// keep stores a rendered page and what the link check needs of it.
func (b *builder) keep(j job, links, ids []string, mdLinks []markdown.Link) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ids[j.path] = ids
	if j.noindex {
		b.noindex[j.path] = true
	}
	lines := map[string]int{}
	for _, l := range mdLinks {
		if _, ok := lines[l.URL]; !ok {
			lines[l.URL] = l.Line
		}
	}
	for _, l := range links {
		if line, ok := lines[l]; ok && j.line > 0 {
			// Written in Markdown: check it where it is written.
			if internal(l) {
				b.links = append(b.links, linkRef{from: j.path, url: l, pos: qualify.Pos{File: j.source, Line: j.line + line - 1}})
			}
			continue
		}
		// Made by a template: the same link stands on many pages (the
		// navigation, the footer), so each is checked once.
		key := l
		if !strings.HasPrefix(l, "/") {
			key = j.path + " " + l // relative: it depends on the page
		}
		if _, seen := b.generated[key]; !seen && internal(l) {
			b.generated[key] = linkRef{from: j.path, url: l, pos: qualify.Pos{File: j.source}}
		}
	}
}

// internal reports whether a link points into the site.
func internal(link string) bool {
	if strings.HasPrefix(link, "//") {
		return false
	}
	u, err := url.Parse(link)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// target resolves a link from a page to a file of the site and a fragment.
func target(from, link string) (file, fragment string) {
	u, err := url.Parse(link)
	if err != nil {
		return "", ""
	}
	p := u.Path
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
	return strings.TrimPrefix(p, "/"), u.Fragment
}

// checkLinks reports every internal link to a file the site lacks, or to
// an anchor its target lacks.
func (b *builder) checkLinks() qualify.Diags {
	var diags qualify.Diags
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := map[string]map[string]bool{}
	for p, list := range b.ids {
		set := make(map[string]bool, len(list))
		for _, id := range list {
			set[id] = true
		}
		ids[p] = set
	}
	seen := map[string]bool{}
	all := b.links
	for _, l := range b.generated {
		all = append(all, l)
	}
	for _, l := range all {
		if l.url == "/api/leads" || strings.HasPrefix(l.url, "/api/") || strings.HasPrefix(l.url, "/_winnow/") {
			continue // served by the edge and the dev server, not the site
		}
		file, frag := target(l.from, l.url)
		msg := ""
		if !b.paths[file] {
			if b.paths[file+"/index.html"] {
				msg = "link to " + strconv.Quote(l.url) + " lacks its trailing slash"
			} else {
				msg = "link to a page that does not exist: " + strconv.Quote(l.url)
			}
		} else if frag != "" && strings.HasSuffix(file, ".html") && !ids[file][frag] {
			msg = "link to an anchor that does not exist: " + strconv.Quote(l.url)
		}
		if msg == "" {
			continue
		}
		if l.pos.Line == 0 {
			msg += " (on /" + strings.TrimSuffix(l.from, "index.html") + ")"
		}
		key := l.pos.String() + msg
		if !seen[key] {
			seen[key] = true
			diags.Add(l.pos, msg)
		}
	}
	slices.SortFunc(diags, func(x, y qualify.Diag) int { return strings.Compare(x.String(), y.String()) })
	return diags
}
