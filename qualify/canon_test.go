package qualify_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/qualify"
)

func TestCanonicalRoundTrip(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "model.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := qualify.Decode(string(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := qualify.Encode(m); got != string(src) {
		t.Errorf("Encode(Decode(text)) differs from text:\n%s", got)
	}
	back, err := qualify.Decode(qualify.Encode(m))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Error("Decode(Encode(m)) differs from m")
	}
}

// TestDecodeErrors checks that broken canonical text is refused with the
// line of the problem.
func TestDecodeErrors(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "model.txt"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(src)
	lines := strings.Split(strings.TrimSuffix(good, "\n"), "\n")
	replace := func(i int, line string) string {
		c := append([]string(nil), lines...)
		c[i] = line
		return strings.Join(c, "\n") + "\n"
	}
	find := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return i
			}
		}
		t.Fatalf("no line starts with %q", prefix)
		return -1
	}
	field := find("field email ")
	point := find(`point "industry" `)
	stage := find(`stage "mql" `)
	lost := find(`hubspot "dealstage" "closedlost" `)
	form := find("form demo ")
	withLost := func(tail string) string { return replace(lost, lines[lost][:strings.Index(lines[lost], ` ""`)]+tail) }
	hubspotErr := "line " + strconv.Itoa(lost+1) + ": a hubspot record must give a signal of the model, won, or lost and a close reason of the model"
	cases := []struct {
		name, text, want string
	}{
		{"empty", "", "empty text"},
		{"header", "winnow-model 2\n", "line 1: not a model"},
		{"cut short", strings.Join(lines[:len(lines)/2], "\n"), "missing end"},
		{"after end", good + "field x text 0 0 0 0 0 @-:0:0 \"\" \"\" \"\" \"\" \"\"\n", "text after end"},
		{"unknown record", replace(field, "feild email email"), `unknown record "feild"`},
		{"bad type", replace(field, strings.Replace(lines[field], " email 1 ", " mail 1 ", 1)), "unknown field type"},
		{"bad name", replace(field, strings.Replace(lines[field], "field email", "field 1email", 1)), `invalid name "1email"`},
		{"short line", replace(field, "field email email 1"), "line ends too early"},
		{"bad number", replace(field, strings.Replace(lines[field], " 1 0 0 0 0 ", " x 0 0 0 0 ", 1)), "expected a whole number"},
		{"bad position", replace(field, strings.Replace(lines[field], "@0:", "@99:", 1)), "unknown file in position"},
		{"unterminated string", replace(field, lines[field]+` "abc`), "string is not terminated"},
		{"trailing words", replace(field, lines[field]+` "" extra`), `unexpected "extra"`},
		{"unknown signal", replace(point, strings.Replace(lines[point], `"industry" fit 2 -`, `"industry" fit 2 nosuch`, 1)), "unknown signal"},
		{"rule cut short", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+" : >= fit"), "rule: rule ends too early"},
		{"rule too long", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : >= fit "B" 1`), `after the end of the rule`},
		{"rule word", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : && fit "B"`), `unknown word "&&"`},
		{"rule count", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : in/0 fit`), `the list after in is empty`},
		{"rule string", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : == name "a\q"`), `invalid string`},
		{"rule unknown name", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+" : > nosuch 1"), "line " + strconv.Itoa(stage+1) + ": the rule is not valid here"},
		{"rule type", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : > fit 1`), "the rule is not valid here"},
		{"rule context", replace(point, lines[point][:strings.Index(lines[point], " : ")]+` : > score 1`), "the rule is not valid here"},
		{"rule not a condition", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : + 1 2`), "the rule is not valid here"},
		{"option first", "winnow-model 1\noption \"a\" \"a\" \"\"\nend\n", "option before any field"},
		{"reason name", replace(find("reason no_budget "), `reason no-budget @2:12:5 "No budget"`), `invalid name "no-budget"`},
		{"reason label", replace(find("reason no_budget "), `reason no_budget @2:12:5`), "expected a quoted string"},
		{"hubspot nothing", withLost(""), hubspotErr},
		{"hubspot unknown signal", withLost(` "nosuch"`), hubspotErr},
		{"hubspot signal and outcome", withLost(` "accepted" "won"`), hubspotErr},
		{"hubspot other outcome", withLost(` "" "maybe"`), hubspotErr},
		{"hubspot lost without reason", withLost(` "" "lost"`), hubspotErr},
		{"hubspot unknown reason", withLost(` "" "lost" "no_money"`), hubspotErr},
		{"hubspot won with reason", withLost(` "" "won" "no_budget"`), hubspotErr},
		{"form unknown signal", replace(form, "form demo nosuch @11:1:1"), "form demo names unknown signal"},
		{"form twice", replace(form+2, "form demo newsletter @12:1:1"), "form demo is defined twice"},
		{"form name", replace(form, "form 1demo demo @11:1:1"), `invalid name "1demo"`},
		{"asks unknown field", replace(form+1, "asks email nosuch"), `form demo asks unknown field "nosuch"`},
		{"asks twice", replace(form+1, "asks email =email"), "form demo asks email twice"},
		{"asks extra twice", replace(form+1, "asks email +email"), "form demo asks email twice"},
		{"asks first", "winnow-model 1\nasks email\nend\n", "asks before any form"},
		{"asks nothing", replace(form+1, "asks +phone"), "form demo asks no question"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := qualify.Decode(c.text)
			if err == nil {
				t.Fatalf("Decode succeeded (%d fields), want an error containing %q", len(m.Fields), c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Decode error = %q, want it to contain %q", err, c.want)
			}
			if _, ok := err.(*qualify.DecodeError); !ok {
				t.Errorf("error is %T, want *qualify.DecodeError", err)
			}
		})
	}
}

// TestCanonicalAttribute checks that a field recorded from the visit keeps
// what it is through the canonical text: an attribute, hidden, never a
// honeypot; and that the other hidden text field stays one.
func TestCanonicalAttribute(t *testing.T) {
	m := &qualify.Model{Framework: -1, Fields: []qualify.Field{
		{Name: "website", Type: qualify.Text, Label: "Leave this field empty", Hidden: true},
		{Name: "utm_source", Type: qualify.Text, Label: "Campaign source (utm_source)", Hidden: true, Attribute: true, MaxLen: 200},
		{Name: "landing_page", Type: qualify.Text, Label: "Landing page", Hidden: true, Attribute: true, MaxLen: 200},
		{Name: "fill_seconds", Type: qualify.Number, Hidden: true},
	}}
	text := qualify.Encode(m)
	if !strings.Contains(text, "\nfield utm_source text 18 0 200 ") {
		t.Errorf("the attribute field's flags are not 18 (hidden and attribute):\n%s", text)
	}
	back, err := qualify.Decode(text)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Fields, m.Fields) {
		t.Errorf("Decode(Encode(m)) has other fields than m:\n%+v\n%+v", back.Fields, m.Fields)
	}
	if again := qualify.Encode(back); again != text {
		t.Errorf("Encode(Decode(text)) differs from text:\n%s", again)
	}
	for _, c := range []struct {
		name                string
		attribute, honeypot bool
	}{{"website", false, true}, {"utm_source", true, false}, {"landing_page", true, false}, {"fill_seconds", false, false}} {
		f := &back.Fields[back.FieldIndex(c.name)]
		if f.Attribute != c.attribute || f.Honeypot() != c.honeypot {
			t.Errorf("%s: Attribute = %v, Honeypot() = %v; want %v, %v", c.name, f.Attribute, f.Honeypot(), c.attribute, c.honeypot)
		}
	}
}

// TestCanonicalCRM checks that what the model says about the CRM keeps
// through the canonical text: each stage's name in the CRM, the close
// reasons, the reason signals and the hubspot map; that the lookups find
// what they should; and that Decode refuses a hubspot rule recording a
// reason signal, which HubSpot's report gives no reason for.
func TestCanonicalCRM(t *testing.T) {
	at := func(line int) qualify.Pos { return qualify.Pos{File: "content/model.yaml", Line: line, Col: 5} }
	m := &qualify.Model{Framework: -1,
		Signals: []qualify.Signal{
			{Name: "accepted", Kind: qualify.Sales, Label: "Sales accepted the lead"},
			{Name: "disqualified", Kind: qualify.Sales, Label: "Disqualified by sales", Reason: true},
		},
		CloseReasons: []qualify.CloseReason{
			{Name: "no_budget", Label: "No budget", Pos: at(3)},
			{Name: "chose_competitor", Label: `Chose "another" vendor`, Pos: at(4)},
		},
		HubSpot: []qualify.CRMRule{
			{Property: "lifecyclestage", Value: "salesqualifiedlead", Signal: "accepted", Pos: at(7)},
			{Property: "dealstage", Value: "closedwon", Outcome: "won", Pos: at(9)},
			{Property: "dealstage", Value: "closedlost", Outcome: "lost", Reason: "chose_competitor", Pos: at(10)},
			{Property: "dealstage", Value: "12345", Outcome: "lost", Reason: "no_budget"},
		},
	}
	rule, errs := m.Compile("known(accepted)", qualify.InStage)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	qualify.StripOffsets(&qualify.Rule{Expr: rule})
	m.Stages = []qualify.Stage{
		{Name: "new", Funnel: qualify.TOFU, CRMStage: "lead"},
		{Name: "custom", Funnel: qualify.MOFU, CRMStage: "1234567", Rule: &qualify.Rule{Expr: rule}},
		{Name: "sal", Funnel: qualify.MOFU, Rule: &qualify.Rule{Expr: rule}},
	}
	text := qualify.Encode(m)
	for _, want := range []string{
		"\nsignal accepted sales 0 0 @-:0:0 \"Sales accepted the lead\"\n",
		"\nsignal disqualified sales 1 0 @-:0:0 \"Disqualified by sales\"\n",
		"\nreason chose_competitor @0:4:5 \"Chose \\\"another\\\" vendor\"\n",
		"\nhubspot \"lifecyclestage\" \"salesqualifiedlead\" @0:7:5 \"accepted\"\n",
		"\nhubspot \"dealstage\" \"closedwon\" @0:9:5 \"\" \"won\"\n",
		"\nhubspot \"dealstage\" \"12345\" @-:0:0 \"\" \"lost\" \"no_budget\"\n",
		` "lead"` + "\n",
		` "1234567" @-:0:0 : known/1 accepted` + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
	back, err := qualify.Decode(text)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Signals, m.Signals) || !reflect.DeepEqual(back.CloseReasons, m.CloseReasons) ||
		!reflect.DeepEqual(back.HubSpot, m.HubSpot) || !reflect.DeepEqual(back.Stages, m.Stages) {
		t.Errorf("Decode(Encode(m)) differs from m:\n%+v\n%+v", back, m)
	}
	if again := qualify.Encode(back); again != text {
		t.Errorf("Encode(Decode(text)) differs from text:\n%s", again)
	}

	for _, c := range []struct {
		property, value string
		ok              bool
		outcome, reason string
	}{
		{"dealstage", "closedlost", true, "lost", "chose_competitor"},
		{"dealstage", "12345", true, "lost", "no_budget"},
		{"dealstage", "closedwon", true, "won", ""},
		{"lifecyclestage", "salesqualifiedlead", true, "", ""},
		{"dealstage", "salesqualifiedlead", false, "", ""},
		{"lifecyclestage", "closedwon", false, "", ""},
		{"dealstage", "ClosedLost", false, "", ""},
		{"", "", false, "", ""},
	} {
		r, ok := back.HubSpotRule(c.property, c.value)
		if ok != c.ok || r.Outcome != c.outcome || r.Reason != c.reason || ok && (r.Property != c.property || r.Value != c.value) {
			t.Errorf("HubSpotRule(%q, %q) = %+v, %v", c.property, c.value, r, ok)
		}
	}
	if r, _ := back.HubSpotRule("lifecyclestage", "salesqualifiedlead"); r.Signal != "accepted" || r.Pos != at(7) {
		t.Errorf("HubSpotRule(lifecyclestage, salesqualifiedlead) = %+v, want the signal accepted at %s", r, at(7))
	}
	for name, want := range map[string]int{"no_budget": 0, "chose_competitor": 1, "No budget": -1, "": -1, "no_decision": -1} {
		if got := back.CloseReasonIndex(name); got != want {
			t.Errorf("CloseReasonIndex(%q) = %d, want %d", name, got, want)
		}
	}

	bad := strings.Replace(text, `"dealstage" "closedwon" @0:9:5 "" "won"`, `"dealstage" "closedwon" @0:9:5 "disqualified"`, 1)
	if _, err := qualify.Decode(bad); err == nil || !strings.Contains(err.Error(), "a hubspot record must give a signal of the model") {
		t.Errorf("Decode of a hubspot rule recording a reason signal: %v, want it refused", err)
	}
}
