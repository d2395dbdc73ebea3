package store

import "context"

// Rate limits are fixed windows of request counts per hashed key.

// CountRequest counts one request against key in window bucket.
func CountRequest(key string, bucket int64) Stmt {
	return Stmt{`INSERT INTO rate_limits (key, bucket, count) VALUES (?, ?, 1)
		ON CONFLICT (key, bucket) DO UPDATE SET count = count + 1`, []any{key, bucket}}
}

// CountNow counts one request against key in window bucket and returns
// the requests counted so far.
func (s *Store) CountNow(ctx context.Context, key string, bucket int64) (int, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `INSERT INTO rate_limits (key, bucket, count) VALUES (?, ?, 1)
		ON CONFLICT (key, bucket) DO UPDATE SET count = count + 1 RETURNING count`, key, bucket).Scan(&n)
	return n, err
}

// Count returns the requests counted against key in window bucket.
func (s *Store) Count(ctx context.Context, key string, bucket int64) (int, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT coalesce(sum(count), 0) FROM rate_limits WHERE key = ? AND bucket = ?`, key, bucket).Scan(&n)
	return n, err
}

// CountBelow is the condition that key's requests in window bucket are at
// most limit.
func CountBelow(key string, bucket int64, limit int) (string, []any) {
	return `(SELECT coalesce(sum(count), 0) FROM rate_limits WHERE key = ? AND bucket = ?) <= ?`, []any{key, bucket, limit}
}

// SubmissionsBelow is the condition that the person's lead has stored
// fewer than limit submissions since since (Unix ms): stored, not
// requested, so that copies of one submission sent at once each get its
// answer.
func SubmissionsBelow(person string, since int64, limit int) (string, []any) {
	return submissionsSince + ` < ?`, []any{person, since, limit}
}

const submissionsSince = `(SELECT count(*) FROM events e JOIN leads l ON l.id = e.lead_id
	WHERE l.person = ? AND e.kind = 'submission' AND e.at >= ?)`

// Submissions counts the person's stored submissions since since (Unix ms).
func (s *Store) Submissions(ctx context.Context, person string, since int64) (int, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT `+submissionsSince, person, since).Scan(&n)
	return n, err
}

// PurgeLimits drops the windows before bucket.
func PurgeLimits(bucket int64) Stmt {
	return Stmt{`DELETE FROM rate_limits WHERE bucket < ?`, []any{bucket}}
}
