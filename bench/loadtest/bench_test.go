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

	"github.com/winnowhq/winnow/load"
	"github.com/winnowhq/winnow/worker"
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
	content, diags := load.Load(os.DirFS("../../content"), "content")
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
			Targets: []worker.Target{{Name: "crm", Kind: worker.KindJSON, URL: rec.URL, Secret: rec.Secret}}})
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
