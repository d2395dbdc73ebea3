package buildcheck_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerated runs make generated on copies of templates/: a clean one
// passes; a .templ that templ cannot parse fails with templ's own error,
// and a .templ edited but not generated, an edited *_templ.go and a
// *_templ.go left without its .templ fail as stale.
func TestGenerated(t *testing.T) {
	makeCmd, err := exec.LookPath("make")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(t *testing.T, dir string)
		want []string // in the output, $DIR the copy; none: make passes
	}{
		{"clean", func(*testing.T, string) {}, nil},
		{"templ fails", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "form.templ"), "templ FormPage(f FormDef) {", "templ FormPage(f FormDef) {\n\t<div {")
		}, []string{"form.templ parsing error", "$DIR/form.templ", "line 9, col 7", "generated: go tool templ generate failed on $DIR"}},
		{"templ not generated", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "form.templ"), "<h1>{ f.Title }</h1>", "<h1 class=\"title\">{ f.Title }</h1>")
		}, []string{"generated: $DIR/*_templ.go are stale", `-		templ_7745c5c3_Err = templruntime.WriteString(templ_7745c5c3_Buffer, 6, "<h1>")`, `+		templ_7745c5c3_Err = templruntime.WriteString(templ_7745c5c3_Buffer, 6, "<h1 class=\"title\">")`}},
		{"generated output edited", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "form_templ.go"), "package templates", "package templates\n\n// Edited.")
		}, []string{"generated: $DIR/*_templ.go are stale", "--- $DIR/form_templ.go", "+++ generated/form_templ.go", "-// Edited."}},
		{"templ removed", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "chart.templ")); err != nil {
				t.Fatal(err)
			}
		}, []string{"generated: $DIR/*_templ.go are stale", "Only in $DIR: chart_templ.go"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "templates")
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "templates"))); err != nil {
				t.Fatal(err)
			}
			c.edit(t, dir)
			cmd := exec.Command(makeCmd, "-s", "generated", "TEMPLATES="+dir)
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			if c.want == nil {
				if err != nil {
					t.Fatalf("make generated failed on a clean copy: %v\n%s", err, out)
				}
				if got, want := string(out), "generated: "+dir+" up to date\n"; got != want {
					t.Errorf("make generated says %q, want %q", got, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("make generated passed:\n%s", out)
			}
			for _, w := range c.want {
				w = strings.ReplaceAll(w, "$DIR", dir)
				if !strings.Contains(string(out), w) {
					t.Errorf("make generated does not say %q:\n%s", w, out)
				}
			}
		})
	}
}

// edit replaces old, which must be in the file, with new.
func edit(t *testing.T, name, old, new string) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", name, old)
	}
	if err := os.WriteFile(name, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGuard runs make guard on a package that imports strings, which no
// pure package may (it fails, natively and for the browser, naming it),
// and on one that imports only what a pure package may (it passes).
func TestGuard(t *testing.T) {
	makeCmd, err := exec.LookPath("make")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pkg  string
		want []string // none: make passes
	}{
		{"./internal/buildcheck/testdata/pure", nil},
		{"./internal/buildcheck/testdata/impure", []string{
			"import guard: ./internal/buildcheck/testdata/impure (native) depends on:\n",
			"import guard: ./internal/buildcheck/testdata/impure (GOOS=js GOARCH=wasm) depends on:\n",
			"\nstrings\n"}},
	} {
		cmd := exec.Command(makeCmd, "-s", "guard", "PURE="+c.pkg)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if c.want == nil {
			if err != nil {
				t.Errorf("make guard failed on %s: %v\n%s", c.pkg, err, out)
			}
			continue
		}
		if err == nil {
			t.Errorf("make guard passed on %s, which imports strings:\n%s", c.pkg, out)
		}
		for _, w := range c.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("make guard on %s: no %q in\n%s", c.pkg, w, out)
			}
		}
	}
}
