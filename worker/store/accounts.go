package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
)

// The people who use the dashboard, their sessions and their login
// links. Sessions and links are stored by hashes of the secrets their
// cookies and URLs hold.

// ErrExists is what adding an account returns when one has its email.
var ErrExists = errors.New("store: exists already")

// Account is a person who uses the dashboard.
type Account struct {
	ID         string
	Email      string // case-folded (account.Email)
	Name       string
	Role       string // account.Admin, Sales or Viewer
	Password   string // the hash (account.HashPassword); "" none
	CreatedAt  int64
	CreatedBy  string
	DisabledAt int64 // 0 while it may log in
}

const accountColumns = `id, email, name, role, password, created_at, created_by, coalesce(disabled_at, 0)`

func scanAccount(sc interface{ Scan(...any) error }) (Account, error) {
	var a Account
	err := sc.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Password, &a.CreatedAt, &a.CreatedBy, &a.DisabledAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return a, err
}

// AddAccount stores a new account; ErrExists if one has its email.
func (s *Store) AddAccount(ctx context.Context, a Account) error {
	res, err := s.DB.ExecContext(ctx, `INSERT INTO accounts (id, email, name, role, password, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, a.ID, a.Email, a.Name, a.Role, a.Password, a.CreatedAt, a.CreatedBy)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmp.Or(err, ErrExists)
	}
	return nil
}

// Account reads the account with id; ErrNotFound if there is none.
func (s *Store) Account(ctx context.Context, id string) (Account, error) {
	return scanAccount(s.DB.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
}

// AccountByEmail reads the account of a case-folded email; ErrNotFound
// if there is none.
func (s *Store) AccountByEmail(ctx context.Context, email string) (Account, error) {
	return scanAccount(s.DB.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE email = ?`, email))
}

// Accounts lists every account, those that may log in first, by email.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY disabled_at IS NOT NULL, email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// HasAccounts reports whether any account may log in.
func (s *Store) HasAccounts(ctx context.Context) (bool, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM accounts WHERE disabled_at IS NULL LIMIT 1)`).Scan(&n)
	return n > 0, err
}

// revokeAll ends every open session of an account ("" the admin
// token's) if guard holds.
func revokeAll(account string, now int64, guard string, args ...any) Stmt {
	return Stmt{`UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND ` + guard,
		append([]any{now, account}, args...)}
}

// SetRole gives an account another role and, if it changed, ends the
// account's sessions: what they were allowed was the old role's. It
// reports false when no account has the id.
func (s *Store) SetRole(ctx context.Context, id, role string, now int64) (bool, error) {
	changed, err := s.Run(ctx, []Stmt{
		revokeAll(id, now, `EXISTS (SELECT 1 FROM accounts WHERE id = ? AND role != ?)`, id, role),
		{`UPDATE accounts SET role = ? WHERE id = ?`, []any{role, id}},
	})
	return err == nil && changed[1] > 0, err
}

// Disable stops an account from logging in: its sessions end and its
// unused login links are dropped. It reports false when no account has
// the id.
func (s *Store) Disable(ctx context.Context, id string, now int64) (bool, error) {
	changed, err := s.Run(ctx, []Stmt{
		revokeAll(id, now, `1`),
		{`DELETE FROM login_links WHERE account_id = ? AND used_at IS NULL`, []any{id}},
		{`UPDATE accounts SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?`, []any{now, id}},
	})
	return err == nil && changed[2] > 0, err
}

// Enable lets a disabled account log in again. It reports false when no
// account has the id.
func (s *Store) Enable(ctx context.Context, id string) (bool, error) {
	res, err := s.DB.ExecContext(ctx, `UPDATE accounts SET disabled_at = NULL WHERE id = ?`, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// SetPassword sets an account's password hash ("" removes the password)
// and ends its sessions but keep (the id hash of the session that set
// it; "" ends them all).
func (s *Store) SetPassword(ctx context.Context, id, hash, keep string, now int64) (bool, error) {
	changed, err := s.Run(ctx, []Stmt{
		revokeAll(id, now, `id_hash != ?`, keep),
		{`UPDATE accounts SET password = ? WHERE id = ?`, []any{hash, id}},
	})
	return err == nil && changed[1] > 0, err
}

// Session is a dashboard session that is open: stored, not revoked, not
// expired, and of an account that may log in or of the admin token.
type Session struct {
	IDHash    string
	Account   Account // the zero Account: the admin token's session
	Method    string  // token, password, link or access
	CreatedAt int64
	ExpiresAt int64
}

// NewSession stores a session of account ("" the admin token's) that
// logged in by method, valid from created until expires.
func (s *Store) NewSession(ctx context.Context, idHash, account, method string, created, expires int64) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO sessions (id_hash, account_id, method, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		idHash, account, method, created, expires)
	return err
}

// Session reads the session stored by idHash if it is open at now;
// ErrNotFound if it is not.
func (s *Store) Session(ctx context.Context, idHash string, now int64) (Session, error) {
	var ss Session
	var found int
	a := &ss.Account
	err := s.DB.QueryRowContext(ctx, `SELECT s.id_hash, s.method, s.created_at, s.expires_at, s.account_id, a.id IS NOT NULL,
		coalesce(a.email, ''), coalesce(a.name, ''), coalesce(a.role, ''), coalesce(a.password, ''), coalesce(a.created_at, 0),
		coalesce(a.created_by, ''), coalesce(a.disabled_at, 0)
		FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id
		WHERE s.id_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`, idHash, now).Scan(
		&ss.IDHash, &ss.Method, &ss.CreatedAt, &ss.ExpiresAt, &a.ID, &found, &a.Email, &a.Name, &a.Role, &a.Password, &a.CreatedAt, &a.CreatedBy, &a.DisabledAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Session{}, ErrNotFound
	case err != nil:
		return Session{}, err
	case a.ID != "" && (found == 0 || a.DisabledAt != 0):
		return Session{}, ErrNotFound // its account is gone or disabled
	}
	return ss, nil
}

// Sessions lists the open sessions of an account ("" the admin token's)
// at now, the newest first.
func (s *Store) Sessions(ctx context.Context, account string, now int64) ([]Session, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id_hash, method, created_at, expires_at FROM sessions
		WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id_hash`, account, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		ss := Session{Account: Account{ID: account}}
		if err := rows.Scan(&ss.IDHash, &ss.Method, &ss.CreatedAt, &ss.ExpiresAt); err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

// OpenSessions counts the open sessions of each account ("" the admin
// token's) at now.
func (s *Store) OpenSessions(ctx context.Context, now int64) (map[string]int, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT account_id, count(*) FROM sessions
		WHERE revoked_at IS NULL AND expires_at > ? GROUP BY account_id`, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// RevokeSession ends a session. If account is not "-", only a session of
// that account ("" the admin token's) is ended. It reports false when no
// open session matched.
func (s *Store) RevokeSession(ctx context.Context, idHash, account string, now int64) (bool, error) {
	q, args := `UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL`, []any{now, idHash}
	if account != "-" {
		q, args = q+` AND account_id = ?`, append(args, account)
	}
	res, err := s.DB.ExecContext(ctx, q, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RevokeSessions ends every open session of an account ("" the admin
// token's) and returns how many.
func (s *Store) RevokeSessions(ctx context.Context, account string, now int64) (int64, error) {
	changed, err := s.Run(ctx, []Stmt{revokeAll(account, now, `1`)})
	if err != nil {
		return 0, err
	}
	return changed[0], nil
}

// NewLoginLink stores a login link of an account, made by createdBy,
// by the hash of its token, valid from created until expires.
func (s *Store) NewLoginLink(ctx context.Context, tokenHash, account, createdBy string, created, expires int64) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO login_links (token_hash, account_id, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, tokenHash, account, createdBy, created, expires)
	return err
}

// LoginLink reads the account of a login link that is unused and
// unexpired at now, whose account may log in; ErrNotFound if there is
// none.
func (s *Store) LoginLink(ctx context.Context, tokenHash string, now int64) (Account, error) {
	return scanAccount(s.DB.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE disabled_at IS NULL AND id = (SELECT account_id FROM login_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?)`,
		tokenHash, now))
}

// UseLoginLink marks a login link used and returns its account, if the
// link is unused and unexpired at now and its account may log in;
// ErrNotFound if not. Of two requests with one link, one gets it.
func (s *Store) UseLoginLink(ctx context.Context, tokenHash string, now int64) (Account, error) {
	var id string
	err := s.DB.QueryRowContext(ctx, `UPDATE login_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
		AND account_id IN (SELECT id FROM accounts WHERE disabled_at IS NULL) RETURNING account_id`, now, tokenHash, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, ErrNotFound
	}
	if err != nil {
		return Account{}, err
	}
	return s.Account(ctx, id)
}
