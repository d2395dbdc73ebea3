package cachepolicy_test

import (
	"net/http"
	"testing"

	"github.com/winnowhq/winnow/site/cachepolicy"
)

func TestFor(t *testing.T) {
	for _, c := range []struct{ path, pages, want string }{
		{"/assets/winnow.0123456789.wasm", cachepolicy.NoStore, "public, max-age=31536000, immutable"},
		{"/assets/css/site.0123456789.css", cachepolicy.Revalidate, "public, max-age=31536000, immutable"},
		{"/about/", cachepolicy.Revalidate, "public, max-age=0, must-revalidate"},
		{"/assets", cachepolicy.NoStore, "no-store"},
		{"/glossary/assets/", cachepolicy.NoStore, "no-store"},
	} {
		if got := cachepolicy.For(c.path, c.pages); got != c.want {
			t.Errorf("For(%q, %q) = %q, want %q", c.path, c.pages, got, c.want)
		}
	}
}

// The _headers file gives every file the headers, sorted by name, and the
// fingerprinted files the year the native servers send.
func TestHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'")
	got := string(cachepolicy.Headers(h))
	want := "/*\n" +
		"  Content-Security-Policy: default-src 'self'\n" +
		"  X-Frame-Options: DENY\n" +
		"/assets/*\n" +
		"  Cache-Control: " + cachepolicy.For("/assets/x.css", cachepolicy.Revalidate) + "\n"
	if got != want {
		t.Errorf("Headers =\n%s\nwant\n%s", got, want)
	}
}
