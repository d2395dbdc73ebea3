package sqlitedb

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestWrites(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1":                               false,
		"  select id FROM leads":                 false,
		"(SELECT 1) UNION SELECT 2":              false,
		"-- a note\nSELECT 1":                    false,
		"EXPLAIN QUERY PLAN SELECT 1":            false,
		"PRAGMA journal_mode":                    false,
		"PRAGMA journal_mode=WAL":                true,
		"INSERT INTO t VALUES (1)":               true,
		"UPDATE t SET a = 1 RETURNING a":         true,
		"\tDELETE FROM t":                        true,
		"WITH x AS (SELECT 1) INSERT INTO t ...": true,
		"CREATE TABLE t (a)":                     true,
	} {
		if got := writes(q); got != want {
			t.Errorf("writes(%q) = %v, want %v", q, got, want)
		}
	}
}

func open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// Concurrent writers take turns in Go: none fails with SQLITE_BUSY, none
// waits on SQLite's sleeps, and every update counts.
func TestWritersTakeTurns(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	const writers, each = 20, 40
	var mu sync.Mutex
	var waits []time.Duration
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range each {
				began := time.Now()
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					t.Error(err)
					return
				}
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil {
					t.Error(err)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE counter SET n = ?`, n+1); err != nil {
					t.Error(err)
				}
				if err := tx.Commit(); err != nil {
					t.Error(err)
				}
				// A write outside a transaction, returning rows.
				var m int
				if err := db.QueryRowContext(ctx, `UPDATE counter SET n = n + 1 RETURNING n`).Scan(&m); err != nil {
					t.Error(err)
				}
				mu.Lock()
				waits = append(waits, time.Since(began))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	var n int
	if err := db.QueryRow(`SELECT n FROM counter`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := 2 * writers * each; n != want {
		t.Errorf("counter %d, want %d: updates were lost", n, want)
	}
	slices.Sort(waits)
	t.Logf("%d writers: a transaction and a write took p50 %v, max %v", writers, waits[len(waits)/2], waits[len(waits)-1])
}

// A reader is never held up by a writer: it reads while a transaction is
// open.
func TestReadersDoNotWait(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE counter SET n = 5`); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var n int
	if err := db.QueryRowContext(rctx, `SELECT n FROM counter`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a read during a write transaction: %d, %v; want the last committed 0 at once", n, err)
	}
	// A writer waits for the slot, and gives up with its context.
	wctx, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := db.ExecContext(wctx, `UPDATE counter SET n = 6`); err == nil {
		t.Error("a second writer wrote while a transaction held the slot")
	}
}

// The same statement can run again while its rows are open: the kept one
// is busy, so a fresh one is prepared.
func TestStatementReuse(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const q = `SELECT n FROM counter`
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var inner int
	if err := conn.QueryRowContext(ctx, q).Scan(&inner); err != nil {
		t.Fatalf("the statement again while its rows are open: %v", err)
	}
	if !rows.Next() {
		t.Fatal("the first rows are gone")
	}
	rows.Close()
	for range 3 {
		if err := conn.QueryRowContext(ctx, q).Scan(&inner); err != nil {
			t.Fatal(err)
		}
	}
}
