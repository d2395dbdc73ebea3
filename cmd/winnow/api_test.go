package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

// Without WINNOW_SECRET, a restart keeps the secret: a CRM callback's
// idempotency key replayed after the restart is still one event.
func TestSecretSurvivesRestart(t *testing.T) {
	t.Setenv("WINNOW_SECRET", "")
	t.Setenv("WINNOW_ADMIN_TOKEN", "restart-admin-token-0123")
	shipped, diags := content.Load(os.DirFS("../../content"), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "winnow.db")
	serve := func() (*httptest.Server, func()) {
		db, err := sqlitedb.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		a, err := newAPI(ctx, db, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.use(shipped.Model, shipped.Routing, worker.PageSettings{}); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a)
		return srv, func() { srv.Close(); db.Close() }
	}
	do := func(srv *httptest.Server, method, path, key, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer restart-admin-token-0123")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}

	srv, stop := serve()
	status, out := do(srv, "POST", "/api/leads", "lead-before-restart",
		`{"fields":{"name":"Ada Lovelace","email":"ada@northwind.io","company":"Analytical","consent":"yes"}}`)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/leads: %d %s", status, out)
	}
	id := between(out, `"id":"`, `"`)
	event := `{"signal":"sales_accepted","actor":"Grace (SDR)"}`
	if status, out := do(srv, "POST", "/api/leads/"+id+"/events", "callback-1", event); status != http.StatusCreated {
		t.Fatalf("the event: %d %s", status, out)
	}
	stop()

	srv, stop = serve() // the restart
	defer stop()
	do(srv, "POST", "/api/leads/"+id+"/events", "callback-1", event)
	_, lead := do(srv, "GET", "/api/leads/"+id, "", "")
	if n := strings.Count(lead, `"name":"sales_accepted"`); n != 1 || !strings.Contains(lead, `"stage":"SAL"`) {
		t.Errorf("after a restart, the replayed callback made %d signals, want 1 that made the lead an SAL:\n%s", n, lead)
	}
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}
