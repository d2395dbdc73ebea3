package site

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/markdown"
	"github.com/winnowhq/winnow/templates"
)

// formJobs schedules a page for each form of content/forms, and one at
// each of its older paths that sends visitors on to it; a content
// directory without forms has one signup form, at /signup/, asking every
// field.
func (b *builder) formJobs() qualify.Diags {
	var diags qualify.Diags
	if len(b.content.Forms) == 0 {
		set := b.settings.Form
		return b.add(b.formJob("/signup/", b.opts.ContentDir+"/fields.yaml", formText{intro: set.Intro}, set.Intro, b.signupForm()))
	}
	for i := range b.content.Forms {
		cf := &b.content.Forms[i]
		desc := cf.Description
		if desc == "" {
			desc = cf.Intro
		}
		diags = append(diags, b.add(b.formJob(cf.Path, cf.Pos.File, formTextOf(cf), desc, b.form(cf)))...)
		for _, alias := range cf.Aliases {
			diags = append(diags, b.add(b.redirectJob(alias, cf.Path, cf.Title, cf.Pos.File))...)
		}
	}
	return diags
}

// formText is the Markdown of a form's page: its introduction, above the
// form, and its aside, beside it; each with where it starts in the form's
// file (no line: not known).
type formText struct {
	intro, aside     string
	introAt, asideAt qualify.Pos
}

// formTextOf is the Markdown of the page of a form of content/forms.
func formTextOf(cf *content.Form) formText {
	return formText{intro: cf.Intro, introAt: cf.IntroAt, aside: cf.Aside, asideAt: cf.AsideAt}
}

// placed reports whether the text's Markdown has its place in its file:
// its problems and links are then at the file's lines.
func (t formText) placed() bool { return t.introAt.Line > 0 || t.asideAt.Line > 0 }

// render renders the introduction and the aside for the page at url, and
// returns the links they write; their problems, of both, are placed where
// they are in the form's file.
func (t formText) render(md *markdown.Renderer, url string) (intro, aside string, links []markdown.Link, err error) {
	part := func(src string, at qualify.Pos) (string, error) {
		if src == "" {
			return "", nil
		}
		res, err := md.Render([]byte(src), url)
		if err != nil {
			return "", placed(err, at)
		}
		for _, l := range res.Links {
			if t.placed() {
				l.Line += max(at.Line, 1) - 1
			}
			links = append(links, l)
		}
		return string(res.HTML), nil
	}
	intro, errIntro := part(t.intro, t.introAt)
	aside, errAside := part(t.aside, t.asideAt)
	var pi, pa markdown.Problems
	switch {
	case errIntro == nil && errAside == nil:
		return intro, aside, links, nil
	case errors.As(errIntro, &pi) && errors.As(errAside, &pa):
		return "", "", nil, append(pi, pa...) // the problems of both
	}
	return "", "", nil, cmp.Or(errIntro, errAside)
}

// formJob renders the page of a form at url, its introduction and aside
// (Markdown) around it.
func (b *builder) formJob(url, source string, text formText, desc string, f templates.FormDef) job {
	line := 0
	if text.placed() {
		line = 1 // lines of the file
	}
	deps := func(h *sig) { h.crumbs(b, url, f.Title) }
	// md: a change to the glossary's terms renders the page again when
	// its Markdown may use one.
	return job{path: outPath(url), source: source, line: line, deps: deps, md: []byte(text.intro + "\n\n" + text.aside), render: func(w *worker) (page, error) {
		var links []markdown.Link
		var err error
		if f.Intro, f.Aside, links, err = text.render(w.md, url); err != nil {
			return page{}, err
		}
		head := templates.Head{Title: f.Title, Path: url, Type: "website", Description: desc}
		out, err := w.renderPage(head, b.crumbs(url, f.Title), templates.FormPage(f))
		return page{html: out, links: links}, err
	}}
}

// placed moves the problems of Markdown that starts at at, every line of
// it at that column, to where they are in its file; other errors, and
// problems of Markdown whose place is not known (no line), are as they
// are.
func placed(err error, at qualify.Pos) error {
	var ps markdown.Problems
	if at.Line == 0 || !errors.As(err, &ps) {
		return err
	}
	out := make(markdown.Problems, len(ps))
	for i, p := range ps {
		p.Line += at.Line - 1
		p.Col += at.Col - 1
		out[i] = p
	}
	return out
}

// formURLs are the pages of the content's forms, by form name.
func (b *builder) formURLs() map[string]string {
	out := map[string]string{}
	for _, f := range b.content.Forms {
		out[f.Name] = f.Path
	}
	return out
}

// embeddedForm is the form a page embeds (the form directive): the
// form of content/forms named name, or without a name the one that took
// over /signup/; the signup form where content has no forms.
func (b *builder) embeddedForm(name string) (templates.FormDef, error) {
	if len(b.content.Forms) == 0 {
		if name != "" {
			return templates.FormDef{}, errors.New("form " + strconv.Quote(name) + ": the content has no forms (content/forms/*.yaml)")
		}
		return b.signupForm(), nil
	}
	var names []string
	for i := range b.content.Forms {
		cf := &b.content.Forms[i]
		if cf.Name == name || name == "" && cf.Path == b.fallbackFormURL() {
			return b.form(cf), nil
		}
		names = append(names, cf.Name)
	}
	return templates.FormDef{}, errors.New("unknown form " + strconv.Quote(name) + "; forms: " + strings.Join(names, ", "))
}

// fallbackFormURL is where a post that names no form is sent back to,
// and what the navigation's call to action links: the page of the form
// that took over /signup/ (its path or one of its aliases), or else the
// first form's page; /signup/ itself for the one signup form of a
// content directory without forms.
func (b *builder) fallbackFormURL() string {
	for _, f := range b.content.Forms {
		if f.Path == "/signup/" || slices.Contains(f.Aliases, "/signup/") {
			return f.Path
		}
	}
	if len(b.content.Forms) > 0 {
		return b.content.Forms[0].Path
	}
	return "/signup/"
}

// form is a form of content/forms as its page shows it: its steps, or on
// one page its questions grouped by their sections, then the fields the
// page fills in; its extra questions apart.
func (b *builder) form(cf *content.Form) templates.FormDef {
	m := b.content.Model
	mf := &m.Forms[m.FormIndex(cf.Name)]
	f := b.formDef()
	f.Name, f.Title, f.Submit, f.Steps = cf.Name, cf.Title, cf.Submit, cf.MultiStep()
	f.Thanks = templates.Thanks{Title: mf.Thanks.Title, Message: mf.Thanks.Message, Label: mf.Thanks.Label, URL: mf.Thanks.URL}
	if strings.HasSuffix(f.Action, "/leads") {
		f.Profile = strings.TrimSuffix(f.Action, "leads") + "profile"
	}
	field := func(name string) templates.FormField {
		ff := b.formField(&m.Fields[m.FieldIndex(name)])
		ff.Again = slices.Contains(cf.Again, name)
		return ff
	}
	if f.Steps {
		for i, st := range cf.Steps {
			sec := templates.FormSection{ID: "step-" + strconv.Itoa(i+1), Title: st.Title}
			for _, name := range st.Fields {
				sec.Fields = append(sec.Fields, field(name))
			}
			f.Sections = append(f.Sections, sec)
		}
	} else {
		index := map[string]int{}
		for _, name := range cf.Steps[0].Fields {
			f.Sections = b.addToSection(f.Sections, index, m.Fields[m.FieldIndex(name)].Section, field(name))
		}
	}
	hidden := templates.FormSection{ID: "section-hidden"}
	for i := range m.Fields {
		if fd := &m.Fields[i]; fd.Hidden && !fd.Attribute {
			hidden.Fields = append(hidden.Fields, b.formField(fd))
		}
	}
	if len(hidden.Fields) > 0 {
		f.Sections = append(f.Sections, hidden)
	}
	for _, name := range cf.Extra {
		ff := field(name)
		ff.Required = false // an extra question is never required
		f.Extra = append(f.Extra, ff)
	}
	return f
}

// formDef is what every form of the site shares: where it posts, the
// model it is scored with, the widget, and what the site lets it tell.
func (b *builder) formDef() templates.FormDef {
	m := b.content.Model
	set := b.settings.Form
	return templates.FormDef{Action: set.Action, ModelVersion: m.Version, ModelURL: b.assets["model"], Submit: set.Submit,
		WidgetJS: b.assets["js/widget.js"], WorkerJS: b.assets["js/widget-worker.js"], WasmExecURL: b.assets["wasm_exec.js"],
		WasmURL: b.assets["winnow.wasm"], Verdict: set.Verdict, ShowScore: m.ShowScore}
}

// addToSection adds a field to the section of its id (a field's section
// of fields.yaml), which it makes after the others if it is new, titled
// as site.yaml says.
func (b *builder) addToSection(secs []templates.FormSection, index map[string]int, sec string, ff templates.FormField) []templates.FormSection {
	j, ok := index[sec]
	if !ok {
		title := b.settings.Form.Sections[sec]
		if sec == "" {
			title = "Details"
		} else if title == "" && sec != "~hidden" {
			title = titleOfDir("/" + strings.ReplaceAll(sec, "_", "-") + "/")
		}
		j = len(secs)
		index[sec] = j
		secs = append(secs, templates.FormSection{ID: "section-" + Slug(sec), Title: title})
	}
	secs[j].Fields = append(secs[j].Fields, ff)
	return secs
}

// formField is a field of the model as a form asks it.
func (b *builder) formField(fd *qualify.Field) templates.FormField {
	ff := templates.FormField{
		Name: fd.Name, Label: fd.Label, Help: fd.Help, Placeholder: fd.Placeholder,
		Input: inputTypes[fd.Type], Autocomplete: fd.Autocomplete, Required: fd.Required,
		Hint: fd.Name == "email" && fd.Type == qualify.Email,
	}
	switch {
	case fd.Honeypot():
		ff.Honeypot = true
	case fd.Hidden:
		ff.Input = "hidden"
	}
	if fd.Ask != nil {
		ff.Ask = fd.Ask.String()
	}
	switch fd.Type {
	case qualify.Number:
		if fd.HasMin {
			ff.Min = qualify.FormatNumber(fd.Min)
		}
		if fd.HasMax {
			ff.Max = qualify.FormatNumber(fd.Max)
		}
	case qualify.Text, qualify.LongText, qualify.Email, qualify.Phone:
		ff.MaxLength = strconv.Itoa(fd.MaxLength())
		if fd.MinLen > 0 {
			ff.MinLength = strconv.Itoa(fd.MinLen)
		}
	}
	for _, o := range fd.Options {
		ff.Options = append(ff.Options, templates.FormOption{Value: o.Value, Label: o.Label})
	}
	return ff
}

var inputTypes = map[qualify.FieldType]string{
	qualify.Text: "text", qualify.LongText: "textarea", qualify.Email: "email", qualify.Phone: "tel",
	qualify.Number: "number", qualify.Choice: "select", qualify.YesNo: "checkbox", qualify.Date: "date",
}

// signupForm generates the one signup form of a content directory
// without forms from the model's fields. Hidden text fields are traps for
// robots; other hidden fields are filled by the page; attribute fields
// are recorded from the visit and left out.
func (b *builder) signupForm() templates.FormDef {
	m := b.content.Model
	f := b.formDef()
	f.Title = b.settings.Form.Title
	index := map[string]int{}
	for i := range m.Fields {
		fd := &m.Fields[i]
		if fd.Attribute {
			continue
		}
		sec := fd.Section
		if fd.Hidden {
			sec = "~hidden"
		}
		f.Sections = b.addToSection(f.Sections, index, sec, b.formField(fd))
	}
	return f
}
