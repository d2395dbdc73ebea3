package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// dbCounts is what a demo database holds, in numbers.
type dbCounts struct {
	leads, events, delivered, dead, pending int
}

func countDB(t *testing.T, db *sql.DB) dbCounts {
	t.Helper()
	var c dbCounts
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM leads`:                             &c.leads,
		`SELECT count(*) FROM events`:                            &c.events,
		`SELECT count(*) FROM outbox WHERE status = 'delivered'`: &c.delivered,
		`SELECT count(*) FROM outbox WHERE status = 'dead'`:      &c.dead,
		`SELECT count(*) FROM outbox WHERE status = 'pending'`:   &c.pending,
	} {
		if err := db.QueryRow(q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestDemo runs winnow demo twice on one database: the first run leaves a
// year of leads moved along the funnel, with late and missing hand-offs,
// a reopened lead and dead webhooks; the second adds nothing.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	dbPath, csvPath := filepath.Join(dir, "winnow.db"), filepath.Join(dir, "demo", "history.csv")
	args := []string{"demo", "--content", shippedContent, "--db", dbPath, "--csv", csvPath, "--leads", "400", "--rows", "1000",
		"--seed", "3", "--end", "2026-06-15"}
	code, out, errs := runWinnow(t, "", args...)
	if code != 0 {
		t.Fatalf("winnow demo = %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"400 leads (400 new)", "dead-lettered", "1000 past leads",
		"winnow backtest " + csvPath + " --map " + filepath.Join(dir, "demo", "mapping.yaml") + " --suggest", "winnow report"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	db, err := sqlitedb.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first := countDB(t, db)
	if first.leads != 400 || first.pending != 0 || first.dead == 0 || first.delivered == 0 {
		t.Errorf("after demo: %+v; want 400 leads, webhooks delivered and dead, none pending", first)
	}

	end := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	for i := range 12 {
		month := end.AddDate(0, -i, 0)
		from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(0, 1, 0)
		if n := queryInt(t, db, `SELECT count(*) FROM leads WHERE created_at >= ? AND created_at < ?`, from.UnixMilli(), to.UnixMilli()); n == 0 {
			t.Errorf("no leads in %s", from.Format("2006-01"))
		}
	}
	if n := queryInt(t, db, `SELECT count(*) FROM events WHERE at >= ?`, end.UnixMilli()); n > 0 {
		t.Errorf("%d events after the end", n)
	}
	// Sales' facts went through the API, with the admin token.
	if n := queryInt(t, db, `SELECT count(*) FROM events WHERE kind IN ('signal', 'answers', 'activity', 'outcome', 'override')
		AND source != 'api'`); n > 0 {
		t.Errorf("%d sales facts not recorded through the API", n)
	}
	// Their facts moved leads along the funnel by the rules.
	for _, stage := range []string{"SAL", "SQL", "opportunity"} {
		if n := queryInt(t, db, `SELECT count(DISTINCT lead_id) FROM events WHERE kind = 'stage' AND stage = ? AND by_rule = 1`, stage); n == 0 {
			t.Errorf("no lead reached %s by the rules", stage)
		}
	}
	for _, outcome := range []string{"won", "lost"} {
		if n := queryInt(t, db, `SELECT count(DISTINCT lead_id) FROM events WHERE kind = 'outcome' AND stage = ?`, outcome); n == 0 {
			t.Errorf("no lead was %s", outcome)
		}
	}
	reopened := queryInt(t, db, `SELECT count(DISTINCT l.lead_id) FROM events l JOIN events m ON m.lead_id = l.lead_id
		WHERE l.kind = 'outcome' AND l.stage = 'lost' AND m.kind = 'stage' AND m.at > l.at`)
	if reopened == 0 {
		t.Error("no lost lead came back")
	}
	// An MQL that nobody acted on, older than the MQL stage's SLA.
	c, diags := content.Load(os.DirFS(shippedContent), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	within := c.Model.Stages[c.Model.StageIndex("MQL")].SLA.Within
	breached := queryInt(t, db, `SELECT count(*) FROM events e WHERE e.kind = 'stage' AND e.stage = 'MQL' AND e.at < ?
		AND NOT EXISTS (SELECT 1 FROM events x WHERE x.lead_id = e.lead_id AND x.at > e.at
			AND x.actor NOT IN ('winnow', 'visitor'))`, end.UnixMilli()-within*1000)
	if breached == 0 {
		t.Error("no MQL left without action past its SLA")
	}
	// Dead webhooks ran out of attempts against the CRM's outage.
	if n := queryInt(t, db, `SELECT count(*) FROM outbox WHERE status = 'dead' AND (attempts < 8 OR last_error NOT LIKE '%503%')`); n > 0 {
		t.Errorf("%d dead webhooks that did not fail 8 times with a 503", n)
	}

	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 1001 {
		t.Fatalf("the CSV has %d records (%v), want a header and 1000 rows", len(recs), err)
	}
	mapping, err := os.ReadFile(filepath.Join(dir, "demo", "mapping.yaml"))
	if err != nil || !strings.Contains(string(mapping), "column: converted") {
		t.Errorf("mapping.yaml: %v\n%s", err, mapping)
	}

	code, out, errs = runWinnow(t, "", args...)
	if code != 0 {
		t.Fatalf("winnow demo again = %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "400 leads (0 new)") {
		t.Errorf("the second run's output lacks %q:\n%s", "400 leads (0 new)", out)
	}
	if again := countDB(t, db); again != first {
		t.Errorf("after a second demo: %+v, want %+v", again, first)
	}
}
