// Package blackbox is one HTTP test suite for the edge handler, run
// against every runtime it has: natively (httptest over SQLite) and in
// workerd (wrangler dev over a local D1). It knows the server only by its
// URL, its environment and a way to run the delivery job.
package blackbox

import (
	"crypto/hmac"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker"
)

// Server is a running server under test.
type Server struct {
	URL        string // base URL, e.g. http://127.0.0.1:8787
	AdminToken string
	// Deliver runs one delivery of due webhooks (natively Handler.Deliver,
	// at the edge the scheduled handler).
	Deliver func(t *testing.T)
	// Receiver is the fake webhook target the server was started with.
	Receiver *Receiver
}

// Secrets the servers under test are started with.
const (
	AdminToken    = "test-admin-token-0123456789"
	WebhookSecret = "test-webhook-secret"
	HashSecret    = "test-hash-secret"
)

// Env is the environment a server under test is started with: the admin
// token, the webhook target rec, and rate limits the suite can reach.
func Env(rec *Receiver) map[string]string {
	return map[string]string{
		"WINNOW_ADMIN_TOKEN":      AdminToken,
		"WINNOW_SECRET":           HashSecret,
		"WINNOW_CALLBACK_SECRET":  WebhookSecret,
		"WINNOW_WEBHOOK_URL":      rec.URL,
		"WINNOW_WEBHOOK_SECRET":   WebhookSecret,
		"WINNOW_RATE_PER_IP":      "1000",
		"WINNOW_RATE_PER_EMAIL":   "3",
		"WINNOW_RATE_WINDOW":      "10m",
		"WINNOW_WEBHOOK_ATTEMPTS": "3",
		// Natively the suite's requests come from loopback, where it may
		// say which client sent them (X-Forwarded-For); at the edge,
		// CF-Connecting-IP says so.
		"WINNOW_TRUSTED_PROXIES": "127.0.0.1,::1",
	}
}

// Receiver is a webhook receiver on 127.0.0.1 that checks signatures,
// deduplicates by event id, and fails on demand.
type Receiver struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	calls    int
	bad      int            // calls with a wrong signature
	events   map[string]int // event id -> deliveries
	bodies   map[string][]byte
	failNext int         // answer 503 to this many calls
	failRate func() bool // answer 503 when it returns true
}

// NewReceiver starts a receiver; it stops with the test.
func NewReceiver(t testing.TB) *Receiver {
	r := &Receiver{events: map[string]int{}, bodies: map[string][]byte{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(r.serve)}}
	r.srv.Start()
	r.URL = r.srv.URL + "/hook"
	t.Cleanup(r.srv.Close)
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.failNext > 0 {
		r.failNext--
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	if r.failRate != nil && r.failRate() {
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	ts, sig := req.Header.Get("Winnow-Timestamp"), req.Header.Get("Winnow-Signature")
	want := "v1=" + worker.Sign(WebhookSecret, ts, body)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if sec, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		r.bad++
		http.Error(w, "stale", http.StatusUnauthorized)
		return
	}
	id := req.Header.Get("Winnow-Event-Id")
	r.events[id]++
	r.bodies[id] = body
	w.WriteHeader(http.StatusNoContent)
}

// FailNext makes the next n calls fail with 503.
func (r *Receiver) FailNext(n int) {
	r.mu.Lock()
	r.failNext = n
	r.mu.Unlock()
}

// FailWhen makes a call fail with 503 whenever f returns true.
func (r *Receiver) FailWhen(f func() bool) {
	r.mu.Lock()
	r.failRate = f
	r.mu.Unlock()
}

// Events returns how many times each event id was delivered.
func (r *Receiver) Events() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.events))
	for k, v := range r.events {
		out[k] = v
	}
	return out
}

// Deliveries counts the deliveries of the events of one lead.
func (r *Receiver) Deliveries(lead string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for id, body := range r.bodies {
		var p struct{ Lead struct{ ID string } }
		if json.Unmarshal(body, &p) == nil && p.Lead.ID == lead {
			n += r.events[id]
		}
	}
	return n
}

// Body returns the last body delivered for an event id, decoded.
func (r *Receiver) Body(id string) map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var m map[string]any
	json.Unmarshal(r.bodies[id], &m)
	return m
}

// BadSignatures counts calls whose signature did not verify.
func (r *Receiver) BadSignatures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bad
}
