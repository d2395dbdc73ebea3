package site_test

import (
	"bytes"
	"context"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site"
)

// An edit changes the files of a site under dir (dir/content and
// dir/static) and says what it changed.
type edit func(t *testing.T, dir string) site.Changes

// A step is an edit and what the rebuild after it must do.
type step struct {
	edit edit
	// rendered is the most pages and files the rebuild may render; all
	// asks that it renders every one, as a full build does.
	rendered int
	// problem, if not "", is a problem the build must report (and then
	// every problem a full build reports, and no other).
	problem string
}

const all = -1

type rebuildCase struct {
	name  string
	steps []step
}

// rebuildCases are edits of the shipped content, each a few steps from
// the same start.
var rebuildCases = []rebuildCase{
	{"page body", []step{{rewrite("content/pages/blog/why-scores-must-decay.md", "is a slow leak", "is a steady leak"), 1, ""}}},
	// The blog's list and the feeds show a post's title.
	{"page title", []step{{rewrite("content/pages/blog/why-scores-must-decay.md", "title: Why scores must decay", "title: Why every score must decay"), 2, ""}}},
	{"page date", []step{{rewrite("content/pages/blog/why-scores-must-decay.md", "date: 2026-03-03", "date: 2026-05-01"), 2, ""}}},
	// Pages that use the new alias link it.
	{"glossary term aliases", []step{{rewrite("content/glossary/hand-off.md", "aliases: [handoff,", "aliases: [argument, handoff,"), 14, ""}}},
	{"glossary term removed", []step{{remove("content/glossary/hand-off.md"), 12, ""}}},
	{"glossary term added", []step{{create("content/glossary/argument.md", "---\nterm: argument\ntitle: Argument\ndescription: What a shared definition ends.\n---\nA quarrel.\n"), 12, ""}}},
	// Its page and the index, which lists every term with its description.
	{"glossary term text", []step{{rewrite("content/glossary/hand-off.md", "The hand-off is where credit and blame meet.", "The hand-off is where credit meets blame."), 2, ""}}},
	{"new page", []step{{create("content/pages/blog/a-new-post.md", "---\ntitle: A new post\ndate: 2026-06-01\ndescription: New.\n---\nIt links the [glossary](/glossary/) and [decay](/blog/why-scores-must-decay/#half-lives-not-expiry-dates).\n"), 2, ""}}},
	// A page in a directory that had none gets a list page too.
	{"new section", []step{{create("content/pages/events/launch.md", "---\ntitle: Launch\n---\nSoon.\n"), 2, ""}}},
	{"deleted page", []step{{remove("content/pages/blog/routing-leads-by-region.md"), 1, ""}}},
	{"renamed page", []step{{rename("content/pages/blog/two-answers-make-an-opportunity.md", "content/pages/blog/two-answers.md"), 2, ""}}},
	{"alias added", []step{{rewrite("content/pages/blog/why-scores-must-decay.md", "funnel: TOFU", "funnel: TOFU\naliases: [/decay/]"), 2, ""}}},
	{"draft page", []step{{create("content/pages/blog/later.md", "---\ntitle: Later\ndraft: true\n---\nNot yet.\n"), 0, ""}}},
	// The breadcrumbs of every post name the blog.
	{"section title", []step{{rewrite("content/pages/blog/_index.md", "title: Blog", "title: Notes"), 6, ""}}},
	// The navigation is on every page.
	{"menu page title", []step{{rewrite("content/pages/about.md", "title: About", "title: About us"), all, ""}}},
	// Every page links the stylesheet by its fingerprint.
	{"stylesheet", []step{{appendTo("static/css/site.css", "\n.rebuilt{color:red}\n"), all, ""}}},
	// The signup form loads the widget by its fingerprint.
	{"widget script", []step{{appendTo("static/js/widget.js", "\nwindow.winnowRebuilt = 1;\n"), all, ""}}},
	{"static file", []step{{create("static/humans.txt", "Written by people.\n"), 0, ""}}},
	{"static file removed", []step{{remove("static/favicon.svg"), 0, "static/favicon.svg: missing: the site's layout needs it"}}},
	{"site.yaml", []step{{rewrite("content/site.yaml", "name: Winnow", "name: Winnow Labs"), all, ""}}},
	{"model", []step{{rewrite("content/scoring.yaml", "Called us", "Phoned us"), all, ""}}},
	{"stage", []step{{rewrite("content/stages/mql.md", "description:", "description: Marketing qualified."), all, ""}}},
	{"everything", []step{{func(t *testing.T, dir string) site.Changes { return site.Changes{All: true} }, all, ""}}},
	// A failed build leaves the site as it was; the next one takes in
	// the edits of both.
	{"broken then fixed", []step{
		{rewrite("content/pages/about.md", "Winnow is an open project.", "Winnow is an [open](/nowhere/) project."), 1, "content/pages/about.md:8: link to a page that does not exist: \"/nowhere/\""},
		{rewrite("content/pages/about.md", "[open](/nowhere/)", "[open](/blog/)"), 1, ""},
	}},
	// A link from a page that is not rendered again breaks when its
	// target loses the anchor.
	{"lost anchor", []step{
		{rewrite("content/pages/about.md", "Winnow is an open project.", "Winnow is an [open](/blog/why-scores-must-decay/#half-lives-not-expiry-dates) project."), 1, ""},
		{rewrite("content/pages/blog/why-scores-must-decay.md", "## Half-lives, not expiry dates", "## Half-lives"), 1, "content/pages/about.md:8: link to an anchor that does not exist: \"/blog/why-scores-must-decay/#half-lives-not-expiry-dates\""},
	}},
	// Pages and the stage's next step link the guide.
	{"directory removed", []step{{remove("content/pages/guides"), 0, "content/pages/product.md:10: link to a page that does not exist: \"/guides/lead-qualification/\""}}},
}

// TestRebuilder edits a copy of the shipped content and static files one
// way at a time and checks that a Rebuilder's build after the edit writes
// into its directory exactly the files, byte for byte, that a full build
// of the edited files writes (a deleted page's file is removed), or fails
// with the same problems and leaves the site as it was; and that it
// renders only what the edit affects.
func TestRebuilder(t *testing.T) {
	for _, c := range rebuildCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := copySite(t)
			r, out := &site.Rebuilder{}, filepath.Join(dir, "public")
			first, diags := r.Build(context.Background(), rebuildOptions(dir, &site.Dir{Path: out}), site.Changes{})
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			if first.Rendered < first.Pages {
				t.Fatalf("the first build rendered %d of %d pages", first.Rendered, first.Pages)
			}
			for i, s := range c.steps {
				checkStep(t, i, dir, r, out, s)
			}
		})
	}
}

// TestRebuilderSequence makes every edit of TestRebuilder, one after the
// other, to the same copy with the same Rebuilder, checking each rebuild
// against a full build.
func TestRebuilderSequence(t *testing.T) {
	dir := copySite(t)
	r, out := &site.Rebuilder{}, filepath.Join(dir, "public")
	if _, diags := r.Build(context.Background(), rebuildOptions(dir, &site.Dir{Path: out}), site.Changes{}); len(diags) > 0 {
		t.Fatal(diags)
	}
	// Removals last, so that the edits before find their files.
	cases := slices.Clone(rebuildCases)
	last := func(c rebuildCase) int {
		if strings.HasSuffix(c.name, "removed") || c.name == "deleted page" || c.name == "renamed page" {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(cases, func(a, b rebuildCase) int { return last(a) - last(b) })
	for _, c := range cases {
		if c.name == "directory removed" || c.name == "lost anchor" {
			continue // they leave the site broken for the edits after them
		}
		for i, s := range c.steps {
			s.rendered = math.MaxInt // whatever the edits before left to do
			t.Run(c.name, func(t *testing.T) { checkStep(t, i, dir, r, out, s) })
		}
	}
}

// checkStep makes an edit, rebuilds with r into out and compares the
// result with a full build of the edited files.
func checkStep(t *testing.T, i int, dir string, r *site.Rebuilder, out string, s step) {
	t.Helper()
	before := readTree(t, out)
	ch := s.edit(t, dir)
	want := &site.Memory{}
	full, wantDiags := site.Build(context.Background(), rebuildOptions(dir, want))
	res, diags := r.Build(context.Background(), rebuildOptions(dir, &site.Dir{Path: out}), ch)
	got := readTree(t, out)
	if s.problem != "" || len(wantDiags) > 0 {
		if !slices.Contains(problemList(wantDiags), s.problem) {
			t.Fatalf("step %d: a full build reports\n%s\nwithout %q", i, strings.Join(problemList(wantDiags), "\n"), s.problem)
		}
		if g, w := strings.Join(problemList(diags), "\n"), strings.Join(problemList(wantDiags), "\n"); g != w {
			t.Errorf("step %d: the rebuild reports\n%s\nwant\n%s", i, g, w)
		}
		compareTrees(t, i, got, before)
		return
	}
	if len(diags) > 0 {
		t.Fatalf("step %d: the rebuild failed:\n%s", i, strings.Join(problemList(diags), "\n"))
	}
	compareTrees(t, i, got, want.Files)
	switch {
	case s.rendered == all && res.Rendered != full.Rendered:
		t.Errorf("step %d: rendered %d pages and files, want all %d", i, res.Rendered, full.Rendered)
	case s.rendered >= 0 && res.Rendered > s.rendered:
		t.Errorf("step %d: rendered %d pages and files, want at most %d", i, res.Rendered, s.rendered)
	}
	if res.Pages != full.Pages || res.Files != full.Files {
		t.Errorf("step %d: %d pages, %d files; a full build has %d, %d", i, res.Pages, res.Files, full.Pages, full.Files)
	}
}

func rebuildOptions(dir string, out site.Output) site.Options {
	h := http.Header{}
	h.Set("X-Frame-Options", "DENY")
	return site.Options{
		Content: os.DirFS(filepath.Join(dir, "content")), ContentDir: "content",
		Static: os.DirFS(filepath.Join(dir, "static")), StaticDir: "static",
		Out: out, Workers: 2, LiveReload: "/_winnow/events", Headers: h,
	}
}

// copySite copies the shipped content and static files into a temporary
// directory.
func copySite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"content", "static"} {
		err := filepath.WalkDir(filepath.Join("..", d), func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel("..", p)
			return writeFile(filepath.Join(dir, rel), data)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

// changed names a file under dir in the Changes of its directory.
func changed(name string) site.Changes {
	if rest, ok := strings.CutPrefix(name, "static/"); ok {
		return site.Changes{Static: []string{rest}}
	}
	return site.Changes{Content: []string{strings.TrimPrefix(name, "content/")}}
}

// rewrite replaces the first old in the file name with new.
func rewrite(name, old, new string) edit {
	return func(t *testing.T, dir string) site.Changes {
		t.Helper()
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(old)) {
			t.Fatalf("%s does not hold %q", name, old)
		}
		if err := os.WriteFile(p, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		return changed(name)
	}
}

func appendTo(name, text string) edit {
	return func(t *testing.T, dir string) site.Changes {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return create(name, string(data)+text)(t, dir)
	}
}

func create(name, text string) edit {
	return func(t *testing.T, dir string) site.Changes {
		t.Helper()
		if err := writeFile(filepath.Join(dir, name), []byte(text)); err != nil {
			t.Fatal(err)
		}
		return changed(name)
	}
}

func remove(name string) edit {
	return func(t *testing.T, dir string) site.Changes {
		t.Helper()
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		return changed(name)
	}
}

func rename(from, to string) edit {
	return func(t *testing.T, dir string) site.Changes {
		t.Helper()
		if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
		a, b := changed(from), changed(to)
		return site.Changes{Content: append(a.Content, b.Content...)}
	}
}

// readTree reads the files of a built site directory, but the marker
// that says a build made it; an empty directory is read as a file named
// after it with a slash, which no site has.
func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if entries, err := os.ReadDir(p); err == nil && len(entries) == 0 {
				rel, _ := filepath.Rel(root, p)
				files[filepath.ToSlash(rel)+"/"] = nil
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if rel == ".winnow-site" {
			return nil
		}
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}

// compareTrees reports the files that differ between two sites.
func compareTrees(t *testing.T, i int, got, want map[string][]byte) {
	t.Helper()
	var diffs []string
	for name, data := range want {
		g, ok := got[name]
		switch {
		case !ok:
			diffs = append(diffs, "missing "+name)
		case !bytes.Equal(g, data):
			diffs = append(diffs, "differs "+name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			diffs = append(diffs, "extra "+name)
		}
	}
	slices.Sort(diffs)
	if len(diffs) > 0 {
		t.Errorf("step %d: the rebuilt site is not the full build's:\n%s", i, strings.Join(diffs, "\n"))
	}
}

// problemList is the problems as build prints them.
func problemList(diags qualify.Diags) []string {
	var out []string
	for _, d := range diags {
		out = append(out, d.String())
	}
	return out
}
