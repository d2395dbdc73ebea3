package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

const (
	token  = "bench-admin-token-0123456789"
	secret = "bench" // the key of the hashes the database stores
)

// server is the handler over the benchmark's database.
type server struct {
	h     *worker.Handler
	db    *sql.DB
	leads int
}

var (
	once   sync.Once
	shared *server
	setup  error
)

// open opens the benchmark's database (filling one if none is given) and
// counts its report's sums, once for all benchmarks.
func open(b *testing.B) *server {
	once.Do(func() { shared, setup = start(context.Background()) })
	if setup != nil {
		b.Fatal(setup)
	}
	return shared
}

// start opens $WINNOW_BENCH_DB, or fills a database of
// $WINNOW_BENCH_LEADS leads (10,000 by default) in the temporary
// directory, kept there for the next run, and counts its rollups.
func start(ctx context.Context) (*server, error) {
	c, diags := content.Load(os.DirFS("../../content"), "content")
	if len(diags) > 0 {
		return nil, diags
	}
	path := os.Getenv("WINNOW_BENCH_DB")
	if path == "" {
		n := 10000
		if v := os.Getenv("WINNOW_BENCH_LEADS"); v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 1 {
				return nil, fmt.Errorf("WINNOW_BENCH_LEADS=%q: want a number of leads", v)
			}
		}
		path = filepath.Join(os.TempDir(), fmt.Sprintf("winnow-bench-reports-%d.db", n))
		if _, err := os.Stat(path); err != nil {
			if _, err := demo.BulkFile(ctx, path, demo.BulkOptions{Model: c.Model, Domains: domains.Full, Leads: n, Seed: 1,
				End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Secret: secret}); err != nil {
				return nil, err
			}
		}
	}
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	h, err := worker.New(worker.Config{DB: db, Model: c.Model, Domains: domains.Full, AdminToken: token, Secret: secret})
	if err != nil {
		return nil, err
	}
	for done := false; !done; {
		if done, err = h.CountRollups(ctx, time.Minute); err != nil {
			return nil, err
		}
	}
	s := &server{h: h, db: db}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM leads`).Scan(&s.leads); err != nil {
		return nil, err
	}
	return s, nil
}

// memory measures the memory a request takes: stop returns the peak of
// the heap's objects above the heap when it started (after a
// collection), and the peak of the process's resident memory above what
// it was (Linux's VmHWM, reset when it started; 0 elsewhere), which
// counts SQLite's own memory too.
func memory() (stop func() (heap, rss uint64)) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	rss := status("VmRSS")
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		peak = max(peak, read())
		return sub(peak, base), sub(status("VmHWM"), rss)
	}
}

// sub is a - b, or 0 if b is larger.
func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

// status reads a size in bytes from /proc/self/status (0 if there is none).
func status(name string) uint64 {
	b, _ := os.ReadFile("/proc/self/status")
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// measure runs request b.N times and reports its time (p50, max) and its
// heap's peak (the largest of the runs), failing past the goals when the
// database holds a million leads or more.
func measure(b *testing.B, s *server, maxMS float64, maxMB float64, request func() error) {
	var times []time.Duration
	var peak, rss uint64
	if err := request(); err != nil { // warm: prepared statements, SQLite's page cache
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		stop := memory()
		began := time.Now()
		if err := request(); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(began))
		h, r := stop()
		peak, rss = max(peak, h), max(rss, r)
	}
	b.StopTimer()
	slices.Sort(times)
	p50 := float64(times[len(times)/2].Microseconds()) / 1000
	mb := float64(peak) / (1 << 20)
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(mb, "peak-heap-MB")
	b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
	b.ReportMetric(float64(s.leads), "leads")
	if s.leads >= 1000000 && (p50 > maxMS || mb > maxMB) {
		b.Errorf("at %d leads: p50 %.1f ms (goal %.0f), peak heap %.1f MB (goal %.0f)", s.leads, p50, maxMS, mb, maxMB)
	}
}

func get(s *server, path string, header http.Header) (*httptest.ResponseRecorder, error) {
	req := httptest.NewRequest("GET", path, nil)
	req.Header = header
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		return w, fmt.Errorf("GET %s: %d %.300s", path, w.Code, w.Body)
	}
	return w, nil
}

func bearer() http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// BenchmarkReport reads GET /api/report: the last 12 months and this one.
func BenchmarkReport(b *testing.B) {
	s := open(b)
	measure(b, s, 50, 10, func() error {
		_, err := get(s, "/api/report", bearer())
		return err
	})
}

// BenchmarkOverview reads the admin dashboard's overview, as a signed-in
// admin.
func BenchmarkOverview(b *testing.B) {
	s := open(b)
	cookie := login(b, s)
	measure(b, s, 50, 10, func() error {
		_, err := get(s, "/admin", http.Header{"Cookie": {cookie}})
		return err
	})
}

// login signs in to the dashboard and returns the session's cookie.
func login(b *testing.B, s *server) string {
	form := url.Values{"token": {token}}
	req := httptest.NewRequest("POST", "/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	for _, c := range w.Result().Cookies() {
		if c.Value != "" {
			return c.Name + "=" + c.Value
		}
	}
	b.Fatalf("login: %d %s", w.Code, w.Body)
	return ""
}

// counter counts the rows of a CSV written to it, keeping nothing.
type counter struct {
	header http.Header
	rows   int
	status int
}

func (c *counter) Header() http.Header { return c.header }
func (c *counter) WriteHeader(s int)   { c.status = s }
func (c *counter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			c.rows++
		}
	}
	return len(p), nil
}

// BenchmarkExport streams GET /api/export.csv through a writer that only
// counts its lines, and reports the rows written a second; the heap's
// peak must not grow with the leads.
func BenchmarkExport(b *testing.B) {
	s := open(b)
	var times []time.Duration
	var peak, rss uint64
	b.ResetTimer()
	for range b.N {
		stop := memory()
		began := time.Now()
		req := httptest.NewRequest("GET", "/api/export.csv", nil)
		req.Header = bearer()
		w := &counter{header: http.Header{}}
		s.h.ServeHTTP(w, req)
		times = append(times, time.Since(began))
		h, r := stop()
		peak, rss = max(peak, h), max(rss, r)
		if w.status != 0 && w.status != http.StatusOK || w.rows != s.leads+1 {
			b.Fatalf("the export wrote %d rows with status %d, want %d", w.rows, w.status, s.leads+1)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	rate := float64(s.leads) / times[len(times)/2].Seconds()
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
	b.ReportMetric(float64(s.leads), "leads")
	if s.leads >= 1000000 && rate < 100000 {
		b.Errorf("the export wrote %.0f rows a second, want 100,000 (peak heap %.1f MB, peak RSS %.1f MB)", rate,
			float64(peak)/(1<<20), float64(rss)/(1<<20))
	}
}

// BenchmarkWriteEvents records facts about random leads at 100 a second
// (paced by the clock, not by the answers), b.N of them and at least
// 1,000, each with its rollups, and reports their latency.
func BenchmarkWriteEvents(b *testing.B) {
	s := open(b)
	var ids []string
	rows, err := s.db.Query(`SELECT id FROM leads WHERE merged_into IS NULL AND spam = 0 ORDER BY random() LIMIT 5000`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	r := rand.New(rand.NewPCG(7, 8))
	facts := []string{`{"signal":"email_reply","actor":"bench"}`, `{"activity":"contacted","actor":"bench"}`,
		`{"signal":"pricing_visit","actor":"bench"}`, `{"signal":"sales_accepted","actor":"bench"}`}
	var mu sync.Mutex
	var times []time.Duration
	var wg sync.WaitGroup
	b.ResetTimer()
	began := time.Now()
	for i := range max(b.N, 1000) {
		if d := time.Until(began.Add(time.Duration(i) * 10 * time.Millisecond)); d > 0 {
			time.Sleep(d)
		}
		id, fact := ids[r.IntN(len(ids))], facts[r.IntN(len(facts))]
		wg.Go(func() {
			req := httptest.NewRequest("POST", "/api/leads/"+id+"/events", strings.NewReader(fact))
			req.Header = bearer()
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			t0 := time.Now()
			s.h.ServeHTTP(w, req)
			d := time.Since(t0)
			if w.Code != http.StatusCreated && w.Code != http.StatusUnprocessableEntity {
				b.Errorf("a fact: %d %s", w.Code, w.Body)
			}
			mu.Lock()
			times = append(times, d)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(times)
	p99 := float64(times[len(times)*99/100].Microseconds()) / 1000
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90-ms")
	b.ReportMetric(p99, "p99-ms")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(s.leads), "leads")
	if p99 > 5 {
		at := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000 }
		b.Errorf("a write's p99 is %.1f ms (p50 %.1f, p90 %.1f, p95 %.1f, max %.1f ms), want at most 5", p99, at(.5), at(.9), at(.95), at(1))
	}
	check, err := s.h.CheckRollups(context.Background())
	if err != nil || !check.OK() {
		b.Errorf("the rollups after the writes: %v %v", strings.Join(check.Describe(), "; "), err)
	}
}
