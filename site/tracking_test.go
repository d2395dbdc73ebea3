package site_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"

	"github.com/winnowhq/winnow/internal/browsertest"
	"github.com/winnowhq/winnow/site"
)

// csp is the site's Content-Security-Policy, as the edge sends it: no
// inline script, no inline event handler.
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"

// beacon is one request that reached /api/beacon.
type beacon struct {
	contentType string
	cookie      string // the Cookie header sent with it
	body        string
	fields      map[string]string // the body's JSON
}

// trackedSite serves a site built from the shipped content, its site.yaml's
// tracking block replaced by tracking, under the site's CSP, with a
// stand-in for the edge's /api/beacon that records what reaches it and
// answers 204; over https when secure.
type trackedSite struct {
	URL string
	mu  sync.Mutex
	got []beacon
}

func serveTracked(t *testing.T, tracking string, secure bool) *trackedSite {
	t.Helper()
	content := fstest.MapFS{}
	err := filepath.WalkDir("../content", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../content", p)
		content[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	settings, _, found := strings.Cut(string(content["site.yaml"].Data), "\ntracking:")
	if !found {
		t.Fatal("the shipped site.yaml has no tracking block")
	}
	content["site.yaml"] = &fstest.MapFile{Data: []byte(settings + "\n" + tracking + "\n")}
	out := &site.Memory{}
	_, diags := site.Build(context.Background(), site.Options{
		Content: content, ContentDir: "content", Static: os.DirFS("../static"), StaticDir: "static", Out: out,
	})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	s := &trackedSite{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/beacon" {
			if r.Method != http.MethodPost {
				http.Error(w, "POST only", http.StatusMethodNotAllowed)
				return
			}
			body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
			b := beacon{contentType: r.Header.Get("Content-Type"), cookie: r.Header.Get("Cookie"), body: string(body)}
			json.Unmarshal(body, &b.fields)
			s.mu.Lock()
			s.got = append(s.got, b)
			s.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" || strings.HasSuffix(name, "/") {
			name += "index.html"
		}
		data, ok := out.Files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Type", map[string]string{".html": "text/html; charset=utf-8", ".css": "text/css",
			".js": "text/javascript", ".svg": "image/svg+xml"}[filepath.Ext(name)])
		w.Write(data)
	}))
	if secure {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// beacons returns what has reached /api/beacon so far.
func (s *trackedSite) beacons() []beacon {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]beacon(nil), s.got...)
}

// waitBeacons waits until n beacons have arrived, and fails if more do.
func (s *trackedSite) waitBeacons(t *testing.T, n int) []beacon {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.beacons()) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // time for one too many to show
	got := s.beacons()
	if len(got) != n {
		var bodies []string
		for _, b := range got {
			bodies = append(bodies, b.body)
		}
		t.Fatalf("%d beacons arrived, want %d: %s", len(got), n, strings.Join(bodies, " "))
	}
	return got
}

// watch is evaluated in every document before its own scripts: it records
// layout shifts no input caused, and Content-Security-Policy violations.
const watch = `window.shifts = 0; window.violations = [];
addEventListener("securitypolicyviolation", e => window.violations.push(e.violatedDirective + " " + e.blockedURI));
new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.shifts += e.value })
	.observe({type: "layout-shift", buffered: true});`

// tracker starts Chromium with a fresh profile and the script init (and
// watch) evaluated in every new document.
func tracker(t *testing.T, init string) context.Context {
	t.Helper()
	ctx := browsertest.Start(t, 3*time.Minute)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watch + init}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// visit opens a URL and waits until the page and its deferred scripts have
// run.
func visit(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the page loads", `document.readyState === "complete"`)
}

// follow clicks a link and waits for the page it leads to. A link of the
// main navigation on a narrow screen is in the menu: the menu is opened
// first, as a visitor does.
func follow(t *testing.T, ctx context.Context, sel, path string) {
	t.Helper()
	browsertest.Eval[bool](t, ctx, `(a => { const menu = a && a.closest("details:not([open])"); if (menu && !a.checkVisibility()) menu.open = true; return true; })(document.querySelector(`+strconv.Quote(sel)+`))`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the link leads to "+path, `location.pathname === "`+path+`" && document.readyState === "complete"`)
}

// cookies returns the page's cookies by name, read as the page reads them.
func cookies(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range strings.Split(browsertest.Eval[string](t, ctx, `document.cookie`), "; ") {
		if name, value, ok := strings.Cut(c, "="); ok {
			out[name] = value
		}
	}
	return out
}

// barShown reports whether the consent bar is on the page and visible.
const barShown = `(() => { const b = document.querySelector("[data-winnow-consent]"); return !!b && !b.hidden && getComputedStyle(b).display !== "none" })()`

// clean fails on layout shifts and CSP violations the page has recorded.
func clean(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if v := browsertest.Eval[string](t, ctx, `window.violations.join("; ")`); v != "" {
		t.Errorf("%s: Content-Security-Policy violations: %s", what, v)
	}
	if s := browsertest.Eval[float64](t, ctx, `window.shifts`); s != 0 {
		t.Errorf("%s: the layout shifted by %v", what, s)
	}
}

var visitorID = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// checkBeacon checks a beacon against the visitor's id and the page: the
// body is what sendBeacon sends for a string, at most 1 KiB of JSON with v,
// p and, on a page that declares one, s.
func checkBeacon(t *testing.T, b beacon, v, p, s string) {
	t.Helper()
	if b.contentType != "text/plain;charset=UTF-8" {
		t.Errorf("beacon Content-Type %q, want text/plain;charset=UTF-8", b.contentType)
	}
	if len(b.body) > 1024 {
		t.Errorf("beacon of %d bytes, over 1 KiB", len(b.body))
	}
	want := map[string]string{"v": v, "p": p}
	if s != "" {
		want["s"] = s
	}
	if len(b.fields) != len(want) || b.fields["v"] != v || b.fields["p"] != p || b.fields["s"] != s {
		t.Errorf("beacon %s, want %v", b.body, want)
	}
	if !strings.Contains(b.cookie, "winnow_v="+v) {
		t.Errorf("the beacon was sent without the visitor's cookie: Cookie %q", b.cookie)
	}
}

// checkAttribution parses the attribution cookie and compares it with
// want, every key.
func checkAttribution(t *testing.T, raw string, want url.Values) {
	t.Helper()
	got, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("winnow_a %q: %v", raw, err)
	}
	if got.Encode() != want.Encode() {
		t.Errorf("winnow_a = %q, want %q", got.Encode(), want.Encode())
	}
}

// TestTrackingImplied: with implied consent the first page view sets the
// visitor's id and the first touch, and every page view sends one beacon,
// with the page's signal where it has one; later views keep the first
// touch and the id. A landing from another site keeps its referrer, a
// landing from the site's own pages none.
func TestTrackingImplied(t *testing.T) {
	s := serveTracked(t, "tracking: {enabled: true}", false)
	ctx := tracker(t, "")
	visit(t, ctx, s.URL+"/?utm_source=news&utm_campaign=spring")
	got := s.waitBeacons(t, 1)
	c := cookies(t, ctx)
	v := c["winnow_v"]
	if !visitorID.MatchString(v) {
		t.Fatalf("winnow_v = %q, want 22 characters of base64url", v)
	}
	checkAttribution(t, c["winnow_a"], url.Values{"utm_source": {"news"}, "utm_campaign": {"spring"}, "landing_page": {"/"}})
	checkBeacon(t, got[0], v, "/", "")
	if browsertest.Eval[bool](t, ctx, barShown) {
		t.Error("a consent bar is shown where consent is implied")
	}
	// What the cookies are: first party, the whole site, Lax, a year and
	// 90 days; Secure only on https, which this server is not.
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.URL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	now := float64(time.Now().Unix())
	ages := map[string]float64{"winnow_v": 31536000, "winnow_a": 90 * 86400}
	for _, ck := range res.Cookies {
		age, ok := ages[ck.Name]
		if !ok {
			t.Errorf("an unexpected cookie %s", ck.Name)
			continue
		}
		delete(ages, ck.Name)
		if ck.Path != "/" || ck.SameSite != network.CookieSameSiteLax || ck.Secure || ck.HTTPOnly || ck.Session || math.Abs(ck.Expires-now-age) > 120 {
			t.Errorf("cookie %s: path %q, SameSite %q, secure %v, httpOnly %v, expires in %.0f s; want /, Lax, false, false, %.0f s",
				ck.Name, ck.Path, ck.SameSite, ck.Secure, ck.HTTPOnly, ck.Expires-now, age)
		}
	}
	if len(ages) > 0 {
		t.Errorf("cookies missing: %v", ages)
	}
	if keys := browsertest.Eval[int](t, ctx, `localStorage.length`); keys != 0 {
		t.Errorf("%d localStorage keys where consent is implied", keys)
	}

	// The pricing page, from the main navigation: its signal, the same id,
	// the first touch unchanged.
	first := c["winnow_a"]
	follow(t, ctx, `.site-nav a[href="/pricing/"]`, "/pricing/")
	got = s.waitBeacons(t, 2)
	checkBeacon(t, got[1], v, "/pricing/", "pricing_visit")
	c = cookies(t, ctx)
	if c["winnow_v"] != v || c["winnow_a"] != first {
		t.Errorf("a second page view changed the cookies: winnow_v %q → %q, winnow_a %q → %q", v, c["winnow_v"], first, c["winnow_a"])
	}
	clean(t, ctx, "the pricing page")

	// A landing from another site keeps that site as the referrer; one
	// from the site's own pages keeps none.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>Elsewhere</title><a id="go" href="`+s.URL+`/product/?utm_medium=email">Winnow</a>`)
	}))
	defer other.Close()
	elsewhere := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) // another site: cookies ignore ports
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, elsewhere+"/")
	follow(t, ctx, "#go", "/product/")
	got = s.waitBeacons(t, 3)
	c = cookies(t, ctx)
	if c["winnow_v"] == v || !visitorID.MatchString(c["winnow_v"]) {
		t.Errorf("without its cookie the visitor got id %q (before: %q)", c["winnow_v"], v)
	}
	checkAttribution(t, c["winnow_a"], url.Values{"utm_medium": {"email"}, "referrer": {elsewhere + "/"}, "landing_page": {"/product/"}})
	checkBeacon(t, got[2], c["winnow_v"], "/product/", "")
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, `.site-nav a[href="/pricing/"]`, "/pricing/")
	s.waitBeacons(t, 4)
	checkAttribution(t, cookies(t, ctx)["winnow_a"], url.Values{"landing_page": {"/pricing/"}})
}

// TestTrackingSecure: on https both cookies are Secure.
func TestTrackingSecure(t *testing.T) {
	s := serveTracked(t, "tracking: {consent: implied}", true)
	ctx := tracker(t, "")
	if _, err := chromedp.Call(ctx, security.SetIgnoreCertificateErrors, security.SetIgnoreCertificateErrorsParams{Ignore: true}); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, s.URL+"/?utm_source=news")
	got := s.waitBeacons(t, 1)
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.URL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cookies) != 2 {
		t.Fatalf("%d cookies, want 2", len(res.Cookies))
	}
	for _, ck := range res.Cookies {
		if !ck.Secure || ck.SameSite != network.CookieSameSiteLax || ck.Path != "/" {
			t.Errorf("cookie %s on https: secure %v, SameSite %q, path %q", ck.Name, ck.Secure, ck.SameSite, ck.Path)
		}
		if ck.Name == "winnow_v" {
			checkBeacon(t, got[0], ck.Value, "/", "")
		}
	}
}

// TestTrackingConsent: where consent is required nothing is set or sent
// before the visitor chooses. The consent bar shows, without shifting the
// page, is reached and used from the keyboard, and passes axe-core at a
// phone's width and a desktop's. Declining sets nothing, and the bar stays
// away on the next page; accepting (in a fresh profile) sets the cookies
// and sends the beacons from then on.
func TestTrackingConsent(t *testing.T) {
	s := serveTracked(t, "tracking: {consent: required, notice: May we count your visit?}", false)

	t.Run("decline", func(t *testing.T) {
		ctx := tracker(t, "")
		for _, width := range []int64{320, 1280} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
				t.Fatal(err)
			}
			visit(t, ctx, s.URL+"/pricing/?utm_source=news")
			browsertest.WaitFor(t, ctx, "the consent bar shows", barShown)
			if got := browsertest.Eval[string](t, ctx, `document.querySelector("[data-winnow-consent] p").textContent`); got != "May we count your visit?" {
				t.Errorf("the consent bar says %q", got)
			}
			// Fixed at the bottom, inside the window.
			if ok := browsertest.Eval[bool](t, ctx, `(() => { const r = document.querySelector("[data-winnow-consent]").getBoundingClientRect(); return Math.abs(r.bottom - innerHeight) < 1 && r.left === 0 && r.width === innerWidth && getComputedStyle(document.querySelector("[data-winnow-consent]")).position === "fixed" })()`); !ok {
				t.Errorf("at %d px the consent bar is not fixed across the bottom of the window", width)
			}
			if wide := browsertest.Eval[int64](t, ctx, `document.documentElement.scrollWidth`); wide > width {
				t.Errorf("at %d px the page is %d px wide with the consent bar", width, wide)
			}
			if res := browsertest.Axe(t, ctx, axeScript); res != "" {
				t.Errorf("axe-core at %d px with the consent bar:\n%s", width, res)
			}
			clean(t, ctx, "the consent bar")
		}
		if c := browsertest.Eval[string](t, ctx, `document.cookie`); c != "" {
			t.Errorf("cookies before a choice: %q", c)
		}
		s.waitBeacons(t, 0)
		// From the keyboard: the bar comes after the footer, Decline after
		// Accept; Enter presses it.
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(".site-footer li:last-child a")), chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		if got := browsertest.Eval[string](t, ctx, `document.activeElement.textContent`); got != "Accept" {
			t.Fatalf("Tab from the footer's last link goes to %q, want Accept", got)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		if got := browsertest.Eval[string](t, ctx, `document.activeElement.textContent`); got != "Decline" {
			t.Fatalf("Tab from Accept goes to %q, want Decline", got)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the bar goes", "!"+barShown)
		if got := browsertest.Eval[string](t, ctx, `localStorage.getItem("winnow_consent")`); got != "no" {
			t.Errorf("winnow_consent = %q, want no", got)
		}
		clean(t, ctx, "declining")
		follow(t, ctx, `.site-nav a[href="/product/"]`, "/product/")
		time.Sleep(200 * time.Millisecond)
		if browsertest.Eval[bool](t, ctx, barShown) {
			t.Error("the consent bar is back on the next page after Decline")
		}
		if c := browsertest.Eval[string](t, ctx, `document.cookie`); c != "" {
			t.Errorf("cookies after Decline: %q", c)
		}
		s.waitBeacons(t, 0)
	})

	t.Run("accept", func(t *testing.T) {
		ctx := tracker(t, "")
		visit(t, ctx, s.URL+"/?utm_source=news&utm_campaign=spring")
		browsertest.WaitFor(t, ctx, "the consent bar shows", barShown)
		if c := browsertest.Eval[string](t, ctx, `document.cookie`); c != "" {
			t.Errorf("cookies before a choice: %q", c)
		}
		s.waitBeacons(t, 0)
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`[data-winnow-consent] button[value="yes"]`)), chromedp.KeyEvent(" ")); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the bar goes", "!"+barShown)
		got := s.waitBeacons(t, 1)
		c := cookies(t, ctx)
		v := c["winnow_v"]
		if !visitorID.MatchString(v) {
			t.Fatalf("winnow_v = %q after Accept", v)
		}
		checkAttribution(t, c["winnow_a"], url.Values{"utm_source": {"news"}, "utm_campaign": {"spring"}, "landing_page": {"/"}})
		checkBeacon(t, got[0], v, "/", "")
		if got := browsertest.Eval[string](t, ctx, `localStorage.getItem("winnow_consent")`); got != "yes" {
			t.Errorf("winnow_consent = %q, want yes", got)
		}
		clean(t, ctx, "accepting")
		follow(t, ctx, `.site-nav a[href="/pricing/"]`, "/pricing/")
		got = s.waitBeacons(t, 2)
		checkBeacon(t, got[1], v, "/pricing/", "pricing_visit")
		if browsertest.Eval[bool](t, ctx, barShown) {
			t.Error("the consent bar is back after Accept")
		}
		if cookies(t, ctx)["winnow_a"] != c["winnow_a"] {
			t.Error("the next page view changed the first touch")
		}
	})
}

// TestTrackingOptOut: Global Privacy Control or Do Not Track stop
// everything, the consent bar included, whatever the site's consent
// setting; and a page without JavaScript shows no bar and sets nothing.
func TestTrackingOptOut(t *testing.T) {
	required := serveTracked(t, "tracking: {consent: required}", false)
	implied := serveTracked(t, "tracking: {consent: implied}", false)
	for _, c := range []struct{ name, init string }{
		{"Global Privacy Control", `Object.defineProperty(Navigator.prototype, "globalPrivacyControl", {get: () => true});`},
		{"Do Not Track", `Object.defineProperty(Navigator.prototype, "doNotTrack", {get: () => "1"});`},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := tracker(t, c.init)
			for _, s := range []*trackedSite{required, implied} {
				visit(t, ctx, s.URL+"/pricing/?utm_source=news")
				time.Sleep(200 * time.Millisecond)
				if browsertest.Eval[bool](t, ctx, barShown) {
					t.Error("the consent bar shows")
				}
				if got := browsertest.Eval[string](t, ctx, `document.cookie + " " + localStorage.length`); got != " 0" {
					t.Errorf("cookies and storage: %q", got)
				}
				s.waitBeacons(t, 0)
				clean(t, ctx, c.name)
			}
		})
	}
	t.Run("no JavaScript", func(t *testing.T) {
		ctx := tracker(t, "")
		off := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		})
		if err := chromedp.Do(ctx, off, chromedp.Navigate(required.URL+"/pricing/?utm_source=news"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitNotVisible(chromedp.CSS("[data-winnow-consent]"))); err != nil {
			t.Fatal(err)
		}
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{required.URL + "/"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Cookies) > 0 {
			t.Errorf("%d cookies without JavaScript", len(res.Cookies))
		}
		required.waitBeacons(t, 0)
	})
}
