package main

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/winnowhq/winnow/internal/widgetbuild"
	"github.com/winnowhq/winnow/site"
	"github.com/winnowhq/winnow/site/cachepolicy"
	"github.com/winnowhq/winnow/worker"
)

// buildWidget builds the widget as make widget does, with
// internal/widgetbuild, and the brotli and gzip forms of its WebAssembly,
// written by the project's own bench/widgetbudget.
func buildWidget(root, dir string) error {
	if err := widgetbuild.Build(context.Background(), dir); err != nil {
		return err
	}
	compress := exec.Command("go", "run", "./bench/widgetbudget", "-compress", filepath.Join(dir, "winnow.wasm"))
	compress.Dir = root
	if out, err := compress.CombinedOutput(); err != nil {
		return fmt.Errorf("compressing the widget: %v\n%s", err, out)
	}
	return nil
}

// buildSite builds the shipped content into out, with the widget's files
// from assets ("" builds the site without the widget), and returns the
// signup form's path.
func buildSite(root, assets, out string) (string, error) {
	opts := site.Options{
		Content: os.DirFS(filepath.Join(root, "content")), ContentDir: "content",
		Static: os.DirFS(filepath.Join(root, "static")), StaticDir: "static",
		Out: &site.Dir{Path: out},
	}
	if assets != "" {
		opts.Assets, opts.AssetsDir = os.DirFS(assets), assets
	}
	res, diags := site.Build(context.Background(), opts)
	if len(diags) > 0 {
		var b strings.Builder
		for _, d := range diags {
			fmt.Fprintln(&b, d)
		}
		return "", fmt.Errorf("building the site:\n%s", b.String())
	}
	if res.FormURL == "" {
		return "", fmt.Errorf("the site has no signup form")
	}
	return res.FormURL, nil
}

// link emulates the profile's network at the server, for the page and
// the widget's worker alike: Chromium's network emulation does not reach a
// dedicated worker's requests. Each response waits one round trip for its
// first byte, then all responses share the downlink's throughput.
type link struct {
	mu      sync.Mutex
	latency time.Duration
	rate    float64   // bytes per second; 0: not throttled
	free    time.Time // when the downlink is next free
}

var emulated = &link{}

// set takes the profile's network.
func (l *link) set(p profile) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.latency = time.Duration(p.latency * float64(time.Millisecond))
	l.rate = p.down
	if p.latency == 0 {
		l.rate = 0
	}
}

// send writes data at the link's pace.
func (l *link) send(w http.ResponseWriter, data []byte) {
	l.mu.Lock()
	latency, rate := l.latency, l.rate
	l.mu.Unlock()
	if rate == 0 {
		w.Write(data)
		return
	}
	time.Sleep(latency)
	const chunk = 8 << 10
	for len(data) > 0 {
		n := min(chunk, len(data))
		l.mu.Lock()
		start := time.Now()
		if l.free.After(start) {
			start = l.free
		}
		l.free = start.Add(time.Duration(float64(n) / rate * float64(time.Second)))
		done := l.free
		l.mu.Unlock()
		time.Sleep(time.Until(done))
		if _, err := w.Write(data[:n]); err != nil {
			return
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		data = data[n:]
	}
}

// serve serves a built site on a loopback port until ctx ends and returns
// its base URL.
func serve(ctx context.Context, dir string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: staticSite(dir), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return "http://" + ln.Addr().String(), nil
}

// staticSite serves a built site as the edge does for the timing that
// matters here: the security headers, a file's precompressed brotli form
// (name.br) when there is one, and pages brotli-compressed on the fly as
// a CDN does (quality 5). No API: the figures measured here do not use it.
func staticSite(root string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		worker.SecurityHeaders(w.Header())
		name := filepath.Join(root, filepath.FromSlash(path.Clean("/"+r.URL.Path)))
		if info, err := os.Stat(name); err == nil && info.IsDir() {
			name = filepath.Join(name, "index.html")
		}
		ctype := mime.TypeByExtension(filepath.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		br := strings.Contains(r.Header.Get("Accept-Encoding"), "br")
		send := name
		if _, err := os.Stat(name + ".br"); err == nil && br {
			send = name + ".br"
			w.Header().Set("Content-Encoding", "br")
		}
		data, err := os.ReadFile(send)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if send == name && br && strings.HasPrefix(ctype, "text/") {
			var buf bytes.Buffer
			bw := brotli.NewWriterLevel(&buf, 5)
			bw.Write(data)
			bw.Close()
			data = buf.Bytes()
			w.Header().Set("Content-Encoding", "br")
		}
		w.Header().Set("Vary", "Accept-Encoding")
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", cachepolicy.For(r.URL.Path, cachepolicy.Revalidate))
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		emulated.send(w, data)
	})
}

// widgetSizes reports the published WebAssembly's size, raw and brotli.
func widgetSizes(public string) (raw, br int64) {
	names, _ := filepath.Glob(filepath.Join(public, "assets", "winnow.*.wasm"))
	for _, n := range names {
		if info, err := os.Stat(n); err == nil {
			raw = info.Size()
		}
		if info, err := os.Stat(n + ".br"); err == nil {
			br = info.Size()
		}
	}
	return raw, br
}
