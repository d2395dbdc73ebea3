package worker

import (
	"context"
	"database/sql"

	"github.com/winnowhq/winnow/worker/store"
)

// StoredSecret returns the secret kept in db, making and storing one the
// first time. Without WINNOW_SECRET, the commands use it as
// Config.Secret: hashes, idempotency keys and rate limits then hold across
// restarts, and every instance of the edge agrees on them.
func StoredSecret(ctx context.Context, db *sql.DB) (string, error) {
	return store.New(db, nil).StoredSecret(ctx)
}
