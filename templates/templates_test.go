package templates_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"

	"github.com/winnowhq/winnow/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenCase is a component rendered to testdata/<name>.html.
type goldenCase struct {
	name string
	c    templ.Component
}

func goldenCases() []goldenCase {
	cases := []goldenCase{
		{"layout-home", page(site, homeHead, nil, templates.ArticleView(templates.Article{Title: "Winnow", Body: "<p>Lead qualification as code.</p>"}))},
		{"layout-post", page(devSite(), postHead, postCrumbs, templates.ArticleView(post))},
		{"layout-404", page(site, notFoundHead, nil, templates.NotFoundView())},
		{"layout-consent", page(trackedSite(), pricingHead, nil, templates.ArticleView(templates.Article{Title: "Pricing", Body: "<p>Free to self-host.</p>"}))},
		{"article", templates.ArticleView(post)},
		{"article-short", templates.ArticleView(shortPage)},
		{"section", templates.SectionView(blog)},
		{"section-empty", templates.SectionView(templates.SectionList{Title: "Customers"})},
		{"glossary", templates.GlossaryView(glossaryIndex())},
		{"term-stage", templates.TermView(mqlPage)},
		{"term-first-stage", templates.TermView(coldLeadPage)},
		{"term-framework", templates.TermView(bantPage)},
		{"term", templates.TermView(leadPage)},
		{"stage-card-exit", templates.StageCardView(badLeadCard)},
		{"sla", templates.SLATable(slaPage)},
		{"scoring", templates.ScoringView(scoringPage)},
		{"form", templates.FormPage(signup)},
		{"form-steps", templates.FormPage(demo)},
		{"fortune", templates.FortuneView(fortune)},
		{"next-step-thanks", templates.NextStepView(templates.NextStep{Title: "Your guide is ready", Label: "Talk to a specialist",
			Message: "A specialist will call you.", Reference: "l1", Stage: "MQL", ThanksMessage: "Read it now.", ThanksLabel: "Read the guide", ThanksURL: "/guides/"})},
		{"not-found", templates.NotFoundView()},
		{"admin-overview", templates.AdminOverviewView(adminOverview(), "csrf-token")},
		{"admin-overview-empty", templates.AdminOverviewView(templates.AdminOverview{}, "csrf-token")},
		{"admin-lead", templates.AdminLeadView(adminLead())},
		{"admin-lead-work", templates.AdminLeadView(adminLeadWork())},
		{"admin-queue", templates.AdminQueueView(adminQueue())},
		{"admin-login", templates.AdminLoginView(templates.AdminLogin{Next: "/admin/leads/l1", Error: "That is not the admin token.",
			Failed: "token", Token: true})},
		{"admin-login-password", templates.AdminLoginView(templates.AdminLogin{Next: "/admin", Error: "That email and password are not those of an account that may log in.",
			Failed: "password", Passwords: true, Token: true, Email: "jo@example.com"})},
		{"admin-login-access", templates.AdminLoginView(templates.AdminLogin{Next: "/admin", Token: true,
			Notice: "Cloudflare Access let you in as cy@acme.example, who has no account here: an admin can add you under People."})},
		{"admin-people", templates.AdminPeopleView(adminPeople())},
		{"admin-people-access", templates.AdminPeopleView(templates.AdminPeople{Access: true, DefaultRole: "viewer", CSRF: "csrf-token",
			Add: templates.PersonForm{Email: "nope", Role: "sales", Error: "That is not an email address such as ana@example.com."}})},
		{"admin-person", templates.AdminPersonView(adminPerson())},
		{"admin-account", templates.AdminAccountView(templates.AdminAccount{Email: "jo@example.com", Name: "Jo Sales", Role: "sales",
			Method: "a password", Password: true, SetPassword: true, CSRF: "csrf-token", Sessions: adminPerson().Sessions})},
		{"admin-account-token", templates.AdminAccountView(templates.AdminAccount{Role: "admin", Method: "the admin token", CSRF: "csrf-token"})},
		{"admin-link", templates.LinkLoginView(templates.LinkLogin{Token: "tok", Email: "jo@example.com", Name: "Jo Sales"})},
		{"admin-link-used", templates.LinkLoginView(templates.LinkLogin{})},
	}
	return append(cases, marketingGoldenCases()...)
}

func render(t *testing.T, c templ.Component) string {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestGolden compares each component's output with its golden file. The
// goldens hold the output with a line break and indentation before the
// tags of block elements, and nothing else changed, so that a difference
// reads like a code diff. Run `go test ./templates -update` to rewrite
// them, then read the diff. On a mismatch, the output is written next to
// the golden as <name>.actual.html.
func TestGolden(t *testing.T) {
	for _, gc := range goldenCases() {
		t.Run(gc.name, func(t *testing.T) {
			got := layout(render(t, gc.c))
			path := filepath.Join("testdata", gc.name+".html")
			actual := filepath.Join("testdata", gc.name+".actual.html")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				os.Remove(actual)
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./templates -update to write it)", err)
			}
			if got == string(want) {
				os.Remove(actual)
				return
			}
			if err := os.WriteFile(actual, []byte(got), 0o644); err != nil {
				t.Error(err)
			}
			t.Errorf("the output differs from %s (it is in %s; go test ./templates -update accepts it):\n%s",
				path, actual, firstDifference(string(want), got))
		})
	}
}

// blocks start on a line of their own in a golden file; containers also
// end on one.
var (
	blocks = set("html", "head", "body", "meta", "link", "title", "script", "header", "nav", "main", "footer",
		"section", "article", "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
		"table", "caption", "thead", "tbody", "tr", "th", "td", "form", "fieldset", "legend", "label", "input",
		"select", "option", "textarea", "button", "figure", "figcaption", "pre")
	containers = set("html", "head", "body", "header", "nav", "main", "footer", "section", "article", "div",
		"ul", "ol", "dl", "table", "thead", "tbody", "tr", "form", "fieldset", "figure", "select")
	void = set("meta", "link", "input", "img", "br", "hr")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// layout breaks HTML into lines before block tags, indented by nesting.
// It only adds white space between tags; every token is kept as written.
func layout(doc string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(doc))
	depth := 0
	newline := func() {
		if b.Len() > 0 {
			b.WriteString("\n" + strings.Repeat("\t", max(depth, 0)))
		}
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := string(z.Raw())
		name, _ := z.TagName()
		tag := string(name) //lint:ignore SA6001 the tag is used several times below
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if blocks[tag] {
				newline()
				if tt == html.StartTagToken && !void[tag] {
					depth++
				}
			}
		case html.EndTagToken:
			if blocks[tag] {
				depth--
				if containers[tag] {
					newline()
				}
			}
		}
		b.WriteString(raw)
	}
	return b.String() + "\n"
}

// firstDifference shows the lines around the first line that differs.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	from := max(i-2, 0)
	var b strings.Builder
	b.WriteString("first difference at line " + strconv.Itoa(i+1) + "\n--- want\n")
	for _, l := range w[from:min(i+4, len(w))] {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("+++ got\n")
	for _, l := range g[from:min(i+4, len(g))] {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

// parse parses a rendered component: a whole document, or a fragment in
// a <body>.
func parse(t *testing.T, c templ.Component) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(render(t, c)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// all returns the elements under n, n included, for which match holds.
func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

func tagged(tags ...string) func(*html.Node) bool {
	m := set(tags...)
	return func(n *html.Node) bool { return m[n.Data] }
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// byLabel returns the element whose aria-label is label, or nil.
func byLabel(doc *html.Node, label string) *html.Node {
	for _, n := range all(doc, func(n *html.Node) bool { v, _ := attr(n, "aria-label"); return v == label }) {
		return n
	}
	return nil
}

func TestLayoutTitle(t *testing.T) {
	for _, tc := range []struct{ title, want string }{
		{"", "Winnow"},
		{"Winnow", "Winnow"},
		{"Scoring", "Scoring · Winnow"},
	} {
		doc := parse(t, templates.Layout(site, templates.Head{Title: tc.title, Path: "/scoring/"}, nil, nil))
		titles := all(doc, tagged("title"))
		if len(titles) != 1 {
			t.Fatalf("%d <title> elements, want 1", len(titles))
		}
		if got := text(titles[0]); got != tc.want {
			t.Errorf("head title %q: <title> is %q, want %q", tc.title, got, tc.want)
		}
	}
}

func TestLayoutHead(t *testing.T) {
	doc := parse(t, page(devSite(), postHead, postCrumbs, templates.ArticleView(post)))
	meta := map[string]string{}
	for _, m := range all(doc, tagged("meta")) {
		key, ok := attr(m, "property")
		if !ok {
			key, _ = attr(m, "name")
		}
		meta[key], _ = attr(m, "content")
	}
	for key, want := range map[string]string{
		"og:type":                "article",
		"og:url":                 "http://127.0.0.1:8080/blog/why-mql/",
		"article:published_time": "2026-03-02",
		"twitter:card":           "summary",
		"description":            postHead.Description,
	} {
		if got := meta[key]; got != want {
			t.Errorf("meta %s = %q, want %q", key, got, want)
		}
	}
	if _, ok := meta["robots"]; ok {
		t.Error("an indexable page has a robots meta")
	}
	var ld []*html.Node
	for _, s := range all(doc, tagged("script")) {
		if typ, _ := attr(s, "type"); typ == "application/ld+json" {
			ld = append(ld, s)
		}
	}
	if len(ld) != 1 {
		t.Fatalf("%d JSON-LD scripts, want 1", len(ld))
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(text(ld[0])), &v); err != nil {
		t.Errorf("JSON-LD does not parse: %v", err)
	}
	if got, want := v["description"], "Scores < 12 stay with marketing"; got != want {
		t.Errorf("JSON-LD description = %q, want %q", got, want)
	}
	if raw := render(t, page(devSite(), postHead, nil, nil)); strings.Contains(raw, "Scores <") {
		t.Error("a < in JSON-LD is written as is, not as \\u003c")
	}

	doc = parse(t, page(site, notFoundHead, nil, templates.NotFoundView()))
	robots := all(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "meta" && v == "robots" })
	if len(robots) != 1 {
		t.Fatal("a noindex page has no robots meta")
	}
	if v, _ := attr(robots[0], "content"); v != "noindex" {
		t.Errorf("robots meta is %q, want noindex", v)
	}
	for _, s := range all(doc, tagged("script")) {
		t.Errorf("a page without JSON-LD or live reload has a script: %v", s.Attr)
	}
}

// TestLayoutTracking: with tracking on every page loads the beacon script,
// deferred, with the page's signal when it has one; the consent bar is
// there, hidden, only when tracking waits for consent; with tracking off
// there is neither.
func TestLayoutTracking(t *testing.T) {
	beacons := func(doc *html.Node) []*html.Node {
		return all(doc, func(n *html.Node) bool {
			src, _ := attr(n, "src")
			return n.Data == "script" && strings.Contains(src, "/beacon.")
		})
	}
	bars := func(doc *html.Node) []*html.Node {
		return all(doc, func(n *html.Node) bool { _, ok := attr(n, "data-winnow-consent"); return ok })
	}
	implied := trackedSite()
	implied.Consent = ""
	for _, c := range []struct {
		name    string
		site    templates.Site
		head    templates.Head
		beacon  bool
		signal  string
		consent bool
	}{
		{"off", site, pricingHead, false, "", false},
		{"implied, a page with a signal", implied, pricingHead, true, "pricing_visit", false},
		{"implied, a page without", implied, homeHead, true, "", false},
		{"required", trackedSite(), pricingHead, true, "pricing_visit", true},
		{"consent text without a beacon", func() templates.Site { s := trackedSite(); s.Beacon = ""; return s }(), pricingHead, false, "", false},
	} {
		doc := parse(t, page(c.site, c.head, nil, nil))
		scripts := beacons(doc)
		if len(scripts) != map[bool]int{true: 1}[c.beacon] {
			t.Errorf("%s: %d beacon scripts", c.name, len(scripts))
		}
		if len(scripts) == 1 {
			if _, ok := attr(scripts[0], "defer"); !ok {
				t.Errorf("%s: the beacon script is not deferred", c.name)
			}
			if got, _ := attr(scripts[0], "data-signal"); got != c.signal {
				t.Errorf("%s: data-signal %q, want %q", c.name, got, c.signal)
			}
		}
		b := bars(doc)
		if len(b) != map[bool]int{true: 1}[c.consent] {
			t.Fatalf("%s: %d consent bars", c.name, len(b))
		}
		if len(b) == 1 {
			if _, hidden := attr(b[0], "hidden"); !hidden {
				t.Errorf("%s: the consent bar is shown without JavaScript", c.name)
			}
			if label, _ := attr(b[0], "aria-label"); label == "" || b[0].Data != "section" {
				t.Errorf("%s: the consent bar is not a labelled region", c.name)
			}
			var buttons []string
			for _, n := range all(b[0], tagged("button")) {
				typ, _ := attr(n, "type")
				value, _ := attr(n, "value")
				buttons = append(buttons, typ+" "+value+" "+text(n))
			}
			if got := strings.Join(buttons, ", "); got != "button yes Accept, button no Decline" {
				t.Errorf("%s: the consent bar's buttons are %q", c.name, got)
			}
			if !strings.Contains(text(b[0]), c.site.Consent) {
				t.Errorf("%s: the consent bar does not say %q", c.name, c.site.Consent)
			}
		}
	}
}

// current returns the text of the elements in n marked aria-current="page".
func current(n *html.Node) []string {
	var out []string
	for _, c := range all(n, func(n *html.Node) bool { v, _ := attr(n, "aria-current"); return v == "page" }) {
		out = append(out, c.Data+" "+text(c))
	}
	return out
}

func TestCurrentPage(t *testing.T) {
	s := site
	s.Nav = append([]templates.Link{{Title: "Home", URL: "/"}, {Title: "Blog", URL: "/blog/"}, {Title: "Blog news", URL: "/blog/news/"}},
		templates.Link{Title: "Elsewhere", URL: "https://example.com/blog/"})
	for _, tc := range []struct {
		path string
		want []string // marked current in the main navigation
	}{
		{"/", []string{"a Home"}},
		{"/blog/", []string{"a Blog"}},
		{"/blog/why-mql/", []string{"a Blog"}},
		{"/blog/news/launch/", []string{"a Blog news"}},
		{"/glossary/mql/", nil},
	} {
		doc := parse(t, page(s, templates.Head{Title: "Page", Path: tc.path}, nil, nil))
		nav := byLabel(doc, "Main")
		if nav == nil {
			t.Fatal("no main navigation")
		}
		if got := current(nav); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("on %s the navigation marks %q current, want %q", tc.path, got, tc.want)
		}
	}

	doc := parse(t, page(site, postHead, postCrumbs, templates.ArticleView(post)))
	crumbs := byLabel(doc, "Breadcrumb")
	if crumbs == nil {
		t.Fatal("no breadcrumbs")
	}
	items := all(crumbs, tagged("li"))
	if len(items) != len(postCrumbs) {
		t.Fatalf("%d breadcrumbs, want %d", len(items), len(postCrumbs))
	}
	for i, li := range items {
		last := i == len(items)-1
		if got := len(current(li)) == 1; got != last {
			t.Errorf("breadcrumb %d (%s): current = %v, want %v", i, text(li), got, last)
		}
		if links := len(all(li, tagged("a"))); (links == 1) == last {
			t.Errorf("breadcrumb %d (%s) has %d links", i, text(li), links)
		}
	}
	if doc := parse(t, page(site, homeHead, nil, nil)); byLabel(doc, "Breadcrumb") != nil {
		t.Error("a page without crumbs has breadcrumbs")
	}
}

func TestTableOfContents(t *testing.T) {
	for _, tc := range []struct {
		name  string
		toc   []templates.Heading
		links int // in the table of contents; 0 for none
	}{
		{"none", nil, 0},
		{"two headings", shortPage.TOC, 0},
		{"three headings", post.TOC[:3], 3},
		{"four headings", post.TOC, 4},
	} {
		a := post
		a.TOC = tc.toc
		toc := byLabel(parse(t, templates.ArticleView(a)), "On this page")
		switch {
		case tc.links == 0 && toc != nil:
			t.Errorf("%s: a table of contents is shown", tc.name)
		case tc.links > 0 && toc == nil:
			t.Errorf("%s: no table of contents", tc.name)
		case tc.links > 0:
			if got := len(all(toc, tagged("a"))); got != tc.links {
				t.Errorf("%s: %d links in the table of contents, want %d", tc.name, got, tc.links)
			}
		}
	}
	// Level-3 headings are nested under the level-2 heading before them.
	toc := byLabel(parse(t, templates.ArticleView(post)), "On this page")
	nested := all(toc, func(n *html.Node) bool { return n.Data == "a" && n.Parent.Parent.Parent.Data == "li" })
	if len(nested) != 2 || text(nested[0]) != "What marketing counts" {
		t.Errorf("nested entries: %d, want the 2 level-3 headings", len(nested))
	}
}

func TestGlossaryLetters(t *testing.T) {
	g := glossaryIndex()
	doc := parse(t, templates.GlossaryView(g))
	nav := byLabel(doc, "Letters")
	if nav == nil {
		t.Fatal("no letter navigation")
	}
	items := all(nav, tagged("li"))
	if len(items) != len(g.Letters) {
		t.Fatalf("%d letters, want %d", len(items), len(g.Letters))
	}
	for i, l := range g.Letters {
		links := all(items[i], tagged("a"))
		if text(items[i]) != l.Letter {
			t.Errorf("letter %d reads %q, want %q", i, text(items[i]), l.Letter)
		}
		if len(l.Terms) == 0 {
			if len(links) > 0 {
				t.Errorf("letter %s has no terms but is a link", l.Letter)
			}
			if n := all(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == l.ID }); len(n) > 0 {
				t.Errorf("letter %s has no terms but a section", l.Letter)
			}
			continue
		}
		if len(links) != 1 {
			t.Errorf("letter %s has terms but is not a link", l.Letter)
			continue
		}
		if href, _ := attr(links[0], "href"); href != "#"+l.ID {
			t.Errorf("letter %s links to %q, want #%s", l.Letter, href, l.ID)
		}
		heads := all(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return n.Data == "h2" && id == l.ID })
		if len(heads) != 1 {
			t.Errorf("letter %s: %d headings with id %s, want 1", l.Letter, len(heads), l.ID)
		}
	}
}

// controls returns the form controls people see and fill in.
func controls(doc *html.Node) []*html.Node {
	return all(doc, func(n *html.Node) bool {
		typ, _ := attr(n, "type")
		return n.Data == "select" || n.Data == "textarea" || n.Data == "input" && typ != "hidden"
	})
}

func TestFormLabels(t *testing.T) {
	for _, f := range []templates.FormDef{signup, demo} {
		formLabels(t, f)
	}
}

func formLabels(t *testing.T, f templates.FormDef) {
	doc := parse(t, templates.FormPage(f))
	labels := map[string]int{}
	for _, l := range all(doc, tagged("label")) {
		target, ok := attr(l, "for")
		if !ok {
			t.Errorf("label %q has no for", text(l))
		}
		labels[target]++
	}
	cs := controls(doc)
	if len(cs) == 0 {
		t.Fatal("the form has no controls")
	}
	ids := map[string]bool{}
	for _, c := range cs {
		name, _ := attr(c, "name")
		id, ok := attr(c, "id")
		if !ok {
			t.Errorf("control %q has no id", name)
			continue
		}
		ids[id] = true
		if id != "f-"+name {
			t.Errorf("control %q has id %q, want f-%s", name, id, name)
		}
		if labels[id] != 1 {
			t.Errorf("control %q has %d labels, want 1", name, labels[id])
		}
	}
	for target := range labels {
		if !ids[target] {
			t.Errorf("a label is for %q, which is no control", target)
		}
	}
}

func TestFormFields(t *testing.T) {
	doc := parse(t, templates.FormPage(signup))
	forms := all(doc, tagged("form"))
	if len(forms) != 1 {
		t.Fatalf("%d forms, want 1", len(forms))
	}
	form := forms[0]
	for key, want := range map[string]string{"method": "post", "action": signup.Action, "data-model": signup.ModelURL} {
		if got, _ := attr(form, key); got != want {
			t.Errorf("form %s = %q, want %q", key, got, want)
		}
	}
	if _, ok := attr(form, "data-winnow-form"); !ok {
		t.Error("the form lacks data-winnow-form")
	}
	byName := map[string]*html.Node{}
	for _, c := range all(form, tagged("input", "select", "textarea")) {
		name, _ := attr(c, "name")
		if byName[name] != nil {
			t.Errorf("two controls are named %q", name)
		}
		byName[name] = c
	}
	model := byName["model"]
	if model == nil {
		t.Fatal("the form does not send the model version")
	}
	if typ, _ := attr(model, "type"); typ != "hidden" {
		t.Errorf("the model field is of type %q, want hidden", typ)
	}
	if v, _ := attr(model, "value"); v != signup.ModelVersion {
		t.Errorf("the model field is %q, want %q", v, signup.ModelVersion)
	}
	for _, s := range signup.Sections {
		for _, f := range s.Fields {
			c := byName[f.Name]
			if c == nil {
				t.Errorf("no control named %q", f.Name)
				continue
			}
			_, required := attr(c, "required")
			if want := f.Required && f.Input != "hidden" && !f.Honeypot; required != want {
				t.Errorf("field %q: required = %v, want %v", f.Name, required, want)
			}
			if f.Input == "hidden" || f.Honeypot {
				continue
			}
			wrapper := c.Parent
			if field, _ := attr(wrapper, "data-field"); field != f.Name {
				t.Errorf("field %q is not in its wrapper: data-field = %q", f.Name, field)
			}
			if ask, _ := attr(wrapper, "data-ask"); ask != f.Ask {
				t.Errorf("field %q: data-ask = %q, want %q", f.Name, ask, f.Ask)
			}
			// With JavaScript off every field shows.
			for n := c; n != nil; n = n.Parent {
				if _, hidden := attr(n, "hidden"); hidden {
					t.Errorf("field %q is hidden", f.Name)
				}
			}
		}
	}
	if c := byName["website"]; c != nil {
		if v, _ := attr(c, "tabindex"); v != "-1" {
			t.Errorf("the honeypot is in the tab order: tabindex %q", v)
		}
		if v, _ := attr(c.Parent, "aria-hidden"); v != "true" {
			t.Error("the honeypot is not hidden from assistive technology")
		}
	}
	if n := len(all(form, tagged("fieldset"))); n != 4 {
		t.Errorf("%d fieldsets, want 4 (the section of hidden fields has none)", n)
	}
}

// TestAccessibleMarkup checks every output for what a strict content
// security policy forbids and what assistive technology relies on.
func TestAccessibleMarkup(t *testing.T) {
	for _, gc := range goldenCases() {
		t.Run(gc.name, func(t *testing.T) {
			doc := parse(t, gc.c)
			ids := map[string]int{}
			for _, n := range all(doc, func(*html.Node) bool { return true }) {
				if id, ok := attr(n, "id"); ok {
					ids[id]++
				}
			}
			for id, count := range ids {
				if count > 1 {
					t.Errorf("id %q is used %d times", id, count)
				}
			}
			for _, n := range all(doc, func(*html.Node) bool { return true }) {
				for _, a := range n.Attr {
					if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
						t.Errorf("<%s> has a %s attribute", n.Data, a.Key)
					}
				}
				switch n.Data {
				case "style":
					t.Error("a <style> element")
				case "script":
					_, src := attr(n, "src")
					typ, _ := attr(n, "type")
					if !src && typ != "application/ld+json" {
						t.Errorf("an inline script: %q", text(n))
					}
					if src && text(n) != "" {
						t.Error("a script with src has content")
					}
				case "table":
					region := n.Parent
					label, _ := attr(region, "aria-label")
					role, _ := attr(region, "role")
					tabindex, _ := attr(region, "tabindex")
					captions := all(n, tagged("caption"))
					if role != "region" || tabindex != "0" || len(captions) != 1 || label != text(captions[0]) {
						t.Errorf("table %q is not in a focusable region labelled by its caption", label)
					}
				case "th":
					if _, ok := attr(n, "scope"); !ok {
						t.Errorf("<th> %q has no scope", text(n))
					}
				}
				if v, ok := attr(n, "aria-describedby"); ok {
					for _, id := range strings.Fields(v) {
						if ids[id] == 0 {
							t.Errorf("aria-describedby names %q, which is not on the page", id)
						}
					}
				}
			}
		})
	}
}

func TestStageCard(t *testing.T) {
	raw := render(t, templates.StageCardView(mqlCard))
	if want := `<pre class="rule"><code>fit &gt;= &#34;B&#34; and score &gt;= mql</code></pre>`; !strings.Contains(raw, want) {
		t.Errorf("the rule is not printed as %s", want)
	}
	for _, want := range []string{"content/stages/mql.md:7", "checked 7th", "the signup form and the server execute"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the card does not say %q", want)
		}
	}
	first := render(t, templates.StageCardView(*coldLeadPage.Stage))
	for _, want := range []string{"the first funnel stage", "No service level"} {
		if !strings.Contains(first, want) {
			t.Errorf("the card of the first stage does not say %q", want)
		}
	}
	if strings.Contains(first, `class="rule"`) {
		t.Error("the first stage, which has no rule, shows one")
	}
	if exit := render(t, templates.StageCardView(badLeadCard)); !strings.Contains(exit, "checked before the rules of the funnel stages") {
		t.Error("the card of an exit stage does not say it is checked first")
	}
	// No sentence starts with a stage's name, which may be in lower case
	// ("cold lead is the first funnel stage").
	for _, raw := range []string{first, render(t, templates.StageCardView(badLeadCard)), raw} {
		for _, name := range []string{"cold lead", "bad lead", "MQL"} {
			for _, start := range []string{"<p>" + name, ". " + name} {
				if strings.Contains(raw, start) {
					t.Errorf("a sentence starts with the stage's name: %q", start)
				}
			}
		}
	}
}

// TestGoldensAreLaidOut checks that the golden layout only adds white
// space: removing what it added gives the output back.
func TestGoldensAreLaidOut(t *testing.T) {
	for _, gc := range goldenCases() {
		raw := render(t, gc.c)
		if strings.Contains(raw, "\n") {
			continue // the output has line breaks of its own
		}
		laid := layout(raw)
		var b bytes.Buffer
		for _, line := range strings.Split(strings.TrimSuffix(laid, "\n"), "\n") {
			b.WriteString(strings.TrimLeft(line, "\t"))
		}
		if b.String() != raw {
			t.Errorf("%s: the golden layout changes the output", gc.name)
		}
	}
}

// TestNextStepScore: the next step shows the visitor's score only when
// the server gives one (the content shows scores).
func TestNextStepScore(t *testing.T) {
	render := func(n templates.NextStep) string {
		var b strings.Builder
		if err := templates.NextStepView(n).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if page := render(templates.NextStep{Title: "Thank you", Reference: "r1"}); strings.Contains(page, "score") {
		t.Errorf("a score shows without one:\n%s", page)
	}
	if page := render(templates.NextStep{Title: "Thank you", Reference: "r1", Score: "42"}); !strings.Contains(page, "Your score: <strong>42</strong>") {
		t.Errorf("the score does not show:\n%s", page)
	}
}

// TestFormSteps checks a multi-step form as the plain page has it: each
// step a fieldset whose legend says where it stands, the buttons that
// move between steps (the first has no Back, the last no Next, and the
// send button comes after the last), the form's name posted with it,
// consent asked again of a returning visitor, the extra question out of
// the plain form (hidden and disabled), the email's hint, the verdict's
// place, and the panel of the next step with the form's thank-you.
func TestFormSteps(t *testing.T) {
	doc := parse(t, templates.FormPage(demo))
	form := all(doc, tagged("form"))[0]
	steps := all(form, func(n *html.Node) bool { _, ok := attr(n, "data-step"); return ok })
	if len(steps) != 3 {
		t.Fatalf("%d steps, want 3", len(steps))
	}
	for i, s := range steps {
		legend := all(s, tagged("legend"))
		if want := demo.Sections[i].Title + " (step " + strconv.Itoa(i+1) + " of 3)"; len(legend) != 1 || text(legend[0]) != want {
			t.Errorf("step %d: legend %q, want %q", i+1, text(legend[0]), want)
		}
		var moves []string
		for _, b := range all(s, tagged("button")) {
			if g, ok := attr(b, "data-go"); ok {
				moves = append(moves, g+" "+text(b))
			}
		}
		want := map[int]string{0: "1 Next", 1: "-1 Back,1 Next", 2: ""}[i]
		if got := strings.Join(moves, ","); got != want {
			t.Errorf("step %d moves %q, want %q", i+1, got, want)
		}
		if _, last := attr(s, "data-last"); last != (i == 2) {
			t.Errorf("step %d: data-last %v", i+1, last)
		}
	}
	send := all(form, func(n *html.Node) bool { c, _ := attr(n, "class"); return n.Data == "button" && c == "send" })
	if len(send) != 1 || text(send[0]) != demo.Submit || send[0].Parent.Parent != form {
		t.Error("the send button is not after the steps")
	}
	hidden := all(form, func(n *html.Node) bool { name, _ := attr(n, "name"); return n.Data == "input" && name == "form" })
	if v, _ := attr(hidden[0], "value"); len(hidden) != 1 || v != "demo" {
		t.Error("the form does not post its name")
	}
	if v, _ := attr(form, "data-profile"); v != "/api/profile" {
		t.Errorf("data-profile %q", v)
	}
	box := func(name string) *html.Node {
		b := all(form, func(n *html.Node) bool { f, _ := attr(n, "data-field"); return f == name })
		if len(b) != 1 {
			t.Fatalf("%d boxes for %s", len(b), name)
		}
		return b[0]
	}
	if v, _ := attr(box("consent"), "data-again"); v != "1" {
		t.Error("consent is not marked as asked again")
	}
	extra := box("how_heard").Parent
	_, dis := attr(extra, "disabled")
	_, hid := attr(extra, "hidden")
	if _, ok := attr(extra, "data-extra"); !ok || !dis || !hid {
		t.Error("the extra question is not in a hidden, disabled group of extra questions")
	}
	if h := all(box("email"), func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "f-email-hint" }); len(h) != 1 {
		t.Error("the email has no hint")
	} else if _, ok := attr(h[0], "data-typo"); !ok {
		t.Error("the hint has no words for a typo")
	}
	if v := all(form, func(n *html.Node) bool { _, ok := attr(n, "data-winnow-verdict"); return ok }); len(v) != 1 {
		t.Error("no place for the verdict")
	}
	panel := all(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "next-step" })
	if len(panel) != 1 {
		t.Fatal("no panel for the next step")
	}
	p := text(panel[0])
	for _, want := range []string{demo.Thanks.Title, demo.Thanks.Message, demo.Thanks.Label, "What we make of your request", "Your score"} {
		if !strings.Contains(p, want) {
			t.Errorf("the panel lacks %q: %s", want, p)
		}
	}
	// The embeddable form is the page's form without its heading.
	if raw := render(t, templates.Form(demo)); strings.Contains(raw, "<h1>") || !strings.Contains(raw, "data-winnow-form") {
		t.Error("templates.Form renders a page, not a form")
	}
}

// TestFormPageAside: a form's page without an aside is its heading, its
// introduction and the form; with one, the three parts of the two-column
// layout in the order a reader meets them on a phone: heading and
// introduction, the form, the aside.
func TestFormPageAside(t *testing.T) {
	plain := parse(t, templates.FormPage(demo))
	if n := len(all(plain, func(n *html.Node) bool {
		c, _ := attr(n, "class")
		return slices.Contains([]string{"form-page", "form-head", "form-main", "prose form-aside"}, c)
	})); n != 0 {
		t.Errorf("the page without an aside has %d parts of the two-column layout", n)
	}
	f := demo
	f.Aside = "<h2>What happens next</h2><p>You pick a time.</p>"
	doc := parse(t, templates.FormPage(f))
	pages := all(doc, func(n *html.Node) bool { c, _ := attr(n, "class"); return c == "form-page" })
	if len(pages) != 1 {
		t.Fatalf("%d form-page containers, want 1", len(pages))
	}
	var parts []string
	for c := pages[0].FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			class, _ := attr(c, "class")
			parts = append(parts, class)
		}
	}
	if got := strings.Join(parts, ","); got != "form-head,form-main,prose form-aside" {
		t.Errorf("the layout's parts are %q", got)
	}
	head := pages[0].FirstChild
	if h := all(head, tagged("h1")); len(h) != 1 || text(h[0]) != f.Title {
		t.Error("the heading is not in the head part")
	}
	if len(all(head.NextSibling, tagged("form"))) != 1 {
		t.Error("the form is not in the main part")
	}
	if got := text(pages[0].LastChild); got != "What happens nextYou pick a time." {
		t.Errorf("the aside says %q", got)
	}
}

// TestFortune checks the fortune teller's page: a row for every point
// rule and an item for every stage rule, printed from the model, ready
// for the script to mark; every signal asked with its age; the core
// loaded at once.
func TestFortune(t *testing.T) {
	doc := parse(t, templates.FortuneView(fortune))
	rows := all(doc, func(n *html.Node) bool { _, ok := attr(n, "data-point"); return ok })
	if len(rows) != len(fortune.Points) {
		t.Fatalf("%d point rows, want %d", len(rows), len(fortune.Points))
	}
	for i, r := range rows {
		if !strings.Contains(text(r), fortune.Points[i].Rule) {
			t.Errorf("row %d does not print its rule: %s", i, text(r))
		}
	}
	items := all(doc, func(n *html.Node) bool { _, ok := attr(n, "data-stage"); return ok })
	if len(items) != len(fortune.Stages) {
		t.Fatalf("%d stages, want %d", len(items), len(fortune.Stages))
	}
	for i, it := range items {
		if v, _ := attr(it, "data-stage"); v != strconv.Itoa(fortune.Stages[i].Index) {
			t.Errorf("stage item %d is for stage %s", i, v)
		}
	}
	signals := all(doc, func(n *html.Node) bool { _, ok := attr(n, "data-signal"); return ok })
	if len(signals) != len(fortune.Signals) {
		t.Errorf("%d signals asked, want %d", len(signals), len(fortune.Signals))
	}
	var scripts []string
	for _, s := range all(doc, tagged("script")) {
		src, _ := attr(s, "src")
		scripts = append(scripts, src)
	}
	if got := strings.Join(scripts, " "); got != fortune.WasmExecURL+" "+fortune.Script {
		t.Errorf("scripts %q", got)
	}
}
