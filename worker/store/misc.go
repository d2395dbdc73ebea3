package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// StoredSecret returns the secret kept in the database, making and
// storing one the first time: the key of Winnow's hashes when none is
// configured, the same across restarts and instances.
func (s *Store) StoredSecret(ctx context.Context) (string, error) {
	var b [32]byte
	rand.Read(b[:])
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('secret', ?) ON CONFLICT (name) DO NOTHING`,
		hex.EncodeToString(b[:])); err != nil {
		return "", err
	}
	var v string
	err := s.DB.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'secret'`).Scan(&v)
	return v, err
}

// Visits are page views of visitors not known as leads yet.

// InsertVisit stores a page view of an unknown visitor.
func InsertVisit(visitor, path, signal string, at int64) Stmt {
	return Stmt{`INSERT INTO visits (visitor, path, signal, at) VALUES (?, ?, ?, ?)`, []any{visitor, path, signal, at}}
}

// Visit is a page view.
type Visit struct {
	Path, Signal string
	At           int64
}

// Visits reads a visitor's page views, oldest first, at most limit.
func (s *Store) Visits(ctx context.Context, visitor string, limit int) ([]Visit, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT path, signal, at FROM visits WHERE visitor = ? ORDER BY at LIMIT ?`, visitor, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Visit
	for rows.Next() {
		var v Visit
		if err := rows.Scan(&v.Path, &v.Signal, &v.At); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// DropVisits forgets a visitor's page views once they are its lead's: if
// guard holds (see Guard).
func DropVisits(visitor string, guard string, args ...any) Stmt {
	return Stmt{`DELETE FROM visits WHERE visitor = ? AND ` + guard, append([]any{visitor}, args...)}
}

// Purge erases the personal data of the leads that gave none since
// before (Unix ms), keeping their verdicts, events and score history for
// the reports: their answers and email, their person and visitor (a
// return is a new lead), the browser's verdict, their events' answers,
// notes and keys, the webhooks sent about them; it drops the visits,
// rate-limit windows, sessions and login links that have ended. It
// returns the number of leads purged.
func (s *Store) Purge(ctx context.Context, now, before, visitsBefore, bucketBefore int64) (int64, error) {
	res, err := s.DB.ExecContext(ctx, `UPDATE leads SET input = '{}', email = '', email_hash = '', person = '', visitor = '',
		client_verdict = '', body_hash = '', idem_key = 'purged:' || id, purged_at = ?
		WHERE max(created_at, answered_at) < ? AND purged_at IS NULL`, now, before)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	// Events may come after their lead was purged: every run clears them.
	stmts := []Stmt{
		{`UPDATE events SET note = '', data = '', body_hash = '', response = '', idem = NULL
			WHERE (note != '' OR data != '' OR idem IS NOT NULL) AND lead_id IN (SELECT id FROM leads WHERE purged_at IS NOT NULL)`, nil},
		{`UPDATE outbox SET payload = '{}' WHERE status != 'pending' AND payload != '{}'
			AND (created_at < ? OR lead_id IN (SELECT id FROM leads WHERE purged_at IS NOT NULL))`, []any{before}},
		{`DELETE FROM visits WHERE at < ?`, []any{visitsBefore}},
		PurgeLimits(bucketBefore),
		{`DELETE FROM sessions WHERE expires_at <= ?`, []any{now}},
		{`DELETE FROM login_links WHERE expires_at <= ?`, []any{now}},
	}
	for _, st := range stmts {
		if _, err := s.DB.ExecContext(ctx, st.SQL, st.Args...); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Count adds n to counter name.
func Count(name string, n int) Stmt {
	return Stmt{`INSERT INTO counters (name, count) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET count = count + excluded.count`,
		[]any{name, n}}
}

// Counters reads every counter.
func (s *Store) Counters(ctx context.Context) (map[string]int64, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT name, count FROM counters`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}
