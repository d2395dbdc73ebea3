package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
)

// leadOut is a lead as GET /api/leads/{id} gives it.
type leadOut struct {
	ID       string
	Stage    string
	ByRule   bool `json:"by_rule"`
	Outcome  string
	Fields   map[string]string
	Signals  map[string]string
	Merged   []string
	Override *struct{ Stage, Reason, Actor string }
	Events   []struct {
		ID, Lead, Kind, Name, Value, Stage, Actor, Source, Note, At string
		ByRule                                                      *bool `json:"by_rule"`
		Answers                                                     map[string]string
	}
	Scores []struct {
		At, Stage, Fit, Tier, Event string
		Score                       float64
	}
	NextCheck string `json:"next_check"`
}

func (f *fixture) lead(t *testing.T, id string) leadOut {
	t.Helper()
	status, body := f.get(t, "/api/leads/"+id)
	if status != 200 {
		t.Fatalf("GET lead %s: %d %s", id, status, body)
	}
	var l leadOut
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// kinds lists a lead's timeline as kind:name-or-stage words.
func (l leadOut) kinds() string {
	var out []string
	for _, e := range l.Events {
		out = append(out, e.Kind+":"+e.Name+e.Stage)
	}
	return strings.Join(out, " ")
}

// signals posts a batch of signals with the admin token.
func (f *fixture) signals(t *testing.T, items ...map[string]string) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"signals": items})
	return f.request(t, "POST", "/api/signals", body)
}

// One person is one lead: a second submission under the same address,
// however it is spelled, is an event of the first lead, its answers
// merged (the latest wins, the earlier stay in the history), and the
// per-email limit counts the person.
func TestOnePersonOneLead(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Limits.PerEmail = 2 })
	first := ana()
	first["email"] = "Ana.Souza+spring@Gmail.com"
	a := f.submit(t, "key-person-1", first)["id"].(string)
	f.clock.Advance(time.Hour)
	second := ana()
	second["email"], second["company"] = "anasouza@gmail.com", "Northwind Group"
	b := f.submit(t, "key-person-2", second)["id"].(string)
	if a != b {
		t.Fatalf("the same person got two leads: %s and %s", a, b)
	}
	l := f.lead(t, a)
	if l.Fields["company"] != "Northwind Group" || l.Fields["email"] != "anasouza@gmail.com" {
		t.Errorf("the merged answers: %v", l.Fields)
	}
	var companies []string
	for _, e := range l.Events {
		if e.Kind == "submission" {
			companies = append(companies, e.Answers["company"])
		}
	}
	if got, want := strings.Join(companies, ","), "Northwind Software,Northwind Group"; got != want {
		t.Errorf("the submissions' answers %q, want both kept %q", got, want)
	}
	// Another provider's dots are the person's own: a different lead.
	other := ana()
	other["email"] = "ana.souza@northwind.io"
	if c := f.submit(t, "key-person-3", other)["id"].(string); c == a {
		t.Errorf("ana.souza@northwind.io was taken for the Gmail address")
	}
	// The person's third submission in the window (an hour: the first was
	// in the last one) is refused, however spelled.
	third := ana()
	third["email"] = "ANASOUZA+x@googlemail.com"
	f.submit(t, "key-person-4", third)
	fourth := ana()
	fourth["email"] = "a.n.a.souza@gmail.com"
	if r := f.submitFrom(t, "192.0.2.9:1", "key-person-5", fourth); r.Code != http.StatusTooManyRequests {
		t.Errorf("a fourth submission of the person: %d, want 429: %s", r.Code, r.Body)
	}
}

// Signals come in by lead id or email, in batches, each item recorded
// once however often it is sent; a bad item refuses the whole request
// with an error naming it, and nothing is stored.
func TestSignals(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Integrations = map[string]string{"mailer": "mail-token"} })
	a := f.submit(t, "key-sig-1", ana())["id"].(string)
	bo := ana()
	bo["email"] = "bo@northwind.io"
	b := f.submit(t, "key-sig-2", bo)["id"].(string)
	f.clock.Advance(time.Hour)
	status, body := f.signals(t,
		map[string]string{"id": "m-1", "lead": a, "signal": "email_reply", "at": "2026-03-02T09:30:00Z"},
		map[string]string{"id": "m-2", "email": "BO@northwind.io", "signal": "sales_accepted"},
	)
	if status != 200 {
		t.Fatalf("signals: %d %s", status, body)
	}
	var res struct {
		Items []struct{ ID, Lead, Status string }
	}
	json.Unmarshal(body, &res)
	if len(res.Items) != 2 || res.Items[1].Lead != b || res.Items[0].Status != "recorded" {
		t.Errorf("results %s", body)
	}
	if l := f.lead(t, b); l.Stage != "SAL" || l.Signals["sales_accepted"] != "2026-03-02T10:00:00Z" {
		t.Errorf("Bo after sales accepted: %s, signals %v", l.Stage, l.Signals)
	}
	// Sent again, with a new one: the old ones are duplicates.
	status, body = f.signals(t,
		map[string]string{"id": "m-1", "lead": a, "signal": "email_reply", "at": "2026-03-02T09:30:00Z"},
		map[string]string{"id": "m-3", "lead": a, "signal": "pricing_visit"},
	)
	json.Unmarshal(body, &res)
	if status != 200 || len(res.Items) != 2 || res.Items[0].Status != "duplicate" || res.Items[1].Status != "recorded" {
		t.Errorf("a resent batch: %d %s", status, body)
	}
	count := func(id, kind string) int {
		n := 0
		for _, e := range f.lead(t, id).Events {
			if e.Kind == kind {
				n++
			}
		}
		return n
	}
	if n := count(a, "signal"); n != 2 {
		t.Errorf("Ana has %d signal events, want 2", n)
	}

	// Each kind of bad item is named; nothing of the request is stored.
	for _, c := range []struct {
		item  map[string]string
		field string
		has   string
	}{
		{map[string]string{"id": "x-1", "lead": a, "signal": "pricing_vist"}, "signals[1].signal", "pricing_visit"},
		{map[string]string{"id": "x-2", "lead": "nope", "signal": "pricing_visit"}, "signals[1].lead", "nope"},
		{map[string]string{"id": "x-3", "email": "nobody@nowhere.example", "signal": "pricing_visit"}, "signals[1].email", ""},
		{map[string]string{"id": "x-4", "lead": a, "signal": "pricing_visit", "at": "2026-03-02T12:00:00Z"}, "signals[1].at", "future"},
		{map[string]string{"id": "x-5", "lead": a, "signal": "pricing_visit", "at": "2026-03-01T12:00:00Z"}, "signals[1].at", "before"},
		{map[string]string{"id": "x-6", "lead": a, "email": "ana@northwind.io", "signal": "pricing_visit"}, "signals[1].lead", ""},
		{map[string]string{"lead": a, "signal": "pricing_visit"}, "signals[1].id", ""},
	} {
		good := map[string]string{"id": "ok-" + c.item["id"], "lead": b, "signal": "case_study_read"}
		status, body := f.signals(t, good, c.item)
		fields := errorFields(t, body)
		if status != 422 || fields[c.field] == "" || !strings.Contains(string(body), c.has) {
			t.Errorf("%v: %d %s, want 422 naming %s", c.item, status, body, c.field)
		}
	}
	if n := count(b, "signal"); n != 1 {
		t.Errorf("Bo has %d signal events after refused requests, want 1", n)
	}
	many := make([]map[string]string, 501)
	for i := range many {
		many[i] = map[string]string{"id": fmt.Sprint("n-", i), "lead": a, "signal": "pricing_visit"}
	}
	if status, body := f.signals(t, many...); status != 422 || errorFields(t, body)["signals"] != "count" {
		t.Errorf("501 signals: %d %s", status, body)
	}

	// An integration posts with its own token, and its items are its own:
	// the same item id from another integration is another signal.
	req := func(token string) int {
		body, _ := json.Marshal(map[string]any{"signals": []map[string]string{{"id": "m-1", "lead": a, "signal": "newsletter_signup"}}})
		r := f.call(t, "POST", "/api/signals", "192.0.2.1:1",
			map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}, string(body))
		return r.Code
	}
	if got := req("mail-token"); got != 200 {
		t.Errorf("the mailer's token: %d", got)
	}
	if got := req("wrong"); got != 401 {
		t.Errorf("a wrong token: %d, want 401", got)
	}
	l := f.lead(t, a)
	var actors []string
	for _, e := range l.Events {
		if e.Kind == "signal" {
			actors = append(actors, e.Name+"/"+e.Actor)
		}
	}
	if got := strings.Join(actors, " "); !strings.Contains(got, "newsletter_signup/mailer") {
		t.Errorf("the mailer's signal: %s", got)
	}
}

// Time alone re-scores a lead: the scheduled pass finds the leads whose
// verdict is due to change, and only those; each change is a row of the
// score history, a stage entry and a webhook.
func TestDecayRescores(t *testing.T) {
	recv := newRecorder(t)
	f := newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: recv.srv.URL}}, nil)
	a := f.submit(t, "key-decay-1", ana())["id"].(string) // exactly at the MQL threshold
	hot := ana()
	hot["email"], hot["request"], hot["timeline"] = "cy@northwind.io", "demo", "this_quarter"
	f.submit(t, "key-decay-2", hot)
	l := f.lead(t, a)
	if l.Stage != "MQL" || l.NextCheck == "" {
		t.Fatalf("Ana: %s, next check %q", l.Stage, l.NextCheck)
	}
	next, _ := time.Parse(time.RFC3339, l.NextCheck)
	if d := next.Sub(f.clock.Now()); d < time.Hour || d > 12*time.Hour {
		t.Errorf("Ana's verdict next changes in %v", d)
	}
	ctx := context.Background()
	if n, err := f.h.Rescore(ctx, f.clock.Now()); err != nil || n.Leads != 0 {
		t.Errorf("a pass before anything is due: %+v %v", n, err)
	}
	f.clock.Advance(next.Sub(f.clock.Now()) + time.Minute)
	n, err := f.h.Rescore(ctx, f.clock.Now())
	if err != nil || n.Leads != 1 || n.Changed != 1 {
		t.Fatalf("the pass when Ana is due: %+v %v", n, err)
	}
	l = f.lead(t, a)
	if l.Stage != "cold lead" {
		t.Errorf("Ana after decay: %s", l.Stage)
	}
	last := l.Scores[len(l.Scores)-1]
	if last.Stage != "cold lead" || last.Event != "" || last.At != next.Format(time.RFC3339) {
		t.Errorf("the decay's score row %+v, want cold lead at %s with no event", last, next.Format(time.RFC3339))
	}
	if got := l.Events[len(l.Events)-1]; got.Kind != "stage" || got.Stage != "cold lead" || got.At != last.At {
		t.Errorf("the last event %+v, want the cold lead entry", got)
	}
	if _, err := f.h.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if topics := recv.topics(); !strings.Contains(topics, "lead.changed:MQL>cold lead") {
		t.Errorf("webhooks %s", topics)
	}
	// Ten days on, the pass finds nothing new for Ana until her next
	// instant, and nothing at all for leads not due.
	if n, err := f.h.Rescore(ctx, f.clock.Now()); err != nil || n.Leads != 0 {
		t.Errorf("a second pass at once: %+v %v", n, err)
	}
}

// A fact dated before what the lead's history already holds rewrites the
// history from its instant: the stage entries and score rows after it are
// worked out again, so the funnel reads as things happened.
func TestBackdatedFact(t *testing.T) {
	f := newFixture(t, nil, nil)
	a := f.submit(t, "key-back-1", ana())["id"].(string)
	f.clock.Advance(10 * 24 * time.Hour)
	if _, err := f.h.Rescore(context.Background(), f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got, want := f.lead(t, a).kinds(), "submission: stage:MQL stage:cold lead"; got != want {
		t.Fatalf("before: %q, want %q", got, want)
	}
	// Sales accepted Ana an hour after she wrote, and says so now.
	f.postEvent(t, a, map[string]string{"signal": "sales_accepted", "actor": "jo", "at": "2026-03-02T10:00:00Z"})
	l := f.lead(t, a)
	if got, want := l.kinds(), "submission: stage:MQL signal:sales_accepted stage:SAL"; got != want {
		t.Errorf("after: %q, want %q", got, want)
	}
	// The history: MQL, SAL an hour later, then the tier's fall as the
	// form's points decayed (SAL holds: it reads sales' fact, not points).
	var rows []string
	for _, s := range l.Scores {
		rows = append(rows, s.At[11:16]+" "+s.Stage+" "+s.Tier)
	}
	if got, want := strings.Join(rows, ", "), "09:00 MQL warm, 10:00 SAL warm, 12:54 SAL cool"; l.Stage != "SAL" || got != want {
		t.Errorf("stage %s, score history %q, want SAL and %q", l.Stage, got, want)
	}
}

// Sales' facts move the stage by the rules; a stage the rules do not give
// is an override with a reason, refused without one, refused where it
// changes nothing, and undone by setting the rules' stage.
func TestOverrides(t *testing.T) {
	f := newFixture(t, nil, nil)
	a := f.submit(t, "key-over-1", ana())["id"].(string)
	for _, c := range []struct {
		ev    map[string]string
		field string
	}{
		{map[string]string{"stage": "SQL", "actor": "jo"}, "reason"},
		{map[string]string{"stage": "MQL", "actor": "jo", "reason": "why not"}, "stage"},
		{map[string]string{"stage": "VIP", "actor": "jo", "reason": "why not"}, "stage"},
		{map[string]string{"outcome": "open", "actor": "jo"}, "outcome"},
		{map[string]string{"signal": "sales_accepted", "stage": "SQL", "actor": "jo", "reason": "x"}, "body"},
	} {
		status, body := f.sendEvent(t, a, c.ev)
		if status != 422 || errorFields(t, body)[c.field] == "" {
			t.Errorf("%v: %d %s, want 422 naming %s", c.ev, status, body, c.field)
		}
	}
	f.postEvent(t, a, map[string]string{"stage": "SQL", "actor": "jo", "reason": "met the criteria on the call"})
	l := f.lead(t, a)
	if l.Stage != "SQL" || l.ByRule || l.Override == nil || l.Override.Reason != "met the criteria on the call" {
		t.Errorf("after the override: %s by rule %v, %+v", l.Stage, l.ByRule, l.Override)
	}
	if e := l.Events[len(l.Events)-1]; e.Kind != "stage" || e.Stage != "SQL" || e.ByRule == nil || *e.ByRule || e.Source != "override" {
		t.Errorf("the override's stage entry: %+v", e)
	}
	if status, body := f.sendEvent(t, a, map[string]string{"stage": "SQL", "actor": "jo", "reason": "again"}); status != 422 ||
		errorFields(t, body)["stage"] != "held" {
		t.Errorf("the held stage again: %d %s", status, body)
	}
	f.postEvent(t, a, map[string]string{"stage": "MQL", "actor": "jo", "reason": "back to the rules"})
	if l := f.lead(t, a); l.Stage != "MQL" || !l.ByRule || l.Override != nil {
		t.Errorf("returned to the rules: %s by rule %v, %+v", l.Stage, l.ByRule, l.Override)
	}
	status, body := f.get(t, "/api/report?from=2026-03&to=2026-03&tz=UTC")
	var r struct {
		Moves []struct {
			Step     string
			ByRule   int `json:"by_rule"`
			Override int
		}
	}
	json.Unmarshal(body, &r)
	moves := map[string][2]int{}
	for _, m := range r.Moves {
		moves[m.Step] = [2]int{m.ByRule, m.Override}
	}
	if status != 200 || moves["SQL"] != [2]int{0, 1} || moves["MQL"] != [2]int{2, 0} {
		t.Errorf("moves %v (%d)", moves, status)
	}
}

// Two leads of one person are merged by an admin: the lead has both
// histories and is scored on all of them; unmerged, each is itself
// again. Merges are events; a lead is not merged with itself.
func TestMergeUnmerge(t *testing.T) {
	f := newFixture(t, nil, nil)
	a := f.submit(t, "key-merge-1", ana())["id"].(string)
	other := ana()
	other["email"] = "ana@northwind-software.com"
	b := f.submit(t, "key-merge-2", other)["id"].(string)
	f.postEvent(t, b, map[string]string{"signal": "sales_accepted", "actor": "jo"})
	merge := func(path string, body map[string]string) (int, []byte) {
		js, _ := json.Marshal(body)
		return f.request(t, "POST", path, js)
	}
	if status, body := merge("/api/leads/"+a+"/merge", map[string]string{"lead": a, "actor": "jo"}); status != 422 ||
		errorFields(t, body)["lead"] != "same" {
		t.Errorf("a merge with itself: %d %s", status, body)
	}
	if status, body := merge("/api/leads/"+a+"/merge", map[string]string{"lead": b, "actor": "jo", "reason": "same person"}); status != 200 {
		t.Fatalf("merge: %d %s", status, body)
	}
	l := f.lead(t, a)
	if l.Stage != "SAL" || len(l.Merged) != 1 || l.Merged[0] != b || !strings.Contains(l.kinds(), "signal:sales_accepted") ||
		!strings.Contains(l.kinds(), "merge:") {
		t.Errorf("merged: %s %v %s", l.Stage, l.Merged, l.kinds())
	}
	// Facts about the merged lead go to the one it joined.
	f.postEvent(t, b, map[string]string{"activity": "contacted", "actor": "jo"})
	if !strings.Contains(f.lead(t, a).kinds(), "activity:contacted") {
		t.Errorf("an activity on the merged lead did not reach its target")
	}
	if status, body := merge("/api/leads/"+a+"/unmerge", map[string]string{"lead": b, "actor": "jo"}); status != 200 {
		t.Fatalf("unmerge: %d %s", status, body)
	}
	if l := f.lead(t, a); l.Stage != "MQL" || len(l.Merged) != 0 || strings.Contains(l.kinds(), "signal:sales_accepted") {
		t.Errorf("Ana unmerged: %s %v %s", l.Stage, l.Merged, l.kinds())
	}
	if l := f.lead(t, b); l.Stage != "SAL" {
		t.Errorf("the other lead unmerged: %s", l.Stage)
	}
}

// A visitor's page views before they submit become the lead's events, the
// signal of a page scores, and a flood from one visitor id is dropped.
func TestBeacon(t *testing.T) {
	f := newFixture(t, nil, nil)
	const visitor = "AAAAAAAAAAAAAAAAAAAAAA"
	view := func(path, signal string) int {
		body, _ := json.Marshal(map[string]string{"v": visitor, "p": path, "s": signal})
		return f.call(t, "POST", "/api/beacon", "192.0.2.1:1", map[string]string{"Content-Type": "text/plain;charset=UTF-8"},
			string(body)).Code
	}
	if got := view("/pricing/", "pricing_visit"); got != 204 {
		t.Fatalf("a view: %d", got)
	}
	f.clock.Advance(time.Minute)
	body, _ := json.Marshal(map[string]any{"fields": ana(), "idempotency_key": "key-beacon-1"})
	r := f.call(t, "POST", "/api/leads", "192.0.2.1:1", map[string]string{"Content-Type": "application/json",
		"Cookie": "winnow_v=" + visitor + "; winnow_a=landing_page=%2Fpricing%2F&utm_source=newsletter&utm_campaign=spring"},
		string(body))
	if r.Code != 201 {
		t.Fatalf("submit: %d %s", r.Code, r.Body)
	}
	var a struct{ ID string }
	json.Unmarshal(r.Body.Bytes(), &a)
	l := f.lead(t, a.ID)
	if !strings.Contains(l.kinds(), "view:/pricing/") || l.Signals["pricing_visit"] != "2026-03-02T09:00:00Z" {
		t.Errorf("the visit before the form: %s, signals %v", l.kinds(), l.Signals)
	}
	if l.Fields["utm_source"] != "newsletter" || l.Fields["utm_campaign"] != "spring" || l.Fields["landing_page"] != "/pricing/" {
		t.Errorf("attribution %v", l.Fields)
	}
	f.clock.Advance(time.Minute)
	view("/customers/", "case_study_read")
	if l := f.lead(t, a.ID); l.Signals["case_study_read"] != "2026-03-02T09:02:00Z" {
		t.Errorf("a view after the form: signals %v", l.Signals)
	}
	for range 130 {
		view("/", "")
	}
	views := 0
	for _, e := range f.lead(t, a.ID).Events {
		if e.Kind == "view" {
			views++
		}
	}
	if views > 122 {
		t.Errorf("%d views stored from one visitor in a window", views)
	}
	if got := view("/", "no_such_signal"); got != 204 {
		t.Errorf("an unknown signal: %d, want it dropped with 204", got)
	}
	// What was dropped is counted, for the admin to see.
	_, body = f.get(t, "/healthz")
	var health struct{ Dropped map[string]int }
	json.Unmarshal(body, &health)
	if health.Dropped["beacon dropped: flood"] < 8 || health.Dropped["beacon dropped: unknown signal"] != 1 {
		t.Errorf("dropped page views counted %v", health.Dropped)
	}
}

// recorder is a webhook receiver that keeps what it got.
type recorder struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []map[string]any
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m map[string]any
		json.NewDecoder(req.Body).Decode(&m)
		r.mu.Lock()
		r.got = append(r.got, m)
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// topics lists what was received as topic or topic:from>to words.
func (r *recorder) topics() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.got {
		s, _ := m["topic"].(string)
		if ch, ok := m["change"].(map[string]any); ok && ch["stage_from"] != nil {
			s += fmt.Sprintf(":%v>%v", ch["stage_from"], ch["stage"])
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}
