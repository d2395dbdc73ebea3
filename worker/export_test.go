package worker_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/winnowhq/winnow/worker"
)

// flushHook calls after on a response's first flush.
type flushHook struct {
	http.ResponseWriter
	once  sync.Once
	after func()
}

func (f *flushHook) Flush() {
	f.ResponseWriter.(http.Flusher).Flush()
	f.once.Do(f.after)
}

// An export whose database fails after its first page is cut off: the
// client's read fails rather than ending as if the file were whole. One
// that fails before it has sent anything is a 503 with a JSON error.
// Nothing stored changes either way.
func TestExportInterrupted(t *testing.T) {
	f := newFixture(t, nil, nil)
	lives := make([]worker.Life, 6000)
	for i := range lives {
		fields := ana()
		fields["email"] = fmt.Sprintf("lead%d@northwind.io", i)
		lives[i] = worker.Life{Key: fmt.Sprintf("life-export-%d", i), Source: "api", At: importBase.Add(-1e9), Fields: fields}
	}
	if err := f.h.Import(context.Background(), lives); err != nil {
		t.Fatal(err)
	}
	get := func(h http.Handler) (*http.Response, []byte, error) {
		srv := httptest.NewServer(h)
		defer srv.Close()
		req, _ := http.NewRequest("GET", srv.URL+"/api/export.csv", nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}

	// Whole: every lead and the header.
	resp, body, err := get(f.h)
	if err != nil || resp.StatusCode != 200 || bytes.Count(body, []byte("\n")) != 6001 {
		t.Fatalf("the whole export: %v %v, %d lines", resp.Status, err, bytes.Count(body, []byte("\n")))
	}

	// The database fails once the first page is sent.
	resp, body, err = get(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.h.ServeHTTP(&flushHook{ResponseWriter: w, after: func() { f.db.Close() }}, r)
	}))
	if resp.StatusCode != 200 || err == nil {
		t.Fatalf("an export cut off after its first page: %s, read error %v; want 200 and the body's read failing", resp.Status, err)
	}
	if lines := bytes.Count(body, []byte("\n")); lines < 2 || lines >= 6001 {
		t.Errorf("an export cut off after its first page sent %d lines", lines)
	}

	// The database fails before: nothing is sent but the error.
	resp, body, err = get(f.h)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		resp.Header.Get("Content-Disposition") != "" || !bytes.Contains(body, []byte(`"unavailable"`)) {
		t.Errorf("an export of a database that is down: %s %q (%v) %s", resp.Status, resp.Header, err, body)
	}
}
