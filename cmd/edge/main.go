//go:build js && wasm

// Command edge is Winnow's worker on Cloudflare Workers: the handler of
// package worker over D1, with the model, the routing, the pages'
// site-wide parts and the model's scoring and fields files (for the
// dashboard's model check) that `winnow build --edge cmd/edge/embed` wrote. One program serves
// every event of its isolate (runtime.mjs, runtime.go): fetch, the cron
// trigger (due webhooks, expired personal data) and, where the Worker
// binds a queue, the queue of webhooks to deliver.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall/js"
	"time"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/modelcheck"
)

// Bindings named in wrangler.jsonc.
const (
	dbBinding    = "DB"
	queueBinding = "DELIVERIES" // optional: without it the cron trigger delivers
)

var (
	//go:embed embed/model.txt
	modelText string
	//go:embed embed/site.json
	siteJSON []byte
	//go:embed embed/source.json
	sourceJSON []byte
	//go:embed embed/routing.json
	routingJSON []byte // null when the content has no routing
)

// checkMax is how many of the most recent leads with an outcome the
// dashboard's model check reads at the edge, unless WINNOW_MODEL_CHECK_MAX
// says otherwise: a Worker's request has 30 s of CPU by default on the
// paid plan, and one program's memory is bounded below 128 MB.
const checkMax = 5000

func main() {
	// The program serves its isolate's events for as long as the isolate
	// lives, its live heap a few megabytes: collecting at four times that,
	// not twice, halves the collector's work, and the limit keeps the heap
	// well inside the isolate's 128 MB.
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(64 << 20)
	rt := js.Global().Get("winnowRuntime") // set by worker.mjs while the program starts
	log := &consoleLog{}
	w, err := newWorker(rt.Get("env"), log)
	if err != nil {
		log.Error("the worker cannot start", "err", err)
		rt.Call("register", js.ValueOf(map[string]any{
			"fetch":     handlerFunc(func(e *event) { unavailable(e) }),
			"scheduled": handlerFunc(func(e *event) { e.send("respond", "the worker is misconfigured: "+err.Error()); e.end() }),
			"queue":     handlerFunc(func(e *event) { e.send("respond", nil); e.end() }),
		}))
		select {}
	}
	rt.Call("register", js.ValueOf(map[string]any{
		"fetch":     serveFetch(w, log),
		"scheduled": handlerFunc(w.scheduled),
		"queue":     handlerFunc(w.queue),
	}))
	select {} // events arrive through the registered handlers
}

// edgeWorker is the worker.Handler of this instance, built on its first
// event: the secret may have to be read from D1, which only an event can do.
type edgeWorker struct {
	cfg     worker.Config
	zones   func(ctx context.Context, name string) (*time.Location, error)
	queued  bool // the Worker binds the queue of deliveries
	started time.Time

	mu     sync.Mutex
	h      *worker.Handler
	events int
}

// newWorker reads the embedded model and pages and the Worker's vars.
func newWorker(env js.Value, log *consoleLog) (*edgeWorker, error) {
	m, err := qualify.Decode(modelText)
	if err != nil {
		return nil, errors.New("embedded model: " + err.Error())
	}
	var page worker.PageSettings
	if err := json.Unmarshal(siteJSON, &page); err != nil {
		return nil, errors.New("embedded site.json: " + err.Error())
	}
	var source backtest.PatchFiles
	if err := json.Unmarshal(sourceJSON, &source); err != nil {
		return nil, errors.New("embedded source.json: " + err.Error())
	}
	if !env.Get(dbBinding).Truthy() {
		return nil, errors.New("no D1 binding " + dbBinding + " in the Worker's environment")
	}
	a := &assets{}
	cfg := worker.Config{
		DB:       openD1(dbBinding),
		Batch:    d1Batch(dbBinding),
		Model:    m,
		Domains:  &domainLists{assets: a},
		Zones:    a.zone,
		Page:     page,
		IPHeader: "CF-Connecting-IP",
		Client:   fetcher{timeout: 10 * time.Second},
		Log:      log,
	}
	// Workers allow six connections open at once per event.
	cfg.Limits.Concurrency = 6
	get := func(name string) string {
		if v := env.Get(name); v.Type() == js.TypeString {
			return v.String()
		}
		return ""
	}
	if err := cfg.FromEnv(get); err != nil {
		return nil, err
	}
	// The model check of the dashboard, with the patch of the embedded
	// files: kept by the handler until D1 holds a new outcome (a new
	// model is a new deployment, and a new program).
	leads, err := modelcheck.ParseMax(get(modelcheck.MaxEnv), checkMax)
	if err != nil {
		return nil, err
	}
	if leads > 0 {
		cfg.ModelCheck = modelcheck.Checker{Max: leads, Patch: modelcheck.SourcePatch(source, m)}
	}
	w := &edgeWorker{cfg: cfg, zones: a.zone, started: time.Now()}
	if q := env.Get(queueBinding); q.Truthy() {
		w.queued = true
		w.cfg.Dispatch = w.dispatch
	}
	return w, nil
}

// handler returns the instance's handler, building it on the first call.
func (w *edgeWorker) handler(ctx context.Context) (*worker.Handler, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events++
	if w.h != nil {
		return w.h, nil
	}
	cfg := w.cfg
	if cfg.Secret == "" {
		s, err := worker.StoredSecret(ctx, cfg.DB)
		if err != nil {
			return nil, err
		}
		cfg.Secret = s
	}
	if cfg.Routing == nil {
		// The routing's time zones are read from the site, which only an
		// event can do: built with the handler, once per instance.
		r, err := routing.Decode(routingJSON, cfg.Model, func(name string) (*time.Location, error) {
			return w.zones(ctx, name)
		})
		if err != nil {
			return nil, errors.New("embedded routing.json: " + err.Error())
		}
		cfg.Routing = r
	}
	cfg.Instance = w.instance
	h, err := worker.New(cfg)
	if err != nil {
		return nil, err
	}
	w.h = h
	return h, nil
}

// instance says how long this program has served and how many events.
func (w *edgeWorker) instance() worker.Instance {
	w.mu.Lock()
	defer w.mu.Unlock()
	return worker.Instance{Started: w.started, Events: w.events}
}

// ServeHTTP serves a fetch event.
func (w *edgeWorker) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	h, err := w.handler(r.Context())
	if err != nil {
		w.cfg.Log.Error("the worker cannot start", "err", err)
		worker.Unavailable(rw, "the worker cannot start just now: its log says why")
		return
	}
	h.ServeHTTP(rw, r)
}

// scheduled runs the cron trigger as of its scheduled time: deliver what
// is due, re-score the leads time has changed, purge what has expired
// (worker.Handler.Scheduled). Its failure fails the cron event, and the
// next one tries again.
func (w *edgeWorker) scheduled(e *event) {
	defer e.end()
	ctx := e.context()
	at := time.Now()
	if t := e.port.Get("time"); t.Type() == js.TypeNumber {
		at = time.UnixMilli(int64(t.Float()))
	}
	h, err := w.handler(ctx)
	if err == nil {
		err = h.Scheduled(ctx, at)
	}
	if err != nil {
		w.cfg.Log.Error("scheduled", "err", err)
		e.send("respond", err.Error())
	}
}

// queue delivers the webhooks whose outbox ids a batch carries. A failed
// delivery is the outbox's to retry (the cron trigger does); only when the
// database fails is the whole batch retried by the queue.
func (w *edgeWorker) queue(e *event) {
	defer e.end()
	ctx := e.context()
	msgs := e.port.Get("messages")
	ids := make([]string, msgs.Length())
	for i := range ids {
		ids[i] = msgs.Index(i).Index(1).String()
	}
	h, err := w.handler(ctx)
	if err == nil {
		_, err = h.DeliverIDs(ctx, ids)
	}
	if err != nil {
		w.cfg.Log.Error("delivering from the queue", "err", err)
		retry := make([]any, len(ids))
		for i := range ids {
			retry[i] = []any{i, 30}
		}
		e.send("respond", retry)
	}
}

// dispatch queues the outbox rows a request has just committed, after its
// response: the cron trigger's sweep delivers any whose message is lost.
func (w *edgeWorker) dispatch(ctx context.Context, ids []string) {
	e, err := eventOf(ctx)
	if err != nil {
		return
	}
	e.after(func() {
		bodies := make([]any, len(ids))
		for i, id := range ids {
			bodies[i] = id
		}
		if _, err := e.call("send", queueBinding, bodies); err != nil {
			w.cfg.Log.Warn("queueing webhooks: the cron trigger will deliver them", "err", err)
		}
	})
}

// unavailable answers a fetch with 503 when the worker cannot start.
func unavailable(e *event) {
	defer e.end()
	w := &responseWriter{e: e, header: http.Header{}}
	worker.Unavailable(w, "the worker is misconfigured: its log says why")
	w.finish()
}

// consoleLog writes "level msg key=value ..." lines to the console (the
// Worker's logs); Info is dropped.
type consoleLog struct{}

func (consoleLog) Info(string, ...any) {}
func (l consoleLog) Warn(msg string, args ...any) {
	js.Global().Get("console").Call("warn", line("WARN", msg, args))
}
func (l consoleLog) Error(msg string, args ...any) {
	js.Global().Get("console").Call("error", line("ERROR", msg, args))
}

func line(level, msg string, args []any) string {
	s := level + " " + msg
	for i := 0; i+1 < len(args); i += 2 {
		k, _ := args[i].(string)
		s += " " + k + "=" + strconv.Quote(text(args[i+1]))
	}
	return s
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case error:
		return v.Error()
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case interface{ String() string }:
		return v.String()
	}
	return "?"
}
