package content

import (
	"io/fs"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/winnowhq/winnow/qualify"
)

// SiteFile holds the site's settings.
const SiteFile = "site.yaml"

// Site is the site-wide settings of content/site.yaml.
type Site struct {
	Name        string
	BaseURL     string // absolute, without a trailing slash
	Language    string
	Description string
	Footer      []Link
	Form        FormSettings
	Tracking    Tracking
	// InternalLabels shows what only the team needs on the public pages:
	// the funnel position a page is written for and where each stage's
	// rule is written (internal_labels: true; default off).
	InternalLabels bool
}

// Tracking are the settings of first-party page signals and attribution:
// the beacon script on every page, its two cookies (the visitor's id and
// the first visit's campaign) and the consent bar.
type Tracking struct {
	Enabled bool // the pages load the beacon script; default true
	// Consent is ConsentRequired when tracking waits until the visitor
	// accepts it in the consent bar, ConsentImplied (the default) when it
	// starts without asking. Global Privacy Control and Do Not Track stop
	// it either way.
	Consent string
	Notice  string // the consent bar's text
}

// Consent settings of Tracking.
const (
	ConsentRequired = "required"
	ConsentImplied  = "implied"
)

// DefaultNotice is the consent bar's text when site.yaml gives none.
const DefaultNotice = "With your consent we set two cookies of our own: one to recognise your next visit, one to remember the campaign or site that brought you here. Nothing is shared with anyone else."

// Link is a titled URL.
type Link struct {
	Title string
	URL   string
}

// FormSettings are the settings of the site's forms: the words of the one
// signup form of a content directory without forms (Title, Intro,
// Submit), where every form posts, the headings of the sections a
// one-page form groups its fields in, and whether forms tell the visitor
// the model's verdict.
type FormSettings struct {
	Title    string
	Intro    string // Markdown
	Submit   string
	Action   string            // where the form posts
	Sections map[string]string // section id of fields.yaml -> its heading
	// Verdict lets a form tell the visitor what the model makes of their
	// answers (their stage) and what happens next, as they fill it in
	// and after they send it.
	Verdict bool
}

// SiteSettings reads site.yaml.
func SiteSettings(fsys fs.FS, root string) (Site, qualify.Diags) {
	l := &loader{fsys: fsys, root: root}
	s := Site{Language: "en", Form: FormSettings{Title: "Sign up", Submit: "Send", Action: "/api/leads"},
		Tracking: Tracking{Enabled: true, Consent: ConsentImplied, Notice: DefaultNotice}}
	body, f := l.yaml(SiteFile, true)
	if f == nil {
		return s, l.diags
	}
	f.fields(body, "site", map[string]func(ast.Node){
		"name":            func(n ast.Node) { s.Name = f.str(n, "name") },
		"base_url":        func(n ast.Node) { s.BaseURL = strings.TrimSuffix(f.str(n, "base_url"), "/") },
		"language":        func(n ast.Node) { s.Language = f.str(n, "language") },
		"description":     func(n ast.Node) { s.Description = f.str(n, "description") },
		"internal_labels": func(n ast.Node) { s.InternalLabels = f.bool(n, "internal_labels") },
		"footer": func(n ast.Node) {
			for _, item := range f.seq(n, "footer") {
				var link Link
				f.fields(item, "footer link", map[string]func(ast.Node){
					"title": func(n ast.Node) { link.Title = f.str(n, "title") },
					"url":   func(n ast.Node) { link.URL = f.str(n, "url") },
				})
				s.Footer = append(s.Footer, link)
			}
		},
		"form": func(n ast.Node) {
			f.fields(n, "form", map[string]func(ast.Node){
				"title":   func(n ast.Node) { s.Form.Title = f.str(n, "title") },
				"intro":   func(n ast.Node) { s.Form.Intro = f.str(n, "intro") },
				"submit":  func(n ast.Node) { s.Form.Submit = f.str(n, "submit") },
				"action":  func(n ast.Node) { s.Form.Action = f.str(n, "action") },
				"verdict": func(n ast.Node) { s.Form.Verdict = f.bool(n, "form: verdict") },
				"sections": func(n ast.Node) {
					s.Form.Sections = map[string]string{}
					for _, e := range f.mapping(n, "sections") {
						s.Form.Sections[e.key] = f.str(e.value, "section "+e.key)
					}
				},
			})
		},
		"tracking": func(n ast.Node) {
			f.fields(n, "tracking", map[string]func(ast.Node){
				"enabled": func(n ast.Node) { s.Tracking.Enabled = f.bool(n, "tracking: enabled") },
				"consent": func(n ast.Node) {
					switch v := f.str(n, "tracking: consent"); v {
					case ConsentRequired, ConsentImplied:
						s.Tracking.Consent = v
					default:
						f.err(n, "tracking: consent must be "+ConsentRequired+" (tracking waits for the visitor's consent) or "+
							ConsentImplied+" (it starts without asking), not "+f.describeValue(n))
					}
				},
				"notice": func(n ast.Node) {
					if s.Tracking.Notice = strings.TrimSpace(f.str(n, "tracking: notice")); s.Tracking.Notice == "" {
						f.err(n, "tracking: notice is empty: leave it out for the default text")
						s.Tracking.Notice = DefaultNotice
					}
				},
			})
		},
	})
	if s.Name == "" && body != nil {
		f.err(body, "site: name is missing")
	}
	if !strings.HasPrefix(s.BaseURL, "https://") && !strings.HasPrefix(s.BaseURL, "http://") && body != nil {
		f.err(body, "site: base_url must be an absolute http(s) URL, such as https://www.example.com")
	}
	l.diags.Sort()
	return s, l.diags
}
