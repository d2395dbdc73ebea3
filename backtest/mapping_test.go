package backtest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/qualify"
)

// TestExtrasAreExtras: a column listed as extra is not read into the field
// of its name; one mapped under fields as well is, and its rules read the
// field.
func TestExtrasAreExtras(t *testing.T) {
	m := MustModel(t)
	const csv = "converted,size,demo\nyes,large,yes\nno,small,\n"
	d := MustRead(t, m, "outcome: converted\nextra: [{column: size, as: size_crm}, {column: demo, as: demo_crm}]\n", csv)
	// Neither big (+2) nor demo (+5): the columns are extras only.
	if !slices.Equal(d.Score, []float64{0, 0}) {
		t.Errorf("scores = %v, want [0 0]: extra columns read into the model", d.Score)
	}
	if len(d.Extra) != 2 || d.Extra[0].Attr != "size_crm" || d.Extra[0].Values[0] != "large" {
		t.Errorf("extras = %+v", d.Extra)
	}
	d = MustRead(t, m, "outcome: converted\nfields: {size: size}\nextra: [size]\n", csv)
	if !slices.Equal(d.Score, []float64{7, 0}) || d.Extra[0].Attr != "size" {
		t.Errorf("mapped and extra: scores %v, attribute %q; want [7 0], size", d.Score, d.Extra[0].Attr)
	}
}

// TestExtraSyntax: an extra column is a name or a mapping; its attribute
// is as:, or its name made a field name; its kind is engagement unless
// stated.
func TestExtraSyntax(t *testing.T) {
	m := MustModel(t)
	mp := MustMapping(t, m, `outcome: won
extra:
  - Time on site (min)
  - {column: lead_source, type: text, kind: fit, as: source}
  - column: "2nd visit"
    type: number
    kind: negative
`)
	want := []backtest.ExtraColumn{
		{Column: "Time on site (min)", Attr: "time_on_site_min", Kind: qualify.EngagementPoints},
		{Column: "lead_source", Attr: "source", Type: backtest.TypeText, Kind: qualify.Fit},
		{Column: "2nd visit", Attr: "x_2nd_visit", Type: backtest.TypeNumber, Kind: qualify.Negative},
	}
	if len(mp.Extra) != len(want) {
		t.Fatalf("extra = %+v", mp.Extra)
	}
	for i, w := range want {
		g := mp.Extra[i]
		if g.Column != w.Column || g.Attr != w.Attr || g.Type != w.Type || g.Kind != w.Kind {
			t.Errorf("extra %d = %+v, want %+v", i, g, w)
		}
	}
	if got := mp.Extra[1].Pos.String(); got != "mapping.yaml:4:6" {
		t.Errorf("extra 1 at %s, want mapping.yaml:4:6", got)
	}
	d := MustRead(t, m, "outcome: won\nextra: [{column: s, kind: behaviour}, Page Views]\n", "won,s,page views\nyes,a,1\nno,b,2\n")
	if d.Extra[0].Kind != qualify.BehaviourPoints || d.Extra[1].Kind != qualify.EngagementPoints || d.Extra[1].Attr != "page_views" {
		t.Errorf("extras = %+v, %+v", d.Extra[0], d.Extra[1])
	}
	if !slices.Equal(MustMapping(t, m, "outcome: won\n").Missing, backtest.DefaultMissing) {
		t.Error("no missing: does not give the defaults")
	}
}

// TestSignalValueMap: a signal column holding categories maps some of
// them to the signal; the others are no signal and no problem.
func TestSignalValueMap(t *testing.T) {
	m := MustModel(t)
	d := MustRead(t, m, "outcome: converted\nat: created\nsignals:\n  demo: {column: Lead Source, values: {\"Demo form\": yes, Chat: 2026-02-01, Spam: no}}\n",
		"converted,created,lead source\nyes,2026-03-01,Demo form\nno,2026-03-01,demo FORM\nno,2026-03-01,Web form\nno,2026-03-01,Chat\nno,2026-03-01,\n")
	if len(d.Problems) != 0 {
		t.Errorf("problems:\n%s", problemTexts(d))
	}
	if want := []float64{5, 5, 0, 5, 0}; !slices.Equal(d.Score, want) {
		t.Errorf("scores = %v, want %v", d.Score, want)
	}
	mp := MustMapping(t, m, "outcome: converted\nsignals:\n  demo: {column: src, values: {Demo: yes}}\n  pricing: visited\n")
	if len(mp.Signals) != 2 || mp.Signals[0].Column != "src" || mp.Signals[0].Values["Demo"] != "yes" || mp.Signals[1].Values != nil {
		t.Errorf("signals = %+v", mp.Signals)
	}
}

func TestMappingErrorsNew(t *testing.T) {
	m := MustModel(t)
	for _, c := range []struct{ src, want string }{
		{"outcome: won\nsignals:\n  demo: {column: src, values: {Demo: maybe}}\n",
			`mapping.yaml:3:38: signal demo: values: "Demo" must map to yes, no or an instant`},
		{"outcome: won\nsignals:\n  demo: {column: src, value: {Demo: yes}}\n", `mapping.yaml:3:23: signal demo: unknown key "value"`},
		{"outcome: won\nextra: [{column: a, type: numeric}]\n", `mapping.yaml:2:27: extra: type must be number or text`},
		{"outcome: won\nextra: [{column: a, kind: points}]\n", `mapping.yaml:2:27: extra: kind must be fit, engagement, behaviour or negative`},
		{"outcome: won\nextra: [{column: a, as: Source}]\n", `mapping.yaml:2:25: extra: as "Source" must start with a letter and hold only lower-case letters`},
		{"outcome: won\nextra: [{type: text}]\n", `mapping.yaml:2:10: extra: column is missing`},
		{"outcome: won\nextra: [{column: a, typ: text}]\n", `mapping.yaml:2:21: extra: unknown key "typ" (did you mean "type"?)`},
		{"outcome: won\nextra: [a, b, A]\n", `mapping.yaml:2:15: extra: "A" is listed twice (first at mapping.yaml:2:9)`},
		{"outcome: won\nextra:\n  - Size\n", `mapping.yaml:3:5: extra "Size": its attribute "size" is a field of the model the column is not read into`},
		{"outcome: won\nextra:\n  - {column: x, as: industry}\n", `mapping.yaml:3:21: extra "x": its attribute "industry" is a field of the model`},
		{"outcome: won\nextra: [pricing]\n", `mapping.yaml:2:9: extra "pricing": its attribute "pricing" is a signal of the model`},
		{"outcome: won\nextra: [Score]\n", `extra "Score": its attribute "score" is reserved`},
		{"outcome: won\nextra: [a-b, {column: c, as: a_b}]\n", `mapping.yaml:2:30: extra "c": its attribute "a_b" is already that of the column at mapping.yaml:2:9`},
		{"outcome: won\nmissing: NA\n", `mapping.yaml:2:10: missing must be a list`},
		{"outcome: won\nextra: a\n", `mapping.yaml:2:8: extra must be a list of columns`},
	} {
		_, err := backtest.ParseMapping([]byte(c.src), "mapping.yaml", m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseMapping(%q) = %v, want %q", c.src, err, c.want)
		}
	}
}
