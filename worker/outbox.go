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
	"strings"
	"sync"
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
// takes its topic, and the ids of the rows they write. guard appends a
// condition to each INSERT ... SELECT; its arguments follow.
func (h *Handler) outboxStmts(ev Event, guard func(string) string, guardArgs ...any) ([]Stmt, []string, error) {
	var stmts []Stmt
	var ids []string
	ms := ev.At.UnixMilli()
	for _, t := range h.c.Targets {
		body, ok, err := t.payload(ev)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		q := `INSERT INTO outbox (id, lead_id, target, topic, payload, created_at, next_at) SELECT ?, ?, ?, ?, ?, ?, ?`
		if guard != nil {
			q = guard(q)
		}
		id := ev.ID + "." + t.Name
		args := append([]any{id, ev.LeadID, t.Name, ev.Topic, string(body), ms, ms}, guardArgs...)
		stmts = append(stmts, Stmt{SQL: q, Args: args})
		ids = append(ids, id)
	}
	return stmts, ids, nil
}

// dispatch tells Config.Dispatch of outbox rows just committed.
func (h *Handler) dispatch(ctx context.Context, ids []string) {
	if h.c.Dispatch != nil && len(ids) > 0 {
		h.c.Dispatch(ctx, ids)
	}
}

// Delivery counts what a delivery run did.
type Delivery struct {
	Delivered, Failed, Dead int
}

func (d *Delivery) add(e Delivery) {
	d.Delivered += e.Delivered
	d.Failed += e.Failed
	d.Dead += e.Dead
}

// Deliver sends the webhooks that are due: it claims them in batches of
// Limits.DeliverBatch (a lease keeps a concurrent run from sending them
// too), sends each batch at most Limits.Concurrency at once per target,
// records the outcomes in one transaction, and goes on until none is due
// or Limits.DeliverBudget has passed. A failed webhook is retried later
// with exponential backoff; after Limits.MaxAttempts it is dead, listed by
// GET /api/outbox and retried only by hand. Delivery is at least once: a
// receiver deduplicates by the Winnow-Event-Id header.
func (h *Handler) Deliver(ctx context.Context) (Delivery, error) {
	var total Delivery
	began := h.now()
	for {
		now := h.now().UnixMilli()
		list, err := h.claim(ctx, `SELECT id FROM outbox WHERE status = 'pending' AND next_at <= ? AND lease_until <= ?
			ORDER BY next_at, id LIMIT ?`, now, now, h.c.Limits.DeliverBatch)
		if err != nil || len(list) == 0 {
			return total, err
		}
		d, err := h.sendAll(ctx, list)
		total.add(d)
		if err != nil || len(list) < h.c.Limits.DeliverBatch || h.now().Sub(began) >= h.c.Limits.DeliverBudget {
			return total, err
		}
	}
}

// DeliverIDs sends the webhooks of these outbox rows that are due and not
// leased by another run, as Deliver does: the queue consumer's path.
func (h *Handler) DeliverIDs(ctx context.Context, ids []string) (Delivery, error) {
	var total Delivery
	for len(ids) > 0 {
		n := min(len(ids), 90) // D1 binds at most 100 parameters
		chunk := ids[:n]
		ids = ids[n:]
		now := h.now().UnixMilli()
		args := []any{}
		for _, id := range chunk {
			args = append(args, id)
		}
		q := `SELECT id FROM outbox WHERE id IN (?` + strings.Repeat(", ?", n-1) + `) AND status = 'pending' AND next_at <= ? AND lease_until <= ?`
		list, err := h.claim(ctx, q, append(args, now, now)...)
		if err != nil {
			return total, err
		}
		d, err := h.sendAll(ctx, list)
		total.add(d)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// due is a claimed webhook.
type due struct {
	id, target, payload string
	attempts            int
	err                 error // the send's outcome
	done                int64 // when it ended, Unix ms
}

// claim leases the pending rows that the query (selecting ids, its
// arguments args) finds, for two minutes, and returns them.
func (h *Handler) claim(ctx context.Context, query string, args ...any) ([]*due, error) {
	now := h.now().UnixMilli()
	lease := h.now().Add(2 * time.Minute).UnixMilli()
	rows, err := h.c.DB.QueryContext(ctx, `UPDATE outbox SET lease_until = ? WHERE id IN (`+query+`)
		AND status = 'pending' AND lease_until <= ? RETURNING id, target, payload, attempts`,
		append(append([]any{lease}, args...), now)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*due
	for rows.Next() {
		x := &due{}
		if err := rows.Scan(&x.id, &x.target, &x.payload, &x.attempts); err != nil {
			return nil, err
		}
		list = append(list, x)
	}
	return list, rows.Err()
}

// sendAll sends claimed webhooks, at most Limits.Concurrency at once per
// target, and records every outcome in one transaction.
func (h *Handler) sendAll(ctx context.Context, list []*due) (Delivery, error) {
	var d Delivery
	slots := map[string]chan struct{}{}
	var wg sync.WaitGroup
	for _, x := range list {
		if slots[x.target] == nil {
			slots[x.target] = make(chan struct{}, h.c.Limits.Concurrency)
		}
		slot := slots[x.target]
		slot <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slot; wg.Done() }()
			if t, ok := h.target(x.target); !ok {
				x.err = errors.New("target " + strconv.Quote(x.target) + " is no longer configured")
			} else {
				x.err = h.send(ctx, t, x.id, []byte(x.payload))
			}
			x.done = h.now().UnixMilli()
		}()
	}
	wg.Wait()
	stmts := make([]Stmt, 0, len(list))
	for _, x := range list {
		attempts := x.attempts + 1
		switch {
		case x.err == nil:
			stmts = append(stmts, Stmt{`UPDATE outbox SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = '', lease_until = 0 WHERE id = ?`,
				[]any{attempts, x.done, x.id}})
			d.Delivered++
		case attempts >= h.c.Limits.MaxAttempts:
			stmts = append(stmts, Stmt{`UPDATE outbox SET status = 'dead', attempts = ?, last_error = ?, lease_until = 0 WHERE id = ?`,
				[]any{attempts, x.err.Error(), x.id}})
			d.Dead++
			h.log.Warn("webhook dead", "id", x.id, "target", x.target, "attempts", attempts, "err", x.err.Error())
		default:
			stmts = append(stmts, Stmt{`UPDATE outbox SET attempts = ?, next_at = ?, last_error = ?, lease_until = 0 WHERE id = ?`,
				[]any{attempts, x.done + backoff(h.c.Limits.RetryBase, attempts).Milliseconds(), x.err.Error(), x.id}})
			d.Failed++
		}
	}
	if _, err := h.c.Batch(ctx, stmts); err != nil {
		return Delivery{}, err
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
