package worker

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/winnowhq/winnow/report"
)

// deadJSON is a webhook that will not be retried unless asked.
type deadJSON struct {
	ID        string `json:"id"`
	Lead      string `json:"lead"`
	Target    string `json:"target"`
	Topic     string `json:"topic"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	CreatedAt string `json:"created_at"`
}

// outboxJSON is the state of the webhooks.
type outboxJSON struct {
	Status map[string]int `json:"status"` // webhooks by status: pending, delivered, dead
	Dead   []deadJSON     `json:"dead"`   // the latest 500 dead ones
}

// outbox gives the webhooks' counts by status, with the newest 500
// dead-lettered ones, which POST /api/outbox/{id}/retry sends again.
func (h *Handler) outbox(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var out outboxJSON
	var err error
	out.Status, err = h.countBy(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	if err == nil {
		out.Dead, err = h.deadWebhooks(ctx, 500)
	}
	if err != nil {
		h.serverError(w, r, false, "reading the outbox", err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// latestStage is a subquery for the stage of the latest stage event of
// the lead whose id is the SQL expression lead: an activity (contacted)
// leaves the stage as it was.
func latestStage(lead string) string {
	return `(SELECT x.stage FROM events x WHERE x.lead_id = ` + lead + ` AND x.stage != '` + report.Contacted +
		`' ORDER BY x.at DESC, x.recorded_at DESC, x.rowid DESC LIMIT 1)`
}

// report gives the funnel and SLA report (package report) for
// ?from=2026-01&to=2026-06&tz=Europe/Paris, each optional.
func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o, err := report.ParseOptionsZones(q.Get("from"), q.Get("to"), q.Get("tz"), h.now(), h.zones(r.Context()))
	if err != nil {
		var oe *report.OptionError
		errors.As(err, &oe)
		writeError(w, http.StatusBadRequest, "bad_request", err.Error(), fieldError{oe.Option, "invalid", oe.Message})
		return
	}
	b, err := report.NewBuilder(h.c.Model, o)
	if err != nil {
		h.serverError(w, r, false, "reporting", err)
		return
	}
	if err := LoadReport(r.Context(), h.c.DB, b); err != nil {
		h.serverError(w, r, false, "reporting", err)
		return
	}
	writeJSON(w, http.StatusOK, b.Report())
}

// LoadReport streams every lead and every event in db into b, with one
// query for the leads and one for the events.
func LoadReport(ctx context.Context, db *sql.DB, b *report.Builder) error {
	rows, err := db.QueryContext(ctx, `SELECT id, created_at, source, spam, fit, tier, score FROM leads`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var l report.Lead
		var created int64
		var spam int
		if err := rows.Scan(&l.ID, &created, &l.Source, &spam, &l.Fit, &l.Tier, &l.Score); err != nil {
			return err
		}
		l.CreatedAt, l.Spam = time.UnixMilli(created).UTC(), spam != 0
		b.AddLead(l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	return scanEvents(ctx, db, b.AddEvent)
}

// scanEvents reads every event in db, in one query.
func scanEvents(ctx context.Context, db *sql.DB, add func(lead string, e report.Event)) error {
	rows, err := db.QueryContext(ctx, `SELECT lead_id, stage, actor, source, at, recorded_at FROM events`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var lead string
		var e report.Event
		var at, recorded int64
		if err := rows.Scan(&lead, &e.Stage, &e.Actor, &e.Source, &at, &recorded); err != nil {
			return err
		}
		e.At, e.RecordedAt = time.UnixMilli(at).UTC(), time.UnixMilli(recorded).UTC()
		add(lead, e)
	}
	return rows.Err()
}

// countBy runs a query of (key, count) rows and returns them as a map.
func (h *Handler) countBy(ctx context.Context, q string, args ...any) (map[string]int, error) {
	rows, err := h.c.DB.QueryContext(ctx, q, args...)
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

// deadWebhooks lists the newest dead-lettered webhooks, at most limit.
func (h *Handler) deadWebhooks(ctx context.Context, limit int) ([]deadJSON, error) {
	rows, err := h.c.DB.QueryContext(ctx, `SELECT id, lead_id, target, topic, attempts, last_error, created_at FROM outbox
		WHERE status = 'dead' ORDER BY created_at DESC, id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	dead := []deadJSON{}
	for rows.Next() {
		var d deadJSON
		var created int64
		if err := rows.Scan(&d.ID, &d.Lead, &d.Target, &d.Topic, &d.Attempts, &d.LastError, &created); err != nil {
			return nil, err
		}
		d.CreatedAt = time.UnixMilli(created).UTC().Format(time.RFC3339)
		dead = append(dead, d)
	}
	return dead, rows.Err()
}

// exportCSV streams every lead with its verdict as CSV, one row per lead,
// the model's fields as columns, then where the lead stands and its
// events (report.EncodeEvents), so that the report can be computed from
// the file (report.ReadCSV). Leads whose personal data was purged are
// there with their answers empty. Text cells are escaped against formulas
// (report.EscapeCell).
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) {
	events := map[string][]report.Event{}
	if err := scanEvents(r.Context(), h.c.DB, func(lead string, e report.Event) {
		events[lead] = append(events[lead], e)
	}); err != nil {
		h.serverError(w, r, false, "exporting", err)
		return
	}
	rows, err := h.c.DB.QueryContext(r.Context(), `SELECT id, created_at, source, spam, stage, fit, tier, score, model_version,
		input FROM leads ORDER BY created_at, id`)
	if err != nil {
		h.serverError(w, r, false, "exporting", err)
		return
	}
	defer rows.Close()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="leads.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	head := []string{report.ColID, report.ColCreatedAt, report.ColSource, report.ColSpam, "stage", report.ColFit,
		report.ColTier, report.ColScore, "model"}
	m := h.c.Model
	for _, f := range m.Fields {
		head = append(head, f.Name)
	}
	cw.Write(append(head, report.ColStageNow, report.ColOutcome, report.ColEvents))
	esc := report.EscapeCell
	for rows.Next() {
		var id, source, stage, fit, tier, model, input string
		var created int64
		var spam int
		var score float64
		if err := rows.Scan(&id, &created, &source, &spam, &stage, &fit, &tier, &score, &model, &input); err != nil {
			h.log.Error("exporting", "err", err)
			break
		}
		var fields map[string]string
		json.Unmarshal([]byte(input), &fields)
		rec := []string{esc(id), time.UnixMilli(created).UTC().Format(time.RFC3339), esc(source), strconv.FormatBool(spam != 0),
			esc(stage), esc(fit), esc(tier), strconv.FormatFloat(score, 'f', -1, 64), esc(model)}
		for _, f := range m.Fields {
			rec = append(rec, esc(fields[f.Name]))
		}
		evs := events[id]
		report.SortEvents(evs)
		_, now, outcome := report.Current(evs)
		cw.Write(append(rec, esc(now), outcome, esc(report.EncodeEvents(evs))))
	}
	if err := rows.Err(); err != nil {
		h.log.Error("exporting", "err", err)
	}
	cw.Flush()
}

// retry puts a dead webhook back in the queue, due now.
func (h *Handler) retry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ok, err := h.requeue(r.Context(), id)
	if err != nil {
		h.serverError(w, r, false, "retrying a webhook", err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "no dead webhook "+id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "status": "pending"})
}

// requeue puts the dead webhook id back in the queue, due now, with its
// attempts counted anew. It reports false when no dead webhook has that id.
func (h *Handler) requeue(ctx context.Context, id string) (bool, error) {
	res, err := h.c.DB.ExecContext(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_at = ?, lease_until = 0
		WHERE id = ? AND status = 'dead'`, h.now().UnixMilli(), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Purge erases the personal data of leads older than the model's
// retention period, keeping their verdicts and events for the reports:
// their answers, email, the browser's verdict, the notes of their events,
// the webhooks sent about them, and the hash of their answers with the
// idempotency key a plain form post made of it (a replay of a purged
// lead's key is a new submission). It also drops rate-limit windows that
// have ended and expired dashboard sessions. It returns the number of
// leads purged.
func (h *Handler) Purge(ctx context.Context) (int64, error) {
	now := h.now()
	if _, err := h.c.DB.ExecContext(ctx, `DELETE FROM rate_limits WHERE bucket < ?`,
		now.UnixMilli()/h.c.Limits.Window.Milliseconds()-1); err != nil {
		return 0, err
	}
	if _, err := h.c.DB.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now.UnixMilli()); err != nil {
		return 0, err
	}
	ret := h.c.Model.Retention
	if ret <= 0 {
		return 0, nil
	}
	cutoff := now.Add(-time.Duration(ret) * time.Second).UnixMilli()
	// Events may come after their lead was purged: every run clears them.
	if _, err := h.c.DB.ExecContext(ctx, `UPDATE events SET note = '' WHERE note != ''
		AND lead_id IN (SELECT id FROM leads WHERE created_at < ?)`, cutoff); err != nil {
		return 0, err
	}
	res, err := h.c.DB.ExecContext(ctx, `UPDATE leads SET input = '{}', email = '', email_hash = '', client_verdict = '',
		body_hash = '', idem_key = 'purged:' || id, purged_at = ? WHERE created_at < ? AND purged_at IS NULL`, now.UnixMilli(), cutoff)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if _, err := h.c.DB.ExecContext(ctx, `UPDATE outbox SET payload = '{}' WHERE status != 'pending' AND payload != '{}'
		AND (created_at < ? OR lead_id IN (SELECT id FROM leads WHERE created_at < ?))`, cutoff, cutoff); err != nil {
		return n, err
	}
	return n, nil
}
