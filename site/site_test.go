package site_test

import (
	"context"
	"html"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site"
)

// baseContent is the small test model of the core, with a site.yaml and a
// few pages: the base every case lays its own files over.
func baseContent(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	root := "../qualify/testdata/content"
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fsys[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	add := func(name, text string) { fsys[name] = &fstest.MapFile{Data: []byte(text)} }
	add("site.yaml", "name: Test site\nbase_url: https://test.example\nform: {title: Sign up, submit: Send}\n")
	add("pages/index.md", "---\ntitle: Home\nmenu: true\n---\nWelcome. See the [glossary](/glossary/).\n")
	add("pages/guides/_index.md", "---\ntitle: Guides\n---\nWhat to read next.\n")
	return fsys
}

// build builds a site from the base content with the archive's files laid
// over it ("content/..." and "static/..."; a file whose text starts with
// "(deleted)" is removed).
func build(t *testing.T, ar *txtar.Archive, drafts bool) (*site.Memory, qualify.Diags) {
	t.Helper()
	content := baseContent(t)
	static := fstest.MapFS{}
	err := filepath.WalkDir("../static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../static", p)
		static[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		target, name := content, ""
		switch {
		case strings.HasPrefix(f.Name, "content/"):
			name = strings.TrimPrefix(f.Name, "content/")
		case strings.HasPrefix(f.Name, "static/"):
			target, name = static, strings.TrimPrefix(f.Name, "static/")
		default:
			continue
		}
		if strings.HasPrefix(string(f.Data), "(deleted)") {
			delete(target, name)
			continue
		}
		target[name] = &fstest.MapFile{Data: f.Data}
	}
	out := &site.Memory{}
	_, diags := site.Build(context.Background(), site.Options{
		Content: content, ContentDir: "content", Static: static, StaticDir: "static",
		Out: out, Drafts: drafts, Workers: 2,
	})
	return out, diags
}

// TestSites runs the whole-site cases of testdata/sites. Their want file
// holds one assertion per line:
//
//	file PATH                 the site has the file (PATH may be a path.Match pattern)
//	nofile PATH               it has not
//	contains PATH TEXT        the file holds TEXT (HTML-escaped as written)
//	lacks PATH TEXT           it does not
//	order PATH A | B | C      the file holds each text, in this order
//	problem TEXT              the build fails with this problem (file:line: message)
//	drafts                    build with drafts
func TestSites(t *testing.T) {
	paths, _ := filepath.Glob("testdata/sites/*.txtar")
	if len(paths) == 0 {
		t.Fatal("no cases in testdata/sites")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			drafts := false
			for _, f := range ar.Files {
				if f.Name == "want" {
					for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
						if line == "drafts" {
							drafts = true
						} else if line != "" && !strings.HasPrefix(line, "#") {
							want = append(want, line)
						}
					}
				}
			}
			out, diags := build(t, ar, drafts)
			var problems []string
			for _, d := range diags {
				problems = append(problems, d.String())
			}
			wantProblems := 0
			for _, w := range want {
				verb, rest, _ := strings.Cut(w, " ")
				file, text, _ := strings.Cut(rest, " ")
				if matches := globFiles(out, file); len(matches) == 1 {
					file = matches[0]
				}
				switch verb {
				case "problem":
					wantProblems++
					found := false
					for _, p := range problems {
						found = found || p == rest
					}
					if !found {
						t.Errorf("missing problem %q; got:\n%s", rest, strings.Join(problems, "\n"))
					}
				case "file":
					if len(globFiles(out, file)) == 0 && len(diags) == 0 {
						t.Errorf("the site lacks %s; it has:\n%s", file, strings.Join(out.Paths(), "\n"))
					}
				case "nofile":
					if m := globFiles(out, file); len(m) > 0 {
						t.Errorf("the site has %s", strings.Join(m, ", "))
					}
				case "contains", "lacks":
					page := out.Page(file)
					has := strings.Contains(page, text) || strings.Contains(html.UnescapeString(page), text)
					if verb == "contains" && !has {
						t.Errorf("%s does not contain %q:\n%s", file, text, page)
					}
					if verb == "lacks" && has {
						t.Errorf("%s contains %q", file, text)
					}
				case "order":
					page := html.UnescapeString(out.Page(file))
					at := 0
					for _, part := range strings.Split(text, " | ") {
						i := strings.Index(page[at:], part)
						if i < 0 {
							t.Errorf("%s does not hold %q after offset %d:\n%s", file, part, at, page)
							break
						}
						at += i + len(part)
					}
				default:
					t.Fatalf("unknown assertion %q", w)
				}
			}
			if wantProblems == 0 && len(diags) > 0 {
				t.Fatalf("build failed:\n%s", strings.Join(problems, "\n"))
			}
			if wantProblems > 0 && len(problems) != wantProblems {
				t.Errorf("%d problems, want %d:\n%s", len(problems), wantProblems, strings.Join(problems, "\n"))
			}
		})
	}
}

// TestGlossaryRulesArePrinted builds the shipped content and checks that
// the rule each stage page shows is exactly the printer's text of the
// stage's rule in the model.
func TestGlossaryRulesArePrinted(t *testing.T) {
	out := &site.Memory{}
	res, diags := site.Build(context.Background(), site.Options{
		Content: os.DirFS("../content"), ContentDir: "content", Static: os.DirFS("../static"), StaticDir: "static", Out: out,
	})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	m := res.Model
	ruleRE := regexp.MustCompile(`<pre class="?rule"?><code>(.*?)</code></pre>`)
	for _, s := range m.Stages {
		page := out.Page("glossary/" + site.Slug(s.Name) + "/index.html")
		if page == "" {
			t.Errorf("no glossary page for stage %q", s.Name)
			continue
		}
		match := ruleRE.FindStringSubmatch(page)
		if s.Rule == nil {
			if match != nil {
				t.Errorf("stage %q has no rule but its page shows %q", s.Name, match[1])
			}
			continue
		}
		if match == nil {
			t.Errorf("the page of stage %q shows no rule", s.Name)
			continue
		}
		if got, want := html.UnescapeString(match[1]), qualify.Print(s.Rule.Expr); got != want {
			t.Errorf("stage %q: the page shows %q, the model executes %q", s.Name, got, want)
		}
	}
}

// TestFormsPostTheirFields checks that the plain HTML page of each form
// of the shipped content has a control for every question the form
// asks and for the fields the page fills in, named as the server reads
// them, and none for what it does not ask nor for the fields recorded
// from the visit; that a required question of the model is marked
// required where the form asks it (never where it is an extra question,
// which the plain form leaves disabled); that each posts the model's
// version and its own name; and that /signup/, where the one form used
// to be, leads to the demo form.
func TestFormsPostTheirFields(t *testing.T) {
	out := &site.Memory{}
	res, diags := site.Build(context.Background(), site.Options{
		Content: os.DirFS("../content"), ContentDir: "content", Static: os.DirFS("../static"), StaticDir: "static", Out: out,
	})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	m := res.Model
	if len(m.Forms) < 4 {
		t.Fatalf("the shipped content has %d forms, want at least 4", len(m.Forms))
	}
	formRE := regexp.MustCompile(`(?s)<form[^>]*action="?/api/leads"?[^>]*>(.*?)</form>`)
	tagRE := regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	nameRE := regexp.MustCompile(`\bname="?([^" >]+)`)
	for _, f := range m.Forms {
		url := res.Forms[f.Name]
		page := out.Page(strings.TrimPrefix(url, "/") + "index.html")
		form := formRE.FindStringSubmatch(page)
		if form == nil {
			t.Errorf("form %s: no form posting to /api/leads at %s", f.Name, url)
			continue
		}
		controls := map[string]string{} // name -> the control's whole start tag
		for _, tag := range tagRE.FindAllString(form[1], -1) {
			if n := nameRE.FindStringSubmatch(tag); n != nil {
				controls[n[1]] = tag
			}
		}
		for i, fd := range m.Fields {
			control := controls[fd.Name]
			asked := slices.Contains(f.Fields, i)
			extra := slices.Contains(f.Extra, i)
			switch {
			case fd.Attribute:
				if control != "" {
					t.Errorf("form %s has attribute field %q, which is recorded from the visit", f.Name, fd.Name)
				}
			case fd.Hidden && control == "":
				t.Errorf("form %s lacks the page's field %q", f.Name, fd.Name)
			case fd.Hidden:
			case !asked && !extra && control != "":
				t.Errorf("form %s has a control for %q, which it does not ask", f.Name, fd.Name)
			case (asked || extra) && control == "":
				t.Errorf("form %s has no control named %q", f.Name, fd.Name)
			case asked && fd.Required != strings.Contains(control, "required"):
				t.Errorf("form %s: the control of %q is required %v, the model says %v: %s", f.Name, fd.Name, !fd.Required, fd.Required, control)
			case extra && strings.Contains(control, "required"):
				t.Errorf("form %s: extra question %q is required", f.Name, fd.Name)
			}
		}
		if !strings.Contains(controls["model"], m.Version) {
			t.Errorf("form %s does not post the model version", f.Name)
		}
		if !strings.Contains(controls["form"], f.Name) {
			t.Errorf("form %s does not post its name", f.Name)
		}
	}
	if got := out.Page("signup/index.html"); !strings.Contains(got, `http-equiv="refresh" content="0; url=/demo/"`) {
		t.Errorf("/signup/ does not lead to the demo form:\n%s", got)
	}
	if res.FormURL != "/demo/" {
		t.Errorf("a post naming no form is sent back to %s, not the demo form", res.FormURL)
	}
}

// globFiles returns the files of a built site that match a path.Match
// pattern.
func globFiles(out *site.Memory, pattern string) []string {
	var found []string
	for _, name := range out.Paths() {
		if ok, _ := path.Match(pattern, name); ok {
			found = append(found, name)
		}
	}
	return found
}
