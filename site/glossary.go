package site

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/markdown"
	"github.com/winnowhq/winnow/templates"
)

// term is an entry of the glossary: a stage, a framework or a term.
type term struct {
	doc  *content.Doc
	kind string // "stage", "framework", "term"
	slug string
	url  string
}

// glossary is every entry, sorted by name, and the terms to auto-link.
type glossary struct {
	entries []*term
	byName  map[string]*term // lower-case name and aliases -> entry
	terms   []markdown.Term
}

// Slug turns a name into the last part of a URL: lower case, letters and
// digits, words joined by hyphens ("bad lead" is "bad-lead").
func Slug(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
		} else {
			hyphen = true
		}
	}
	return b.String()
}

var docKinds = map[content.DocKind]string{content.DocStage: "stage", content.DocFramework: "framework", content.DocTerm: "term"}

func newGlossary(c *content.Content, contentDir string) (*glossary, qualify.Diags) {
	var diags qualify.Diags
	g := &glossary{byName: map[string]*term{}}
	bySlug := map[string]*term{}
	for i := range c.Docs {
		d := &c.Docs[i]
		t := &term{doc: d, kind: docKinds[d.Kind], slug: Slug(d.Name)}
		t.url = "/glossary/" + t.slug + "/"
		if t.slug == "" {
			diags.Add(d.Pos, strconv.Quote(d.Name)+" has no letters or digits to make its URL from")
			continue
		}
		if other, ok := bySlug[t.slug]; ok {
			diags.Add(d.Pos, strconv.Quote(d.Name)+" has the same glossary URL "+t.url+" as "+strconv.Quote(other.doc.Name)+" ("+other.doc.Pos.String()+")")
			continue
		}
		bySlug[t.slug] = t
		g.entries = append(g.entries, t)
	}
	// A to Z by the title the index shows: "Ideal customer profile", not
	// "ICP".
	slices.SortFunc(g.entries, func(a, b *term) int {
		if c := strings.Compare(sortKey(a.doc), sortKey(b.doc)); c != 0 {
			return c
		}
		return strings.Compare(a.doc.Name, b.doc.Name)
	})
	for _, t := range g.entries {
		for _, name := range append([]string{t.doc.Name, t.doc.Title}, t.doc.Aliases...) {
			key := strings.ToLower(name)
			if key == "" {
				continue
			}
			if other, ok := g.byName[key]; ok && other != t {
				if name == t.doc.Name {
					diags.Add(t.doc.Pos, "duplicate term "+strconv.Quote(name)+": "+other.doc.Pos.String()+" uses it too")
				}
				continue
			}
			g.byName[key] = t
		}
		mt := markdown.Term{Name: t.doc.Name, URL: t.url, Title: t.doc.Title}
		for _, a := range append([]string{t.doc.Title}, t.doc.Aliases...) {
			if a != "" && !strings.EqualFold(a, t.doc.Name) && g.byName[strings.ToLower(a)] == t {
				mt.Aliases = append(mt.Aliases, a)
			}
		}
		g.terms = append(g.terms, mt)
	}
	return g, diags
}

// sortKey is what an entry is sorted and lettered by in the A–Z index:
// its title as shown, in lower case, or its name when it has no title.
func sortKey(d *content.Doc) string {
	s := d.Title
	if s == "" {
		s = d.Name
	}
	return strings.ToLower(s)
}

// jsonLD serialises a JSON-LD document; encoding/json escapes <, > and &,
// so it is safe inside a script element.
func jsonLD(v any) string {
	out, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(out)
}

// glossaryJobs schedules the A–Z index, one page per entry, and
// glossary.json.
func (b *builder) glossaryJobs() qualify.Diags {
	var diags qualify.Diags
	g := b.glossary
	setURL := b.settings.BaseURL + "/glossary/"
	deps := func(h *sig) {
		for _, t := range g.entries {
			h.doc(t.doc)
			h.strs(t.kind, t.url)
		}
	}
	diags = append(diags, b.add(job{path: "glossary/index.html", source: b.opts.ContentDir + "/glossary", deps: deps, render: func(w *worker) (page, error) {
		idx := templates.GlossaryIndex{
			Title: "Glossary",
			Intro: "<p>The definitions marketing and sales agreed on. Each stage shows the exact rule the signup form and the server execute, printed from the model. " +
				"To see the rules at work on a lead of your own, ask the <a href=\"" + FortuneURL + "\">fortune teller</a>.</p>",
		}
		letters := map[string]*templates.Letter{}
		for c := 'A'; c <= 'Z'; c++ {
			l := &templates.Letter{Letter: string(c), ID: "letter-" + strings.ToLower(string(c))}
			letters[l.Letter] = l
			idx.Letters = append(idx.Letters, *l)
		}
		var defined []map[string]any
		for _, t := range g.entries {
			first := strings.ToUpper(string([]rune(sortKey(t.doc))[0]))
			if _, ok := letters[first]; !ok {
				first = "#"
				if letters[first] == nil {
					letters[first] = &templates.Letter{Letter: "#", ID: "letter-other"}
				}
			}
			letters[first].Terms = append(letters[first].Terms, b.termRef(t))
			defined = append(defined, map[string]any{
				"@type": "DefinedTerm", "name": t.doc.Title, "alternateName": t.doc.Name,
				"description": t.doc.Description, "url": b.settings.BaseURL + t.url,
			})
		}
		for i := range idx.Letters {
			idx.Letters[i] = *letters[idx.Letters[i].Letter]
		}
		if l := letters["#"]; l != nil {
			idx.Letters = append(idx.Letters, *l)
		}
		head := templates.Head{Title: "Glossary", Path: "/glossary/", Type: "website",
			Description: "Every term of our lead qualification, A to Z: stages, frameworks and the words around them.",
			JSONLD: jsonLD(map[string]any{
				"@context": "https://schema.org", "@type": "DefinedTermSet", "@id": setURL,
				"name": b.settings.Name + " glossary", "url": setURL, "hasDefinedTerm": defined,
			})}
		out, err := w.renderPage(head, b.crumbs("/glossary/", "Glossary"), templates.GlossaryView(idx))
		return page{html: out}, err
	}})...)
	for _, t := range g.entries {
		diags = append(diags, b.add(b.termJob(t))...)
	}
	return diags
}

func (b *builder) termRef(t *term) templates.TermRef {
	return templates.TermRef{Name: t.doc.Name, Title: t.doc.Title, URL: t.url, Description: t.doc.Description, Kind: t.kind}
}

func (b *builder) termJob(t *term) job {
	deps := func(h *sig) {
		h.doc(t.doc)
		h.strs(t.kind, t.url)
		h.crumbs(b, t.url, t.doc.Title)
	}
	body := []byte(t.doc.Body)
	return job{path: outPath(t.url), source: t.doc.Pos.File, line: t.doc.BodyLine, deps: deps, md: body, render: func(w *worker) (page, error) {
		res, err := w.md.Render(body, t.url)
		if err != nil {
			return page{}, err
		}
		v := templates.TermPage{Name: t.doc.Name, Title: t.doc.Title, Kind: t.kind, Aliases: t.doc.Aliases, Body: string(res.HTML)}
		switch t.kind {
		case "stage":
			card := b.stageCard(t.doc.Name)
			v.Stage = &card
		case "framework":
			card := b.frameworkCard(t.doc.Name)
			v.Framework = &card
		}
		head := templates.Head{Title: t.doc.Title, Description: t.doc.Description, Path: t.url, Type: "article",
			JSONLD: jsonLD(map[string]any{
				"@context": "https://schema.org", "@type": "DefinedTerm", "name": t.doc.Title,
				"alternateName": append([]string{t.doc.Name}, t.doc.Aliases...), "description": t.doc.Description,
				"url": b.settings.BaseURL + t.url, "inDefinedTermSet": b.settings.BaseURL + "/glossary/",
			})}
		out, err := w.renderPage(head, b.crumbs(t.url, t.doc.Title), templates.TermView(v))
		return page{html: out, links: res.Links}, err
	}}
}

// glossaryJSON is the machine-readable glossary.
func (b *builder) glossaryJSON() []byte {
	type entry struct {
		Name        string   `json:"name"`
		Title       string   `json:"title"`
		Kind        string   `json:"kind"`
		URL         string   `json:"url"`
		Description string   `json:"description,omitempty"`
		Aliases     []string `json:"aliases,omitempty"`
		Rule        string   `json:"rule,omitempty"`
		Funnel      string   `json:"funnel,omitempty"`
	}
	out := struct {
		Name    string  `json:"name"`
		Model   string  `json:"model"`
		Entries []entry `json:"terms"`
	}{Name: b.settings.Name + " glossary", Model: b.content.Model.Version}
	m := b.content.Model
	for _, t := range b.glossary.entries {
		e := entry{Name: t.doc.Name, Title: t.doc.Title, Kind: t.kind, URL: b.settings.BaseURL + t.url,
			Description: t.doc.Description, Aliases: t.doc.Aliases}
		if i := m.StageIndex(t.doc.Name); t.kind == "stage" && i >= 0 {
			e.Rule = m.Stages[i].Rule.String()
			e.Funnel = m.Stages[i].Funnel.String()
		}
		out.Entries = append(out.Entries, e)
	}
	// A file of its own: no need to escape <, > and & as in a script.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(out)
	return buf.Bytes()
}
