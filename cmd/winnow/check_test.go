package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/site"
)

// TestExampleFailures: after a good build, the dev server shows the
// examples that fail as check prints them, and nothing when all pass.
func TestExampleFailures(t *testing.T) {
	dir := copyContent(t)
	load := func() site.Result {
		t.Helper()
		c, diags := content.Load(os.DirFS(dir), dir)
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		return site.Result{Model: c.Model, Examples: c.Run()}
	}
	if got := exampleFailures(load()); got != "" {
		t.Errorf("the shipped examples fail:\n%s", got)
	}
	edit(t, filepath.Join(dir, "model.yaml"), "  mql: 12 ", "  mql: 13 ")
	got := exampleFailures(load())
	for _, want := range []string{
		"examples: 46 passed, 7 failed",
		`FAIL ` + dir + `/examples/funnel.yaml:`,
		`example "MQL at exactly the threshold"`,
		"stage  want MQL            got cold lead",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the failures lack %q:\n%s", want, got)
		}
	}
}
