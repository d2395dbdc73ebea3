package demo_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/dbtest"
	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// open opens a new, migrated database.
func open(t *testing.T, name string) *sql.DB {
	t.Helper()
	db, err := sqlitedb.Open(context.Background(), filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestBulkIsFill fills one database with Fill, through the API, and
// another with Bulk, through the import: the same leads, with the same
// rows, but for ids, write tokens and the answers that name them.
func TestBulkIsFill(t *testing.T) {
	c, diags := content.Load(os.DirFS("../../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	ctx := context.Background()
	api, imp := open(t, "api.db"), open(t, "import.db")
	filled, err := demo.Fill(ctx, demo.Options{DB: api, Model: c.Model, Leads: 300, Seed: 5, End: end})
	if err != nil {
		t.Fatal(err)
	}
	st, err := demo.Bulk(ctx, demo.BulkOptions{DB: imp, Model: c.Model, Leads: 300, Seed: 5, End: end, Secret: "winnow-demo"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Leads != 300 || st.Skipped != 0 || filled.New != 300 || st.Facts < 200 {
		t.Fatalf("Fill made %d new leads, Bulk imported %d (%d left out) with %d facts: want 300 each, none left out, facts",
			filled.New, st.Leads, st.Skipped, st.Facts)
	}
	// The rows, but for ids and write tokens (and a fact's answer, which
	// names it by an id made of the lead's).
	for _, q := range []string{
		`SELECT idem_key, body_hash, created_at, email, email_hash, input, source, model_version, stage, fit, tier, score, verdict,
			spam, response, person, visitor, version, signals, answered_at, scored_at, next_check_at, override, outcome
			FROM leads ORDER BY created_at, idem_key`,
		`SELECT e.lead_id, e.kind, e.name, e.value, e.stage, e.data, e.actor, e.source, e.note, e.at, e.recorded_at, e.by_rule,
			e.idem, e.body_hash, CASE e.kind WHEN 'submission' THEN e.response END
			FROM events e JOIN leads l ON l.id = e.lead_id ORDER BY l.created_at, l.idem_key, e.rowid`,
		`SELECT s.lead_id, s.at, s.stage, s.fit, s.tier, s.score, s.changed FROM scores s JOIN leads l ON l.id = s.lead_id
			ORDER BY l.created_at, l.idem_key, s.rowid`,
	} {
		want, got := dbtest.Rows(t, api, q, "idem_key"), dbtest.Rows(t, imp, q, "idem_key")
		if len(got) != len(want) {
			t.Errorf("%.50s…: %d rows imported, %d filled", q, len(got), len(want))
			continue
		}
		differ := 0
		for i := range want {
			if want[i] != got[i] {
				if differ++; differ <= 3 {
					t.Errorf("%.50s…, row %d:\nimported %s\nfilled   %s", q, i, got[i], want[i])
				}
			}
		}
		if differ > 3 {
			t.Errorf("%.50s…: %d rows differ in all", q, differ)
		}
	}

	var sqlText bytes.Buffer
	d, err := demo.WriteD1(ctx, imp, &sqlText)
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	imp.QueryRow(`SELECT (SELECT count(*) FROM leads) + (SELECT count(*) FROM events) + (SELECT count(*) FROM scores)
		+ (SELECT count(*) FROM settings)`).Scan(&rows)
	if d.Rows != rows || d.Statements < 3 || strings.Contains(sqlText.String(), "d1_migrations") ||
		strings.Contains(sqlText.String(), "BEGIN") {
		t.Errorf("WriteD1 wrote %d rows in %d statements, want %d, without the migrations' table or a transaction", d.Rows, d.Statements, rows)
	}
	for _, stmt := range strings.SplitAfter(sqlText.String(), ";\n") {
		if len(stmt) >= 100_000 {
			t.Errorf("a statement of %d bytes: D1 takes at most 100,000", len(stmt))
		}
	}
	// The SQL loads the same rows into a database the migrations made.
	copied := open(t, "copy.db")
	if _, err := copied.Exec(sqlText.String()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SELECT * FROM leads ORDER BY id`, `SELECT * FROM events ORDER BY id`, `SELECT * FROM scores ORDER BY rowid`} {
		if want, got := dbtest.Rows(t, imp, q, "idem_key"), dbtest.Rows(t, copied, q, "idem_key"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: the copy made from the SQL differs", q)
		}
	}
}
