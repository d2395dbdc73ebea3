package site

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/markdown"
	"github.com/winnowhq/winnow/templates"
)

// markdownOptions are the options of the site's Markdown: the glossary's
// terms, the model's values and the marketing components.
func (b *builder) markdownOptions() markdown.Options {
	return markdown.Options{Terms: b.glossary.terms, Values: b.values.value, Components: b.components()}
}

// The attributes components share.
var (
	titleAttr     = markdown.Attr{Name: "title", Required: true}
	eyebrowAttr   = markdown.Attr{Name: "eyebrow"}
	idAttr        = markdown.Attr{Name: "id"} // the section's id, for links to it
	primaryAttrs  = []markdown.Attr{{Name: "primary", Required: true}, {Name: "primary-url", Required: true, URL: true}}
	secondaryAttr = []markdown.Attr{{Name: "secondary"}, {Name: "secondary-url", URL: true}}
)

// components are the marketing components a page writes as directives
// (see markdown.Component), each rendered by its template in templates.
func (b *builder) components() map[string]markdown.Component {
	return map[string]markdown.Component{
		"hero": {
			Attrs: slices.Concat([]markdown.Attr{eyebrowAttr, titleAttr}, primaryAttrs, secondaryAttr,
				[]markdown.Attr{{Name: "note"}, {Name: "example"}}),
			Once:   true,
			Render: b.hero,
		},
		"features": {
			Attrs: []markdown.Attr{idAttr, eyebrowAttr, titleAttr},
			Item:  "feature",
			Render: func(w io.Writer, d *markdown.Directive) error {
				v := templates.FeaturesView{BandHead: bandHead(d)}
				for _, it := range d.Items {
					f := templates.Feature{Title: it.Attr("title"), Icon: it.Attr("icon"), Body: string(it.Body),
						Link: templates.Link{Title: it.Attr("link"), URL: it.Attr("link-url")}}
					if f.Icon != "" && !templates.HasIcon(f.Icon) {
						return errors.New("feature " + strconv.Quote(f.Title) + ": no icon " + strconv.Quote(f.Icon) +
							qualify.DidYouMean(f.Icon, templates.Icons) + "; icons: " + strings.Join(templates.Icons, ", "))
					}
					if err := pair("link", f.Link); err != nil {
						return errors.New("feature " + strconv.Quote(f.Title) + ": " + err.Error())
					}
					v.Items = append(v.Items, f)
				}
				return render(w, templates.Features(v))
			},
		},
		"feature": {
			Attrs:  []markdown.Attr{titleAttr, {Name: "icon"}, {Name: "link"}, {Name: "link-url", URL: true}},
			Inside: "features",
		},
		"logos": {
			Attrs: []markdown.Attr{{Name: "title"}},
			Render: func(w io.Writer, d *markdown.Directive) error {
				return render(w, templates.Logos(templates.LogosView{Title: d.Attr("title"), Body: string(d.Body)}))
			},
		},
		"stats": {
			Render: func(w io.Writer, d *markdown.Directive) error {
				return render(w, templates.Stats(templates.StatsView{Body: string(d.Body)}))
			},
		},
		"testimonials": {
			Attrs: []markdown.Attr{idAttr, eyebrowAttr, titleAttr, {Name: "note"}},
			Item:  "quote",
			Render: func(w io.Writer, d *markdown.Directive) error {
				v := templates.TestimonialsView{BandHead: bandHead(d), Note: d.Attr("note")}
				for _, it := range d.Items {
					v.Items = append(v.Items, templates.Testimonial{Quote: string(it.Body), Name: it.Attr("name"),
						Role: it.Attr("role"), Company: it.Attr("company")})
				}
				return render(w, templates.Testimonials(v))
			},
		},
		"quote": {
			Attrs:  []markdown.Attr{{Name: "name", Required: true}, {Name: "role"}, {Name: "company"}},
			Inside: "testimonials",
		},
		"pricing": {
			Attrs: []markdown.Attr{idAttr, eyebrowAttr, titleAttr},
			Item:  "plan",
			Render: func(w io.Writer, d *markdown.Directive) error {
				v := templates.PricingView{BandHead: bandHead(d)}
				for _, it := range d.Items {
					v.Plans = append(v.Plans, templates.Plan{
						Name: it.Attr("name"), Price: it.Attr("price"), Period: it.Attr("period"), Summary: it.Attr("summary"),
						Body: string(it.Body), CTA: templates.Link{Title: it.Attr("cta"), URL: it.Attr("cta-url")},
						Featured: it.Attr("featured") != "", Badge: it.Attr("badge"),
					})
				}
				return render(w, templates.Pricing(v))
			},
		},
		"plan": {
			Attrs: []markdown.Attr{{Name: "name", Required: true}, {Name: "price", Required: true}, {Name: "period"},
				{Name: "summary"}, {Name: "cta", Required: true}, {Name: "cta-url", Required: true, URL: true},
				{Name: "featured", Flag: true}, {Name: "badge"}},
			Inside: "pricing",
		},
		"faq": {
			Attrs: []markdown.Attr{idAttr, eyebrowAttr, titleAttr},
			Item:  "question",
			Render: func(w io.Writer, d *markdown.Directive) error {
				v := templates.FAQView{BandHead: bandHead(d)}
				var entities []map[string]any
				for _, it := range d.Items {
					q := templates.Question{Question: it.Attr("title"), Answer: string(it.Body)}
					v.Items = append(v.Items, q)
					entities = append(entities, map[string]any{"@type": "Question", "name": q.Question,
						"acceptedAnswer": map[string]any{"@type": "Answer", "text": strings.TrimSpace(q.Answer)}})
				}
				v.JSONLD = jsonLD(map[string]any{"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": entities})
				return render(w, templates.FAQ(v))
			},
		},
		"question": {
			Attrs:  []markdown.Attr{titleAttr},
			Inside: "faq",
		},
		"cta": {
			Attrs: slices.Concat([]markdown.Attr{titleAttr}, primaryAttrs, secondaryAttr),
			Render: func(w io.Writer, d *markdown.Directive) error {
				v := templates.CTAView{Title: d.Attr("title"), Body: string(d.Body),
					Primary:   templates.Link{Title: d.Attr("primary"), URL: d.Attr("primary-url")},
					Secondary: templates.Link{Title: d.Attr("secondary"), URL: d.Attr("secondary-url")}}
				if err := pair("secondary", v.Secondary); err != nil {
					return err
				}
				return render(w, templates.CTA(v))
			},
		},
		"form": {
			Attrs: []markdown.Attr{titleAttr, {Name: "name"}},
			Once:  true,
			Render: func(w io.Writer, d *markdown.Directive) error {
				f, err := b.embeddedForm(d.Attr("name"))
				if err != nil {
					return err
				}
				return render(w, templates.FormBand(templates.FormBandView{Title: d.Attr("title"), Body: string(d.Body), Form: f}))
			},
		},
	}
}

// bandHead is the opening of a section: its eyebrow, title and the
// Markdown written in it besides its items.
func bandHead(d *markdown.Directive) templates.BandHead {
	return templates.BandHead{ID: d.Attr("id"), Eyebrow: d.Attr("eyebrow"), Title: d.Attr("title"), Intro: string(d.Body)}
}

// pair reports a link attribute given without its URL, or the other way
// round.
func pair(name string, l templates.Link) error {
	switch {
	case l.Title != "" && l.URL == "":
		return errors.New(name + " needs " + name + "-url, where it goes")
	case l.Title == "" && l.URL != "":
		return errors.New(name + "-url needs " + name + ", the words of the link")
	}
	return nil
}

func render(w io.Writer, c templ.Component) error {
	return c.Render(context.Background(), w)
}

// hero renders the hero, with the picture of the example lead it names.
func (b *builder) hero(w io.Writer, d *markdown.Directive) error {
	v := templates.HeroView{Eyebrow: d.Attr("eyebrow"), Title: d.Attr("title"), Lede: string(d.Body), Note: d.Attr("note"),
		Primary:   templates.Link{Title: d.Attr("primary"), URL: d.Attr("primary-url")},
		Secondary: templates.Link{Title: d.Attr("secondary"), URL: d.Attr("secondary-url")}}
	if err := pair("secondary", v.Secondary); err != nil {
		return err
	}
	if name := d.Attr("example"); name != "" {
		p, err := b.picture(name)
		if err != nil {
			return err
		}
		v.Picture = p
	}
	return render(w, templates.Hero(v))
}

// picture draws the verdict the model gives an example lead beside the
// rule of the stage it reaches, as its file writes them.
func (b *builder) picture(example string) (*templates.ProductPicture, error) {
	var r *content.Result
	var names []string
	for i := range b.examples {
		names = append(names, b.examples[i].Example.Name)
		if b.examples[i].Example.Name == example {
			r = &b.examples[i]
		}
	}
	if r == nil {
		return nil, errors.New("example: no example lead is named " + strconv.Quote(example) + qualify.DidYouMean(example, names) +
			" in " + b.opts.ContentDir + "/examples")
	}
	m := b.content.Model
	v := r.Verdict
	i := m.StageIndex(v.Stage)
	if i < 0 {
		return nil, errors.New("example " + strconv.Quote(example) + " reaches no stage")
	}
	s := &m.Stages[i]
	code := []templates.CodeLine{{Key: "name", Value: s.Name}}
	if s.Rule != nil {
		code = append(code, templates.CodeLine{Key: "rule", Value: s.Rule.String()})
	}
	if s.SLA.Owner != "" {
		code = append(code, templates.CodeLine{Key: "sla"}, templates.CodeLine{Indent: true, Key: "owner", Value: s.SLA.Owner})
		if s.SLA.Within > 0 {
			code = append(code, templates.CodeLine{Indent: true, Key: "within", Value: shortDuration(s.SLA.Within)})
		}
	}
	p := &templates.ProductPicture{
		File: "stages/" + Slug(s.Name) + ".md", Code: code,
		Lead: leadText(m, &r.Example.Lead, "name"), Company: leadText(m, &r.Example.Lead, "company"),
		Stage: v.Stage, Fit: v.Fit, Score: qualify.FormatNumber(v.Score), Tier: v.Tier, Next: v.Next.Label,
		Caption: "The default model at work: the rule of " + s.Name + " and the verdict it gives an example lead, drawn from the model when the site is built.",
	}
	if p.Lead == "" {
		p.Lead = r.Example.Name
	}
	if s.SLA.Owner != "" && s.SLA.Within > 0 {
		p.NextSLA = s.SLA.Owner + " acts within " + duration(s.SLA.Within)
	}
	var reasons []qualify.Reason
	for _, rs := range v.Reasons {
		if rs.Kind == qualify.ReasonPoints {
			reasons = append(reasons, rs)
		}
	}
	slices.SortStableFunc(reasons, func(x, y qualify.Reason) int {
		switch {
		case x.Points > y.Points:
			return -1
		case x.Points < y.Points:
			return 1
		}
		return 0
	})
	const shown = 4
	for j, rs := range reasons {
		if j == shown {
			p.More = "and " + strconv.Itoa(len(reasons)-shown) + " more point rules"
			if len(reasons)-shown == 1 {
				p.More = "and 1 more point rule"
			}
			break
		}
		pr := &m.Points[rs.Index]
		p.Reasons = append(p.Reasons, templates.PictureReason{Points: qualify.FormatPoints(rs.Points), Label: or(pr.Label, pr.Name)})
	}
	return p, nil
}

// leadText is the text a lead gave in a field, or "".
func leadText(m *qualify.Model, l *qualify.Lead, field string) string {
	i := m.FieldIndex(field)
	if i < 0 || i >= len(l.Values) || !l.Values[i].Known {
		return ""
	}
	return l.Values[i].Str
}

// shortDuration writes seconds as the content's files do: 24h, 2d, 30m
// (a day is written 24h).
func shortDuration(sec int64) string {
	if sec == qualify.SecondsPerDay {
		return "24h"
	}
	return qualify.FormatDuration(sec)
}
