package worker

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
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

// reportJSON is the state of the funnel and of the hand-off.
type reportJSON struct {
	Model   string         `json:"model"`
	Leads   int            `json:"leads"`
	Spam    int            `json:"spam"`
	Stages  map[string]int `json:"stages"`  // leads whose latest event is each stage
	Entered map[string]int `json:"entered"` // leads that ever entered each stage
	Outbox  map[string]int `json:"outbox"`  // webhooks by status
	Dead    []deadJSON     `json:"dead"`
}

// latestEvent is a subquery for column col of the latest event of the
// lead whose id is the SQL expression lead.
func latestEvent(col, lead string) string {
	return `(SELECT x.` + col + ` FROM events x WHERE x.lead_id = ` + lead + ` ORDER BY x.at DESC, x.recorded_at DESC, x.rowid DESC LIMIT 1)`
}

// report gives counts per stage and the webhooks' state, with every
// dead-lettered webhook.
func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rep := reportJSON{Model: h.c.Model.Version}
	err := h.c.DB.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(spam), 0) FROM leads`).Scan(&rep.Leads, &rep.Spam)
	if err == nil {
		rep.Entered, err = h.countBy(ctx, `SELECT stage, count(DISTINCT lead_id) FROM events GROUP BY stage`)
	}
	if err == nil {
		rep.Stages, err = h.countBy(ctx, `SELECT e.stage, count(*) FROM events e WHERE e.id = `+latestEvent("id", "e.lead_id")+` GROUP BY e.stage`)
	}
	if err == nil {
		rep.Outbox, err = h.countBy(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	}
	if err == nil {
		rep.Dead, err = h.deadWebhooks(ctx, 500)
	}
	if err != nil {
		h.serverError(w, r, false, "reporting", err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
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
// the model's fields as columns.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) {
	rows, err := h.c.DB.QueryContext(r.Context(), `SELECT id, created_at, source, spam, stage, fit, tier, score, model_version,
		input FROM leads WHERE purged_at IS NULL ORDER BY created_at, id`)
	if err != nil {
		h.serverError(w, r, false, "exporting", err)
		return
	}
	defer rows.Close()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="leads.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	head := []string{"id", "created_at", "source", "spam", "stage", "fit", "tier", "score", "model"}
	m := h.c.Model
	for _, f := range m.Fields {
		head = append(head, f.Name)
	}
	cw.Write(head)
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
		rec := []string{id, time.UnixMilli(created).UTC().Format(time.RFC3339), source, strconv.FormatBool(spam != 0),
			stage, fit, tier, strconv.FormatFloat(score, 'f', -1, 64), model}
		for _, f := range m.Fields {
			rec = append(rec, csvSafe(fields[f.Name]))
		}
		cw.Write(rec)
	}
	cw.Flush()
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
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
// retention period, keeping their verdicts and events for the reports,
// and drops rate-limit windows that have ended. It returns the number of
// leads purged.
func (h *Handler) Purge(ctx context.Context) (int64, error) {
	now := h.now()
	if _, err := h.c.DB.ExecContext(ctx, `DELETE FROM rate_limits WHERE bucket < ?`,
		now.UnixMilli()/h.c.Limits.Window.Milliseconds()-1); err != nil {
		return 0, err
	}
	ret := h.c.Model.Retention
	if ret <= 0 {
		return 0, nil
	}
	cutoff := now.Add(-time.Duration(ret) * time.Second).UnixMilli()
	res, err := h.c.DB.ExecContext(ctx, `UPDATE leads SET input = '{}', email = '', email_hash = '', client_verdict = '', purged_at = ?
		WHERE created_at < ? AND purged_at IS NULL`, now.UnixMilli(), cutoff)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if _, err := h.c.DB.ExecContext(ctx, `UPDATE outbox SET payload = '{}' WHERE created_at < ? AND status != 'pending'`, cutoff); err != nil {
		return n, err
	}
	return n, nil
}
