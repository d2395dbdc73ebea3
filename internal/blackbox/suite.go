package blackbox

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winnowhq/winnow/docs"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker/crm"
)

// Run runs the suite against s. Each part uses its own email addresses
// and idempotency keys, so parts do not depend on one another; the
// receiver's counts are checked per event id.
func Run(t *testing.T, s Server) {
	c := &client{t: t, s: s, run: fmt.Sprintf("%x", time.Now().UnixNano())}
	t.Run("health and headers", c.health)
	t.Run("submit, replay, conflict", c.replays)
	t.Run("concurrent duplicates", c.concurrent)
	t.Run("routing", c.routing)
	t.Run("assignment", c.assignment)
	t.Run("plain form post", c.formPost)
	t.Run("field errors", c.fieldErrors)
	t.Run("unknown fields", c.unknownFields)
	t.Run("bad requests", c.badRequests)
	t.Run("injection is data", c.injection)
	t.Run("robots", c.robots)
	t.Run("API document", c.apiDocs)
	t.Run("admin token", c.adminAuth)
	t.Run("stage events", c.events)
	t.Run("credential throttle", c.throttle)
	t.Run("NUL in a path", c.nulPaths)
	t.Run("webhooks", c.webhooks)
	t.Run("rate limit", c.rateLimit)
	t.Run("cross origin", c.crossOrigin)
	t.Run("report and export", c.report)
	t.Run("admin dashboard", c.dashboard)
	t.Run("model check", c.modelCheck)
	t.Run("one person, one lead", c.identity)
	t.Run("signals", c.signals)
	t.Run("page views", c.pageViews)
	t.Run("named forms", c.namedForms)
	t.Run("returning visitor", c.returningVisitor)
	t.Run("overrides", c.overrides)
	t.Run("hubspot round trip", c.hubspot)
	// Last: it runs the scheduled work hours ahead.
	t.Run("decay", c.decay)
}

type client struct {
	t   *testing.T
	s   Server
	run string // makes keys and emails unique per run
	n   atomic.Int64
}

// response is an HTTP answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", r.status, err, r.body)
	}
	return m
}

func (c *client) do(t *testing.T, method, path, ctype string, body []byte, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, c.s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

func (c *client) admin() map[string]string {
	return map[string]string{"Authorization": "Bearer " + c.s.AdminToken}
}

// unique returns a fresh suffix for keys and emails.
func (c *client) unique() string {
	return fmt.Sprintf("%s-%d", c.run, c.n.Add(1))
}

// lead is a valid lead of the default model: an A-fit MQL.
func (c *client) lead() map[string]string {
	u := c.unique()
	return map[string]string{
		"name": "Ana Souza", "email": "ana." + u + "@northwind.io", "company": "Northwind Software",
		"company_size": "201-1000", "industry": "software", "role": "marketing", "seniority": "director",
		"country": "DE", "request": "question", "consent": "yes",
	}
}

func (c *client) submit(t *testing.T, fields map[string]string, key string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"fields": fields, "idempotency_key": key, "model": "browser-model",
		"verdict": map[string]any{"stage": "opportunity"}})
	return c.do(t, "POST", "/api/leads", "application/json", body, nil)
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d:\n%s", r.status, want, r.body)
	}
}

// fieldOf returns the field of the first error of an error answer.
func fieldOf(t *testing.T, r response) string {
	t.Helper()
	errs, _ := r.json(t)["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("no field errors in %s", r.body)
	}
	f, _ := errs[0].(map[string]any)["field"].(string)
	return f
}

func (c *client) health(t *testing.T) {
	r := c.do(t, "GET", "/healthz", "", nil, nil)
	wantStatus(t, r, 200)
	if ok, _ := r.json(t)["ok"].(bool); !ok {
		t.Errorf("healthz: %s", r.body)
	}
	for _, h := range []struct{ name, has string }{
		{"Content-Security-Policy", "frame-ancestors 'none'"},
		{"Content-Security-Policy", "default-src 'self'"},
		{"Strict-Transport-Security", "max-age="},
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "strict-origin"},
	} {
		if got := r.header.Get(h.name); !strings.Contains(got, h.has) {
			t.Errorf("%s is %q, want it to hold %q", h.name, got, h.has)
		}
	}
	if r := c.do(t, "GET", "/api/no-such-route", "", nil, nil); r.status != 404 || r.json(t)["code"] != "not_found" {
		t.Errorf("unknown API route: %d %s", r.status, r.body)
	}
}

// apiDocs reads the documents integrators read from the running server:
// the API's OpenAPI document and the webhooks' schema it refers to, each
// as docs embeds it.
func (c *client) apiDocs(t *testing.T) {
	for _, d := range []struct{ path, ctype, want string }{
		{"/api/openapi.json", "application/json", docs.OpenAPI},
		{"/api/webhook.schema.json", "application/schema+json", docs.WebhookSchema},
	} {
		r := c.do(t, "GET", d.path, "", nil, nil)
		wantStatus(t, r, 200)
		if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, d.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", d.path, got, d.ctype)
		}
		if string(r.body) != d.want {
			t.Errorf("%s: %d bytes, not the %d of the document", d.path, len(r.body), len(d.want))
		}
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(docs.OpenAPI), &doc); err != nil || doc.OpenAPI != "3.1.0" || doc.Paths["/api/leads"] == nil {
		t.Errorf("the API document: openapi %q, %d paths, %v", doc.OpenAPI, len(doc.Paths), err)
	}
}

func (c *client) replays(t *testing.T) {
	fields, key := c.lead(), "k-"+c.unique()
	first := c.submit(t, fields, key)
	wantStatus(t, first, 201)
	a := first.json(t)
	if a["stage"] != "MQL" || a["id"] == "" {
		t.Errorf("answer %s, want an MQL with an id", first.body)
	}
	if _, shown := a["score"]; shown {
		t.Errorf("the visitor is shown a score the content hides: %s", first.body)
	}
	again := c.submit(t, fields, key)
	wantStatus(t, again, 200)
	if !bytes.Equal(bytes.TrimSpace(again.body), bytes.TrimSpace(first.body)) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a replay answered %s (replayed %q), want the first answer %s", again.body, again.header.Get("Idempotent-Replayed"), first.body)
	}
	// The header key works like the body's.
	body, _ := json.Marshal(map[string]any{"fields": fields})
	hdr := c.do(t, "POST", "/api/leads", "application/json", body, map[string]string{"Idempotency-Key": key})
	wantStatus(t, hdr, 200)
	other := c.lead()
	conflict := c.submit(t, other, key)
	wantStatus(t, conflict, 409)
	if f := fieldOf(t, conflict); f != "idempotency_key" {
		t.Errorf("conflict names field %q", f)
	}
	lead := c.getLead(t, a["id"].(string))
	if got := lead["fields"].(map[string]any)["email"]; got != fields["email"] {
		t.Errorf("after a conflicting reuse the stored email is %v, want %s", got, fields["email"])
	}
	submissions := 0
	for _, e := range lead["events"].([]any) {
		if e.(map[string]any)["kind"] == "submission" {
			submissions++
		}
	}
	if submissions != 1 {
		t.Errorf("%d submissions stored after replays, want 1", submissions)
	}
}

func (c *client) getLead(t *testing.T, id string) map[string]any {
	t.Helper()
	r := c.do(t, "GET", "/api/leads/"+id, "", nil, c.admin())
	wantStatus(t, r, 200)
	return r.json(t)
}

func (c *client) concurrent(t *testing.T) {
	fields, key := c.lead(), "k-"+c.unique()
	const n = 8
	var wg sync.WaitGroup
	answers := make([]response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(map[string]any{"fields": fields, "idempotency_key": key})
			req, _ := http.NewRequest("POST", c.s.URL+"/api/leads", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers[i] = response{resp.StatusCode, resp.Header, b}
		}()
	}
	wg.Wait()
	created, ids := 0, map[string]bool{}
	for _, a := range answers {
		switch a.status {
		case 201:
			created++
		case 200:
		default:
			t.Fatalf("a concurrent duplicate got %d: %s", a.status, a.body)
		}
		ids[a.json(t)["id"].(string)] = true
	}
	if created != 1 || len(ids) != 1 {
		t.Errorf("%d concurrent duplicates made %d leads (%d answered 201), want 1", n, len(ids), created)
	}
}

func (c *client) routing(t *testing.T) {
	opp := c.lead()
	opp["seats"], opp["timeline"] = "40", "this_quarter"
	r := c.submit(t, opp, "k-"+c.unique())
	wantStatus(t, r, 201)
	a := r.json(t)
	next, _ := a["next"].(map[string]any)
	if a["stage"] != "opportunity" || next["kind"] != "book" || !strings.HasPrefix(fmt.Sprint(next["url"]), "https://") {
		t.Errorf("an opportunity got %s, want a booking link", r.body)
	}
	// The browser's verdict is stored, never trusted.
	lead := c.getLead(t, a["id"].(string))
	if lead["client_model"] != "browser-model" || lead["client_verdict"].(map[string]any)["stage"] != "opportunity" {
		t.Errorf("the browser's verdict is not stored: %v %v", lead["client_model"], lead["client_verdict"])
	}
	cold := c.lead()
	cold["company_size"], cold["seniority"], cold["industry"] = "1-10", "student", "other"
	r = c.submit(t, cold, "k-"+c.unique())
	wantStatus(t, r, 201)
	if a := r.json(t); a["stage"] == "opportunity" || a["stage"] == "MQL" {
		t.Errorf("a poor-fit question is %v, claimed opportunity by the browser", a["stage"])
	}
}

// assignment: a lead that enters a stage a team owns (an MQL in Germany:
// Sales development, territory dach of content/routing.yaml) is given an
// owner of that territory, and its timeline says why.
func (c *client) assignment(t *testing.T) {
	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	lead := c.getLead(t, id)
	if lead["stage"] != "MQL" || lead["team"] != "Sales development" {
		t.Fatalf("stage %v, team %v: want an MQL of Sales development", lead["stage"], lead["team"])
	}
	owner, _ := lead["owner"].(string)
	if owner != "Anna Schmidt" && owner != "Lukas Weber" {
		t.Errorf("owner %q, want one of territory dach: Anna Schmidt or Lukas Weber", owner)
	}
	var assigns []string
	for _, e := range lead["events"].([]any) {
		m := e.(map[string]any)
		if m["kind"] != "assign" {
			continue
		}
		note, _ := m["note"].(string)
		assigns = append(assigns, fmt.Sprint(m["name"], "/", m["value"]))
		if !strings.HasPrefix(note, "territory dach, "+owner) {
			t.Errorf("assign event %v: its reason %q does not start with territory dach, %s", m, note, owner)
		}
	}
	if got, want := strings.Join(assigns, " "), "Sales development/"+owner; got != want {
		t.Errorf("assign events %s, want %s", got, want)
	}
}

func form(fields map[string]string) []byte {
	v := url.Values{}
	for k, s := range fields {
		v.Set(k, s)
	}
	return []byte(v.Encode())
}

func (c *client) formPost(t *testing.T) {
	fields := c.lead()
	fields["seats"], fields["timeline"] = "40", "this_quarter"
	fields["model"] = "some-version"
	r := c.do(t, "POST", "/api/leads", "application/x-www-form-urlencoded", form(fields), nil)
	wantStatus(t, r, 201)
	page := string(r.body)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(page, "Book your meeting now") ||
		!strings.Contains(page, "https://book.example.com/") {
		t.Errorf("a plain form post by an opportunity got:\n%s", page)
	}
	if strings.Contains(page, "Your score") {
		t.Errorf("the next step shows a score the content hides:\n%s", page)
	}
	// Sending the same page again (a reload, a double click) is one lead.
	again := c.do(t, "POST", "/api/leads", "application/x-www-form-urlencoded", form(fields), nil)
	wantStatus(t, again, 200)
	ref := func(p string) string {
		_, after, _ := strings.Cut(p, "Reference: <code>")
		id, _, _ := strings.Cut(after, "</code>")
		return id
	}
	if ref(page) == "" || ref(page) != ref(string(again.body)) {
		t.Errorf("a resubmitted form made a new lead: %q then %q", ref(page), ref(string(again.body)))
	}
	// Errors come back as a page that names each field.
	delete(fields, "email")
	bad := c.do(t, "POST", "/api/leads", "application/x-www-form-urlencoded", form(fields), nil)
	wantStatus(t, bad, 422)
	if p := string(bad.body); !strings.Contains(p, "Work email") || !strings.Contains(p, "/demo/#f-email") {
		t.Errorf("the error page does not name the email field:\n%s", p)
	}
}

func (c *client) fieldErrors(t *testing.T) {
	fields := c.lead()
	delete(fields, "email")
	fields["company_size"] = "huge"
	r := c.submit(t, fields, "k-"+c.unique())
	wantStatus(t, r, 422)
	got := map[string]string{}
	for _, e := range r.json(t)["errors"].([]any) {
		m := e.(map[string]any)
		got[m["field"].(string)] = m["code"].(string)
	}
	if got["email"] != "required" || got["company_size"] != "option" {
		t.Errorf("field errors %v, want email required and company_size option", got)
	}
}

// unknownFields: an answer to a question the model does not ask is
// refused and names the field; the names the plain form itself posts are
// not answers.
func (c *client) unknownFields(t *testing.T) {
	key := "k-" + c.unique()
	fields := c.lead()
	fields["gclid"] = "Cj0KCQ"
	r := c.submit(t, fields, key)
	wantStatus(t, r, 422)
	e := r.json(t)["errors"].([]any)[0].(map[string]any)
	if e["field"] != "gclid" || e["code"] != "unknown" || !strings.Contains(fmt.Sprint(e["message"]), "the model asks no such question") {
		t.Errorf("an unknown field: %s", r.body)
	}
	fields = c.lead()
	fields["idempotency_key"], fields["model"] = "k-"+c.unique(), "some-version"
	wantStatus(t, c.do(t, "POST", "/api/leads", "application/x-www-form-urlencoded", form(fields), nil), 201)
	fields = c.lead()
	fields["is_admin"] = "yes"
	p := c.do(t, "POST", "/api/leads", "application/x-www-form-urlencoded", form(fields), nil)
	wantStatus(t, p, 422)
	if !strings.Contains(string(p.body), "is_admin") {
		t.Errorf("the error page does not name the unknown field:\n%s", p.body)
	}
	// Nothing was stored under the refused key.
	wantStatus(t, c.submit(t, c.lead(), key), 201)
}

func (c *client) badRequests(t *testing.T) {
	key := "k-" + c.unique()
	cases := []struct {
		name, ctype string
		body        []byte
		status      int
		field       string
	}{
		{"malformed JSON", "application/json", []byte(`{"fields": {"name": "Ana"`), 400, "body"},
		{"answer an object", "application/json", []byte(`{"fields": {"seats": {"n": 40}}, "idempotency_key": "` + key + `"}`), 400, "fields.seats"},
		{"unknown member", "application/json", []byte(`{"fields": {}, "idempotency_key": "` + key + `", "admin": true}`), 400, "admin"},
		{"missing key", "application/json", []byte(`{"fields": {"name": "Ana"}}`), 400, "idempotency_key"},
		{"bad key", "application/json", []byte(`{"fields": {}, "idempotency_key": "short"}`), 400, "idempotency_key"},
		{"invalid UTF-8", "application/json", []byte("{\"fields\": {\"name\": \"An\xff\"}, \"idempotency_key\": \"" + key + "\"}"), 400, "body"},
		{"wrong content type", "text/plain", []byte("name=Ana"), 415, ""},
		{"oversized body", "application/json", []byte(`{"fields": {"message": "` + strings.Repeat("a", 70<<10) + `"}}`), 413, "body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(t, "POST", "/api/leads", tc.ctype, tc.body, nil)
			wantStatus(t, r, tc.status)
			if tc.field != "" {
				if f := fieldOf(t, r); f != tc.field {
					t.Errorf("error names field %q, want %q: %s", f, tc.field, r.body)
				}
			} else if r.json(t)["message"] == "" {
				t.Errorf("no message: %s", r.body)
			}
		})
	}
	// None of them stored anything under the key.
	fields := c.lead()
	wantStatus(t, c.submit(t, fields, key), 201)
}

func (c *client) injection(t *testing.T) {
	// Every field, one at a time: the answer is refused (422) or stored as
	// written; nothing else happens, and what was stored stays.
	keep := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, keep, 201)
	keepID := keep.json(t)["id"].(string)
	before := c.getLead(t, keepID)
	attacks := []string{`x'); DELETE FROM leads; --`, `" OR "1"="1`, `<svg onload=alert(1)>`, "\u0000", "a\xffb"}
	for name := range c.lead() {
		for _, attack := range attacks {
			f := c.lead()
			f[name] = attack
			r := c.submit(t, f, "k-"+c.unique())
			if r.status != 201 && r.status != 422 && r.status != 400 {
				t.Errorf("%s = %q: %d %s", name, attack, r.status, r.body)
			}
			if r.status == 201 {
				// JSON carries invalid UTF-8 as U+FFFD.
				if got := c.getLead(t, r.json(t)["id"].(string))["fields"].(map[string]any)[name]; got != strings.ToValidUTF8(attack, "\uFFFD") {
					t.Errorf("%s = %q stored as %q", name, attack, got)
				}
			}
			p := c.do(t, "POST", "/api/leads", "application/x-www-form-urlencoded", form(f), nil)
			if p.status >= 500 || strings.Contains(string(p.body), "<svg onload") {
				t.Errorf("form post with %s = %q: %d\n%s", name, attack, p.status, p.body)
			}
		}
	}
	after := c.getLead(t, keepID)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("a stored lead changed:\n%v\n%v", before, after)
	}
	fields := c.lead()
	fields["name"] = `Robert'); DROP TABLE leads; --`
	fields["company"] = `<script>alert("x")</script>`
	fields["message"] = `" OR 1=1; -- ` + "\u202e" + `<img src=x onerror=alert(1)>`
	r := c.submit(t, fields, "k-"+c.unique())
	if r.status != 201 && r.status != 422 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if r.status == 201 {
		lead := c.getLead(t, r.json(t)["id"].(string))
		stored := lead["fields"].(map[string]any)
		for _, k := range []string{"name", "company"} {
			if stored[k] != fields[k] {
				t.Errorf("%s stored as %q, want it verbatim %q", k, stored[k], fields[k])
			}
		}
	}
	// The tables are all there and the earlier leads too.
	wantStatus(t, c.submit(t, c.lead(), "k-"+c.unique()), 201)
	// On the HTML error page the markup is text.
	bad := map[string]string{"name": `<script>alert("x")</script>`}
	p := c.do(t, "POST", "/api/leads", "application/x-www-form-urlencoded", form(bad), nil)
	if strings.Contains(string(p.body), `<script>alert`) {
		t.Errorf("the error page runs submitted markup:\n%s", p.body)
	}
}

// robots: a filled honeypot is acknowledged like any lead (robots learn
// nothing), stored as spam in the bad-lead stage, and never handed off; a
// form filled faster than a person can is a bad lead too.
func (c *client) robots(t *testing.T) {
	f := c.lead()
	f["website"] = "http://spam.example"
	r := c.submit(t, f, "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	lead := c.getLead(t, id)
	if lead["spam"] != true || lead["verdict"].(map[string]any)["stage"] != "bad lead" {
		t.Errorf("a filled honeypot: spam %v, stage %v", lead["spam"], lead["verdict"].(map[string]any)["stage"])
	}
	fast := c.lead()
	fast["fill_seconds"] = "1"
	r = c.submit(t, fast, "k-"+c.unique())
	wantStatus(t, r, 201)
	if r.json(t)["stage"] != "bad lead" {
		t.Errorf("a form filled in a second is %v", r.json(t)["stage"])
	}
	c.s.Deliver(t)
	for ev := range c.s.Receiver.Events() {
		if b := c.s.Receiver.Body(ev); b != nil && b["lead"].(map[string]any)["id"] == id {
			t.Errorf("a robot's lead was handed off: %v", b)
		}
	}
	// A robot is answered as the same answers without the honeypot are:
	// for an ordinary cold lead, the first funnel stage and its next step,
	// as JSON and as the plain form's page.
	cold := c.lead()
	cold["company_size"], cold["industry"], cold["seniority"] = "11-50", "other", "manager"
	trap := map[string]string{"website": "http://spam.example"}
	for k, v := range cold {
		trap[k] = v
	}
	person, robot := c.submit(t, cold, "k-"+c.unique()), c.submit(t, trap, "k-"+c.unique())
	wantStatus(t, person, 201)
	wantStatus(t, robot, 201)
	pa, ra := person.json(t), robot.json(t)
	if pa["stage"] != "cold lead" {
		t.Fatalf("the ordinary lead is %v, want a cold lead", pa["stage"])
	}
	robotID := ra["id"].(string)
	delete(pa, "id")
	delete(ra, "id")
	if fmt.Sprint(ra) != fmt.Sprint(pa) || robot.header.Get("Content-Type") != person.header.Get("Content-Type") {
		t.Errorf("a robot was answered %v, a person %v", ra, pa)
	}
	if lead := c.getLead(t, robotID); lead["spam"] != true || lead["verdict"].(map[string]any)["stage"] != "bad lead" {
		t.Errorf("the robot's lead is stored as spam %v, stage %v", lead["spam"], lead["verdict"].(map[string]any)["stage"])
	}
	formPage := func(fields map[string]string) (int, string) {
		r := c.do(t, "POST", "/api/leads", "application/x-www-form-urlencoded", form(fields), nil)
		_, after, _ := strings.Cut(string(r.body), "Reference: <code>")
		id, _, _ := strings.Cut(after, "</code>")
		return r.status, strings.ReplaceAll(string(r.body), id, "ID")
	}
	cold["email"] = "cold." + c.unique() + "@northwind.io"
	trap["email"] = cold["email"]
	ps, pp := formPage(cold)
	rs, rp := formPage(trap)
	if ps != 201 || rs != ps || rp != pp {
		t.Errorf("a robot's next-step page (%d):\n%s\na person's (%d):\n%s", rs, rp, ps, pp)
	}

	// The server checks the full list of disposable domains, beyond the
	// widget's short table: its verdict is the one that counts.
	throwaway := c.lead()
	throwaway["email"] = "ana." + c.unique() + "@0-180.com"
	r = c.submit(t, throwaway, "k-"+c.unique())
	wantStatus(t, r, 201)
	if a := r.json(t); a["stage"] != "bad lead" || a["next"].(map[string]any)["kind"] != "fix" {
		t.Errorf("an address at a listed disposable domain: %s", r.body)
	}
}

func (c *client) adminAuth(t *testing.T) {
	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer wrong"}, {"Authorization": c.s.AdminToken}} {
		if got := c.do(t, "GET", "/api/leads/"+id, "", nil, h); got.status != 401 {
			t.Errorf("GET lead with %v: %d, want 401", h, got.status)
		}
	}
	lead := c.getLead(t, id)
	v := lead["verdict"].(map[string]any)
	if v["stage"] != "MQL" || len(v["reasons"].([]any)) == 0 {
		t.Errorf("verdict %v, want MQL with reasons", v)
	}
	reason := v["reasons"].([]any)[0].(map[string]any)
	if !strings.Contains(fmt.Sprint(reason["pos"]), ".yaml:") {
		t.Errorf("a reason does not say where its rule is written: %v", reason)
	}
	if r := c.do(t, "GET", "/api/leads/nope", "", nil, c.admin()); r.status != 404 {
		t.Errorf("unknown lead: %d", r.status)
	}
}

func (c *client) postEvent(t *testing.T, id string, ev map[string]string, header map[string]string) response {
	body, _ := json.Marshal(ev)
	return c.do(t, "POST", "/api/leads/"+id+"/events", "application/json", body, header)
}

func (c *client) events(t *testing.T) {
	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	if got := c.postEvent(t, id, map[string]string{"signal": "sales_accepted", "actor": "jo"}, nil); got.status != 401 {
		t.Errorf("an event without a token: %d", got.status)
	}
	wantStatus(t, c.postEvent(t, id, map[string]string{"signal": "sales_accepted", "actor": "jo@sales", "note": "called back"}, c.admin()), 201)
	bad := c.postEvent(t, id, map[string]string{"stage": "hot", "actor": "jo", "reason": "keen"}, c.admin())
	wantStatus(t, bad, 422)
	if f := fieldOf(t, bad); f != "stage" {
		t.Errorf("a bad stage names %q", f)
	}
	if got := c.postEvent(t, "nope", map[string]string{"signal": "sales_accepted", "actor": "jo"}, c.admin()); got.status != 404 {
		t.Errorf("an event for no lead: %d", got.status)
	}
	// A signed CRM callback, retried with the same key, is one event: the
	// retry gets the event as stored; the key with another body is a
	// conflict.
	callback := func(body []byte) response {
		ts := fmt.Sprint(time.Now().Unix())
		h := map[string]string{"Winnow-Timestamp": ts, "Winnow-Signature": "v1=" + crm.Sign(WebhookSecret, ts, body),
			"Idempotency-Key": "crm-" + id}
		return c.do(t, "POST", "/api/leads/"+id+"/events", "application/json", body, h)
	}
	body, _ := json.Marshal(map[string]string{"stage": "won", "actor": "crm"})
	first := callback(body)
	wantStatus(t, first, 201)
	again := callback(body)
	wantStatus(t, again, 200)
	if !bytes.Equal(again.body, first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a retried callback got %s (replayed %q), want the first answer %s", again.body, again.header.Get("Idempotent-Replayed"), first.body)
	}
	other, _ := json.Marshal(map[string]string{"stage": "lost", "reason": "no_budget", "actor": "crm"})
	conflict := callback(other)
	wantStatus(t, conflict, 409)
	if f := fieldOf(t, conflict); f != "idempotency_key" {
		t.Errorf("a reused event key names %q", f)
	}
	forged := c.do(t, "POST", "/api/leads/"+id+"/events", "application/json", body,
		map[string]string{"Winnow-Timestamp": fmt.Sprint(time.Now().Unix()), "Winnow-Signature": "v1=00"})
	if forged.status != 401 {
		t.Errorf("a forged callback: %d", forged.status)
	}
	var timeline []string
	for _, e := range c.getLead(t, id)["events"].([]any) {
		m := e.(map[string]any)
		str := func(k string) string { s, _ := m[k].(string); return s }
		timeline = append(timeline, str("kind")+":"+str("name")+str("stage"))
	}
	if got, want := strings.Join(timeline, " "), "submission: stage:MQL assign:Sales development signal:sales_accepted stage:SAL outcome:won"; got != want {
		t.Errorf("timeline %s, want %s", got, want)
	}
}

// from makes a request come from the client address ip: at the edge by
// CF-Connecting-IP, natively through the trusted proxy the suite's
// server has on loopback.
func from(ip string, header map[string]string) map[string]string {
	h := map[string]string{"CF-Connecting-IP": ip, "X-Forwarded-For": ip}
	for k, v := range header {
		h[k] = v
	}
	return h
}

// throttle: wrong admin tokens and wrong callback signatures count against
// the client's address (an IPv6 client's /64): past the limit even the
// right one gets 429, while other clients go on.
func (c *client) throttle(t *testing.T) {
	const limit = 10 // Limits.LoginFailures' default
	bearer := func(ip, token string) response {
		return c.do(t, "GET", "/api/outbox", "", nil, from(ip, map[string]string{"Authorization": "Bearer " + token}))
	}
	for i := range limit {
		wantStatus(t, bearer("2001:db8:7::1", fmt.Sprint("guess-", i)), 401)
	}
	held := bearer("2001:db8:7::2", c.s.AdminToken) // the same /64
	wantStatus(t, held, 429)
	if held.header.Get("Retry-After") == "" || held.json(t)["code"] != "rate_limited" {
		t.Errorf("429 without Retry-After or its code: %v %s", held.header, held.body)
	}
	login := c.do(t, "POST", "/admin/login", "application/x-www-form-urlencoded",
		[]byte(url.Values{"token": {c.s.AdminToken}}.Encode()), from("2001:db8:7::3", nil))
	wantStatus(t, login, 429)
	wantStatus(t, bearer("2001:db8:8::1", c.s.AdminToken), 200)
	wantStatus(t, c.do(t, "GET", "/api/outbox", "", nil, c.admin()), 200)

	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	body, _ := json.Marshal(map[string]string{"stage": "contacted", "actor": "crm"})
	callback := func(ip, secret string) response {
		ts := fmt.Sprint(time.Now().Unix())
		return c.do(t, "POST", "/api/leads/"+id+"/events", "application/json", body, from(ip, map[string]string{
			"Winnow-Timestamp": ts, "Winnow-Signature": "v1=" + crm.Sign(secret, ts, body)}))
	}
	for range limit {
		wantStatus(t, callback("198.51.100.7", "not-the-secret"), 401)
	}
	wantStatus(t, callback("198.51.100.7", WebhookSecret), 429)
	wantStatus(t, callback("198.51.100.8", WebhookSecret), 201)
}

// nulPaths: a path holding NUL is no route, with or without credentials.
func (c *client) nulPaths(t *testing.T) {
	for _, p := range []struct{ method, path string }{
		{"GET", "/api/leads/%00"}, {"POST", "/api/leads/%00/events"}, {"POST", "/api/outbox/%00/retry"}, {"GET", "/admin/leads/%00"},
	} {
		for _, h := range []map[string]string{nil, c.admin()} {
			if r := c.do(t, p.method, p.path, "application/json", []byte(`{"signal":"sales_accepted","actor":"jo"}`), h); r.status != 404 {
				t.Errorf("%s %s: %d, want 404: %.300s", p.method, p.path, r.status, r.body)
			}
		}
	}
}

func (c *client) webhooks(t *testing.T) {
	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)
	deadline := time.Now().Add(60 * time.Second)
	var event string
	for event == "" && time.Now().Before(deadline) {
		c.s.Deliver(t)
		for ev := range c.s.Receiver.Events() {
			if b := c.s.Receiver.Body(ev); b != nil && b["lead"].(map[string]any)["id"] == id {
				event = ev
			}
		}
	}
	if event == "" {
		t.Fatalf("the lead's webhook was not delivered")
	}
	body := c.s.Receiver.Body(event)
	lead := body["lead"].(map[string]any)
	if body["topic"] != crm.TopicCreated || lead["stage"] != "MQL" || lead["fields"].(map[string]any)["company"] != "Northwind Software" {
		t.Errorf("webhook body %v", body)
	}
	c.s.Deliver(t)
	if n := c.s.Receiver.Events()[event]; n != 1 {
		t.Errorf("event %s delivered %d times, want once", event, n)
	}
	if n := c.s.Receiver.BadSignatures(); n != 0 {
		t.Errorf("%d webhooks with a bad signature", n)
	}
}

func (c *client) rateLimit(t *testing.T) {
	email := "ratelimit." + c.unique() + "@northwind.io"
	var last response
	for i := range 5 {
		f := c.lead()
		f["email"] = email
		f["request"] = []string{"question", "pricing", "demo", "trial", "question"}[i]
		last = c.submit(t, f, "k-"+c.unique())
		if i < 3 {
			wantStatus(t, last, 201)
		}
	}
	wantStatus(t, last, 429)
	if ra := last.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("429 without Retry-After: %q", ra)
	}
	if last.json(t)["code"] != "rate_limited" {
		t.Errorf("429 body %s", last.body)
	}
}

func (c *client) crossOrigin(t *testing.T) {
	body, _ := json.Marshal(map[string]any{"fields": c.lead(), "idempotency_key": "k-" + c.unique()})
	r := c.do(t, "POST", "/api/leads", "application/json", body, map[string]string{"Origin": "https://evil.example"})
	wantStatus(t, r, 403)
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS allowed for another origin")
	}
	pre := c.do(t, "OPTIONS", "/api/leads", "", nil, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
	if pre.status == 204 || pre.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", pre.status, pre.header)
	}
}

// report checks the funnel and SLA report and the export by what this
// part's own leads add to them: the parts run one after another, so the
// figures move by exactly that.
func (c *client) report(t *testing.T) {
	if got := c.do(t, "GET", "/api/report", "", nil, nil); got.status != 401 {
		t.Errorf("report without a token: %d", got.status)
	}
	for _, q := range []struct{ query, field string }{{"from=2026-13", "from"}, {"to=june", "to"}, {"tz=Nowhere/City", "tz"}} {
		r := c.do(t, "GET", "/api/report?"+q.query, "", nil, c.admin())
		wantStatus(t, r, 400)
		if f := fieldOf(t, r); f != q.field {
			t.Errorf("?%s names %q, want %s", q.query, f, q.field)
		}
	}
	// The range covers the month before and after this one, so that the
	// figures add up even if the month turns during the run.
	month := time.Now().UTC()
	query := "/api/report?tz=Europe/Paris&from=" + month.AddDate(0, -1, -month.Day()+1).Format("2006-01") +
		"&to=" + month.AddDate(0, 1, -month.Day()+1).Format("2006-01")
	get := func() report.Report {
		t.Helper()
		r := c.do(t, "GET", query, "", nil, c.admin())
		wantStatus(t, r, 200)
		var rep report.Report
		if err := json.Unmarshal(r.body, &rep); err != nil {
			t.Fatalf("report: %v\n%.300s", err, r.body)
		}
		if rep.TimeZone != "Europe/Paris" || len(rep.Stages.Months) != 3 {
			t.Fatalf("report in %s over %d months, want Europe/Paris and 3", rep.TimeZone, len(rep.Stages.Months))
		}
		return rep
	}
	before := get()

	// A: MQL, contacted, accepted (SAL). B: MQL, lost, opened again (MQL
	// again). C: MQL, won. Each fact a second after the one before, to be
	// ordered as sent.
	var ids []string
	for range 3 {
		r := c.submit(t, c.lead(), "k-"+c.unique())
		wantStatus(t, r, 201)
		ids = append(ids, r.json(t)["id"].(string))
	}
	a, b, cc := ids[0], ids[1], ids[2]
	at := time.Now().UTC().Truncate(time.Second)
	for i, ev := range []struct {
		lead string
		fact map[string]string
	}{
		{a, map[string]string{"activity": "contacted"}}, {a, map[string]string{"signal": "sales_accepted"}},
		{b, map[string]string{"outcome": "lost", "reason": "no_budget"}}, {b, map[string]string{"outcome": "open"}},
		{cc, map[string]string{"outcome": "won"}},
	} {
		ev.fact["actor"], ev.fact["at"] = "jo@sales", at.Add(time.Duration(i+1)*time.Second).Format(time.RFC3339)
		wantStatus(t, c.postEvent(t, ev.lead, ev.fact, c.admin()), 201)
	}
	var kinds []string
	for _, e := range c.getLead(t, a)["events"].([]any) {
		kinds = append(kinds, e.(map[string]any)["kind"].(string))
	}
	// Assigned once, on entering MQL: SAL's team is MQL's.
	if got, want := strings.Join(kinds, ","), "submission,stage,assign,activity,signal,stage"; got != want {
		t.Errorf("A's events are of kinds %s, want %s", got, want)
	}
	after := get()

	delta := func(name string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s moved by %d, want %d", name, got, want)
		}
	}
	delta("leads", after.Totals.Leads-before.Totals.Leads, 3)
	step := func(r report.Report, name string) report.StepFigures {
		return find(t, r.Stages.Total.Steps, func(s report.StepFigures) bool { return s.Step == name })
	}
	// MQL: A, B twice, C; B's second time is a re-entry.
	for _, w := range []struct {
		stage             string
		entered, reopened int
	}{{"MQL", 4, 1}, {"SAL", 1, 0}, {"lost", 1, 0}, {"won", 1, 0}} {
		delta(w.stage+" entered", step(after, w.stage).Entered-step(before, w.stage).Entered, w.entered)
		delta(w.stage+" reopened", step(after, w.stage).Reopened-step(before, w.stage).Reopened, w.reopened)
	}
	conv := func(r report.Report, from string) report.Conversion {
		return find(t, r.Stages.Total.Conversions, func(c report.Conversion) bool { return c.From == from })
	}
	// The cohort of three reached MQL; A (SAL) and C (won) went further.
	delta("MQL reached", conv(after, "MQL").Reached-conv(before, "MQL").Reached, 3)
	delta("MQL converted", conv(after, "MQL").Converted-conv(before, "MQL").Converted, 2)
	sla := func(r report.Report) report.SLA {
		return find(t, r.SLA, func(s report.SLA) bool { return s.Stage == "MQL" })
	}
	// A was contacted, B lost and C won within the day; B's second entry
	// is not due yet.
	delta("MQL SLA entered", sla(after).Entered-sla(before).Entered, 4)
	delta("MQL SLA met", sla(after).Met-sla(before).Met, 3)
	delta("MQL SLA not due", sla(after).NotDue-sla(before).NotDue, 1)

	if r := c.do(t, "GET", "/api/outbox", "", nil, c.admin()); r.status != 200 || r.json(t)["status"] == nil {
		t.Errorf("outbox: %d %s", r.status, r.body)
	}

	exp := c.do(t, "GET", "/api/export.csv", "", nil, c.admin())
	wantStatus(t, exp, 200)
	if !strings.HasPrefix(string(exp.body), "id,created_at,") {
		t.Errorf("export header: %.200s", exp.body)
	}
	rows, err := csv.NewReader(bytes.NewReader(exp.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	for _, w := range []struct{ id, now, outcome, stages string }{
		// Every fact by a person is an act on the lead (contacted); the
		// stage entries are the rules'.
		{a, "SAL", "", "MQL,contacted,contacted,SAL"}, {b, "MQL", "", "MQL,lost,contacted,MQL"}, {cc, "MQL", "won", "MQL,won"},
	} {
		r := byID[w.id]
		if r == nil {
			t.Errorf("lead %s is not in the export", w.id)
			continue
		}
		evs, err := report.DecodeEvents(report.UnescapeCell(r[col["events"]]))
		var stages []string
		for _, e := range evs {
			stages = append(stages, e.Stage)
		}
		if r[col["stage_now"]] != w.now || r[col["outcome"]] != w.outcome || err != nil || strings.Join(stages, ",") != w.stages {
			t.Errorf("lead %s exported as stage_now %q, outcome %q, events %v (%v); want %s, %q, %s",
				w.id, r[col["stage_now"]], r[col["outcome"]], stages, err, w.now, w.outcome, w.stages)
		}
	}
	leads, err := report.ReadCSV(bytes.NewReader(exp.body))
	if err != nil {
		t.Fatal(err)
	}
	if len(leads) != after.Totals.Leads {
		t.Errorf("the export has %d leads, the report %d", len(leads), after.Totals.Leads)
	}
}

// dashboard logs in to the admin dashboard as a browser would, without
// JavaScript: a cookie jar, redirects seen one at a time.
func (c *client) dashboard(t *testing.T) {
	r := c.submit(t, c.lead(), "k-"+c.unique())
	wantStatus(t, r, 201)
	id := r.json(t)["id"].(string)

	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path string, form url.Values) response {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, c.s.URL+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := b.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return response{resp.StatusCode, resp.Header, out}
	}
	has := func(r response, what ...string) {
		t.Helper()
		for _, s := range what {
			if !strings.Contains(string(r.body), s) {
				t.Errorf("the page (%d) lacks %q:\n%.2000s", r.status, s, r.body)
			}
		}
	}

	login := send("GET", "/admin", nil)
	wantStatus(t, login, 200)
	has(login, `<label for="token">Admin token</label>`, `type="password"`)
	for name, want := range map[string]string{"Cache-Control": "no-store", "X-Robots-Tag": "noindex",
		"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"} {
		if got := login.header.Get(name); !strings.Contains(got, want) {
			t.Errorf("%s is %q, want it to hold %q", name, got, want)
		}
	}
	wrong := send("POST", "/admin/login", url.Values{"token": {"not-" + c.s.AdminToken}})
	wantStatus(t, wrong, 401)
	if wrong.header.Get("Set-Cookie") != "" {
		t.Errorf("a wrong token got a cookie: %s", wrong.header.Get("Set-Cookie"))
	}
	ok := send("POST", "/admin/login", url.Values{"token": {c.s.AdminToken}, "next": {"/admin"}})
	wantStatus(t, ok, 303)
	cookie := ok.header.Get("Set-Cookie")
	if ok.header.Get("Location") != "/admin" || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") ||
		!strings.Contains(cookie, "Path=/admin") || strings.Contains(cookie, c.s.AdminToken) {
		t.Errorf("login: to %q with cookie %q", ok.header.Get("Location"), cookie)
	}
	overview := send("GET", "/admin", nil)
	wantStatus(t, overview, 200)
	has(overview, "Funnel overview", `<svg viewBox=`, "<title id=\"funnel-title\">", "<title id=\"trend-title\">", "/admin/leads/"+id)

	lead := send("GET", "/admin/leads/"+id, nil)
	wantStatus(t, lead, 200)
	has(lead, "Reasons", "content/scoring.yaml:", "stage MQL", "Timeline")

	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(overview.body))
	if m == nil {
		t.Fatal("the overview has no CSRF token")
	}
	wantStatus(t, send("POST", "/admin/webhooks/no-such-hook/retry", url.Values{}), 403)
	wantStatus(t, send("POST", "/admin/webhooks/no-such-hook/retry", url.Values{"csrf": {"forged"}}), 403)
	missing := send("POST", "/admin/webhooks/no-such-hook/retry", url.Values{"csrf": {m[1]}})
	wantStatus(t, missing, 303)
	if loc := missing.header.Get("Location"); !strings.HasPrefix(loc, "/admin?missing=no-such-hook") {
		t.Errorf("a retry of no webhook goes to %q", loc)
	}

	wantStatus(t, send("POST", "/admin/logout", url.Values{}), 403)
	out := send("POST", "/admin/logout", url.Values{"csrf": {m[1]}})
	wantStatus(t, out, 303)
	after := send("GET", "/admin", nil)
	wantStatus(t, after, 200)
	has(after, `type="password"`)
	if strings.Contains(string(after.body), "Funnel overview") {
		t.Error("the session goes on after logout")
	}
	// The server ended the session: its cookie, kept, opens nothing.
	value, _, _ := strings.Cut(cookie, ";")
	kept := c.do(t, "GET", "/admin", "", nil, map[string]string{"Cookie": value})
	wantStatus(t, kept, 200)
	if strings.Contains(string(kept.body), "Funnel overview") || !strings.Contains(string(kept.body), `type="password"`) {
		t.Error("the session's cookie opens the dashboard after logout")
	}
}

// modelCheck records outcomes on 40 leads of varied answers, half won,
// and opens the dashboard's model check: its figures count them, its
// patch is a diff of the content's scoring file, and a new outcome makes
// it count again (the check kept is keyed on the outcomes stored, not on
// the program's memory).
func (c *client) modelCheck(t *testing.T) {
	ip := "203.0.113.40" // its own client, clear of the suite's rate limits
	decide := func(i int, outcome string) {
		t.Helper()
		f := c.lead()
		f["company_size"] = []string{"1-10", "201-1000", "11-50", "1001-5000"}[i%4]
		f["request"] = []string{"question", "demo", "pricing"}[i%3]
		f["seniority"] = []string{"director", "individual", "vp"}[i/2%3]
		body, _ := json.Marshal(map[string]any{"fields": f, "idempotency_key": "k-" + c.unique()})
		r := c.do(t, "POST", "/api/leads", "application/json", body, from(ip, nil))
		wantStatus(t, r, 201)
		fact := map[string]string{"outcome": outcome, "actor": "jo@sales"}
		if outcome == "lost" {
			fact["reason"] = "no_budget"
		}
		wantStatus(t, c.postEvent(t, r.json(t)["id"].(string), fact, c.admin()), 201)
	}
	for i := range 40 {
		// Larger companies win more often, not always.
		outcome := "lost"
		if i%4 == 1 || i%4 == 3 {
			outcome = "won"
		}
		if i%10 == 3 {
			outcome = "lost"
		} else if i%10 == 6 {
			outcome = "won"
		}
		decide(i, outcome)
	}

	// Logging in answers 303 with the session's cookie, which a client
	// following the redirect would not send.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	login, err := noFollow.PostForm(c.s.URL+"/admin/login", url.Values{"token": {c.s.AdminToken}, "next": {"/admin/model"}})
	if err != nil {
		t.Fatal(err)
	}
	login.Body.Close()
	var session map[string]string
	for _, ck := range login.Cookies() {
		session = map[string]string{"Cookie": ck.Name + "=" + ck.Value}
	}
	if login.StatusCode != 303 || session == nil {
		t.Fatalf("logging in: %s, cookies %v", login.Status, login.Cookies())
	}
	leads := regexp.MustCompile(`(\d+) with an outcome, \d+ won`)
	open := func() (response, int) {
		t.Helper()
		p := c.do(t, "GET", "/admin/model", "", nil, session)
		wantStatus(t, p, 200)
		for _, want := range []string{"<h1>Model check</h1>", "ROC AUC of the score", "Held-out ROC AUC", "Top decile lift", "company-size"} {
			if !strings.Contains(string(p.body), want) {
				t.Errorf("the model check lacks %q:\n%.3000s", want, p.body)
			}
		}
		m := leads.FindSubmatch(p.body)
		if m == nil {
			t.Fatalf("the model check counts no leads:\n%.3000s", p.body)
		}
		n, _ := strconv.Atoi(string(m[1]))
		return p, n
	}
	page, n := open()
	if n < 40 {
		t.Errorf("the model check counts %d leads with an outcome, want 40 or more", n)
	}
	if !strings.Contains(string(page.body), `href="/admin/model.patch"`) {
		t.Errorf("the model check offers no patch:\n%.3000s", page.body)
	}
	patch := c.do(t, "GET", "/admin/model.patch", "", nil, session)
	wantStatus(t, patch, 200)
	if ct := patch.header.Get("Content-Type"); ct != "text/x-diff; charset=utf-8" {
		t.Errorf("the patch is of type %q", ct)
	}
	for _, want := range []string{fmt.Sprintf("to the outcomes of %d leads", n), "--- a/content/scoring.yaml\n+++ b/content/scoring.yaml\n", "\n@@ -"} {
		if !strings.Contains(string(patch.body), want) {
			t.Errorf("the patch lacks %q:\n%.2000s", want, patch.body)
		}
	}

	decide(40, "won")
	if _, again := open(); again != n+1 {
		t.Errorf("after one more outcome the model check counts %d leads, want %d", again, n+1)
	}
}

// find returns the first of xs that matches; it fails the test if none does.
func find[T any](t *testing.T, xs []T, match func(T) bool) T {
	t.Helper()
	for _, x := range xs {
		if match(x) {
			return x
		}
	}
	var zero T
	t.Fatalf("no %T matches among %d", zero, len(xs))
	return zero
}
