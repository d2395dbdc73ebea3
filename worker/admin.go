package worker

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker/store"
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
	out.Status, err = h.store.OutboxCounts(ctx)
	if err == nil {
		out.Dead, err = h.deadWebhooks(ctx, 500)
	}
	if err != nil {
		h.serverError(w, r, false, "reading the outbox", err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// deadWebhooks lists the newest dead-lettered webhooks, at most limit.
func (h *Handler) deadWebhooks(ctx context.Context, limit int) ([]deadJSON, error) {
	list, err := h.store.DeadWebhooks(ctx, limit)
	out := make([]deadJSON, len(list))
	for i, d := range list {
		out[i] = deadJSON{ID: d.ID, Lead: d.Lead, Target: d.Target, Topic: d.Topic, Attempts: d.Attempts,
			LastError: d.LastError, CreatedAt: stampMS(d.CreatedAt)}
	}
	return out, err
}

// report gives the funnel and SLA report (package report) for
// ?from=2026-01&to=2026-06&tz=Europe/Paris, each optional.
func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o, err := report.ParseOptionsZones(q.Get("from"), q.Get("to"), q.Get("tz"), h.now(), h.zones(r.Context()))
	if err != nil {
		var oe *report.OptionError
		errors.As(err, &oe)
		writeError(w, newError("bad_request", err.Error(), fieldError{oe.Option, "invalid", oe.Message}))
		return
	}
	b, err := report.NewBuilder(h.c.Model, o)
	if err == nil {
		err = h.loadReport(r.Context(), b)
	}
	if err != nil {
		h.serverError(w, r, false, "reporting", err)
		return
	}
	writeJSON(w, http.StatusOK, b.Report())
}

// loadReport reads every lead and the events of its funnel into b.
func (h *Handler) loadReport(ctx context.Context, b *report.Builder) error {
	if err := h.store.ReportLeads(ctx, b.AddLead); err != nil {
		return err
	}
	return h.store.ReportEvents(ctx, b.AddEvent)
}

// LoadReport reads every lead of db and the events of its funnel into b,
// for `winnow report`.
func LoadReport(ctx context.Context, s *store.Store, b *report.Builder) error {
	if err := s.ReportLeads(ctx, b.AddLead); err != nil {
		return err
	}
	return s.ReportEvents(ctx, b.AddEvent)
}

// exportCSV streams every lead with its verdict as CSV, one row per lead,
// the model's fields as columns (its answers now), then where the lead
// stands and the events of its funnel (report.EncodeEvents), so that the
// report can be computed from the file (report.ReadCSV). Leads whose
// personal data was purged are there with their answers empty. Text cells
// are escaped against formulas (report.EscapeCell).
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	events := map[string][]report.Event{}
	if err := h.store.ReportEvents(ctx, func(lead string, e report.Event) {
		events[lead] = append(events[lead], e)
	}); err != nil {
		h.serverError(w, r, false, "exporting", err)
		return
	}
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
	err := h.store.Export(ctx, func(l store.ExportRow) error {
		var fields map[string]string
		json.Unmarshal([]byte(l.Input), &fields)
		rec := []string{esc(l.ID), time.UnixMilli(l.CreatedAt).UTC().Format(time.RFC3339), esc(l.Source), strconv.FormatBool(l.Spam),
			esc(l.Stage), esc(l.Fit), esc(l.Tier), strconv.FormatFloat(l.Score, 'f', -1, 64), esc(l.Model)}
		for _, f := range m.Fields {
			rec = append(rec, esc(fields[f.Name]))
		}
		evs := events[l.ID]
		report.SortEvents(evs)
		_, now, outcome := report.Current(evs)
		return cw.Write(append(rec, esc(now), outcome, esc(report.EncodeEvents(evs))))
	})
	if err != nil {
		h.log.Error("exporting", "err", err)
	}
	cw.Flush()
}

// retry puts a dead webhook back in the queue, due now.
func (h *Handler) retry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ok, err := h.store.Requeue(r.Context(), id, h.now().UnixMilli())
	if err != nil {
		h.serverError(w, r, false, "retrying a webhook", err)
		return
	}
	if !ok {
		writeError(w, newError("not_found", "no dead webhook "+id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "status": "pending"})
}

// Purge erases the personal data of the leads that gave none for longer
// than the model's retention period, keeping their verdicts, events and
// score history for the reports: their answers, email, person and
// visitor (a return is a new lead), the browser's verdict, their events'
// answers, notes and keys, and the webhooks sent about them. It also drops
// visits older than the retention period (or a month, if none is set),
// rate-limit windows that have ended and expired dashboard sessions. It
// returns the number of leads purged.
func (h *Handler) Purge(ctx context.Context) (int64, error) {
	now := h.now()
	before := int64(0)
	visits := now.Add(-30 * 24 * time.Hour).UnixMilli()
	if ret := h.c.Model.Retention; ret > 0 {
		before = now.Add(-time.Duration(ret) * time.Second).UnixMilli()
		visits = max(visits, before)
	}
	return h.store.Purge(ctx, now.UnixMilli(), before, visits, now.UnixMilli()/h.c.Limits.Window.Milliseconds()-1)
}

// Scheduled is the work done on a schedule (the cron trigger at the edge,
// a ticker natively), as of at: the webhooks due, the leads whose verdict
// time has changed, the persons of leads an earlier release stored, and
// the purge of expired personal data.
func (h *Handler) Scheduled(ctx context.Context, at time.Time) error {
	at = at.Add(h.c.ClockOffset)
	_, rerr := h.Rescore(ctx, at)
	_, berr := h.Persons(ctx, 500)
	d, derr := h.Deliver(ctx) // what the passes above queued too
	if d.Failed > 0 || d.Dead > 0 {
		h.log.Warn("webhooks", "delivered", d.Delivered, "failed", d.Failed, "dead", d.Dead)
	}
	_, perr := h.Purge(ctx)
	return errors.Join(rerr, berr, derr, perr)
}
