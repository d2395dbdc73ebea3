package sitehttp

import (
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/winnowhq/winnow/site/cachepolicy"
)

// serveFile serves a file of a built site under root: directories by
// their index.html, the 404 page for anything missing (and for the
// headers file, which configures the edge), and for a file with a brotli
// or gzip form beside it (name.br, name.gz), that form when the browser
// takes it. The Cache-Control is cachepolicy.For's, with pages for the
// files outside the fingerprinted assets.
func serveFile(w http.ResponseWriter, r *http.Request, root, pages string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// Cleaning the path as if rooted keeps ".." from leaving the site.
	clean := path.Clean("/" + r.URL.Path)
	if strings.IndexByte(clean, 0) >= 0 {
		// No file has NUL in its name; the system would refuse to look.
		notFound(w, root)
		return
	}
	name := filepath.Join(root, filepath.FromSlash(clean))
	if info, err := os.Stat(name); err == nil && info.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			// The cleaned path, escaped: it starts with one slash and
			// holds no backslash, so no browser reads it as another host.
			to := (&url.URL{Path: clean + "/", RawQuery: r.URL.RawQuery}).String()
			http.Redirect(w, r, to, http.StatusMovedPermanently)
			return
		}
		name = filepath.Join(name, "index.html")
	}
	hidden := clean == "/"+cachepolicy.HeadersFile
	w.Header().Set("Cache-Control", cachepolicy.For(clean, pages))
	ctype := mime.TypeByExtension(filepath.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	send := name
	if ext := filepath.Ext(name); ext != ".br" && ext != ".gz" {
		accept := r.Header.Get("Accept-Encoding")
		for _, enc := range []struct{ ext, name string }{{".br", "br"}, {".gz", "gzip"}} {
			if !acceptsEncoding(accept, enc.name) {
				continue
			}
			if _, err := os.Stat(name + enc.ext); err == nil {
				send = name + enc.ext
				w.Header().Set("Content-Encoding", enc.name)
				break
			}
		}
		w.Header().Add("Vary", "Accept-Encoding")
	}
	f, err := os.Open(send)
	if errors.Is(err, fs.ErrNotExist) || hidden {
		notFound(w, root)
		return
	}
	if err != nil {
		http.Error(w, "the file cannot be read", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		http.Error(w, "the file cannot be read", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ctype)
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// notFound answers with the site's 404 page.
func notFound(w http.ResponseWriter, root string) {
	w.Header().Del("Content-Encoding")
	w.Header().Set("Cache-Control", cachepolicy.NoStore)
	page, err := os.ReadFile(filepath.Join(root, "404.html"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	if err == nil {
		w.Write(page)
	}
}

// acceptsEncoding reports whether an Accept-Encoding header takes enc
// (and does not refuse it with q=0).
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
