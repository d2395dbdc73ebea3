package loadtest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// BenchmarkConcurrentPosts has 20 clients post leads back to back to
// winnow serve, whose webhooks go to a receiver answering in 50 ms, so
// that deliveries write while leads arrive; it reports the latency of a
// submission (p50, p99, max, in ms).
//
//	go test -run '^$' -bench ConcurrentPosts -benchtime 4000x ./bench/loadtest
func BenchmarkConcurrentPosts(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "winnow")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/winnow").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	rec, err := NewReceiver(0)
	if err != nil {
		b.Fatal(err)
	}
	rec.Delay = 50 * time.Millisecond
	defer rec.Close()
	srv, err := StartNative(bin, "../../content", "../../static", dir, map[string]string{
		"WINNOW_WEBHOOK_URL": rec.URL, "WINNOW_WEBHOOK_SECRET": rec.Secret,
		"WINNOW_RATE_PER_IP": "-1", "WINNOW_RATE_PER_EMAIL": "-1",
	})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop()
	const clients = 20
	var next atomic.Int64
	var mu sync.Mutex
	var times []time.Duration
	run := time.Now().UnixNano()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(run), 1))
			for {
				i := int(next.Add(1))
				if i > b.N {
					return
				}
				body, _ := json.Marshal(map[string]any{"fields": lead(i, r), "idempotency_key": fmt.Sprintf("conc-%d-%d", run, i)})
				began := time.Now()
				resp, err := http.Post(srv.URL+"/api/leads", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(began)
				if resp.StatusCode != http.StatusCreated {
					b.Errorf("POST /api/leads: %s", resp.Status)
					return
				}
				mu.Lock()
				times = append(times, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	reportLatency(b, times)
}

// reportLatency reports the p50, p99 and max of times, in ms.
func reportLatency(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	if len(times) > 0 {
		b.ReportMetric(ms(times[len(times)/2]), "p50-ms")
		b.ReportMetric(ms(times[len(times)*99/100]), "p99-ms")
		b.ReportMetric(ms(times[len(times)-1]), "max-ms")
	}
}

// BenchmarkDeliverBacklog drains a backlog of 10,000 webhooks to a
// receiver answering in 50 ms, with the delivery runs winnow serve makes,
// and reports deliveries per second and the seconds the backlog took.
//
//	go test -run '^$' -bench DeliverBacklog -benchtime 1x ./bench/loadtest
func BenchmarkDeliverBacklog(b *testing.B) {
	const backlog = 10000
	content, diags := content.Load(os.DirFS("../../content"), "content")
	if len(diags) > 0 {
		b.Fatal(diags)
	}
	rec, err := NewReceiver(0)
	if err != nil {
		b.Fatal(err)
	}
	rec.Delay = 50 * time.Millisecond
	defer rec.Close()
	ctx := context.Background()
	var total time.Duration
	for i := range b.N {
		db, err := sqlitedb.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("backlog-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		h, err := worker.New(worker.Config{DB: db, Model: content.Model, Secret: "s",
			Targets: []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: rec.URL, Secret: rec.Secret}}})
		if err != nil {
			b.Fatal(err)
		}
		if err := fillOutbox(ctx, db, backlog); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began := time.Now()
		delivered := 0
		for delivered < backlog {
			d, err := h.Deliver(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if d.Delivered == 0 {
				b.Fatalf("a run delivered nothing with %d of %d left", backlog-delivered, backlog)
			}
			delivered += d.Delivered
		}
		total += time.Since(began)
		b.StopTimer()
		db.Close()
	}
	sec := total.Seconds() / float64(b.N)
	b.ReportMetric(backlog/sec, "deliveries/s")
	b.ReportMetric(sec, "drain-s")
	b.ReportMetric(float64(rec.Peak()), "peak-concurrent")
}

// fillOutbox writes n pending webhooks, as many leads would have.
func fillOutbox(ctx context.Context, db *sql.DB, n int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for i := range n {
		payload := fmt.Sprintf(`{"id":"e%d","topic":"lead.qualified","lead":{"id":"l%d","stage":"MQL"}}`, i, i)
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, lead_id, target, topic, payload, created_at, next_at) VALUES (?, ?, 'crm', 'lead.qualified', ?, 0, 0)`,
			fmt.Sprintf("e%d.crm", i), fmt.Sprintf("l%d", i), payload); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// BenchmarkSignals sends b.N signals to winnow serve at 500 a second, one
// per request as an integration that does not batch would, to leads
// chosen at random, while new leads arrive at 100 a second; both are
// paced by the clock, not by the answers (an open loop), so a slow answer
// does not slow the load. It reports the latency of a signal's request
// (p50, p99, max, in ms) and the rates reached.
//
//	go test -run '^$' -bench Signals -benchtime 5000x ./bench/loadtest
func BenchmarkSignals(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "winnow")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/winnow").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	const token = "bench-admin-token-0123456789"
	srv, err := StartNative(bin, "../../content", "../../static", dir, map[string]string{
		"WINNOW_ADMIN_TOKEN": token, "WINNOW_RATE_PER_IP": "-1", "WINNOW_RATE_PER_EMAIL": "-1",
	})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	run := time.Now().UnixNano()
	post := func(path string, body any, admin bool) (int, []byte, error) {
		js, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(js))
		req.Header.Set("Content-Type", "application/json")
		if admin {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		return resp.StatusCode, out, err
	}
	// The leads signals go to.
	r := rand.New(rand.NewPCG(uint64(run), 2))
	var mu sync.Mutex
	var ids []string
	newLead := func(i int) error {
		status, out, err := post("/api/leads", map[string]any{"fields": lead(i, r), "idempotency_key": fmt.Sprintf("sig-%d-%d", run, i)}, false)
		if err != nil || status != http.StatusCreated {
			return fmt.Errorf("POST /api/leads: %d %s %v", status, out, err)
		}
		var a struct{ ID string }
		json.Unmarshal(out, &a)
		mu.Lock()
		ids = append(ids, a.ID)
		mu.Unlock()
		return nil
	}
	for i := range 1000 {
		if err := newLead(i); err != nil {
			b.Fatal(err)
		}
	}
	names := []string{"pricing_visit", "case_study_read", "email_reply", "social_interaction", "newsletter_signup"}

	var times []time.Duration
	var leads atomic.Int64
	b.ResetTimer()
	began := time.Now()
	stop := make(chan struct{})
	var arrivals sync.WaitGroup
	arrivals.Go(func() { // leads at 100 a second
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for i := 1000; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
				arrivals.Go(func() {
					if err := newLead(i); err != nil {
						b.Error(err)
					}
					leads.Add(1)
				})
			}
		}
	})
	var wg sync.WaitGroup
	for i := range b.N {
		if d := time.Until(began.Add(time.Duration(i) * 2 * time.Millisecond)); d > 0 { // 500 a second
			time.Sleep(d)
		}
		mu.Lock()
		id := ids[r.IntN(len(ids))]
		mu.Unlock()
		name := names[i%len(names)]
		wg.Go(func() {
			t0 := time.Now()
			status, out, err := post("/api/signals", map[string]any{"signals": []map[string]string{
				{"id": fmt.Sprintf("%d-%d", run, i), "lead": id, "signal": name}}}, true)
			d := time.Since(t0)
			if err != nil || status != http.StatusOK {
				b.Errorf("POST /api/signals: %d %s %v", status, out, err)
				return
			}
			mu.Lock()
			times = append(times, d)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	close(stop)
	arrivals.Wait()
	b.StopTimer()
	reportLatency(b, times)
	b.ReportMetric(float64(len(times))/elapsed.Seconds(), "signals/s")
	b.ReportMetric(float64(leads.Load())/elapsed.Seconds(), "leads/s")
}
