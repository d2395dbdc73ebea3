package backtest_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

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

// writeContent writes the test content into dir/content and returns the
// files a patch reads.
func writeContent(t *testing.T, dir string) backtest.PatchFiles {
	t.Helper()
	for name, f := range testContent(t) {
		p := filepath.Join(dir, "content", filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return testFiles(t)
}

// testFiles are the test content's scoring and fields files, named as
// in a repository that holds the content directory.
func testFiles(t *testing.T) backtest.PatchFiles {
	fs := testContent(t)
	return backtest.PatchFiles{Scoring: fs["scoring.yaml"].Data, Fields: fs["fields.yaml"].Data,
		ScoringPath: "content/scoring.yaml", FieldsPath: "content/fields.yaml"}
}

// applyLoad writes patch into dir, applies it with git apply and loads the
// patched content, which must load without a problem.
func applyLoad(t *testing.T, dir string, patch []byte) *qualify.Model {
	t.Helper()
	pf := filepath.Join(dir, "suggest.patch")
	os.WriteFile(pf, patch, 0o644)
	gitApply(t, dir, "--check", pf)
	gitApply(t, dir, pf)
	c, diags := content.Load(os.DirFS(filepath.Join(dir, "content")), "content")
	if len(diags) > 0 {
		t.Fatalf("the patched model does not load:\n%v\n%s", diags, patch)
	}
	return c.Model
}

// TestPatchApplies writes a fitted suggestion as a patch of the test
// model's scoring and fields files, applies it with git apply and loads
// the patched model: each rule has its suggested points and kind, a rule
// whose points round to 0 (newsletter, drawn with no effect) is gone with
// a comment in its place, each candidate with points is a rule of its
// own, and the attributes they read are declared, never asked.
func TestPatchApplies(t *testing.T) {
	m := MustModel(t)
	_, s := synthSuggestion(t, 20000, 1)
	dir := t.TempDir()
	patch, err := backtest.Patch(writeContent(t, dir), m, s, "Fitted points.\nReview, then git apply.")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(patch, []byte("Fitted points.\nReview, then git apply.\n\n--- a/content/fields.yaml\n+++ b/content/fields.yaml\n")) ||
		!bytes.Contains(patch, []byte("\n--- a/content/scoring.yaml\n+++ b/content/scoring.yaml\n")) {
		t.Errorf("the patch does not start with the note, then the fields and the scoring files:\n%s", patch)
	}
	pm := applyLoad(t, dir, patch)
	kept := 0
	for _, f := range s.Rules {
		if f.Remove != (f.Points == 0) {
			t.Errorf("rule %s: %d points, remove %v", f.Name, f.Points, f.Remove)
		}
		if f.Remove {
			if slices.ContainsFunc(pm.Points, func(p qualify.PointRule) bool { return p.Name == f.Name }) {
				t.Errorf("rule %s proposed for removal is still in the patched model", f.Name)
			}
			continue
		}
		p := pm.Points[kept]
		kept++
		if p.Name != f.Name || p.Points != f.Points || p.Kind != f.SuggestKind {
			t.Errorf("patched rule %s: %s %d points, want %s %s %d", p.Name, p.Kind, p.Points, f.Name, f.SuggestKind, f.Points)
		}
	}
	if i := slices.IndexFunc(s.Rules, func(f backtest.Feature) bool { return f.Name == "newsletter" }); i < 0 || !s.Rules[i].Remove {
		t.Errorf("newsletter, drawn with no effect, is not proposed for removal: %+v", s.Rules)
	} else if want := "+  # Removed rule newsletter (Newsletter, +3 points): fitted to 20,000 past leads, beside the other rules it is worth less than half a point (weight "; !bytes.Contains(patch, []byte(want)) {
		t.Errorf("the patch lacks %q:\n%s", want, patch)
	}
	added := pm.Points[kept:]
	adopted := 0
	for _, c := range s.Candidates {
		if c.Points == 0 {
			continue
		}
		if adopted >= len(added) {
			t.Fatalf("%d candidate rules added, want more", len(added))
		}
		p := added[adopted]
		adopted++
		if p.Name != c.Name || p.Points != c.Points || p.Kind != c.SuggestKind || p.When == nil || p.When.String() != c.When {
			t.Errorf("added rule %s %s %d when %v; want %s %s %d when %s", p.Name, p.Kind, p.Points, p.When, c.Name, c.SuggestKind, c.Points, c.When)
		}
	}
	if adopted == 0 || len(added) != adopted {
		t.Errorf("%d rules added for %d candidates with points", len(added), adopted)
	}
	for name, typ := range map[string]qualify.FieldType{"minutes": qualify.Number, "source": qualify.Text} {
		i := pm.FieldIndex(name)
		if i < 0 {
			t.Errorf("no attribute %s declared", name)
			continue
		}
		f := pm.Fields[i]
		if !f.Attribute || !f.Hidden || f.Type != typ || f.Required || f.Help == "" {
			t.Errorf("attribute %s = %+v, want a hidden %s attribute with help", name, f, typ)
		}
	}
	if len(pm.Fields) != len(m.Fields)+2 {
		t.Errorf("%d fields after the patch, want %d", len(pm.Fields), len(m.Fields)+2)
	}
}

// TestPatchEdges patches a scoring file that does not end in a line break,
// with changes far enough apart to make two hunks: points, a kind that
// the points go against (in flow style, with a comment), a value, a missing
// level, and two cuts that add up. Then it removes rules: the first
// (block style), one in flow style and the last (block style, the end of
// the file), with candidates added after it. The diffs are compared with
// golden files and applied; a suggestion that changes nothing gives no
// patch.
func TestPatchEdges(t *testing.T) {
	m := MustModel(t)
	files := testFiles(t)
	files.Scoring = bytes.TrimRight(files.Scoring, "\n")
	rules := func(change map[string]int) []backtest.Feature {
		var out []backtest.Feature
		for i, p := range m.Points {
			f := backtest.Feature{Rule: i, Name: p.Name, Current: p.Points, Points: p.Points, Kind: p.Kind, SuggestKind: p.Kind}
			if v, ok := change[p.Name]; ok {
				f.Points = v
			}
			out = append(out, f)
		}
		return out
	}
	same := &backtest.Suggestion{Rules: rules(nil)}
	if p, err := backtest.Patch(files, m, same, "x"); p != nil || err != nil {
		t.Errorf("Patch of no change = %q, %v; want nil", p, err)
	}
	kindOf := func(s *backtest.Suggestion, name string, k qualify.PointKind) {
		for i := range s.Rules {
			if s.Rules[i].Name == name {
				s.Rules[i].SuggestKind, s.Rules[i].KindChanged = k, true
			}
		}
	}
	// A kind changed in flow style.
	flow := &backtest.Suggestion{Rules: rules(map[string]int{"newsletter": -2})}
	kindOf(flow, "newsletter", qualify.Negative)
	patch, err := backtest.Patch(files, m, flow, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\n+  # Kind negative, was engagement: the points fitted (-2) go against engagement points.\n" +
		"-  - {name: newsletter, kind: engagement, points: 3, signal: newsletter, label: Newsletter}\n" +
		"+  - {name: newsletter, kind: negative, points: -2, signal: newsletter, label: Newsletter}\n"; !bytes.Contains(patch, []byte(want)) {
		t.Errorf("the patch lacks\n%s\n:\n%s", want, patch)
	}

	s := &backtest.Suggestion{Rules: rules(map[string]int{"big": -2, "robot": -3}), Candidates: edgeCandidates}
	kindOf(s, "big", qualify.Negative)
	patch, err = backtest.Patch(files, m, s, "")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "edges.patch", patch)
	if n := bytes.Count(patch, []byte("\n@@ ")); n != 3 {
		t.Errorf("%d hunks, want 3 (one in fields.yaml, two in scoring.yaml):\n%s", n, patch)
	}
	dir := t.TempDir()
	writeContent(t, dir)
	os.WriteFile(filepath.Join(dir, "content", "scoring.yaml"), files.Scoring, 0o644)
	pm := applyLoad(t, dir, patch)
	want := map[string]struct {
		kind   qualify.PointKind
		points int
	}{
		"big": {qualify.Negative, -2}, "robot": {qualify.Negative, -3},
		"source-event": {qualify.EngagementPoints, 6}, "source-missing": {qualify.Negative, -2},
		"minutes-over-2": {qualify.BehaviourPoints, 2}, "minutes-over-10": {qualify.BehaviourPoints, 3},
	}
	for _, p := range pm.Points {
		if w, ok := want[p.Name]; ok {
			if p.Kind != w.kind || p.Points != w.points {
				t.Errorf("rule %s: %s %d, want %s %d", p.Name, p.Kind, p.Points, w.kind, w.points)
			}
			delete(want, p.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("rules missing after the patch: %v", want)
	}
	for _, c := range []struct {
		answers qualify.Input
		points  float64
	}{
		{qualify.Input{"minutes": "1", "source": "event"}, 6},
		{qualify.Input{"minutes": "5"}, 0}, // +2 for more than 2 minutes, -2 for no source
		{qualify.Input{"minutes": "12", "source": "ads", "website": "x", "size": "large"}, 5 - 3 - 2},
	} {
		lead, errs := pm.Lead(c.answers, 0)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if v := qualify.Evaluate(pm, &lead, 0); v.Score != c.points {
			t.Errorf("%v: score %v, want %v", c.answers, v.Score, c.points)
		}
	}

	// Removals: big, the first rule, in block style; newsletter in flow
	// style; robot, the last, in block style at the end of the file; and
	// the candidates after them.
	rm := &backtest.Suggestion{Leads: 9000, Rules: rules(map[string]int{"big": 0, "newsletter": 0, "robot": 0, "demo": 6}),
		Candidates: edgeCandidates}
	for i := range rm.Rules {
		if f := &rm.Rules[i]; f.Points == 0 {
			f.Remove, f.Weight, f.Fitted = true, 0.012, true
		}
	}
	patch, err = backtest.Patch(files, m, rm, "")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "remove.patch", patch)
	for _, want := range []string{
		"-  - name: big\n-    kind: fit\n-    points: 2\n-    label: Mid-size or larger\n-    when: size >= \"mid\"\n" +
			"+  # Removed rule big (Mid-size or larger, +2 points): fitted to 9,000 past leads, beside the other rules it is worth less than half a point (weight +0.012).\n",
		"-  - {name: newsletter, kind: engagement, points: 3, signal: newsletter, label: Newsletter}\n+  # Removed rule newsletter (Newsletter, +3 points): ",
		"-    when: known(website)\n\\ No newline at end of file\n+  # Removed rule robot (Filled the hidden field, -10 points): ",
	} {
		if !bytes.Contains(patch, []byte(want)) {
			t.Errorf("the patch lacks\n%s\n:\n%s", want, patch)
		}
	}
	dir = t.TempDir()
	writeContent(t, dir)
	os.WriteFile(filepath.Join(dir, "content", "scoring.yaml"), files.Scoring, 0o644)
	pm = applyLoad(t, dir, patch)
	var names []string
	for _, p := range pm.Points {
		names = append(names, p.Name)
	}
	if got, want := strings.Join(names, " "), "soft demo pricing source-event source-missing minutes-over-2 minutes-over-10"; got != want {
		t.Errorf("rules after the removals: %s, want %s", got, want)
	}
	if demo := pm.Points[1]; demo.Points != 6 {
		t.Errorf("demo: %d points after the patch, want 6", demo.Points)
	}
}

// edgeCandidates are candidate rules over two attributes: a text one with
// a value and a missing level whose points go against its kind, and a
// number one with two cuts.
var edgeCandidates = []backtest.Feature{
	{Rule: -1, Name: "source-event", Column: "source", Attr: "source", Value: "event", When: `source == "event"`,
		Points: 6, Kind: qualify.EngagementPoints, SuggestKind: qualify.EngagementPoints, Fitted: true},
	{Rule: -1, Name: "source-missing", Column: "source", Attr: "source", Missing: true, When: `not known(source)`,
		Points: -2, Kind: qualify.EngagementPoints, SuggestKind: qualify.Negative, KindChanged: true, Fitted: true},
	{Rule: -1, Name: "source-ads", Column: "source", Attr: "source", Value: "ads", When: `source == "ads"`, Fitted: true},
	{Rule: -1, Name: "minutes-over-2", Column: "Minutes on site", Attr: "minutes", Cut: 2, HasCut: true, When: `minutes > 2`,
		Points: 2, Kind: qualify.BehaviourPoints, SuggestKind: qualify.BehaviourPoints, Fitted: true},
	{Rule: -1, Name: "minutes-over-10", Column: "Minutes on site", Attr: "minutes", Cut: 10, HasCut: true, When: `minutes > 10`,
		Points: 3, Kind: qualify.BehaviourPoints, SuggestKind: qualify.BehaviourPoints, Fitted: true},
}

// TestPatchAttributeNames refuses attributes the model cannot take: a
// field of the model the rules cannot read so, a signal's name, a rule
// that reads something else. A field of the model that can be read is
// used as it is, and nothing is declared.
func TestPatchAttributeNames(t *testing.T) {
	m := MustModel(t)
	files := testFiles(t)
	cut := backtest.Feature{Rule: -1, Name: "x-over-2", Column: "x", HasCut: true, Cut: 2, Points: 2,
		Kind: qualify.EngagementPoints, SuggestKind: qualify.EngagementPoints, Fitted: true}
	for _, c := range []struct {
		attr, when, want string
	}{
		{"industry", "industry > 2", "attribute industry: the model's field industry is of type choice, and candidate rule x-over-2 reads it as a number"},
		{"demo", "demo > 2", "attribute demo: the model has a signal of that name"},
		{"mql", "mql > 2", "attribute mql: the model has a threshold of that name"},
		{"score", "score > 2", `attribute "score" cannot be a field name`},
		{"minutes", "minutes > seats", "reads seats, not only its attribute minutes"},
	} {
		f := cut
		f.Attr, f.When = c.attr, c.when
		_, err := backtest.Patch(files, m, &backtest.Suggestion{Candidates: []backtest.Feature{f}}, "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("attribute %s: %v; want %q", c.attr, err, c.want)
		}
	}
	f := cut
	f.Attr, f.When = "seats", "seats > 2"
	patch, err := backtest.Patch(files, m, &backtest.Suggestion{Candidates: []backtest.Feature{f}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(patch, []byte("fields.yaml")) || !bytes.Contains(patch, []byte("+    when: seats > 2\n")) {
		t.Errorf("a rule over the model's number field seats:\n%s", patch)
	}
}
