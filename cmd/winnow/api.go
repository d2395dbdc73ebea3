package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
)

// api is the edge handler running natively: it can take a new model (and
// pages) on every good build, and it runs the delivery and purge jobs on
// tickers, as the edge's cron trigger does.
type api struct {
	db  *sql.DB
	cfg worker.Config
	h   atomic.Pointer[worker.Handler]
	m   atomic.Pointer[qualify.Model] // the model h scores with
}

// newAPI builds the handler's configuration from the environment.
func newAPI(db *sql.DB, logTo io.Writer) (*api, error) {
	cfg := worker.Config{DB: db, Domains: domains.Full, Log: slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if err := cfg.FromEnv(os.Getenv); err != nil {
		return nil, err
	}
	if cfg.Secret == "" {
		// Rate-limit hashes only need to be stable for one window.
		cfg.Secret = fmt.Sprintf("%x", time.Now().UnixNano())
	}
	return &api{db: db, cfg: cfg}, nil
}

// use makes the handler score with model m and render pages with p.
func (a *api) use(m *qualify.Model, p worker.PageSettings) error {
	cfg := a.cfg
	cfg.Model, cfg.Page = m, p
	h, err := worker.New(cfg)
	if err != nil {
		return err
	}
	a.h.Store(h)
	a.m.Store(m)
	return nil
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := a.h.Load()
	if h == nil {
		http.Error(w, "the API starts with the first good build", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

// run delivers due webhooks every interval and purges expired personal
// data hourly, until ctx ends.
func (a *api) run(ctx context.Context, interval time.Duration, log io.Writer) {
	deliver := time.NewTicker(interval)
	defer deliver.Stop()
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-deliver.C:
			if h := a.h.Load(); h != nil {
				if _, err := h.Deliver(ctx); err != nil && ctx.Err() == nil {
					fmt.Fprintln(log, "delivering webhooks:", err)
				}
			}
		case <-purge.C:
			if h := a.h.Load(); h != nil {
				if _, err := h.Purge(ctx); err != nil && ctx.Err() == nil {
					fmt.Fprintln(log, "purging:", err)
				}
			}
		}
	}
}

// isAPI reports whether a request is for the worker (the API and the
// admin dashboard) rather than the site.
func isAPI(r *http.Request) bool {
	p := r.URL.Path
	return p == "/healthz" || strings.HasPrefix(p, "/api/") || p == "/admin" || strings.HasPrefix(p, "/admin/")
}
