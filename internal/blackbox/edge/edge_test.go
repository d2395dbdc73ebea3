//go:build edge

package edge_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winnowhq/winnow/bench/loadtest"
	"github.com/winnowhq/winnow/internal/blackbox"
	"github.com/winnowhq/winnow/internal/wrangler"
)

// TestWorkerd runs the black-box suite against the worker in workerd:
// wrangler dev over a fresh local D1, the site as static assets, and the
// cron trigger run by hand through /__scheduled.
func TestWorkerd(t *testing.T) {
	rec, hs := blackbox.NewReceiver(t), blackbox.NewHubSpot(t)
	srv := start(t, blackbox.Env(rec, hs))
	first := srv.instance(t)
	t.Run("static assets", srv.assets)
	blackbox.Run(t, blackbox.Server{URL: srv.retrying(t), Direct: srv.url, AdminToken: blackbox.AdminToken, Receiver: rec,
		HubSpot: hs, Deliver: srv.deliver})
	t.Run("concurrent", srv.concurrent)
	t.Run("latency", srv.latency)
	t.Run("load", srv.load)
	// One Go program served every event: it started before the suite and
	// counted each event since.
	last := srv.instance(t)
	if !last.Started.Equal(first.Started) {
		t.Errorf("the Go program started at %v and again at %v: one program per isolate, started once, was expected", first.Started, last.Started)
	}
	if n := last.Events - first.Events; n < 500 {
		t.Errorf("the Go program counted %d events during the suite, want at least 500: another program served the rest", n)
	}
	t.Logf("one Go program served %d events", last.Events)
}

// goInstance is what /healthz tells the admin of the Go program serving it.
type goInstance struct {
	Started time.Time `json:"started"`
	Events  int       `json:"events"`
}

func (s *server) instance(t *testing.T) goInstance {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+"/healthz", nil)
	req.Header.Set("Authorization", "Bearer "+blackbox.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct {
		Instance *goInstance `json:"instance"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || h.Instance == nil {
		t.Fatalf("GET /healthz with the admin token: %v, no instance in the answer", err)
	}
	return *h.Instance
}

// concurrent sends submissions and reads at once, so that one Go program
// serves many events interleaved: each gets its own answer.
func (s *server) concurrent(t *testing.T) {
	const n = 24
	run := time.Now().UnixNano()
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			email := fmt.Sprintf("conc.%d.%d@northwind.io", run, i)
			body, _ := json.Marshal(map[string]any{
				"fields":          map[string]string{"name": "Ada Lovelace", "email": email, "company": "Analytical", "consent": "yes"},
				"idempotency_key": fmt.Sprintf("conc-%d-%d", run, i),
			})
			resp, err := http.Post(s.url+"/api/leads", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			var a struct{ ID string }
			json.NewDecoder(resp.Body).Decode(&a)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated || a.ID == "" {
				t.Errorf("POST /api/leads %s: %s", email, resp.Status)
			}
			ids[i] = a.ID
		})
	}
	wg.Wait()
	for round := range 2 {
		for i, id := range ids {
			wg.Go(func() {
				req, _ := http.NewRequest("GET", s.url+"/api/leads/"+id, nil)
				req.Header.Set("Authorization", "Bearer "+blackbox.AdminToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				var l struct {
					ID     string            `json:"id"`
					Fields map[string]string `json:"fields"`
				}
				json.NewDecoder(resp.Body).Decode(&l)
				resp.Body.Close()
				if want := fmt.Sprintf("conc.%d.%d@northwind.io", run, i); l.ID != id || l.Fields["email"] != want {
					t.Errorf("round %d: GET /api/leads/%s: %s, lead %q with email %q, want its own, %q", round, id, resp.Status, l.ID, l.Fields["email"], want)
				}
			})
		}
		wg.Wait()
	}
}

// load sends submissions at a fixed rate with replays and concurrent
// duplicates, and checks that the export holds every acknowledged lead
// once.
func (s *server) load(t *testing.T) {
	res := loadtest.Run(context.Background(), loadtest.Config{URL: s.url, N: 300, Rate: 20, Replays: 0.05, Dups: 0.02})
	t.Logf("in workerd, 300 submissions at 20/s: %v", res)
	if len(res.Failed) > 0 || res.Conflicts > 0 {
		t.Fatalf("%d never acknowledged, %d conflicts; refusals %v", len(res.Failed), res.Conflicts, res.Refused)
	}
	req, _ := http.NewRequest("GET", s.url+"/api/export.csv", nil)
	req.Header.Set("Authorization", "Bearer "+blackbox.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range rows[1:] {
		seen[r[0]]++
	}
	for key, id := range res.Acked {
		if seen[id] != 1 {
			t.Errorf("lead %s (key %s) is in the export %d times, want once", id, key, seen[id])
		}
	}
}

// restarted is how wrangler dev's proxy answers a POST it could not pass
// on to the worker.
const restarted = "Your worker restarted mid-request."

// retrying returns the URL of a proxy to the server that sends a request
// again when wrangler dev answers that the worker restarted. wrangler
// 4.86's proxy does so, without calling the worker, for the first POST
// after a worker answered before it read a request's whole body (as the
// handler does with 413 for an oversized one); it retries only GET and
// HEAD itself. Deployed Workers have no such proxy.
func (s *server) retrying(t *testing.T) string {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		var resp *http.Response
		var out []byte
		for try := 1; ; try++ {
			req, err := http.NewRequest(r.Method, s.url+r.URL.RequestURI(), bytes.NewReader(body))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			req.Header = r.Header.Clone()
			req.Header.Del("Accept-Encoding") // to read wrangler's answer
			if resp, err = client.Do(req); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			out, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			if try == 3 || resp.StatusCode != http.StatusServiceUnavailable || !bytes.HasPrefix(out, []byte(restarted)) {
				break
			}
			s.retries.Add(1)
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(out)
	}))
	t.Cleanup(func() {
		proxy.Close()
		if n := s.retries.Load(); n > 0 {
			t.Logf("%d requests sent again after wrangler dev answered %q", n, restarted)
		}
	})
	return proxy.URL
}

// server is wrangler dev, running.
type server struct {
	*wrangler.Dev
	url     string
	retries atomic.Int64
}

// start starts wrangler dev over a fresh local D1 with env as the
// Worker's vars; it stops when the test ends.
func start(t *testing.T, env map[string]string) *server {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"build/edge/worker.mjs", "build/edge/app.wasm", "build/public/index.html"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Fatalf("%s is missing: run make edge (%v)", f, err)
		}
	}
	began := time.Now()
	d := wrangler.Start(t, wrangler.Options{Root: root, Vars: env})
	t.Logf("wrangler dev: first 200 from /healthz %v after start", time.Since(began).Round(time.Millisecond))
	return &server{Dev: d, url: d.URL}
}

// deliver runs the cron trigger once: delivery of due webhooks and purge.
func (s *server) deliver(t *testing.T) {
	t.Helper()
	if err := s.Scheduled(); err != nil {
		t.Fatalf("%v\nwrangler's output:\n%s", err, s.Output())
	}
}

// TestDecay re-scores a lead by the passing of time in workerd: a lead
// at the MQL threshold is submitted, the worker is started again over the
// same local D1 with its clock moved past the lead's next change
// (WINNOW_CLOCK_OFFSET: a cron event's time cannot be set through wrangler
// dev with static assets), and the cron trigger's scheduled work finds the
// lead due, records its fall to a cold lead and tells the webhook target.
func TestDecay(t *testing.T) {
	root := repoRoot(t)
	rec, hs := blackbox.NewReceiver(t), blackbox.NewHubSpot(t)
	env := blackbox.Env(rec, hs)
	persist := t.TempDir()
	d := wrangler.Start(t, wrangler.Options{Root: root, Vars: env, Persist: persist})
	s := blackbox.Server{URL: d.URL, Direct: d.URL, AdminToken: blackbox.AdminToken, Receiver: rec, HubSpot: hs}
	id, next := blackbox.DecayLead(t, s)
	d.Stop()

	offset := time.Until(next.Add(time.Minute)).Round(time.Second)
	env["WINNOW_CLOCK_OFFSET"] = offset.String()
	rec.ClockOffset(offset)
	d = wrangler.Start(t, wrangler.Options{Root: root, Vars: env, Persist: persist})
	if err := d.Scheduled(); err != nil {
		t.Fatalf("%v\nwrangler's output:\n%s", err, d.Output())
	}
	s.URL, s.Direct = d.URL, d.URL
	blackbox.CheckDecayed(t, s, id, next)
}

// assets checks that the platform serves the site, and that only the
// API reaches the worker.
func (s *server) assets(t *testing.T) {
	for _, c := range []struct {
		path   string
		status int
		has    string
	}{
		{"/", http.StatusOK, "<html"},
		{"/glossary/", http.StatusOK, "<html"},
		{"/no/such/page/", http.StatusNotFound, "<html"},
	} {
		resp, err := http.Get(s.url + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(body), c.has) {
			t.Errorf("GET %s: %s, %d bytes, want %d and a page", c.path, resp.Status, len(body), c.status)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q", c.path, ct)
		}
	}
}

// latency times sequential submissions, each a new lead in D1, and health
// checks (one D1 query: mostly the cost of a new Go instance).
func (s *server) latency(t *testing.T) {
	const n = 50
	health := make([]time.Duration, 0, n)
	for range n {
		began := time.Now()
		resp, err := http.Get(s.url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		health = append(health, time.Since(began))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /healthz: %s", resp.Status)
		}
	}
	times := make([]time.Duration, 0, n)
	run := time.Now().UnixNano()
	for i := range n {
		body, _ := json.Marshal(map[string]any{
			"fields": map[string]string{"name": "Ada Lovelace", "email": fmt.Sprintf("ada.%d.%d@example.com", run, i),
				"company": "Analytical", "consent": "yes"},
			"idempotency_key": fmt.Sprintf("lat-%d-%d", run, i),
		})
		began := time.Now()
		resp, err := http.Post(s.url+"/api/leads", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		times = append(times, time.Since(began))
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST /api/leads: %s: %s", resp.Status, out)
		}
	}
	t.Logf("in workerd, %d sequential requests each: GET /healthz %s; POST /api/leads %s", n, percentiles(health), percentiles(times))
}

// percentiles sorts d and says its median, 90th percentile and maximum.
func percentiles(d []time.Duration) string {
	slices.Sort(d)
	r := func(x time.Duration) time.Duration { return x.Round(time.Millisecond / 10) }
	return fmt.Sprintf("p50 %v, p90 %v, max %v", r(d[len(d)/2]), r(d[len(d)*9/10]), r(d[len(d)-1]))
}
