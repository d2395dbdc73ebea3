package worker

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Webhook topics.
const (
	TopicQualified    = "lead.qualified"     // a lead was submitted and qualified
	TopicStageChanged = "lead.stage_changed" // sales recorded a stage
)

// Event is what happened to a lead, as the webhooks tell it.
type Event struct {
	ID     string            // receivers deduplicate by it
	Topic  string            // TopicQualified or TopicStageChanged
	LeadID string            //
	At     time.Time         // when it happened
	Stage  string            //
	Funnel string            //
	Fit    string            //
	Tier   string            //
	Score  float64           //
	Next   NextJSON          //
	Model  string            // the model version that decided
	Actor  string            // "winnow", or who in sales
	Source string            // "form", "api", "crm"
	Note   string            //
	Fields map[string]string // the lead's answers (TopicQualified only)
}

// outboxStmts returns the statements that queue ev for every target that
// takes its topic. guard appends a condition to each INSERT ... SELECT;
// its arguments follow.
func (h *Handler) outboxStmts(ev Event, guard func(string) string, guardArgs ...any) ([]Stmt, error) {
	var stmts []Stmt
	ms := ev.At.UnixMilli()
	for _, t := range h.c.Targets {
		body, ok, err := t.payload(ev)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		q := `INSERT INTO outbox (id, lead_id, target, topic, payload, created_at, next_at) SELECT ?, ?, ?, ?, ?, ?, ?`
		if guard != nil {
			q = guard(q)
		}
		args := append([]any{ev.ID + "." + t.Name, ev.LeadID, t.Name, ev.Topic, string(body), ms, ms}, guardArgs...)
		stmts = append(stmts, Stmt{SQL: q, Args: args})
	}
	return stmts, nil
}

// Delivery counts what a delivery run did.
type Delivery struct {
	Delivered, Failed, Dead int
}

// Deliver sends the webhooks that are due, at most Limits.DeliverBatch of
// them, each once per run. A failed one is retried later with exponential
// backoff; after Limits.MaxAttempts it is dead, listed by GET /api/outbox and
// retried only by hand. Delivery is at least once: a receiver
// deduplicates by the Winnow-Event-Id header.
func (h *Handler) Deliver(ctx context.Context) (Delivery, error) {
	var d Delivery
	now := h.now().UnixMilli()
	rows, err := h.c.DB.QueryContext(ctx, `SELECT id, target, payload, attempts FROM outbox
		WHERE status = 'pending' AND next_at <= ? AND lease_until <= ? ORDER BY next_at, id LIMIT ?`, now, now, h.c.Limits.DeliverBatch)
	if err != nil {
		return d, err
	}
	type due struct {
		id, target, payload string
		attempts            int
	}
	var list []due
	for rows.Next() {
		var x due
		if err := rows.Scan(&x.id, &x.target, &x.payload, &x.attempts); err != nil {
			rows.Close()
			return d, err
		}
		list = append(list, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	for _, x := range list {
		if ctx.Err() != nil {
			return d, ctx.Err()
		}
		// Lease the row so that a concurrent run does not send it too.
		lease := h.now().Add(2 * time.Minute).UnixMilli()
		res, err := h.c.DB.ExecContext(ctx, `UPDATE outbox SET lease_until = ? WHERE id = ? AND status = 'pending' AND lease_until <= ?`,
			lease, x.id, now)
		if err != nil {
			return d, err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			continue
		}
		t, ok := h.target(x.target)
		var sendErr error
		if !ok {
			sendErr = errors.New("target " + strconv.Quote(x.target) + " is no longer configured")
		} else {
			sendErr = h.send(ctx, t, x.id, []byte(x.payload))
		}
		done := h.now().UnixMilli()
		attempts := x.attempts + 1
		switch {
		case sendErr == nil:
			_, err = h.c.DB.ExecContext(ctx, `UPDATE outbox SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = '', lease_until = 0 WHERE id = ?`,
				attempts, done, x.id)
			d.Delivered++
		case attempts >= h.c.Limits.MaxAttempts:
			_, err = h.c.DB.ExecContext(ctx, `UPDATE outbox SET status = 'dead', attempts = ?, last_error = ?, lease_until = 0 WHERE id = ?`,
				attempts, sendErr.Error(), x.id)
			d.Dead++
			h.log.Warn("webhook dead", "id", x.id, "target", x.target, "attempts", attempts, "err", sendErr.Error())
		default:
			_, err = h.c.DB.ExecContext(ctx, `UPDATE outbox SET attempts = ?, next_at = ?, last_error = ?, lease_until = 0 WHERE id = ?`,
				attempts, done+backoff(h.c.Limits.RetryBase, attempts).Milliseconds(), sendErr.Error(), x.id)
			d.Failed++
		}
		if err != nil {
			return d, err
		}
	}
	return d, nil
}

// backoff is the wait before attempt n+1: base (30 s) doubling up to 6
// hours, with ±20 % jitter so that failed targets are not hit in step.
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 6*time.Hour)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func (h *Handler) target(name string) (Target, bool) {
	for _, t := range h.c.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return Target{}, false
}

// send posts one webhook, signed when the target has a secret.
func (h *Handler) send(ctx context.Context, t Target, id string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Winnow-Webhook/1")
	req.Header.Set("Winnow-Event-Id", id)
	ts := strconv.FormatInt(h.now().Unix(), 10)
	req.Header.Set("Winnow-Timestamp", ts)
	if t.Secret != "" {
		req.Header.Set("Winnow-Signature", "v1="+Sign(t.Secret, ts, body))
	}
	if t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+t.Token)
	}
	resp, err := h.c.Client.Do(req)
	if err != nil {
		// Say what failed without the URL's query or the body.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return errors.New("request failed: " + err.Error())
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errors.New("the target answered " + resp.Status)
	}
	return nil
}

// Sign is a webhook's signature: HMAC-SHA256 keyed with the target's
// secret over the timestamp, a dot and the body, in hex. Receivers
// recompute it, compare in constant time and refuse old timestamps.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a webhook's signature header ("v1=<hex>") and that its
// timestamp is within tolerance of now.
func Verify(secret, timestamp, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return false
	}
	want := "v1=" + Sign(secret, timestamp, body)
	return hmac.Equal([]byte(header), []byte(want))
}
