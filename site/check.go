package site

import (
	"path"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/markdown"
)

// CheckMarkdown renders the Markdown of the pages, of the glossary
// entries and of the forms' introductions and asides as a build does,
// and returns its problems, each at its file, line and column: a
// component or an attribute that does not exist, a directive never
// closed, a model value the model lacks. It writes nothing; winnow check runs it, so that a
// page cannot state what the model does not say.
func CheckMarkdown(c *content.Content, settings content.Site, pages []content.Page, contentDir string) qualify.Diags {
	b := &builder{opts: Options{ContentDir: contentDir}, content: c, settings: settings, list: pages,
		assets: map[string]string{}, examples: c.Run(), values: newModelValues(c)}
	var diags qualify.Diags
	b.glossary, diags = newGlossary(c, contentDir)
	md := markdown.New(b.markdownOptions())
	check := func(src []byte, url, file string, line int) {
		if _, err := md.Render(src, url); err != nil {
			diags = append(diags, jobDiags(job{source: file, line: line}, err)...)
		}
	}
	for _, p := range pages {
		check(p.Body, p.URL, p.File, p.BodyLine)
	}
	for _, t := range b.glossary.entries {
		check([]byte(t.doc.Body), t.url, t.doc.Pos.File, t.doc.BodyLine)
	}
	for i := range c.Forms {
		cf := &c.Forms[i]
		if _, _, _, err := formTextOf(cf).render(md, cf.Path); err != nil {
			diags = append(diags, jobDiags(job{source: cf.Pos.File, line: 1}, err)...)
		}
	}
	if settings.Form.Intro != "" {
		check([]byte(settings.Form.Intro), "/signup/", path.Join(contentDir, content.SiteFile), 0)
	}
	diags.Sort()
	return diags
}
