// Package sitehttp serves a built site natively as the edge serves it:
// the worker's paths (the API, the admin dashboard, /healthz) by the
// worker's handler, every other path from the site's files, with the
// worker's security headers, the cache policy of package cachepolicy and
// the precompressed form of a file the browser takes. winnow serve and
// winnow dev both serve through it.
package sitehttp

import (
	"net/http"
	"strings"

	"github.com/winnowhq/winnow/worker"
)

// Handler serves a built site and the worker beside it.
type Handler struct {
	// Root is the directory of the built site.
	Root string
	// Pages is the Cache-Control of the site's files outside the
	// fingerprinted assets (cachepolicy.For): cachepolicy.Revalidate, as
	// at the edge, or cachepolicy.NoStore while developing.
	Pages string
	// Worker serves the requests IsWorker gives it.
	Worker http.Handler
}

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if IsWorker(r.URL.Path) {
		h.Worker.ServeHTTP(w, r)
		return
	}
	worker.SecurityHeaders(w.Header())
	serveFile(w, r, h.Root, h.Pages)
}

// IsWorker reports whether a request for the URL path p is for the
// worker (the API and the admin dashboard) rather than the site.
func IsWorker(p string) bool {
	return p == "/healthz" || strings.HasPrefix(p, "/api/") || p == "/admin" || strings.HasPrefix(p, "/admin/")
}
