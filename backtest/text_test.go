package backtest_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/qualify"
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

// The suggestion as people read it, from a suggestion made by hand: the
// held-out AUCs with their top-decile lifts, a rule whose kind changes and
// one proposed for removal, and the candidate rules in words, grouped by
// column, the cuts adding up, each with its kind.
func TestResultWriteTextWords(t *testing.T) {
	res := tenLeadsResult(t)
	m := res.Data.Model
	s := &backtest.Suggestion{Folds: 5, Seed: 1, Lambda: 0.5, Scale: 2,
		HeldOut:    backtest.HeldOut{Current: 0.7, Regression: 0.8, Points: 0.79, Unbounded: 0.795, Lift: backtest.Lift{Current: 1.5, Regression: 2.25, Points: 2.2}},
		Candidates: slices.Clone(edgeCandidates)}
	for i, p := range m.Points {
		s.Rules = append(s.Rules, backtest.Feature{Rule: i, Name: p.Name, Current: p.Points, Points: p.Points, Fitted: true,
			Kind: p.Kind, SuggestKind: p.Kind, Holds: 100, Rate: 0.25})
	}
	s.Candidates = append(s.Candidates, backtest.Feature{Rule: -1, Name: "minutes-over-30", Column: "Minutes on site", Attr: "minutes",
		Cut: 30, HasCut: true, When: "minutes > 30", Kind: qualify.BehaviourPoints, SuggestKind: qualify.BehaviourPoints, Fitted: true},
		backtest.Feature{Rule: -1, Name: "seats-over-50", Column: "seats", Attr: "seats", Cut: 50, HasCut: true, When: "seats > 50",
			Points: 10, Min: 1, Max: 10, Capped: true, Kind: qualify.EngagementPoints, SuggestKind: qualify.EngagementPoints, Fitted: true})
	s.Rules[4].Points, s.Rules[4].SuggestKind, s.Rules[4].KindChanged = -2, qualify.Negative, true // newsletter
	s.Rules[3].Points, s.Rules[3].Remove, s.Rules[3].Weight = 0, true, 0.04                        // pricing
	for i := range s.Candidates {
		s.Candidates[i].Holds, s.Candidates[i].Rate = 40+i, 0.1*float64(i)
	}
	res.Suggestion, res.Patch = s, "build/backtest/suggest.patch"
	var b bytes.Buffer
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	golden(t, "suggestion.txt", []byte(text[strings.Index(text, "\nsuggested points:")+1:]))
	for _, want := range []string{
		"model now 0.7000 (top-decile lift 1.50), regression 0.8000 (2.25), suggested points 0.7900 (2.20)\n",
		"\n  Minutes on site: column Minutes on site, read as the number attribute minutes\n",
		"    more than 10: +3 on top of the +2 for more than 2, +5 in all ",
		"    left blank: -2 ", " negative (the mapping says engagement) ",
		"\n  Seats: column seats, read as the model's number field seats\n",
		"  newsletter  +3   -2  ", "  kind negative, was engagement: the points go against it\n",
		"  pricing     +2   removed    0.040  ", "  remove: beside the other rules it is worth less than half a point\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
}

// The JSON form names the file and the model, lists the problems and the
// same grouped by column and message (empty lists, not null, when there
// are none), and names the patch only when one was written.
func TestResultWriteJSON(t *testing.T) {
	res := tenLeadsResult(t)
	for _, c := range []struct {
		patch    string
		problems bool
	}{{"", true}, {"x.patch", false}} {
		res.Patch = c.patch
		if !c.problems {
			res.Data.Problems, res.Data.Groups, res.Data.Skipped = nil, nil, 0
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
		groups, ok := got["problem_groups"].([]any)
		if !ok || len(groups) != len(res.Data.Groups) || (len(groups) > 0) != c.problems {
			t.Errorf("with problems %v: problem_groups = %#v, want %d", c.problems, got["problem_groups"], len(res.Data.Groups))
		}
		for i, g := range groups {
			want := res.Data.Groups[i]
			m, _ := g.(map[string]any)
			ex, _ := m["examples"].([]any)
			if m["message"] != want.Message || m["count"] != float64(want.Count) || len(ex) != len(want.Examples) ||
				want.Column != "" && m["column"] != want.Column {
				t.Errorf("problem_groups[%d] = %#v, want %+v", i, g, want)
			}
		}
		if patch, ok := got["patch"]; ok != (c.patch != "") || ok && patch != c.patch {
			t.Errorf("with patch %q: patch = %#v", c.patch, patch)
		}
		if _, ok := got["suggestion"]; ok {
			t.Errorf("a suggestion without one: %s", b.String())
		}
	}
}
