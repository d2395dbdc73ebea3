//go:build js && wasm

// Command edge is Winnow's worker on Cloudflare Workers: the handler of
// package worker over D1, with the model and the pages' site-wide parts
// that `winnow build --edge cmd/edge/embed` wrote, and a cron trigger that
// delivers due webhooks and purges expired personal data.
//
// Workers start a new instance for every request and every cron event, so
// main runs each time: it keeps no state of its own between events.
package main

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"time"
	_ "time/tzdata" // workerd has no zoneinfo files: GET /api/report?tz=Europe/Paris needs the zones built in (95 KB gzipped)

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	_ "github.com/syumai/workers/cloudflare/d1" // the "d1" driver

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
)

// binding names the D1 database in wrangler.jsonc.
const binding = "DB"

var (
	//go:embed embed/model.txt
	modelText string
	//go:embed embed/site.json
	siteJSON []byte
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, err := handler(log)
	if err != nil {
		log.Error("the worker cannot start", "err", err)
		cron.ScheduleTaskNonBlock(func(context.Context) error { return err })
		workers.Serve(unavailable())
		return
	}
	// A failed run is logged and fails the cron event (syumai/workers
	// panics on the task's error); the next minute's run tries again.
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		d, derr := h.Deliver(ctx)
		if derr != nil {
			log.Error("delivering webhooks", "err", derr)
		}
		if d.Failed > 0 || d.Dead > 0 {
			log.Warn("webhooks", "delivered", d.Delivered, "failed", d.Failed, "dead", d.Dead)
		}
		_, perr := h.Purge(ctx)
		if perr != nil {
			log.Error("purging", "err", perr)
		}
		return errors.Join(derr, perr)
	})
	workers.Serve(h)
}

// handler builds the worker's handler from the embedded model and pages,
// the D1 binding and the Worker's vars and secrets.
func handler(log *slog.Logger) (*worker.Handler, error) {
	m, err := qualify.Decode(modelText)
	if err != nil {
		return nil, errors.New("embedded model: " + err.Error())
	}
	var page worker.PageSettings
	if err := json.Unmarshal(siteJSON, &page); err != nil {
		return nil, errors.New("embedded site.json: " + err.Error())
	}
	db, err := sql.Open("d1", binding)
	if err != nil {
		return nil, err
	}
	d1 := cloudflare.GetBinding(binding)
	if d1.IsUndefined() {
		return nil, errors.New("no D1 binding " + binding + " in the Worker's environment")
	}
	cfg := worker.Config{
		DB:       db,
		Batch:    d1Batch(d1),
		Model:    m,
		Domains:  domains.Full,
		Page:     page,
		IPHeader: "CF-Connecting-IP",
		Client:   fetcher{timeout: 10 * time.Second},
		Log:      log,
	}
	if err := cfg.FromEnv(cloudflare.Getenv); err != nil {
		return nil, err
	}
	return worker.New(cfg)
}

// unavailable answers every request with 503 when the worker cannot
// start; the Worker's log says why.
func unavailable() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		worker.SecurityHeaders(w.Header())
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"code":"unavailable","message":"the worker is misconfigured: its log says why"}` + "\n"))
	})
}
