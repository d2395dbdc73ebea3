package site_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/winnowhq/winnow/internal/browsertest"
	"github.com/winnowhq/winnow/site"
)

// axeScript is axe-core, which .ci/run installs with npm.
const axeScript = "../node_modules/axe-core/axe.min.js"

// browser starts headless Chromium for a test; the test fails, rather
// than skips, when Chromium is missing.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.Start(t, 4*time.Minute)
}

// serveShipped builds the shipped content and serves it on loopback.
func serveShipped(t *testing.T) (*site.Memory, string) {
	t.Helper()
	out := &site.Memory{}
	_, diags := site.Build(context.Background(), site.Options{
		Content: os.DirFS("../content"), ContentDir: "content", Static: os.DirFS("../static"), StaticDir: "static", Out: out,
	})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" || strings.HasSuffix(name, "/") {
			name += "index.html"
		}
		data, ok := out.Files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch filepath.Ext(name) {
		case ".html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		case ".css":
			w.Header().Set("Content-Type", "text/css")
		case ".svg":
			w.Header().Set("Content-Type", "image/svg+xml")
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return out, srv.URL
}

// pages lists the HTML pages of a site, but the redirects of aliases.
func pages(out *site.Memory) []string {
	var list []string
	for _, p := range out.Paths() {
		if strings.HasSuffix(p, ".html") && !strings.Contains(string(out.Files[p]), `http-equiv="refresh"`) {
			list = append(list, "/"+strings.TrimSuffix(p, "index.html"))
		}
	}
	return list
}

type axeResult struct {
	Violations []struct {
		ID    string `json:"id"`
		Help  string `json:"help"`
		Nodes []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// TestAccessibility runs axe-core on every page of the shipped site, at a
// phone's width and a desktop's: no violation is allowed.
func TestAccessibility(t *testing.T) {
	axe, err := os.ReadFile(axeScript)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run npm ci (.ci/run does)", err)
	}
	out, base := serveShipped(t)
	ctx := browser(t)
	for _, width := range []int64{320, 1280} {
		for _, p := range pages(out) {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(base+p),
			)
			if err == nil {
				_, err = chromedp.Run(ctx, chromedp.Evaluate[any](string(axe)))
			}
			var raw string
			if err == nil {
				raw, err = chromedp.Run(ctx, chromedp.Evaluate[string](
					`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r))`, chromedp.EvalAwaitPromise))
			}
			if err != nil {
				t.Fatalf("%s at %d px: %v", p, width, err)
			}
			var res axeResult
			if err := json.Unmarshal([]byte(raw), &res); err != nil {
				t.Fatalf("%s: axe result: %v", p, err)
			}
			for _, v := range res.Violations {
				var where []string
				for _, n := range v.Nodes {
					b, _ := json.Marshal(n.Target)
					where = append(where, string(b))
				}
				t.Errorf("%s at %d px: %s (%s): %s", p, width, v.ID, v.Help, strings.Join(where, " "))
			}
		}
	}
}

// TestNarrowLayout loads every page 320 px wide and fails if any is wider
// than the screen. It saves a screenshot of each in build/screenshots for
// people to look at.
func TestNarrowLayout(t *testing.T) {
	out, base := serveShipped(t)
	ctx := browser(t)
	shots := filepath.Join("..", "build", "screenshots")
	os.MkdirAll(shots, 0o755)
	for _, p := range pages(out) {
		err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 640), chromedp.Navigate(base+p))
		var width int64
		var png []byte
		if err == nil {
			width, err = chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
		}
		if err == nil {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
		}
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if width > 320 {
			t.Errorf("%s is %d px wide at a 320 px screen: it scrolls sideways", p, width)
		}
		name := strings.Trim(strings.ReplaceAll(p, "/", "-"), "-")
		if name == "" {
			name = "home"
		}
		os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
	}
}
