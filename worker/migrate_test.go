package worker_test

import (
	"compress/gzip"
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/load"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// previousRelease opens a copy of a database filled by an earlier release
// (testdata/schema-NNNN.sql.gz: `winnow demo` at the commit that had only
// the migrations up to NNNN, dumped as SQL), migrated to this release.
func previousRelease(t *testing.T, dump string) *sql.DB {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", dump))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(string(text)); err != nil {
		t.Fatalf("loading %s: %v", dump, err)
	}
	raw.Close()
	db, err := sqlitedb.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("migrating %s: %v", dump, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A database of the release with migration 0001 only keeps every lead,
// event and webhook when migrated, and gains the new tables.
func TestMigrateFrom0001(t *testing.T) {
	db := previousRelease(t, "schema-0001.sql.gz")
	for table, want := range map[string]int{"leads": 80, "events": 137, "outbox": 135} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d rows after migrating, want the %d the old release stored", table, n, want)
		}
	}
	var names []string
	rows, err := db.Query(`SELECT name FROM d1_migrations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	files, _ := filepathGlob("migrations/*.sql")
	if !slices.Equal(names, files) {
		t.Errorf("migrations applied %q, want every one of %q", names, files)
	}
	secret, err := worker.StoredSecret(context.Background(), db)
	if err != nil || len(secret) != 64 {
		t.Errorf("the settings table after migrating: secret %q, %v", secret, err)
	}
	var sessions int
	if err := db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&sessions); err != nil {
		t.Errorf("the sessions table after migrating: %v", err)
	}

	// This release's handler reads what the old one stored.
	content, diags := load.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	h, err := worker.New(worker.Config{DB: db, Model: content.Model, Secret: "s", AdminToken: "migrate-admin-token"})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	db.QueryRow(`SELECT id FROM leads WHERE purged_at IS NULL ORDER BY created_at LIMIT 1`).Scan(&id)
	for _, path := range []string{"/api/leads/" + id, "/api/export.csv", "/api/report?from=2025-12&to=2026-11"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer migrate-admin-token")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s over the migrated database: %d %s", path, w.Code, w.Body)
		}
		if path == "/api/export.csv" {
			if n := strings.Count(w.Body.String(), "\n") - 1; n < 80 {
				t.Errorf("the export holds %d leads, want the 80 stored", n)
			}
		}
	}
}

func filepathGlob(pattern string) ([]string, error) {
	m, err := filepath.Glob(pattern)
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	slices.Sort(m)
	return m, err
}
