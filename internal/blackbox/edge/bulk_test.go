//go:build edge

package edge_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/blackbox"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/internal/wrangler"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// TestBulkD1 loads demo leads into a local D1 as the bulk loader's D1
// variant does (go run ./bench/bulk --d1 FILE.sql: demo.Bulk into a
// SQLite file, demo.WriteD1 of its rows, `wrangler d1 execute --file`),
// starts wrangler dev over that D1, and finds the leads through the API:
// each as the import stored it, with its timeline and score history, and
// all of them in the export.
func TestBulkD1(t *testing.T) {
	root := repoRoot(t)
	for _, f := range []string{"build/edge/worker.mjs", "build/edge/app.wasm", "build/public/index.html"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Fatalf("%s is missing: run make edge (%v)", f, err)
		}
	}
	c, diags := content.Load(os.DirFS(filepath.Join(root, "content")), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlitedb.Open(ctx, filepath.Join(dir, "bulk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := demo.Bulk(ctx, demo.BulkOptions{DB: db, Model: c.Model, Domains: domains.Full, Leads: 500, Seed: 11,
		End: time.Now(), Secret: blackbox.HashSecret})
	if err != nil {
		t.Fatal(err)
	}
	sqlPath := filepath.Join(dir, "bulk.sql")
	f, err := os.Create(sqlPath)
	if err != nil {
		t.Fatal(err)
	}
	written, err := demo.WriteD1(ctx, db, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d leads, %d facts: %d rows in %d statements, %d bytes of SQL", st.Leads, st.Facts, written.Rows, written.Statements, written.Bytes)

	persist := filepath.Join(dir, "state")
	for _, args := range [][]string{
		{"d1", "migrations", "apply", "DB", "--local", "--persist-to", persist},
		{"d1", "execute", "DB", "--local", "--persist-to", persist, "--file", sqlPath},
	} {
		began := time.Now()
		if _, err := wrangler.Run(root, args...); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrangler %s %s: %v", args[0], args[1], time.Since(began).Round(time.Millisecond))
	}
	d := wrangler.Start(t, wrangler.Options{Root: root, Persist: persist,
		Vars: map[string]string{"WINNOW_ADMIN_TOKEN": blackbox.AdminToken, "WINNOW_SECRET": blackbox.HashSecret}})

	get := func(path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", d.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+blackbox.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return resp
	}
	// The first lead, the last, and those with the longest histories.
	rows, err := db.Query(`SELECT id, stage, email,
			(SELECT count(*) FROM events e WHERE e.lead_id = leads.id), (SELECT count(*) FROM scores s WHERE s.lead_id = leads.id)
		FROM leads WHERE id IN (SELECT id FROM leads ORDER BY created_at LIMIT 1)
			OR id IN (SELECT id FROM leads ORDER BY created_at DESC LIMIT 1)
			OR id IN (SELECT lead_id FROM events GROUP BY lead_id ORDER BY count(*) DESC, lead_id LIMIT 3)`)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		id, stage, email string
		events, scores   int
	}
	var wants []want
	for rows.Next() {
		var w want
		if err := rows.Scan(&w.id, &w.stage, &w.email, &w.events, &w.scores); err != nil {
			t.Fatal(err)
		}
		wants = append(wants, w)
	}
	rows.Close()
	if len(wants) < 3 {
		t.Fatalf("%d leads to look up, want 3 or more", len(wants))
	}
	for _, w := range wants {
		resp := get("/api/leads/" + w.id)
		var l struct {
			ID     string
			Stage  string
			Fields map[string]string
			Events []json.RawMessage
			Scores []json.RawMessage
		}
		err := json.NewDecoder(resp.Body).Decode(&l)
		resp.Body.Close()
		if err != nil || l.ID != w.id || l.Stage != w.stage || l.Fields["email"] != w.email || len(l.Events) != w.events || len(l.Scores) != w.scores {
			t.Errorf("GET /api/leads/%s: %v, lead %s in %q of %q with %d events and %d score rows; want it in %q of %q with %d and %d",
				w.id, err, l.ID, l.Stage, l.Fields["email"], len(l.Events), len(l.Scores), w.stage, w.email, w.events, w.scores)
		}
	}
	resp := get("/api/export.csv")
	recs, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	var leads int
	db.QueryRow(`SELECT count(*) FROM leads`).Scan(&leads)
	if err != nil || len(recs) != leads+1 || leads < 490 {
		t.Errorf("GET /api/export.csv: %d records (%v), want a header and the %d leads imported", len(recs), err, leads)
	}
}
