package servemem

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// budget is the most winnow serve may keep resident once it has started.
const budget = 80 << 20

// leads is the size of the filled database.
const leads = 10000

var leadsDB = flag.String("servemem.db", "", "a database of 10,000 leads made with winnow demo, "+
	"copied for each run (default: make one, which takes minutes)")

// BenchmarkServeMemory starts winnow serve over the shipped content (and
// the widget, when make widget has built it), with an empty database and
// with one of 10,000 leads that winnow demo fills. It reads from /proc the
// server's resident memory (VmRSS) once /healthz answers, then sends a
// page, a health check, a lead and the report and reads it again over the
// next second (the most seen), and its peak since it started (VmHWM, the
// start-up build's included). It reports the three in MB, and fails when
// either resident memory is over budget: the first shows what start-up
// leaves, before later work can make the runtime collect it. GOGC and
// GOMEMLIMIT, when set, reach the server and are logged.
//
//	go test -run '^$' -bench ServeMemory -benchtime 1x ./bench/servemem
func BenchmarkServeMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("reads the server's memory from /proc/PID/status (Linux)")
	}
	b.Logf("GOGC=%q GOMEMLIMIT=%q", os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT"))
	dir := b.TempDir()
	bin := filepath.Join(dir, "winnow")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/winnow").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	filled := *leadsDB
	for _, n := range []int{0, leads} {
		b.Run(fmt.Sprintf("leads=%d", n), func(b *testing.B) {
			if n > 0 && filled == "" {
				filled = filepath.Join(dir, "filled.db")
				start := time.Now()
				out, err := exec.Command(bin, "demo", "--content", "../../content", "--db", filled,
					"--leads", strconv.Itoa(n), "--rows", "0").CombinedOutput()
				if err != nil {
					b.Fatalf("winnow demo: %v\n%s", err, out)
				}
				b.Logf("winnow demo filled %d leads in %v", n, time.Since(start).Round(time.Second))
			}
			var most figures
			for range b.N {
				run, err := os.MkdirTemp(dir, "run-")
				if err != nil {
					b.Fatal(err)
				}
				db := filepath.Join(run, "winnow.db")
				if n > 0 {
					b.StopTimer()
					if err := copyDB(filled, db); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				f, err := measure(bin, run, db)
				if err != nil {
					b.Fatal(err)
				}
				most = figures{max(most.ready, f.ready), max(most.served, f.served), max(most.peak, f.peak)}
			}
			b.ReportMetric(mb(most.ready), "MB-ready")
			b.ReportMetric(mb(most.served), "MB-served")
			b.ReportMetric(mb(most.peak), "MB-peak")
			if most.ready > budget || most.served > budget {
				b.Fatalf("winnow serve keeps %.1f MB resident once started and %.1f MB once it has served requests, with %d leads (peak %.1f MB): over the budget of %d MB",
					mb(most.ready), mb(most.served), n, mb(most.peak), budget>>20)
			}
		})
	}
}

// figures are a server's resident memory, in bytes.
type figures struct {
	ready  int64 // once /healthz answers
	served int64 // the most seen over a second after a few requests
	peak   int64 // the most since the server started
}

// mb converts bytes to MB.
func mb(n int64) float64 { return float64(n) / (1 << 20) }

// measure starts the server in dir over db, sends it a few requests and
// returns its figures.
func measure(bin, dir, db string) (f figures, err error) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", db, "--out", filepath.Join(dir, "public"),
		"--static", "../../static", "--assets", "../../build/widget", "../../content")
	cmd.Env = append(os.Environ(), "WINNOW_ADMIN_TOKEN=servemem")
	var log bytes.Buffer
	cmd.Stderr = &log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return f, err
	}
	if err := cmd.Start(); err != nil {
		return f, err
	}
	// The first line says where the server listens: "serving DIR and the
	// API (model VERSION) on http://ADDR".
	first := make(chan string, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			select {
			case first <- lines.Text():
			default:
			}
		}
		close(first)
	}()
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		<-drained
		cmd.Wait()
		if err != nil {
			err = fmt.Errorf("%v\nthe server's log:\n%s", err, log.Bytes())
		}
	}()
	line, ok := <-first
	if !ok {
		return f, fmt.Errorf("the server exited before it listened")
	}
	i := strings.LastIndex(line, " on http://")
	if i < 0 {
		return f, fmt.Errorf("the server said %q, not where it listens", line)
	}
	base := line[i+len(" on "):]
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return f, fmt.Errorf("/healthz did not answer 200 within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if f.ready, _, err = memory(cmd.Process.Pid); err != nil {
		return f, err
	}
	if err := requests(base); err != nil {
		return f, err
	}
	for range 10 {
		time.Sleep(100 * time.Millisecond)
		rss, peak, err := memory(cmd.Process.Pid)
		if err != nil {
			return f, err
		}
		f.served, f.peak = max(f.served, rss), max(f.peak, peak)
	}
	return f, nil
}

// requests sends what a visitor, a form and an admin would: the home
// page, a health check, a lead and the report. The report answers 503
// while the server counts its figures from the leads' events, which it
// does once it starts on a database that lacks them: that is part of
// starting, and the report is asked for again until it answers.
func requests(base string) error {
	lead, _ := json.Marshal(map[string]any{"idempotency_key": "servemem-00000001", "fields": map[string]string{
		"name": "Ana Maria Souza", "email": "ana@northwind.io", "company": "Northwind Software",
		"company_size": "201-1000", "industry": "software", "role": "marketing", "seniority": "director",
		"country": "DE", "request": "question", "consent": "yes", "phone": "+49 30 1234567"}})
	for _, r := range []struct {
		method, path string
		body         []byte
		want         int
	}{
		{"GET", "/", nil, http.StatusOK},
		{"GET", "/healthz", nil, http.StatusOK},
		{"POST", "/api/leads", lead, http.StatusCreated},
		{"GET", "/api/report", nil, http.StatusOK},
	} {
		deadline := time.Now().Add(10 * time.Minute)
		for {
			req, err := http.NewRequest(r.method, base+r.path, bytes.NewReader(r.body))
			if err != nil {
				return err
			}
			if r.body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Authorization", "Bearer servemem")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable && r.path == "/api/report" && time.Now().Before(deadline) {
				time.Sleep(time.Second)
				continue
			}
			if resp.StatusCode != r.want {
				return fmt.Errorf("%s %s: %s, want %d: %.300s", r.method, r.path, resp.Status, r.want, body)
			}
			break
		}
	}
	return nil
}

// memory reads a process's resident memory and its peak, in bytes.
func memory(pid int) (rss, hwm int64, err error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		name, value, _ := strings.Cut(line, ":")
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch {
		case name != "VmRSS" && name != "VmHWM":
			continue
		case err != nil:
			return 0, 0, fmt.Errorf("/proc/%d/status: %s", pid, line)
		case name == "VmRSS":
			rss = kb << 10
		default:
			hwm = kb << 10
		}
	}
	if rss == 0 || hwm == 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status has no VmRSS or VmHWM", pid)
	}
	return rss, hwm, nil
}

// copyDB copies an SQLite database with its write-ahead log, if any.
func copyDB(from, to string) error {
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(from + suffix)
		if suffix != "" && os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(to+suffix, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
