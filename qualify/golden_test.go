package qualify_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/winnowhq/winnow/qualify"
)

var update = flag.Bool("update", false, "rewrite the golden outputs under testdata")

// testModel decodes testdata/model.txt, the canonical text of the model in
// testdata/content (go test ./load -update rewrites it).
func testModel(tb testing.TB) *qualify.Model {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "model.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := qualify.Decode(string(src))
	if err != nil {
		tb.Fatalf("testdata/model.txt: %v", err)
	}
	return m
}

// golden runs every txtar case in dir: run computes the output from the
// case's files, which must equal the file named out. With -update the output
// is written back; on a mismatch it is written to <case>.actual.
func golden(t *testing.T, dir, out string, run func(t *testing.T, files map[string]string) string) {
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no cases in testdata/%s", dir)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string]string{}
			for _, f := range ar.Files {
				files[f.Name] = string(f.Data)
			}
			got := run(t, files)
			if *update {
				found := false
				for i := range ar.Files {
					if ar.Files[i].Name == out {
						ar.Files[i].Data = []byte(got)
						found = true
					}
				}
				if !found {
					ar.Files = append(ar.Files, txtar.File{Name: out, Data: []byte(got)})
				}
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := files[out]; got != want {
				os.WriteFile(path+".actual", []byte(got), 0o644)
				t.Errorf("%s: output differs from -- %s -- (got written to %s.actual)\n--- got ---\n%s--- want ---\n%s", path, out, path, got, want)
			} else {
				os.Remove(path + ".actual")
			}
		})
	}
}

// parseLead reads a lead written one name=value per line: fields by name,
// signals as signal:name=DATE, the instant as at=DATE, and framework=NAME.
func parseLead(t *testing.T, m *qualify.Model, text string) (lead qualify.Lead, at int64, mm *qualify.Model) {
	t.Helper()
	input := qualify.Input{}
	signals := map[int]int64{}
	mm = m
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("lead line %q: want name=value", line)
		}
		switch {
		case name == "at":
			at = instant(t, value)
		case name == "framework":
			c := *m
			c.Framework = m.FrameworkIndex(value)
			if c.Framework < 0 {
				t.Fatalf("unknown framework %q", value)
			}
			mm = &c
		case strings.HasPrefix(name, "signal:"):
			i := m.SignalIndex(strings.TrimPrefix(name, "signal:"))
			if i < 0 {
				t.Fatalf("unknown signal in %q", line)
			}
			signals[i] = instant(t, value)
		default:
			input[name] = value
		}
	}
	lead, errs := m.Lead(input, at)
	if len(errs) > 0 {
		t.Fatalf("lead: %v", errs)
	}
	for i, ts := range signals {
		lead.Signals[i] = ts
	}
	return lead, at, mm
}

func instant(t *testing.T, s string) int64 {
	t.Helper()
	date, clock, hasClock := strings.Cut(s, "T")
	d, ok := qualify.ParseDate(date)
	if !ok {
		t.Fatalf("bad date %q", s)
	}
	if hasClock {
		h, err1 := strconv.Atoi(clock[:2])
		mi, err2 := strconv.Atoi(clock[3:5])
		if err1 != nil || err2 != nil {
			t.Fatalf("bad time %q", s)
		}
		d += int64(h*3600 + mi*60)
	}
	return d
}

// TestRuleGolden runs the cases of the rule language: parse, print, check
// against the test model, the analysis, and the rule's value for a lead.
func TestRuleGolden(t *testing.T) {
	m := testModel(t)
	golden(t, "rules", "out", func(t *testing.T, files map[string]string) string {
		src := strings.TrimSuffix(files["rule"], "\n")
		ctx := qualify.InStage
		switch strings.TrimSpace(files["context"]) {
		case "point":
			ctx = qualify.InPoint
		case "criterion":
			ctx = qualify.InCriterion
		case "ask":
			ctx = qualify.InAsk
		}
		var b bytes.Buffer
		e, err := qualify.Parse(src)
		if err != nil {
			re := err.(*qualify.RuleError)
			b.WriteString("parse error: col " + strconv.Itoa(re.Off+1) + ": " + re.Msg + "\n")
			return b.String()
		}
		printed := qualify.Print(e)
		b.WriteString("print: " + printed + "\n")
		again, err := qualify.Parse(printed)
		if err != nil || !qualify.Equal(e, again) || qualify.Print(again) != printed {
			t.Errorf("Parse(Print(x)) != x for %q (printed %q, err %v)", src, printed, err)
		}
		errs := m.Check(e, ctx)
		if len(errs) > 0 {
			for _, ce := range errs {
				b.WriteString("check error: col " + strconv.Itoa(ce.Off+1) + ": " + ce.Msg + "\n")
			}
			return b.String()
		}
		b.WriteString("check: ok\n")
		b.WriteString("never: " + strconv.FormatBool(m.Never(e)) + "\n")
		b.WriteString("always: " + strconv.FormatBool(m.Always(e)) + "\n")
		if text, ok := files["lead"]; ok {
			lead, at, mm := parseLead(t, m, text)
			v := qualify.Evaluate(mm, &lead, at)
			holds := qualify.Holds(mm, &qualify.Rule{Expr: e}, &lead, at, &v)
			b.WriteString("holds: " + strconv.FormatBool(holds) + "\n")
		}
		return b.String()
	})
}

// TestEvaluateGolden runs the cases of Evaluate on the test model.
func TestEvaluateGolden(t *testing.T) {
	m := testModel(t)
	golden(t, "evaluate", "verdict", func(t *testing.T, files map[string]string) string {
		lead, at, mm := parseLead(t, m, files["lead"])
		v := qualify.Evaluate(mm, &lead, at)
		again := qualify.Evaluate(mm, &lead, at)
		if again.Score != v.Score || again.Stage != v.Stage || len(again.Reasons) != len(v.Reasons) {
			t.Errorf("Evaluate is not deterministic: %+v then %+v", v, again)
		}
		return formatVerdict(mm, v)
	})
}

func formatVerdict(m *qualify.Model, v qualify.Verdict) string {
	var b strings.Builder
	w := func(k, v string) { b.WriteString(k + ": " + v + "\n") }
	w("stage", v.Stage+" ("+v.Funnel.String()+")")
	w("fit", v.Fit+" ("+strconv.Itoa(v.FitPoints)+" fit points)")
	w("score", qualify.FormatNumber(v.Score))
	w("tier", v.Tier)
	var met []string
	if m.Framework >= 0 {
		for i, c := range m.Frameworks[m.Framework].Criteria {
			if v.Criteria&(1<<i) != 0 {
				met = append(met, c.Name)
			}
		}
	}
	w("framework", v.Framework+" ["+strings.Join(met, " ")+"]")
	w("next", v.Next.Kind.String()+" "+strconv.Quote(v.Next.Label)+" "+v.Next.URL)
	b.WriteString("reasons:\n")
	for _, r := range v.Reasons {
		_, pos := r.Rule(m)
		b.WriteString("  " + r.Format(m) + " @ " + pos.String() + "\n")
	}
	return b.String()
}
