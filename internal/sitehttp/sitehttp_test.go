package sitehttp_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/internal/sitehttp"
	"github.com/winnowhq/winnow/site/cachepolicy"
)

// serve serves a request for a file of the site in root as the dev
// server does (pages not cached), with no worker.
func serve(w http.ResponseWriter, r *http.Request, root string) {
	sitehttp.Handler{Root: root, Pages: cachepolicy.NoStore}.ServeHTTP(w, r)
}

// The site is served with the precompressed form a browser takes, the
// right media type, and a year's caching for fingerprinted assets only.
func TestServeSite(t *testing.T) {
	root := t.TempDir()
	write := func(name, data string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	write("assets/winnow.0123456789.wasm", "\x00asm raw")
	write("assets/winnow.0123456789.wasm.br", "brotli form")
	write("assets/winnow.0123456789.wasm.gz", "gzip form")
	write("about/index.html", "<p>about")
	write("404.html", "<p>not here")
	write("_headers", "/*\n  X: y\n")
	cases := []struct {
		path, accept string
		status       int
		body, ctype  string
		encoding     string
		cache        string
	}{
		{"/assets/winnow.0123456789.wasm", "gzip, deflate, br", 200, "brotli form", "application/wasm", "br", "public, max-age=31536000, immutable"},
		{"/assets/winnow.0123456789.wasm", "gzip", 200, "gzip form", "application/wasm", "gzip", "public, max-age=31536000, immutable"},
		{"/assets/winnow.0123456789.wasm", "br;q=0, gzip;q=0", 200, "\x00asm raw", "application/wasm", "", "public, max-age=31536000, immutable"},
		{"/about/", "br", 200, "<p>about", "text/html; charset=utf-8", "", "no-store"},
		{"/nope/", "br", 404, "<p>not here", "text/html; charset=utf-8", "", "no-store"},
		{"/_headers", "", 404, "<p>not here", "text/html; charset=utf-8", "", "no-store"},
		{"/../../etc/passwd", "", 404, "<p>not here", "text/html; charset=utf-8", "", "no-store"},
	}
	for _, c := range cases {
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path = c.path
		req.Header.Set("Accept-Encoding", c.accept)
		rec := httptest.NewRecorder()
		serve(rec, req, root)
		res := rec.Result()
		if res.StatusCode != c.status || rec.Body.String() != c.body || res.Header.Get("Content-Type") != c.ctype ||
			res.Header.Get("Content-Encoding") != c.encoding || res.Header.Get("Cache-Control") != c.cache {
			t.Errorf("GET %s (Accept-Encoding %q): %d %q type %q encoding %q cache %q", c.path, c.accept, res.StatusCode,
				rec.Body.String(), res.Header.Get("Content-Type"), res.Header.Get("Content-Encoding"), res.Header.Get("Cache-Control"))
		}
	}
}

// A directory's redirect to its slashed form stays on the site, whatever
// the path says: never a Location a browser reads as another host.
func TestServeSiteRedirect(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"guides", "evil.example", `\evil.example`} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "404.html"), []byte("<p>not here"), 0o644)
	for _, c := range []struct{ target, location string }{
		{"/guides", "/guides/"},
		{"/guides?utm=1", "/guides/?utm=1"},
		{"/%2fevil.example%2f..%2fguides", "/guides/"},
		{"//evil.example/../guides", "/guides/"},
		{"/%2fevil.example", "/evil.example/"},
		{"/%5cevil.example", "/%5Cevil.example/"},
		{"/./%5cevil.example", "/%5Cevil.example/"},
	} {
		req := httptest.NewRequest("GET", "http://site.example"+c.target, nil)
		rec := httptest.NewRecorder()
		serve(rec, req, root)
		if got, want := rec.Code, 301; got != want {
			t.Errorf("GET %s: %d, want %d", c.target, got, want)
			continue
		}
		loc := rec.Header().Get("Location")
		if got, want := loc, c.location; got != want {
			t.Errorf("GET %s: Location %q, want %q", c.target, got, want)
		}
		if u, err := url.Parse(loc); err != nil || u.Host != "" || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) {
			t.Errorf("GET %s: Location %q leaves the site", c.target, loc)
		}
	}
}

// A path holding NUL is a missing page, not a server error.
func TestServeSiteNUL(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "404.html"), []byte("<p>not here"), 0o644)
	os.WriteFile(filepath.Join(root, "index.html"), []byte("<p>home"), 0o644)
	for _, target := range []string{"/%00", "/index.html%00", "/a%00/b", "/%00/"} {
		req := httptest.NewRequest("GET", target, nil)
		rec := httptest.NewRecorder()
		serve(rec, req, root)
		if got, want := rec.Code, 404; got != want {
			t.Errorf("GET %s: %d, want %d", target, got, want)
		}
		if got, want := rec.Body.String(), "<p>not here"; got != want {
			t.Errorf("GET %s: %q, want the 404 page", target, got)
		}
	}
}

// The worker's paths go to the worker; everything else is the site's,
// with the worker's security headers.
func TestHandlerRoutes(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "index.html"), []byte("<p>home"), 0o644)
	os.WriteFile(filepath.Join(root, "404.html"), []byte("<p>not here"), 0o644)
	h := sitehttp.Handler{Root: root, Pages: cachepolicy.Revalidate,
		Worker: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("worker")) })}
	for _, c := range []struct{ path, body string }{
		{"/api/leads", "worker"},
		{"/admin", "worker"},
		{"/admin/leads", "worker"},
		{"/healthz", "worker"},
		{"/", "<p>home"},
		{"/api", "<p>not here"},
		{"/administrator", "<p>not here"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if got := rec.Body.String(); got != c.body {
			t.Errorf("GET %s: %q, want %q", c.path, got, c.body)
		}
		if got, site := rec.Header().Get("X-Frame-Options"), c.body != "worker"; site && got != "DENY" {
			t.Errorf("GET %s: X-Frame-Options %q, want the worker's security headers", c.path, got)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got, want := rec.Header().Get("Cache-Control"), "public, max-age=0, must-revalidate"; got != want {
		t.Errorf("GET /: Cache-Control %q, want %q", got, want)
	}
}
