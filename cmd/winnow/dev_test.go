package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// copyTree copies a directory for a test to edit.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDev starts the dev server on a free loopback port, edits the content
// and checks what browsers are told and served: a rebuild after a good
// edit (of the page edited only), the problems of a broken one while the
// last good site is served, and recovery.
func TestDev(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "../../content", filepath.Join(dir, "content"))
	copyTree(t, "../../static", filepath.Join(dir, "static"))
	o := &buildOptions{content: filepath.Join(dir, "content"), static: filepath.Join(dir, "static"), out: filepath.Join(dir, "public"),
		db: filepath.Join(dir, "winnow.db")}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stdout, stderr bytes.Buffer
	said := &syncWriter{w: &stdout}
	go func() {
		done <- serveDev(ctx, &env{stdout: said, stderr: &syncWriter{w: &stderr}}, o, "127.0.0.1:0", ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("dev server stopped: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("dev server not ready after 30s")
	}
	defer func() {
		cancel()
		<-done
	}()
	base := "http://" + addr
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if code, body := get("/about/"); code != 200 || !strings.Contains(body, `src="/_winnow/reload.js"`) {
		t.Fatalf("GET /about/ = %d, want 200 with the reload script:\n%s", code, body)
	}
	if code, _ := get("/nope/"); code != 404 {
		t.Errorf("GET /nope/ = %d, want 404", code)
	}
	// The API runs beside the site, over SQLite, with the built model.
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, `"ok":true`) {
		t.Errorf("GET /healthz = %d %s", code, body)
	}
	form := url.Values{"name": {"Ana Souza"}, "email": {"ana@northwind.io"}, "company": {"Northwind"}, "consent": {"yes"}}
	if res, err := http.PostForm(base+"/api/leads", form); err != nil {
		t.Fatal(err)
	} else {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 201 || !strings.Contains(string(body), "Reference:") || !strings.Contains(string(body), `rel="stylesheet" href="/assets/css/site.`) {
			t.Errorf("POST /api/leads = %d, want 201 and a next-step page in the site's layout:\n%s", res.StatusCode, body)
		}
	}
	// A path climbing out of the site gets the 404 page, not the file.
	os.MkdirAll(filepath.Join(dir, "public2"), 0o755)
	os.WriteFile(filepath.Join(dir, "public2", "secret.txt"), []byte("secret"), 0o644)
	req, _ := http.NewRequest("GET", base+"/x", nil)
	req.URL.Path = "/../public2/secret.txt"
	if res, err := http.DefaultClient.Do(req); err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(body), "secret") || res.StatusCode != 404 {
			t.Errorf("GET /../public2/secret.txt = %d %q, want 404", res.StatusCode, body)
		}
	}
	// Follow the event stream.
	res, err := http.Get(base + "/_winnow/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(res.Body)
		var ev string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				events <- ev + " " + strings.TrimPrefix(line, "data: ")
			}
		}
		close(events)
	}()
	next := func(prefix string) string {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case e, ok := <-events:
				if !ok {
					t.Fatalf("event stream closed while waiting for %q", prefix)
				}
				if strings.HasPrefix(e, prefix) {
					return e
				}
			case <-timeout:
				t.Fatalf("no %q event within 20s; server said:\n%s%s", prefix, stdout.String(), stderr.String())
			}
		}
	}
	// Build ids are this process's id, a dot and the build's number.
	first := next("build")
	process, n, _ := strings.Cut(strings.TrimPrefix(first, "build "), ".")
	if process == "" || n != "1" {
		t.Errorf("first event %q, want build <process>.1", first)
	}
	about := filepath.Join(o.content, "pages", "about.md")
	orig, _ := os.ReadFile(about)
	// A good edit rebuilds.
	os.WriteFile(about, bytes.Replace(orig, []byte("---\n\n"), []byte("---\n\nA sentence added while serving.\n\n"), 1), 0o644)
	if e := next("build"); e != "build "+process+".2" {
		t.Errorf("after an edit: %q, want build %s.2", e, process)
	}
	if _, body := get("/about/"); !strings.Contains(body, "A sentence added while serving.") {
		t.Errorf("the edit is not served:\n%s", body)
	}
	// Only the page edited was rendered again.
	said.mu.Lock()
	builds := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	said.mu.Unlock()
	if last := builds[len(builds)-1]; !strings.Contains(last, "(1 rendered, 1 written, 0 removed)") {
		t.Errorf("after editing one page the server says %q, want it rendered and wrote that page only", last)
	}
	// A broken edit reports its problem and keeps the last good site.
	os.WriteFile(about, append([]byte("---\ntitle: About\nfunnel: SIDEWAYS\n"), orig[4:]...), 0o644)
	if e := next("problems"); !strings.Contains(e, "pages/about.md:3:9: funnel must be TOFU, MOFU or BOFU") {
		t.Errorf("problems event %q does not name the file and line", e)
	}
	if code, body := get("/about/"); code != 200 || !strings.Contains(body, "A sentence added while serving.") {
		t.Errorf("the last good page is not served while the build is broken (%d)", code)
	}
	// Fixing it rebuilds.
	os.WriteFile(about, orig, 0o644)
	if e := next("build"); e != "build "+process+".3" {
		t.Errorf("after the fix: %q, want build %s.3", e, process)
	}
}

// syncWriter serialises writes from the server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestDevDemo: with --demo, the dev server starts serving first, then fills
// its empty database with the demo's leads in the background.
func TestDevDemo(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "../../content", filepath.Join(dir, "content"))
	copyTree(t, "../../static", filepath.Join(dir, "static"))
	o := &buildOptions{content: filepath.Join(dir, "content"), static: filepath.Join(dir, "static"), out: filepath.Join(dir, "public"),
		db: filepath.Join(dir, "winnow.db"), demo: true}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stdout, stderr bytes.Buffer
	out := &syncWriter{w: &stdout}
	go func() {
		done <- serveDev(ctx, &env{stdout: out, stderr: &syncWriter{w: &stderr}}, o, "127.0.0.1:0", ready)
	}()
	defer func() {
		cancel()
		<-done
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("dev server stopped: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("dev server not ready after 30s")
	}
	var log string
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out.mu.Lock()
		log = stdout.String()
		out.mu.Unlock()
		if strings.Contains(log, "demo data added") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no demo data after 60s:\n%s%s", log, stderr.String())
		}
	}
	if s, d := strings.Index(log, "serving "), strings.Index(log, "demo data added"); s < 0 || s > d {
		t.Errorf("the demo data was added before the server was up:\n%s", log)
	}
	if !strings.Contains(log, ": 600 leads") {
		t.Errorf("the log does not say 600 leads were added:\n%s", log)
	}
	db, err := sqlitedb.Open(ctx, o.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := queryInt(t, db, `SELECT count(*) FROM leads`); n != 600 {
		t.Errorf("%d leads in the dev database, want 600", n)
	}
}
