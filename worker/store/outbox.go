package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/winnowhq/winnow/worker/lead"
)

// Webhook is a row of the outbox: a webhook to deliver to one target.
type Webhook struct {
	ID        string // the event id and the target's name: receivers deduplicate by it
	Lead      string
	Target    string
	Topic     string
	Payload   string
	CreatedAt int64  // the instant of what it tells
	NextAt    int64  // when it is due: when it was queued, then its next retry
	Status    string // pending, delivered, dead
	Attempts  int
	LastError string
}

// InsertWebhook queues a webhook if guard holds; one already queued with
// its id is left as it is.
func InsertWebhook(w Webhook, guard string, args ...any) Stmt {
	return Stmt{`INSERT INTO outbox (id, lead_id, target, topic, payload, created_at, next_at) SELECT ?, ?, ?, ?, ?, ?, ?
		WHERE ` + guard + ` ON CONFLICT DO NOTHING`,
		append([]any{w.ID, w.Lead, w.Target, w.Topic, w.Payload, w.CreatedAt, w.NextAt}, args...)}
}

// first is the condition that a pending webhook is the first its target
// has pending for its lead: a lead's webhooks reach a target in the order
// they were queued (a CRM that keeps the lead's state must not get an
// older state after a newer one).
const first = ` AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.lead_id = outbox.lead_id AND o.target = outbox.target
	AND o.status = 'pending' AND o.rowid < outbox.rowid)`

// Claim leases for two minutes (until lease) the pending webhooks that are
// due at now, leased by no one and the first of their lead and target
// (see first), either the first limit of them in order of due time or
// those among ids, and returns them.
func (s *Store) Claim(ctx context.Context, now, lease int64, limit int, ids []string) ([]Webhook, error) {
	pick := `SELECT id FROM outbox WHERE status = 'pending' AND next_at <= ? AND lease_until <= ?` + first + ` ORDER BY next_at, id LIMIT ?`
	args := []any{lease, now, now, limit}
	if ids != nil {
		pick = `SELECT id FROM outbox WHERE id IN ` + in(len(ids)) + ` AND status = 'pending' AND next_at <= ? AND lease_until <= ?` + first
		args = append(append([]any{lease}, anys(ids)...), now, now)
	}
	rows, err := s.DB.QueryContext(ctx, `UPDATE outbox SET lease_until = ? WHERE id IN (`+pick+`)
		AND status = 'pending' AND lease_until <= ? RETURNING id, lead_id, target, topic, payload, attempts`, append(args, now)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		var w Webhook
		if err := rows.Scan(&w.ID, &w.Lead, &w.Target, &w.Topic, &w.Payload, &w.Attempts); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Delivered records a delivery.
func Delivered(id string, attempts int, at int64) Stmt {
	return Stmt{`UPDATE outbox SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = '', lease_until = 0 WHERE id = ?`,
		[]any{attempts, at, id}}
}

// Failed records a failed delivery, retried at next.
func Failed(id string, attempts int, next int64, why string) Stmt {
	return Stmt{`UPDATE outbox SET attempts = ?, next_at = ?, last_error = ?, lease_until = 0 WHERE id = ?`,
		[]any{attempts, next, why, id}}
}

// Dead records the last failed delivery: no more attempts.
func Dead(id string, attempts int, why string) Stmt {
	return Stmt{`UPDATE outbox SET status = 'dead', attempts = ?, last_error = ?, lease_until = 0 WHERE id = ?`,
		[]any{attempts, why, id}}
}

// Requeue puts a dead webhook back in the queue, due at now, with its
// attempts counted anew; it reports false when no dead webhook has the id.
func (s *Store) Requeue(ctx context.Context, id string, now int64) (bool, error) {
	res, err := s.DB.ExecContext(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_at = ?, lease_until = 0
		WHERE id = ? AND status = 'dead'`, now, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RequeueBy puts a dead webhook back in the queue, as Requeue does, and
// records that as an event of its lead, e (kind retry), with the
// webhook's target (Name) and id (Value): both or neither. It reports
// false when no dead webhook has the id.
func (s *Store) RequeueBy(ctx context.Context, id string, e lead.Event) (bool, error) {
	err := s.DB.QueryRowContext(ctx, `SELECT lead_id, target FROM outbox WHERE id = ? AND status = 'dead'`, id).Scan(&e.Lead, &e.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	e.Value = id
	changed, err := s.Run(ctx, []Stmt{
		InsertEvent(EventWrite{Event: e}, `EXISTS (SELECT 1 FROM outbox WHERE id = ? AND status = 'dead')`, id),
		{`UPDATE outbox SET status = 'pending', attempts = 0, next_at = ?, lease_until = 0 WHERE id = ? AND status = 'dead'`, []any{e.Recorded, id}},
	})
	return err == nil && changed[1] > 0, err
}

// DeadWebhooks lists the newest dead webhooks, at most limit.
func (s *Store) DeadWebhooks(ctx context.Context, limit int) ([]Webhook, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, lead_id, target, topic, attempts, last_error, created_at FROM outbox
		WHERE status = 'dead' ORDER BY created_at DESC, id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		w := Webhook{Status: "dead"}
		if err := rows.Scan(&w.ID, &w.Lead, &w.Target, &w.Topic, &w.Attempts, &w.LastError, &w.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// OutboxCounts counts the webhooks by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}
