package worker_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/browsertest"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/modelcheck"
)

// refusing is an HTTP client whose every request fails, as when a
// webhook's target is down.
type refusing struct{}

func (refusing) Do(*http.Request) (*http.Response, error) {
	return nil, errors.New("dial tcp: connection refused")
}

// press sends one key to the focused element.
func press(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(key)); err != nil {
		t.Fatal(err)
	}
}

// tabTo presses Tab until the element matching sel has the focus, and
// checks that the focus is visible on it.
func tabTo(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	q := strconv.Quote(sel)
	for range 40 {
		press(t, ctx, "\t")
		if browsertest.Eval[bool](t, ctx, `document.activeElement === document.querySelector(`+q+`)`) {
			if !browsertest.Eval[bool](t, ctx, `document.activeElement.matches(":focus-visible") && getComputedStyle(document.activeElement).outlineStyle !== "none"`) {
				t.Errorf("the focus on %s is not visible", sel)
			}
			return
		}
	}
	t.Fatalf("Tab never reaches %s", sel)
}

// checkPage runs axe-core on the page, fails if it scrolls sideways at
// this width or has other than one h1, and saves a screenshot.
func checkPage(t *testing.T, ctx context.Context, name string, width int64) {
	t.Helper()
	what := name + " at " + strconv.FormatInt(width, 10) + " px"
	if w := browsertest.Eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > width {
		t.Errorf("%s is %d px wide: it scrolls sideways", what, w)
	}
	if n := browsertest.Eval[int64](t, ctx, `document.querySelectorAll("h1").length`); n != 1 {
		t.Errorf("%s has %d h1", what, n)
	}
	if res := browsertest.Axe(t, ctx, "../node_modules/axe-core/axe.min.js"); res != "" {
		t.Errorf("axe-core on %s:\n%s", what, res)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shots := filepath.Join("..", "build", "screenshots")
	os.MkdirAll(shots, 0o755)
	os.WriteFile(filepath.Join(shots, "admin-"+name+"-"+strconv.FormatInt(width, 10)+".png"), png, 0o644)
}

// TestDashboardInBrowser uses the dashboard in Chromium at a phone's width
// and a desktop's, from the keyboard: log in, read the overview, open a
// lead, retry a dead webhook, log out. Every page passes axe-core, does
// not scroll sideways and has one h1.
func TestDashboardInBrowser(t *testing.T) {
	f := newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: "https://crm.example/hooks/winnow", Secret: "x"}},
		func(c *worker.Config) { c.Client = refusing{}; c.Limits.MaxAttempts = 2 })
	// Leads over three months, moved on by sales through the API.
	for i, who := range []string{"Ana Maria Souza", "Bo Lindqvist", "Chidi Okafor", "Dana Weiß"} {
		fields := ana()
		fields["name"], fields["email"] = who, "lead"+strconv.Itoa(i)+"@northwind.io"
		if i == 3 {
			fields["seats"], fields["timeline"] = "40", "this_quarter"
		}
		id := f.submit(t, "key-browser-"+strconv.Itoa(i), fields)["id"].(string)
		if i%2 == 0 {
			f.postEvent(t, id, map[string]string{"signal": "sales_accepted", "actor": "jo@sales", "note": "called back, keen"})
		}
		f.clock.Advance(20 * 24 * time.Hour)
	}
	// Two webhooks die: their target refuses every attempt.
	for dead := 0; dead < 2; {
		d, err := f.h.Deliver(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		dead += d.Dead
		f.clock.Advance(time.Hour)
	}

	ctx := browsertest.Start(t, 3*time.Minute)
	for _, width := range []int64{320, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(f.srv.URL+"/admin")); err != nil {
			t.Fatal(err)
		}
		checkPage(t, ctx, "login", width)
		tabTo(t, ctx, "#token")
		if err := chromedp.Do(ctx, chromedp.KeyEvent("tok")); err != nil {
			t.Fatal(err)
		}
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the overview after logging in", `document.querySelector("h1")?.textContent === "Funnel overview"`)
		if browsertest.Eval[int64](t, ctx, `document.querySelectorAll("figure.chart svg[role=img]").length`) != 2 {
			t.Error("the overview does not show its two charts")
		}
		if w := browsertest.Eval[float64](t, ctx, `document.querySelector("figure.chart svg").getBoundingClientRect().width`); w > float64(width) || w < 200 {
			t.Errorf("at %d px the funnel chart is %v px wide", width, w)
		}
		checkPage(t, ctx, "overview", width)

		tabTo(t, ctx, `a[href^="/admin/leads/"]`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "a lead's page", `location.pathname.startsWith("/admin/leads/") && document.readyState === "complete" && !!document.querySelector("[aria-label=Reasons]")`)
		checkPage(t, ctx, "lead", width)

		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/admin")); err != nil {
			t.Fatal(err)
		}
		before := browsertest.Eval[int64](t, ctx, `document.querySelectorAll("form[action$='/retry']").length`)
		tabTo(t, ctx, `form[action$="/retry"] button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the status after a retry", `!!document.querySelector("[role=status]")?.textContent.includes("is back in the queue")`)
		if after := browsertest.Eval[int64](t, ctx, `document.querySelectorAll("form[action$='/retry']").length`); after != before-1 {
			t.Errorf("after a retry %d dead webhooks are listed, want %d", after, before-1)
		}
		checkPage(t, ctx, "retried", width)

		tabTo(t, ctx, `form[action="/admin/logout"] button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the login form after logging out", `!!document.querySelector("#token")`)
	}
}

// TestDashboardLeadInBrowser opens the page of a lead with a whole life
// (an override, an outcome, decay) at a phone's width and a desktop's, in
// light and dark: it passes axe-core with its score history table open,
// does not scroll sideways, and its chart fits the screen.
func TestDashboardLeadInBrowser(t *testing.T) {
	f, ana, _ := lifeFixture(t)
	ctx := browsertest.Start(t, 3*time.Minute)
	page := f.srv.URL + "/admin/leads/" + ana
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	tabTo(t, ctx, "#token")
	if err := chromedp.Do(ctx, chromedp.KeyEvent("tok")); err != nil {
		t.Fatal(err)
	}
	press(t, ctx, "\r")
	browsertest.WaitFor(t, ctx, "the lead's page after logging in", `!!document.querySelector("figure.life svg[role=img]")`)
	for _, c := range []struct {
		width int64
		dark  bool
	}{{320, false}, {1280, false}, {320, true}, {1280, true}} {
		scheme := "light"
		if c.dark {
			scheme = "dark"
		}
		media := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia,
				emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			return err
		})
		err := chromedp.Do(ctx, chromedp.EmulateViewport(c.width, 900), media, chromedp.Navigate(page))
		if err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the lead's page", `document.readyState === "complete" && !!document.querySelector("figure.life svg[role=img]")`)
		if !browsertest.Eval[bool](t, ctx, `matchMedia("(prefers-color-scheme: `+scheme+`)").matches`) {
			t.Fatalf("the page is not in the %s scheme", scheme)
		}
		if w := browsertest.Eval[float64](t, ctx, `document.querySelector("figure.life svg").getBoundingClientRect().width`); w > float64(c.width) || w < 250 {
			t.Errorf("at %d px the chart is %v px wide", c.width, w)
		}
		browsertest.Eval[bool](t, ctx, `document.querySelectorAll("details").forEach(d => d.open = true), true`)
		checkPage(t, ctx, "lead-life-"+scheme, c.width)
	}
}

// TestModelCheckInBrowser opens the model check, with 300 leads that have
// an outcome, at phones' widths and a desktop's, in light and dark: it
// passes axe-core, does not scroll sideways, and its patch is a link the
// keyboard reaches.
func TestModelCheckInBrowser(t *testing.T) {
	checker := modelcheck.Checker{Max: 250, Patch: func(s *backtest.Suggestion, note string) ([]byte, error) {
		return []byte(note + "\n--- a/content/scoring.yaml\n+++ b/content/scoring.yaml\n"), nil
	}}
	f := newFixture(t, nil, func(c *worker.Config) { checker.Now = c.Now; c.ModelCheck = checker })
	if err := f.h.Import(context.Background(), decidedLives(300)); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Start(t, 3*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(f.srv.URL+"/admin/model")); err != nil {
		t.Fatal(err)
	}
	tabTo(t, ctx, "#token")
	if err := chromedp.Do(ctx, chromedp.KeyEvent("tok")); err != nil {
		t.Fatal(err)
	}
	press(t, ctx, "\r")
	browsertest.WaitFor(t, ctx, "the model check after logging in", `document.querySelector("h1")?.textContent === "Model check"`)
	for _, c := range []struct {
		width int64
		dark  bool
	}{{320, false}, {390, false}, {1280, false}, {320, true}, {1280, true}} {
		scheme := "light"
		if c.dark {
			scheme = "dark"
		}
		media := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia,
				emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			return err
		})
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(c.width, 900), media, chromedp.Navigate(f.srv.URL+"/admin/model")); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the model check", `document.readyState === "complete" && !!document.querySelector("a[href='/admin/model.patch']")`)
		checkPage(t, ctx, "model-"+scheme, c.width)
	}
	tabTo(t, ctx, `a[href="/admin/model.patch"]`)
}

// TestPeopleInBrowser manages people in Chromium at a phone's width and a
// desktop's, from the keyboard, without JavaScript of the page's own:
// an admin (the admin token) adds a person, makes them a login link and
// opens their account; the person opens the link, logs in with its
// button, sets a password, logs out and logs in with it. Every page
// passes axe-core, does not scroll sideways and has one h1.
func TestPeopleInBrowser(t *testing.T) {
	f := newFixture(t, nil, nil)
	ctx := browsertest.Start(t, 3*time.Minute)
	typeInto := func(sel, text string) {
		t.Helper()
		tabTo(t, ctx, sel)
		if err := chromedp.Do(ctx, chromedp.KeyEvent(text)); err != nil {
			t.Fatal(err)
		}
	}
	for _, width := range []int64{320, 1280} {
		w := strconv.FormatInt(width, 10)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(f.srv.URL+"/admin/people")); err != nil {
			t.Fatal(err)
		}
		typeInto("#token", "tok")
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the people page", `document.querySelector("h1")?.textContent === "People"`)
		checkPage(t, ctx, "people", width)

		typeInto("#add-email", "jo"+w+"@example.com")
		typeInto("#add-name", "Jo Sales")
		tabTo(t, ctx, "#add-role")
		press(t, ctx, "s") // from viewer to sales, as typing picks an option
		tabTo(t, ctx, `form[action="/admin/people"] button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the person's page", `location.pathname.startsWith("/admin/people/") && document.readyState === "complete"`)
		if role := browsertest.Eval[string](t, ctx, `document.querySelector("#role").value`); role != "sales" {
			t.Errorf("the person was added as %q, want sales", role)
		}
		checkPage(t, ctx, "person", width)

		tabTo(t, ctx, `form[action$="/link"] button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the login link", `!!document.querySelector("#link")`)
		checkPage(t, ctx, "person-link", width)
		link := browsertest.Eval[string](t, ctx, `document.querySelector("#link").value`)

		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/admin/account")); err != nil {
			t.Fatal(err)
		}
		checkPage(t, ctx, "account-token", width)
		tabTo(t, ctx, `form[action="/admin/logout"] button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the login form after logging out", `!!document.querySelector("#token")`)

		if err := chromedp.Do(ctx, chromedp.Navigate(link)); err != nil {
			t.Fatal(err)
		}
		checkPage(t, ctx, "link", width)
		tabTo(t, ctx, `form[action="/admin/link"] button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the account page", `location.pathname === "/admin/account" && !!document.querySelector("#new-password")`)
		checkPage(t, ctx, "account", width)
		typeInto("#new-password", "correct horse battery")
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the password set", `!!document.querySelector("[role=status]")?.textContent.includes("Your password is set")`)

		tabTo(t, ctx, `form[action="/admin/logout"] button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the login form", `!!document.querySelector("#email")`)
		typeInto("#email", "jo"+w+"@example.com")
		typeInto("#password", "correct horse batterx")
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the refusal", `!!document.querySelector("#password-error")`)
		checkPage(t, ctx, "login-refused", width)
		typeInto("#password", "correct horse battery")
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the overview", `document.querySelector("h1")?.textContent === "Funnel overview"`)
		if who := browsertest.Eval[string](t, ctx, `document.querySelector(".who a").textContent`); who != "Signed in as jo"+w+"@example.com" {
			t.Errorf("the header says %q", who)
		}
		tabTo(t, ctx, `form[action="/admin/logout"] button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the login form", `!!document.querySelector("#email")`)
	}
}

// TestQueueInBrowser works a queue in Chromium at a phone's width and a
// desktop's, from the keyboard alone and without a script of the page's
// own: accept the first lead, record an activity on the next, open the
// other forms of a row. The queue passes axe-core with its rows' forms
// folded and unfolded, and does not scroll sideways: at 320 px its rows
// are cards.
func TestQueueInBrowser(t *testing.T) {
	f := queueFixture(t)
	for i := range 6 {
		id := f.submit(t, "key-queue-browser-"+strconv.Itoa(i), steady(i))["id"].(string)
		if o := f.owned(t, id); o.Owner != "Anna Schmidt" {
			f.postEvent(t, id, map[string]string{"reassign": "Anna Schmidt", "actor": "jo"})
		}
		f.clock.Advance(4 * time.Hour)
	}
	f.clock.Advance(5 * 24 * time.Hour) // every lead is overdue
	queue := f.srv.URL + "/admin/queue?owner=Anna+Schmidt"
	ctx := browsertest.Start(t, 3*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(queue)); err != nil {
		t.Fatal(err)
	}
	tabTo(t, ctx, "#token")
	if err := chromedp.Do(ctx, chromedp.KeyEvent("tok")); err != nil {
		t.Fatal(err)
	}
	press(t, ctx, "\r")
	browsertest.WaitFor(t, ctx, "the queue after logging in", `document.querySelector("h1")?.textContent === "Queue of Anna Schmidt"`)
	for _, width := range []int64{320, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(queue)); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, ctx, "the queue", `document.readyState === "complete" && !!document.querySelector("tr.overdue")`)
		checkPage(t, ctx, "queue", width)

		// Accept the first lead.
		first := browsertest.Eval[string](t, ctx, `document.querySelector("tbody th a").textContent`)
		tabTo(t, ctx, `tbody tr:first-child form:first-of-type button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the status after accepting", `!!document.querySelector("[role=status]")?.textContent.startsWith("Accepted `+first+`: it is in SAL")`)

		// Record a call on the lead first now.
		tabTo(t, ctx, `tbody tr:first-child select[name=activity]`)
		press(t, ctx, kb.ArrowDown)
		press(t, ctx, kb.ArrowDown)
		if got := browsertest.Eval[string](t, ctx, `document.activeElement.value`); got != "call" {
			t.Fatalf("the activity chosen from the keyboard is %q, want call", got)
		}
		tabTo(t, ctx, `tbody tr:first-child form:nth-of-type(2) button`)
		press(t, ctx, "\r")
		browsertest.WaitFor(t, ctx, "the status after the call", `!!document.querySelector("[role=status]")?.textContent.startsWith("Recorded an activity on")`)

		// The other forms of a row open from the keyboard.
		tabTo(t, ctx, `tbody tr:first-child summary`)
		press(t, ctx, "\r")
		if !browsertest.Eval[bool](t, ctx, `document.querySelector("tbody tr:first-child details").open`) {
			t.Error("Enter on the summary does not open the row's other forms")
		}
		tabTo(t, ctx, `tbody tr:first-child select[name=reason]`)
		browsertest.Eval[bool](t, ctx, `document.querySelectorAll("details").forEach(d => d.open = true), true`)
		checkPage(t, ctx, "queue-forms", width)
	}
}
