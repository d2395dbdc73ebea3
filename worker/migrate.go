package worker

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// Migrations are the schema's SQL migrations, applied in name order. D1
// applies them with `wrangler d1 migrations apply`; Migrate applies them
// to SQLite and keeps the same bookkeeping table, d1_migrations.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Migrate applies the migrations a database has not had yet, each in its
// own transaction, and returns their names.
func Migrate(ctx context.Context, db *sql.DB) ([]string, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS d1_migrations (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		name TEXT UNIQUE,
		applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return nil, err
	}
	names, err := fs.Glob(Migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var applied []string
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM d1_migrations WHERE name = ?`, base).Scan(&n); err != nil {
			return applied, err
		}
		if n > 0 {
			continue
		}
		src, err := Migrations.ReadFile(name)
		if err != nil {
			return applied, err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return applied, err
		}
		if _, err := tx.ExecContext(ctx, string(src)); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migration %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO d1_migrations (name, applied_at) VALUES (?, ?)`,
			base, time.Now().UTC().Format("2006-01-02 15:04:05")); err != nil {
			tx.Rollback()
			return applied, err
		}
		if err := tx.Commit(); err != nil {
			return applied, err
		}
		applied = append(applied, base)
	}
	return applied, nil
}
