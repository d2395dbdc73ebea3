package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
)

// An alert goes out once: its key's row in the table alerts is written in
// the transaction that queues it, and the statements that queue it come
// before, each conditioned on NotRaised(key). Transactions take turns
// (D1's batches, SQLite's immediate transactions), so of two that raise
// the same alert, the second finds the key and queues nothing.

// Alert is a row of the table alerts: an alert raised.
type Alert struct {
	Key    string // "warn|<lead>|<entered>|<attempt>", "digest|<email>|<day>" …
	Lead   string // "" for a digest
	Person string // who was told; "" for nobody (a team's channels)
	Reason string // the kind of alert, and what it said
	At     int64  // when it was raised (Unix ms)
}

// NotRaised is the condition that the alert of key was not raised yet.
func NotRaised(key string) (string, []any) {
	return `NOT EXISTS (SELECT 1 FROM alerts WHERE key = ?)`, []any{key}
}

// InsertAlert records an alert raised, if guard holds (with args; "1" for
// no condition); one raised already is left as it is.
func InsertAlert(a Alert, guard string, args ...any) Stmt {
	return Stmt{`INSERT INTO alerts (key, lead_id, person, reason, at) SELECT ?, ?, ?, ?, ? WHERE ` + guard + ` ON CONFLICT DO NOTHING`,
		append([]any{a.Key, a.Lead, a.Person, a.Reason, a.At}, args...)}
}

// Raised returns which of keys were raised.
func (s *Store) Raised(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := chunks(keys, MaxParams, func(part []string) error {
		rows, err := s.DB.QueryContext(ctx, `SELECT key FROM alerts WHERE key IN `+in(len(part)), anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			out[k] = true
		}
		return rows.Err()
	})
	return out, err
}

// AlertLeads lists the leads the scheduled work is to look at by at (Unix
// ms) for their alerts and escalations, the earliest first, at most limit
// (from the index leads_alert).
func (s *Store) AlertLeads(ctx context.Context, at int64, limit int) ([]string, error) {
	return s.ids(ctx, `SELECT id FROM leads WHERE alert_at IS NOT NULL AND alert_at <= ? AND merged_into IS NULL
		ORDER BY alert_at LIMIT ?`, at, limit)
}

// ids reads the ids a query of one column gives, in its order.
func (s *Store) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Owner is a person who owns leads, in a team.
type Owner struct{ Team, Person string }

// Owners lists who owns open leads (not won or lost, not merged into
// another), in which team.
func (s *Store) Owners(ctx context.Context) ([]Owner, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT DISTINCT team, owner FROM leads
		WHERE owner != '' AND merged_into IS NULL AND outcome = '' ORDER BY team, owner`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Owner
	for rows.Next() {
		var o Owner
		if err := rows.Scan(&o.Team, &o.Person); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OwnedLeads lists the open leads o owns, at most limit.
func (s *Store) OwnedLeads(ctx context.Context, o Owner, limit int) ([]string, error) {
	return s.ids(ctx, `SELECT id FROM leads WHERE owner = ? AND owner != '' AND team = ? AND merged_into IS NULL
		AND outcome = '' LIMIT ?`,
		o.Person, o.Team, limit)
}

// DigestLead is a lead of a person's digest.
type DigestLead struct {
	ID, Stage, Fit, Tier, Team string
	Score                      float64
	Answers                    map[string]string
	DueAt                      int64 // 0: nothing due
}

// Digest reads the open leads person owns in one of stages (not won or
// lost, not merged, not a robot's), those due first and in order of due
// time, then the others, at most limit, and how many there are in all.
func (s *Store) Digest(ctx context.Context, person string, stages []string, limit int) ([]DigestLead, int, error) {
	if len(stages) == 0 {
		stages = []string{""}
	}
	// owner != '' lets SQLite read them from the index leads_queue.
	where := `owner = ? AND owner != '' AND merged_into IS NULL AND outcome = '' AND spam = 0 AND stage IN ` + in(len(stages))
	args := append([]any{person}, anys(stages)...)
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM leads WHERE `+where, args...).Scan(&total); err != nil || total == 0 {
		return nil, total, err
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT id, stage, fit, tier, team, score, input, coalesce(due_at, 0) FROM leads
		WHERE `+where+` ORDER BY due_at IS NULL, due_at, created_at LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []DigestLead
	for rows.Next() {
		var q DigestLead
		var input string
		if err := rows.Scan(&q.ID, &q.Stage, &q.Fit, &q.Tier, &q.Team, &q.Score, &input, &q.DueAt); err != nil {
			return nil, 0, err
		}
		json.Unmarshal([]byte(input), &q.Answers)
		out = append(out, q)
	}
	return out, total, rows.Err()
}

// Setting reads a setting the worker keeps for itself; "" when it has
// none.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.DB.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting keeps a setting.
func SetSetting(name, value string) Stmt {
	return Stmt{`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
		[]any{name, value}}
}

// SettleAlerts marks every owned lead as looked at for alerts up to at
// (Unix ms): the scheduled work raises nothing that came due before,
// and works out their next alert once. It returns how many leads it
// marked.
func (s *Store) SettleAlerts(ctx context.Context, at int64) (int64, error) {
	res, err := s.DB.ExecContext(ctx, `UPDATE leads SET alerted_at = ?, alert_at = CASE WHEN alert_at <= ? THEN ? ELSE alert_at END
		WHERE owner != '' AND merged_into IS NULL AND alerted_at < ?`, at, at, at, at)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
