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

	"github.com/winnowhq/winnow/worker/crm"
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
	// HubSpot is the stand-in for HubSpot's API the server was started
	// with; Direct is the URL the server itself is reached at, which
	// HubSpot's signatures cover (the suite may reach it through a proxy).
	HubSpot *HubSpot
	Direct  string
	// Scheduled runs the scheduled work as of instant at (natively
	// Handler.Scheduled, at the edge the cron trigger with its time set).
	Scheduled func(t *testing.T, at time.Time)
}

// Secrets the servers under test are started with.
const (
	AdminToken    = "test-admin-token-0123456789"
	WebhookSecret = "test-webhook-secret"
	HashSecret    = "test-hash-secret"
	HubSpotToken  = "pat-test-hubspot-token"
	HubSpotSecret = "test-hubspot-client-secret"
)

// Env is the environment a server under test is started with: the admin
// token, the webhook target rec, HubSpot's stand-in hs, and rate limits
// the suite can reach.
func Env(rec *Receiver, hs *HubSpot) map[string]string {
	return map[string]string{
		"WINNOW_HUBSPOT_TOKEN":    HubSpotToken,
		"WINNOW_HUBSPOT_URL":      hs.URL + "/crm/v3/objects/contacts/batch/upsert",
		"WINNOW_HUBSPOT_SECRET":   HubSpotSecret,
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
	failNext int           // answer 503 to this many calls
	failRate func() bool   // answer 503 when it returns true
	offset   time.Duration // the sender's clock is this far ahead
}

// ClockOffset tells the receiver the sender's clock is this far ahead of
// its own (WINNOW_CLOCK_OFFSET), for its check of the timestamp.
func (r *Receiver) ClockOffset(d time.Duration) {
	r.mu.Lock()
	r.offset = d
	r.mu.Unlock()
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
	want := "v1=" + crm.Sign(WebhookSecret, ts, body)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if sec, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.Unix(sec, 0).Add(-r.offset)).Abs() > 5*time.Minute {
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

// HubSpot stands in for HubSpot's CRM API on 127.0.0.1: the contacts
// batch upsert (each email gets a contact id; properties accumulate) and
// the contacts of a deal. It checks the private app token.
type HubSpot struct {
	URL string

	mu       sync.Mutex
	contacts map[string]*Contact // by email
	deals    map[string][]int64  // deal id -> contact ids
	upserts  int
	badToken int
}

// Contact is a contact as the stand-in holds it.
type Contact struct {
	ID    int64
	Props map[string]string
}

// NewHubSpot starts the stand-in; it stops with the test.
func NewHubSpot(t testing.TB) *HubSpot {
	hs := &HubSpot{contacts: map[string]*Contact{}, deals: map[string][]int64{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /crm/v3/objects/contacts/batch/upsert", hs.upsert)
	mux.HandleFunc("GET /crm/v4/objects/deals/{id}/associations/contacts", hs.dealContacts)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: hs.auth(mux)}}
	srv.Start()
	hs.URL = srv.URL
	t.Cleanup(srv.Close)
	return hs
}

func (hs *HubSpot) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+HubSpotToken {
			hs.mu.Lock()
			hs.badToken++
			hs.mu.Unlock()
			http.Error(w, `{"status":"error","category":"INVALID_AUTHENTICATION"}`, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (hs *HubSpot) upsert(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Inputs []struct {
			IDProperty string            `json:"idProperty"`
			ID         string            `json:"id"`
			Properties map[string]string `json:"properties"`
		} `json:"inputs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Inputs) == 0 {
		http.Error(w, `{"status":"error","category":"VALIDATION_ERROR"}`, http.StatusBadRequest)
		return
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	type result struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
	}
	var out struct {
		Status  string   `json:"status"`
		Results []result `json:"results"`
	}
	out.Status = "COMPLETE"
	for _, x := range in.Inputs {
		if x.IDProperty != "email" || x.ID == "" {
			http.Error(w, `{"status":"error","category":"VALIDATION_ERROR"}`, http.StatusBadRequest)
			return
		}
		c := hs.contacts[x.ID]
		if c == nil {
			c = &Contact{ID: int64(1000 + len(hs.contacts)), Props: map[string]string{}}
			hs.contacts[x.ID] = c
		}
		for k, v := range x.Properties {
			c.Props[k] = v
		}
		hs.upserts++
		out.Results = append(out.Results, result{ID: strconv.FormatInt(c.ID, 10), Properties: c.Props})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (hs *HubSpot) dealContacts(w http.ResponseWriter, r *http.Request) {
	hs.mu.Lock()
	ids, ok := hs.deals[r.PathValue("id")]
	hs.mu.Unlock()
	if !ok {
		http.Error(w, `{"status":"error","category":"OBJECT_NOT_FOUND"}`, http.StatusNotFound)
		return
	}
	type assoc struct {
		ToObjectID int64 `json:"toObjectId"`
	}
	out := struct {
		Results []assoc `json:"results"`
	}{Results: []assoc{}}
	for _, id := range ids {
		out.Results = append(out.Results, assoc{id})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// Contact returns a copy of the contact upserted with this email.
func (hs *HubSpot) Contact(email string) (Contact, bool) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	c := hs.contacts[email]
	if c == nil {
		return Contact{}, false
	}
	props := make(map[string]string, len(c.Props))
	for k, v := range c.Props {
		props[k] = v
	}
	return Contact{ID: c.ID, Props: props}, true
}

// Deal makes a deal of these contacts.
func (hs *HubSpot) Deal(id int64, contacts ...int64) {
	hs.mu.Lock()
	hs.deals[strconv.FormatInt(id, 10)] = contacts
	hs.mu.Unlock()
}

// BadTokens counts the requests with a wrong token.
func (hs *HubSpot) BadTokens() int {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.badToken
}
