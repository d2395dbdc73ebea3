package demo_test

import (
	"bytes"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/demo"
)

// TestCSVLikeAnExport: the CSV has what real exports have. Blanks and
// placeholders stand for some answers; visits_before_form is a skewed
// count with some "NA" whose conversion rate rises then falls;
// current_crm says little by its answer and much by whether there is one.
func TestCSVLikeAnExport(t *testing.T) {
	rs := rows(t, 20000)
	placeholders := map[string]int{}
	var low, mid, high, answered, skipped share
	byCRM := map[string]*share{}
	var counts []float64
	na := 0
	for _, r := range rs {
		for _, f := range []string{"industry", "role", "seniority", "how_heard", "need", "timeline"} {
			if v := r[f]; v == "" || v == "Select..." || v == "Please select" || v == "-- select --" {
				placeholders[f]++
			}
		}
		if v := r["visits_before_form"]; v == "NA" {
			na++
		} else {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				t.Fatalf("visits_before_form %q", v)
			}
			counts = append(counts, float64(n))
			switch {
			case n <= 2:
				low.add(r)
			case n >= 4 && n <= 10:
				mid.add(r)
			case n >= 20:
				high.add(r)
			}
		}
		if v := r["current_crm"]; v == "" || v == "Select" {
			skipped.add(r)
		} else {
			answered.add(r)
			if byCRM[v] == nil {
				byCRM[v] = &share{}
			}
			byCRM[v].add(r)
		}
	}
	for _, f := range []string{"industry", "role", "seniority", "how_heard", "need", "timeline"} {
		if placeholders[f] < 200 {
			t.Errorf("%s: %d blanks or placeholders in 20,000 rows, want some", f, placeholders[f])
		}
	}
	if na < 500 || na > 1100 {
		t.Errorf("visits_before_form: %d NA in 20,000, want about 4 %%", na)
	}
	slices.Sort(counts)
	mean := 0.0
	for _, c := range counts {
		mean += c / float64(len(counts))
	}
	if median := counts[len(counts)/2]; mean < 1.5*median {
		t.Errorf("visits_before_form: mean %.2f, median %v; want a skewed count", mean, median)
	}
	for _, c := range []struct {
		name          string
		better, worse share
	}{
		{"4 to 10 visits, 1 or 2", mid, low},
		{"4 to 10 visits, 20 or more", mid, high},
		{"current_crm answered, not", answered, skipped},
	} {
		if ok, z := differ(c.better, c.worse); !ok || z < 5 {
			t.Errorf("%s: converted %.3f vs %.3f (%.1f standard errors), want far more", c.name, c.better.rate(), c.worse.rate(), z)
		}
	}
	for v, s := range byCRM {
		if ok, z := differ(*s, answered); ok {
			t.Errorf("current_crm %s: converted %.3f vs %.3f of all answers (%.1f standard errors), want no clear difference", v, s.rate(), answered.rate(), z)
		}
	}
}

// TestCSVBacktest: winnow backtest reads the CSV through the mapping with
// the shipped model: every row used, no problem, the placeholders missing,
// visits_before_form numeric with its NA missing, current_crm text.
func TestCSVBacktest(t *testing.T) {
	c, diags := content.Load(os.DirFS("../../content"), "content")
	if len(diags) > 0 {
		t.Fatalf("the shipped content does not load:\n%v", diags)
	}
	mp, err := backtest.ParseMapping([]byte(demo.Mapping()), "mapping.yaml", c.Model)
	if err != nil {
		t.Fatalf("the demo's mapping: %v\n%s", err, demo.Mapping())
	}
	d, err := backtest.Read(bytes.NewReader(csvOf(t, demo.NewGenerator(2, end).Leads(0, 5000))), c.Model, mp, backtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 5000 || len(d.Problems) != 0 {
		t.Errorf("%d of 5000 rows used; problems: %v", d.Len(), d.Problems)
	}
	extra := map[string]*backtest.Extra{}
	for _, x := range d.Extra {
		extra[x.Name] = x
	}
	if len(extra) != len(demo.ExtraColumns) {
		t.Fatalf("extras %v, want %v", slices.Collect(func(yield func(string) bool) {
			for k := range extra {
				yield(k)
			}
		}), demo.ExtraColumns)
	}
	v, crm := extra["visits_before_form"], extra["current_crm"]
	if !v.Numeric() || v.Missing < 100 || v.Missing > 300 || slices.Contains(v.Values, "NA") {
		t.Errorf("visits_before_form: numeric %v, %d missing; want numeric, about 200", v.Numeric(), v.Missing)
	}
	for i, code := range v.Code {
		if (code < 0) != math.IsNaN(v.Num[i]) {
			t.Fatalf("visits_before_form row %d: code %d, number %v", i, code, v.Num[i])
		}
	}
	if crm.Numeric() || crm.Missing < 2000 || len(crm.Values) != 6 {
		t.Errorf("current_crm: numeric %v, %d missing, values %q; want text, most missing, 6 values", crm.Numeric(), crm.Missing, crm.Values)
	}
	if x := extra["time_on_site_minutes"]; !x.Numeric() || x.Kind.String() != "engagement" {
		t.Errorf("time_on_site_minutes: numeric %v, kind %v", x.Numeric(), x.Kind)
	}
	if v.Kind.String() != "behaviour" || v.Attr != "visits_before_form" {
		t.Errorf("visits_before_form: kind %v, attribute %q", v.Kind, v.Attr)
	}
}
