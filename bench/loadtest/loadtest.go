// Package loadtest drives the lead API the way many visitors at once
// would, with the faults the edge must survive: replays of acknowledged
// submissions, concurrent duplicates, a webhook receiver that fails a
// share of its calls, and (natively) the server killed and restarted in
// the middle of the run. It then checks that every acknowledged lead is
// stored exactly once and every webhook delivered exactly once after
// deduplication, and reports throughput and latency.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one run.
type Config struct {
	URL      string        // the server's base URL
	N        int           // submissions
	Rate     float64       // submissions started per second (open loop)
	Replays  float64       // share of acknowledged submissions sent again later
	Dups     float64       // share of submissions sent twice at once
	Restart  func() error  // kills and restarts the server; nil: no restart
	Timeout  time.Duration // how long one submission may take to be acknowledged, retries included
	Progress io.Writer     // nil: quiet
}

// Ack is an acknowledged submission.
type Ack struct {
	Key, ID string
}

// Result is what a run measured.
type Result struct {
	Acked      map[string]string // idempotency key -> lead id
	Conflicts  int               // answers that disagreed about a key's lead id
	Retried    int               // submissions that needed more than one attempt
	Replayed   int               // replays sent (and answered with the first lead id)
	Failed     []string          // keys never acknowledged
	Refused    map[int]string    // an answer for each 4xx status met
	Latencies  []time.Duration   // of submissions acknowledged at the first attempt
	Elapsed    time.Duration
	RestartGap time.Duration // how long the server was down
}

// Percentile returns the p-th percentile (0-100) of the first-attempt
// latencies.
func (r *Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	l := slices.Clone(r.Latencies)
	slices.Sort(l)
	i := int(p / 100 * float64(len(l)-1))
	return l[i]
}

// Throughput is acknowledged submissions per second over the run.
func (r *Result) Throughput() float64 {
	return float64(len(r.Acked)) / r.Elapsed.Seconds()
}

func (r *Result) String() string {
	return fmt.Sprintf("%d acknowledged in %.1f s (%.0f/s), first-attempt latency p50 %.2f ms, p99 %.2f ms; %d retried, %d replays, %d concurrent-duplicate conflicts, %d never acknowledged",
		len(r.Acked), r.Elapsed.Seconds(), r.Throughput(), ms(r.Percentile(50)), ms(r.Percentile(99)),
		r.Retried, r.Replayed, r.Conflicts, len(r.Failed))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

var (
	industries = []string{"software", "financial_services", "healthcare", "manufacturing", "retail", "agency", "education", "other"}
	sizes      = []string{"1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+"}
	roles      = []string{"marketing", "sales", "revenue_operations", "it", "engineering", "finance", "other"}
	senior     = []string{"student", "individual", "manager", "director", "vp", "executive"}
	requests   = []string{"question", "pricing", "demo", "trial"}
)

// lead makes the i-th visitor's answers.
func lead(i int, r *rand.Rand) map[string]string {
	f := map[string]string{
		"name": fmt.Sprintf("Visitor %d", i), "email": fmt.Sprintf("visitor%d@company%d.example", i, i%997),
		"company": fmt.Sprintf("Company %d", i%997), "consent": "yes",
		"company_size": sizes[r.IntN(len(sizes))], "industry": industries[r.IntN(len(industries))],
		"role": roles[r.IntN(len(roles))], "seniority": senior[r.IntN(len(senior))],
		"country": "DE", "request": requests[r.IntN(len(requests))],
	}
	if r.IntN(4) == 0 {
		f["seats"], f["timeline"] = fmt.Sprint(5+r.IntN(200)), "this_quarter"
	}
	return f
}

// Run runs the load.
func Run(ctx context.Context, cfg Config) *Result {
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
	res := &Result{Acked: map[string]string{}}
	var mu sync.Mutex
	run := fmt.Sprintf("%x", time.Now().UnixNano())
	// send posts one submission until it is acknowledged, and returns the
	// lead id, the first attempt's latency (0 when it had to retry).
	send := func(body []byte) (string, time.Duration, bool) {
		deadline := time.Now().Add(cfg.Timeout)
		for attempt := 0; time.Now().Before(deadline); attempt++ {
			start := time.Now()
			req, _ := http.NewRequestWithContext(ctx, "POST", cfg.URL+"/api/leads", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 || resp.StatusCode == 201 {
					var a struct{ ID string }
					json.Unmarshal(b, &a)
					lat := time.Since(start)
					if attempt > 0 {
						lat = 0
					}
					return a.ID, lat, true
				}
				if resp.StatusCode < 500 && resp.StatusCode != 429 {
					// The request is wrong: retrying will not help.
					mu.Lock()
					if res.Refused == nil {
						res.Refused = map[int]string{}
					}
					res.Refused[resp.StatusCode] = string(b)
					mu.Unlock()
					return "", 0, false
				}
			}
			select {
			case <-ctx.Done():
				return "", 0, false
			case <-time.After(time.Duration(50+rand.IntN(100)) * time.Millisecond):
			}
		}
		return "", 0, false
	}
	record := func(key, id string, lat time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if prev, ok := res.Acked[key]; ok && prev != id {
			res.Conflicts++
		}
		res.Acked[key] = id
		if lat > 0 {
			res.Latencies = append(res.Latencies, lat)
		} else {
			res.Retried++
		}
	}
	var wg sync.WaitGroup
	var done atomic.Int64
	start := time.Now()
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	restarted := false
	for i := range cfg.N {
		if cfg.Restart != nil && !restarted && i == cfg.N/2 {
			restarted = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := time.Now()
				if err := cfg.Restart(); err != nil {
					panic("restart: " + err.Error())
				}
				mu.Lock()
				res.RestartGap = time.Since(t)
				mu.Unlock()
			}()
		}
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		r := rand.New(rand.NewPCG(uint64(i), 7))
		key := fmt.Sprintf("load-%s-%06d", run, i)
		body, _ := json.Marshal(map[string]any{"fields": lead(i, r), "idempotency_key": key, "model": "load"})
		copies := 1
		if r.Float64() < cfg.Dups {
			copies = 2
		}
		replay := r.Float64() < cfg.Replays
		for range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, lat, ok := send(body)
				if !ok {
					mu.Lock()
					res.Failed = append(res.Failed, key)
					mu.Unlock()
					return
				}
				record(key, id, lat)
				if replay {
					time.Sleep(time.Duration(100+r.IntN(400)) * time.Millisecond)
					id2, _, ok := send(body)
					mu.Lock()
					res.Replayed++
					if !ok || id2 != id {
						res.Conflicts++
					}
					mu.Unlock()
				}
			}()
		}
		if n := done.Add(1); cfg.Progress != nil && n%1000 == 0 {
			fmt.Fprintf(cfg.Progress, "\r%d/%d sent", n, cfg.N)
		}
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	// A key one copy failed to send may have been acknowledged to the other.
	failed := res.Failed[:0]
	for _, k := range res.Failed {
		if _, ok := res.Acked[k]; !ok && !slices.Contains(failed, k) {
			failed = append(failed, k)
		}
	}
	res.Failed = failed
	if cfg.Progress != nil {
		fmt.Fprintln(cfg.Progress)
	}
	return res
}
