package worker_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
)

// call sends a request straight to the fixture's handler, as if from the
// address remote ("host:port").
func (f *fixture) call(t *testing.T, method, path, remote string, header map[string]string, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = remote
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// submitFrom posts a lead as JSON from the address remote.
func (f *fixture) submitFrom(t *testing.T, remote, key string, fields map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"fields": fields, "idempotency_key": key})
	return f.call(t, "POST", "/api/leads", remote, map[string]string{"Content-Type": "application/json"}, string(body))
}

// errorFields returns the fields an error answer names, with their codes.
func errorFields(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var e struct {
		Errors []struct{ Field, Code, Message string }
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an error answer: %v\n%s", err, body)
	}
	out := map[string]string{}
	for _, fe := range e.Errors {
		out[fe.Field] = fe.Code
	}
	return out
}

// Wrong bearer tokens count against the client's address, with the
// login form's: past the limit even the right token gets 429 until the
// window ends, and other addresses are not held back.
func TestBearerThrottle(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Limits.LoginFailures = 3; c.Limits.Window = 10 * time.Minute })
	bearer := func(remote, token string) *httptest.ResponseRecorder {
		return f.call(t, "GET", "/api/outbox", remote, map[string]string{"Authorization": "Bearer " + token}, "")
	}
	if got, want := bearer("192.0.2.1:1000", "tok").Code, 200; got != want {
		t.Fatalf("the right token: %d, want %d", got, want)
	}
	for i := range 3 {
		if got, want := bearer("192.0.2.1:1000", "guess"+strconv.Itoa(i)).Code, 401; got != want {
			t.Fatalf("guess %d: %d, want %d", i, got, want)
		}
	}
	r := bearer("192.0.2.1:1001", "tok")
	if got, want := r.Code, 429; got != want {
		t.Fatalf("the right token past the limit: %d, want %d: %s", got, want, r.Body)
	}
	if got, want := r.Header().Get("Retry-After"), "600"; got != want {
		t.Errorf("Retry-After %q, want %q", got, want)
	}
	if got, want := errorCode(t, r.Body.Bytes()), "rate_limited"; got != want {
		t.Errorf("code %q, want %q", got, want)
	}
	// An event posted with the token and the login form are held back too.
	ev := f.call(t, "POST", "/api/leads/x/events", "192.0.2.1:1002",
		map[string]string{"Authorization": "Bearer tok", "Content-Type": "application/json"}, `{"signal":"sales_accepted","actor":"jo"}`)
	if got, want := ev.Code, 429; got != want {
		t.Errorf("an event with the right token past the limit: %d, want %d", got, want)
	}
	login := f.call(t, "POST", "/admin/login", "192.0.2.1:1003", map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		url.Values{"token": {"tok"}}.Encode())
	if got, want := login.Code, 429; got != want {
		t.Errorf("the login form past the limit: %d, want %d", got, want)
	}
	if got, want := bearer("192.0.2.2:1000", "tok").Code, 200; got != want {
		t.Errorf("another address: %d, want %d", got, want)
	}
	f.clock.Advance(10 * time.Minute)
	if got, want := bearer("192.0.2.1:1000", "tok").Code, 200; got != want {
		t.Errorf("after the window: %d, want %d", got, want)
	}
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct{ Code string }
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an error answer: %v\n%s", err, body)
	}
	return e.Code
}

// Callbacks with a wrong signature count against the client's address:
// past the limit even a well-signed one gets 429 until the window ends.
func TestCallbackThrottle(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) {
		c.CallbackSecret = "cb"
		c.Limits.LoginFailures = 2
		c.Limits.Window = 10 * time.Minute
	})
	id := f.submit(t, "key-00000401", ana())["id"].(string)
	callback := func(remote, secret string) *httptest.ResponseRecorder {
		body := `{"stage":"contacted","actor":"crm"}`
		ts := strconv.FormatInt(f.clock.Now().Unix(), 10)
		return f.call(t, "POST", "/api/leads/"+id+"/events", remote, map[string]string{"Content-Type": "application/json",
			"Winnow-Timestamp": ts, "Winnow-Signature": "v1=" + crm.Sign(secret, ts, []byte(body))}, body)
	}
	for i := range 2 {
		if got, want := callback("198.51.100.1:1", "guess").Code, 401; got != want {
			t.Fatalf("forgery %d: %d, want %d", i, got, want)
		}
	}
	r := callback("198.51.100.1:1", "cb")
	if got, want := r.Code, 429; got != want {
		t.Fatalf("a signed callback past the limit: %d, want %d: %s", got, want, r.Body)
	}
	if r.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if got, want := callback("198.51.100.2:1", "cb").Code, 201; got != want {
		t.Errorf("another address: %d, want %d", got, want)
	}
	f.clock.Advance(10 * time.Minute)
	if got, want := callback("198.51.100.1:1", "cb").Code, 201; got != want {
		t.Errorf("after the window: %d, want %d", got, want)
	}
}

// An event's idempotency key replays the first event as it was stored;
// the same key with another body is a conflict, and nothing is stored.
func TestEventIdempotencyKey(t *testing.T) {
	f := newFixture(t, nil, nil)
	id := f.submit(t, "key-00000501", ana())["id"].(string)
	send := func(body string) *httptest.ResponseRecorder {
		return f.call(t, "POST", "/api/leads/"+id+"/events", "192.0.2.1:1", map[string]string{"Authorization": "Bearer tok",
			"Content-Type": "application/json", "Idempotency-Key": "event-key-1"}, body)
	}
	const body = `{"signal":"sales_accepted","actor":"jo","note":"called back"}`
	first := send(body)
	if got, want := first.Code, 201; got != want {
		t.Fatalf("first: %d, want %d: %s", got, want, first.Body)
	}
	f.clock.Advance(time.Minute)
	again := send(body)
	if got, want := again.Code, 200; got != want {
		t.Fatalf("replay: %d, want %d: %s", got, want, again.Body)
	}
	if got, want := again.Header().Get("Idempotent-Replayed"), "true"; got != want {
		t.Errorf("Idempotent-Replayed %q, want %q", got, want)
	}
	if got, want := again.Body.String(), first.Body.String(); got != want {
		t.Errorf("replay answered %s, want the first answer %s", got, want)
	}
	for _, other := range []string{
		`{"signal":"sales_accepted","actor":"jo","note":"another note"}`,
		`{"outcome":"lost","reason":"no_budget","actor":"jo","note":"called back"}`,
		`{"signal":"sales_accepted","actor":"kim","note":"called back"}`,
		`{"signal":"sales_accepted","actor":"jo","note":"called back","at":"2026-03-02T09:00:30Z"}`,
	} {
		r := send(other)
		if got, want := r.Code, 409; got != want {
			t.Errorf("%s under the same key: %d, want %d: %s", other, got, want, r.Body)
			continue
		}
		if got, want := errorFields(t, r.Body.Bytes())["idempotency_key"], "reused"; got != want {
			t.Errorf("%s: idempotency_key error %q, want %q", other, got, want)
		}
	}
	_, raw := f.get(t, "/api/leads/"+id)
	var lead struct {
		Events []struct{ Kind, Note string }
	}
	json.Unmarshal(raw, &lead)
	var signals []string
	for _, e := range lead.Events {
		if e.Kind == "signal" {
			signals = append(signals, e.Note)
		}
	}
	if got, want := strings.Join(signals, "|"), "called back"; got != want {
		t.Errorf("signals stored with the notes %q, want one: %q", got, want)
	}
}

// A path holding NUL is no page: 404 on every route, before anything
// else is looked at.
func TestNULPath(t *testing.T) {
	f := newFixture(t, nil, nil)
	b := newAdminBrowser(t, f.srv.URL)
	b.login(t, "tok")
	token := csrf(t, b.get(t, "/admin"))
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/leads/%00"},
		{"GET", "/api/leads/a%00b"},
		{"POST", "/api/leads/%00/events"},
		{"POST", "/api/outbox/%00/retry"},
		{"GET", "/admin/leads/%00"},
		{"POST", "/admin/webhooks/%00/retry"},
	} {
		var p page
		if strings.HasPrefix(c.path, "/admin/") {
			p = b.post(t, c.path, url.Values{"csrf": {token}})
			if c.method == "GET" {
				p = b.get(t, c.path)
			}
		} else {
			p = b.do(t, c.method, c.path, nil, map[string]string{"Authorization": "Bearer tok"})
			if c.method == "POST" {
				p = page{}
				status, body := f.request(t, c.method, c.path, []byte(`{"signal":"sales_accepted","actor":"jo"}`))
				p.status, p.body = status, string(body)
			}
		}
		if got, want := p.status, 404; got != want {
			t.Errorf("%s %s: %d, want %d:\n%.300s", c.method, c.path, got, want, p.body)
		}
		// Without a session or a token, the answer is the same.
		anon := f.call(t, c.method, c.path, "192.0.2.9:1", nil, "")
		if got, want := anon.Code, 404; got != want {
			t.Errorf("%s %s without credentials: %d, want %d", c.method, c.path, got, want)
		}
	}
}

// A submission may answer only the questions the model asks: any other
// name is refused with 422 and stores nothing; the names the plain form
// itself posts are not answers.
func TestUnknownFields(t *testing.T) {
	f := newFixture(t, nil, nil)
	for name, extra := range map[string]map[string]string{
		"an answer": {"admin": "yes"},
		"no answer": {"gclid": ""},
		"two":       {"is_admin": "1", "role_override": "x"},
	} {
		fields := ana()
		for k, v := range extra {
			fields[k] = v
		}
		r := f.submitFrom(t, "192.0.2.1:1", "key-unknown-1", fields)
		if got, want := r.Code, 422; got != want {
			t.Errorf("%s: %d, want %d: %s", name, got, want, r.Body)
			continue
		}
		var e struct {
			Errors []struct{ Field, Code, Message string }
		}
		json.Unmarshal(r.Body.Bytes(), &e)
		var named []string
		for _, fe := range e.Errors {
			if fe.Code != "unknown" || !strings.Contains(fe.Message, "the model asks no such question") {
				t.Errorf("%s: error %+v", name, fe)
			}
			named = append(named, fe.Field)
		}
		var want []string
		for k := range extra {
			want = append(want, k)
		}
		slices.Sort(want)
		if got, want := strings.Join(named, ","), strings.Join(want, ","); got != want {
			t.Errorf("%s: errors name %s, want %s", name, got, want)
		}
	}
	// Nothing was stored under the key.
	if got, want := f.submitFrom(t, "192.0.2.1:1", "key-unknown-1", ana()).Code, 201; got != want {
		t.Errorf("the key after refusals: %d, want %d", got, want)
	}

	form := url.Values{"model": {"v1"}, "idempotency_key": {"key-unknown-2"}}
	for k, v := range ana() {
		form.Set(k, v)
	}
	form.Set("email", "bo@northwind.io")
	post := func(v url.Values) *httptest.ResponseRecorder {
		return f.call(t, "POST", "/api/leads", "192.0.2.1:1", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, v.Encode())
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("coupon", "spring")
	r := post(bad)
	if got, want := r.Code, 422; got != want {
		t.Errorf("a form post with an unknown name: %d, want %d", got, want)
	}
	if !strings.Contains(r.Body.String(), "coupon") {
		t.Errorf("the error page does not name the field:\n%s", r.Body)
	}
	if got, want := post(form).Code, 201; got != want {
		t.Errorf("the form's own names: %d, want %d: %s", got, want, r.Body)
	}
}

// A robot that fills the honeypot is answered as the same answers without
// it are: nothing tells it it was caught. What is stored is the truth.
func TestHoneypotAnswer(t *testing.T) {
	f := newFixture(t, nil, nil)
	cold := ana()
	cold["company_size"], cold["industry"], cold["seniority"] = "11-50", "other", "manager"
	trap := ana()
	for k, v := range cold {
		trap[k] = v
	}
	trap["website"] = "http://spam.example"

	answer := func(key string, fields map[string]string) (map[string]any, *httptest.ResponseRecorder) {
		r := f.submitFrom(t, "192.0.2.1:1", key, fields)
		var a map[string]any
		if err := json.Unmarshal(r.Body.Bytes(), &a); err != nil {
			t.Fatalf("%d %s", r.Code, r.Body)
		}
		return a, r
	}
	real, realResp := answer("key-honeypot-1", cold)
	if got, want := real["stage"], "cold lead"; got != want {
		t.Fatalf("the ordinary lead is %v, want %v", got, want)
	}
	robot, robotResp := answer("key-honeypot-2", trap)
	if got, want := robotResp.Code, realResp.Code; got != want {
		t.Errorf("status %d, want %d", got, want)
	}
	for _, h := range []string{"Content-Type", "Cache-Control", "Idempotent-Replayed", "Retry-After"} {
		if got, want := robotResp.Header().Get(h), realResp.Header().Get(h); got != want {
			t.Errorf("%s %q, want %q", h, got, want)
		}
	}
	robotID := robot["id"].(string)
	delete(real, "id")
	delete(robot, "id")
	rj, _ := json.Marshal(real)
	bj, _ := json.Marshal(robot)
	if got, want := string(bj), string(rj); got != want {
		t.Errorf("the robot was answered\n%s\nwant\n%s", got, want)
	}
	// A replay gets the same answer.
	again, _ := answer("key-honeypot-2", trap)
	delete(again, "id")
	if aj, _ := json.Marshal(again); string(aj) != string(rj) {
		t.Errorf("a replay of the robot's submission was answered %s", aj)
	}
	_, raw := f.get(t, "/api/leads/"+robotID)
	var stored struct {
		Spam    bool
		Verdict struct{ Stage string }
	}
	json.Unmarshal(raw, &stored)
	if !stored.Spam || stored.Verdict.Stage != "bad lead" {
		t.Errorf("stored as spam %v, stage %q; want spam, bad lead", stored.Spam, stored.Verdict.Stage)
	}

	// The plain form's next-step page is the same, apart from the reference.
	page := func(key string, fields map[string]string) (int, string) {
		v := url.Values{"idempotency_key": {key}}
		for k, s := range fields {
			v.Set(k, s)
		}
		r := f.call(t, "POST", "/api/leads", "192.0.2.1:1", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, v.Encode())
		_, after, _ := strings.Cut(r.Body.String(), "Reference: <code>")
		id, _, _ := strings.Cut(after, "</code>")
		return r.Code, strings.ReplaceAll(r.Body.String(), id, "ID")
	}
	rs, rp := page("key-honeypot-3", cold)
	bs, bp := page("key-honeypot-4", trap)
	if rs != bs || rp != bp {
		t.Errorf("the robot's page (%d):\n%s\nthe visitor's (%d):\n%s", bs, bp, rs, rp)
	}
}

// legacyHash is how body hashes were made before they were keyed: plain
// SHA-256 of the sorted answers.
func legacyHash(in map[string]string) string {
	var keys []string
	for k := range in {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		io.WriteString(h, strconv.Quote(k)+"="+strconv.Quote(in[k])+"\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Body hashes are keyed, so that they reveal nothing of the answers, and
// purging a lead clears its body hash, the key a plain form made of it,
// and the notes of its events.
func TestPurgeClearsHashesAndNotes(t *testing.T) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer recv.Close()
	f := newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: recv.URL, Secret: "x"}}, nil)
	api := f.submit(t, "key-00000601", ana())["id"].(string)
	f.postEvent(t, api, map[string]string{"signal": "sales_accepted", "actor": "jo", "note": "Ana asked us to call +49 30 1234567"})
	fields := ana()
	fields["email"] = "bo@northwind.io"
	v := url.Values{}
	for k, s := range fields {
		v.Set(k, s)
	}
	if r := f.call(t, "POST", "/api/leads", "192.0.2.1:1", map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		v.Encode()); r.Code != 201 {
		t.Fatalf("form post: %d %s", r.Code, r.Body)
	}
	var form, hash, key string
	if err := f.db.QueryRow(`SELECT id, body_hash, idem_key FROM leads WHERE source = 'form'`).Scan(&form, &hash, &key); err != nil {
		t.Fatal(err)
	}
	if hash == legacyHash(fields) || strings.Contains(key, legacyHash(fields)[:40]) {
		t.Errorf("the body hash %s (key %s) is the plain SHA-256 of the answers", hash, key)
	}

	f.clock.Advance(740 * 24 * time.Hour)
	f.postEvent(t, form, map[string]string{"outcome": "lost", "reason": "no_decision", "actor": "jo", "note": "Bo moved to Acme"})
	// Created twice, accepted, lost, and Bo's form points decayed away
	// over the two years: five webhooks.
	if d, err := f.h.Deliver(t.Context()); err != nil || d.Delivered != 5 {
		t.Fatalf("deliver: %+v %v", d, err)
	}
	if n, err := f.h.Purge(t.Context()); err != nil || n != 2 {
		t.Fatalf("purge: %d %v", n, err)
	}
	var hooks int
	if err := f.db.QueryRow(`SELECT count(*) FROM outbox WHERE payload != '{}'`).Scan(&hooks); err != nil {
		t.Fatal(err)
	}
	if got, want := hooks, 0; got != want {
		t.Errorf("%d webhooks keep their payload after purge, want %d", got, want)
	}
	for _, id := range []string{api, form} {
		if err := f.db.QueryRow(`SELECT body_hash, idem_key FROM leads WHERE id = ?`, id).Scan(&hash, &key); err != nil {
			t.Fatal(err)
		}
		if got, want := hash, ""; got != want {
			t.Errorf("lead %s: body_hash %q after purge, want %q", id, got, want)
		}
		if got, want := key, "purged:"+id; got != want {
			t.Errorf("lead %s: idem_key %q after purge, want %q", id, got, want)
		}
	}
	var notes int
	if err := f.db.QueryRow(`SELECT count(*) FROM events WHERE note != ''`).Scan(&notes); err != nil {
		t.Fatal(err)
	}
	if got, want := notes, 0; got != want {
		t.Errorf("%d events keep a note after purge, want %d", got, want)
	}
	// The events themselves stay for the reports.
	_, raw := f.get(t, "/api/leads/"+api)
	if !strings.Contains(string(raw), `"stage":"SAL"`) {
		t.Errorf("a purged lead lost its events: %s", raw)
	}
}

// Rate limits count an IPv6 client by its /64 and an IPv4 client by its
// address, IPv4-mapped IPv6 included.
func TestRateLimitClientNetworks(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) { c.Limits.PerIP = 1 })
	n := 0
	submit := func(remote string) int {
		n++
		fields := ana()
		fields["email"] = "ana" + strconv.Itoa(n) + "@northwind.io"
		return f.submitFrom(t, remote, "key-network-"+strconv.Itoa(n), fields).Code
	}
	for _, c := range []struct {
		remote string
		want   int
	}{
		{"[2001:db8:1:2::1]:1000", 201},
		{"[2001:db8:1:2:ffff:ffff:ffff:fffe]:1000", 429}, // the same /64
		{"[2001:db8:1:3::1]:1000", 201},                  // the next one
		{"192.0.2.1:1000", 201},
		{"[::ffff:192.0.2.1]:1000", 429}, // the same IPv4 address
		{"192.0.2.2:1000", 201},
	} {
		if got := submit(c.remote); got != c.want {
			t.Errorf("from %s: %d, want %d", c.remote, got, c.want)
		}
	}
}

// Behind trusted proxies the client is the rightmost address of
// X-Forwarded-For that is not a proxy; from anywhere else the header is
// ignored.
func TestTrustedProxies(t *testing.T) {
	f := newFixture(t, nil, func(c *worker.Config) {
		c.Limits.PerIP = 1
		if err := c.FromEnv(func(k string) string {
			return map[string]string{"WINNOW_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8:ffff::/48"}[k]
		}); err != nil {
			t.Fatal(err)
		}
	})
	n := 0
	submit := func(remote, xff string) int {
		n++
		fields := ana()
		fields["email"] = "ana" + strconv.Itoa(n) + "@northwind.io"
		body, _ := json.Marshal(map[string]any{"fields": fields, "idempotency_key": "key-proxy-" + strconv.Itoa(n)})
		h := map[string]string{"Content-Type": "application/json"}
		if xff != "" {
			h["X-Forwarded-For"] = xff
		}
		return f.call(t, "POST", "/api/leads", remote, h, string(body)).Code
	}
	for _, c := range []struct {
		remote, xff string
		want        int
	}{
		{"10.0.0.1:1", "198.51.100.7", 201},
		{"10.0.0.1:1", "198.51.100.8", 201},              // another client of the same proxy
		{"10.0.0.3:1", "198.51.100.7, 10.0.0.2", 429},    // through two proxies
		{"10.0.0.1:1", "203.0.113.5, 198.51.100.7", 429}, // what the client wrote is not believed
		{"[2001:db8:ffff::1]:1", "198.51.100.9", 201},
		{"10.0.0.1:1", "", 201},                  // the proxy itself
		{"10.0.0.1:1", "garbage, 10.0.0.9", 201}, // not an address: the last proxy
		{"10.0.0.1:1", "10.0.0.9", 429},
		{"192.0.2.50:1", "198.51.100.10", 201}, // not a proxy: the header is ignored
		{"192.0.2.50:1", "198.51.100.11", 429},
	} {
		if got := submit(c.remote, c.xff); got != c.want {
			t.Errorf("from %s, X-Forwarded-For %q: %d, want %d", c.remote, c.xff, got, c.want)
		}
	}
}

// WINNOW_TRUSTED_PROXIES takes CIDR prefixes and addresses, and says
// which entry is wrong.
func TestTrustedProxiesFromEnv(t *testing.T) {
	var c worker.Config
	if err := c.FromEnv(func(k string) string {
		return map[string]string{"WINNOW_TRUSTED_PROXIES": " 10.0.0.0/8,192.0.2.7, ::1 "}[k]
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if got, want := strings.Join(got, " "), "10.0.0.0/8 192.0.2.7/32 ::1/128"; got != want {
		t.Errorf("prefixes %s, want %s", got, want)
	}
	err := c.FromEnv(func(k string) string { return map[string]string{"WINNOW_TRUSTED_PROXIES": "10.0.0.0/8,10.0.0.0/33"}[k] })
	if err == nil || !strings.Contains(err.Error(), `WINNOW_TRUSTED_PROXIES: "10.0.0.0/33"`) {
		t.Errorf("a bad prefix: %v", err)
	}
}

// sessions counts the stored dashboard sessions.
func (f *fixture) sessions(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Logging out revokes the session on the server: its cookie, kept or
// copied, opens nothing; an expired session is deleted by Purge.
func TestDashboardLogoutRevokes(t *testing.T) {
	f := newFixture(t, nil, nil)
	b := newAdminBrowser(t, f.srv.URL)
	login := b.login(t, "tok")
	if got, want := len(login.resp.Cookies()), 1; got != want {
		t.Fatalf("%d cookies, want %d", got, want)
	}
	value := login.resp.Cookies()[0].Value
	if got, want := f.sessions(t), 1; got != want {
		t.Errorf("%d stored sessions, want %d", got, want)
	}
	open := func(value string) bool {
		req, _ := http.NewRequest("GET", f.srv.URL+"/admin", nil)
		req.AddCookie(&http.Cookie{Name: "winnow_admin", Value: value})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return loggedIn(page{body: string(body)})
	}
	if !open(value) {
		t.Fatal("the cookie does not open the dashboard")
	}
	for _, forged := range []string{strings.Repeat("A", len(value)), value[:len(value)-1] + "x", value + "A"} {
		if open(forged) {
			t.Errorf("a forged cookie %q opens the dashboard", forged)
		}
	}
	out := b.post(t, "/admin/logout", url.Values{"csrf": {csrf(t, b.get(t, "/admin"))}})
	if got, want := out.status, 303; got != want {
		t.Fatalf("logout: %d, want %d", got, want)
	}
	if open(value) {
		t.Error("the cookie opens the dashboard after logout")
	}
	f.clock.Advance(12*time.Hour + time.Second)
	if _, err := f.h.Purge(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := f.sessions(t), 0; got != want {
		t.Errorf("%d sessions after purge, want %d", got, want)
	}
}

// The dashboard's logins hold against the usual attacks: a cookie planted
// before login is not the session login starts (fixation); logins and
// login links posted from another site are refused (login CSRF); a
// disabled person's links die with it; no page shows a password's hash;
// behind Access, Access's cookie serves as well as its header, and a
// token for another application in the header is not saved by a good
// cookie.
func TestAccountsSecurity(t *testing.T) {
	f := newFixture(t, nil, nil)
	admin, tok := f.admin(t)
	person := addPerson(t, admin, tok, "jo@example.com", "sales")

	// Fixation: the planted id is no session, and login makes its own.
	planted := strings.Repeat("P", 43)
	b := newAdminBrowser(t, f.srv.URL)
	u, _ := url.Parse(f.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "winnow_admin", Value: planted, Path: "/admin"}})
	if loggedIn(b.get(t, "/admin")) {
		t.Fatal("a planted cookie opens the dashboard")
	}
	in := b.login(t, "tok")
	if c := in.resp.Cookies(); len(c) != 1 || c[0].Value == planted {
		t.Errorf("login kept the planted session id: %v", c)
	}

	// Login CSRF: another site's form posts log nobody in.
	link := makeLink(t, admin, tok, person)
	evil := map[string]string{"Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"}
	for path, form := range map[string]url.Values{"/admin/login": {"token": {"tok"}}, "/admin/link": {"token": {link}}} {
		p := newAdminBrowser(t, f.srv.URL).do(t, "POST", path, form, evil)
		if p.status != 403 || len(p.resp.Cookies()) != 0 {
			t.Errorf("POST %s from another site: %d, cookies %v", path, p.status, p.resp.Cookies())
		}
	}

	// A disabled person's links die with it, even once enabled again.
	admin.post(t, person, url.Values{"csrf": {tok}, "action": {"disable"}})
	admin.post(t, person, url.Values{"csrf": {tok}, "action": {"enable"}})
	if _, p := linkLogin(t, f, link); p.status != 404 {
		t.Errorf("a link made before its person was disabled: %d", p.status)
	}

	// No page shows a password's hash.
	jo, _ := linkLogin(t, f, makeLink(t, admin, tok, person))
	jo.post(t, "/admin/account/password", url.Values{"csrf": {csrf(t, jo.get(t, "/admin/account"))}, "password": {"correct horse battery"}})
	for _, p := range []page{admin.get(t, "/admin/people"), admin.get(t, person), jo.get(t, "/admin/account")} {
		if strings.Contains(p.body, "pbkdf2") {
			t.Errorf("a page shows a password's hash:\n%s", p.body)
		}
	}

	// Behind Access: the cookie serves; a bad header is not saved by it.
	g, team := accessFixture(t, "viewer")
	good := team.Sign(team.Claims("cy@acme.example", g.clock.Now()))
	c := newAdminBrowser(t, g.srv.URL)
	gu, _ := url.Parse(g.srv.URL)
	c.c.Jar.SetCookies(gu, []*http.Cookie{{Name: "CF_Authorization", Value: good, Path: "/"}})
	wantPage(t, c.get(t, "/admin"), 200, `<span class="vh">Signed in as </span>cy@acme.example</a>`)
	other := team.Sign(withClaim(team.Claims("cy@acme.example", g.clock.Now()), "aud", "another-application-0123456789"))
	wantPage(t, c.do(t, "GET", "/admin", nil, map[string]string{"Cf-Access-Jwt-Assertion": other}), 403, "another Access application")
}
