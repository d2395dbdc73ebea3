package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/winnowhq/winnow/internal/browsertest"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/widgetbuild"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// parityTag is the build tag of the widget with the parity test's hook
// (wasm/parity.go).
const parityTag = "paritytest"

// widgetSite builds the widget as make widget builds it, what the site
// ships, or with a test's build tag when tag is not "", and the shipped
// site with it, and serves the site and the API (over SQLite) on
// loopback, as winnow serve does. The server fails to send the assets
// named in missing.
func widgetSite(t *testing.T, tag string, missing ...string) string {
	t.Helper()
	return widgetSiteOf(t, shippedContent, tag, missing...)
}

// widgetSiteOf is widgetSite with the content of another directory.
func widgetSiteOf(t *testing.T, content, tag string, missing ...string) string {
	t.Helper()
	dir := t.TempDir()
	assets := filepath.Join(dir, "widget")
	var tags []string
	if tag != "" {
		tags = append(tags, tag)
	}
	if err := widgetbuild.Build(context.Background(), assets, tags...); err != nil {
		t.Fatal(err)
	}
	o := &buildOptions{content: content, static: "../../static", out: filepath.Join(dir, "public"), assets: assets}
	var stderr strings.Builder
	res, err := o.build(&env{stdout: &strings.Builder{}, stderr: &stderr}, &site.Dir{Path: o.out}, "", "")
	if err != nil {
		t.Fatalf("build: %v\n%s", err, stderr.String())
	}
	db, err := sqlitedb.Open(context.Background(), filepath.Join(dir, "winnow.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := &api{db: db, cfg: worker.Config{DB: db, Secret: "s", Limits: worker.Limits{PerIP: -1, PerEmail: -1}}}
	if err := a.use(res.Model, res.Routing, worker.PageSettings{Site: res.Site, FormURL: res.FormURL, Forms: res.Forms, Verdict: res.Verdict}); err != nil {
		t.Fatal(err)
	}
	var h http.Handler = &server{api: a, public: o.out}
	if len(missing) > 0 {
		// A site whose server fails to send some assets.
		next := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, name := range missing {
				base := strings.TrimSuffix(name, filepath.Ext(name))
				if strings.HasPrefix(path.Base(r.URL.Path), base+".") {
					http.Error(w, "gone", http.StatusInternalServerError)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// chrome starts headless Chromium; the test fails when it is missing.
func chrome(t *testing.T) context.Context {
	t.Helper()
	return browsertest.Start(t, 90*time.Second)
}

// loadShipped loads the shipped content.
func loadShipped(t *testing.T) *content.Content {
	t.Helper()
	c, diags := content.Load(os.DirFS(shippedContent), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	return c
}

// TestWidget drives the demo form (the signup form that was, now in
// steps) in Chromium with the widget: the conditional questions, the
// email hints, the server's field messages, and the routing of an
// opportunity to booking.
func TestWidget(t *testing.T) {
	base := widgetSite(t, "")
	ctx := chrome(t)
	var began time.Time
	start := func() {
		t.Helper()
		began = time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/")); err != nil {
			t.Fatal(err)
		}
		// Layout shifts that no input caused count against the widget.
		browsertest.Eval[bool](t, ctx, `window.shifts = 0; new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) { window.shifts += e.value; (window.shiftLog = window.shiftLog || []).push(Math.round(e.startTime) + " " + e.sources.map(s => s.node && (s.node.id || s.node.className || s.node.nodeName) + " " + JSON.stringify(s.previousRect) + "->" + JSON.stringify(s.currentRect)).join("; ")) } })
			.observe({type: "layout-shift", buffered: true}); true`)
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#f-name"))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the widget starts on the first focus", `document.querySelector("form[data-winnow-ready]") !== null`)
	}
	start()
	// Before any input nothing moves; once the visitor answers, the plans
	// questions are asked only of a good fit.
	if browsertest.Eval[bool](t, ctx, `document.querySelector('[data-field="seats"]').hidden`) {
		t.Error("a conditional question was hidden before any input (a layout shift)")
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-name"), "Ana Souza")); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "seats is not asked of an unknown fit", `document.querySelector('[data-field="seats"]').hidden`)
	// Email: a typo gets a suggestion that one click applies; a disposable
	// address is named as such.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-email"), "ana@gmial.com")); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "a typo suggestion", `(document.querySelector("#f-email-hint")||{}).textContent === "Did you mean ana@gmail.com? Use ana@gmail.com"`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#f-email-hint button"))); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the suggestion applied", `document.querySelector("#f-email").value === "ana@gmail.com"`)
	retype(t, ctx, "#f-email", "ana@mailinator.com")
	browsertest.WaitFor(t, ctx, "a disposable address flagged", `(document.querySelector("#f-email-hint")||{}).textContent.includes("disposable")`)
	checkAxe(t, ctx, "the form with a hint")
	// Leaving a required field empty shows the server's own message.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#f-company")), chromedp.SendKeys(chromedp.CSS("#f-company"), "\t")); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the required message", `document.querySelector("#f-company-error").textContent !== ""`)
	m := loadShipped(t).Model
	// The fields recorded from the visit are never asked, nor given an
	// error.
	attributes := 0
	for _, f := range m.Fields {
		if f.Attribute {
			attributes++
			if browsertest.Eval[bool](t, ctx, `document.querySelector('form [name="`+f.Name+`"], [data-field="`+f.Name+`"], #f-`+f.Name+`, #f-`+f.Name+`-error') !== null`) {
				t.Errorf("the form asks attribute field %s", f.Name)
			}
		}
	}
	if attributes == 0 {
		t.Error("the shipped model has no attribute fields")
	}
	_, errs := m.Lead(map[string]string{}, 0)
	want, _ := errs.Get("company")
	if got := browsertest.Eval[string](t, ctx, `document.querySelector("#f-company-error").textContent`); got != want.Message {
		t.Errorf("company's error is %q, the server says %q", got, want.Message)
	}
	checkAxe(t, ctx, "the form with an error")
	if shift := browsertest.Eval[float64](t, ctx, `window.shifts`); shift != 0 {
		t.Errorf("layout shifted by %v without input (CLS must stay 0): %s", shift, browsertest.Eval[string](t, ctx, `(window.shiftLog || []).join(" | ")`))
	}
	// An opportunity is offered a meeting at once, with name and email. A
	// person takes more than the model's fast_fill (4 s) to fill the form.
	retype(t, ctx, "#f-email", "ana@northwind.io")
	time.Sleep(time.Until(began.Add(5 * time.Second)))
	browsertest.Eval[bool](t, ctx, `(() => { const f = window.fetch; window.fetch = (u, o) => { if (o && o.method == "POST") window.sentBody = o.body; return f(u, o) }; return true })()`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-company"), "Northwind Software"), chromedp.SendKeys(chromedp.CSS(`#step-1 [data-go="1"]`), "\r")); err != nil {
		t.Fatal(err)
	}
	// Choices are made from the keyboard, as a visitor would (type-ahead).
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#f-company_size"), "2"),
		chromedp.SendKeys(chromedp.CSS("#f-industry"), "S"),
		chromedp.SendKeys(chromedp.CSS("#f-role"), "M"),
		chromedp.SendKeys(chromedp.CSS("#f-seniority"), "D"),
	); err != nil {
		t.Fatal(err)
	}
	if got := browsertest.Eval[string](t, ctx, `["company_size", "industry", "role", "seniority"].map(n => document.querySelector("#f-" + n).value).join(" ")`); got != "201-1000 software marketing director" {
		t.Fatalf("the keyboard chose %q", got)
	}
	browsertest.WaitFor(t, ctx, "seats is asked of a good fit", `!document.querySelector('[data-field="seats"]').hidden`)
	if got := browsertest.Eval[string](t, ctx, `document.querySelector(".form-status").textContent`); !strings.Contains(got, "appeared") {
		t.Errorf("the appearing questions were not announced: %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#f-country"), "DE"),
		chromedp.SendKeys(chromedp.CSS(`#step-2 [data-go="1"]`), "\r"),
		chromedp.SendKeys(chromedp.CSS("#f-seats"), "40"),
		chromedp.SetValue(chromedp.CSS("#f-timeline"), "this_quarter"),
		// From the keyboard: space ticks the box, Enter sends the form.
		chromedp.SendKeys(chromedp.CSS("#f-consent"), " "),
		chromedp.SendKeys(chromedp.CSS("#f-seats"), "\r"),
	); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if browsertest.Eval[bool](t, ctx, `document.querySelector(".next-step:not([hidden])") === null`) {
		t.Fatalf("no next step; the form says %q", browsertest.Eval[string](t, ctx, `window.sentBody + " | " + document.querySelector(".form-status").textContent + " | " +
			[...document.querySelectorAll(".field-error")].filter(e => e.textContent).map(e => e.id + ": " + e.textContent).join("; ")`))
	}
	var sent struct {
		Fields map[string]string
		Form   string
	}
	if err := json.Unmarshal([]byte(browsertest.Eval[string](t, ctx, `window.sentBody`)), &sent); err != nil {
		t.Fatalf("the widget's submission: %v", err)
	}
	demo := &m.Forms[m.FormIndex("demo")]
	for name := range sent.Fields {
		if i := m.FieldIndex(name); i < 0 || !demo.Asks(i) && !m.Fields[i].Hidden || m.Fields[i].Attribute {
			t.Errorf("the widget sent %s, which the form does not ask", name)
		}
	}
	href := browsertest.Eval[string](t, ctx, `(document.querySelector(".next-step a.button")||{}).href || ""`)
	if !strings.HasPrefix(href, "https://book.example.com/") || !strings.Contains(href, "name=Ana%20Souza") || !strings.Contains(href, "email=ana%40northwind.io") {
		t.Errorf("an opportunity's booking link is %q", href)
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector(".next-step h2").textContent`); got != "Book your meeting now" {
		t.Errorf("next step %q", got)
	}
	if sent.Form != "demo" {
		t.Errorf("the widget sent the form %q, not demo", sent.Form)
	}
	if browsertest.Eval[string](t, ctx, `document.activeElement.className`) != "next-step" {
		t.Error("the next step does not take the focus")
	}
	checkAxe(t, ctx, "the next step")
}

// TestWidgetParity checks the widget the site ships on the page's own
// path: for every example lead, Chromium loads the demo form, a visitor
// fills it in with the lead's answers to the form's questions (typed, or
// pasted where the example says so, in the example's fill time) and
// sends it, and the verdict the page sends, which widget.js had from the
// module's winnowEvaluate export, is the native verdict of the answers
// it sends with that form at the instant it evaluated them, the
// example's. The page's clock is the test's.
//
// What a visitor cannot give the page, TestWidgetParityHook checks
// through the hook of a test build: the signals recorded before the form,
// the visit's attribute fields, another framework, and the score with
// its reasons, which the page never shows.
func TestWidgetParity(t *testing.T) {
	base := widgetSite(t, "")
	ctx := chrome(t)
	c := loadShipped(t)
	m := c.Model
	demo := &m.Forms[m.FormIndex("demo")]
	stages := map[string]bool{}
	for i, ex := range c.Examples {
		// The page records fill_seconds (from the first focus to the
		// evaluation) and pasted (every answer pasted) itself; the visit's
		// attribute fields are the server's to fill in.
		fill := int64(60) // a person's
		if s, ok := ex.Input["fill_seconds"]; ok {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("example %q: fill_seconds %q", ex.Name, s)
			}
			fill = n
		}
		answers := map[string]string{}
		for name, v := range ex.Input {
			if j := m.FieldIndex(name); name != "fill_seconds" && name != "pasted" && (j < 0 || !m.Fields[j].Attribute) {
				answers[name] = v
			}
		}
		inputType := "insertText"
		if ex.Input["pasted"] == "yes" {
			inputType = "insertFromPaste"
		}
		list, err := json.Marshal(answers)
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/")); err != nil {
			t.Fatal(err)
		}
		browsertest.Eval[bool](t, ctx, `window.clock = `+strconv.FormatInt((ex.At-fill)*1000, 10)+`; Date.now = () => window.clock; true`)
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#f-name"))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the widget starts", `document.querySelector("form[data-winnow-ready]") !== null`)
		if i == 0 && browsertest.Eval[bool](t, ctx, `"winnowParity" in self || "winnowEvaluate" in self`) {
			t.Error("the widget the site ships has a test's hook")
		}
		// Each answer is given as a visitor gives it (an input event, or a
		// change for a choice or a box), then the page evaluates at its next
		// frames, and hides the questions the model does not ask.
		missing := browsertest.Eval[string](t, ctx, `(async (answers, inputType) => {
			window.clock = `+strconv.FormatInt(ex.At*1000, 10)+`;
			const form = document.querySelector("form[data-winnow-form]"), missing = [];
			for (const [name, value] of Object.entries(answers)) {
				const c = form.elements[name];
				if (!c || c.disabled && c.closest("[data-extra]")) continue; // not a question of the form
				if (c.type == "hidden") {
					missing.push(name);
					continue;
				}
				if (c.type == "checkbox") c.checked = value == c.value;
				else c.value = value;
				if (c.value != value && c.type != "checkbox") missing.push(name + "=" + value);
				c.dispatchEvent(c.tagName == "SELECT" || c.type == "checkbox" ? new Event("change", {bubbles: true}) : new InputEvent("input", {bubbles: true, inputType}));
			}
			for (let i = 0; i < 3; i++) await new Promise(requestAnimationFrame);
			window.fetch = (url, o) => ((window.sent = o.body), new Promise(() => {}));
			return missing.join(" ");
		})(`+string(list)+`, "`+inputType+`")`)
		if missing != "" {
			t.Fatalf("example %q: the form cannot take %s", ex.Name, missing)
		}
		browsertest.Eval[bool](t, ctx, `(document.querySelector("form.signup").requestSubmit(), true)`)
		browsertest.WaitFor(t, ctx, "example "+strconv.Quote(ex.Name)+" sent", `window.sent !== undefined || document.querySelector(".form-status").textContent.includes("correction")`)
		var sent struct {
			Fields  qualify.Input
			Verdict struct{ Stage, Fit, Tier string }
		}
		body := browsertest.Eval[string](t, ctx, `window.sent || ""`)
		if body == "" {
			t.Fatalf("example %q: the page did not send the form: %s", ex.Name, browsertest.Eval[string](t, ctx, `[...document.querySelectorAll(".field-error")].filter(e => e.textContent).map(e => e.id + ": " + e.textContent).join("; ")`))
		}
		if err := json.Unmarshal([]byte(body), &sent); err != nil {
			t.Fatalf("example %q: the widget's submission %s: %v", ex.Name, body, err)
		}
		hidden := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll("[data-field][hidden]")].map(e => e.dataset.field)`)
		for name, v := range answers {
			if !slices.Contains(demo.Fields, m.FieldIndex(name)) {
				continue // not asked of a first visit
			}
			if got := sent.Fields[name]; got != v && !slices.Contains(hidden, name) {
				t.Errorf("example %q: the page sent %s=%q, not the %q given", ex.Name, name, got, v)
			}
		}
		if got, want := sent.Fields["fill_seconds"], strconv.FormatInt(fill, 10); got != want {
			t.Errorf("example %q: the page sent fill_seconds=%q, want %q", ex.Name, got, want)
		}
		if got, want := sent.Fields["pasted"], ex.Input["pasted"]; got != want {
			t.Errorf("example %q: the page sent pasted=%q, want %q", ex.Name, got, want)
		}
		lead, _ := m.FormLead(m.FormIndex("demo"), sent.Fields, ex.At)
		v := qualify.Evaluate(m, &lead, ex.At)
		stages[v.Stage] = true
		if got, want := sent.Verdict, (struct{ Stage, Fit, Tier string }{v.Stage, v.Fit, v.Tier}); got != want {
			t.Errorf("example %q (%s): the page says %+v of %v; native: %+v", ex.Name, ex.Pos, got, sent.Fields, want)
		}
	}
	if len(stages) < 4 {
		t.Errorf("the examples reached only the stages %v on the page", stages)
	}
}

// TestWidgetParityHook checks, in a test build of the widget with the
// hook winnowParity (wasm/parity.go), what the page cannot be given:
// every example lead with its signals, its framework and at its instant
// gets exactly the native verdict line, score and reasons included.
func TestWidgetParityHook(t *testing.T) {
	base := widgetSite(t, parityTag)
	ctx := chrome(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/"), chromedp.Focus(chromedp.CSS("#f-name"))); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the widget starts", `document.querySelector("form[data-winnow-ready]") !== null`)
	c := loadShipped(t)
	m := c.Model
	for _, ex := range c.Examples {
		var in, sig strings.Builder
		for k, v := range ex.Input {
			in.WriteString(k + "\x1f" + v + "\x1e")
		}
		for j, s := range m.Signals {
			sig.WriteString(s.Name + "\x1f" + strconv.FormatInt(ex.Lead.Signals[j], 10) + "\x1e")
		}
		mm := m
		if ex.Framework != "" {
			c := *m
			c.Framework = m.FrameworkIndex(ex.Framework)
			mm = &c
		}
		lead, _ := mm.Lead(ex.Input, ex.At)
		copy(lead.Signals, ex.Lead.Signals)
		v := qualify.Evaluate(mm, &lead, ex.At)
		native := v.Line()
		got := browsertest.Eval[string](t, ctx, "winnowParity("+strconv.Quote(in.String())+", "+strconv.Quote(sig.String())+", "+
			strconv.FormatInt(ex.At, 10)+", "+strconv.Quote(ex.Framework)+")")
		if got != native {
			t.Errorf("example %q (%s): the browser says\n  %s\nnative:\n  %s", ex.Name, ex.Pos, got, native)
		}
	}
}

// TestWidgetFallbacks: with JavaScript off, with the WebAssembly failing
// to load, with the widget's page side failing while it runs, with the
// core failing an evaluation and with the Go program ended, the contact
// form (one page) submits the plain way and the server's page answers.
func TestWidgetFallbacks(t *testing.T) {
	base := widgetSite(t, "")
	fill := func() chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.SendKeys(chromedp.CSS("#f-name"), "Ana Souza"),
			chromedp.SendKeys(chromedp.CSS("#f-email"), "ana@northwind.io"),
			chromedp.SendKeys(chromedp.CSS("#f-company"), "Northwind Software"),
			chromedp.Click(chromedp.CSS("#f-consent")),
		)
	}
	submitted := func(t *testing.T, ctx context.Context) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.signup button.send`))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the server's next-step page", `location.pathname === "/api/leads" && !!document.body && document.body.textContent.includes("Reference:")`)
	}
	// coreFails fills in the form of a page whose core no longer answers:
	// the widget stops, saying why, and the form is sent the plain way.
	coreFails := func(t *testing.T, ctx context.Context) {
		t.Helper()
		browsertest.Eval[any](t, ctx, `window.warned = []; console.warn = (...a) => window.warned.push(a.map(String).join(" ")); null`)
		if err := chromedp.Do(ctx, fill()); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the widget stops", `document.querySelector("form[data-winnow-ready]") === null`)
		if got := browsertest.Eval[string](t, ctx, `window.warned.join("; ")`); !strings.Contains(got, "Error: the core failed") {
			t.Errorf("the widget stopped saying %q", got)
		}
		submitted(t, ctx)
	}
	t.Run("no JavaScript", func(t *testing.T) {
		ctx := chrome(t)
		if err := chromedp.Do(ctx, scripts(false), chromedp.Navigate(base+"/contact/")); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, fill()); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.signup button.send`))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, scripts(true)); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the server's next-step page", `location.pathname === "/api/leads" && !!document.body && document.body.textContent.includes("Reference:")`)
	})
	t.Run("WebAssembly fails to load", func(t *testing.T) {
		broken := widgetSite(t, "", "winnow.wasm")
		ctx := chrome(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(broken+"/contact/"), chromedp.Focus(chromedp.CSS("#f-name")), fill()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		if browsertest.Eval[bool](t, ctx, `document.querySelector("form[data-winnow-ready]") !== null`) {
			t.Fatal("the widget started without its WebAssembly")
		}
		submitted(t, ctx)
	})
	t.Run("the widget fails", func(t *testing.T) {
		ctx := chrome(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/contact/"), chromedp.Focus(chromedp.CSS("#f-name"))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the widget starts", `document.querySelector("form[data-winnow-ready]") !== null`)
		// From now on reading the form throws inside the widget.
		browsertest.Eval[any](t, ctx, `window.FormData = function () { throw new Error("broken") }; null`)
		if err := chromedp.Do(ctx, fill()); err != nil {
			t.Fatal(err)
		}
		submitted(t, ctx)
	})
	t.Run("the core fails", func(t *testing.T) {
		ctx := chrome(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/contact/"), chromedp.Focus(chromedp.CSS("#f-name"))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the widget starts", `document.querySelector("form[data-winnow-ready]") !== null`)
		// The page now says it wrote more answers than the core's buffer
		// holds: winnowEvaluate answers -1, as it does when an evaluation
		// panics.
		browsertest.Eval[any](t, ctx, `(() => { const f = TextEncoder.prototype.encodeInto;
			TextEncoder.prototype.encodeInto = function (s, b) { return { read: f.call(this, s, b).read, written: b.length + 1 } }; return null })()`)
		coreFails(t, ctx)
	})
	t.Run("the Go program ends", func(t *testing.T) {
		// Only the test build's hook, called without its arguments, can
		// make the program panic unrecovered from outside: the Go program
		// ends, as a fatal error in the runtime would end it, and the page
		// finds it gone at its next evaluation.
		ended := widgetSite(t, parityTag)
		ctx := chrome(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(ended+"/contact/"), chromedp.Focus(chromedp.CSS("#f-name"))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the widget starts", `document.querySelector("form[data-winnow-ready]") !== null`)
		browsertest.Eval[any](t, ctx, `(() => { try { winnowParity() } catch (e) {} return null })()`)
		coreFails(t, ctx)
	})
}

// scripts turns JavaScript on or off in the page.
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// retype empties a text control and types value into it, key by key.
func retype(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	browsertest.Eval[bool](t, ctx, `(document.querySelector(`+strconv.Quote(sel)+`).value = "", true)`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), value)); err != nil {
		t.Fatal(err)
	}
}

// checkAxe runs axe-core on the page as it is: no violation is allowed.
func checkAxe(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if res := browsertest.Axe(t, ctx, "../../node_modules/axe-core/axe.min.js"); res != "" {
		t.Errorf("axe-core on %s:\n%s", what, res)
	}
}

// TestWidgetBadInput pastes what visitors and robots paste: a megabyte,
// control characters, emoji, right-to-left text, on a form missing some
// of its fields. The widget keeps
// running, the page stays responsive, and the form still sends.
func TestWidgetBadInput(t *testing.T) {
	base := widgetSite(t, "")
	ctx := chrome(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/contact/"), chromedp.Focus(chromedp.CSS("#f-name"))); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the widget starts", `document.querySelector("form[data-winnow-ready]") !== null`)
	browsertest.Eval[bool](t, ctx, `window.errors = []; addEventListener("error", e => window.errors.push(String(e.message))); true`)
	paste := func(sel, value string) {
		t.Helper()
		browsertest.Eval[bool](t, ctx, `(() => { const e = document.querySelector(`+strconv.Quote(sel)+`); e.value = `+value+
			`; e.dispatchEvent(new InputEvent("input", {bubbles: true, inputType: "insertFromPaste"})); e.dispatchEvent(new Event("focusout", {bubbles: true})); return true })()`)
	}
	// A page that lost some of the model's fields (an edited template, an
	// extension removing inputs) still works with what is there.
	browsertest.Eval[bool](t, ctx, `document.querySelector("#f-role").remove(); document.querySelector("#f-request").remove(); true`)
	paste("#f-message", `"x".repeat(1 << 20)`)
	paste("#f-name", `"\u0000\u0007\u202e\u05e9\u05dc\u05d5\u05dd 👩🏽‍💻"`)
	paste("#f-company", `"شركة \u200f\ufeff"`)
	paste("#f-email", `"@@\u0000.com"`)
	began := time.Now()
	browsertest.WaitFor(t, ctx, "the page answers", `true`)
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("the page took %v to answer after the pastes", d)
	}
	browsertest.WaitFor(t, ctx, "the message's error", `document.querySelector("#f-message-error").textContent !== ""`)
	if got := browsertest.Eval[string](t, ctx, `window.errors.join("; ")`); got != "" {
		t.Errorf("the page threw: %s", got)
	}
	if !browsertest.Eval[bool](t, ctx, `document.querySelector("form[data-winnow-ready]") !== null`) {
		t.Fatal("the widget stopped")
	}
	// Corrected, the form sends.
	paste("#f-message", `""`)
	paste("#f-name", `"Ana Souza"`)
	paste("#f-company", `"Northwind"`)
	paste("#f-email", `"ana@northwind.io"`)
	browsertest.Eval[bool](t, ctx, `(document.querySelector("#f-consent").checked = true, true)`)
	time.Sleep(4 * time.Second) // a person's fill time
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.signup button.send`))); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the next step", `document.querySelector(".next-step:not([hidden])") !== null || document.querySelector(".form-status").textContent.includes("check")`)
}
