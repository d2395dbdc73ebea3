package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

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
		serveSite(rec, req, root, "no-store")
		res := rec.Result()
		if res.StatusCode != c.status || rec.Body.String() != c.body || res.Header.Get("Content-Type") != c.ctype ||
			res.Header.Get("Content-Encoding") != c.encoding || res.Header.Get("Cache-Control") != c.cache {
			t.Errorf("GET %s (Accept-Encoding %q): %d %q type %q encoding %q cache %q", c.path, c.accept, res.StatusCode,
				rec.Body.String(), res.Header.Get("Content-Type"), res.Header.Get("Content-Encoding"), res.Header.Get("Cache-Control"))
		}
	}
}
