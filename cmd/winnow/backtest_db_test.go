package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// TestBacktestDB fills a database with winnow demo, whose leads get
// outcomes, and backtests the model on it with --db: the report of the
// decided leads, as text and JSON, and --suggest's patch.
func TestBacktestDB(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "winnow.db")
	code, out, errs := runWinnow(t, "", "demo", "--content", shippedContent, "--db", dbPath, "--csv", filepath.Join(dir, "h.csv"),
		"--leads", "400", "--rows", "10", "--seed", "3", "--end", "2026-06-15")
	if code != 0 {
		t.Fatalf("winnow demo = %d\n%s%s", code, out, errs)
	}
	db, err := sqlitedb.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	decided := queryInt(t, db, `SELECT count(*) FROM leads WHERE outcome IN ('won', 'lost') AND merged_into IS NULL AND purged_at IS NULL`)
	db.Close()
	if decided < 40 {
		t.Fatalf("the demo decided %d leads: too few to backtest", decided)
	}

	code, out, errs = runWinnow(t, "", "backtest", "--content", shippedContent, "--db", dbPath, "--json")
	if code != 0 {
		t.Fatalf("winnow backtest --db --json = %d\n%s%s", code, out, errs)
	}
	var res struct {
		File   string `json:"file"`
		Read   int    `json:"rows_read"`
		Report struct {
			Leads int     `json:"leads"`
			AUC   float64 `json:"auc"`
		} `json:"report"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.File != dbPath || res.Read != decided || res.Report.Leads != decided || res.Report.AUC < 0.5 || res.Report.AUC > 1 {
		t.Errorf("--json: file %q, %d read, %d leads, AUC %v; want %s, %d leads, AUC in [0.5, 1]",
			res.File, res.Read, res.Report.Leads, res.Report.AUC, dbPath, decided)
	}

	patch := filepath.Join(dir, "out", "suggest.patch")
	code, out, errs = runWinnow(t, "", "backtest", "--content", shippedContent, "--db", dbPath, "--suggest", "--out", patch)
	if code != 0 {
		t.Fatalf("winnow backtest --db --suggest = %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{dbPath + ": model ", strconv.Itoa(decided) + " rows read, " + strconv.Itoa(decided) + " used",
		"ROC AUC of the score", "suggested points", "held-out ROC AUC"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "patch written to ") {
		b, err := os.ReadFile(patch)
		if err != nil || !strings.Contains(string(b), "scoring.yaml") {
			t.Errorf("the patch %s: %v\n%s", patch, err, b)
		}
	} else if !strings.Contains(out, "no patch written") {
		t.Errorf("--suggest says nothing of a patch:\n%s", out)
	}

	code, _, errs = runWinnow(t, "", "backtest", "--content", shippedContent, "--db", dbPath, "leads.csv")
	if code != 2 || !strings.Contains(errs, "not both") {
		t.Errorf("--db with a CSV = %d, want the usage error \"not both\"\n%s", code, errs)
	}
}
