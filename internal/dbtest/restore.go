package dbtest

import (
	"compress/gzip"
	"database/sql"
	"io"
	"os"
	"testing"

	_ "modernc.org/sqlite" // the driver worker/sqlitedb uses
)

// Restore writes the gzipped SQL dump at dump (sqlite3's .dump of a
// database an earlier release filled) into a new SQLite file at path, as
// that release stored it: not migrated. The database stays open until the
// test ends.
func Restore(t testing.TB, dump, path string) *sql.DB {
	t.Helper()
	f, err := os.Open(dump)
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
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(string(text)); err != nil {
		t.Fatalf("restoring %s: %v", dump, err)
	}
	return db
}
