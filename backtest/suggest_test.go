package backtest_test

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/content"
)

// spearman is the rank correlation of xs and ys (no ties expected).
func spearman(xs, ys []float64) float64 {
	rank := func(v []float64) []float64 {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return int(math.Copysign(1, v[a]-v[b])) })
		r := make([]float64, len(v))
		for k, i := range idx {
			r[i] = float64(k)
		}
		return r
	}
	rx, ry := rank(xs), rank(ys)
	n := float64(len(xs))
	d2 := 0.0
	for i := range rx {
		d2 += (rx[i] - ry[i]) * (rx[i] - ry[i])
	}
	return 1 - 6*d2/(n*(n*n-1))
}

func synthSuggestion(t *testing.T, n int, seed uint64) (*backtest.Data, *backtest.Suggestion) {
	t.Helper()
	m := MustModel(t)
	d := MustRead(t, m, synthMapping, string(synthCSV(writeSynth, n, 42)))
	if d.Skipped != 0 || len(d.Problems) != 0 {
		t.Fatalf("synthetic leads have problems: %v", d.Problems)
	}
	s, err := backtest.Suggest(d, backtest.SuggestOptions{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return d, s
}

// TestSuggestRecoversWeights fits points to leads drawn from known weights:
// the fitted weights rank the rules as the generating weights do, the
// points follow that order, the extra columns give the rules they were
// drawn with, and the whole points rank held-out leads within 0.005 of the
// unrounded regression.
func TestSuggestRecoversWeights(t *testing.T) {
	_, s := synthSuggestion(t, 20000, 1)
	var gen, fitted []float64
	order := slices.Clone(s.Rules)
	for _, f := range s.Rules {
		if !f.Fitted {
			t.Errorf("rule %s not fitted (holds for %d leads)", f.Name, f.Holds)
		}
		gen = append(gen, synthWeights[f.Name])
		fitted = append(fitted, f.Weight)
	}
	if rho := spearman(gen, fitted); rho != 1 {
		t.Errorf("Spearman's rho of fitted and generating weights = %v, want 1\nfitted %v\ngenerating %v", rho, fitted, gen)
	}
	slices.SortFunc(order, func(a, b backtest.Feature) int {
		return int(math.Copysign(1, synthWeights[b.Name]-synthWeights[a.Name]))
	})
	for i := 1; i < len(order); i++ {
		if order[i].Points > order[i-1].Points {
			t.Errorf("%s gets %d points, more than %s's %d", order[i].Name, order[i].Points, order[i-1].Name, order[i-1].Points)
		}
	}
	points := map[string]int{}
	for _, f := range s.Rules {
		points[f.Name] = f.Points
	}
	if !(points["demo"] > points["pricing"] && points["pricing"] > points["soft"] && points["robot"] < 0) {
		t.Errorf("points %v do not separate demo > pricing > soft > robot < 0", points)
	}

	cands := map[string]backtest.Feature{}
	for _, c := range s.Candidates {
		cands[c.Label] = c
	}
	if c, ok := cands[`source is "event"`]; !ok || c.Points <= 0 || c.When != `source == "event"` {
		t.Errorf("candidate for source event = %+v, want positive points", c)
	}
	if c := cands[`source is "partner"`]; c.Points >= 0 {
		t.Errorf("candidate for source partner = %+v, want negative points", c)
	}
	if _, ok := cands[`source is "rare1"`]; ok {
		t.Errorf("a value held by 0.1%% of leads got its own rule: %v", s.Candidates)
	}
	// Minutes are cut at their quintiles, rounded: 2, 4, 7.5 and 15.
	if c, ok := cands["minutes > 7.5"]; !ok || c.Name != "minutes-over-7-5" || c.When != "minutes > 7.5" {
		t.Errorf("no candidate minutes > 7.5 among %+v", s.Candidates)
	}
	for _, c := range s.Candidates {
		if c.Column == "minutes" && c.Label != "minutes > 7.5" && c.Points >= cands["minutes > 7.5"].Points {
			t.Errorf("%s gets %d points, as many as minutes > 7.5 (%d)", c.Label, c.Points, cands["minutes > 7.5"].Points)
		}
	}

	h := s.HeldOut
	t.Logf("held-out AUC: current %.4f, regression %.4f, points %.4f; lambda %g, scale %.3f", h.Current, h.Regression, h.Points, s.Lambda, s.Scale)
	t.Logf("whole points within ±%d alone: %.4f", backtest.MaxPoints, h.Unbounded)
	for _, c := range []struct {
		what string
		auc  float64
	}{{"the suggested points", h.Points}, {"whole points within ±10", h.Unbounded}} {
		if d := math.Abs(c.auc - h.Regression); d > 0.005 {
			t.Errorf("held-out AUC of %s %.4f is %.4f from the regression's %.4f; want within 0.005", c.what, c.auc, d, h.Regression)
		}
	}
	if h.Regression <= h.Current {
		t.Errorf("the regression (%.4f) ranks held-out leads no better than the model (%.4f)", h.Regression, h.Current)
	}
	if len(h.Folds) != 5 {
		t.Errorf("%d folds, want 5", len(h.Folds))
	}
	for _, f := range s.Rules {
		if f.Points < -backtest.MaxPoints || f.Points > backtest.MaxPoints || f.Points < f.Min || f.Points > f.Max {
			t.Errorf("rule %s gets %d points, outside %d..%d", f.Name, f.Points, f.Min, f.Max)
		}
	}
}

func TestSuggestDeterministic(t *testing.T) {
	_, a := synthSuggestion(t, 3000, 7)
	_, b := synthSuggestion(t, 3000, 7)
	if a.HeldOut.Regression != b.HeldOut.Regression || a.Lambda != b.Lambda || a.Scale != b.Scale {
		t.Errorf("two runs with seed 7 differ: %+v vs %+v", a.HeldOut, b.HeldOut)
	}
	for i := range a.Rules {
		if a.Rules[i].Points != b.Rules[i].Points || a.Rules[i].Weight != b.Rules[i].Weight {
			t.Errorf("rule %s: %d (%v) vs %d (%v)", a.Rules[i].Name, a.Rules[i].Points, a.Rules[i].Weight, b.Rules[i].Points, b.Rules[i].Weight)
		}
	}
}

func TestReadable(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{13, 15}, {0.37, 0.4}, {1234, 1000}, {7, 7.5}, {95, 100}, {-13, -15}, {0, 0}, {2.2, 2}, {0.03, 0.03},
	} {
		if got := backtest.Readable(c.in); got != c.want {
			t.Errorf("Readable(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// gitApply runs git apply with args in dir.
func gitApply(t *testing.T, dir string, args ...string) {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatal("git is needed to check the patch: ", err)
	}
	cmd := exec.Command(git, append([]string{"apply"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestPatchApplies writes the suggestion as a patch of the test model's
// scoring file, checks that git apply accepts it, applies it, and loads
// the patched model: each rule has its suggested points.
func TestPatchApplies(t *testing.T) {
	m := MustModel(t)
	_, s := synthSuggestion(t, 20000, 1)
	dir := t.TempDir()
	for name, f := range testContent(t) {
		p := filepath.Join(dir, "content", filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, _ := os.ReadFile(filepath.Join(dir, "content", "scoring.yaml"))
	patch, err := backtest.Patch(src, "content/scoring.yaml", m, s, "Fitted points.\nReview, then git apply.")
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, f := range s.Rules {
		if f.Points != f.Current {
			changed++
		}
	}
	// One line out and one in per changed rule, besides the --- header.
	if removed := bytes.Count(patch, []byte("\n-")) - 1; changed == 0 || removed != changed {
		t.Fatalf("the patch removes %d lines for %d changed rules:\n%s", removed, changed, patch)
	}
	if !bytes.Contains(patch, []byte("#  - name: source-event\n")) || !bytes.Contains(patch, []byte(`#    when: 'source == "event"'`)) {
		t.Errorf("the patch lacks the candidate rule for source event:\n%s", patch)
	}
	pf := filepath.Join(dir, "suggest.patch")
	os.WriteFile(pf, patch, 0o644)
	gitApply(t, dir, "--check", pf)
	gitApply(t, dir, pf)
	c, diags := content.Load(os.DirFS(filepath.Join(dir, "content")), "content")
	if len(diags) > 0 {
		t.Fatalf("the patched model does not load:\n%v", diags)
	}
	for i, f := range s.Rules {
		if got := c.Model.Points[i].Points; got != f.Points {
			t.Errorf("patched rule %s has %d points, want %d", f.Name, got, f.Points)
		}
	}
}

// TestPatchEdges patches a scoring file that does not end in a line break,
// with changes far enough apart to make two hunks, and checks that git
// apply takes it; a suggestion that changes nothing gives no patch.
func TestPatchEdges(t *testing.T) {
	m := MustModel(t)
	src := bytes.TrimRight(testContent(t)["scoring.yaml"].Data, "\n")
	rules := func(change map[string]int) []backtest.Feature {
		var out []backtest.Feature
		for i, p := range m.Points {
			f := backtest.Feature{Rule: i, Name: p.Name, Current: p.Points, Points: p.Points}
			if v, ok := change[p.Name]; ok {
				f.Points = v
			}
			out = append(out, f)
		}
		return out
	}
	same := &backtest.Suggestion{Rules: rules(nil)}
	if p, err := backtest.Patch(src, "content/scoring.yaml", m, same, "x"); p != nil || err != nil {
		t.Errorf("Patch of no change = %q, %v; want nil", p, err)
	}
	s := &backtest.Suggestion{Rules: rules(map[string]int{"big": 4, "robot": -3}),
		Candidates: []backtest.Feature{{Name: "source-event", Label: `source is "event"`, When: `source == "event"`, Points: 6}}}
	patch, err := backtest.Patch(src, "content/scoring.yaml", m, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(patch, []byte("\n@@ ")); n != 2 {
		t.Errorf("%d hunks, want 2:\n%s", n, patch)
	}
	if !bytes.Contains(patch, []byte("\\ No newline at end of file\n")) || !bytes.Contains(patch, []byte("#    kind: engagement\n")) {
		t.Errorf("patch:\n%s", patch)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "content"), 0o755)
	os.WriteFile(filepath.Join(dir, "content", "scoring.yaml"), src, 0o644)
	os.WriteFile(filepath.Join(dir, "p.patch"), patch, 0o644)
	gitApply(t, dir, "p.patch")
	got, _ := os.ReadFile(filepath.Join(dir, "content", "scoring.yaml"))
	want := strings.Replace(strings.Replace(string(src), "    points: 2\n    label: Mid-size", "    points: 4\n    label: Mid-size", 1),
		"    points: -10\n", "    points: -3\n", 1)
	if !strings.HasPrefix(string(got), want+"\n\n# Candidate rules") || !strings.HasSuffix(string(got), "#    when: 'source == \"event\"'\n") {
		t.Errorf("patched file:\n%s", got)
	}
}
