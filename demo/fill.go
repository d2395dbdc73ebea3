package demo

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
)

// Options says what Fill puts in a database.
type Options struct {
	DB      *sql.DB // migrated (worker/sqlitedb)
	Model   *qualify.Model
	Domains qualify.DomainClassifier // as the server that serves the database uses; nil: the core's table
	Leads   int
	Seed    int64
	End     time.Time // the data ends at the start of this day (UTC)
}

// Stats counts what Fill did.
type Stats struct {
	Leads    int // leads submitted
	New      int // of which the database did not have yet
	Refused  int // leads or events the model refused (content changed since the demo was written)
	Events   int // stage events recorded for the new leads
	Webhooks worker.Delivery
	// Outage is when the CRM target was down.
	Outage [2]time.Time
}

// The CRM target the demo's webhooks go to; nothing is sent over the
// network (see outageClient).
var target = crm.Target{Name: "crm", Kind: crm.KindJSON, URL: "https://crm.example.com/hooks/winnow", Secret: "demo"}

// Fill fills a database through the edge handler, as a year of visitors
// and a sales team would have: it submits o.Leads leads with POST
// /api/leads at their arrival and records what sales did with POST
// /api/leads/{id}/events, the handler's clock set to each instant, then
// delivers the webhooks as the cron trigger would have every six hours
// (every ten minutes while the CRM was down). Every request carries an
// idempotency key made of the seed and the lead's number (and the event's),
// so a second Fill adds nothing, and one that was stopped part way through
// completes what the first began.
func Fill(ctx context.Context, o Options) (Stats, error) {
	var st Stats
	g := NewGenerator(o.Seed, o.End)
	leads := g.Leads(0, o.Leads)
	if len(leads) == 0 {
		return st, nil
	}
	st.Outage = outage(g, leads)
	var clock time.Time
	now := func() time.Time { return clock }
	token := "demo-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	h, err := worker.New(worker.Config{DB: o.DB, Model: o.Model, Domains: o.Domains, Now: now, AdminToken: token,
		Secret: "winnow-demo", Targets: []crm.Target{target}, Client: outageClient{now, st.Outage},
		Limits: worker.Limits{PerIP: -1, PerEmail: -1}})
	if err != nil {
		return st, err
	}
	within := func(stage string) time.Duration {
		if i := o.Model.StageIndex(stage); i >= 0 {
			return time.Duration(o.Model.Stages[i].SLA.Within) * time.Second
		}
		return 0
	}
	key := func(l *Lead) string { return "demo-" + strconv.FormatInt(o.Seed, 10) + "-" + strconv.Itoa(l.N) }
	for i := range leads {
		l := &leads[i]
		if err := ctx.Err(); err != nil {
			return st, err
		}
		clock = l.At
		body, _ := json.Marshal(map[string]any{"fields": l.Fields, "idempotency_key": key(l)})
		status, resp, err := call(ctx, h, "POST", "/api/leads", "", body)
		if err != nil {
			return st, err
		}
		var answer struct{ ID, Stage string }
		isNew := status == http.StatusCreated
		switch status {
		case http.StatusCreated:
			st.New++
		case http.StatusOK:
		case http.StatusUnprocessableEntity, http.StatusConflict:
			st.Refused++
			continue
		default:
			return st, fmt.Errorf("submitting lead %d: %d %s", l.N, status, resp)
		}
		st.Leads++
		if err := json.Unmarshal(resp, &answer); err != nil || answer.ID == "" {
			return st, fmt.Errorf("submitting lead %d: unexpected answer %s", l.N, resp)
		}
		closed := false
		for j, e := range g.Journey(l, answer.Stage, within) {
			clock = e.At
			if closed && e.Stage != "won" && e.Stage != "lost" {
				// A lost lead that comes back is opened again first.
				body, _ := json.Marshal(map[string]any{"outcome": "open", "actor": e.Actor, "at": e.At.UTC().Format(time.RFC3339)})
				if _, resp, err := call(ctx, h, "POST", "/api/leads/"+answer.ID+"/events", token, body,
					"Idempotency-Key", key(l)+"-"+strconv.Itoa(j)+"-open"); err != nil {
					return st, fmt.Errorf("reopening lead %d: %v %s", l.N, err, resp)
				}
			}
			closed = e.Stage == "won" || e.Stage == "lost"
			if e.Stage == "SQL" {
				body, _ := json.Marshal(map[string]any{"answers": criteria, "actor": e.Actor, "at": e.At.UTC().Format(time.RFC3339)})
				if _, resp, err := call(ctx, h, "POST", "/api/leads/"+answer.ID+"/events", token, body,
					"Idempotency-Key", key(l)+"-"+strconv.Itoa(j)+"-criteria"); err != nil {
					return st, fmt.Errorf("recording the criteria of lead %d: %v %s", l.N, err, resp)
				}
			}
			body, _ := json.Marshal(fact(e))
			status, resp, err := call(ctx, h, "POST", "/api/leads/"+answer.ID+"/events", token, body,
				"Idempotency-Key", key(l)+"-"+strconv.Itoa(j))
			if err != nil {
				return st, err
			}
			switch status {
			case http.StatusCreated, http.StatusOK: // 200: recorded by an earlier run
				if isNew {
					st.Events++
				}
			case http.StatusUnprocessableEntity:
				st.Refused++
			default:
				return st, fmt.Errorf("recording an event of lead %d: %d %s", l.N, status, resp)
			}
		}
	}
	// The cron trigger's runs, from the first lead to the end.
	for t := leads[0].At.Truncate(6 * time.Hour); ; {
		clock = t
		for {
			d, err := h.Deliver(ctx)
			if err != nil {
				return st, err
			}
			st.Webhooks.Delivered += d.Delivered
			st.Webhooks.Failed += d.Failed
			st.Webhooks.Dead += d.Dead
			if d.Delivered+d.Failed+d.Dead == 0 {
				break
			}
		}
		step := 6 * time.Hour
		if !t.Before(st.Outage[0].Add(-6*time.Hour)) && t.Before(st.Outage[1]) {
			step = 10 * time.Minute
		}
		if !t.Before(g.end) {
			break
		}
		if t = t.Add(step); t.After(g.end) {
			t = g.end
		}
	}
	return st, nil
}

// fact is the fact a journey's step records: the model's rules move the
// lead to the stage the step is about. Sales accepting a lead is the
// sales_accepted signal, a discovery call the discovery_call signal with
// the answers it gave the framework's criteria, a booked meeting the
// meeting_booked signal, marketing's nurture an email reply, a lead
// disqualified by hand the sales_disqualified signal with its reason; won
// and lost are outcomes, lost with its reason.
func fact(e Event) map[string]any {
	f := map[string]any{"actor": e.Actor, "note": e.Note, "at": e.At.UTC().Format(time.RFC3339)}
	switch e.Stage {
	case "MQL":
		f["signal"] = "email_reply"
	case "SAL":
		f["signal"] = "sales_accepted"
	case "SQL":
		f["signal"] = "discovery_call"
	case "opportunity":
		f["signal"] = "meeting_booked"
	case "won", "lost":
		f["outcome"] = e.Stage
		if e.Reason != "" {
			f["reason"] = e.Reason
		}
	case "disqualified":
		f["signal"], f["reason"] = "sales_disqualified", e.Reason
	default:
		f["stage"], f["reason"] = e.Stage, e.Note
	}
	return f
}

// criteria are the answers a discovery call gives the framework's
// criteria (BANT: budget, authority, timeline), recorded before its
// signal.
var criteria = map[string]any{"budget": "under_10k", "authority": "recommend", "timeline": "this_year"}

// outage is when the CRM was down: a day from just before the first
// genuine lead 120 days or less before the end, so that its webhooks die.
func outage(g *Generator, leads []Lead) [2]time.Time {
	from := g.end.AddDate(0, 0, -120)
	for _, l := range leads {
		if l.Spam == "" && !l.At.Before(from) {
			from = l.At.Add(-time.Minute)
			break
		}
	}
	return [2]time.Time{from, from.Add(24 * time.Hour)}
}

// outageClient stands for the CRM: it takes every webhook but those sent
// while it was down, which it answers 503. Nothing leaves the process.
type outageClient struct {
	now  func() time.Time
	down [2]time.Time
}

func (c outageClient) Do(r *http.Request) (*http.Response, error) {
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	status := http.StatusNoContent
	if t := c.now(); !t.Before(c.down[0]) && t.Before(c.down[1]) {
		status = http.StatusServiceUnavailable
	}
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
}

// call makes one request of the handler and returns its status and body.
func call(ctx context.Context, h http.Handler, method, path, token string, body []byte, header ...string) (int, []byte, error) {
	req := httptest.NewRequestWithContext(ctx, method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code == http.StatusServiceUnavailable {
		return w.Code, w.Body.Bytes(), errors.New("the handler could not store the request: " + strings.TrimSpace(w.Body.String()))
	}
	return w.Code, w.Body.Bytes(), nil
}
