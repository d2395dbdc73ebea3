package worker

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"strings"
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
// ?from=2026-01&to=2026-06&tz=Europe/Paris, each optional (the zone is
// the model's time zone by default; the report keeps UTC and it), read
// from the rollups kept on write. The overdue SLA entries come a page at
// a time: &breaches=<breaches_next> asks for the next.
func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rep, err := h.Report(r.Context(), q.Get("from"), q.Get("to"), q.Get("tz"), q.Get("breaches"), BreachPage)
	var e *Error
	switch {
	case errors.As(err, &e):
		writeError(w, e)
	case err != nil:
		h.serverError(w, r, false, "reporting", err)
	default:
		writeJSON(w, http.StatusOK, rep)
	}
}

// BreachPage is how many overdue SLA entries a report lists at once.
const BreachPage = 100

// Report computes the funnel and SLA report of the months from to to (as
// "2026-03"; "" for the last 12 and the current one) in zone tz ("" for
// the model's), from the rollups, with the overdue SLA entries after page
// token after, at most page of them. A request the report cannot answer
// is an *Error: a bad option, a zone the rollups are not kept in, a page
// token that was tampered with, rollups still being counted.
func (h *Handler) Report(ctx context.Context, from, to, tz, after string, page int) (*report.Report, error) {
	return h.readReport(ctx, from, to, tz, after, page, true)
}

// readReport is Report; without stays, it reads no histograms of the
// stays and the report has no medians (the dashboard's overview shows
// none): the histograms are most of what the rollups hold.
func (h *Handler) readReport(ctx context.Context, from, to, tz, after string, page int, stays bool) (*report.Report, error) {
	zones, err := h.reportZones(ctx)
	if err != nil {
		return nil, err
	}
	if tz == "" {
		tz = zones[len(zones)-1].String()
	}
	o, err := report.ParseOptionsZones(from, to, tz, h.now(), h.zones(ctx))
	if err != nil {
		var oe *report.OptionError
		errors.As(err, &oe)
		return nil, newError("bad_request", err.Error(), fieldError{oe.Option, "invalid", oe.Message})
	}
	kept := false
	var names []string
	for _, z := range zones {
		kept = kept || z.String() == o.Location.String()
		names = append(names, z.String())
	}
	if !kept {
		msg := "the report's months are kept in " + strings.Join(names, " and ") + " (the model's time_zone): name one of them"
		return nil, newError("bad_request", msg, fieldError{"tz", "zone", msg})
	}
	st, err := h.countedRollups(ctx)
	if err != nil {
		return nil, err
	}
	start, end := o.From.Start(o.Location), o.To.Add(1).Start(o.Location)
	var cursor report.Clock
	if after != "" {
		if cursor, err = h.pageToken(after); err != nil {
			return nil, err
		}
	}
	t, err := h.store.ReadRollups(ctx, st.Gen, o.Location.String(), report.MonthKey(o.From), report.MonthKey(o.To), stays)
	if err != nil {
		return nil, err
	}
	live := report.Live{}
	if live.NotDue, err = h.store.NotDue(ctx, st.Gen, start, end, o.Now); err != nil {
		return nil, err
	}
	if live.Breaches, err = h.store.Overdue(ctx, st.Gen, start, end, o.Now, cursor, page+1); err != nil {
		return nil, err
	}
	if len(live.Breaches) > page {
		live.Breaches, live.More = live.Breaches[:page], true
		live.Next = h.signPage(live.Breaches[page-1])
	}
	return report.Assemble(h.c.Model, o, t, live)
}

// countedRollups returns the rollups' state once their generation counts
// every lead with the model's shape, counting what is left for a moment
// first (a new or small database is counted at once); a report asked
// while they are being counted is an *Error that says how far it got.
func (h *Handler) countedRollups(ctx context.Context) (store.RollupState, error) {
	zones, err := h.reportZones(ctx)
	if err != nil {
		return store.RollupState{}, err
	}
	st, err := h.rollupState(ctx, false)
	if err != nil || st.Built && st.Shape == report.Shape(h.c.Model, h.c.Routing, zones) {
		return st, err
	}
	if _, err := h.CountRollups(ctx, 200*time.Millisecond); err != nil {
		return st, err
	}
	if st, err = h.rollupState(ctx, true); err != nil || st.Built {
		return st, err
	}
	counted, total, err := h.store.Progress(ctx, st.Gen)
	if err != nil {
		return st, err
	}
	pct := 0
	if total > 0 {
		pct = int(counted * 100 / total)
	}
	return st, newError("unavailable", "the report's figures are being counted from the leads' events ("+strconv.Itoa(pct)+
		" % of "+strconv.FormatInt(total, 10)+" leads so far): try again in a minute")
}

// signPage is the page token that follows clock c: the clock, and its
// keyed hash, so that a token is never made up.
func (h *Handler) signPage(c report.Clock) string {
	body := strconv.FormatInt(c.DueAt.UnixMilli(), 10) + "." + strconv.FormatInt(c.EnteredAt.UnixMilli(), 10) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(c.Lead)) + "." + base64.RawURLEncoding.EncodeToString([]byte(c.Stage))
	return body + "." + h.hashKey("page:" + body)[:32]
}

// pageToken reads a token signPage made.
func (h *Handler) pageToken(tok string) (report.Clock, error) {
	bad := newError("bad_request", "the breaches page token is not one this report gave: start from the first page",
		fieldError{"breaches", "invalid", "a token from breaches_next, unchanged"})
	i := strings.LastIndexByte(tok, '.')
	if i < 0 || !hmac.Equal([]byte(tok[i+1:]), []byte(h.hashKey("page:" + tok[:i])[:32])) {
		return report.Clock{}, bad
	}
	parts := strings.Split(tok[:i], ".")
	if len(parts) != 4 {
		return report.Clock{}, bad
	}
	due, err1 := strconv.ParseInt(parts[0], 10, 64)
	entered, err2 := strconv.ParseInt(parts[1], 10, 64)
	lead, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	stage, err4 := base64.RawURLEncoding.DecodeString(parts[3])
	if errors.Join(err1, err2, err3, err4) != nil {
		return report.Clock{}, bad
	}
	return report.Clock{Lead: string(lead), Stage: string(stage), EnteredAt: time.UnixMilli(entered), DueAt: time.UnixMilli(due)}, nil
}

// LoadReport reads every lead of db and the events of its funnel into b:
// the report computed from the events themselves, whatever the rollups.
func LoadReport(ctx context.Context, s *store.Store, b *report.Builder) error {
	return eachPage(ctx, s, exportPage, false, reportLeads, func(rls []report.Lead) error {
		for _, rl := range rls {
			b.AddLead(rl)
		}
		return nil
	})
}

// reportLeads are leads as the report counts them.
func reportLeads(leads []store.Lead) ([]report.Lead, error) {
	out := make([]report.Lead, len(leads))
	for i := range leads {
		out[i] = reportLead(&leads[i], leads[i].ReportEvents)
	}
	return out, nil
}

// exportCSV streams every lead with its verdict as CSV, one row per lead,
// the model's fields as columns (its answers now), then where the lead
// stands and the events of its funnel (report.EncodeEvents), so that the
// report can be computed from the file (report.ReadCSV). Leads whose
// personal data was purged are there with their answers empty. Text cells
// are escaped against formulas (report.EscapeCell). It is sent a page of
// leads at a time, each page flushed, so that neither the server nor the
// Worker holds more than one. An export that fails before it has sent
// anything is a 503; one that fails after is cut off (the connection is
// aborted, never ended as if complete), so that a client never takes a
// part for the whole.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="leads.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	head := []string{report.ColID, report.ColCreatedAt, report.ColSource, report.ColSpam, "stage", report.ColFit,
		report.ColTier, report.ColScore, "model"}
	m := h.c.Model
	for _, f := range m.Fields {
		head = append(head, f.Name)
	}
	head = append(head, report.ColStageNow, report.ColOutcome, report.ColOrigin, report.ColCampaign, report.ColOwner, report.ColTeam,
		report.ColEvents)
	esc := report.EscapeCell
	// A page's rows are written out as CSV by the reader of the page, in
	// parallel with the others; the pages are sent in order.
	rows := func(leads []store.Lead) ([]byte, error) {
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		rec := make([]string, 0, len(head))
		for i := range leads {
			l := &leads[i]
			rl := reportLead(l, l.ReportEvents)
			rec = append(rec[:0], esc(l.ID), time.UnixMilli(l.CreatedAt).UTC().Format(time.RFC3339), esc(l.Source),
				strconv.FormatBool(l.Spam), esc(l.Stage), esc(l.Fit), esc(l.Tier), strconv.FormatFloat(l.Score, 'f', -1, 64), esc(l.Model))
			for _, f := range m.Fields {
				rec = append(rec, esc(l.State.Answers[f.Name]))
			}
			report.SortEvents(rl.Events)
			_, now, outcome := report.Current(rl.Events)
			cw.Write(append(rec, esc(now), outcome, esc(rl.Origin), esc(rl.Campaign), esc(rl.Owner), esc(rl.Team),
				esc(report.EncodeEvents(rl.Events))))
		}
		cw.Flush()
		return buf.Bytes(), cw.Error()
	}
	var first bytes.Buffer
	cw := csv.NewWriter(&first)
	cw.Write(head)
	cw.Flush()
	rc := http.NewResponseController(w)
	sent := false
	send := func(b []byte) error {
		if first.Len() > 0 {
			b = append(first.Bytes(), b...)
			first.Reset()
		}
		sent = true
		if _, err := w.Write(b); err != nil {
			return err
		}
		if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		return nil
	}
	err := eachPage(ctx, h.store, exportPage, true, rows, send)
	if err == nil && first.Len() > 0 {
		err = send(nil) // no leads: the header alone
	}
	switch {
	case err != nil && !sent:
		w.Header().Del("Content-Disposition")
		h.serverError(w, r, false, "exporting", err)
	case err != nil:
		// The rows sent are whole, but not all of them: the client must
		// see the answer fail, not end.
		h.log.Error("exporting: cut off", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// exportPage is how many leads the export and LoadReport read at once.
const exportPage = 500

// eachPage reads every lead not merged into another, in the order they
// were stored, with what the report reads of it (store.LeadsBetween, with
// its answers if asked), at most page leads at a time, makes something
// of each page (build, in the goroutine that read it) and uses that (use,
// in order of the pages). The pages are read, and made, ahead by as many
// readers as there are processors (at most 4) while those before are
// used: memory holds a page for each reader, however many leads there are.
func eachPage[T any](ctx context.Context, s *store.Store, page int, answers bool, build func([]store.Lead) (T, error),
	use func(T) error) error {
	last, err := s.LastRow(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type answer struct {
		v   T
		n   int
		err error
	}
	readers := min(runtime.GOMAXPROCS(0), 4)
	pages := make(chan chan answer, readers)
	go func() {
		defer close(pages)
		for from := int64(0); from < last; from += int64(page) {
			c := make(chan answer, 1)
			select {
			case pages <- c:
			case <-ctx.Done():
				return
			}
			go func() {
				var a answer
				leads, err := s.LeadsBetween(ctx, from, from+int64(page), answers)
				if a.err, a.n = err, len(leads); err == nil && len(leads) > 0 {
					a.v, a.err = build(leads)
				}
				c <- a
			}()
		}
	}()
	for c := range pages {
		a := <-c
		if a.err != nil {
			return a.err
		}
		if a.n > 0 {
			if err := use(a.v); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
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
// a ticker natively), as of at: the leads whose verdict time has changed,
// the persons of leads an earlier release stored, the report's rollups
// still to count, the alerts and escalations due, the webhooks due, and
// the purge of expired personal data.
func (h *Handler) Scheduled(ctx context.Context, at time.Time) error {
	at = at.Add(h.c.ClockOffset)
	_, rerr := h.Rescore(ctx, at)
	_, berr := h.Persons(ctx, 500)
	_, cerr := h.CountRollups(ctx, h.c.Limits.DeliverBudget/2)
	a, aerr := h.Alerts(ctx, at)
	if a.Escalated > 0 || a.Reowned > 0 {
		h.log.Warn("leads reassigned", "escalated", a.Escalated, "owner gone", a.Reowned)
	}
	d, derr := h.Deliver(ctx) // what the passes above queued too
	if d.Failed > 0 || d.Dead > 0 {
		h.log.Warn("webhooks", "delivered", d.Delivered, "failed", d.Failed, "dead", d.Dead)
	}
	_, perr := h.Purge(ctx)
	return errors.Join(rerr, berr, cerr, aerr, derr, perr)
}
