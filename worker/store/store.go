// Package store is Winnow's storage: every SQL statement the edge runs,
// behind typed functions, over D1 at the edge and SQLite natively (one
// schema: the migrations in worker/migrations). Reads run at once; writes
// are built as statements and run together as one transaction (a Batch:
// D1's batch() at the edge, whose statements cannot read each other's
// results, so a write that depends on the state it read is guarded by
// the lead's version and retried by the caller when another came first).
package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// Stmt is one SQL statement with its arguments, for a Batch.
type Stmt struct {
	SQL  string
	Args []any
}

// Batch runs statements as one transaction, all of them or none, and
// returns how many rows each one changed. At the edge it is D1's batch();
// natively a database/sql transaction (TxBatch).
type Batch func(ctx context.Context, stmts []Stmt) (changed []int64, err error)

// TxBatch returns a Batch that runs the statements in a transaction on db.
func TxBatch(db *sql.DB) Batch {
	return func(ctx context.Context, stmts []Stmt) ([]int64, error) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		changed := make([]int64, len(stmts))
		for i, s := range stmts {
			res, err := tx.ExecContext(ctx, s.SQL, s.Args...)
			if err == nil {
				changed[i], err = res.RowsAffected()
			}
			if err != nil {
				tx.Rollback()
				return nil, err
			}
		}
		return changed, tx.Commit()
	}
}

// Store reads and writes the database.
type Store struct {
	DB    *sql.DB
	Batch Batch
}

// New returns a Store over db, whose writes run with batch (nil: in a
// transaction on db).
func New(db *sql.DB, batch Batch) *Store {
	if batch == nil {
		batch = TxBatch(db)
	}
	return &Store{DB: db, Batch: batch}
}

// Run runs statements as one transaction.
func (s *Store) Run(ctx context.Context, stmts []Stmt) ([]int64, error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	return s.Batch(ctx, stmts)
}

// Ping asks the database a question: it answers, or not.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.DB.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// ErrNotFound is what a read of one row returns when there is none.
var ErrNotFound = errors.New("store: not found")

// MaxParams is how many parameters one statement may bind: D1's limit.
const MaxParams = 100

// in is "(?, ?, …)" for n parameters.
func in(n int) string {
	return "(?" + strings.Repeat(", ?", n-1) + ")"
}

// anys makes strings arguments.
func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// chunks calls f with successive parts of ss, each small enough to bind.
func chunks(ss []string, size int, f func([]string) error) error {
	for len(ss) > 0 {
		n := min(len(ss), size)
		if err := f(ss[:n]); err != nil {
			return err
		}
		ss = ss[n:]
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullable is NULL for 0.
func nullable(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}
