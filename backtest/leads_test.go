package backtest_test

import (
	"slices"
	"testing"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// TestBuilderMatchesRead builds the ten leads of tenLeads, and two with
// signals dated before and after their instant, one at a time, and checks
// that the Data is the one Read makes of them as a CSV.
func TestBuilderMatchesRead(t *testing.T) {
	m := MustModel(t)
	want := MustRead(t, m, "outcome: converted\nat: created\nextra: [source]\n",
		"converted,created,size,industry,demo,pricing,website,source\n"+
			"yes,2026-03-02,large,software,yes,yes,,ads\n"+
			"yes,2026-03-02,mid,retail,yes,,,web\n"+
			"no,2026-03-02,small,software,yes,,,\n"+
			"yes,2026-03-02,large,retail,,yes,,ads\n"+
			"no,2026-03-02,small,retail,,yes,,web\n"+
			"no,2026-03-02,mid,software,,,,\n"+
			"no,2026-03-02,small,other,,,,ads\n"+
			"no,2026-03-02,small,other,,,http://spam.example,web\n"+
			"no,2026-03-02,large,software,yes,,,\n"+
			"yes,2026-03-02,small,software,,yes,,ads\n"+
			"yes,2026-03-01,mid,huge,2026-02-01,,,web\n"+
			"no,2026-03-01,small,software,2026-04-01,2026-02-20,,\n")
	day := func(s string) int64 {
		t.Helper()
		at, ok := content.ParseInstant(s)
		if !ok {
			t.Fatalf("bad instant %q", s)
		}
		return at
	}
	type lead struct {
		size, industry, website string
		demo, pricing           int64
		converted               bool
	}
	at := day("2026-03-02")
	yes := at
	leads := []lead{
		{"large", "software", "", yes, yes, true}, {"mid", "retail", "", yes, 0, true}, {"small", "software", "", yes, 0, false},
		{"large", "retail", "", 0, yes, true}, {"small", "retail", "", 0, yes, false}, {"mid", "software", "", 0, 0, false},
		{"small", "other", "", 0, 0, false}, {"small", "other", "http://spam.example", 0, 0, false},
		{"large", "software", "", yes, 0, false}, {"small", "software", "", 0, yes, true},
	}
	sources := []string{"ads", "web", ""}
	b := backtest.NewBuilder(m, &backtest.Extra{Name: "source", Attr: "source"})
	for i, l := range leads {
		in := qualify.Input{"size": l.size, "industry": l.industry, "website": l.website}
		if errs := b.Add(in, map[string]int64{"demo": l.demo, "pricing": l.pricing}, at, l.converted, sources[i%3]); len(errs) > 0 {
			t.Errorf("Add: %v", errs)
		}
	}
	at = day("2026-03-01")
	errs := b.Add(qualify.Input{"size": "mid", "industry": "huge"}, map[string]int64{"demo": day("2026-02-01"), "unknown": 1}, at, true, "web")
	if len(errs) != 1 || errs[0].Field != "industry" || errs[0].Code != qualify.CodeOption {
		t.Errorf("Add of an unknown industry: errors %v, want one of industry's options", errs)
	}
	b.Add(qualify.Input{"size": "small", "industry": "software"}, map[string]int64{"demo": day("2026-04-01"), "pricing": day("2026-02-20")}, at, false, "")
	got := b.Data()
	got.Read = want.Read

	if !slices.Equal(got.Score, want.Score) || !slices.Equal(got.Stage, want.Stage) || !slices.Equal(got.Grade, want.Grade) ||
		!slices.Equal(got.Outcome, want.Outcome) || got.Later != want.Later || got.Len() != want.Len() {
		t.Fatalf("Builder made\nscores %v stages %v grades %v outcomes %v later %d\nRead made\nscores %v stages %v grades %v outcomes %v later %d",
			got.Score, got.Stage, got.Grade, got.Outcome, got.Later, want.Score, want.Stage, want.Grade, want.Outcome, want.Later)
	}
	for i := range want.Len() {
		for r := range m.Points {
			if got.Holds(i, r) != want.Holds(i, r) {
				t.Errorf("lead %d, rule %s: holds %v, Read says %v", i, m.Points[r].Name, got.Holds(i, r), want.Holds(i, r))
			}
		}
	}
	if x, y := got.Extra[0], want.Extra[0]; !slices.Equal(x.Code, y.Code) || !slices.Equal(x.Values, y.Values) {
		t.Errorf("extra source: codes %v values %q; Read: codes %v values %q", x.Code, x.Values, y.Code, y.Values)
	}
	if _, err := backtest.Measure(got); err != nil {
		t.Fatal(err)
	}
}
