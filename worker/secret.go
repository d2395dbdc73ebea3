package worker

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
)

// StoredSecret returns the secret kept in db, making and storing one the
// first time. Without WINNOW_SECRET, the commands use it as
// Config.Secret: hashes, idempotency keys and rate limits then hold across
// restarts, and every instance of the edge agrees on them.
func StoredSecret(ctx context.Context, db *sql.DB) (string, error) {
	var b [32]byte
	rand.Read(b[:])
	if _, err := db.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('secret', ?) ON CONFLICT (name) DO NOTHING`,
		hex.EncodeToString(b[:])); err != nil {
		return "", err
	}
	var s string
	err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'secret'`).Scan(&s)
	return s, err
}
