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
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
)

// Options says what Fill puts in a database.
type Options struct {
	DB    *sql.DB // migrated (worker/sqlitedb)
	Model *qualify.Model
	// Routing, when set, assigns the leads to their owners as the server
	// that serves the database does.
	Routing *routing.Routing
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
// (every ten minutes while the CRM was down), and settles the alerts of
// that past (worker.Handler.SettleAlerts). Every request carries an
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
	h, err := worker.New(worker.Config{DB: o.DB, Model: o.Model, Routing: o.Routing, Domains: o.Domains, Now: now, AdminToken: token,
		Secret: "winnow-demo", Targets: []crm.Target{target}, Client: outageClient{now, st.Outage},
		Limits: worker.Limits{PerIP: -1, PerEmail: -1}})
	if err != nil {
		return st, err
	}
	within := slaWithin(o.Model)
	for i := range leads {
		l := &leads[i]
		if err := ctx.Err(); err != nil {
			return st, err
		}
		clock = l.At
		body, _ := json.Marshal(map[string]any{"fields": l.Fields, "idempotency_key": g.Key(l)})
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
		for _, f := range g.facts(l, answer.Stage, within) {
			clock = f.At
			status, resp, err := call(ctx, h, "POST", "/api/leads/"+answer.ID+"/events", token, f.Body, "Idempotency-Key", f.Key)
			if err != nil {
				return st, err
			}
			switch status {
			case http.StatusCreated, http.StatusOK: // 200: recorded by an earlier run
				if isNew && f.step {
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
	// The year is history: nobody is to be alerted of its SLAs, nor its
	// breaches escalated, by the server that takes the database on.
	if _, err := h.SettleAlerts(ctx, g.end); err != nil {
		return st, err
	}
	return st, nil
}

// Key is the idempotency key lead l is submitted with: the seed and the
// lead's number. Its facts' keys add the step's number.
func (g *Generator) Key(l *Lead) string {
	return "demo-" + strconv.FormatInt(int64(g.seed), 10) + "-" + strconv.Itoa(l.N)
}

// Life is lead l's life as Fill records it, for worker.Handler.Import:
// its submission at its arrival (through the API, with its key), and the
// facts sales records of its journey (facts) from the stage the handler
// answers a new lead with (stageOf). m is the model as the handler has it
// (its domain lists included). A person who came back is answered with
// their lead's stage, which Fill's journey starts from and this one does
// not: their journey is drawn from the stage their own answers give.
func (g *Generator) Life(m *qualify.Model, l *Lead) worker.Life {
	records := g.facts(l, stageOf(m, l), slaWithin(m))
	facts := make([]worker.Fact, len(records))
	for i, r := range records {
		facts[i] = r.Fact
	}
	return worker.Life{Key: g.Key(l), Source: "api", At: l.At, Fields: l.Fields, Facts: facts}
}

// record is a fact of a lead's journey, and whether it is a step of the
// journey itself (not the criteria a discovery call gave, nor the
// reopening of a lost lead, which come before their step).
type record struct {
	worker.Fact
	step bool
}

// facts are the facts sales records of lead l's journey from stage, the
// stage its submission put it in, each at its instant with its
// idempotency key: the step's fact (stepFact), after, for a discovery
// call, the answers it gave the framework's criteria and, for a lost lead
// coming back, its reopening.
func (g *Generator) facts(l *Lead, stage string, within func(stage string) time.Duration) []record {
	var out []record
	add := func(e Event, key string, step bool, body map[string]any) {
		body["actor"], body["at"] = e.Actor, e.At.UTC().Format(time.RFC3339)
		b, _ := json.Marshal(body)
		out = append(out, record{worker.Fact{At: e.At, Key: key, Body: b}, step})
	}
	closed := false
	for j, e := range g.Journey(l, stage, within) {
		key := g.Key(l) + "-" + strconv.Itoa(j)
		if closed && e.Stage != "won" && e.Stage != "lost" {
			// A lost lead that comes back is opened again first.
			add(e, key+"-open", false, map[string]any{"outcome": "open"})
		}
		closed = e.Stage == "won" || e.Stage == "lost"
		if e.Stage == "SQL" {
			add(e, key+"-criteria", false, map[string]any{"answers": criteria})
		}
		add(e, key, true, stepFact(e))
	}
	return out
}

// stepFact is the fact a journey's step records (without its actor and
// instant): the model's rules move the lead to the stage the step is
// about. Sales accepting a lead is the sales_accepted signal, a discovery
// call the discovery_call signal with the answers it gave the framework's
// criteria, a booked meeting the meeting_booked signal, marketing's
// nurture an email reply, a lead disqualified by hand the
// sales_disqualified signal with its reason; won and lost are outcomes,
// lost with its reason.
func stepFact(e Event) map[string]any {
	f := map[string]any{"note": e.Note}
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

// slaWithin is the time a stage's SLA allows for the first action.
func slaWithin(m *qualify.Model) func(stage string) time.Duration {
	return func(stage string) time.Duration {
		if i := m.StageIndex(stage); i >= 0 {
			return time.Duration(m.Stages[i].SLA.Within) * time.Second
		}
		return 0
	}
}

// stageOf is the stage the handler answers lead l's submission with when
// the lead is new: the model's verdict of its answers at its arrival, the
// honeypot left out (a robot caught by it is answered as the same answers
// without it would be).
func stageOf(m *qualify.Model, l *Lead) string {
	clean := qualify.Input{}
	for k, v := range l.Fields {
		if i := m.FieldIndex(k); i < 0 || !m.Fields[i].Honeypot() {
			clean[k] = v
		}
	}
	ql, _ := m.Lead(clean, l.At.Unix())
	return qualify.Evaluate(m, &ql, l.At.Unix()).Stage
}

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
