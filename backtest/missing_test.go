package backtest_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestMissingValues: blanks and placeholders are missing in extra columns
// (code -1, NaN, counted) and empty answers to fields, whatever their
// case; a value map and an option of the field win over the list.
func TestMissingValues(t *testing.T) {
	m := MustModel(t)
	d := MustRead(t, m, "outcome: converted\nextra: [minutes, source]\n",
		"converted,size,minutes,source\n"+
			"yes,large,12,web\n"+
			"no,Select,NA,  select  \n"+
			"no,n/a,,Please select\n"+
			"yes,mid,3.5,chat\n"+
			"no,-- Select --,n/a,web\n")
	if len(d.Problems) != 0 {
		t.Errorf("placeholders are problems:\n%s", problemTexts(d))
	}
	// big (+2) for large and mid only; the placeholders are no answer.
	if want := []float64{2, 0, 0, 2, 0}; !slices.Equal(d.Score, want) {
		t.Errorf("scores = %v, want %v", d.Score, want)
	}
	minutes, source := d.Extra[0], d.Extra[1]
	if !minutes.Numeric() || minutes.Missing != 3 || !slices.Equal(minutes.Code, []int32{0, -1, -1, 1, -1}) {
		t.Errorf("minutes: numeric %v, missing %d, codes %v; want numeric, 3 missing, [0 -1 -1 1 -1]", minutes.Numeric(), minutes.Missing, minutes.Code)
	}
	for i, want := range []float64{12, math.NaN(), math.NaN(), 3.5, math.NaN()} {
		if got := minutes.Num[i]; got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("minutes row %d = %v, want %v", i, got, want)
		}
	}
	if source.Numeric() || source.Missing != 2 || !slices.Equal(source.Values, []string{"web", "chat"}) || !slices.Equal(source.Counts, []int{2, 1}) {
		t.Errorf("source: numeric %v, missing %d, values %q %v; want text, 2 missing, [web chat] [2 1]",
			source.Numeric(), source.Missing, source.Values, source.Counts)
	}

	// A list of its own replaces the defaults; an empty cell is missing
	// still; a value map entry and an option of the field are answers.
	d = MustRead(t, m, "outcome: converted\nmissing: [\"n.v.\", large, huge]\nfields:\n  size: {column: size, values: {huge: large}}\nextra: [minutes]\n",
		"converted,size,minutes\nyes,large,n.v.\nno,huge,NA\nno,small,\n")
	if want := []float64{2, 2, 0}; !slices.Equal(d.Score, want) {
		t.Errorf("with missing: [n.v., large, huge]: scores = %v, want %v", d.Score, want)
	}
	if x := d.Extra[0]; x.Missing != 2 || x.Numeric() || !slices.Equal(x.Values, []string{"NA"}) {
		t.Errorf("with missing: [n.v.]: missing %d, numeric %v, values %q; want 2, text, [NA]", x.Missing, x.Numeric(), x.Values)
	}
}

// TestSignalMissing: a placeholder in a signal column is no signal, not
// a problem.
func TestSignalMissing(t *testing.T) {
	m := MustModel(t)
	d := MustRead(t, m, "outcome: converted\n", "converted,demo\nyes,NA\nno,yes\nno,?\n")
	if len(d.Problems) != 0 || !slices.Equal(d.Score, []float64{0, 5, 0}) {
		t.Errorf("scores %v, problems:\n%s", d.Score, problemTexts(d))
	}
}

// numbers is a CSV of n leads whose column x holds numbers, then the
// given values, one per lead.
func numbers(n int, others ...string) string {
	var b strings.Builder
	b.WriteString("converted,x\n")
	for i := range n {
		fmt.Fprintf(&b, "%s,%d\n", []string{"yes", "no"}[i%2], i)
	}
	for _, v := range others {
		b.WriteString("no," + v + "\n")
	}
	return b.String()
}

// TestNumericByShare: a column with at least 95 % numbers among its
// present values is numeric, the others missing, with one problem that
// names the column, how many and the first lines; one with fewer is text;
// the mapping's type decides over the share.
func TestNumericByShare(t *testing.T) {
	m := MustModel(t)
	d := MustRead(t, m, "outcome: converted\nextra: [x]\n", numbers(38, "ten", "NA", "12 min"))
	x := d.Extra[0]
	if !x.Numeric() {
		t.Fatalf("38 numbers and 2 texts (95%%): not numeric; values %q", x.Values)
	}
	if x.Missing != 3 || x.Code[38] != -1 || x.Code[40] != -1 || !math.IsNaN(x.Num[38]) || slices.Contains(x.Values, "ten") || len(x.Values) != 38 {
		t.Errorf("missing %d, codes %v, values %q; want 3 missing (NA and the texts), only numbers kept", x.Missing, x.Code[36:], x.Values)
	}
	if len(d.Problems) != 1 || d.Problems[0].Line != 40 || d.Problems[0].Column != "x" {
		t.Fatalf("problems:\n%s\nwant one about column x at line 40", problemTexts(d))
	}
	for _, want := range []string{"2 values that are not numbers", "95.0%", `line 40 ("ten"), line 42 ("12 min")`, "type: text"} {
		if !strings.Contains(d.Problems[0].Message, want) {
			t.Errorf("problem %q lacks %q", d.Problems[0].Message, want)
		}
	}
	if len(d.Groups) != 1 || d.Groups[0].Count != 2 || len(d.Groups[0].Examples) != 2 {
		t.Errorf("groups = %+v, want one of 2", d.Groups)
	}

	d = MustRead(t, m, "outcome: converted\nextra: [x]\n", numbers(18, "ten", "eleven"))
	if x := d.Extra[0]; x.Numeric() || len(d.Problems) != 0 || x.Missing != 0 || len(x.Values) != 20 {
		t.Errorf("18 numbers, 2 texts (90%%): numeric %v, missing %d, %d values, problems %v; want text, 0, 20, none",
			x.Numeric(), x.Missing, len(x.Values), d.Problems)
	}
	d = MustRead(t, m, "outcome: converted\nextra: [{column: x, type: text}]\n", numbers(10))
	if d.Extra[0].Numeric() {
		t.Error("type: text read as numbers")
	}
	d = MustRead(t, m, "outcome: converted\nextra: [{column: x, type: number}]\n", numbers(5, "a", "b", "c", "d", "e"))
	if x := d.Extra[0]; !x.Numeric() || x.Missing != 5 || len(d.Groups) != 1 || d.Groups[0].Count != 5 || len(d.Groups[0].Examples) != 3 {
		t.Errorf("type: number, half texts: numeric %v, missing %d, groups %+v; want numeric, 5, one group of 5 with 3 examples",
			x.Numeric(), x.Missing, d.Groups)
	}
}

// TestGroupedProblems: a problem on many rows is one line with its count,
// the field's options and the first values, before and after the value
// map.
func TestGroupedProblems(t *testing.T) {
	m := MustModel(t)
	csv := "converted,employees\n" + strings.Repeat("no,Großunternehmen\nyes,Huge\n", 20) + "no,small\n"
	d := MustRead(t, m, "outcome: converted\nfields:\n  size: {column: employees, values: {Großunternehmen: enterprise}}\n", csv)
	if len(d.Groups) != 1 {
		t.Fatalf("groups = %+v, want one", d.Groups)
	}
	g := d.Groups[0]
	if g.Count != 40 || g.Column != "employees" || len(g.Examples) != 3 || g.Examples[0].Mapped != "enterprise" || g.Examples[1].Value != "Huge" {
		t.Errorf("group = %+v", g)
	}
	var b bytes.Buffer
	d.WriteProblems(&b, "leads.csv")
	want := "\nproblems (40)\n" +
		`  leads.csv, column "employees": 40 times: field size: not one of its options (small, mid, large); the field is treated as missing; ` +
		`line 2 ("Großunternehmen" → "enterprise"), line 3 ("Huge"), line 4 ("Großunternehmen" → "enterprise"), …` + "\n"
	if got := b.String(); got != want {
		t.Errorf("WriteProblems:\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(b.String(), "Select one of") {
		t.Error("the problem is the form's message to visitors")
	}
}
