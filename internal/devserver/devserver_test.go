package devserver_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/devserver"
	"github.com/winnowhq/winnow/site"
)

// syncWriter serialises writes from the server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun serves a site whose build copies one watched file into its
// home page, edits the file and checks what browsers are told and
// served, and what each build is told changed: a rebuild after a good
// edit, the problems of a broken one while the last good site is
// served, and recovery, then the examples a good build fails; the worker
// beside the site is given each good build and runs its jobs until the
// server stops.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "src"), filepath.Join(dir, "public")
	os.MkdirAll(src, 0o755)
	os.MkdirAll(out, 0o755)
	text := filepath.Join(src, "home.txt")
	os.WriteFile(text, []byte("one"), 0o644)
	os.WriteFile(filepath.Join(out, "404.html"), []byte("<p>not here"), 0o644)
	var (
		mu      sync.Mutex
		changes [][]string // what each build was told changed
	)
	build := func(_ site.Output, stderr io.Writer, baseURL, reload string, changed []string) (site.Result, error) {
		mu.Lock()
		changes = append(changes, changed)
		mu.Unlock()
		b, err := os.ReadFile(text)
		if err != nil {
			return site.Result{}, err
		}
		if string(b) == "broken" {
			fmt.Fprintln(stderr, "src/home.txt:1:1: broken")
			return site.Result{}, errors.New("1 problem")
		}
		page := fmt.Sprintf("<p>%s</p><script src=%q data-events=%q></script>", b, "/_winnow/reload.js", reload)
		return site.Result{Pages: 1}, os.WriteFile(filepath.Join(out, "index.html"), []byte(page), 0o644)
	}
	var built atomic.Int32
	jobs := make(chan context.Context, 1)
	ln, err := devserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stdout, stderr syncWriter
	go func() {
		done <- devserver.Run(ctx, ln, devserver.Options{
			Out: out, Watch: []string{src}, Build: build,
			Worker: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "worker") }),
			Built:  func(site.Result) error { built.Add(1); return nil },
			Check: func(res site.Result) string {
				if b, _ := os.ReadFile(text); string(b) == "failing" {
					return "FAIL src/examples.yaml:3: example \"one\"\n"
				}
				return ""
			},
			AdminToken: "tok",
			Background: func(ctx context.Context) { jobs <- ctx },
			Stdout:     &stdout, Stderr: &stderr, Ready: ready,
		})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("dev server stopped: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("dev server not ready after 30s")
	}
	base := "http://" + addr
	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	if want := "admin dashboard: " + base + "/admin (token tok)"; !strings.Contains(stdout.String(), want) {
		t.Errorf("the server does not say %q:\n%s", want, stdout.String())
	}
	if res, body := get("/"); res.StatusCode != 200 || body != `<p>one</p><script src="/_winnow/reload.js" data-events="/_winnow/events"></script>` ||
		res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("GET / = %d %q, Cache-Control %q, X-Frame-Options %q", res.StatusCode, body,
			res.Header.Get("Cache-Control"), res.Header.Get("X-Frame-Options"))
	}
	if res, body := get("/_winnow/reload.js"); res.StatusCode != 200 || !strings.Contains(body, "EventSource") ||
		res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET /_winnow/reload.js = %d, %q, %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	if _, body := get("/api/leads"); body != "worker" {
		t.Errorf("GET /api/leads = %q, want the worker's answer", body)
	}
	if _, body := get("/nope"); body != "<p>not here" {
		t.Errorf("GET /nope = %q, want the 404 page", body)
	}

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
	first := next("build")
	process, n, _ := strings.Cut(strings.TrimPrefix(first, "build "), ".")
	if process == "" || n != "1" {
		t.Errorf("first event %q, want build <process>.1", first)
	}
	os.WriteFile(text, []byte("two"), 0o644)
	if e := next("build"); e != "build "+process+".2" {
		t.Errorf("after an edit: %q, want build %s.2", e, process)
	}
	if _, body := get("/"); !strings.Contains(body, "<p>two</p>") {
		t.Errorf("the edit is not served: %q", body)
	}
	os.WriteFile(text, []byte("broken"), 0o644)
	if e := next("problems"); e != "problems src/home.txt:1:1: broken" {
		t.Errorf("problems event %q, want the build's problem", e)
	}
	if _, body := get("/"); !strings.Contains(body, "<p>two</p>") {
		t.Errorf("the last good page is not served while the build is broken: %q", body)
	}
	os.WriteFile(text, []byte("three"), 0o644)
	if e := next("build"); e != "build "+process+".3" {
		t.Errorf("after the fix: %q, want build %s.3", e, process)
	}
	if got, want := built.Load(), int32(3); got != want {
		t.Errorf("the worker was given %d builds, want %d", got, want)
	}
	// A good build whose check finds failing examples is served, and the
	// pages are told what fails.
	os.WriteFile(text, []byte("failing"), 0o644)
	if e := next("build"); e != "build "+process+".4" {
		t.Errorf("after an edit that fails an example: %q, want build %s.4", e, process)
	}
	if e := next("warnings"); e != `warnings FAIL src/examples.yaml:3: example "one"` {
		t.Errorf("warnings event %q, want the failing example", e)
	}
	if _, body := get("/"); !strings.Contains(body, "<p>failing</p>") {
		t.Errorf("a build with failing examples is not served: %q", body)
	}
	if !strings.Contains(stderr.String(), `example "one"`) {
		t.Errorf("the failing example is not printed:\n%s", stderr.String())
	}
	mu.Lock()
	for i, c := range changes {
		if i == 0 && c != nil || i > 0 && (len(c) != 1 || c[0] != text) {
			t.Errorf("build %d was told %q changed, want %s", i+1, c, map[bool]string{true: "nothing known", false: text}[i == 0])
		}
	}
	mu.Unlock()

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v after ctx ended, want nil", err)
	}
	select {
	case jobCtx := <-jobs:
		if jobCtx.Err() == nil {
			t.Error("the worker's jobs run on after the server stopped")
		}
	default:
		t.Error("the worker's jobs never started")
	}
}

// The dev server listens on loopback addresses only.
func TestListenLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "example.com:0", "nonsense"} {
		if ln, err := devserver.Listen(addr); err == nil {
			ln.Close()
			t.Errorf("Listen(%q) listens", addr)
		}
	}
}
