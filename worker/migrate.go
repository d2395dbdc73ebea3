package worker

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"

	"github.com/winnowhq/winnow/worker/store"
)

// Migrations are the schema's SQL migrations, applied in name order. D1
// applies them with `wrangler d1 migrations apply`; Migrate applies them
// to SQLite and keeps the same bookkeeping table, d1_migrations.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Migrate applies the migrations a SQLite database has not had yet (see
// store.Migrate) and returns their names.
func Migrate(ctx context.Context, db *sql.DB) ([]string, error) {
	sub, err := fs.Sub(Migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return store.Migrate(ctx, db, sub)
}
