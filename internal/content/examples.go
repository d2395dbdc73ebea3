package content

import (
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
)

// Example is an example lead with the verdict it must get: the model's own
// test, written by marketing.
type Example struct {
	Name      string
	Pos       qualify.Pos
	Note      string // why the example exists
	At        int64  // the instant it is evaluated at
	Framework string // evaluate with this framework selected instead, if set
	Input     qualify.Input
	Lead      qualify.Lead
	Want      Want
}

// Want is the verdict an example must get. Empty parts are not checked.
type Want struct {
	Stage string
	Fit   string
	Tier  string
	Score *float64
	// Team and Owner are the team of the lead's stage and the person a
	// fresh routing state (nobody assigned a lead yet) gives the lead,
	// among those not away at the example's instant. Owner "nobody":
	// nobody can take it.
	Team  string
	Owner string
}

// ParseInstant parses a date (2026-03-31, midnight UTC) or an RFC 3339
// date and time, returning Unix seconds.
func ParseInstant(s string) (int64, bool) {
	if t, ok := qualify.ParseDate(s); ok {
		return t, true
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, false
	}
	return t.Unix(), true
}

func (l *loader) readExamples() {
	entries, err := fs.ReadDir(l.fsys, ExamplesDir)
	if err != nil {
		l.diags.Add(qualify.Pos{File: l.filePath(ExamplesDir)}, "cannot read the directory: "+errText(err))
		return
	}
	seen := map[string]qualify.Pos{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		body, f := l.yaml(path.Join(ExamplesDir, e.Name()), true)
		if f == nil {
			continue
		}
		for _, item := range f.seq(body, "examples") {
			ex, ok := l.example(f, item)
			if !ok {
				continue
			}
			if first, dup := seen[ex.Name]; dup {
				f.err(item, "example "+strconv.Quote(ex.Name)+" is already defined at "+first.String())
				continue
			}
			seen[ex.Name] = ex.Pos
			l.c.Examples = append(l.c.Examples, ex)
		}
	}
	if len(l.c.Examples) == 0 && len(l.diags) == 0 {
		l.diags.Add(qualify.Pos{File: l.filePath(ExamplesDir)}, "no example leads: write at least one per stage")
	}
}

func (l *loader) example(f *file, item ast.Node) (Example, bool) {
	m := l.m
	ex := Example{Pos: f.pos(item), Input: qualify.Input{}}
	var atN, leadN, signalsN, expectN, fwN ast.Node
	f.fields(item, "example", map[string]func(ast.Node){
		"name":      func(n ast.Node) { ex.Name = f.str(n, "example name") },
		"note":      func(n ast.Node) { ex.Note = f.str(n, "note") },
		"at":        func(n ast.Node) { atN = n },
		"framework": func(n ast.Node) { fwN = n },
		"lead":      func(n ast.Node) { leadN = n },
		"signals":   func(n ast.Node) { signalsN = n },
		"expect":    func(n ast.Node) { expectN = n },
	})
	if ex.Name == "" {
		f.err(item, "example: name is missing")
		return ex, false
	}
	what := "example " + strconv.Quote(ex.Name)
	ok := true
	if atN == nil {
		f.err(item, what+": at (the date it is evaluated at) is missing")
		ok = false
	} else if t, valid := ParseInstant(f.str(atN, "at")); valid {
		ex.At = t
	} else {
		f.err(atN, what+": at must be a date like 2026-03-31 or 2026-03-31T09:30:00Z, not "+f.describeValue(atN))
		ok = false
	}
	if fwN != nil {
		ex.Framework = f.str(fwN, "framework")
		if m.FrameworkIndex(ex.Framework) < 0 {
			f.err(fwN, what+": unknown framework "+strconv.Quote(ex.Framework))
			ok = false
		}
	}
	var fieldNames []string
	for _, fd := range m.Fields {
		fieldNames = append(fieldNames, fd.Name)
	}
	valueN := map[string]ast.Node{}
	for _, e := range f.mapping(leadN, what+": lead") {
		if m.FieldIndex(e.key) < 0 {
			f.err(e.keyN, what+": unknown field "+strconv.Quote(e.key)+qualify.DidYouMean(e.key, fieldNames))
			ok = false
			continue
		}
		v, isScalar := f.scalar(e.value)
		if !isScalar {
			f.err(e.value, what+": "+e.key+" must be a single value, not "+f.describeNode(e.value))
			ok = false
			continue
		}
		ex.Input[e.key] = v
		valueN[e.key] = e.value
	}
	lead, errs := m.Lead(ex.Input, ex.At)
	for _, fe := range errs {
		n := valueN[fe.Field]
		if n == nil {
			n = leadN
		}
		if n == nil {
			n = item
		}
		f.err(n, what+": "+fe.Field+": "+fe.Message)
		ok = false
	}
	for _, e := range f.mapping(signalsN, what+": signals") {
		i := m.SignalIndex(e.key)
		if i < 0 {
			f.err(e.keyN, what+": unknown signal "+strconv.Quote(e.key)+qualify.DidYouMean(e.key, signalNames(m)))
			ok = false
			continue
		}
		t, valid := ParseInstant(f.str(e.value, "signal "+e.key))
		if !valid {
			f.err(e.value, what+": signal "+e.key+" must be a date like 2026-03-31, not "+f.describeValue(e.value))
			ok = false
			continue
		}
		if lead.Signals != nil && t > lead.Signals[i] {
			lead.Signals[i] = t
		}
	}
	ex.Lead = lead
	if expectN == nil {
		f.err(item, what+": expect (the stage and fit it must get) is missing")
		return ex, false
	}
	f.fields(expectN, what+": expect", map[string]func(ast.Node){
		"stage": func(n ast.Node) {
			ex.Want.Stage = f.str(n, "stage")
			if m.StageIndex(ex.Want.Stage) < 0 && len(m.Stages) > 0 {
				var names []string
				for _, s := range m.Stages {
					names = append(names, s.Name)
				}
				f.err(n, what+": unknown stage "+strconv.Quote(ex.Want.Stage)+qualify.DidYouMean(ex.Want.Stage, names))
				ok = false
			}
		},
		"fit": func(n ast.Node) {
			ex.Want.Fit = f.str(n, "fit")
			if m.GradeIndex(ex.Want.Fit) < 0 && len(m.Grades) > 0 {
				f.err(n, what+": unknown fit grade "+strconv.Quote(ex.Want.Fit))
				ok = false
			}
		},
		"tier": func(n ast.Node) {
			ex.Want.Tier = f.str(n, "tier")
			found := false
			for _, t := range m.Tiers {
				found = found || t.Name == ex.Want.Tier
			}
			if !found && len(m.Tiers) > 0 {
				f.err(n, what+": unknown tier "+strconv.Quote(ex.Want.Tier))
				ok = false
			}
		},
		"score": func(n ast.Node) {
			if v, valid := f.number(n, what+": score"); valid {
				ex.Want.Score = &v
			}
		},
		"team":  func(n ast.Node) { ok = l.expectRouting(f, n, what, "team", &ex.Want.Team) && ok },
		"owner": func(n ast.Node) { ok = l.expectRouting(f, n, what, "owner", &ex.Want.Owner) && ok },
	})
	if ex.Want.Stage == "" || ex.Want.Fit == "" {
		f.err(expectN, what+": expect needs both the stage and the fit the lead must get")
		ok = false
	}
	return ex, ok
}

// Result is the outcome of one example lead.
type Result struct {
	Example *Example
	Verdict qualify.Verdict
	// Route is where the routing sends the lead, when the example expects
	// a team or an owner.
	Route routing.Decision
	Diffs []Diff // empty when the example passes
}

// Diff is one part of a verdict that is not what the example expects.
type Diff struct {
	What, Want, Got string
}

// Run evaluates every example lead and compares its verdict with what it
// expects.
func (c *Content) Run() []Result {
	out := make([]Result, 0, len(c.Examples))
	for i := range c.Examples {
		ex := &c.Examples[i]
		m := c.Model
		if ex.Framework != "" {
			mm := *m
			mm.Framework = m.FrameworkIndex(ex.Framework)
			m = &mm
		}
		v := qualify.Evaluate(m, &ex.Lead, ex.At)
		r := Result{Example: ex, Verdict: v}
		w := ex.Want
		if w.Stage != "" && w.Stage != v.Stage {
			r.Diffs = append(r.Diffs, Diff{"stage", w.Stage, v.Stage})
		}
		if w.Fit != "" && w.Fit != v.Fit {
			r.Diffs = append(r.Diffs, Diff{"fit", w.Fit, v.Fit})
		}
		if w.Tier != "" && w.Tier != v.Tier {
			r.Diffs = append(r.Diffs, Diff{"tier", w.Tier, v.Tier})
		}
		if w.Score != nil && *w.Score != v.Score {
			r.Diffs = append(r.Diffs, Diff{"score", qualify.FormatNumber(*w.Score), qualify.FormatNumber(v.Score)})
		}
		if (w.Team != "" || w.Owner != "") && c.Routing != nil {
			r.Route = c.route(m, ex, &v)
			if team := orNobody(r.Route.Team); w.Team != "" && w.Team != team {
				r.Diffs = append(r.Diffs, Diff{"team", w.Team, team})
			}
			if owner := orNobody(r.Route.Person); w.Owner != "" && w.Owner != owner {
				r.Diffs = append(r.Diffs, Diff{"owner", w.Owner, owner})
			}
		}
		out = append(out, r)
	}
	return out
}

// Nobody is what an example expects as the owner of a lead nobody can
// take, and as the team of a stage without an SLA owner.
const Nobody = "nobody"

func orNobody(s string) string {
	if s == "" {
		return Nobody
	}
	return s
}

// expectRouting reads an example's expected team or owner, which must
// name a team or a person of routing.yaml, or be nobody.
func (l *loader) expectRouting(f *file, n ast.Node, what, key string, out *string) bool {
	*out = strings.TrimSpace(f.str(n, key))
	r := l.c.Routing
	if r == nil {
		f.err(n, what+": "+key+": the content has no "+RoutingFile+" to route the lead with")
		return false
	}
	var names []string
	for _, t := range r.Teams {
		if key == "team" {
			names = append(names, t.Name)
			continue
		}
		for _, p := range t.People {
			if !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
		}
	}
	if *out == Nobody || slices.Contains(names, *out) {
		return true
	}
	msg := what + ": unknown " + key + " " + strconv.Quote(*out)
	if key == "owner" {
		msg = what + ": owner " + strconv.Quote(*out) + " is in no team"
	}
	if s := qualify.DidYouMean(*out, names); s != "" {
		msg += s
	}
	f.err(n, msg)
	return false
}

// route routes an example lead as a fresh routing state would: to the
// team its stage's SLA names, and there to the person the round robin
// picks when nobody was assigned a lead yet. A stage without an owner,
// or an owner the routing does not have, gives no team.
func (c *Content) route(m *qualify.Model, ex *Example, v *qualify.Verdict) routing.Decision {
	if v.StageIndex < 0 || v.StageIndex >= len(m.Stages) {
		return routing.Decision{}
	}
	team := m.Stages[v.StageIndex].SLA.Owner
	if team == "" || c.Routing.Team(team) == nil {
		return routing.Decision{}
	}
	d, err := c.Routing.Route(m, team, &ex.Lead, v, ex.At, routing.Counts{})
	if err != nil {
		return routing.Decision{Team: team}
	}
	return d
}
