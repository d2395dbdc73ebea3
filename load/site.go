package load

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
}

// Link is a titled URL.
type Link struct {
	Title string
	URL   string
}

// FormSettings are the words of the signup form page.
type FormSettings struct {
	Title    string
	Intro    string // Markdown
	Submit   string
	Action   string            // where the form posts
	Sections map[string]string // section id of fields.yaml -> its heading
}

// SiteSettings reads site.yaml.
func SiteSettings(fsys fs.FS, root string) (Site, qualify.Diags) {
	l := &loader{fsys: fsys, root: root}
	s := Site{Language: "en", Form: FormSettings{Title: "Sign up", Submit: "Send", Action: "/api/leads"}}
	body, f := l.yaml(SiteFile, true)
	if f == nil {
		return s, l.diags
	}
	f.fields(body, "site", map[string]func(ast.Node){
		"name":        func(n ast.Node) { s.Name = f.str(n, "name") },
		"base_url":    func(n ast.Node) { s.BaseURL = strings.TrimSuffix(f.str(n, "base_url"), "/") },
		"language":    func(n ast.Node) { s.Language = f.str(n, "language") },
		"description": func(n ast.Node) { s.Description = f.str(n, "description") },
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
				"title":  func(n ast.Node) { s.Form.Title = f.str(n, "title") },
				"intro":  func(n ast.Node) { s.Form.Intro = f.str(n, "intro") },
				"submit": func(n ast.Node) { s.Form.Submit = f.str(n, "submit") },
				"action": func(n ast.Node) { s.Form.Action = f.str(n, "action") },
				"sections": func(n ast.Node) {
					s.Form.Sections = map[string]string{}
					for _, e := range f.mapping(n, "sections") {
						s.Form.Sections[e.key] = f.str(e.value, "section "+e.key)
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
