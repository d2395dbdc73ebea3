package content_test

import (
	"flag"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// testContent is the small model the core's tests use.
const testContent = "../../qualify/testdata/content"

// mustLoad loads a content directory and fails on any problem.
func mustLoad(tb testing.TB, dir string) *content.Content {
	tb.Helper()
	c, diags := content.Load(os.DirFS(dir), "content")
	if len(diags) > 0 {
		tb.Fatalf("%s:\n%v", dir, diags)
	}
	return c
}

// TestDefaultContent checks the shipped model: no problems, every example
// passes, and the examples cover what the model defines.
func TestDefaultContent(t *testing.T) {
	c := mustLoad(t, "../../content")
	m := c.Model
	if n := len(c.Examples); n < 30 {
		t.Errorf("%d example leads, want at least 30", n)
	}
	stages := map[string]bool{}
	frameworks := map[string]bool{}
	fired := map[string]bool{}
	decayed := false
	for _, r := range c.Run() {
		for _, d := range r.Diffs {
			t.Errorf("%s: example %q: %s: want %s, got %s", r.Example.Pos, r.Example.Name, d.What, d.Want, d.Got)
		}
		stages[r.Verdict.Stage] = true
		fw := r.Example.Framework
		if fw == "" {
			fw = r.Verdict.Framework
		}
		if r.Verdict.Stage == "SQL" {
			frameworks[fw] = true
		}
		for _, reason := range r.Verdict.Reasons {
			if reason.Kind == qualify.ReasonPoints {
				name, _ := reason.Rule(m)
				fired[name] = true
				decayed = decayed || reason.HalfLife > 0 && reason.Age > 0 && reason.Points != float64(reason.Base)
			}
		}
	}
	for _, s := range m.Stages {
		if !stages[s.Name] {
			t.Errorf("no example lead reaches stage %q", s.Name)
		}
	}
	for _, f := range m.Frameworks {
		if !frameworks[f.Name] {
			t.Errorf("no example lead is an SQL under framework %s", f.Name)
		}
	}
	for _, p := range m.Points {
		if p.Kind == qualify.Negative && !fired[p.Name] {
			t.Errorf("no example lead gets the negative points of %q", p.Name)
		}
	}
	if !decayed {
		t.Error("no example lead has decayed points")
	}
	routed := 0
	for _, ex := range c.Examples {
		if ex.Want.Owner != "" {
			routed++
		}
	}
	if c.Routing == nil || routed < 3 {
		t.Errorf("routing %v, %d example leads expect an owner; want a routing and at least 3", c.Routing != nil, routed)
	}
	for _, kind := range []content.DocKind{content.DocStage, content.DocFramework} {
		for _, d := range c.Docs {
			if d.Kind == kind && strings.TrimSpace(d.Body) == "" {
				t.Errorf("%s: %s has no definition text", d.Pos, d.Name)
			}
		}
	}
}

// TestDefaultCRM checks what the shipped model tells the CRM and takes
// back from it: each stage's lifecycle stage in HubSpot, the close reasons,
// the reason signal sales disqualifies a lead with, and the hubspot map.
func TestDefaultCRM(t *testing.T) {
	m := mustLoad(t, "../../content").Model
	want := map[string]string{
		"bad lead": "", "cold lead": "lead", "MQL": "marketingqualifiedlead", "SAL": "salesqualifiedlead",
		"prospect": "salesqualifiedlead", "SQL": "salesqualifiedlead", "opportunity": "opportunity", "disqualified": "other",
	}
	for _, s := range m.Stages {
		if w, ok := want[s.Name]; !ok || s.CRMStage != w {
			t.Errorf("stage %s: CRMStage = %q, want %q", s.Name, s.CRMStage, w)
		}
	}
	var reasons []string
	for _, r := range m.CloseReasons {
		reasons = append(reasons, r.Name)
	}
	if got := strings.Join(reasons, " "); got != "no_budget no_need no_decision chose_competitor bad_timing unresponsive not_a_fit" {
		t.Errorf("close reasons %s", got)
	}
	if i := m.SignalIndex("sales_disqualified"); i < 0 || !m.Signals[i].Reason || m.Signals[i].Kind != qualify.Sales {
		t.Error("no sales signal sales_disqualified that carries a close reason")
	}
	for _, c := range []struct{ property, value, signal, outcome, reason string }{
		{"lifecyclestage", "salesqualifiedlead", "sales_accepted", "", ""},
		{"lifecyclestage", "opportunity", "meeting_booked", "", ""},
		{"dealstage", "appointmentscheduled", "meeting_booked", "", ""},
		{"dealstage", "qualifiedtobuy", "discovery_call", "", ""},
		{"dealstage", "closedwon", "", "won", ""},
		{"dealstage", "closedlost", "", "lost", "no_decision"},
	} {
		r, ok := m.HubSpotRule(c.property, c.value)
		if !ok || r.Signal != c.signal || r.Outcome != c.outcome || r.Reason != c.reason {
			t.Errorf("HubSpotRule(%q, %q) = %+v, %v; want %+v", c.property, c.value, r, ok, c)
		}
	}
	if len(m.HubSpot) != 6 {
		t.Errorf("%d hubspot rules, want 6", len(m.HubSpot))
	}
}

// TestRoundTrip checks that the canonical text of the shipped model and of
// the test model decodes to an equal model, and encodes to the same text.
func TestRoundTrip(t *testing.T) {
	for _, dir := range []string{"../../content", testContent} {
		m := mustLoad(t, dir).Model
		text := qualify.Encode(m)
		back, err := qualify.Decode(text)
		if err != nil {
			t.Fatalf("%s: Decode(Encode(m)): %v", dir, err)
		}
		if !reflect.DeepEqual(back, m) {
			t.Errorf("%s: Decode(Encode(m)) differs from m", dir)
		}
		if again := qualify.Encode(back); again != text {
			t.Errorf("%s: Encode(Decode(text)) differs from text", dir)
		}
	}
}

// TestTestdataModel keeps qualify/testdata/model.txt, the canonical text of
// the test model, in step with its content.
func TestTestdataModel(t *testing.T) {
	text := qualify.Encode(mustLoad(t, testContent).Model)
	path := "../../qualify/testdata/model.txt"
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != text {
		t.Errorf("%s is stale: run go test ./load -update", path)
	}
}

// overlay returns the test content with the files of an archive laid over
// it. A file whose first line is "(deleted)" is removed.
func overlay(tb testing.TB, ar *txtar.Archive) fs.FS {
	tb.Helper()
	fsys := fstest.MapFS{}
	err := filepath.WalkDir(testContent, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(testContent, path)
		fsys[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range ar.Files {
		if f.Name == "want" {
			continue
		}
		if strings.HasPrefix(string(f.Data), "(deleted)") {
			delete(fsys, f.Name)
			continue
		}
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	return fsys
}

// TestBadContent loads each case of testdata/bad (the test content with
// some files replaced) and compares the diagnostics, file:line:col and all,
// with the case's want file.
func TestBadContent(t *testing.T) {
	paths, _ := filepath.Glob("testdata/bad/*.txtar")
	if len(paths) == 0 {
		t.Fatal("no cases in testdata/bad")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, diags := content.Load(overlay(t, ar), "content")
			var got strings.Builder
			for _, d := range diags {
				got.WriteString(d.String() + "\n")
			}
			var want string
			for _, f := range ar.Files {
				if f.Name == "want" {
					want = string(f.Data)
				}
			}
			if *update {
				for i := range ar.Files {
					if ar.Files[i].Name == "want" {
						ar.Files[i].Data = []byte(got.String())
					}
				}
				os.WriteFile(path, txtar.Format(ar), 0o644)
				return
			}
			if got.String() != want {
				t.Errorf("diagnostics differ\n--- got ---\n%s--- want ---\n%s", got.String(), want)
			}
			if got.Len() == 0 {
				t.Error("a bad-content case must produce at least one diagnostic")
			}
		})
	}
}

// TestNumberAttribute loads a number attribute with a range: it is hidden
// and optional, rules compare it with numbers, an answer in range is read
// and one out of it refused, and the canonical text keeps it.
func TestNumberAttribute(t *testing.T) {
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(testContent, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	ar := &txtar.Archive{Files: []txtar.File{
		{Name: "fields.yaml", Data: []byte(read("fields.yaml") +
			"  - name: minutes_on_site\n    type: number\n    label: Minutes on the site\n    attribute: true\n    min: 0\n")},
		{Name: "scoring.yaml", Data: []byte(read("scoring.yaml") +
			"  - {name: long-visit, kind: engagement, points: 3, label: Stayed a while, when: minutes_on_site > 5}\n" +
			"  - {name: no-visit, kind: negative, points: -1, when: not known(minutes_on_site)}\n")},
	}}
	c, diags := content.Load(overlay(t, ar), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	m := c.Model
	f := &m.Fields[m.FieldIndex("minutes_on_site")]
	if !f.Attribute || !f.Hidden || f.Required || f.Type != qualify.Number || !f.HasMin || f.Honeypot() {
		t.Errorf("minutes_on_site = %+v; want a hidden optional number attribute with a min", *f)
	}
	back, err := qualify.Decode(qualify.Encode(m))
	if err != nil {
		t.Fatal(err)
	}
	if g := back.Fields[m.FieldIndex("minutes_on_site")]; !g.Attribute || g.Type != qualify.Number || !g.HasMin {
		t.Errorf("decoded minutes_on_site = %+v", g)
	}
	for _, c := range []struct {
		answer     string
		long, none bool
	}{{"12", true, false}, {"5", false, false}, {"", false, true}} {
		lead, errs := m.Lead(qualify.Input{"email": "ana@acme.com", "consent": "yes", "minutes_on_site": c.answer}, 0)
		if len(errs) > 0 {
			t.Fatalf("%q: %v", c.answer, errs)
		}
		v := qualify.Evaluate(m, &lead, 0)
		got := map[string]bool{}
		for _, r := range v.Reasons {
			if r.Kind == qualify.ReasonPoints {
				name, _ := r.Rule(m)
				got[name] = true
			}
		}
		if got["long-visit"] != c.long || got["no-visit"] != c.none {
			t.Errorf("minutes_on_site %q: rules %v; want long-visit %v, no-visit %v", c.answer, got, c.long, c.none)
		}
	}
	if _, errs := m.Lead(qualify.Input{"email": "ana@acme.com", "consent": "yes", "minutes_on_site": "-3"}, 0); len(errs) != 1 || errs[0].Field != "minutes_on_site" {
		t.Errorf("an answer below the min: %v", errs)
	}
}

// TestRouting loads a routing.yaml with every part the format has and
// checks what it becomes (what owners record as they work the queue
// included), and that example leads expecting a team and an owner pass:
// a territory's person, the next one while the first is away, the whole
// team when no territory matches, and nobody.
func TestRouting(t *testing.T) {
	ar := txtar.Parse([]byte(`
-- routing.yaml --
time_zone: Europe/Berlin
hours: {mon-fri: "09:00-12:00, 13:00-17:30"}
holidays: [2026-12-24..2026-12-26, 2027-01-01]
teams:
  - name: SDR
    escalate_to: Managers
    people:
      - {name: Ana, email: Ana@Example.com, weight: 2, capacity: 60, away: [2026-12-21..2027-01-03]}
      - {name: Bo, email: bo@example.com}
      - {name: Cy, email: cy@example.com, weight: 3}
  - name: AE
    time_zone: America/New_York
    hours: {sun-thu: "08:00-18:00", fri: "08:00-14:00"}
    holidays: [2026-11-26]
    escalate_to: Managers
    people: [{name: Di, email: di@example.com, away: [2026-03-01..]}, {name: Ed, email: ed@example.com}]
  - name: Marketing
    escalate_to: Managers
    people: [{name: Flo, email: flo@example.com, away: [2026-03-02]}]
  - name: Managers
    people: [{name: Gil, email: gil@example.com}]
territories:
  - {name: software, team: SDR, when: 'industry == "software" and size == "medium" and fit >= "D"', people: [Ana, Bo]}
  - {name: big, team: SDR, when: 'size == "large" or seats > 100'}
accept_signal: accepted
activities: [{name: call, label: Called}]
reject_reasons:
  - {name: not_ready, label: Not ready, to: new}
  - {name: no_answer, label: Never answered, to: ""}
-- examples/examples.yaml --
- name: software
  at: 2026-03-02
  lead: {email: a@b.io, consent: yes, industry: software, request: demo, size: medium}
  expect: {stage: mql, fit: A, team: SDR, owner: Ana}
- name: software at Christmas
  at: 2026-12-28
  lead: {email: a@b.io, consent: yes, industry: software, request: demo, size: medium}
  expect: {stage: mql, fit: A, team: SDR, owner: Bo}
- name: small software
  at: 2026-03-02
  lead: {email: a@b.io, consent: yes, industry: software, request: demo, size: small}
  expect: {stage: mql, fit: B, team: SDR, owner: Cy}
- name: nobody
  at: 2026-03-02
  lead: {email: a@b.io, consent: yes}
  expect: {stage: new, fit: D, team: Marketing, owner: nobody}
`))
	c, diags := content.Load(overlay(t, ar), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	r := c.Routing
	if r == nil || len(r.Teams) != 4 || len(r.Territories) != 2 {
		t.Fatalf("routing = %+v", r)
	}
	sdr, ae := r.Team("SDR"), r.Team("AE")
	if got := sdr.Calendar.Zone.String(); got != "Europe/Berlin" {
		t.Errorf("SDR zone %s", got)
	}
	if got, want := sdr.Calendar.Hours[time.Monday], []routing.Span{{From: 540, To: 720}, {From: 780, To: 1050}}; !reflect.DeepEqual(got, want) {
		t.Errorf("SDR Monday %v, want %v", got, want)
	}
	if len(sdr.Calendar.Hours[time.Saturday]) != 0 || len(sdr.Calendar.Holidays) != 4 || sdr.Calendar.Holidays[3] != (routing.Date{Year: 2027, Month: 1, Day: 1}) {
		t.Errorf("SDR calendar %+v", sdr.Calendar)
	}
	if got := ae.Calendar.Zone.String(); got != "America/New_York" || len(ae.Calendar.Hours[time.Sunday]) != 1 || len(ae.Calendar.Hours[time.Saturday]) != 0 ||
		!reflect.DeepEqual(ae.Calendar.Holidays, []routing.Date{{Year: 2026, Month: 11, Day: 26}}) {
		t.Errorf("AE calendar %+v", ae.Calendar)
	}
	ana := sdr.Person("Ana")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	from, to := time.Date(2026, 12, 21, 0, 0, 0, 0, berlin).Unix(), time.Date(2027, 1, 4, 0, 0, 0, 0, berlin).Unix()
	if ana.Email != "Ana@example.com" || ana.Weight != 2 || ana.Capacity != 60 || !reflect.DeepEqual(ana.Away, []routing.Period{{From: from, To: to}}) {
		t.Errorf("Ana = %+v", *ana)
	}
	if bo := sdr.Person("Bo"); bo.Weight != 1 || bo.Capacity != 0 {
		t.Errorf("Bo = %+v", *bo)
	}
	if di := ae.Person("Di"); len(di.Away) != 1 || di.Away[0].To != math.MaxInt64 {
		t.Errorf("Di = %+v", *di)
	}
	if tr := r.Territory("big"); tr.When == nil || len(tr.People) != 0 || tr.Team != "SDR" {
		t.Errorf("big = %+v", *tr)
	}
	if a := r.Activity("call"); r.AcceptSignal != "accepted" || a == nil || a.Label != "Called" || a.Pos.Line == 0 {
		t.Errorf("accept signal %q, activity call %+v", r.AcceptSignal, a)
	}
	if rr, none := r.RejectReason("not_ready"), r.RejectReason("no_answer"); rr == nil || rr.To != "new" || rr.Label != "Not ready" ||
		none == nil || none.To != "" {
		t.Errorf("reject reasons %+v", r.RejectReasons)
	}
	for _, res := range c.Run() {
		for _, d := range res.Diffs {
			t.Errorf("example %q: %s: want %s, got %s (%s)", res.Example.Name, d.What, d.Want, d.Got, res.Route.Reason())
		}
	}
}

// TestDefaultForms checks the shipped forms: the demo request took over
// the one signup form (its alias /signup/) in three steps and records a
// demo request; the others are one page each; every form's site view and
// model view agree on its questions, and each asks consent again.
func TestDefaultForms(t *testing.T) {
	c := mustLoad(t, "../../content")
	m := c.Model
	if len(c.Forms) != len(m.Forms) || len(m.Forms) != 4 {
		t.Fatalf("%d forms in the site, %d in the model; want 4", len(c.Forms), len(m.Forms))
	}
	want := map[string]struct {
		path, signal string
		steps        int
	}{
		"contact":    {"/contact/", "form_submission", 1},
		"demo":       {"/demo/", "demo_request", 3},
		"download":   {"/download/", "form_submission", 1},
		"newsletter": {"/newsletter/", "newsletter_signup", 1},
	}
	for i, f := range c.Forms {
		mf := m.Forms[i]
		w := want[f.Name]
		if mf.Name != f.Name || f.Path != w.path || m.Signals[mf.Signal].Name != w.signal || len(f.Steps) != w.steps {
			t.Errorf("form %s: path %s, signal %s, %d steps; want %+v", f.Name, f.Path, m.Signals[mf.Signal].Name, len(f.Steps), w)
		}
		var asked []int
		for _, s := range f.Steps {
			for _, name := range s.Fields {
				asked = append(asked, m.FieldIndex(name))
			}
		}
		if !reflect.DeepEqual(asked, mf.Fields) {
			t.Errorf("form %s: the site asks %v, the model %v", f.Name, asked, mf.Fields)
		}
		if len(mf.Extra) == 0 || len(mf.Again) != 1 || m.Fields[mf.Again[0]].Name != "consent" {
			t.Errorf("form %s: extra %v, again %v", f.Name, mf.Extra, mf.Again)
		}
	}
	if demo := c.Forms[1]; !reflect.DeepEqual(demo.Aliases, []string{"/signup/"}) {
		t.Errorf("the demo form's aliases are %v", demo.Aliases)
	}
}

// TestRoutingAlerts reads the alerts of routing.yaml: which are on, the
// share of an attempt's time at which its owner is warned, the digest's
// time, the quiet window, a team's own Slack webhook.
func TestRoutingAlerts(t *testing.T) {
	ar := txtar.Parse([]byte(`
-- routing.yaml --
teams:
  - {name: SDR, slack: WINNOW_ALERT_SLACK_SDR, people: [{name: Ana, email: ana@example.com}]}
  - {name: Marketing, people: [{name: Bo, email: bo@example.com}]}
  - {name: AE, people: [{name: Cy, email: cy@example.com}]}
alerts:
  assigned: true
  hot: {tier: hot}
  warn: 80%
  breach: false
  digest: "07:30"
  quiet: "20:00-08:00"
`))
	c, diags := content.Load(overlay(t, ar), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	r := c.Routing
	want := routing.Alerts{Assigned: true, HotTier: "hot", Warn: true, Digest: true, DigestAt: 7*60 + 30,
		Quiet: routing.Quiet{Mode: routing.QuietWindow, From: 20 * 60, To: 8 * 60}}
	if r.Alerts != want || r.Warn != 0.8 || r.WarnShare() != 0.8 || r.Team("SDR").Slack != "WINNOW_ALERT_SLACK_SDR" {
		t.Errorf("alerts %+v, warn %v, SDR's Slack %q", r.Alerts, r.Warn, r.Team("SDR").Slack)
	}
}
