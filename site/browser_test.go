package site_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
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

// TestAccessibility runs axe-core on every page of the shipped site, at
// the narrowest phone's width, a common phone's and a laptop's: no
// violation is allowed.
func TestAccessibility(t *testing.T) {
	axe, err := os.ReadFile(axeScript)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run npm ci (.ci/run does)", err)
	}
	out, base := serveShipped(t)
	ctx := browser(t)
	for _, width := range []int64{320, 390, 1280} {
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

// screens are the sizes the pages are laid out at: the narrowest phone,
// a common phone and a laptop.
var screens = []struct{ width, height int64 }{{320, 640}, {390, 844}, {1280, 800}}

// TestLayout loads every page at each of screens and fails if any is
// wider than the screen. At the phone's and the laptop's width it saves
// the first eight screens of each page in build/screenshots, as
// <page>-<width>-<n>.png, for people to look at.
func TestLayout(t *testing.T) {
	out, base := serveShipped(t)
	ctx := browser(t)
	shots := filepath.Join("..", "build", "screenshots")
	os.MkdirAll(shots, 0o755)
	for _, sc := range screens {
		for _, p := range pages(out) {
			err := chromedp.Do(ctx, chromedp.EmulateViewport(sc.width, sc.height), chromedp.Navigate(base+p))
			var width, height int64
			if err == nil {
				width, err = chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
			}
			if err == nil {
				height, err = chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
			}
			if err != nil {
				t.Fatalf("%s at %d px: %v", p, sc.width, err)
			}
			if width > sc.width {
				t.Errorf("%s is %d px wide at a %d px screen: it scrolls sideways", p, width, sc.width)
			}
			if sc.width == 320 {
				continue
			}
			name := strings.Trim(strings.ReplaceAll(p, "/", "-"), "-")
			if name == "" {
				name = "home"
			}
			// The visitor declines the consent bar (once: it is remembered)
			// so that it does not cover the page.
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
				`(b => b ? (b.click(), true) : false)(document.querySelector("[data-winnow-consent]:not([hidden]) button[value=no]"))`)); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			for n := int64(0); n < 8 && n*sc.height < height; n++ {
				_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
					"new Promise(done => { window.scrollTo(0, %d); requestAnimationFrame(() => done(true)); })", n*sc.height), chromedp.EvalAwaitPromise))
				var png []byte
				if err == nil {
					png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
				}
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s-%d-%d.png", name, sc.width, n+1)), png, 0o644)
			}
		}
	}
}

// TestNavigation checks the site's header with scripts off, as a visitor
// without JavaScript gets it. On a phone (390 px) the brand, the menu
// button and the call to action stand on one line and the links wait
// behind the button, which opens them; on a laptop the links show on the
// same line, without the button.
func TestNavigation(t *testing.T) {
	_, base := serveShipped(t)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	// line: the header's parts that show, and whether they share one line.
	const line = `(() => {
		const parts = [...document.querySelectorAll(".site-header > .brand, .site-header .menu > summary, .site-header .menu > ul > li, .site-header > .nav-cta")]
			.filter(e => e.checkVisibility());
		const mid = e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; };
		const oneLine = parts.every(e => Math.abs(mid(e) - mid(parts[0])) < 4);
		return parts.map(e => e.matches("summary") ? "menu" : e.textContent.trim()).join(",") + (oneLine ? "" : " (wraps)");
	})()`
	for _, tc := range []struct {
		width int64
		want  string
	}{
		{390, "Winnow,menu,Talk to us"},
		{320, "Winnow,menu,Talk to us"},
		{1280, "Winnow,Product,Pricing,Guides,About,Glossary,Talk to us"},
	} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(tc.width, 800), chromedp.Navigate(base+"/pricing/")); err != nil {
			t.Fatal(err)
		}
		if got := browsertest.Eval[string](t, ctx, line); got != tc.want {
			t.Errorf("at %d px the header shows %q, want %q", tc.width, got, tc.want)
		}
		if tc.width == 1280 {
			continue
		}
		// The menu opens without a script, over the page.
		if err := chromedp.Do(ctx, chromedp.Click(".menu > summary")); err != nil {
			t.Fatal(err)
		}
		if got, want := browsertest.Eval[string](t, ctx, `[...document.querySelectorAll(".menu > ul a")].filter(a => a.checkVisibility()).map(a => a.textContent).join(",")`),
			"Product,Pricing,Guides,About,Glossary"; got != want {
			t.Errorf("at %d px the open menu shows %q, want %q", tc.width, got, want)
		}
		if got := browsertest.Eval[int64](t, ctx, `document.documentElement.scrollWidth`); got > tc.width {
			t.Errorf("at %d px the open menu makes the page %d px wide", tc.width, got)
		}
	}
}

// TestHeadingAnchors checks that the link of a heading to itself is
// hidden until the pointer is on the heading or the keyboard on the link,
// on a phone as on a laptop.
func TestHeadingAnchors(t *testing.T) {
	_, base := serveShipped(t)
	ctx := browser(t)
	opacity := `getComputedStyle(document.querySelector("h2 > a.anchor")).opacity`
	for _, width := range []int64{390, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(base+"/guides/lead-qualification/")); err != nil {
			t.Fatal(err)
		}
		if got := browsertest.Eval[string](t, ctx, opacity); got != "0" {
			t.Errorf("at %d px a heading's anchor shows (opacity %s) before any hover or focus", width, got)
		}
		x := browsertest.Eval[float64](t, ctx, `(h => (h.scrollIntoView({block: "center"}), h.getBoundingClientRect().left + 10))(document.querySelector("h2:has(> a.anchor)"))`)
		y := browsertest.Eval[float64](t, ctx, `(r => r.top + r.height / 2)(document.querySelector("h2:has(> a.anchor)").getBoundingClientRect())`)
		if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
			t.Fatal(err)
		}
		if got := browsertest.Eval[string](t, ctx, opacity); got != "1" {
			t.Errorf("at %d px the anchor stays hidden (opacity %s) while the pointer is on its heading", width, got)
		}
		if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1), chromedp.Focus("h2 > a.anchor")); err != nil {
			t.Fatal(err)
		}
		if got := browsertest.Eval[string](t, ctx, opacity); got != "1" {
			t.Errorf("at %d px the anchor stays hidden (opacity %s) while it has the keyboard's focus", width, got)
		}
	}
}
