package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/dbtest"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
)

// set moves the clock to t.
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// importBase is when the lives of the import tests begin.
var importBase = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// days is d days after importBase.
func days(d float64) time.Time { return importBase.Add(time.Duration(d * 24 * float64(time.Hour))) }

// fact is a fact recorded at instant at, with its idempotency key
// ("fact-" and key; none for ""), body given as a JSON object.
func fact(at time.Time, key string, body map[string]any) worker.Fact {
	b, _ := json.Marshal(body)
	if key != "" {
		key = "fact-" + key
	}
	return worker.Fact{At: at, Key: key, Body: b}
}

// importLives are lives of every kind: a lead taken to won, with a
// framework's criteria and a note; one lost and reopened; a robot's; a
// form post with an override and a fact logged late; and a person who
// comes back after being won. Facts are given out of order, those of one
// instant in the order they are recorded.
func importLives() []worker.Life {
	anaAgain := ana()
	anaAgain["email"], anaAgain["request"] = "Ana@Northwind.io", "demo"
	jo := ana()
	jo["name"], jo["email"], jo["company_size"], jo["industry"] = "Jo Park", "jo.park@gmail.com", "11-50", "retail"
	robot := ana()
	robot["email"], robot["website"] = "seo@links.example", "https://cheap-backlinks.example"
	form := ana()
	form["name"], form["email"], form["phone"], form["request"] = "Kenji Sato", "kenji@harbor-health.com", "", "pricing"
	return []worker.Life{
		{Key: "life-ana-1", Source: "api", At: importBase, Fields: ana(), Facts: []worker.Fact{
			fact(days(60), "ana-won", map[string]any{"outcome": "won", "actor": "Diego Lopez (AE)"}),
			fact(days(0.1), "ana-sal", map[string]any{"signal": "sales_accepted", "actor": "Maya Chen (SDR)"}),
			fact(days(5), "ana-criteria", map[string]any{"answers": map[string]string{"budget": "under_10k", "authority": "recommend",
				"timeline": "this_year"}, "actor": "Maya Chen (SDR)"}),
			fact(days(5), "ana-sql", map[string]any{"signal": "discovery_call", "actor": "Maya Chen (SDR)", "note": "good call"}),
			fact(days(20), "ana-opp", map[string]any{"signal": "meeting_booked", "actor": "Diego Lopez (AE)"}),
		}},
		{Key: "life-jo-1", Source: "api", At: days(1), Fields: jo, Facts: []worker.Fact{
			fact(days(100), "jo-open", map[string]any{"outcome": "open", "actor": "Marketing automation"}),
			fact(days(2), "jo-sal", map[string]any{"signal": "sales_accepted", "actor": "Lukas Weber (SDR)"}),
			fact(days(11), "jo-lost", map[string]any{"outcome": "lost", "reason": "no_budget", "actor": "Lukas Weber (SDR)",
				"note": "no budget this year"}),
			fact(days(100).Add(time.Hour), "", map[string]any{"signal": "email_reply", "actor": "Marketing automation"}),
		}},
		{Key: "life-robot-1", Source: "api", At: days(2), Fields: robot, Facts: []worker.Fact{
			fact(days(3), "robot-dq", map[string]any{"signal": "sales_disqualified", "reason": "not_a_fit", "actor": "Amara Okafor (SDR)"}),
		}},
		{Source: "form", At: days(3), Fields: form, Facts: []worker.Fact{
			fact(days(4).Add(2*time.Hour), "kenji-contacted", map[string]any{"activity": "contacted", "actor": "Freya Larsen (AE)",
				"at": days(4).Format(time.RFC3339)}),
			fact(days(3.5), "kenji-sql", map[string]any{"stage": "SQL", "reason": "budget confirmed by the CFO", "actor": "Freya Larsen (AE)"}),
		}},
		{Key: "life-ana-2", Source: "api", At: days(90), Fields: anaAgain, Facts: []worker.Fact{
			fact(days(91), "ana-sal-again", map[string]any{"signal": "sales_accepted", "actor": "Maya Chen (SDR)"}),
		}},
	}
}

// post sends lives through the API, one request after another at their
// instants, the facts of each in order of instant.
func (f *fixture) post(t *testing.T, lives []worker.Life) {
	t.Helper()
	for i, l := range lives {
		f.clock.set(l.At)
		var req *http.Request
		if l.Source == "form" {
			form := url.Values{}
			for k, v := range l.Fields {
				form.Set(k, v)
			}
			req, _ = http.NewRequest("POST", f.srv.URL+"/api/leads", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			body, _ := json.Marshal(map[string]any{"fields": l.Fields, "idempotency_key": l.Key})
			req, _ = http.NewRequest("POST", f.srv.URL+"/api/leads", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("life %d: POST /api/leads: %s", i, resp.Status)
		}
		var id string
		if err := f.db.QueryRow(`SELECT lead_id FROM events WHERE kind = 'submission' ORDER BY rowid DESC LIMIT 1`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		facts := slices.Clone(l.Facts)
		slices.SortStableFunc(facts, func(a, b worker.Fact) int { return a.At.Compare(b.At) })
		for _, fc := range facts {
			f.clock.set(fc.At)
			req, _ := http.NewRequest("POST", f.srv.URL+"/api/leads/"+id+"/events", strings.NewReader(string(fc.Body)))
			req.Header.Set("Authorization", "Bearer tok")
			req.Header.Set("Content-Type", "application/json")
			if fc.Key != "" {
				req.Header.Set("Idempotency-Key", fc.Key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("life %d: fact %s: %s", i, fc.Body, resp.Status)
			}
		}
	}
}

// leadView is what a lead is, as GET /api/leads/{id} gives it, without
// what is random (ids) or differs by the path it came by.
type leadView struct {
	Email, Stage, Outcome, NextCheck, Fit, Tier string
	ByRule                                      bool
	Score                                       float64
	Events, Scores                              []string
}

// views reads every lead of a fixture's database, oldest first.
func (f *fixture) views(t *testing.T) []leadView {
	t.Helper()
	rows, err := f.db.Query(`SELECT id FROM leads ORDER BY created_at`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var out []leadView
	for _, id := range ids {
		status, body := f.get(t, "/api/leads/"+id)
		if status != 200 {
			t.Fatalf("GET /api/leads/%s: %d %s", id, status, body)
		}
		var l struct {
			Fields    map[string]string
			Stage     string
			ByRule    bool `json:"by_rule"`
			Outcome   string
			NextCheck string `json:"next_check"`
			Verdict   struct {
				Fit, Tier string
				Score     float64
			}
			Events []struct{ Kind, Name, Value, Stage, Actor, Source, At string }
			Scores []struct {
				At, Stage, Fit, Tier string
				Score                float64
			}
		}
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatal(err)
		}
		v := leadView{Email: l.Fields["email"], Stage: l.Stage, ByRule: l.ByRule, Outcome: l.Outcome, NextCheck: l.NextCheck,
			Fit: l.Verdict.Fit, Tier: l.Verdict.Tier, Score: l.Verdict.Score}
		for _, e := range l.Events {
			v.Events = append(v.Events, strings.Join([]string{e.Kind, e.Name, e.Value, e.Stage, e.Actor, e.Source, e.At}, " "))
		}
		for _, s := range l.Scores {
			v.Scores = append(v.Scores, fmt.Sprint(s.At, " ", s.Stage, " ", s.Fit, " ", s.Tier, " ", s.Score))
		}
		out = append(out, v)
	}
	return out
}

// TestImportIsTheAPI imports lives and sends the same lives through the
// API: the leads are the same, with the same state and verdict, the same
// timeline and the same score history, row for row.
func TestImportIsTheAPI(t *testing.T) {
	lives := importLives()
	api := newFixture(t, nil, func(c *worker.Config) { c.Limits.PerIP, c.Limits.PerEmail = -1, -1 })
	api.post(t, lives)
	imp := newFixture(t, nil, nil)
	if err := imp.h.Import(context.Background(), lives); err != nil {
		t.Fatal(err)
	}

	want, got := api.views(t), imp.views(t)
	if len(want) != 4 || len(got) != len(want) {
		t.Fatalf("the API stored %d leads and the import %d; want 4 (a person who came back is one lead)", len(want), len(got))
	}
	for i := range want {
		w, g := want[i], got[i]
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("lead %s:\nimported %+v\nposted   %+v", w.Email, g, w)
		}
	}
	if ana := want[0]; ana.Outcome != "" || len(ana.Scores) < 5 || !slices.ContainsFunc(ana.Events, func(e string) bool {
		return strings.HasPrefix(e, "outcome  ") && strings.Contains(e, "won")
	}) {
		t.Errorf("Ana's lead is not one won and reopened by her return: %+v", ana)
	}

	// The rows themselves, but for ids and the write tokens (and a fact's
	// answer, which names the event by an id made of the lead's).
	for _, q := range []string{
		`SELECT idem_key, body_hash, created_at, email, email_hash, input, source, model_version, stage, fit, tier, score, verdict,
			spam, response, person, visitor, version, signals, answered_at, scored_at, next_check_at, override, outcome
			FROM leads ORDER BY created_at`,
		`SELECT e.lead_id, e.kind, e.name, e.value, e.stage, e.data, e.actor, e.source, e.note, e.at, e.recorded_at, e.by_rule,
			e.idem, e.body_hash, CASE e.kind WHEN 'submission' THEN e.response END FROM events e JOIN leads l ON l.id = e.lead_id ORDER BY l.created_at, e.rowid`,
		`SELECT s.lead_id, s.at, s.stage, s.fit, s.tier, s.score, s.changed FROM scores s JOIN leads l ON l.id = s.lead_id
			ORDER BY l.created_at, s.rowid`,
	} {
		w, g := dbtest.Rows(t, api.db, q, "email"), dbtest.Rows(t, imp.db, q, "email")
		if len(w) != len(g) {
			t.Errorf("%d rows imported, %d posted: %.60s", len(g), len(w), q)
			continue
		}
		for i := range w {
			if w[i] != g[i] {
				t.Errorf("row %d of %.40s…:\nimported %s\nposted   %s", i, q, g[i], w[i])
			}
		}
	}
	var rest int
	if err := imp.db.QueryRow(`SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM rate_limits)`).Scan(&rest); err != nil || rest != 0 {
		t.Errorf("the import queued webhooks or counted requests: %d rows (%v)", rest, err)
	}
}

// TestImportRefuses: a life the API would refuse, or one whose events
// are dated before what its lead holds, is an error that names the life
// and the fact, and nothing of its transaction is stored.
func TestImportRefuses(t *testing.T) {
	good := importLives()[0]
	late := good
	late.Key, late.Fields = "life-late", ana()
	late.Fields["email"] = "late@northwind.io"
	late.Facts = []worker.Fact{
		fact(days(3), "late-sal", map[string]any{"signal": "sales_accepted", "actor": "Maya Chen (SDR)"}),
		fact(days(5), "late-call", map[string]any{"signal": "discovery_call", "actor": "Maya Chen (SDR)",
			"at": days(2).Format(time.RFC3339)}),
	}
	bad := late
	bad.Key = "life-bad"
	bad.Facts = []worker.Fact{late.Facts[0], fact(days(4), "bad-signal", map[string]any{"signal": "webinar", "actor": "Maya Chen (SDR)"})}
	back := good
	back.Key, back.At, back.Facts = "life-back", days(30), nil // Ana again, before her lead's last fact (won, day 60)
	for _, c := range []struct {
		name  string
		lives []worker.Life
		want  []string
	}{
		{"back-dated fact", []worker.Life{good, late}, []string{"life 1 (life-late), fact 1 (fact-late-call)", "before what its lead holds"}},
		{"bad fact", []worker.Life{good, bad}, []string{"life 1 (life-bad), fact 1 (fact-bad-signal)", "the model has no signal webinar"}},
		{"back-dated submission", []worker.Life{good, back}, []string{"life 1 (life-back):", "before what its lead holds"}},
		{"unknown answer", []worker.Life{good, {Key: "life-odd", Source: "api", At: days(1), Fields: map[string]string{"shoe_size": "42"}}},
			[]string{"life 1 (life-odd)", `no question "shoe_size"`}},
		{"one key twice", []worker.Life{good, good}, []string{"life 1 (life-ana-1)", "life 0's already"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, nil, nil)
			err := f.h.Import(context.Background(), c.lives)
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Import = %v, want an error with %q", err, w)
				}
			}
			var n int
			if err := f.db.QueryRow(`SELECT (SELECT count(*) FROM leads) + (SELECT count(*) FROM events) + (SELECT count(*) FROM scores)`).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d rows stored (%v), want none", n, err)
			}
		})
	}

	// Twice: the second import refuses what the first stored.
	f := newFixture(t, nil, nil)
	if err := f.h.Import(context.Background(), []worker.Life{good}); err != nil {
		t.Fatal(err)
	}
	if err := f.h.Import(context.Background(), []worker.Life{good}); err == nil || !strings.Contains(err.Error(), "stored already") {
		t.Errorf("importing a life again: %v, want its key stored already", err)
	}
	// Webhooks are never queued by an import.
	hooks := newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: "https://crm.example/hook", Secret: "x"}}, nil)
	if err := hooks.h.Import(context.Background(), []worker.Life{good}); err == nil || !strings.Contains(err.Error(), "without Targets") {
		t.Errorf("importing with webhook targets: %v, want a refusal", err)
	}
}
