package scaffold_test

import (
	"context"
	"encoding/json"
	"math/bits"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/scaffold"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site"
)

// render renders the options or fails the test.
func render(tb testing.TB, o scaffold.Options) map[string][]byte {
	tb.Helper()
	files, err := scaffold.Render(o)
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// mapFS holds rendered files as a file system.
func mapFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data}
	}
	return fsys
}

// TestEveryCombination renders every framework with every stage preset,
// loads it as `winnow check` does (model, site settings, pages) with no
// problem at all, runs its example leads, which must all pass, and builds
// its site as `winnow build` does.
func TestEveryCombination(t *testing.T) {
	static := os.DirFS(filepath.Join("..", "..", "static"))
	for _, fw := range scaffold.Frameworks {
		for _, p := range scaffold.Presets {
			t.Run(fw+"/"+p.Name, func(t *testing.T) {
				fsys := mapFS(render(t, scaffold.Options{Name: "Acme", Domain: "acme.com", Framework: fw, Stages: p.Name}))
				c, diags := content.Load(fsys, "acme")
				pages, ds := content.Pages(fsys, "acme", false)
				diags = append(diags, ds...)
				diags = append(diags, content.CheckPages(c.Model, pages)...)
				settings, ds := content.SiteSettings(fsys, "acme")
				diags = append(diags, ds...)
				for _, d := range diags {
					t.Error(d)
				}
				if len(diags) > 0 {
					return
				}
				m := c.Model
				if got, want := m.Frameworks[m.Framework].Name, strings.ToUpper(fw); got != want {
					t.Errorf("framework %s, want %s", got, want)
				}
				var line []string
				for _, s := range m.Stages {
					line = append(line, s.Name)
				}
				want := append(append([]string{"bad lead"}, p.Stages...), "disqualified")
				if !slices.Equal(line, want) {
					t.Errorf("stages %q, want %q", line, want)
				}
				if n := len(c.Examples); n < 3 || n > 5 {
					t.Errorf("%d example leads, want 3 to 5", n)
				}
				reached := map[string]bool{}
				for _, r := range c.Run() {
					reached[r.Verdict.Stage] = true
					for _, d := range r.Diffs {
						t.Errorf("%s: example %q: %s want %s, got %s", r.Example.Pos, r.Example.Name, d.What, d.Want, d.Got)
					}
				}
				for _, s := range []string{p.Stages[0], "MQL", "SQL", "opportunity", "bad lead"} {
					if !reached[s] {
						t.Errorf("no example lead reaches %s", s)
					}
				}
				if settings.Name != "Acme" || settings.BaseURL != "https://acme.com" || settings.Tracking.Consent != content.ConsentRequired {
					t.Errorf("site settings %+v", settings)
				}

				out := &site.Memory{}
				res, diags := site.Build(context.Background(), site.Options{Content: fsys, ContentDir: "acme",
					Static: static, StaticDir: "static", Out: out, Workers: 1})
				for _, d := range diags {
					t.Error(d)
				}
				for _, f := range []string{"index.html", "pricing/index.html", "privacy/index.html", "signup/index.html",
					"glossary/mql/index.html", "glossary/" + strings.ReplaceAll(p.Stages[0], " ", "-") + "/index.html",
					"glossary/" + strings.ToLower(fw) + "/index.html"} {
					if out.Files[f] == nil {
						t.Errorf("the site has no %s (%d pages)", f, res.Pages)
					}
				}
				if home := string(out.Files["index.html"]); !strings.Contains(home, "Acme works with businesses") {
					t.Errorf("the home page does not name the company:\n%s", home)
				}
			})
		}
	}
}

// TestSQLExampleCountsEachAnswer: the SQL example meets exactly three
// criteria of the framework it was written for, so that each of its
// answers to them counts: without any one, the discovery call no longer
// makes it an SQL.
func TestSQLExampleCountsEachAnswer(t *testing.T) {
	for _, fw := range scaffold.Frameworks {
		c, diags := content.Load(mapFS(render(t, scaffold.Options{Name: "Acme", Domain: "acme.com", Framework: fw, Stages: "classic"})), "acme")
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		var ex *content.Example
		for i := range c.Examples {
			if strings.HasPrefix(c.Examples[i].Name, "SQL") {
				ex = &c.Examples[i]
			}
		}
		if ex == nil {
			t.Fatalf("%s: no SQL example", fw)
		}
		m, call := c.Model, c.Model.SignalIndex("discovery_call")
		if v := qualify.Evaluate(m, &ex.Lead, ex.At); v.Stage != "SQL" || bits.OnesCount64(v.Criteria) != 3 {
			t.Errorf("%s: the SQL example is %s with %d criteria met, want SQL with 3", fw, v.Stage, bits.OnesCount64(v.Criteria))
		}
		answered := 0
		for _, name := range []string{"budget", "authority", "need", "timeline", "priority"} {
			if _, ok := ex.Input[name]; !ok {
				continue
			}
			answered++
			in := qualify.Input{}
			for k, v := range ex.Input {
				if k != name {
					in[k] = v
				}
			}
			lead, errs := m.Lead(in, ex.At)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			lead.Signals[call] = ex.Lead.Signals[call]
			if v := qualify.Evaluate(m, &lead, ex.At); v.Stage == "SQL" {
				t.Errorf("%s: the SQL example without its %s is still an SQL", fw, name)
			}
		}
		if answered != 2 {
			t.Errorf("%s: the SQL example answers %d criteria questions, want 2 (a director has authority)", fw, answered)
		}
	}
}

// TestOptionErrors: each answer that cannot make a company is refused with
// what is wrong, before anything is rendered.
func TestOptionErrors(t *testing.T) {
	good := scaffold.Options{Name: "Acme", Domain: "acme.com", Framework: "bant", Stages: "classic"}
	for _, tc := range []struct {
		edit func(*scaffold.Options)
		want string
	}{
		{func(o *scaffold.Options) { o.Name = "  " }, "name: the company name is empty"},
		{func(o *scaffold.Options) { o.Name = "Acme\nInc" }, "name: the company name holds a control character or a line break"},
		{func(o *scaffold.Options) { o.Domain = "https://acme.com/" }, `domain: "https://acme.com/" is not a domain: give the host name alone, such as example.com`},
		{func(o *scaffold.Options) { o.Domain = "acme" }, `domain: "acme" is not a domain: give a name such as example.com`},
		{func(o *scaffold.Options) { o.Domain = "ac_me.com" }, `domain: "ac_me.com" is not a domain: each part between dots holds letters, digits and hyphens`},
		{func(o *scaffold.Options) { o.Domain = "10.0.0.1" }, `domain: "10.0.0.1" is not a domain: give a name such as example.com, not an address`},
		{func(o *scaffold.Options) { o.Framework = "spin" }, `framework: "spin" is not a framework: choose bant, champ, annum`},
		{func(o *scaffold.Options) { o.Stages = "long" }, `stages: "long" is not a stage preset: choose classic, simple, full`},
	} {
		o := good
		tc.edit(&o)
		_, err := scaffold.Render(o)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Render(%+v) = %v, want %s", o, err, tc.want)
		}
	}
}

// TestNames: the domain and the name reach every file they belong in,
// quoted where the format needs it.
func TestNames(t *testing.T) {
	files := render(t, scaffold.Options{Name: `Smith & "Sons" *Ltd*`, Domain: "WWW.Smith-Sons.co.uk", Framework: "ANNUM", Stages: "Simple"})
	for name, want := range map[string]string{
		"site.yaml":           `name: "Smith & \"Sons\" *Ltd*"` + "\nbase_url: https://www.smith-sons.co.uk\n",
		"model.yaml":          "framework: ANNUM\n",
		"fields.yaml":         `label: "I agree that Smith & \"Sons\" *Ltd* may contact me about my request."`,
		"pages/index.md":      `Smith \& "Sons" \*Ltd\* works with businesses`,
		"pages/privacy.md":    "(mailto:privacy@smith-sons.co.uk)",
		"wrangler.jsonc":      `"name": "smith-sons-co-uk",`,
		"stages/lead.md":      "after: bad lead\n",
		"stages/mql.md":       "after: lead\n",
		"examples/leads.yaml": "expect: {stage: lead, fit: B",
	} {
		if !strings.Contains(string(files[name]), want) {
			t.Errorf("%s lacks %q:\n%s", name, want, files[name])
		}
	}
	fsys := mapFS(files)
	if _, diags := content.Load(fsys, "x"); len(diags) > 0 {
		t.Error(diags)
	}
	if s, diags := content.SiteSettings(fsys, "x"); len(diags) > 0 || s.Name != `Smith & "Sons" *Ltd*` {
		t.Errorf("site name %q, %v", s.Name, diags)
	}
	for _, stage := range []string{"cold-lead", "sal", "prospect"} {
		if files["stages/"+stage+".md"] != nil {
			t.Errorf("the simple preset has stages/%s.md", stage)
		}
	}
}

// TestWranglerConfig: the new company's wrangler.jsonc names its worker,
// database and route after the domain, finds the worker, the site and the
// migrations from the checkout, and keeps every binding, trigger and
// setting of the repository's own wrangler.jsonc.
func TestWranglerConfig(t *testing.T) {
	root := filepath.Join("..", "..")
	files := render(t, scaffold.Options{Name: "Acme", Domain: "www.acme.com", Framework: "bant", Stages: "classic"})
	var got, repo map[string]any
	if err := json.Unmarshal(stripComments(files["wrangler.jsonc"]), &got); err != nil {
		t.Fatalf("wrangler.jsonc: %v\n%s", err, files["wrangler.jsonc"])
	}
	src, err := os.ReadFile(filepath.Join(root, "wrangler.jsonc"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(stripComments(src), &repo); err != nil {
		t.Fatal(err)
	}
	// The new config lies in a directory of the checkout's root (Root is
	// ".." by default): its paths, taken from there, are the repository's.
	for _, p := range []string{"$schema", "main", "assets.directory", "d1_databases.0.migrations_dir"} {
		g, _ := lookup(got, p).(string)
		r, _ := lookup(repo, p).(string)
		if path.Join("acme", g) != path.Clean(r) {
			t.Errorf("%s = %q, want the repository's %q from acme/", p, g, r)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "worker", "migrations")); err != nil {
		t.Error(err)
	}
	for p, want := range map[string]any{
		"name":                         "acme-com",
		"d1_databases.0.database_name": "acme-com",
		"routes.0.pattern":             "www.acme.com",
		"routes.0.custom_domain":       true,
		"d1_databases.0.binding":       lookup(repo, "d1_databases.0.binding"),
		"assets.binding":               lookup(repo, "assets.binding"),
		"assets.not_found_handling":    lookup(repo, "assets.not_found_handling"),
		"compatibility_date":           lookup(repo, "compatibility_date"),
		"keep_names":                   lookup(repo, "keep_names"),
		"observability.enabled":        lookup(repo, "observability.enabled"),
		"d1_databases.0.database_id":   lookup(repo, "d1_databases.0.database_id"),
		"assets.run_worker_first.0":    "/api/*",
		"triggers.crons.0":             lookup(repo, "triggers.crons.0"),
	} {
		if g := lookup(got, p); g != want {
			t.Errorf("%s = %v, want %v", p, g, want)
		}
	}
	for _, p := range []string{"assets.run_worker_first", "triggers.crons"} {
		g, _ := json.Marshal(lookup(got, p))
		r, _ := json.Marshal(lookup(repo, p))
		if string(g) != string(r) {
			t.Errorf("%s = %s, want the repository's %s", p, g, r)
		}
	}
	for key := range repo {
		if _, ok := got[key]; !ok {
			t.Errorf("the repository's wrangler.jsonc sets %q, the new one does not", key)
		}
	}
	if !strings.Contains(string(files["wrangler.jsonc"]), `//   "producers": [{ "binding": "DELIVERIES", "queue": "acme-com-deliveries" }],`) {
		t.Errorf("wrangler.jsonc has no queues block to uncomment:\n%s", files["wrangler.jsonc"])
	}
}

// lookup follows a dotted path of keys and indexes.
func lookup(v any, p string) any {
	for _, k := range strings.Split(p, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			for _, c := range k {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// stripComments turns JSONC into JSON: it drops // comments outside
// strings (neither file has block comments or trailing commas).
func stripComments(src []byte) []byte {
	var out []byte
	inString, escaped := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			c = '\n'
		}
		out = append(out, c)
	}
	return out
}

// TestWrite writes into a new directory and into an empty one, and
// refuses one that holds anything, leaving it as it was.
func TestWrite(t *testing.T) {
	o := scaffold.Options{Name: "Acme", Domain: "acme.com", Framework: "champ", Stages: "full"}
	dir := filepath.Join(t.TempDir(), "new", "acme")
	names, err := scaffold.Write(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	files := render(t, o)
	if len(names) != len(files) || !slices.IsSorted(names) {
		t.Errorf("Write wrote %q, want the %d files Render gives, sorted", names, len(files))
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || string(data) != string(files[name]) {
			t.Errorf("%s: %v, differs from Render's: %v", name, err, string(data) != string(files[name]))
		}
	}
	if _, err := scaffold.Write(t.TempDir(), o); err != nil {
		t.Errorf("an empty directory: %v", err)
	}

	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := scaffold.Write(full, o); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("a directory with a file: %v, want a refusal", err)
	}
	if entries, _ := os.ReadDir(full); len(entries) != 1 {
		t.Errorf("the refused directory holds %d entries, want its 1", len(entries))
	}
	if _, err := scaffold.Write(filepath.Join(full, "notes.txt"), o); err == nil {
		t.Error("a file was taken for a directory")
	}
}
