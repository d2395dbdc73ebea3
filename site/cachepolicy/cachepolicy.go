// Package cachepolicy is how long browsers and caches keep the files of
// the built site, defined once: the native servers (winnow serve and
// winnow dev) send it with every file, and the build writes it into the
// _headers file that Cloudflare's static assets apply at the edge.
//
// The fingerprinted files under /assets/ never change (a new content is a
// new name), so they are kept for a year without asking again. Every
// other file keeps its URL across builds and is revalidated on each use.
//
// It imports nothing heavy: code compiled to WebAssembly may use it.
package cachepolicy

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Assets is the path prefix of the fingerprinted files.
const Assets = "/assets/"

// Immutable is the Cache-Control of the fingerprinted files: a year,
// never revalidated.
const Immutable = "public, max-age=31536000, immutable"

// Revalidate is the Cache-Control of the site's other files at the edge,
// Cloudflare's default for static assets (the _headers file leaves it
// as it is): cached, and revalidated on every use. winnow serve sends it.
const Revalidate = "public, max-age=0, must-revalidate"

// NoStore is the Cache-Control of what must not be cached: the dev
// server's pages, which change with every edit, and the 404 page served
// for a missing file.
const NoStore = "no-store"

// HeadersFile is the name of the file of headers the build writes at the
// root of the site, for the edge's static assets: a configuration file,
// never served as a page.
const HeadersFile = "_headers"

// For returns the Cache-Control of the site's file at the URL path p:
// Immutable under Assets, pages for every other file.
func For(p, pages string) string {
	if strings.HasPrefix(p, Assets) {
		return Immutable
	}
	return pages
}

// Headers returns the content of the HeadersFile, in the format of
// Cloudflare's static assets: every file is sent with the headers h, and
// the fingerprinted files with the Cache-Control For gives them.
func Headers(h http.Header) []byte {
	var sb strings.Builder
	sb.WriteString("/*\n")
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			sb.WriteString("  " + k + ": " + v + "\n")
		}
	}
	sb.WriteString(Assets + "*\n  Cache-Control: " + For(Assets, Revalidate) + "\n")
	return []byte(sb.String())
}
