package worker

import (
	"context"
	"database/sql"
)

// Stmt is one SQL statement with its arguments, for a Batch.
type Stmt struct {
	SQL  string
	Args []any
}

// Batch runs statements as one transaction: all of them or none. At the
// edge it is D1's batch(); natively a database/sql transaction.
type Batch func(ctx context.Context, stmts []Stmt) error

// TxBatch returns a Batch that runs the statements in a transaction on db.
func TxBatch(db *sql.DB) Batch {
	return func(ctx context.Context, stmts []Stmt) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s.SQL, s.Args...); err != nil {
				tx.Rollback()
				return err
			}
		}
		return tx.Commit()
	}
}
