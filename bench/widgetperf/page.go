package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// probe is evaluated in the page before any of its own scripts. It keeps
// in self.__wp what the run reads at its end; every time is in ms of
// performance.now() (from the start of the navigation).
//
//   - fcp, lcp: the first-contentful-paint and the last
//     largest-contentful-paint entry;
//   - cls: the sum of layout-shift entries without recent input;
//   - long: every long task as [start, duration];
//   - focus: the first focusin; ready: when the form got data-winnow-ready;
//   - keys: for each keystroke, from the keydown event's time stamp to the
//     end of the first frame after its input event: a message posted from
//     our animation frame callback is handled only after that frame;
//   - verdict: for each keystroke, from its keydown to the end of the
//     frame in which the widget's next evaluation ran and painted (the
//     widget evaluates in animation frame callbacks);
//   - work: the duration of every animation frame callback that anyone
//     but this probe requested (the widget's evaluations).
const probe = `(() => {
  const w = (self.__wp = { fcp: 0, lcp: 0, cls: 0, long: [], focus: 0, ready: 0, keys: [], verdict: [], work: [] });
  const observe = (type, each) => {
    try {
      new PerformanceObserver((l) => l.getEntries().forEach(each)).observe({ type, buffered: true });
    } catch (e) {}
  };
  observe("paint", (e) => { if (e.name === "first-contentful-paint") w.fcp = e.startTime; });
  observe("largest-contentful-paint", (e) => { w.lcp = e.startTime; });
  observe("layout-shift", (e) => { if (!e.hadRecentInput) w.cls += e.value; });
  observe("longtask", (e) => { w.long.push([e.startTime, e.duration]); });
  addEventListener("focusin", () => { if (!w.focus) w.focus = performance.now(); }, true);
  let ready;
  w.readyP = new Promise((r) => (ready = r));
  new MutationObserver(() => {
    if (!w.ready && document.querySelector("form[data-winnow-ready]")) {
      w.ready = performance.now();
      ready(true);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-winnow-ready"] });
  const raf = requestAnimationFrame.bind(self);
  // The widget evaluates in an animation frame callback: time each, and
  // take the keystrokes typed before it as the ones it paints.
  let waiting = [];
  self.requestAnimationFrame = (cb) => raf((t) => {
    const s = performance.now(), ks = waiting.splice(0);
    try { cb(t); } finally {
      w.work.push(performance.now() - s);
      // Posted within this frame: handled once it has been painted.
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { const end = performance.now(); ks.forEach((t0) => w.verdict.push(end - t0)); };
      ch.port2.postMessage(0);
    }
  });
  // After a frame: a message posted in an animation frame callback is
  // handled once that frame has been painted.
  const afterFrame = (done) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => done(performance.now());
    raf(() => ch.port2.postMessage(0));
  };
  let down = null;
  addEventListener("keydown", (e) => { down = e.timeStamp; }, true);
  // Capturing: before the form's own listeners, the widget's among them.
  addEventListener("input", () => {
    if (down === null) return;
    const t0 = down;
    down = null;
    waiting.push(t0);
    afterFrame((t) => w.keys.push(t - t0));
  }, true);
  w.until = (t) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));
  w.loaded = () => new Promise((r) => {
    const end = () => performance.getEntriesByType("navigation")[0].loadEventEnd;
    if (document.readyState === "complete" && end() > 0) r(end());
    else addEventListener("load", () => setTimeout(() => r(end())));
  });
})()`

// pageData is what one run reads from the probe.
type pageData struct {
	FCP     float64      `json:"fcp"`
	LCP     float64      `json:"lcp"`
	CLS     float64      `json:"cls"`
	Long    [][2]float64 `json:"long"`
	Focus   float64      `json:"focus"`
	Ready   float64      `json:"ready"`
	Load    float64      `json:"load"`
	Keys    []float64    `json:"keys"`
	Verdict []float64    `json:"verdict"`
	Work    []float64    `json:"work"`
}

const readData = `(async () => { const w = self.__wp; return { fcp: w.fcp, lcp: w.lcp, cls: w.cls, long: w.long,
  focus: w.focus, ready: w.ready, load: await w.loaded(), keys: w.keys, verdict: w.verdict, work: w.work } })()`

// blocking is the total blocking time of the long tasks within [from, to):
// the part of each task over 50 ms, counting only the task's part inside
// the window, as Lighthouse clips tasks at FCP.
func (d *pageData) blocking(from, to float64) float64 {
	total := 0.0
	for _, t := range d.Long {
		s, e := max(t[0], from), min(t[0]+t[1], to)
		if e-s > 50 {
			total += e - s - 50
		}
	}
	return total
}

// profile is the emulated device and network.
type profile struct {
	name string
	cpu  float64 // CPU slowdown; 1: none
	// Network: latency added to each request (ms), downlink throughput in
	// bytes/s; zero latency: not throttled. The requests are small: the
	// uplink is not emulated.
	latency, down float64
}

// The mid-range phone of Lighthouse's mobile preset ("slow 4G", devtools
// throttling): RTT 150 ms × 3.75, throughput 1.6 Mbit/s × 0.9 down
// (kbit = 1,024 bits, as Lighthouse counts), and a 4× slower CPU.
var (
	slow4G     = profile{name: "slow4g-cpu4", cpu: 4, latency: 150 * 3.75, down: 1.6 * 1024 * 0.9 * 1024 / 8}
	unthrottle = profile{name: "unthrottled", cpu: 1}
)

// setup prepares a fresh tab, in a fresh browser context (a cold cache):
// the phone's screen (Lighthouse's mobile one: 412×823 CSS px at 1.75),
// focus events in a headless page, the profile's throttling, and the probe.
func setup(ctx context.Context, p profile) error {
	steps := []chromedp.Action[chromedp.Void]{
		call(network.Enable, network.EnableParams{}),
		call(emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}),
		call(emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: 412, Height: 823, DeviceScaleFactor: 1.75, Mobile: true}),
		call(page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: probe}),
	}
	emulated.set(p) // at the server: see link
	if p.cpu > 1 {
		steps = append(steps, call(emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: p.cpu}))
	}
	return chromedp.Do(ctx, steps...)
}

// call is one raw protocol command as an action.
func call[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	})
}

// await evaluates a script in the page, waiting for its promise.
func await[T any](ctx context.Context, js string) (T, error) {
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", js, err)
	}
	return v, nil
}

// Typed into the form one key at a time, at a fast typist's pace.
const (
	typedName    = "Ana Beatriz Carvalho de Oliveira Souza L"
	typedCompany = "Northwind Software and Data Services Ltd"
	keyGap       = 120 * time.Millisecond
)

// typeText types text into the focused control, each key as one keydown
// that carries its text (keydown, keypress and input in one task, as a
// physical key gives) and a keyup.
func typeText(ctx context.Context, text string) error {
	for _, r := range text {
		var down, up input.DispatchKeyEventParams
		if k, ok := kb.Keys[r]; ok {
			down = input.DispatchKeyEventParams{Key: k.Key, Code: k.Code, WindowsVirtualKeyCode: k.Windows, NativeVirtualKeyCode: k.Native}
			if k.Shift {
				down.Modifiers = int64(kb.ModifierShift)
			}
		} else {
			down = input.DispatchKeyEventParams{Key: string(r)}
		}
		up = down
		down.Type, down.Text, down.UnmodifiedText = input.DispatchKeyEventTypeKeyDown, string(r), string(r)
		up.Type = input.DispatchKeyEventTypeKeyUp
		if err := chromedp.Do(ctx, call(input.DispatchKeyEvent, down), call(input.DispatchKeyEvent, up)); err != nil {
			return err
		}
		time.Sleep(keyGap)
	}
	return nil
}

// focusRun loads the page, focuses the name field 2 s after load (the
// first interaction), waits until 5 s after it (and 1 s after the widget
// is ready, if that is later), then types into the name and company
// fields.
func focusRun(ctx context.Context, p profile, url string, widget bool) (*pageData, error) {
	if err := setup(ctx, p); err != nil {
		return nil, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return nil, err
	}
	if _, err := await[any](ctx, `__wp.loaded().then((t) => __wp.until(t + 2000))`); err != nil {
		return nil, err
	}
	if _, err := await[any](ctx, `document.querySelector("#f-name").focus()`); err != nil {
		return nil, err
	}
	if widget {
		ok, err := await[bool](ctx, `Promise.race([__wp.readyP, __wp.until(__wp.focus + 60000).then(() => false)])`)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("the widget was not ready 60 s after the first focus")
		}
	}
	if _, err := await[any](ctx, `__wp.until(Math.max(__wp.focus + 5000, __wp.ready && __wp.ready + 1000))`); err != nil {
		return nil, err
	}
	if err := typeText(ctx, typedName); err != nil {
		return nil, err
	}
	if _, err := await[any](ctx, `document.querySelector("#f-company").focus()`); err != nil {
		return nil, err
	}
	time.Sleep(keyGap)
	if err := typeText(ctx, typedCompany); err != nil {
		return nil, err
	}
	time.Sleep(500 * time.Millisecond)
	return await[*pageData](ctx, readData)
}

// idleRun loads the page and leaves it alone for 10 s after load.
func idleRun(ctx context.Context, p profile, url string, widget bool) (*pageData, error) {
	if err := setup(ctx, p); err != nil {
		return nil, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return nil, err
	}
	// The widget's worker prepares the core at idle time; the page runs it
	// only when someone shows interest in the form, so nothing is ready.
	if _, err := await[any](ctx, `__wp.loaded().then((t) => __wp.until(t + 10000))`); err != nil {
		return nil, err
	}
	d, err := await[*pageData](ctx, readData)
	if err == nil && widget && d.Ready != 0 {
		err = fmt.Errorf("the widget ran on the page without any interaction")
	}
	return d, err
}

// printTasks prints the load's long tasks, from the start of the
// navigation, with its milestones.
func (d *pageData) printTasks(w io.Writer, what string) {
	fmt.Fprintf(w, "  %s: FCP %s, load %s", what, ms(d.FCP), ms(d.Load))
	if d.Focus > 0 {
		fmt.Fprintf(w, ", focus %s", ms(d.Focus))
	}
	if d.Ready > 0 {
		fmt.Fprintf(w, ", ready %s", ms(d.Ready))
	}
	fmt.Fprint(w, "; long tasks (start+duration ms):")
	for _, t := range d.Long {
		fmt.Fprintf(w, " %s+%s", ms(t[0]), ms(t[1]))
	}
	fmt.Fprintln(w)
}

func ms(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
