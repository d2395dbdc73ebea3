package worker_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var (
	modelOnce sync.Once
	model     *qualify.Model
)

func defaultModel(t *testing.T) *qualify.Model {
	modelOnce.Do(func() {
		c, diags := content.Load(os.DirFS("../content"), "content")
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		model = c.Model
	})
	return model
}

// fixture is a handler over a fresh database with a settable clock.
type fixture struct {
	h     *worker.Handler
	clock *clock
	srv   *httptest.Server
	db    *sql.DB
}

func newFixture(t *testing.T, targets []crm.Target, tweak func(*worker.Config)) *fixture {
	t.Helper()
	db, err := sqlitedb.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	cfg := worker.Config{DB: db, Model: defaultModel(t), Now: clk.Now, Targets: targets, AdminToken: "tok", Secret: "s"}
	if tweak != nil {
		tweak(&cfg)
	}
	h, err := worker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{h: h, clock: clk, srv: srv, db: cfg.DB}
}

func (f *fixture) submit(t *testing.T, key string, fields map[string]string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"fields": fields, "idempotency_key": key})
	resp, err := http.Post(f.srv.URL+"/api/leads", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 {
		t.Fatalf("submit: %d %s", resp.StatusCode, b)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

func (f *fixture) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	return f.request(t, "GET", path, nil)
}

// request sends an admin request, with a JSON body if any.
func (f *fixture) request(t *testing.T, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func ana() map[string]string {
	return map[string]string{"name": "Ana Maria Souza", "email": "ana@northwind.io", "company": "Northwind Software",
		"company_size": "201-1000", "industry": "software", "role": "marketing", "seniority": "director",
		"country": "DE", "request": "question", "consent": "yes", "phone": "+49 30 1234567"}
}

// A failing target is retried with growing waits, then dead-lettered,
// listed by GET /api/outbox, and sent again after a retry by hand.
func TestDeliveryRetriesThenDeadLetters(t *testing.T) {
	var mu sync.Mutex
	calls, fail := 0, true
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if fail {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer recv.Close()
	f := newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: recv.URL, Secret: "x"}},
		func(c *worker.Config) { c.Limits.MaxAttempts = 3 })
	ctx := context.Background()
	f.submit(t, "key-00000001", ana())
	d, err := f.h.Deliver(ctx)
	if err != nil || d.Failed != 1 {
		t.Fatalf("first run: %+v %v", d, err)
	}
	// Not due again before the backoff (at least 24 s for the first retry).
	f.clock.Advance(20 * time.Second)
	if d, _ := f.h.Deliver(ctx); d != (worker.Delivery{}) {
		t.Errorf("retried before its backoff: %+v", d)
	}
	f.clock.Advance(20 * time.Second)
	if d, _ := f.h.Deliver(ctx); d.Failed != 1 {
		t.Errorf("second attempt: %+v", d)
	}
	// The second wait is about a minute.
	f.clock.Advance(40 * time.Second)
	if d, _ := f.h.Deliver(ctx); d != (worker.Delivery{}) {
		t.Errorf("third attempt came before the doubled backoff: %+v", d)
	}
	f.clock.Advance(40 * time.Second)
	if d, _ := f.h.Deliver(ctx); d.Dead != 1 {
		t.Errorf("third attempt: %+v, want dead", d)
	}
	f.clock.Advance(24 * time.Hour)
	if d, _ := f.h.Deliver(ctx); d != (worker.Delivery{}) {
		t.Errorf("a dead webhook was sent again: %+v", d)
	}
	_, body := f.get(t, "/api/outbox")
	var rep struct {
		Status map[string]int
		Dead   []struct {
			ID        string
			LastError string `json:"last_error"`
			Attempts  int
		}
	}
	json.Unmarshal(body, &rep)
	if len(rep.Dead) != 1 || rep.Status["dead"] != 1 || !strings.Contains(string(body), "502") {
		t.Fatalf("outbox: %s", body)
	}
	// Retry by hand: it goes once the target is back.
	mu.Lock()
	fail = false
	mu.Unlock()
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/outbox/"+rep.Dead[0].ID+"/retry", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("retry: %v %v", resp.StatusCode, err)
	}
	if d, _ := f.h.Deliver(ctx); d.Delivered != 1 {
		t.Errorf("after a retry by hand: %+v", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 4 {
		t.Errorf("%d calls, want 4", calls)
	}
}

// The HubSpot target keeps the person's contact up to date: a batch
// upsert by email with the contact's properties when the lead is new, and
// Winnow's verdict (stage, fit, tier, score, the reasons) and outcome as
// properties with every change.
func TestHubSpotUpsert(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	var auth, paths []string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		auth = append(auth, r.Header.Get("Authorization"))
		paths = append(paths, r.URL.Path)
		mu.Unlock()
	}))
	defer recv.Close()
	f := newFixture(t, []crm.Target{{Name: "hubspot", Kind: crm.KindHubSpot,
		URL: recv.URL + "/crm/v3/objects/contacts/batch/upsert", Token: "pat-1"}}, nil)
	fields := ana()
	fields["seats"], fields["timeline"] = "40", "this_quarter"
	lead := f.submit(t, "key-00000002", fields)
	f.clock.Advance(time.Hour)
	f.postEvent(t, lead["id"].(string), map[string]string{"outcome": "won", "actor": "jo"})
	if d, err := f.h.Deliver(context.Background()); err != nil || d.Delivered != 2 {
		t.Fatalf("deliver: %+v %v", d, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("HubSpot got %d upserts, want 2", len(got))
	}
	props := func(i int) map[string]string {
		inputs := got[i]["inputs"].([]any)
		in := inputs[0].(map[string]any)
		if len(inputs) != 1 || in["idProperty"] != "email" || in["id"] != "ana@northwind.io" {
			t.Errorf("upsert %d: %v, want one contact by email", i, got[i])
		}
		out := map[string]string{}
		for k, v := range in["properties"].(map[string]any) {
			out[k] = v.(string)
		}
		return out
	}
	for i := range got {
		if auth[i] != "Bearer pat-1" || paths[i] != "/crm/v3/objects/contacts/batch/upsert" {
			t.Errorf("upsert %d: auth %q to %s", i, auth[i], paths[i])
		}
	}
	// In the order they were queued, though both waited.
	created, won := props(0), props(1)
	want := map[string]string{"firstname": "Ana Maria", "lastname": "Souza", "email": "ana@northwind.io",
		"company": "Northwind Software", "phone": "+49 30 1234567", "country": "DE", "winnow_lead_id": lead["id"].(string),
		"winnow_stage": "opportunity", "winnow_fit": "A", "winnow_tier": "warm"}
	for k, v := range want {
		if created[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, created[k], v, created)
		}
	}
	if _, ok := created["seniority"]; ok {
		t.Errorf("an unmapped field was sent: %v", created)
	}
	if !strings.Contains(created["winnow_reasons"], "(target-industry)") || created["winnow_score"] == "" {
		t.Errorf("the reasons %q, score %q", created["winnow_reasons"], created["winnow_score"])
	}
	if won["winnow_outcome"] != "won" || won["firstname"] != "" || won["winnow_stage"] != "opportunity" {
		t.Errorf("the outcome's upsert: %v", won)
	}
}

// Personal data older than the retention period is erased; the verdict
// and events stay for the reports.
func TestPurge(t *testing.T) {
	f := newFixture(t, nil, nil)
	old := f.submit(t, "key-00000003", ana())
	f.clock.Advance(700 * 24 * time.Hour)
	fresh := f.submit(t, "key-00000004", map[string]string{"name": "Jo", "email": "jo@example.org", "company": "J", "consent": "yes"})
	f.clock.Advance(40 * 24 * time.Hour) // the first is 740 days old: past 730
	n, err := f.h.Purge(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want 1", n, err)
	}
	_, b := f.get(t, "/api/leads/"+old["id"].(string))
	if strings.Contains(string(b), "ana@northwind.io") || strings.Contains(string(b), "Souza") ||
		!strings.Contains(string(b), `"purged":true`) || !strings.Contains(string(b), `"stage":"MQL"`) {
		t.Errorf("old lead after purge: %s", b)
	}
	_, b = f.get(t, "/api/leads/"+fresh["id"].(string))
	if !strings.Contains(string(b), "jo@example.org") {
		t.Errorf("a recent lead was purged: %s", b)
	}
	if n, _ := f.h.Purge(context.Background()); n != 0 {
		t.Errorf("purged again: %d", n)
	}
}

// A rate limit's window ends: the same email may submit again after it.
func TestRateLimitWindow(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Limits.PerEmail = 1; c.Limits.Window = time.Minute })
	f.submit(t, "key-00000005", ana())
	body, _ := json.Marshal(map[string]any{"fields": ana(), "idempotency_key": "key-00000006"})
	resp, _ := http.Post(f.srv.URL+"/api/leads", "application/json", strings.NewReader(string(body)))
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "60" {
		t.Fatalf("second submission: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	f.clock.Advance(time.Minute)
	f.submit(t, "key-00000006", ana())
}

// Signatures verify with the secret and a fresh timestamp only.
func TestSignature(t *testing.T) {
	now := time.Unix(1772442000, 0)
	body := []byte(`{"id":"e1"}`)
	sig := "v1=" + crm.Sign("secret", "1772442000", body)
	if !crm.Verify("secret", "1772442000", sig, body, now, time.Minute) {
		t.Error("a good signature does not verify")
	}
	for name, ok := range map[string]bool{
		"other secret":  crm.Verify("other", "1772442000", sig, body, now, time.Minute),
		"other body":    crm.Verify("secret", "1772442000", sig, []byte(`{"id":"e2"}`), now, time.Minute),
		"old timestamp": crm.Verify("secret", "1772442000", sig, body, now.Add(2*time.Minute), time.Minute),
		"bad timestamp": crm.Verify("secret", "x", sig, body, now, time.Minute),
		"truncated":     crm.Verify("secret", "1772442000", sig[:20], body, now, time.Minute),
	} {
		if ok {
			t.Errorf("%s verifies", name)
		}
	}
}

// A replay is answered with what its key stored, even where a new
// submission would be refused: past the address's and the email's
// limits, and after the model stopped accepting its answers.
func TestReplayWhereRefused(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Limits.PerIP = 1; c.Limits.PerEmail = 1 })
	first := f.submitFrom(t, "192.0.2.7:1000", "key-replay-01", ana())
	if first.Code != http.StatusCreated {
		t.Fatalf("first submission: %d %s", first.Code, first.Body)
	}
	again := f.submitFrom(t, "192.0.2.7:1000", "key-replay-01", ana())
	if again.Code != http.StatusOK || again.Header().Get("Idempotent-Replayed") != "true" || again.Body.String() != first.Body.String() {
		t.Errorf("a replay past the address's limit: %d %s, want 200 and the first answer %s", again.Code, again.Body, first.Body)
	}
	other := f.submitFrom(t, "192.0.2.7:1000", "key-replay-02", ana())
	if other.Code != http.StatusTooManyRequests {
		t.Errorf("a new submission past the limit: %d, want 429", other.Code)
	}
	// From another address, past the email's limit: still the replay.
	again = f.submitFrom(t, "192.0.2.8:1000", "key-replay-01", ana())
	if again.Code != http.StatusOK || again.Body.String() != first.Body.String() {
		t.Errorf("a replay past the email's limit: %d %s", again.Code, again.Body)
	}
	// A replay whose answers the model no longer takes.
	bad := ana()
	bad["email"] = "not an email"
	f2 := newFixture(t, nil, nil)
	f2.submit(t, "key-replay-03", ana())
	if r := f2.submitFrom(t, "192.0.2.9:1000", "key-replay-03", bad); r.Code != http.StatusConflict {
		t.Errorf("the key again with answers that do not validate: %d %s, want 409 (the key is taken)", r.Code, r.Body)
	}
}
