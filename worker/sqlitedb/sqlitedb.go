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
	"time"

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
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=wal_autocheckpoint(0)&_txlock=immediate"
	c := newConnector(dsn)
	db := sql.OpenDB(c)
	// Connections stay open: a new one reads the schema again and starts
	// with an empty page cache (database/sql keeps two idle by default).
	db.SetMaxIdleConns(64)
	if _, err := worker.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	go c.checkpoint(db, checkpointEvery)
	return db, nil
}

// checkpointEvery is how often the write-ahead log is copied into the
// database.
const checkpointEvery = time.Second

// checkpoint copies the write-ahead log into the database every interval
// until the database is closed, beside the writers: left to SQLite, the
// write that fills the log past 1,000 pages copies it, and waits the
// copy out (at a million leads, 10 ms and more every few hundred writes:
// most of a write's p99). A passive checkpoint waits for no one; what a
// reader still needs is copied next time.
func (c *connector) checkpoint(db *sql.DB, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.closed:
			return
		case <-t.C:
			db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}
