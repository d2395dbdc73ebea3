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

// Batch runs statements as one transaction, all of them or none, and
// returns how many rows each one changed. At the edge it is D1's batch();
// natively a database/sql transaction.
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
