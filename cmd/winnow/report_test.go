package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// reportDB stores two leads through the handler, with the content's
// routing as winnow serve has it, in a SQLite file and returns its path,
// the id of B, the API's report for March to May 2026 at 10 May, and the
// API's export. Times are UTC; Sales development works from 08:30 to
// 18:00 in Paris (UTC+1), Monday to Friday.
//
//	A: MQL Monday 2026-03-02 09:00, contacted 12:00 (within 24 business hours: met)
//	B: MQL Thursday 2026-03-05 09:00, nothing since (breached: due Monday 03-09 14:00)
func reportDB(t *testing.T) (path, b string, api, export []byte) {
	t.Helper()
	c, diags := content.Load(os.DirFS(shippedContent), filepath.ToSlash(filepath.Clean(shippedContent))) // as winnow loads it: the same version
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	path = filepath.Join(t.TempDir(), "winnow.db")
	db, err := sqlitedb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	h, err := worker.New(worker.Config{DB: db, Model: c.Model, Routing: c.Routing, Now: func() time.Time { return now }, AdminToken: "tok",
		Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, target, body string) []byte {
		t.Helper()
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer tok")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	lead := func(key, email string) string {
		body := `{"idempotency_key": "` + key + `", "fields": {"name": "Ana Souza", "email": "` + email + `",
			"company": "Northwind", "company_size": "201-1000", "industry": "software", "role": "marketing",
			"seniority": "director", "country": "DE", "request": "newsletter", "consent": "yes"}}`
		var a struct{ ID, Stage string }
		json.Unmarshal(do("POST", "/api/leads", body), &a)
		if a.Stage != "MQL" {
			t.Fatalf("lead %s is %s, want MQL", key, a.Stage)
		}
		return a.ID
	}
	a := lead("key-cli-report-a", "ana@northwind.io")
	now = now.Add(3 * 24 * time.Hour)
	b = lead("key-cli-report-b", "bo@northwind.io")
	now = time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)
	do("POST", "/api/leads/"+a+"/events", `{"activity": "contacted", "actor": "jo", "at": "2026-03-02T12:00:00Z"}`)
	return path, b, do("GET", "/api/report?from=2026-03&to=2026-05", ""), do("GET", "/api/export.csv", "")
}

func TestReportCommand(t *testing.T) {
	path, b, api, export := reportDB(t)
	csvPath := filepath.Join(t.TempDir(), "leads.csv")
	if err := os.WriteFile(csvPath, export, 0o644); err != nil {
		t.Fatal(err)
	}
	flags := []string{"--content", shippedContent, "--from", "2026-03", "--to", "2026-05", "--now", "2026-05-10T00:00:00Z"}

	// --json is the API's report, from the database and from the export.
	for _, src := range [][]string{{"--db", path}, {csvPath}} {
		code, out, errs := runWinnow(t, "", append(append([]string{"report", "--json"}, flags...), src...)...)
		if code != 0 {
			t.Fatalf("winnow report --json %v = %d: %s", src, code, errs)
		}
		if out != string(api) {
			t.Errorf("winnow report --json %v differs from the API at byte %d:\n%s\nthe API:\n%s", src, firstDiff(out, string(api)), out, api)
		}
	}

	code, out, errs := runWinnow(t, "", append(append([]string{"report"}, flags...), "--db", path)...)
	if code != 0 {
		t.Fatalf("winnow report = %d: %s", code, errs)
	}
	// B breached MQL's 24 business hours: entered Thursday 03-05 09:00 (8
	// hours that day, 9.5 on Friday, 6.5 on Monday), 65 d 15 h before
	// 05-10 00:00, 61 d 10 h over. A was contacted in 3 h: 1 met, 1 breached,
	// compliance 1/2. Both were created in March as MQLs: cold lead → MQL
	// 2/2, MQL → SAL 0/2.
	// Months and times are the model's time zone's (Europe/Paris, UTC+1
	// in March).
	for _, want := range []string{"Funnel and SLA report, 2026-03 to 2026-05 (Europe/Paris)", "2 leads, 0 of them spam", "Breaches: 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text report lacks %q:\n%s", want, out)
		}
	}
	for _, want := range [][]string{
		{"2026-03", "0", "0", "2", "0", "0", "0", "0", "0", "0", "0", "0"}, // entered: MQL 2
		{"2026-03", "2", "100%", "2/2", "0%", "0/2", "-", "-", "-", "-"},   // conversions
		{"MQL", "Sales", "development", "1d", "2", "1", "0", "1", "0", "50%"},
		{b, "MQL", "Sales", "development", "2026-03-05", "10:00", "65d", "15h", "61d", "10h"},
	} {
		if !hasRow(out, want) {
			t.Errorf("the text report lacks a row %q:\n%s", want, out)
		}
	}

	code, out, errs = runWinnow(t, "", append(append([]string{"report", "--csv"}, flags...), csvPath)...)
	if code != 0 {
		t.Fatalf("winnow report --csv = %d: %s", code, errs)
	}
	for _, want := range []string{
		"section,segment,month,step,to,metric,value\n",
		"stages,,2026-03,MQL,,entered,2\n",
		"stages,,2026-03,MQL,SAL,reached,2\n",
		"stages,,2026-04,MQL,SAL,rate,\n",
		"sla,Sales development,,MQL,,compliance,0.5\n",
		",2026-03,MQL,,over_seconds,5306400\n", // 61 d 10 h
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the CSV report lacks %q:\n%.2000s", want, out)
		}
	}
}

func TestReportCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("id,created_at,events\nL1,2026-01-05T09:00:00Z,MQL\n"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--from", "2026-13"}, 1, "--from: \"2026-13\" is not a month"},
		{[]string{"--tz", "Nowhere/City"}, 1, "--tz: "},
		{[]string{"--db", filepath.Join(dir, "none.db")}, 1, "none.db: no database"},
		{[]string{"--db", "x.db", "leads.csv"}, 2, "not both"},
		{[]string{"--json", "--csv"}, 2, "not both"},
		{[]string{bad}, 1, "bad.csv: line 2, column events: event 1: "},
	} {
		code, _, errs := runWinnow(t, "", append([]string{"report", "--content", shippedContent}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("winnow report %v = %d %q, want %d and %q", c.args, code, errs, c.code, c.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Errorf("a missing database was created")
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// hasRow reports whether out has a line of exactly these fields.
func hasRow(out string, fields []string) bool {
	for _, line := range strings.Split(out, "\n") {
		if slices.Equal(strings.Fields(line), fields) {
			return true
		}
	}
	return false
}

// --check finds the report's sums that disagree with the events, naming
// the cells, and --rebuild counts them anew from the events.
func TestReportCheckRebuild(t *testing.T) {
	path, _, _, _ := reportDB(t)
	flags := []string{"report", "--content", shippedContent, "--db", path}
	code, out, errs := runWinnow(t, "", append(flags, "--check")...)
	if code != 0 || !strings.Contains(out, "against the events of 2 leads") {
		t.Fatalf("a check of sound sums = %d:\n%s%s", code, out, errs)
	}
	db, err := sqlitedb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE rollups SET cells = json_set(cells, '$."n"', 7) WHERE seg = '' AND part = '' AND month != 0 AND zone = 'UTC'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errs = runWinnow(t, "", append(flags, "--check")...)
	if code == 0 || !strings.Contains(out, `segment "", cell n: the events give -5`) || !strings.Contains(errs, "differ from the events") {
		t.Errorf("a check of a corrupted sum = %d:\n%s%s", code, out, errs)
	}
	code, out, errs = runWinnow(t, "", append(flags, "--rebuild")...)
	if code != 0 || !strings.Contains(out, "counted the report's sums anew from the events of 2 leads") {
		t.Fatalf("--rebuild = %d:\n%s%s", code, out, errs)
	}
	if code, out, errs = runWinnow(t, "", append(flags, "--check")...); code != 0 {
		t.Errorf("a check after --rebuild = %d:\n%s%s", code, out, errs)
	}
}
