package backtest_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// testContent returns the test model's content directory as a file system.
func testContent(tb testing.TB) fstest.MapFS {
	tb.Helper()
	ar, err := txtar.ParseFile("testdata/model.txtar")
	if err != nil {
		tb.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	return fsys
}

// MustModel loads the test model.
func MustModel(tb testing.TB) *qualify.Model {
	tb.Helper()
	c, diags := content.Load(testContent(tb), "content")
	if len(diags) > 0 {
		tb.Fatalf("the test model does not load:\n%v", diags)
	}
	return c.Model
}

// MustMapping parses a mapping for m.
func MustMapping(tb testing.TB, m *qualify.Model, src string) *backtest.Mapping {
	tb.Helper()
	mp, err := backtest.ParseMapping([]byte(src), "mapping.yaml", m)
	if err != nil {
		tb.Fatalf("mapping: %v", err)
	}
	return mp
}

// now is the instant leads without an at column are scored at.
var now, _ = content.ParseInstant("2026-03-02")

// MustRead reads a CSV of leads for m.
func MustRead(tb testing.TB, m *qualify.Model, mapping, csv string) *backtest.Data {
	tb.Helper()
	d, err := backtest.Read(strings.NewReader(csv), m, MustMapping(tb, m, mapping), backtest.Options{Now: now})
	if err != nil {
		tb.Fatalf("Read: %v", err)
	}
	return d
}

// tenLeads are ten leads whose scores, stages and grades are worked out
// by hand in the comments: big +2, soft +1, demo +5, pricing +2, robot -10.
const tenLeads = `converted,size,industry,demo,pricing,website
yes,large,software,yes,yes,
yes,mid,retail,yes,,
no,small,software,yes,,
yes,large,retail,,yes,
no,small,retail,,yes,
no,mid,software,,,
no,small,other,,,
no,small,other,,,http://spam.example
no,large,software,yes,,
yes,small,software,,yes,
`

// Scores: 10 7 6 4 2 3 0 -10 8 3; converted rows 1, 2, 4, 10.

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMeasureByHand(t *testing.T) {
	m := MustModel(t)
	d := MustRead(t, m, "outcome: converted\n", tenLeads)
	if d.Len() != 10 || d.Skipped != 0 || len(d.Problems) != 0 {
		t.Fatalf("read %d leads, skipped %d, problems %v; want 10, 0, none", d.Len(), d.Skipped, d.Problems)
	}
	wantScores := []float64{10, 7, 6, 4, 2, 3, 0, -10, 8, 3}
	for i, s := range wantScores {
		if d.Score[i] != s {
			t.Errorf("lead %d scores %v, want %v", i+1, d.Score[i], s)
		}
	}
	r, err := backtest.Measure(d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Converted != 4 || !near(r.BaseRate, 0.4) {
		t.Errorf("converted %d (%v), want 4 (0.4)", r.Converted, r.BaseRate)
	}
	// Converted scores 10, 7, 4, 3 against 6, 2, 3, 0, -10, 8: the pairs
	// they win are 6 + 5 + 4 + 3.5 (a tie at 3) of 24.
	if got, want := r.AUC, 18.5/24; !near(got, want) {
		t.Errorf("AUC = %v, want %v", got, want)
	}

	// Stages: bad (exit), new, mql (score >= 5), sql (score >= 8).
	want := []backtest.StageMetrics{
		{Stage: "new", Reached: 9, Converted: 4, Precision: 4.0 / 9, Recall: 1, Lift: 4.0 / 9 / 0.4},
		{Stage: "mql", Reached: 4, Converted: 2, Precision: 0.5, Recall: 0.5, Lift: 1.25},
		{Stage: "sql", Reached: 2, Converted: 1, Precision: 0.5, Recall: 0.25, Lift: 1.25},
	}
	if len(r.Stages) != len(want) {
		t.Fatalf("stages = %+v, want %+v", r.Stages, want)
	}
	for i, w := range want {
		g := r.Stages[i]
		if g.Stage != w.Stage || g.Reached != w.Reached || g.Converted != w.Converted ||
			!near(g.Precision, w.Precision) || !near(g.Recall, w.Recall) || !near(g.Lift, w.Lift) {
			t.Errorf("stage %d = %+v, want %+v", i, g, w)
		}
	}

	// Deciles, highest first: 10 8 7 6 4 (3 3) 2 0 -10. The two leads at
	// 3 (places 5 and 6) share decile 6, so decile 7 is empty.
	type dec struct {
		leads, conv int
		lo, hi      float64
	}
	wantDec := []dec{{1, 1, 10, 10}, {1, 0, 8, 8}, {1, 1, 7, 7}, {1, 0, 6, 6}, {1, 1, 4, 4},
		{2, 1, 3, 3}, {0, 0, 0, 0}, {1, 0, 2, 2}, {1, 0, 0, 0}, {1, 0, -10, -10}}
	for i, w := range wantDec {
		g := r.Deciles[i]
		if g.Decile != i+1 || g.Leads != w.leads || g.Converted != w.conv || g.Leads > 0 && (g.MinScore != w.lo || g.MaxScore != w.hi) {
			t.Errorf("decile %d = %+v, want %+v", i+1, g, w)
		}
	}
	if !near(r.Deciles[5].Rate, 0.5) {
		t.Errorf("decile 6 rate = %v, want 0.5", r.Deciles[5].Rate)
	}

	// Fit points: big 2 + soft 1. A (>= 3): leads 1, 6, 9; B (>= 1): 2,
	// 3, 4, 10; C: 5, 7, 8.
	wantGrades := []backtest.GradeMetrics{{Grade: "A", Label: "Ideal", Leads: 3, Converted: 1, Rate: 1.0 / 3},
		{Grade: "B", Leads: 4, Converted: 3, Rate: 0.75}, {Grade: "C", Leads: 3, Converted: 0, Rate: 0}}
	for i, w := range wantGrades {
		if g := r.Grades[i]; g.Grade != w.Grade || g.Label != w.Label || g.Leads != w.Leads || g.Converted != w.Converted || !near(g.Rate, w.Rate) {
			t.Errorf("grade %d = %+v, want %+v", i, g, w)
		}
	}

	// big holds for leads 1, 2, 4, 6, 9 (3 converted); demo for 1, 2, 3, 9
	// (2 converted). Information values worked out with half a lead added
	// to each count: big 0.49203, demo 0.08397.
	rules := map[string]backtest.RuleSignal{}
	for _, rs := range r.Rules {
		rules[rs.Rule] = rs
	}
	big, demo := rules["big"], rules["demo"]
	if big.Holds != 5 || !near(big.RateHolds, 0.6) || !near(big.RateNot, 0.2) || !near(big.Lift, 1.5) || math.Abs(big.IV-0.49203) > 1e-5 {
		t.Errorf("big = %+v", big)
	}
	if demo.Holds != 4 || !near(demo.RateHolds, 0.5) || !near(demo.RateNot, 2.0/6) || math.Abs(demo.IV-0.08397) > 1e-5 {
		t.Errorf("demo = %+v", demo)
	}
	if big.Rank >= demo.Rank {
		t.Errorf("big ranks %d, demo %d: big carries more signal", big.Rank, demo.Rank)
	}
	for i := 1; i < len(r.Rules); i++ {
		if r.Rules[i].IV > r.Rules[i-1].IV || r.Rules[i].Rank != i+1 {
			t.Errorf("rules not ranked by information value: %+v", r.Rules)
		}
	}
	// robot (-10) holds for one lead, which did not convert: it agrees.
	if rb := rules["robot"]; rb.Holds != 1 || !rb.Agrees {
		t.Errorf("robot = %+v", rb)
	}
}

func TestAUCTies(t *testing.T) {
	for _, c := range []struct {
		scores []float64
		y      []bool
		want   float64
	}{
		{[]float64{1, 2, 3, 4}, []bool{false, false, true, true}, 1},
		{[]float64{1, 2, 3, 4}, []bool{true, true, false, false}, 0},
		{[]float64{5, 5, 5, 5}, []bool{true, false, true, false}, 0.5},
		// Pairs: (3 vs 1) win, (3 vs 3) half, (2 vs 1) win, (2 vs 3) loss.
		{[]float64{3, 2, 1, 3}, []bool{true, true, false, false}, 2.5 / 4},
	} {
		if got := backtest.AUC(c.scores, c.y); !near(got, c.want) {
			t.Errorf("AUC(%v, %v) = %v, want %v", c.scores, c.y, got, c.want)
		}
	}
	if got := backtest.AUC([]float64{1, 2}, []bool{true, true}); !math.IsNaN(got) {
		t.Errorf("AUC of one outcome = %v, want NaN", got)
	}
}

func TestMeasureOneOutcome(t *testing.T) {
	m := MustModel(t)
	d := MustRead(t, m, "outcome: converted\n", "converted,size\nyes,large\nyes,small\n")
	if _, err := backtest.Measure(d); !errors.Is(err, backtest.ErrOneOutcome) {
		t.Errorf("Measure = %v, want ErrOneOutcome", err)
	}
}

// problemTexts formats the problems of d.
func problemTexts(d *backtest.Data) string {
	var b strings.Builder
	for _, p := range d.Problems {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestBadInput(t *testing.T) {
	m := MustModel(t)
	for _, c := range []struct {
		name, mapping, csv string
		used, skipped      int
		problems           []string // each must appear in the problems
	}{
		{
			name:    "BOM, CRLF and a quoted newline",
			mapping: "outcome: converted\nextra: [notes]\n",
			csv:     "\uFEFFconverted,size,notes\r\nyes,large,\"two\r\nlines\"\r\nmaybe,small,x\r\nno,small,y\r\n",
			used:    2, skipped: 1,
			// The second lead spans lines 2 and 3: the third starts on line 4.
			problems: []string{`line 4, column "converted": unknown outcome "maybe"; converted: yes, true, 1, won, converted; not converted: no, false, 0, lost; the row is skipped`},
		},
		{
			name:     "a mapped column missing from the header",
			mapping:  "outcome: converted\nfields:\n  size: employees\n",
			csv:      "converted,industry\nyes,software\nno,retail\n",
			used:     2,
			problems: []string{`line 1, column "employees": no such column in the header; field size is missing from every lead (columns found: converted, industry)`},
		},
		{
			name:    "a short row",
			mapping: "outcome: converted\n",
			csv:     "converted,size,industry\nyes,large,software\nno,small\nno,mid,retail\n",
			used:    2, skipped: 1,
			problems: []string{`line 3, column "industry": 2 fields where the header names 3: the row ends before this column; the row is skipped`},
		},
		{
			name:     "a value the model rejects and a value map",
			mapping:  "outcome: {column: Won, positive: [won], negative: [lost]}\nfields:\n  size:\n    column: Employees\n    values: {\"1-10\": small, \"Enterprise\": large}\n",
			csv:      "won,employees\nwon,Enterprise\nlost,1-10\nlost,Huge\n",
			used:     3,
			problems: []string{`line 4, column "employees": field size: "Huge" is not one of its options (small, mid, large); the field is treated as missing`},
		},
		{
			name:    "bytes that are not UTF-8",
			mapping: "outcome: converted\nextra: [source]\n",
			csv:     "converted,industry,source\nyes,soft\xffware,ads\nno\xfe,retail,ads\nno,retail,a\xffds\n",
			used:    2, skipped: 1,
			problems: []string{
				`line 2, column "industry": field industry: "soft\xffware" is refused by the form (Industry contains characters that are not text); the field is treated as missing`,
				`line 3, column "converted": unknown outcome "no\xfe"`,
				`line 4, column "source": not UTF-8 text ("a\xffds"); the value is treated as missing`,
			},
		},
		{
			name:    "a stray quote",
			mapping: "outcome: converted\n",
			csv:     "converted,size\nyes,large\nno,sm\"all\nno,small\n",
			used:    2, skipped: 1,
			problems: []string{`line 3: bare " in non-quoted-field (at byte 6 of the line); the row is skipped`},
		},
		{
			name:    "a bad signal time and a bad instant",
			mapping: "outcome: converted\nat: created\nsignals:\n  demo: demo_at\n",
			csv:     "converted,created,demo_at\nyes,2026-03-01,2026-02-01\nno,2026-03-01,soon\nno,yesterday,\n",
			used:    2, skipped: 1,
			problems: []string{
				`line 3, column "demo_at": signal demo: "soon" is neither an instant (2026-03-31 or RFC 3339) nor yes/no; the signal is treated as missing`,
				`line 4, column "created": "yesterday" is not an instant like 2026-03-31 or 2026-03-31T09:30:00Z; the row is skipped`,
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := MustRead(t, m, c.mapping, c.csv)
			if d.Len() != c.used || d.Skipped != c.skipped {
				t.Errorf("used %d, skipped %d; want %d, %d\n%s", d.Len(), d.Skipped, c.used, c.skipped, problemTexts(d))
			}
			got := problemTexts(d)
			for _, p := range c.problems {
				if !strings.Contains(got, p) {
					t.Errorf("problems lack\n%s\ngot\n%s", p, got)
				}
			}
		})
	}
}

// TestValueMapAndDefaults checks that a value map turns a CSV value into
// an option and that a field not in the mapping reads its own column.
func TestValueMapAndDefaults(t *testing.T) {
	m := MustModel(t)
	d := MustRead(t, m, "outcome: converted\nfields:\n  size: {column: employees, values: {Enterprise: large}}\n",
		"converted,employees,industry\nyes,Enterprise,software\nno,enterprise,retail\n")
	// big (+2) from the mapped value, in either case; soft (+1) from the
	// industry column read by its own name.
	if d.Score[0] != 3 || d.Score[1] != 2 {
		t.Errorf("scores = %v, want [3 2]", d.Score)
	}
}

// TestLaterSignalsIgnored checks that a signal recorded after the lead's
// instant does not count: it happened after the lead was scored.
func TestLaterSignalsIgnored(t *testing.T) {
	m := MustModel(t)
	d := MustRead(t, m, "outcome: converted\nat: created\n",
		"converted,created,demo\nyes,2026-03-01,2026-02-01\nno,2026-03-01,2026-04-01\n")
	if d.Score[0] != 5 || d.Score[1] != 0 || d.Later != 1 {
		t.Errorf("scores = %v, later = %d; want [5 0], 1", d.Score, d.Later)
	}
}

func TestTooManyProblems(t *testing.T) {
	m := MustModel(t)
	csv := "converted,size\n" + strings.Repeat("maybe,large\n", 25) + "yes,large\nno,small\n"
	d := MustRead(t, m, "outcome: converted\n", csv)
	if len(d.Problems) != 10 || d.More != 15 || d.Skipped != 25 || d.Len() != 2 {
		t.Errorf("problems %d, more %d, skipped %d, used %d; want 10, 15, 25, 2", len(d.Problems), d.More, d.Skipped, d.Len())
	}
}

func TestUnknownOutcomeColumn(t *testing.T) {
	m := MustModel(t)
	_, err := backtest.Read(strings.NewReader("Converted?,size\nyes,large\n"), m, MustMapping(t, m, "outcome: converted\n"), backtest.Options{})
	var ce *backtest.ColumnError
	if !errors.As(err, &ce) {
		t.Fatalf("Read = %v, want a ColumnError", err)
	}
	if want := `the outcome column "converted" is not in the file; columns found: Converted?, size`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestMappingErrors(t *testing.T) {
	m := MustModel(t)
	for _, c := range []struct{ src, want string }{
		{"outcome: won\nfields:\n  emial: work_email\n", `mapping.yaml:3:3: fields: the model has no field "emial" (did you mean "email"?)`},
		{"outcome: won\nsignals:\n  demo: asked_demo\n  pricng: visited\n", `mapping.yaml:4:3: signals: the model has no signal "pricng" (did you mean "pricing"?)`},
		{"fields: {}\n", `mapping.yaml:1:1: outcome is missing`},
		{"outcome: won\nextras: [a]\n", `mapping.yaml:2:1: unknown key "extras" (did you mean "extra"?)`},
		{"outcome: {column: won, positive: [yes], negative: [YES]}\n", `"yes" is both positive and negative`},
		{"outcome: [won\n", `mapping.yaml:1:`},
	} {
		_, err := backtest.ParseMapping([]byte(c.src), "mapping.yaml", m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseMapping(%q) = %v, want %q", c.src, err, c.want)
		}
	}
}
