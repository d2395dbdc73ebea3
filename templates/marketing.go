package templates

import (
	"html"
	"slices"
	"strings"
)

// The marketing components: the blocks a Markdown page writes as
// directives (:::hero, :::features...). Bodies are trusted HTML rendered
// from the page's Markdown.

// HeroView is the opening of a landing page: the page's one h1, a lede,
// a primary and a secondary call to action, and a picture of the product.
type HeroView struct {
	Eyebrow   string // a short line above the title, or ""
	Title     string
	Lede      string // trusted HTML
	Primary   Link
	Secondary Link   // Title "" for none
	Note      string // a line under the calls to action, or ""
	Picture   *ProductPicture
}

// ProductPicture shows the product at work, drawn from the model: a
// stage's rule as written in its file, and the verdict an example lead
// gets from it.
type ProductPicture struct {
	File    string     // the file shown, e.g. "stages/mql.md"
	Code    []CodeLine // the part of it shown
	Lead    string     // the example lead's name
	Company string
	Stage   string
	Fit     string
	Score   string
	Tier    string
	Reasons []PictureReason
	More    string // says how many reasons are left out, or ""
	Next    string // the next step the lead is offered
	NextSLA string // who acts on it and how soon, or ""
	Caption string
}

// CodeLine is a line of YAML in a picture: a key and its value.
type CodeLine struct {
	Indent bool
	Key    string
	Value  string // "" for a key that opens a block
}

// PictureReason is a line of a verdict: points and the rule that gave
// them.
type PictureReason struct {
	Points string // signed, e.g. "+2"
	Label  string
}

// BandHead is what opens a section of a landing page.
type BandHead struct {
	ID      string // the section's id, or ""
	Eyebrow string
	Title   string
	Intro   string // trusted HTML
}

// FeaturesView is a grid of features.
type FeaturesView struct {
	BandHead
	Items []Feature
}

// Feature is one cell of a feature grid.
type Feature struct {
	Title string
	Icon  string // one of Icons, or ""
	Body  string // trusted HTML
	Link  Link   // "Learn more" link, Title "" for none
}

// LogosView is a strip of customers' names.
type LogosView struct {
	Title string
	Body  string // trusted HTML: a list of names
}

// StatsView is a row of figures.
type StatsView struct {
	Body string // trusted HTML: a list, each item a figure in strong and its words
}

// TestimonialsView is what customers say.
type TestimonialsView struct {
	BandHead
	Items []Testimonial
	Note  string // e.g. where the quotes come from, or ""
}

// Testimonial is one customer's words.
type Testimonial struct {
	Quote   string // trusted HTML
	Name    string
	Role    string
	Company string
}

// PricingView is a table of plans, as cards.
type PricingView struct {
	BandHead
	Plans []Plan
	Note  string // trusted HTML under the plans, or ""
}

// Plan is one pricing card.
type Plan struct {
	Name     string
	Price    string // e.g. "$0", "Custom"
	Period   string // e.g. "forever", "per month", or ""
	Summary  string // one line under the price, or ""
	Body     string // trusted HTML: what the plan includes
	CTA      Link
	Featured bool   // the plan to pick: set apart
	Badge    string // e.g. "Most popular", or ""
}

// FAQView is a list of questions and answers, with their FAQPage
// JSON-LD for search engines.
type FAQView struct {
	BandHead
	Items  []Question
	JSONLD string // FAQPage JSON-LD, serialised, or ""
}

// Question is one question of a FAQ and its answer.
type Question struct {
	Question string
	Answer   string // trusted HTML
}

// CTAView is a band with a call to action.
type CTAView struct {
	Title     string
	Body      string // trusted HTML
	Primary   Link
	Secondary Link // Title "" for none
}

// FormBandView is the signup form embedded in a page, beside a title and
// a text.
type FormBandView struct {
	Title string
	Body  string // trusted HTML
	Form  FormDef
}

// Icons are the names of the icons a feature can show.
var Icons = func() []string {
	var names []string
	for name := range icons {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}()

// icons are 24-pixel line icons: the inside of an <svg>, by name.
var icons = map[string]string{
	"model":   `<path d="M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z"/><path d="M14 3v6h6M9 13l-2 2 2 2M15 13l2 2-2 2"/>`,
	"browser": `<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 9h18M7 6.5h.01M10 6.5h.01"/>`,
	"edge":    `<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>`,
	"route":   `<circle cx="6" cy="6" r="2.5"/><circle cx="18" cy="18" r="2.5"/><circle cx="18" cy="6" r="2.5"/><path d="M6 8.5v3a3 3 0 0 0 3 3h6.5M8.5 6h7"/>`,
	"clock":   `<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>`,
	"chart":   `<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>`,
	"check":   `<circle cx="12" cy="12" r="9"/><path d="m8 12 3 3 5-6"/>`,
	"shield":  `<path d="M12 3 4 6v6c0 4.5 3.4 8 8 9 4.6-1 8-4.5 8-9V6z"/><path d="m9 12 2 2 4-4"/>`,
	"book":    `<path d="M4 5a2 2 0 0 1 2-2h14v16H6a2 2 0 0 0-2 2z"/><path d="M4 21V5M8 7h8"/>`,
	"users":   `<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.5a3.5 3.5 0 0 1 0 7M21.5 20a6.5 6.5 0 0 0-4-6"/>`,
	"bolt":    `<path d="M13 2 4 14h7l-1 8 9-12h-7z"/>`,
	"filter":  `<path d="M3 4h18l-7 8.5V19l-4 2v-8.5z"/>`,
}

// HasIcon reports whether name is one of Icons.
func HasIcon(name string) bool {
	_, ok := icons[name]
	return ok
}

// codeHTML writes the lines of a picture's file as HTML: each key and
// value in a span of its own, for colour.
func codeHTML(lines []CodeLine) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if l.Indent {
			b.WriteString("  ")
		}
		b.WriteString(`<span class="k">` + html.EscapeString(l.Key) + `:</span>`)
		if l.Value != "" {
			b.WriteString(` <span class="v">` + html.EscapeString(l.Value) + `</span>`)
		}
	}
	return b.String()
}

// initials are the first letters of a person's first and last names.
func initials(name string) string {
	words := strings.Fields(name)
	switch len(words) {
	case 0:
		return ""
	case 1:
		return firstLetter(words[0])
	}
	return firstLetter(words[0]) + firstLetter(words[len(words)-1])
}

func firstLetter(s string) string {
	for _, r := range s {
		return strings.ToUpper(string(r))
	}
	return ""
}

// byline joins a person's role and company: "Head of marketing, Northwind".
func byline(role, company string) string {
	switch {
	case role == "":
		return company
	case company == "":
		return role
	}
	return role + ", " + company
}
