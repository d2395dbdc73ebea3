package blackbox_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/blackbox"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/modelcheck"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// TestNative runs the suite against the handler over a SQLite file.
func TestNative(t *testing.T) {
	content, diags := content.Load(os.DirFS("../../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "winnow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec, hs := blackbox.NewReceiver(t), blackbox.NewHubSpot(t)
	env := blackbox.Env(rec, hs)
	// The routing and the forms' pages as winnow serve uses them (cmd/winnow
	// api.use).
	page := worker.PageSettings{FormURL: "/signup/", Forms: map[string]string{}}
	for _, f := range content.Forms {
		page.Forms[f.Name] = f.Path
		if slices.Contains(f.Aliases, "/signup/") {
			page.FormURL = f.Path // the form that took over /signup/
		}
	}
	cfg := worker.Config{DB: db, Model: content.Model, Routing: content.Routing, Domains: domains.Full, Page: page}
	if err := cfg.FromEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	// The model check as winnow serve (and the edge) run it, with the
	// patch of the content's files named from the directory above it.
	scoring, err := os.ReadFile("../../content/scoring.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fields, err := os.ReadFile("../../content/fields.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files := backtest.PatchFiles{Scoring: scoring, Fields: fields, ScoringPath: "content/scoring.yaml", FieldsPath: "content/fields.yaml"}
	cfg.ModelCheck = modelcheck.Checker{Patch: modelcheck.SourcePatch(files, content.Model)}
	h, err := worker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	blackbox.Run(t, blackbox.Server{URL: srv.URL, Direct: srv.URL, AdminToken: blackbox.AdminToken, Receiver: rec, HubSpot: hs,
		Deliver: func(t *testing.T) {
			if _, err := h.Deliver(ctx); err != nil {
				t.Fatal(err)
			}
		},
		Scheduled: func(t *testing.T, at time.Time) {
			if err := h.Scheduled(ctx, at); err != nil {
				t.Fatal(err)
			}
		}})
}
