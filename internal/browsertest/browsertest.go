// Package browsertest starts headless Chromium for the tests that check
// pages in a real browser (the site, the widget, the admin dashboard) and
// runs axe-core in it. Only tests import it.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Chromium is Debian's Chromium, which .ci/run installs.
const Chromium = "/usr/bin/chromium"

// Start starts headless Chromium for a test, which it stops when the test
// ends, and returns a context of a blank page that gives up after
// timeout. Focus is emulated: a headless page has none otherwise, and
// focusing an element fires no focus events, as in a window in the
// background. The test fails, rather than skips, when Chromium is
// missing.
func Start(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	if _, err := exec.LookPath(Chromium); err != nil {
		t.Fatalf("%s is missing: install Debian's chromium (.ci/run does)", Chromium)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel3)
	focus := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), focus); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// Axe runs axe-core (the script at path, from node_modules) on the page as
// it is and returns its violations, one a line with the elements each is
// about; "" when there are none. The test fails when axe-core is missing.
func Axe(t testing.TB, ctx context.Context, path string) string {
	t.Helper()
	axe, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run npm ci (.ci/run does)", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(axe)+";null")); err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => v.id + ": " + v.help + " " + v.nodes.map(n => n.target.join(" ")).join(", ")).join("\n"))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Eval runs a script in the page, awaiting it if it is a promise, and
// returns its value; the test fails if the script throws.
func Eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// WaitFor polls a script until it is true, for at most 20 seconds. A poll
// that meets a page being replaced (a form submitted the plain way, a
// link followed) is tried again; the last error is reported if the script
// never comes true.
func WaitFor(t testing.TB, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if ctx.Err() != nil {
			break
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: still not true after 20 s: %s (last error: %v)", what, js, last)
}
