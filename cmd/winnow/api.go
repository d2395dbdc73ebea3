package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/modelcheck"
)

// api is the edge handler running natively: it can take a new model (and
// pages) on every good build, and it runs the delivery and purge jobs on
// tickers, as the edge's cron trigger does.
type api struct {
	db    *sql.DB
	cfg   worker.Config
	h     atomic.Pointer[worker.Handler]
	m     atomic.Pointer[qualify.Model]   // the model h scores with
	r     atomic.Pointer[routing.Routing] // the routing h assigns with
	kicks chan struct{}                   // webhooks were queued: deliver now
	// content is the content directory the models come from: the
	// dashboard's model check writes its patch of it ("": no patch).
	content string
	// checkMax is how many leads the dashboard's model check reads
	// (WINNOW_MODEL_CHECK_MAX); 0: the check is off.
	checkMax int
}

// newAPI builds the handler's configuration from the environment. Without
// WINNOW_SECRET, the secret is the one kept in the database, made on the
// first start: idempotency keys and rate limits hold across restarts.
func newAPI(ctx context.Context, db *sql.DB, logTo io.Writer) (*api, error) {
	a := &api{db: db, kicks: make(chan struct{}, 1)}
	a.cfg = worker.Config{DB: db, Domains: domains.Full, Dispatch: a.kick,
		Log: slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if err := a.cfg.FromEnv(os.Getenv); err != nil {
		return nil, err
	}
	var err error
	if a.checkMax, err = modelcheck.ParseMax(os.Getenv(modelcheck.MaxEnv), modelcheck.MaxLeads); err != nil {
		return nil, err
	}
	if a.cfg.Secret == "" {
		s, err := worker.StoredSecret(ctx, db)
		if err != nil {
			return nil, err
		}
		a.cfg.Secret = s
	}
	return a, nil
}

// kick wakes the delivery loop: a request has just queued webhooks.
func (a *api) kick(context.Context, []string) {
	select {
	case a.kicks <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// use makes the handler score with model m, assign leads with r (nil:
// none) and render pages with p.
func (a *api) use(m *qualify.Model, r *routing.Routing, p worker.PageSettings) error {
	cfg := a.cfg
	cfg.Model, cfg.Routing, cfg.Page = m, r, p
	if a.checkMax > 0 {
		check := modelcheck.Checker{Max: a.checkMax}
		if a.content != "" {
			check.Patch = contentPatch(a.content, m)
		}
		cfg.ModelCheck = check
	}
	h, err := worker.New(cfg)
	if err != nil {
		return err
	}
	a.h.Store(h)
	a.m.Store(m)
	a.r.Store(r)
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

// run delivers webhooks as soon as a request queues them and every
// interval (retries, and any a request queued while a run was under way);
// every minute it re-scores the leads time has changed, raises the alerts
// and escalations due (worker.Handler.Alerts) and computes the persons of
// leads an earlier release stored; hourly it purges expired personal
// data; until ctx ends.
func (a *api) run(ctx context.Context, interval time.Duration, log io.Writer) {
	deliver := time.NewTicker(interval)
	defer deliver.Stop()
	minute := time.NewTicker(time.Minute)
	defer minute.Stop()
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	complain := func(doing string, err error) {
		if err != nil && ctx.Err() == nil {
			fmt.Fprintln(log, doing+":", err)
		}
	}
	if h := a.h.Load(); h != nil {
		_, err := h.Persons(ctx, 1<<30)
		complain("computing persons", err)
		// An upgraded database, or a model whose stages changed, has its
		// report counted from the events before anything else.
		for done := false; !done && err == nil && ctx.Err() == nil; {
			done, err = h.CountRollups(ctx, time.Minute)
		}
		complain("counting the report's rollups", err)
	}
	for {
		h := a.h.Load()
		select {
		case <-ctx.Done():
			return
		case <-deliver.C:
		case <-a.kicks:
		case <-minute.C:
			if h != nil {
				_, err := h.Rescore(ctx, time.Now())
				complain("re-scoring", err)
				_, err = h.Alerts(ctx, time.Now())
				complain("alerting", err)
				_, err = h.Persons(ctx, 500)
				complain("computing persons", err)
				_, err = h.CountRollups(ctx, time.Minute/2)
				complain("counting the report's rollups", err)
			}
			continue
		case <-purge.C:
			if h != nil {
				_, err := h.Purge(ctx)
				complain("purging", err)
			}
			continue
		}
		if h != nil {
			_, err := h.Deliver(ctx)
			complain("delivering webhooks", err)
		}
	}
}
