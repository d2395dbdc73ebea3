package routing_test

import (
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
)

var shipped struct {
	once sync.Once
	m    *qualify.Model
	err  error
}

// model returns the shipped model with the lists the test territories
// use added.
func model(tb testing.TB) *qualify.Model {
	tb.Helper()
	shipped.once.Do(func() {
		c, diags := content.Load(os.DirFS("../content"), "content")
		if err := diags.Err(); err != nil {
			shipped.err = err
			return
		}
		m := c.Model
		m.Lists = append(m.Lists,
			qualify.List{Name: "dach", Values: []string{"DE", "AT", "CH"}},
			qualify.List{Name: "nordics", Values: []string{"SE", "DK", "NO", "FI"}},
			qualify.List{Name: "benelux", Values: []string{"NL", "BE"}},
			qualify.List{Name: "uki", Values: []string{"GB", "IE"}},
			qualify.List{Name: "southern_europe", Values: []string{"FR", "ES", "PT", "IT"}},
			qualify.List{Name: "north_america", Values: []string{"US", "CA"}},
			qualify.List{Name: "apac", Values: []string{"AU", "NZ", "JP", "SG", "IN"}},
			qualify.List{Name: "latam", Values: []string{"BR", "MX"}},
		)
		shipped.m = m
	})
	if shipped.err != nil {
		tb.Fatal(shipped.err)
	}
	return shipped.m
}

// rule compiles a territory rule over the model's fields.
func rule(tb testing.TB, m *qualify.Model, src string) *qualify.Rule {
	tb.Helper()
	e, errs := m.Compile(src, qualify.InPoint)
	if len(errs) > 0 {
		tb.Fatalf("%s: %v", src, errs)
	}
	return &qualify.Rule{Expr: e}
}

// lead builds a lead of the model from field values.
func lead(tb testing.TB, m *qualify.Model, fields map[string]string) *qualify.Lead {
	tb.Helper()
	l := m.NewLead()
	for name, value := range fields {
		i := m.FieldIndex(name)
		if i < 0 {
			tb.Fatalf("no field %s", name)
		}
		f := &m.Fields[i]
		switch f.Type {
		case qualify.Choice:
			o := -1
			for k := range f.Options {
				if f.Options[k].Value == value {
					o = k
				}
			}
			if o < 0 {
				tb.Fatalf("field %s has no option %s", name, value)
			}
			l.Values[i] = qualify.Value{Known: true, Int: int64(o)}
		case qualify.Number:
			n, err := strconv.ParseFloat(value, 64)
			if err != nil {
				tb.Fatal(err)
			}
			l.Values[i] = qualify.Value{Known: true, Num: n}
		default:
			l.Values[i] = qualify.Value{Known: true, Str: value}
		}
	}
	return &l
}

const now = 1798761600 // 2027-01-01 00:00 UTC

// sales is a team of four with a territory for DACH enterprises, one for
// DACH and one for the Nordics.
func sales(tb testing.TB, m *qualify.Model) *routing.Routing {
	r := &routing.Routing{
		Teams: []routing.Team{{
			Name: "Sales development",
			People: []routing.Person{
				{Name: "Ana Souza", Weight: 2},
				{Name: "Bo Lindqvist"},
				{Name: "Chiara Rossi", Weight: 1},
				{Name: "Dieter Maas", Weight: 1},
			},
			EscalateTo: "Account executive",
		}, {
			Name:   "Account executive",
			People: []routing.Person{{Name: "Eve Adams"}},
		}},
		Territories: []routing.Territory{
			{Name: "dach-enterprise", Team: "Sales development", When: rule(tb, m, `country in dach and company_size >= "201-1000"`), People: []string{"Dieter Maas"}},
			{Name: "dach", Team: "Sales development", When: rule(tb, m, `country in dach`), People: []string{"Ana Souza", "Dieter Maas"}},
			{Name: "nordics", Team: "Sales development", When: rule(tb, m, `country in nordics`), People: []string{"Bo Lindqvist"}},
			{Name: "us", Team: "Account executive", When: rule(tb, m, `country == "US"`)},
		},
	}
	if err := r.Compile(); err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestRouteTerritories(t *testing.T) {
	m := model(t)
	r := sales(t, m)
	tests := []struct {
		fields    map[string]string
		territory string
		person    string
	}{
		{map[string]string{"country": "DE", "company_size": "1001-5000"}, "dach-enterprise", "Dieter Maas"},
		{map[string]string{"country": "AT", "company_size": "51-200"}, "dach", "Ana Souza"},
		{map[string]string{"country": "CH"}, "dach", "Ana Souza"}, // company size unknown: not enterprise
		{map[string]string{"country": "FI", "company_size": "5000+"}, "nordics", "Bo Lindqvist"},
		{map[string]string{"country": "US"}, "", "Ana Souza"}, // the us territory is another team's
		{map[string]string{}, "", "Ana Souza"},
	}
	for _, tt := range tests {
		d, err := r.Route(m, "Sales development", lead(t, m, tt.fields), nil, now, routing.Counts{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Team != "Sales development" || d.Territory != tt.territory || d.Person != tt.person {
			t.Errorf("%v: got %s/%s/%s, want Sales development/%s/%s", tt.fields, d.Team, d.Territory, d.Person, tt.territory, tt.person)
		}
	}
}

func TestRouteReason(t *testing.T) {
	m := model(t)
	r := sales(t, m)
	de := lead(t, m, map[string]string{"country": "DE"})
	d, _ := r.Route(m, "Sales development", de, nil, now, routing.Counts{})
	if got, want := d.Reason(), "territory dach, Ana Souza next in the round robin (weight 2)"; got != want {
		t.Errorf("Reason() = %q, want %q", got, want)
	}
	d, _ = r.Route(m, "Sales development", lead(t, m, nil), nil, now, routing.Counts{"Ana Souza": {Assigned: 5}})
	if got, want := d.Reason(), "team Sales development (no territory matched), Bo Lindqvist next in the round robin (weight 1)"; got != want {
		t.Errorf("Reason() = %q, want %q", got, want)
	}
}

// TestRouteWeights routes 3,000 leads, feeding the counts back, and
// checks that each person's share is within 1 % of their weight's, over
// the whole run and over every stretch of 100 leads.
func TestRouteWeights(t *testing.T) {
	m := model(t)
	weights := []int{1, 2, 3, 4, 0, 7}
	r := &routing.Routing{Teams: []routing.Team{{Name: "t"}}}
	total := 0
	for i, w := range weights {
		r.Teams[0].People = append(r.Teams[0].People, routing.Person{Name: "p" + strconv.Itoa(i), Weight: w})
		total += max(w, 1)
	}
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	st := routing.Counts{}
	l := lead(t, m, nil)
	const n = 3000
	window := map[string]int{}
	for k := 1; k <= n; k++ {
		d, err := r.Route(m, "t", l, nil, now, st)
		if err != nil || d.Person == "" {
			t.Fatal(d.Reason(), err)
		}
		c := st[d.Person]
		c.Assigned++
		st[d.Person] = c
		window[d.Person]++
		if k%100 == 0 {
			for i, w := range weights {
				share := float64(window["p"+strconv.Itoa(i)]) / 100
				if want := float64(max(w, 1)) / float64(total); math.Abs(share-want) > 0.01+1.0/100 {
					t.Errorf("leads %d-%d: p%d (weight %d) took %.2f, want %.2f", k-99, k, i, w, share, want)
				}
			}
			clear(window)
		}
	}
	for i, w := range weights {
		share := float64(st["p"+strconv.Itoa(i)].Assigned) / n
		if want := float64(max(w, 1)) / float64(total); math.Abs(share-want) > 0.01 {
			t.Errorf("p%d (weight %d) took %.4f of the leads, want %.4f", i, w, share, want)
		}
	}
}

// TestRouteSameState checks that the decision depends on the counts only,
// not on the order they were recorded in or on earlier decisions.
func TestRouteSameState(t *testing.T) {
	m := model(t)
	r1, r2 := sales(t, m), sales(t, m)
	l := lead(t, m, nil)
	st := routing.Counts{"Ana Souza": {Assigned: 8}, "Bo Lindqvist": {Assigned: 3}, "Chiara Rossi": {Assigned: 3}, "Dieter Maas": {Assigned: 4}}
	d1, _ := r1.Route(m, "Sales development", l, nil, now, st)
	for range 3 {
		r2.Route(m, "Sales development", l, nil, now, routing.Counts{})
	}
	d2, _ := r2.Route(m, "Sales development", l, nil, now, st)
	if d1.Person != d2.Person || d1.Person != "Bo Lindqvist" {
		t.Errorf("same state: %s and %s, want Bo Lindqvist (first of the least (assigned+1)/weight)", d1.Person, d2.Person)
	}
}

func TestRouteCapacity(t *testing.T) {
	m := model(t)
	r := sales(t, m)
	r.Teams[0].People[0].Capacity = 10 // Ana
	r.Teams[0].People[3].Capacity = 50 // Dieter
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	de := lead(t, m, map[string]string{"country": "DE"})
	d, _ := r.Route(m, "Sales development", de, nil, now, routing.Counts{"Ana Souza": {Open: 10}, "Dieter Maas": {Open: 49, Assigned: 100}})
	if got, want := d.Person, "Dieter Maas"; got != want {
		t.Errorf("Ana at capacity: %s, want %s", got, want)
	}
	if got, want := d.Reason(), "territory dach, Dieter Maas next in the round robin (weight 1); passed over: 1 at capacity"; got != want {
		t.Errorf("Reason() = %q, want %q", got, want)
	}
	d, _ = r.Route(m, "Sales development", de, nil, now, routing.Counts{"Ana Souza": {Open: 12}, "Dieter Maas": {Open: 50}})
	if d.Person != "" {
		t.Errorf("all at capacity: %s", d.Person)
	}
	if got, want := d.Reason(), "territory dach: nobody at work: Ana Souza at capacity (12 open), Dieter Maas at capacity (50 open)"; got != want {
		t.Errorf("Reason() = %q, want %q", got, want)
	}
}

func TestRouteTimeOff(t *testing.T) {
	m := model(t)
	r := sales(t, m)
	const day = 86400
	// Ana is off over New Year: two periods that meet, back on 4 January.
	r.Teams[0].People[0].Away = []routing.Period{{From: now + 2*day, To: now + 3*day}, {From: now - 10*day, To: now + 2*day}}
	r.Teams[0].People[3].Capacity = 50
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	de := lead(t, m, map[string]string{"country": "DE"})
	st := routing.Counts{"Dieter Maas": {Open: 3, Assigned: 40}}
	for _, tt := range []struct {
		at   int64
		want string
	}{
		{now - 11*day, "Ana Souza"},
		{now - 10*day, "Dieter Maas"},
		{now + 2*day, "Dieter Maas"},
		{now + 3*day - 1, "Dieter Maas"},
		{now + 3*day, "Ana Souza"},
	} {
		d, _ := r.Route(m, "Sales development", de, nil, tt.at, st)
		if d.Person != tt.want {
			t.Errorf("at %d: %s, want %s", tt.at, d.Person, tt.want)
		}
	}
	st["Dieter Maas"] = routing.Count{Open: 50}
	d, _ := r.Route(m, "Sales development", de, nil, now, st)
	if got, want := d.Reason(), "territory dach: nobody at work: Ana Souza away until 2027-01-04, Dieter Maas at capacity (50 open)"; got != want || d.Person != "" {
		t.Errorf("Reason() = %q (%q), want %q", got, d.Person, want)
	}
	if back, away := r.Team("Sales development").Person("Ana Souza").AwayAt(now); !away || back != now+3*day {
		t.Errorf("AwayAt = %d, %v; want %d, true", back, away, now+3*day)
	}
}

func TestRouteNobody(t *testing.T) {
	m := model(t)
	berlin := mustZone(t, "Europe/Berlin")
	r := &routing.Routing{
		Teams: []routing.Team{
			{Name: "empty"},
			{Name: "away", Calendar: routing.Calendar{Zone: berlin}, People: []routing.Person{
				{Name: "Ana", Away: []routing.Period{{From: now - 3600, To: now + 12*3600 + 1800}}},
				{Name: "Bo", Away: []routing.Period{{From: now - 3600, To: routing.Never}}},
			}},
		},
	}
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	l := lead(t, m, nil)
	d, err := r.Route(m, "empty", l, nil, now, nil)
	if err != nil || d.Person != "" || d.Reason() != "team empty (no territory matched): nobody in it" {
		t.Errorf("empty team: %q %q %v", d.Person, d.Reason(), err)
	}
	d, _ = r.Route(m, "away", l, nil, now, nil)
	if got, want := d.Reason(), "team away (no territory matched): nobody at work: Ana away until 2027-01-01 13:30, Bo away, no return set"; got != want {
		t.Errorf("Reason() = %q, want %q (in the team's zone)", got, want)
	}
	if _, err := r.Route(m, "nobody", l, nil, now, nil); err == nil {
		t.Error("Route to an unknown team: no error")
	}
	var raw routing.Routing
	if _, err := raw.Route(m, "empty", l, nil, now, nil); !errors.Is(err, routing.ErrNotCompiled) {
		t.Errorf("Route before Compile: %v", err)
	}
}

func TestEscalate(t *testing.T) {
	r := &routing.Routing{Teams: []routing.Team{
		{Name: "sdr", EscalateTo: "ae"},
		{Name: "ae", EscalateTo: "head"},
		{Name: "head"},
		{Name: "a", EscalateTo: "b"},
		{Name: "b", EscalateTo: "c"},
		{Name: "c", EscalateTo: "a"},
		{Name: "d", EscalateTo: "b"},
		{Name: "self", EscalateTo: "self"},
		{Name: "lost", EscalateTo: "nowhere"},
	}}
	for _, tt := range []struct {
		team, want string
		ok         bool
	}{
		{"sdr", "ae", true}, {"ae", "head", true}, {"head", "", false},
		{"a", "", false}, {"b", "", false}, {"d", "", false}, {"self", "", false},
		{"lost", "", false}, {"unknown", "", false},
	} {
		if got, ok := r.Escalate(tt.team); got != tt.want || ok != tt.ok {
			t.Errorf("Escalate(%s) = %q, %v; want %q, %v", tt.team, got, ok, tt.want, tt.ok)
		}
	}
	err := r.Compile()
	if err == nil {
		t.Fatal("Compile accepted cycles")
	}
	for _, want := range []string{
		"team a escalates in a cycle: a → b → c → a",
		"team self escalates in a cycle: self → self",
		`team lost escalates to "nowhere", which is no team`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Compile() = %v\nwant it to say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "team d escalates in a cycle") {
		t.Errorf("d leads into a cycle but is not in it: %v", err)
	}
}

func TestCompile(t *testing.T) {
	m := model(t)
	pos := func(line int) qualify.Pos { return qualify.Pos{File: "content/routing.yaml", Line: line, Col: 3} }
	r := &routing.Routing{
		Teams: []routing.Team{
			{Name: "sales", Pos: pos(1), People: []routing.Person{
				{Name: "Ana", Weight: -1, Pos: pos(2)},
				{Name: "Ana", Capacity: -3, Pos: pos(3)},
				{Name: "Bo", Weight: routing.MaxWeight + 1, Away: []routing.Period{{From: 10, To: 10}}, Pos: pos(4)},
			}},
			{Name: "sales", Pos: pos(5)},
		},
		Territories: []routing.Territory{
			{Name: "dach", Team: "sales", When: rule(t, m, `country in dach`), People: []string{"Cy"}, Pos: pos(6)},
			{Name: "dach", Team: "marketing", Pos: pos(7)},
		},
	}
	err := r.Compile()
	if err == nil {
		t.Fatal("Compile accepted it")
	}
	want := `content/routing.yaml:2:3: team sales: Ana: weight -1 is not between 1 and 1000
content/routing.yaml:3:3: team sales: Ana is in the team twice
content/routing.yaml:3:3: team sales: Ana: capacity -3 is negative (0 is no limit)
content/routing.yaml:4:3: team sales: Bo: time off ends before it starts
content/routing.yaml:4:3: team sales: Bo: weight 1001 is not between 1 and 1000
content/routing.yaml:5:3: team sales is defined twice
content/routing.yaml:6:3: territory dach: Cy is not in team sales
content/routing.yaml:7:3: territory dach is defined twice
content/routing.yaml:7:3: territory dach: no team "marketing"`
	if got := err.Error(); got != want {
		t.Errorf("Compile() =\n%s\nwant\n%s", got, want)
	}
	var ds qualify.Diags
	if !errors.As(err, &ds) || len(ds) != 9 {
		t.Errorf("Compile() is not the qualify.Diags of 9 problems: %T", err)
	}
}
