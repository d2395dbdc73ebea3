package backtest_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/backtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/text")

// golden compares got with the file testdata/text/name, or rewrites it
// with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "text", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s, line %d:\n got %q\nwant %q\n(go test -update rewrites it)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d (go test -update rewrites it)", path, len(gl), len(wl))
	}
}

// tenLeadsResult measures the ten leads worked out by hand, and a row
// whose outcome is unknown.
func tenLeadsResult(t *testing.T) *backtest.Result {
	t.Helper()
	d := MustRead(t, MustModel(t), "outcome: converted\n", tenLeads+"maybe,large,software,,,\n")
	r, err := backtest.Measure(d)
	if err != nil {
		t.Fatal(err)
	}
	return &backtest.Result{File: "leads.csv", Data: d, Report: r}
}

// The report of the ten leads as people read it: the problem with its
// file, line and column, every table.
func TestResultWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := tenLeadsResult(t).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "ten-leads.txt", b.Bytes())
	if want := "\nproblems (1; 1 row skipped)\n  leads.csv:12, column \"converted\": "; !strings.Contains(b.String(), want) {
		t.Errorf("the text lacks %q:\n%s", want, b.String())
	}
}

// A suggestion is printed after the report, with where its patch was
// written, or that it changes nothing.
func TestResultWriteTextSuggestion(t *testing.T) {
	d, s := synthSuggestion(t, 2000, 1)
	r, err := backtest.Measure(d)
	if err != nil {
		t.Fatal(err)
	}
	res := &backtest.Result{File: "synth.csv", Data: d, Report: r, Suggestion: s, Patch: "build/backtest/suggest.patch"}
	var b bytes.Buffer
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"\nsuggested points: L2 logistic regression, penalty ",
		"\nheld-out ROC AUC, mean of 5 folds: model now 0.",
		"\n  rule ", " now ", " suggested ",
		"\npatch written to build/backtest/suggest.patch: review it, then git apply build/backtest/suggest.patch\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
	if i, j := strings.Index(text, "point rules by information value"), strings.Index(text, "suggested points:"); i < 0 || j < i {
		t.Errorf("the suggestion does not follow the report:\n%s", text)
	}
	res.Patch = ""
	b.Reset()
	res.WriteText(&b)
	if !strings.HasSuffix(b.String(), "\nthe suggestion changes nothing: no patch written\n") {
		t.Errorf("without a patch, the text ends:\n%s", b.String()[max(0, b.Len()-300):])
	}
}

// The JSON form names the file and the model, lists the problems (an
// empty list, not null, when there are none), and names the patch only
// when one was written.
func TestResultWriteJSON(t *testing.T) {
	res := tenLeadsResult(t)
	for _, c := range []struct {
		patch    string
		problems bool
	}{{"", true}, {"x.patch", false}} {
		res.Patch = c.patch
		if !c.problems {
			res.Data.Problems, res.Data.Skipped = nil, 0
		}
		var b bytes.Buffer
		if err := res.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("%v:\n%s", err, b.String())
		}
		if got["file"] != "leads.csv" || got["model"] != res.Data.Model.Version || got["rows_read"] != 11.0 ||
			got["rules_ranked_by"] != "information value" || got["report"] == nil {
			t.Errorf("JSON = %s", b.String())
		}
		if problems, ok := got["problems"].([]any); !ok || (len(problems) > 0) != c.problems {
			t.Errorf("with problems %v: problems = %#v", c.problems, got["problems"])
		}
		if patch, ok := got["patch"]; ok != (c.patch != "") || ok && patch != c.patch {
			t.Errorf("with patch %q: patch = %#v", c.patch, patch)
		}
		if _, ok := got["suggestion"]; ok {
			t.Errorf("a suggestion without one: %s", b.String())
		}
	}
}
