// Package sqlitedb opens the native database of the edge handler: an
// embedded, pure-Go SQLite file, migrated with the edge's own migrations.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/winnowhq/winnow/worker"
)

// Open opens (creating it if need be) the SQLite database at path, in WAL
// mode, its connections taking turns to write (writer.go), and applies
// the migrations it lacks. The busy timeout is for other processes that
// write to the file (winnow demo beside winnow dev).
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("sqlitedb: no database file")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	dsn := "file:" + filepath.ToSlash(path) + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db := sql.OpenDB(newConnector(dsn))
	// Connections stay open: a new one reads the schema again and starts
	// with an empty page cache (database/sql keeps two idle by default).
	db.SetMaxIdleConns(64)
	if _, err := worker.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}
