package templates_test

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/winnowhq/winnow/templates"
)

func rate(f float64) *float64 { return &f }

// adminOverview is a dashboard with every part filled: a gap in a
// series, a breach, a spam lead and a dead webhook.
func adminOverview() templates.AdminOverview {
	months := []string{"2025-11", "2025-12", "2026-01", "2026-02"}
	series := func(label string, rates ...*float64) templates.TrendSeries {
		s := templates.TrendSeries{Label: label}
		for i, r := range rates {
			p := templates.TrendPoint{Month: months[i], Rate: r}
			if r != nil {
				p.Of = 10
				p.Reached = int(*r*10 + .5)
			}
			s.Points = append(s.Points, p)
		}
		return s
	}
	return templates.AdminOverview{
		Status: "Webhook e1.webhook is back in the queue: the next delivery run sends it.",
		Funnel: []templates.FunnelBar{
			{Stage: "cold lead", Title: "Cold lead", Count: 120},
			{Stage: "MQL", Title: "Marketing qualified lead", Count: 60},
			{Stage: "SAL", Title: "Sales accepted lead", Count: 15},
			{Stage: "won", Title: "Won", Count: 0},
		},
		Trend: []templates.TrendSeries{
			series("cold lead → MQL", rate(.5), rate(.4), nil, rate(.6)),
			series("MQL → SAL", nil, rate(.2), rate(.3), rate(.1)),
		},
		Period: "2025-02 to 2026-02",
		SLA: []templates.SLAFigures{
			{Stage: "MQL", Owner: "Sales development", Within: "1d 0h", Entered: 60, Met: 40, Late: 12, Breached: 3, NotDue: 5, Compliance: rate(40.0 / 55),
				Every: "2d 0h", Attempts: "5", Rhythm: templates.RhythmFigures{Kept: 30, Broken: 20, Running: 8, OnTime: 110, Late: 18, Missed: 9, Overdue: 4}},
			{Stage: "SAL", Owner: "Sales development", Within: "2d 0h", Attempts: "1"},
		},
		Owners: []templates.OwnerRow{
			{Name: "Anna Schmidt", Owned: 20, SpeedMedian: "1h 30m", SpeedP90: "26h 5m", Rhythm: templates.RhythmFigures{Kept: 6, Broken: 2, Running: 4},
				Accepted: 15, Rejected: 4, Reasons: "not_my_territory 3, duplicate 1", Opportunities: 5, Won: 2},
			{Name: "Lukas Weber", Owned: 0, Accepted: 1},
		},
		Teams: []templates.OwnerRow{{Name: "Sales development", Owned: 20, SpeedMedian: "1h 30m", SpeedP90: "26h 5m",
			Rhythm: templates.RhythmFigures{Kept: 6, Broken: 2, Running: 4}, Accepted: 16, Rejected: 4,
			Reasons: "not_my_territory 3, duplicate 1", Opportunities: 5, Won: 2}},
		Breaches: []templates.BreachRow{{LeadID: "l1", Lead: "Ana Souza, Northwind", URL: "/admin/leads/l1", Stage: "MQL",
			Owner: "Sales development", Age: "2d 3h", Over: "1d 3h"}},
		BreachCount: 3,
		Recent: []templates.RecentLead{
			{At: "2026-02-03 09:00 UTC", AtISO: "2026-02-03T09:00:00Z", Name: "Ana Souza", Company: "Northwind",
				URL: "/admin/leads/l1", Stage: "MQL", Fit: "A", Tier: "hot", Score: "42"},
			{At: "2026-02-03 08:00 UTC", AtISO: "2026-02-03T08:00:00Z", URL: "/admin/leads/l2", Stage: "bad lead",
				Fit: "D", Tier: "cold", Score: "-20", Spam: true},
		},
		Dead: []templates.DeadWebhook{{ID: "e1.webhook", LeadID: "l1", LeadURL: "/admin/leads/l1", Target: "webhook",
			Topic: "lead.qualified", Attempts: 8, LastError: "the target answered 503 Service Unavailable",
			Created: "2026-02-03 09:00 UTC", CreatedISO: "2026-02-03T09:00:00Z"}},
		Moves: []templates.MoveRow{{Stage: "cold lead", ByRule: 60}, {Stage: "MQL", ByRule: 57, Override: 3}, {Stage: "SAL"}},
		Origins: templates.SegmentTable{Caption: "Conversion by origin", Dimension: "Origin",
			Steps: []string{"cold lead → MQL", "MQL → SAL"},
			Rows: []templates.SegmentRow{
				{Value: "Direct or unknown", Leads: 80, Conversions: []templates.Conversion{{Reached: 80, Converted: 30, Rate: rate(30.0 / 80)}, {Reached: 30, Converted: 6, Rate: rate(.2)}}},
				{Value: "newsletter", Leads: 40, Conversions: []templates.Conversion{{Reached: 40, Converted: 30, Rate: rate(.75)}, {}}},
			}},
		Campaigns: templates.SegmentTable{Caption: "Conversion by campaign", Dimension: "Campaign"},
	}
}

// adminLead is a lead whose browser disagreed with the server, that
// sales moved on with an override and lost, whose score decayed once,
// and into which another lead was merged.
func adminLead() templates.AdminLead {
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 2, day, hour, minute, 0, 0, time.UTC) }
	return templates.AdminLead{
		ID: "l1", Heading: "Ana Souza, Northwind", Created: "2026-02-03 09:00 UTC", CreatedISO: "2026-02-03T09:00:00Z",
		Source: "form", Merged: []templates.Link{{Title: "l2", URL: "/admin/leads/l2"}},
		Fields: []templates.FieldValue{{Name: "name", Label: "Full name", Value: "Ana Souza"},
			{Name: "company_size", Label: "Company size", Value: "201 to 1000 (201-1000)"}},
		Stage: "SQL",
		Override: &templates.OverrideView{Stage: "SQL", Rules: "SAL", Reason: "budget confirmed on the call", Actor: "jo@sales",
			At: "2026-02-05 10:00 UTC", AtISO: "2026-02-05T10:00:00Z"},
		Outcome: &templates.OutcomeView{Outcome: "lost", Reason: "chose a competitor", Actor: "jo@sales",
			At: "2026-02-06 10:00 UTC", AtISO: "2026-02-06T10:00:00Z"},
		NextCheck: "2026-03-01 02:25 UTC", NextCheckISO: "2026-03-01T02:25:00Z",
		Verdict: templates.VerdictView{Model: "m1", At: "2026-02-03 09:00 UTC", AtISO: "2026-02-03T09:00:00Z", Stage: "SAL", Funnel: "MOFU", Fit: "A",
			Tier: "hot", Score: "12.5", Framework: "BANT", Criteria: []string{"need", "timeline"}, Next: "Talk to a specialist",
			Reasons: []templates.ReasonRow{
				{Kind: "points", Rule: "newsletter", Label: "Signed up for the newsletter", Points: "+2.5",
					Decay: "5 points, halved every 90d, 90d ago", Pos: "content/scoring.yaml:14:3"},
				{Kind: "stage", Rule: "SAL", Label: `known(sales_accepted)`, Pos: "content/stages/sal.md:7:7"},
			}},
		Client: &templates.ClientVerdict{Model: "m0", Stage: "opportunity", Fit: "A", Tier: "hot"},
		History: templates.ScoreHistory{
			Start: at(3, 9, 0),
			Points: []templates.ScorePoint{
				{At: at(3, 9, 0), Stage: "MQL", Score: 12, Fit: "A", Tier: "warm", Cause: "Submitted the form"},
				{At: at(3, 12, 54), Stage: "cold lead", Score: 11.99, Fit: "A", Tier: "cool", Cause: "Score decayed: MQL → cold lead"},
				{At: at(4, 10, 0), Stage: "SAL", Score: 13.5, Fit: "A", Tier: "warm", Cause: "Signal: Sales accepted the lead"},
				{At: at(5, 10, 0), Stage: "SQL", Override: true, Score: 13.4, Fit: "A", Tier: "warm", Cause: "Set the stage to SQL against the rules"},
			},
			Now:        templates.ScorePoint{At: at(15, 9, 0), Stage: "SQL", Override: true, Score: 12.5, Fit: "A", Tier: "warm"},
			Stages:     []string{"bad lead", "cold lead", "MQL", "SAL", "SQL", "disqualified"},
			Thresholds: []templates.Threshold{{Label: "hot", Score: 25}, {Label: "warm", Score: 12}},
		},
		Timeline: []templates.TimelineDay{
			{Date: "Tuesday 3 February 2026", DateISO: "2026-02-03", Rows: []templates.TimelineRow{
				{Kind: "submission", What: "Submitted the form", Actor: "visitor", Source: "form", Time: "09:00", AtISO: "2026-02-03T09:00:00Z",
					Change: &templates.ChangeView{Stage: "MQL", Fit: "A", Tier: "warm", Score: "12", Gained: []string{"form +4", "target-industry +2"}}},
				{Kind: "stage", What: "Entered MQL by the rules", Actor: "winnow", Source: "rules", Time: "09:00", AtISO: "2026-02-03T09:00:00Z"},
				{Kind: "decay", What: "Score decayed: MQL → cold lead", Actor: "winnow", Time: "12:54", AtISO: "2026-02-03T12:54:00Z",
					Change: &templates.ChangeView{Stage: "MQL → cold lead", Tier: "warm → cool", Score: "11.99"}},
				{Kind: "view", What: "Viewed /pricing/", Lead: &templates.Link{Title: "l2", URL: "/admin/leads/l2"}, Actor: "visitor",
					Source: "beacon", Time: "13:00", AtISO: "2026-02-03T13:00:00Z"},
			}},
			{Date: "Thursday 5 February 2026", DateISO: "2026-02-05", Rows: []templates.TimelineRow{
				{Kind: "override", What: "Set the stage to SQL against the rules", Override: true, Reason: "budget confirmed on the call",
					Actor: "jo@sales", Source: "api", Note: "called back", Time: "10:00", AtISO: "2026-02-05T10:00:00Z",
					Change: &templates.ChangeView{Stage: "SAL → SQL", Override: true, Score: "13.4"}},
				{Kind: "merge", What: "Merged in lead", Link: &templates.Link{Title: "l2", URL: "/admin/leads/l2"}, Actor: "jo@sales",
					Source: "admin", Time: "11:00", AtISO: "2026-02-05T11:00:00Z"},
			}},
		},
	}
}

// spaced is the text of n, a space between the text of any two elements
// and every run of white space one space.
func spaced(n *html.Node) string {
	var words []string
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			words = append(words, strings.Fields(d.Data)...)
		}
	}
	return strings.Join(words, " ")
}

// cells joins the text of a table row's cells with " | ".
func cells(tr *html.Node) string {
	var out []string
	for _, c := range all(tr, tagged("th", "td")) {
		out = append(out, text(c))
	}
	return strings.Join(out, " | ")
}

func svgOf(t *testing.T, doc *html.Node) *html.Node {
	t.Helper()
	svgs := all(doc, func(n *html.Node) bool { role, _ := attr(n, "role"); return n.Data == "svg" && role == "img" })
	if len(svgs) != 1 {
		t.Fatalf("%d charts, want 1", len(svgs))
	}
	return svgs[0]
}

func float(t *testing.T, n *html.Node, key string) float64 {
	t.Helper()
	v, _ := attr(n, key)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.Data, key, v, err)
	}
	return f
}

// A chart scales with its box, is named by its title and description,
// and has its figures in a table too.
func checkChart(t *testing.T, doc *html.Node, table string) *html.Node {
	t.Helper()
	svg := svgOf(t, doc)
	if vb, _ := attr(svg, "viewBox"); len(strings.Fields(vb)) != 4 {
		t.Errorf("viewBox %q", vb)
	}
	if w, _ := attr(svg, "width"); w != "100%" {
		t.Errorf("width %q, want 100%%", w)
	}
	ids, _ := attr(svg, "aria-labelledby")
	var named []string
	for _, id := range strings.Fields(ids) {
		for _, n := range all(svg, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id }) {
			named = append(named, n.Data)
		}
	}
	if strings.Join(named, " ") != "title desc" {
		t.Errorf("aria-labelledby %q names %v, want the chart's title and desc", ids, named)
	}
	if byLabel(doc, table) == nil {
		t.Errorf("no table %q beside the chart", table)
	}
	return svg
}

// The funnel's bars are as long as their counts, in proportion to the
// longest, which takes the chart's width less the room for its count.
func TestFunnelChart(t *testing.T) {
	bars := adminOverview().Funnel
	doc := parse(t, templates.FunnelChart(bars))
	svg := checkChart(t, doc, "Leads reaching each stage")
	rects := all(svg, tagged("rect"))
	if len(rects) != len(bars) {
		t.Fatalf("%d bars for %d stages", len(rects), len(bars))
	}
	longest := float(t, rects[0], "width")
	for i, r := range rects {
		got := float(t, r, "width")
		want := longest * float64(bars[i].Count) / float64(bars[0].Count)
		if d := got - want; d > .1 || d < -.1 {
			t.Errorf("bar %s is %v long, want %v", bars[i].Stage, got, want)
		}
		if i > 0 && float(t, r, "y") <= float(t, rects[i-1], "y") {
			t.Errorf("bar %s is not below the one before", bars[i].Stage)
		}
	}
	vb, _ := attr(svg, "viewBox")
	if w, _ := strconv.ParseFloat(strings.Fields(vb)[2], 64); longest < w/2 || longest+40 > w {
		t.Errorf("the longest bar is %v of %v: it should span most of the chart and leave room for its count", longest, w)
	}
	if r := rects[len(rects)-1]; float(t, r, "width") != 0 {
		t.Errorf("a stage no lead entered has a bar %v long", float(t, r, "width"))
	}
	desc := text(all(svg, tagged("desc"))[0])
	if !strings.Contains(desc, "cold lead 120") || !strings.Contains(desc, "won 0") {
		t.Errorf("desc %q does not give the figures", desc)
	}
	cells := all(byLabel(doc, "Leads reaching each stage"), tagged("td"))
	if got := text(cells[2*2]) + " " + text(cells[2*2+1]); got != "15 13%" {
		t.Errorf("SAL's row: %q, want 15 and 13%% of the first stage", got)
	}
}

// A month without a rate is a gap in its line, not a zero: the path
// starts anew after it, there is no dot for it, and the table has a dash.
func TestTrendChartGaps(t *testing.T) {
	trend := adminOverview().Trend
	doc := parse(t, templates.TrendChart(trend))
	svg := checkChart(t, doc, "Conversion by month")
	paths := all(svg, tagged("path"))
	if len(paths) != len(trend) {
		t.Fatalf("%d lines for %d series", len(paths), len(trend))
	}
	// cold → MQL: months 1, 2, gap, 4: two pieces, the second a lone
	// point. MQL → SAL: gap, then 2, 3, 4: one piece.
	for i, want := range []int{2, 1} {
		d, _ := attr(paths[i], "d")
		if got := strings.Count(d, "M"); got != want {
			t.Errorf("%s: path %q has %d pieces, want %d", trend[i].Label, d, got, want)
		}
		if got := strings.Count(d, "L"); got != 3-want {
			t.Errorf("%s: path %q joins %d months, want %d", trend[i].Label, d, got, 3-want)
		}
	}
	for i, s := range trend {
		dots := all(paths[i].Parent, tagged("circle"))
		if len(dots) != 3 {
			t.Errorf("%s: %d dots, want one for each of the 3 months with a rate", s.Label, len(dots))
		}
	}
	// Higher rates are drawn higher: y falls as the rate rises.
	dots := all(paths[0].Parent, tagged("circle"))
	if y50, y40, y60 := float(t, dots[0], "cy"), float(t, dots[1], "cy"), float(t, dots[2], "cy"); !(y60 < y50 && y50 < y40) {
		t.Errorf("dots at 50%%, 40%%, 60%% have y %v, %v, %v", y50, y40, y60)
	}
	rows := all(byLabel(doc, "Conversion by month"), tagged("tr"))
	var got []string
	for _, r := range rows[1:] {
		got = append(got, cells(r))
	}
	want := []string{"Nov 2025 | 50% (5 of 10) | –", "Dec 2025 | 40% (4 of 10) | 20% (2 of 10)",
		"Jan 2026 | – | 30% (3 of 10)", "Feb 2026 | 60% (6 of 10) | 10% (1 of 10)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("table rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var legend []string
	for _, li := range all(doc, tagged("li")) {
		legend = append(legend, text(li))
	}
	if strings.Join(legend, "|") != "cold lead → MQL|MQL → SAL" {
		t.Errorf("legend %v", legend)
	}
}

// The stage entries are counted by rule and by override, with the share
// overrides made; each origin has its leads and its conversions.
func TestOverviewMovesAndOrigins(t *testing.T) {
	doc := parse(t, templates.AdminOverviewView(adminOverview(), "tok"))
	var got []string
	for _, table := range []string{"Stage entries by rule and by override", "Conversion by origin"} {
		for _, tr := range all(byLabel(doc, table), tagged("tr")) {
			got = append(got, cells(tr))
		}
	}
	want := []string{
		"Stage | By the rules | By override | Share by override",
		"cold lead | 60 | 0 | 0%",
		"MQL | 57 | 3 | 5%",
		"SAL | 0 | 0 | –",
		"Origin | Leads | cold lead → MQL | MQL → SAL",
		"Direct or unknown | 80 | 38% (30 of 80) | 20% (6 of 30)",
		"newsletter | 40 | 75% (30 of 40) | –",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(text(doc), "Conversion by campaign: no leads in the period.") {
		t.Error("an empty segment table says nothing")
	}
}

// The Team section has a row per owner and per team: the leads owned, the
// speed to lead in business hours, the rhythms kept, the leads accepted
// and rejected with the top reasons, and the shares that reached an
// opportunity and won; the SLA's rhythm has a row per stage.
func TestOverviewTeam(t *testing.T) {
	doc := parse(t, templates.AdminOverviewView(adminOverview(), "tok"))
	var got []string
	for _, table := range []string{"Leads by owner", "Leads by team", "Follow-up rhythm"} {
		for _, tr := range all(byLabel(doc, table), tagged("tr")) {
			got = append(got, cells(tr))
		}
	}
	want := []string{
		"Owner | Leads owned | Speed to lead, median | 90th percentile | Rhythm kept | Accepted | Rejected | Reached opportunity | Won",
		"Anna Schmidt | 20 | 1h 30m | 26h 5m | 75% (6 of 8) | 15 | 4 (not_my_territory 3, duplicate 1) | 25% (5 of 20) | 10% (2 of 20)",
		"Lukas Weber | 0 | – | – | – | 1 | 0 | – | –",
		"Team | Leads owned | Speed to lead, median | 90th percentile | Rhythm kept | Accepted | Rejected | Reached opportunity | Won",
		"Sales development | 20 | 1h 30m | 26h 5m | 75% (6 of 8) | 16 | 4 (not_my_territory 3, duplicate 1) | 25% (5 of 20) | 10% (2 of 20)",
		"Stage | Follow up every | Attempts | Kept | Broken | Running | Attempts in time | Late | Missed | Rhythm kept",
		"MQL | 2d 0h | 5 | 30 | 20 (4 overdue) | 8 | 110 | 18 | 9 | 60% (30 of 50)",
		"SAL | – | 1 | 0 | 0 | 0 | 0 | 0 | 0 | –",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	empty := text(parse(t, templates.AdminOverviewView(templates.AdminOverview{}, "tok")))
	for _, s := range []string{"Leads by owner: nobody owns leads of the period.", "Leads by team: nobody owns leads of the period."} {
		if !strings.Contains(empty, s) {
			t.Errorf("an empty overview lacks %q", s)
		}
	}
}

// The lead's chart scales with its box, is named by its title and a
// description of the stages the lead went through, and has its figures,
// now among them, in a table too.
func TestLifeChart(t *testing.T) {
	h := adminLead().History
	doc := parse(t, templates.LifeChart(h))
	svg := checkChart(t, doc, "Score history")
	if got := text(all(svg, tagged("desc"))[0]); !strings.Contains(got, "stages MQL → cold lead → SAL → SQL (override) over 12 days") {
		t.Errorf("desc %q", got)
	}
	lanes := map[string]bool{}
	for _, n := range all(svg, tagged("text")) {
		lanes[text(n)] = true
	}
	for _, s := range h.Stages {
		if !lanes[s] {
			t.Errorf("no lane for %s", s)
		}
	}
	if n := len(all(svg, tagged("circle"))); n != len(h.Points) {
		t.Errorf("%d dots for %d rows", n, len(h.Points))
	}
	rows := all(byLabel(doc, "Score history"), tagged("tr"))
	if len(rows) != len(h.Points)+2 {
		t.Fatalf("%d rows, want a head, %d rows and now", len(rows), len(h.Points))
	}
	if got := cells(rows[2]); got != "2026-02-03 12:54 UTC | cold lead | 11.99 | A | cool | Score decayed: MQL → cold lead" {
		t.Errorf("a row: %q", got)
	}
	if got := cells(rows[len(rows)-1]); got != "now, 2026-02-15 09:00 UTC | SQL (override) | 12.5 | A | warm | –" {
		t.Errorf("now: %q", got)
	}
	var legend []string
	for _, li := range all(doc, tagged("li")) {
		legend = append(legend, text(li))
	}
	if strings.Join(legend, "|") != "Score|Stage|Stage held by an override|Tier bounds" {
		t.Errorf("legend %v", legend)
	}
}

// Names from content and leads are text, in the chart as in the tables.
func TestAdminEscapes(t *testing.T) {
	evil := `<script>alert("x")</script>`
	o := adminOverview()
	o.Funnel[0].Stage = evil
	o.Trend[0].Label = evil
	o.Recent[0].Name = evil
	o.Dead[0].LastError = evil
	o.Status = evil
	l := adminLead()
	l.Heading = evil
	l.Verdict.Reasons[0].Label = evil
	l.Timeline[1].Rows[0].Note = evil
	l.History.Points[0].Stage = evil
	l.Override.Reason = evil
	for _, out := range []string{render(t, templates.AdminOverviewView(o, "tok")), render(t, templates.AdminLeadView(l))} {
		if strings.Contains(out, "<script>") {
			t.Fatalf("markup from data is not escaped:\n%s", out)
		}
		if !strings.Contains(out, "&lt;script&gt;") {
			t.Errorf("the escaped name is missing")
		}
	}
	doc := parse(t, templates.FunnelChart(o.Funnel))
	if got := text(all(svgOf(t, doc), tagged("text"))[0]); got != evil {
		t.Errorf("the bar's label reads %q, want %q", got, evil)
	}
}

// Every dead webhook has its own Retry form that posts the CSRF token to
// the webhook's address, and a name that says which webhook it retries.
func TestDeadTableRetry(t *testing.T) {
	o := adminOverview()
	o.Dead = append(o.Dead, templates.DeadWebhook{ID: "e 2/x", LeadID: "l2", LeadURL: "/admin/leads/l2", Target: "hubspot"})
	doc := parse(t, templates.DeadTable(o.Dead, "csrf-token"))
	forms := all(doc, tagged("form"))
	if len(forms) != 2 {
		t.Fatalf("%d forms for 2 dead webhooks", len(forms))
	}
	for i, f := range forms {
		method, _ := attr(f, "method")
		action, _ := attr(f, "action")
		if method != "post" || action != templates.RetryURL(o.Dead[i].ID) {
			t.Errorf("form %d: %s %s", i, method, action)
		}
		inputs := all(f, tagged("input"))
		if v, _ := attr(inputs[0], "value"); len(inputs) != 1 || v != "csrf-token" {
			t.Errorf("form %d does not post the CSRF token", i)
		}
		if got := text(all(f, tagged("button"))[0]); got != "Retry webhook "+o.Dead[i].ID {
			t.Errorf("button %q", got)
		}
	}
	if got := templates.RetryURL("e 2/x"); got != "/admin/webhooks/e%202%2Fx/retry" {
		t.Errorf("RetryURL escapes to %q", got)
	}
}

// The lead page explains every point, shows the browser's verdict beside
// the server's and the override that holds, and gives the timeline by
// day with the changes of verdict on the rows that made them.
func TestAdminLeadView(t *testing.T) {
	doc := parse(t, templates.AdminLeadView(adminLead()))
	reasons := all(byLabel(doc, "Reasons"), tagged("tr"))
	if len(reasons) != 3 {
		t.Fatalf("%d rows in the reasons table, want a head and 2", len(reasons))
	}
	if got := cells(reasons[1]); got != "newsletter | Signed up for the newsletter | +2.5 | 5 points, halved every 90d, 90d ago | content/scoring.yaml:14:3" {
		t.Errorf("a point's reason: %q", got)
	}
	if got := cells(reasons[2]); got != "stage SAL | known(sales_accepted) | – | – | content/stages/sal.md:7:7" {
		t.Errorf("the stage's reason: %q", got)
	}
	page := spaced(doc)
	for _, want := range []string{
		"concluded stage opportunity, fit A, tier hot. The server's verdict",
		"Override: SQL , set by jo@sales on 2026-02-05 10:00 UTC . Reason: budget confirmed on the call " +
			"The rules give SAL; the override holds until they give SQL or a stage further on.",
		"Lost , recorded by jo@sales on 2026-02-06 10:00 UTC . Reason: chose a competitor",
		"Stage SQL override The rules give SAL (MOFU) Outcome lost",
		"Next change by time 2026-03-01 02:25 UTC , if nothing happens first",
		"Leads merged in l2",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	timeline := byLabel(doc, "Timeline, oldest first")
	var rows []string
	for _, tr := range all(timeline, tagged("tr"))[1:] {
		var cs []string
		for _, c := range all(tr, tagged("th", "td")) {
			cs = append(cs, spaced(c))
		}
		rows = append(rows, strings.Join(cs, " | "))
	}
	want := []string{
		"Tuesday 3 February 2026",
		"09:00 | Submitted the form Stage MQL Fit A Tier warm Score 12 Gained form +4, target-industry +2 | visitor | form | ",
		"09:00 | Entered MQL by the rules | winnow | rules | ",
		"12:54 | Score decayed: MQL → cold lead Stage MQL → cold lead Tier warm → cool Score 11.99 | winnow | – | ",
		"13:00 | Viewed /pricing/ (of merged lead l2 ) | visitor | beacon | ",
		"Thursday 5 February 2026",
		"10:00 | override Set the stage to SQL against the rules Reason: budget confirmed on the call Stage SAL → SQL (override) Score 13.4 | jo@sales | api | called back",
		"11:00 | Merged in lead l2 | jo@sales | admin | ",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	for _, tm := range all(timeline, tagged("time")) {
		if v, _ := attr(tm, "datetime"); v == "" {
			t.Errorf("<time>%s</time> has no datetime", text(tm))
		}
	}
	if h1 := all(doc, tagged("h1")); len(h1) != 1 {
		t.Errorf("%d h1", len(h1))
	}
	l := adminLead()
	l.Purged, l.Fields, l.Client = true, nil, nil
	page = text(parse(t, templates.AdminLeadView(l)))
	if !strings.Contains(page, "personal data was purged") || strings.Contains(page, "browser") {
		t.Errorf("a purged lead: %s", page)
	}
}

// adminLeadWork is an open lead sales works, with the forms to do it.
func adminLeadWork() templates.AdminLead {
	l := adminLead()
	l.Outcome, l.Merged, l.Client, l.Timeline = nil, nil, nil, nil
	l.Status = "Recorded an activity on Ana Souza, Northwind: it is in SQL, owned by Daniel Kim."
	q := adminQueue()
	l.Work = &templates.LeadWork{ID: "l1", Name: l.Heading, Key: "lead", People: q.Rows[0].People, Forms: *q.Work}
	l.Work.Forms.Back = "/admin/leads/l1"
	return l
}

// adminQueue is a person's queue of three leads: one overdue, one due,
// one with nothing due, on the second of three pages.
func adminQueue() templates.AdminQueue {
	work := templates.WorkForms{CSRF: "csrf-token", Key: "k3y-of-the-page", Back: "/admin/queue?owner=Anna+Schmidt&page=2",
		Activities: []templates.Option{{Value: "contacted", Label: "Contacted"}, {Value: "call", Label: "Called"}},
		Reasons:    []templates.Option{{Value: "not_ready", Label: "Not ready to buy yet (to cold lead)"}, {Value: "no_answer", Label: "Never answered"}},
		Stages:     []templates.Option{{Value: "cold lead", Label: "cold lead (Cold lead)"}, {Value: "MQL", Label: "MQL (Marketing qualified lead)"}}}
	people := []templates.Option{{Value: "Lukas Weber", Label: "Lukas Weber"}}
	return templates.AdminQueue{Owner: "Anna Schmidt", Zone: "Europe/Paris", Chosen: "Anna Schmidt",
		Status: "Accepted Bo Berg, Berg AB: it is in SAL, owned by Anna Schmidt.",
		Choices: []templates.OptionGroup{{Label: "Sales development", Options: []templates.Option{
			{Value: "Sales development", Label: "Everyone in Sales development"}, {Value: "Anna Schmidt", Label: "Anna Schmidt"}, {Value: "Lukas Weber", Label: "Lukas Weber"}}}},
		Open: 103, Due: 90, Overdue: 12, Waiting: 13, Page: 2, Pages: 3, From: 51, To: 53,
		Prev: "/admin/queue?owner=Anna+Schmidt", Next: "/admin/queue?owner=Anna+Schmidt&page=3",
		Rows: []templates.QueueRow{
			{ID: "l1", URL: "/admin/leads/l1", Name: "Ana Souza, Northwind", Stage: "MQL", Tier: "hot", Fit: "A", Overdue: true,
				Due: "Wed 4 Mar 15:00 CET", DueISO: "2026-03-04T14:00:00Z", DueIn: "4h 30m ago", Attempts: "0 of 5", People: people},
			{ID: "l2", URL: "/admin/leads/l2", Name: "Cy Chan", Stage: "SAL", Tier: "warm", Fit: "B",
				Due: "Thu 5 Mar 15:00 CET", DueISO: "2026-03-05T14:00:00Z", DueIn: "in 5h 0m", Attempts: "1 of 5", People: people},
			{ID: "l3", URL: "/admin/leads/l3", Stage: "MQL", Tier: "cool", Fit: "B", Attempts: "5 of 5", People: people},
		},
		Work: &work,
	}
}

// Every control of a queue's forms has a label of its own, ids are not
// repeated, every form posts the session's token to the lead it works
// and comes back to the page; what is overdue is marked, the pages are
// linked, and without the role to work leads there are no forms.
func TestAdminQueueView(t *testing.T) {
	doc := parse(t, templates.AdminQueueView(adminQueue()))
	ids := map[string]bool{}
	for _, n := range all(doc, func(n *html.Node) bool { _, ok := attr(n, "id"); return ok }) {
		id, _ := attr(n, "id")
		if ids[id] {
			t.Errorf("id %q is repeated", id)
		}
		ids[id] = true
	}
	for _, c := range all(doc, tagged("select", "input")) {
		if typ, _ := attr(c, "type"); typ == "hidden" {
			continue
		}
		id, _ := attr(c, "id")
		if labels := all(doc, func(n *html.Node) bool { f, _ := attr(n, "for"); return n.Data == "label" && f == id }); id == "" || len(labels) != 1 {
			t.Errorf("<%s id=%q> has %d labels", c.Data, id, len(labels))
		}
	}
	forms := all(doc, func(n *html.Node) bool { m, _ := attr(n, "method"); return n.Data == "form" && m == "post" })
	if len(forms) != 3*5 {
		t.Errorf("%d forms, want 5 for each of 3 leads", len(forms))
	}
	for _, f := range forms {
		action, _ := attr(f, "action")
		fields := map[string]string{}
		for _, in := range all(f, tagged("input")) {
			name, _ := attr(in, "name")
			fields[name], _ = attr(in, "value")
		}
		if !strings.HasPrefix(action, "/admin/leads/l") || !strings.HasSuffix(action, "/events") || fields["csrf"] != "csrf-token" ||
			fields["back"] != "/admin/queue?owner=Anna+Schmidt&page=2" || fields["fact"] == "" {
			t.Errorf("a form posts to %s with %v", action, fields)
		}
	}
	rows := all(byLabel(doc, "Open leads of Anna Schmidt, due first: 51 to 53 of 103"), tagged("tr"))
	if len(rows) != 4 {
		t.Fatalf("%d rows, want a head and 3", len(rows))
	}
	if c, _ := attr(rows[1], "class"); c != "overdue" || !strings.Contains(spaced(rows[1]), "overdue Wed 4 Mar 15:00 CET (4h 30m ago)") {
		t.Errorf("the overdue row: class %q, %s", c, spaced(rows[1]))
	}
	if got := spaced(rows[3]); !strings.HasPrefix(got, "(no name) MQL cool B nothing due 5 of 5 Accept") {
		t.Errorf("the row with nothing due: %s", got)
	}
	page := spaced(doc)
	for _, want := range []string{"103 open leads: 12 overdue, 78 due later, 13 with nothing due.", "Previous page Page 2 of 3 Next page"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	q := adminQueue()
	q.Work = nil
	if doc := parse(t, templates.AdminQueueView(q)); len(all(doc, tagged("form"))) != 1 {
		t.Errorf("without the role to work leads the queue has %d forms, want the choice of queue alone", len(all(doc, tagged("form"))))
	}
}

// The layout is self-contained: its style sheet inline and allowed by
// its hash, no script, nothing loaded from elsewhere; before login it has
// no navigation and no logout.
func TestAdminLayout(t *testing.T) {
	in := templates.AdminPage{Site: "Winnow", Title: "Overview", Path: "/admin", CSRF: "c"}
	out := render(t, templates.AdminLayout(in, templates.AdminOverviewView(adminOverview(), "c")))
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	styles := all(doc, tagged("style"))
	if len(styles) != 1 {
		t.Fatalf("%d style elements", len(styles))
	}
	sum := sha256.Sum256([]byte(styles[0].FirstChild.Data))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; templates.AdminStyleHash != want {
		t.Errorf("AdminStyleHash %s, the style sheet hashes to %s", templates.AdminStyleHash, want)
	}
	for _, n := range all(doc, func(*html.Node) bool { return true }) {
		if n.Data == "script" {
			t.Error("a script")
		}
		for _, a := range n.Attr {
			if (a.Key == "src" || a.Key == "href") && strings.Contains(a.Val, "//") {
				t.Errorf("<%s %s=%q> loads from elsewhere", n.Data, a.Key, a.Val)
			}
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has a %s attribute", n.Data, a.Key)
			}
		}
	}
	if got := text(all(doc, tagged("title"))[0]); got != "Overview · Winnow admin" {
		t.Errorf("title %q", got)
	}
	if len(all(doc, tagged("h1"))) != 1 || len(all(doc, tagged("main"))) != 1 {
		t.Error("want one h1 and one main")
	}
	logout := all(doc, func(n *html.Node) bool { a, _ := attr(n, "action"); return a == "/admin/logout" })
	if len(logout) != 1 {
		t.Errorf("%d logout forms", len(logout))
	}
	in.CSRF = ""
	login := parse(t, templates.AdminLayout(in, templates.AdminLoginView(templates.AdminLogin{Next: "/admin", Error: "That is not the admin token.", Failed: "token", Token: true})))
	if len(all(login, tagged("nav"))) != 0 || len(all(login, tagged("button"))) != 1 {
		t.Error("before login the page has navigation or a logout button")
	}
	token := all(login, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "token" })
	if len(token) != 1 {
		t.Fatal("no token field")
	}
	typ, _ := attr(token[0], "type")
	desc, _ := attr(token[0], "aria-describedby")
	labels := all(login, func(n *html.Node) bool { f, _ := attr(n, "for"); return n.Data == "label" && f == "token" })
	if typ != "password" || desc != "login-error" || len(labels) != 1 {
		t.Errorf("the token field: type %q, described by %q, %d labels", typ, desc, len(labels))
	}
}

// On a narrow screen every other month is labelled, and always the ones
// that name a year: no two neighbours are both unlabelled.
func TestTrendChartMonthLabels(t *testing.T) {
	s := templates.TrendSeries{Label: "MQL → SAL"}
	for _, m := range []string{"2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05"} {
		s.Points = append(s.Points, templates.TrendPoint{Month: m})
	}
	svg := svgOf(t, parse(t, templates.TrendChart([]templates.TrendSeries{s})))
	var shown []string
	hidden := 0
	for _, n := range all(svg, tagged("text")) {
		if strings.Contains(text(n), "%") {
			continue // the percentages
		}
		if c, _ := attr(n, "class"); c == "minor" {
			hidden++
			if len(all(n, tagged("tspan"))) > 0 {
				t.Errorf("%q names a year but a narrow screen hides it", text(n))
			}
			continue
		}
		shown = append(shown, text(n))
	}
	if got := strings.Join(shown, " "); got != "Jun 2025 Aug Oct Jan 2026 Mar May" || hidden != 6 {
		t.Errorf("labelled on a narrow screen: %q, %d hidden", got, hidden)
	}
}

// adminPeople is a people page with an admin, a sales person who is
// disabled, and the admin token's sessions.
func adminPeople() templates.AdminPeople {
	return templates.AdminPeople{CSRF: "csrf-token", TokenSessions: 1, Status: "One session ended: its cookie opens nothing now.",
		People: []templates.Person{
			{ID: "a1", Email: "ana@example.com", Name: "Ana Souza", Role: templates.RoleAdmin, URL: templates.PersonURL("a1"), Password: true, Sessions: 2},
			{ID: "b2", Email: "bo@example.com", Role: templates.RoleSales, URL: templates.PersonURL("b2"), Disabled: true},
		}}
}

// adminPerson is a person's page with a login link just made and two
// sessions, one of them the page's own.
func adminPerson() templates.AdminPerson {
	return templates.AdminPerson{
		Person:  templates.Person{ID: "b2", Email: "bo@example.com", Name: "Bo Berg", Role: templates.RoleSales, URL: templates.PersonURL("b2"), Sessions: 2},
		Created: "2026-03-02 09:00 UTC", CreatedISO: "2026-03-02T09:00:00Z", CreatedBy: "ana@example.com", CSRF: "csrf-token",
		Status: "Added. Make them a login link, below, for their first login.",
		Link:   &templates.LoginLink{URL: "https://winnow.example/admin/link/tok", Expires: "2026-03-03 09:00 UTC", ExpiresISO: "2026-03-03T09:00:00Z"},
		Sessions: []templates.SessionRow{
			{ID: "h1", Method: "a login link", Started: "2026-03-02 09:05 UTC", StartedISO: "2026-03-02T09:05:00Z",
				Expires: "2026-03-02 21:05 UTC", ExpiresISO: "2026-03-02T21:05:00Z", Current: true},
			{ID: "h2", Method: "a password", Started: "2026-03-02 10:00 UTC", StartedISO: "2026-03-02T10:00:00Z",
				Expires: "2026-03-02 22:00 UTC", ExpiresISO: "2026-03-02T22:00:00Z"},
		}}
}
