package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/winnowhq/winnow/internal/browsertest"
	"github.com/winnowhq/winnow/qualify"
)

// visibleSteps lists the ids of the steps of the page's form that show.
func visibleSteps(t *testing.T, ctx context.Context) string {
	t.Helper()
	return browsertest.Eval[string](t, ctx, `[...document.querySelectorAll("[data-step]")].filter(s => s.offsetParent).map(s => s.id).join(" ")`)
}

// shows reports whether the element sel names is laid out on the page.
func shows(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	return browsertest.Eval[bool](t, ctx, `(e => !!e && !!e.offsetParent)(document.querySelector(`+strconv.Quote(sel)+`))`)
}

// press presses Enter on the element sel names, from the keyboard.
func press(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), "\r")
}

// atWidths runs axe-core on the page at a phone's width and a desktop's.
func atWidths(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	for _, w := range []int64{320, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		checkAxe(t, ctx, what+" at "+strconv.FormatInt(w, 10)+" px")
	}
}

// TestFormSteps drives the demo form's steps in Chromium: one step shows
// at a time, with its place among the steps; Next checks the step's
// answers first (the browser's own messages), then moves on and takes
// the focus there; Back goes back; the send button shows on the last
// step only; a question the browser finds wrong on another step brings
// that step back. axe-core finds nothing on the first and the last step,
// at a phone's width and a desktop's.
func TestFormSteps(t *testing.T) {
	base := widgetSite(t, "")
	ctx := chrome(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/")); err != nil {
		t.Fatal(err)
	}
	if got := visibleSteps(t, ctx); got != "step-1" {
		t.Fatalf("steps shown at first: %q", got)
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector("#step-1 legend").innerText`); got != "Your details (step 1 of 3)" {
		t.Errorf("the first step's legend says %q", got)
	}
	if shows(t, ctx, "form.signup button.send") || browsertest.Eval[bool](t, ctx, `document.querySelector('#step-1 [data-go="-1"]') !== null`) {
		t.Error("the first step has a send or a back button")
	}
	atWidths(t, ctx, "the first step")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	// Next checks the step: the name is required.
	if err := chromedp.Do(ctx, press(`#step-1 [data-go="1"]`)); err != nil {
		t.Fatal(err)
	}
	if got := visibleSteps(t, ctx); got != "step-1" {
		t.Errorf("Next left a step with a required question unanswered: %q shows", got)
	}
	if got := browsertest.Eval[string](t, ctx, `document.activeElement.id`); got != "f-name" {
		t.Errorf("the browser's check focuses %q, not the name", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Ana Souza"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "ana@northwind.io"),
		chromedp.SendKeys(chromedp.CSS("#f-company"), "Northwind Software"),
		press(`#step-1 [data-go="1"]`),
	); err != nil {
		t.Fatal(err)
	}
	if got, focus := visibleSteps(t, ctx), browsertest.Eval[string](t, ctx, `document.activeElement.id`); got != "step-2" || focus != "step-2" {
		t.Errorf("after Next: %q shows, %q has the focus; want step-2 and step-2", got, focus)
	}
	if err := chromedp.Do(ctx, press(`#step-2 [data-go="-1"]`)); err != nil {
		t.Fatal(err)
	}
	if got := visibleSteps(t, ctx); got != "step-1" {
		t.Errorf("after Back: %q shows", got)
	}
	if err := chromedp.Do(ctx, press(`#step-1 [data-go="1"]`), press(`#step-2 [data-go="1"]`)); err != nil {
		t.Fatal(err)
	}
	if got := visibleSteps(t, ctx); got != "step-3" || !shows(t, ctx, "form.signup button.send") {
		t.Errorf("on the last step: %q shows, the send button shows %v", got, shows(t, ctx, "form.signup button.send"))
	}
	atWidths(t, ctx, "the last step")
	// The browser's own check of a question on another step shows that
	// step: the company, emptied on the first, while the visitor sends
	// from the last.
	browsertest.Eval[bool](t, ctx, `(document.querySelector("#f-company").value = "", document.querySelector("#f-consent").checked = true, document.querySelector("form.signup").requestSubmit(), true)`)
	browsertest.WaitFor(t, ctx, "the step of the wrong answer", `document.querySelector("#step-1").offsetParent !== null`)
}

// TestFormWithoutScript: with JavaScript off the demo form is one page,
// every step shown without the step buttons or the progress, the extra
// questions left out; /signup/, where it used to be, leads to it; it
// posts the plain way and the server answers with the next step and
// what the model makes of the request.
func TestFormWithoutScript(t *testing.T) {
	base := widgetSite(t, "")
	ctx := chrome(t)
	if err := chromedp.Do(ctx, scripts(false), chromedp.Navigate(base+"/signup/")); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "/signup/ leads to the demo form", `location.pathname === "/demo/" && document.readyState === "complete"`)
	if got := visibleSteps(t, ctx); got != "step-1 step-2 step-3" {
		t.Errorf("without JavaScript the steps shown are %q", got)
	}
	for _, sel := range []string{"[data-go]", ".progress", "[data-extra]", `[data-field="how_heard"]`, "#next-step", "[data-winnow-verdict]"} {
		if shows(t, ctx, sel) {
			t.Errorf("without JavaScript the page shows %s", sel)
		}
	}
	if !shows(t, ctx, "form.signup button.send") {
		t.Error("without JavaScript the send button does not show")
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Ana Souza"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "ana@northwind.io"),
		chromedp.SendKeys(chromedp.CSS("#f-company"), "Northwind Software"),
		chromedp.SendKeys(chromedp.CSS("#f-consent"), " "),
		press("form.signup button.send"),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the server's next-step page", `location.pathname === "/api/leads" && !!document.body && document.body.textContent.includes("Reference:")`)
	if got := browsertest.Eval[string](t, ctx, `document.body.textContent`); !strings.Contains(got, "What we make of your request: prospect") {
		t.Errorf("the server's page after a demo request does not tell the stage:\n%s", got)
	}
}

// TestProgressiveProfiling: a visitor sends the guide's form, then comes
// back to the demo form. What their lead answered, by their first-party
// cookie, makes way for the demo form's extra question; consent, which
// the form asks again, stays. The form sends without those answers, and
// the server adds the submission to the same lead.
func TestProgressiveProfiling(t *testing.T) {
	base := widgetSite(t, "")
	ctx := chrome(t)
	// The widget's posts and the server's answers, as the page sees them.
	hook := `(() => { window.sent = []; window.answers = []; const f = window.fetch;
		window.fetch = (u, o) => { if (o && o.method == "POST") window.sent.push(JSON.parse(o.body));
			return f(u, o).then(r => (r.clone().json().then(j => window.answers.push(j), () => 0), r)) }; return true })()`
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/download/")); err != nil {
		t.Fatal(err)
	}
	browsertest.Eval[bool](t, ctx, `(document.cookie = "winnow_v=returningVisitor123456; path=/", true)`)
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#f-name"))); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the widget starts", `document.querySelector("form[data-winnow-ready]") !== null`)
	browsertest.Eval[bool](t, ctx, hook)
	began := time.Now()
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Ana Souza"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "ana@northwind.io"),
		chromedp.SendKeys(chromedp.CSS("#f-company"), "Northwind Software"),
		chromedp.SetValue(chromedp.CSS("#f-role"), "marketing"),
		chromedp.SendKeys(chromedp.CSS("#f-consent"), " "),
	); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(began.Add(5 * time.Second))) // a person's fill time
	if err := chromedp.Do(ctx, press("form.signup button.send")); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the guide's thank-you", `window.answers.length == 1 && document.querySelector("#next-step:not([hidden])") !== null`)
	first := browsertest.Eval[string](t, ctx, `window.answers[0].id`)
	if got := browsertest.Eval[string](t, ctx, `document.querySelector("#next-step").innerText`); !strings.Contains(got, "Your guide is ready") || !strings.Contains(got, "Read the guide") {
		t.Errorf("the guide's thank-you says %q", got)
	}
	// The profile names the answered questions, never the answers.
	profile := browsertest.Eval[string](t, ctx, `fetch("/api/profile").then(r => r.text())`)
	if !strings.Contains(profile, `"company"`) || strings.Contains(profile, "Northwind") || strings.Contains(profile, "ana@") {
		t.Errorf("the profile: %s", profile)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/")); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the answered questions make way", `document.querySelector('[data-field="name"]') === null`)
	for _, name := range []string{"email", "company", "role"} {
		if browsertest.Eval[bool](t, ctx, `document.querySelector('form.signup [name="`+name+`"]') !== null`) {
			t.Errorf("the returning visitor is asked %s again", name)
		}
	}
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('#step-1 [data-field="how_heard"]') !== null && !document.querySelector("#f-how_heard").disabled`) {
		t.Error("the extra question does not take the place of an answered one on the first step")
	}
	if browsertest.Eval[bool](t, ctx, `document.querySelector('[data-field="consent"]') === null`) {
		t.Error("consent, which the form asks again, was taken away")
	}
	atWidths(t, ctx, "a returning visitor's demo form")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Focus(chromedp.CSS("#f-phone"))); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the widget starts", `document.querySelector("form[data-winnow-ready]") !== null`)
	browsertest.Eval[bool](t, ctx, hook)
	began = time.Now()
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#f-how_heard"), "referral"),
		press(`#step-1 [data-go="1"]`),
		chromedp.SetValue(chromedp.CSS("#f-company_size"), "201-1000"),
		press(`#step-2 [data-go="1"]`),
		chromedp.SendKeys(chromedp.CSS("#f-consent"), " "),
	); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(began.Add(5 * time.Second)))
	if err := chromedp.Do(ctx, press("form.signup button.send")); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the next step", `window.answers.length == 1 && document.querySelector("#next-step:not([hidden])") !== null`)
	var sent struct {
		Form   string
		Fields map[string]string
	}
	if err := json.Unmarshal([]byte(browsertest.Eval[string](t, ctx, `JSON.stringify(window.sent[0])`)), &sent); err != nil {
		t.Fatal(err)
	}
	if _, asked := sent.Fields["email"]; asked || sent.Form != "demo" || sent.Fields["how_heard"] != "referral" || sent.Fields["consent"] != "yes" {
		t.Errorf("the returning visitor's demo form sent %+v", sent)
	}
	if got := browsertest.Eval[string](t, ctx, `window.answers[0].id || JSON.stringify(window.answers[0])`); got != first {
		t.Errorf("the returning visitor's demo request went to %s, not to their lead %s", got, first)
	}
}

// TestFormVerdict: where site.yaml lets forms tell visitors what the
// model makes of them (as the shipped content does), the demo form says
// it once every answer shown is one the server takes: the stage the
// page sends as its verdict, which is the native verdict of what it
// sends, and the stage's next step; after sending, the next step names
// the server's stage. Where site.yaml does not, the page has no verdict
// at all, before or after sending.
func TestFormVerdict(t *testing.T) {
	quiet := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(quiet, os.DirFS(shippedContent)); err != nil {
		t.Fatal(err)
	}
	settings, err := os.ReadFile(filepath.Join(quiet, "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(settings), "  verdict: true\n") {
		t.Fatal("the shipped site.yaml does not let forms tell the verdict")
	}
	if err := os.WriteFile(filepath.Join(quiet, "site.yaml"), []byte(strings.Replace(string(settings), "  verdict: true\n", "  verdict: false\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	m := loadShipped(t).Model
	for _, c := range []struct {
		name    string
		content string
		told    bool
	}{{"allowed", shippedContent, true}, {"not allowed", quiet, false}} {
		t.Run(c.name, func(t *testing.T) {
			base := widgetSiteOf(t, c.content, "")
			ctx := chrome(t)
			if err := chromedp.Do(ctx, chromedp.Navigate(base+"/contact/"), chromedp.Focus(chromedp.CSS("#f-name"))); err != nil {
				t.Fatal(err)
			}
			browsertest.WaitFor(t, ctx, "the widget starts", `document.querySelector("form[data-winnow-ready]") !== null`)
			browsertest.Eval[bool](t, ctx, `(() => { window.answers = []; const f = window.fetch;
				window.fetch = (u, o) => { if (o && o.method == "POST") window.sent = o.body;
					return f(u, o).then(r => (r.clone().json().then(j => window.answers.push(j), () => 0), r)) }; return true })()`)
			began := time.Now()
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-name"), "Ana Souza"), chromedp.SendKeys(chromedp.CSS("#f-email"), "ana@northwind.io")); err != nil {
				t.Fatal(err)
			}
			if shows(t, ctx, "[data-winnow-verdict]") {
				t.Error("a verdict shows while answers are missing")
			}
			if err := chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS("#f-company"), "Northwind Software"),
				chromedp.SetValue(chromedp.CSS("#f-request"), "pricing"),
				chromedp.SendKeys(chromedp.CSS("#f-consent"), " "),
			); err != nil {
				t.Fatal(err)
			}
			// A person's fill time, then the page evaluates again.
			time.Sleep(time.Until(began.Add(5 * time.Second)))
			browsertest.Eval[bool](t, ctx, `(async () => { document.querySelector("#f-message").dispatchEvent(new Event("input", {bubbles: true}));
				for (let i = 0; i < 3; i++) await new Promise(requestAnimationFrame); return true })()`)
			if !c.told {
				time.Sleep(300 * time.Millisecond)
				if browsertest.Eval[bool](t, ctx, `document.querySelector("[data-winnow-verdict], #next-step [data-n=stage]") !== null`) {
					t.Error("the page has a place for the verdict, which site.yaml does not allow")
				}
			} else {
				browsertest.WaitFor(t, ctx, "the verdict", `(e => !!e && !!e.offsetParent)(document.querySelector("[data-winnow-verdict]"))`)
				atWidths(t, ctx, "the form with its verdict")
				screenshots(t, ctx, "contact-verdict")
			}
			said := browsertest.Eval[string](t, ctx, `(document.querySelector("[data-winnow-verdict]") || {innerText: ""}).innerText`)
			if err := chromedp.Do(ctx, press("form.signup button.send")); err != nil {
				t.Fatal(err)
			}
			browsertest.WaitFor(t, ctx, "the next step", `window.answers.length == 1 && document.querySelector("#next-step:not([hidden])") !== null`)
			var sent struct {
				Form    string
				Fields  qualify.Input
				Verdict struct{ Stage string }
			}
			if err := json.Unmarshal([]byte(browsertest.Eval[string](t, ctx, `window.sent`)), &sent); err != nil {
				t.Fatal(err)
			}
			panel := browsertest.Eval[string](t, ctx, `document.querySelector("#next-step").innerText`)
			server := browsertest.Eval[string](t, ctx, `window.answers[0].stage`)
			if !c.told {
				if said != "" || strings.Contains(panel, "What we make of") {
					t.Errorf("the page tells the verdict, which site.yaml does not allow: %q, %q", said, panel)
				}
				return
			}
			lead, _ := m.FormLead(m.FormIndex(sent.Form), sent.Fields, time.Now().Unix())
			v := qualify.Evaluate(m, &lead, time.Now().Unix())
			next := m.Stages[v.StageIndex].Next
			if sent.Verdict.Stage != v.Stage || !strings.Contains(said, v.Stage) || !strings.Contains(said, next.Message) {
				t.Errorf("before sending the page said %q (and sent %q); native: %s, %q", said, sent.Verdict.Stage, v.Stage, next.Message)
			}
			if !strings.Contains(panel, "What we make of your request: "+server) {
				t.Errorf("after sending the page says %q; the server's stage is %s", panel, server)
			}
			atWidths(t, ctx, "the next step with its verdict")
			screenshots(t, ctx, "contact-next-step")
		})
	}
}

// fortuneHash is the fortune teller's address of an example lead: its
// answers, the age in days of each of its signals at its instant, and
// its framework.
func fortuneHash(m *qualify.Model, in qualify.Input, signals []int64, at int64, framework string) string {
	q := url.Values{}
	for k, v := range in {
		q.Set(k, v)
	}
	for j, s := range signals {
		if s != 0 {
			q.Set(m.Signals[j].Name, strconv.FormatFloat(float64(at-s)/qualify.SecondsPerDay, 'f', -1, 64))
		}
	}
	if framework != "" {
		q.Set("@framework", framework)
	}
	return "#" + q.Encode()
}

// TestFortuneTeller checks the fortune teller against the native core:
// for every example lead, given by its address (answers, the ages of its
// signals, its framework) at the example's instant, the page shows the
// native verdict (stage, fit, score, tier), exactly the point rules that
// give points with their points, the stage rules that hold, and as many
// changes that would move the lead on as qualify.Moves finds. A fresh
// load restores a fortune from its address, left in build/screenshots.
// axe-core finds nothing at a phone's width and a desktop's.
func TestFortuneTeller(t *testing.T) {
	base := widgetSite(t, "")
	ctx := chrome(t)
	c := loadShipped(t)
	m := c.Model
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/fortune-teller/")); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, ctx, "the fortune teller starts", `document.querySelector("#fortune[data-winnow-ready]") !== null`)
	stages := map[string]bool{}
	for _, ex := range c.Examples {
		mm := m
		if ex.Framework != "" {
			c := *m
			c.Framework = m.FrameworkIndex(ex.Framework)
			mm = &c
		}
		v := qualify.Evaluate(mm, &ex.Lead, ex.At)
		stages[v.Stage] = true
		hash := fortuneHash(m, ex.Input, ex.Lead.Signals, ex.At, ex.Framework)
		browsertest.Eval[bool](t, ctx, `(document.getElementById("fortune-out").dataset.hash = "", Date.now = () => `+
			strconv.FormatInt(ex.At*1000, 10)+`, location.hash = `+strconv.Quote(hash)+`, true)`)
		browsertest.WaitFor(t, ctx, "example "+strconv.Quote(ex.Name), `(h => h !== "" && h === location.hash)(document.getElementById("fortune-out").dataset.hash)`)
		var page struct {
			Stage, Fit, Score, Tier string
			Points                  map[string]string
			Holds                   []int
			Moves                   int
		}
		js := `JSON.stringify((() => { const o = document.getElementById("fortune-out"), t = n => o.querySelector('[data-o="' + n + '"]').textContent;
			const points = {}; for (const r of o.querySelectorAll("[data-point]:not([hidden])")) points[r.dataset.point] = r.querySelector('[data-o="points"]').textContent;
			return {Stage: t("stage"), Fit: t("fit"), Score: t("score"), Tier: t("tier"), Points: points,
				Holds: [...o.querySelectorAll("[data-stage]")].filter(li => li.classList.contains("holds")).map(li => +li.dataset.stage),
				Moves: o.querySelectorAll(".moves li").length} })())`
		if err := json.Unmarshal([]byte(browsertest.Eval[string](t, ctx, js)), &page); err != nil {
			t.Fatal(err)
		}
		if page.Stage != v.Stage || page.Fit != v.Fit || page.Tier != v.Tier || page.Score != qualify.FormatNumber(v.Score) {
			t.Errorf("example %q (%s): the page says %s %s %s %s; native: %s %s %s %s", ex.Name, ex.Pos,
				page.Stage, page.Fit, page.Score, page.Tier, v.Stage, v.Fit, qualify.FormatNumber(v.Score), v.Tier)
		}
		want := map[string]string{}
		for _, r := range v.Reasons {
			if r.Kind == qualify.ReasonPoints {
				p := qualify.FormatNumber(r.Points)
				if r.Points > 0 {
					p = "+" + p
				}
				want[strconv.Itoa(r.Index)] = p
			}
		}
		if got, w := strconv.Quote(mapText(page.Points)), strconv.Quote(mapText(want)); got != w {
			t.Errorf("example %q: the page's points %s; native %s", ex.Name, got, w)
		}
		checks, _ := qualify.Explain(mm, &ex.Lead, ex.At)
		var holds []int
		for _, s := range checks {
			if s.Holds {
				holds = append(holds, s.Stage)
			}
		}
		if got, w := strconv.Quote(intsText(page.Holds)), strconv.Quote(intsText(holds)); got != w {
			t.Errorf("example %q: the stage rules that hold on the page %s; native %s", ex.Name, got, w)
		}
		// The page names the answers to one question that lead to one
		// stage together.
		groups := map[[2]int]bool{}
		for _, mv := range qualify.Moves(mm, &ex.Lead, ex.At) {
			groups[[2]int{mv.Signal*1000 + mv.Field, mv.Stage}] = true
		}
		if page.Moves != len(groups) {
			t.Errorf("example %q: the page lists %d changes that move the lead on; native %d", ex.Name, page.Moves, len(groups))
		}
	}
	if len(stages) < len(m.Stages) {
		t.Errorf("the examples reached only the stages %v", stages)
	}
	atWidths(t, ctx, "the fortune teller")

	// A fortune shared by its address: a fresh load restores it.
	ex := c.Examples[0]
	hash := fortuneHash(m, ex.Input, ex.Lead.Signals, ex.At, ex.Framework)
	fresh := chrome(t)
	if err := chromedp.Do(fresh, chromedp.Navigate(base+"/fortune-teller/"+hash)); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitFor(t, fresh, "the shared fortune", `document.getElementById("fortune-out").dataset.hash === location.hash`)
	for name, value := range ex.Input {
		got := browsertest.Eval[string](t, fresh, `(c => c.type == "checkbox" ? (c.checked ? "yes" : "") : c.value)(document.querySelector("#fortune").elements[`+strconv.Quote(name)+`])`)
		if got != value {
			t.Errorf("the shared fortune restores %s=%q, not %q", name, got, value)
		}
	}
	if got, want := browsertest.Eval[string](t, fresh, `document.querySelector('#fortune-out [data-o="stage"]').textContent`), qualify.Evaluate(m, &ex.Lead, ex.At).Stage; got != want {
		t.Errorf("the shared fortune says %s; native %s", got, want)
	}
	screenshots(t, fresh, "fortune-teller-live")
}

// screenshots saves the page's first screen as it is at a phone's width
// and a laptop's in build/screenshots, as <name>-<width>.png, for people
// to look at.
func screenshots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shots := filepath.Join("..", "..", "build", "screenshots")
	os.MkdirAll(shots, 0o755)
	for _, w := range []int64{390, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(shots, name+"-"+strconv.FormatInt(w, 10)+".png"), png, 0o644)
	}
}

// mapText writes a map of strings in the order of its keys.
func mapText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + m[k] + " ")
	}
	return b.String()
}

// intsText writes whole numbers in their order.
func intsText(xs []int) string {
	var b strings.Builder
	for _, x := range xs {
		b.WriteString(strconv.Itoa(x) + " ")
	}
	return b.String()
}
