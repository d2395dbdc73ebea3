package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker/crm"
)

// sendEvent records an event with the admin token and returns the answer.
func (f *fixture) sendEvent(t *testing.T, lead string, ev map[string]string) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(ev)
	return f.request(t, "POST", "/api/leads/"+lead+"/events", body)
}

func (f *fixture) event(t *testing.T, lead, stage, actor, at string) {
	t.Helper()
	ev := map[string]string{"stage": stage, "actor": actor, "at": at}
	if stage != "contacted" && stage != "won" && stage != "lost" {
		ev["reason"] = "sales' call" // a stage the rules do not give
	}
	f.postEvent(t, lead, ev)
}

// reportFixture stores five leads over March and April 2026 with their
// events, some recorded late, and leaves the clock at 10 May 2026.
func reportFixture(t *testing.T) *fixture {
	f := newFixture(t, nil, nil) // the clock starts at 2026-03-02 09:00 UTC
	a := f.submit(t, "key-report-a", ana())["id"].(string)
	cold := ana()
	cold["email"], cold["company_size"], cold["industry"] = "bo@tiny.example", "1-10", "other"
	f.clock.Advance(3 * 24 * time.Hour) // 03-05
	b := f.submit(t, "key-report-b", cold)["id"].(string)
	spam := ana()
	spam["email"], spam["website"] = "robot@northwind.io", "http://spam.example"
	f.submit(t, "key-report-c", spam)
	odd := ana()
	odd["email"], odd["company"], odd["message"] = "eve@northwind.io", "=HYPERLINK(\"http://x\")", "100%; sure 'yes'"
	f.clock.Advance(30 * 24 * time.Hour) // 04-04
	d := f.submit(t, "key-report-d", odd)["id"].(string)
	f.clock.Advance(36 * 24 * time.Hour) // 05-10

	// A entered MQL at once and fell back to a cold lead within hours (its
	// form's points decay, and it had just the points MQL needs), before
	// sales called and accepted it.
	f.event(t, a, "contacted", "jo; the SDR", "2026-03-02T12:00:00Z")
	f.postEvent(t, a, map[string]string{"signal": "sales_accepted", "actor": "jo; the SDR", "at": "2026-03-03T09:00:00Z"})
	// B, a cold lead, was made an MQL against the rules, lost, and opened
	// again.
	f.event(t, b, "MQL", "kim", "2026-03-06T10:00:00Z")
	f.postEvent(t, b, map[string]string{"outcome": "lost", "reason": "no_budget", "actor": "kim", "at": "2026-03-20T10:00:00Z"})
	f.postEvent(t, b, map[string]string{"outcome": "open", "actor": "kim", "at": "2026-04-15T10:00:00Z"})
	// Recorded in this order, happened in the other: won last, then the
	// opportunity it followed.
	f.event(t, d, "won", "pat", "2026-04-20T10:00:00Z")
	f.event(t, d, "opportunity", "pat", "2026-04-05T10:00:00Z")
	return f
}

// The report the API gives is the report of its own export.
func TestReportExportRoundTrip(t *testing.T) {
	f := reportFixture(t)
	status, body := f.get(t, "/api/report?from=2026-03&to=2026-05&tz=UTC")
	if status != 200 {
		t.Fatalf("report: %d %s", status, body)
	}
	var api report.Report
	if err := json.Unmarshal(body, &api); err != nil {
		t.Fatal(err)
	}
	// Four leads and a spam one. March: A and B entered MQL, B and A (by
	// decay) a cold lead; A entered SAL; B was lost. April: B re-entered
	// MQL; D entered MQL, a cold lead (by decay), opportunity and won.
	if api.Totals.Leads != 4 || api.Totals.Spam != 1 {
		t.Errorf("totals %+v, want 4 leads, 1 spam", api.Totals)
	}
	entered := func(month int, stage string) (int, int) {
		for _, s := range api.Stages.Months[month].Steps {
			if s.Step == stage {
				return s.Entered, s.Reopened
			}
		}
		t.Fatalf("no step %s", stage)
		return 0, 0
	}
	for _, c := range []struct {
		month             int
		stage             string
		entered, reopened int
	}{{0, "MQL", 2, 0}, {0, "SAL", 1, 0}, {0, "cold lead", 2, 0}, {0, "lost", 1, 0},
		{1, "MQL", 2, 1}, {1, "opportunity", 1, 0}, {1, "won", 1, 0}, {2, "MQL", 0, 0}} {
		if e, r := entered(c.month, c.stage); e != c.entered || r != c.reopened {
			t.Errorf("%s %s: entered %d, reopened %d; want %d, %d", api.Stages.Months[c.month].Month, c.stage, e, r, c.entered, c.reopened)
		}
	}

	status, export := f.get(t, "/api/export.csv")
	if status != 200 {
		t.Fatalf("export: %d %s", status, export)
	}
	csv := string(export)
	for _, want := range []string{",stage_now,outcome,origin,campaign,owner,team,events\n", `"'=HYPERLINK(""http://x"")"`, "contacted jo%3B%20the%20SDR api 2026-03-02T12:00:00.000Z",
		",opportunity,won,"} {
		if !strings.Contains(csv, want) {
			t.Errorf("the export lacks %s:\n%s", want, csv)
		}
	}
	leads, err := report.ReadCSV(bytes.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	o, err := report.ParseOptions("2026-03", "2026-05", "UTC", f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := report.Build(defaultModel(t), o, leads)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(fromFile)
	if got, want := string(js), strings.TrimSpace(string(body)); got != want {
		t.Errorf("the report from the export differs from the API's:\n%s\n%s", got, want)
	}
}

func TestReportBadQuery(t *testing.T) {
	f := newFixture(t, nil, nil)
	for _, c := range []struct{ query, field string }{
		{"from=2026-13", "from"}, {"to=march", "to"}, {"tz=Nowhere/City", "tz"}, {"from=2026-06&to=2026-01", "from"},
	} {
		status, body := f.get(t, "/api/report?"+c.query)
		var e struct {
			Errors []struct{ Field string }
		}
		json.Unmarshal(body, &e)
		if status != 400 || len(e.Errors) != 1 || e.Errors[0].Field != c.field {
			t.Errorf("?%s: %d %s, want 400 naming %s", c.query, status, body, c.field)
		}
	}
	// An empty database: every month of the default range, no figures.
	status, body := f.get(t, "/api/report")
	var r report.Report
	if err := json.Unmarshal(body, &r); status != 200 || err != nil || len(r.Stages.Months) != 13 || r.Totals.Leads != 0 {
		t.Errorf("empty database: %d %v %.300s", status, err, body)
	}
}

// Contacted is an activity: stored and shown as one, never a stage
// change, never a webhook.
func TestReportContactedActivity(t *testing.T) {
	f := newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: "http://127.0.0.1:1/hook"}}, nil)
	id := f.submit(t, "key-contacted", ana())["id"].(string)
	pending := func() int {
		_, body := f.get(t, "/api/outbox")
		var o struct{ Status map[string]int }
		json.Unmarshal(body, &o)
		return o.Status["pending"]
	}
	before := pending()
	if status, body := f.sendEvent(t, id, map[string]string{"activity": "contacted", "actor": "jo"}); status != 201 ||
		!strings.Contains(string(body), `"kind":"activity"`) {
		t.Fatalf("contacted: %d %s", status, body)
	}
	if after := pending(); after != before {
		t.Errorf("an activity queued %d webhooks", after-before)
	}
	if status, body := f.sendEvent(t, id, map[string]string{"activity": "contacted", "actor": "winnow"}); status != 422 ||
		!strings.Contains(string(body), `"field":"actor"`) {
		t.Errorf("an event by winnow itself: %d %s", status, body)
	}
	_, body := f.get(t, "/api/leads/"+id)
	var l struct {
		Events []struct{ Stage, Kind, Name string }
	}
	json.Unmarshal(body, &l)
	var kinds []string
	for _, e := range l.Events {
		kinds = append(kinds, e.Kind+":"+e.Name+e.Stage)
	}
	// The submission, the stage it entered, and the call: no stage after it.
	if got, want := strings.Join(kinds, " "), "submission: stage:MQL activity:contacted"; got != want {
		t.Errorf("timeline %q, want %q", got, want)
	}
}

// The overdue SLA entries come a page at a time, the most overdue first,
// each page's token leading to the next; a token made up or changed is a
// 400 naming it, and a range of a hundred years too.
func TestReportBreachPages(t *testing.T) {
	f := newFixture(t, nil, nil)
	for i := range 5 {
		l := ana()
		l["email"] = fmt.Sprintf("p%d@northwind.io", i)
		f.submit(t, fmt.Sprint("key-pages-", i), l)
		f.clock.Advance(time.Hour)
	}
	f.clock.Advance(10 * 24 * time.Hour) // every MQL entry is overdue
	ctx := context.Background()
	all, err := f.h.Report(ctx, "", "", "UTC", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if all.BreachesTotal < 5 || len(all.Breaches) != all.BreachesTotal || all.BreachesNext != "" {
		t.Fatalf("one page of all: %d of %d, next %q", len(all.Breaches), all.BreachesTotal, all.BreachesNext)
	}
	var paged []report.Breach
	after := ""
	for range 10 {
		r, err := f.h.Report(ctx, "", "", "UTC", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if r.BreachesTotal != all.BreachesTotal || len(r.Breaches) > 2 {
			t.Fatalf("a page: %d breaches of %d", len(r.Breaches), r.BreachesTotal)
		}
		paged = append(paged, r.Breaches...)
		if after = r.BreachesNext; after == "" {
			break
		}
	}
	if fmt.Sprint(paged) != fmt.Sprint(all.Breaches) {
		t.Errorf("the pages hold\n%v\nwant\n%v", paged, all.Breaches)
	}
	first, _ := f.h.Report(ctx, "", "", "UTC", "", 2)
	tampered := strings.Replace(first.BreachesNext, first.BreachesNext[:3], "999", 1)
	for _, q := range []string{"breaches=" + tampered, "breaches=nonsense", "from=1990-01&to=2089-12"} {
		status, body := f.get(t, "/api/report?"+q)
		if status != 400 {
			t.Errorf("%s: %d %s, want 400", q, status, body)
		}
	}
	status, body := f.get(t, "/api/report?tz=America/New_York")
	if status != 400 || !strings.Contains(string(body), "Europe/Paris") {
		t.Errorf("a zone the report is not kept in: %d %s", status, body)
	}
}
