// Command edgereport measures the report at the edge: the admin
// dashboard's overview in `wrangler dev` (workerd and a local D1) over a
// D1 holding many leads, and the memory of the Go program that serves it.
//
//	make edge && go run ./bench/edgereport [-leads 10000,200000] [-n 20]
//
// For each size, the leads `winnow demo` would make are imported
// (demo.Bulk, with the facts of their journeys) into a SQLite file and the
// report's sums counted, as bench/bulk does; the rows are then copied into
// the local D1 that `wrangler d1 migrations apply` made, table by table
// (for a few thousand leads `wrangler d1 execute --file` of bench/bulk's
// SQL does the same, far more slowly). Then, after warm-up requests, n
// sequential overviews (GET /admin, signed in) and after each the
// program's memory as GET /healthz reports it (runtime.MemStats.Sys: at
// the edge, the WebAssembly module's memory, which only grows). The
// files are kept in the temporary directory for the next run.
//
// It fails where a goal is missed: an overview's p50 at most 300 ms, the
// program's memory at most 32 MB, and the largest size's p50 within 20 %
// of the smallest's.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/internal/wrangler"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker/domains"
)

const (
	token  = "bench-admin-token-0123456789"
	secret = "bench-secret"
)

func main() {
	sizes := flag.String("leads", "10000,200000", "the sizes to measure, comma-separated")
	n := flag.Int("n", 20, "overviews measured at each size")
	warm := flag.Int("warmup", 10, "overviews before the measure")
	flag.Parse()
	root, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	if _, err := os.Stat(filepath.Join(root, "build", "edge", "app.wasm")); err != nil {
		fail(fmt.Errorf("%v: run make edge first", err))
	}
	c, diags := content.Load(os.DirFS("content"), "content")
	if len(diags) > 0 {
		fail(fmt.Errorf("content: %v", diags[0]))
	}
	var results []result
	for _, s := range strings.Split(*sizes, ",") {
		leads, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || leads < 1 {
			fail(fmt.Errorf("-leads %q: want numbers of leads", *sizes))
		}
		r, err := measure(root, c.Model, c.Routing, leads, *n, *warm)
		if err != nil {
			fail(err)
		}
		results = append(results, r)
	}
	fmt.Printf("\n| leads | overview p50 | p90 | max | Go memory (Sys) | heap in use |\n|--:|--:|--:|--:|--:|--:|\n")
	failed := false
	for _, r := range results {
		fmt.Printf("| %d | %s | %s | %s | %.1f MB | %.1f MB |\n", r.leads, ms(r.p50), ms(r.p90), ms(r.max),
			float64(r.sys)/(1<<20), float64(r.heap)/(1<<20))
		if r.p50 > 300*time.Millisecond || r.sys > 32<<20 {
			fmt.Printf("  at %d leads: goal missed (p50 ≤ 300 ms, memory ≤ 32 MB)\n", r.leads)
			failed = true
		}
	}
	if first, last := results[0], results[len(results)-1]; len(results) > 1 && float64(last.p50) > 1.2*float64(first.p50) {
		fmt.Printf("  %d leads' p50 is %.0f %% of %d leads': goal missed (within 20 %%)\n", last.leads,
			100*float64(last.p50)/float64(first.p50), first.leads)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "edgereport:", err)
	os.Exit(1)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

type result struct {
	leads         int
	p50, p90, max time.Duration
	sys, heap     uint64
}

// measure fills a local D1 with leads and measures the overview over it.
func measure(root string, m *qualify.Model, rt *routing.Routing, leads, n, warm int) (result, error) {
	r := result{leads: leads}
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("winnow-edgereport-%d", leads))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return r, err
	}
	bulk := filepath.Join(dir, "bulk.db")
	if _, err := os.Stat(bulk); err != nil {
		began := time.Now()
		fmt.Printf("%d leads: importing into %s\n", leads, bulk)
		if _, err := demo.BulkFile(ctx, bulk, demo.BulkOptions{Model: m, Routing: rt, Domains: domains.Full, Leads: leads, Seed: 1,
			End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Secret: secret}); err != nil {
			return r, err
		}
		fmt.Printf("  imported and counted in %s\n", time.Since(began).Round(time.Second))
	}
	persist := filepath.Join(dir, "state")
	if err := os.RemoveAll(persist); err != nil {
		return r, err
	}
	began := time.Now()
	if err := loadD1(ctx, root, persist, bulk); err != nil {
		return r, err
	}
	fmt.Printf("%d leads: copied into the local D1 in %s\n", leads, time.Since(began).Round(time.Second))

	d, err := wrangler.StartDev(wrangler.Options{Root: root, Persist: persist,
		Vars: map[string]string{"WINNOW_ADMIN_TOKEN": token, "WINNOW_SECRET": secret}})
	if err != nil {
		return r, err
	}
	defer d.Stop()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(d.URL+"/admin/login", url.Values{"token": {token}, "next": {"/admin"}})
	if err != nil {
		return r, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return r, fmt.Errorf("signing in: %s", resp.Status)
	}
	overview := func() (time.Duration, error) {
		began := time.Now()
		resp, err := client.Get(d.URL + "/admin")
		if err != nil {
			return 0, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(began)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Overview") {
			return 0, fmt.Errorf("GET /admin: %s %.300s", resp.Status, body)
		}
		return took, nil
	}
	for range warm {
		if _, err := overview(); err != nil {
			return r, err
		}
	}
	var times []time.Duration
	for range n {
		took, err := overview()
		if err != nil {
			return r, err
		}
		times = append(times, took)
		sys, heap, err := memory(d.URL)
		if err != nil {
			return r, err
		}
		r.sys, r.heap = max(r.sys, sys), max(r.heap, heap)
	}
	slices.Sort(times)
	r.p50, r.p90, r.max = times[len(times)/2], times[len(times)*9/10], times[len(times)-1]
	fmt.Printf("%d leads: overview p50 %s, p90 %s, max %s; Go memory %.1f MB\n", leads, ms(r.p50), ms(r.p90), ms(r.max), float64(r.sys)/(1<<20))
	return r, nil
}

// memory reads the program's memory from GET /healthz.
func memory(base string) (sys, heap uint64, err error) {
	req, _ := http.NewRequest("GET", base+"/healthz", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var h struct {
		Memory struct {
			Sys       uint64 `json:"sys"`
			HeapInuse uint64 `json:"heap_inuse"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || h.Memory.Sys == 0 {
		return 0, 0, fmt.Errorf("GET /healthz: %s, no memory figures (%v)", resp.Status, err)
	}
	return h.Memory.Sys, h.Memory.HeapInuse, nil
}

// loadD1 makes a local D1 in persist with the migrations, and copies the
// rows of the SQLite file bulk into it, while no workerd has it open.
func loadD1(ctx context.Context, root, persist, bulk string) error {
	if _, err := wrangler.Run(root, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist); err != nil {
		return err
	}
	var files []string
	filepath.WalkDir(persist, func(p string, e fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".sqlite") && strings.Contains(p, "D1") && filepath.Base(p) != "metadata.sqlite" {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 {
		return fmt.Errorf("%s: want one local D1 file, found %v", persist, files)
	}
	d1, err := sql.Open("sqlite", files[0])
	if err != nil {
		return err
	}
	defer d1.Close()
	conn, err := d1.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS bulk`, bulk); err != nil {
		return err
	}
	rows, err := conn.QueryContext(ctx, `SELECT name FROM bulk.sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name != 'd1_migrations' ORDER BY rowid`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		rows.Scan(&t)
		tables = append(tables, t)
	}
	rows.Close()
	if len(tables) == 0 {
		return errors.New(bulk + ": no tables")
	}
	for _, stmt := range []string{`PRAGMA foreign_keys = OFF`, `BEGIN`} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	for _, t := range tables {
		if _, err := conn.ExecContext(ctx, `DELETE FROM main."`+t+`"`); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
		// By the columns the file has: a file an earlier build made may
		// lack the newest (which keep their defaults).
		var cols []string
		crows, err := conn.QueryContext(ctx, `SELECT name FROM bulk.pragma_table_info(?)`, t)
		if err != nil {
			return err
		}
		for crows.Next() {
			var c string
			crows.Scan(&c)
			cols = append(cols, `"`+c+`"`)
		}
		crows.Close()
		list := strings.Join(cols, ", ")
		if _, err := conn.ExecContext(ctx, `INSERT INTO main."`+t+`" (`+list+`) SELECT `+list+` FROM bulk."`+t+`"`); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	_, err = conn.ExecContext(ctx, `COMMIT`)
	return err
}
