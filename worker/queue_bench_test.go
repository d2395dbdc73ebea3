package worker_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/worker"
)

// BenchmarkQueue renders the first page of the queue of a person who
// owns 5,000 open leads (due at as many instants, a tenth with nothing
// due, of every tier), natively, as the dashboard serves it: the session
// checked, the counts, a page of 50 leads read from the index, their
// attempts and their forms; and its last page, of leads with nothing due
// (sorted by tier as they are read). It reports the p50 and p99 of a
// page, and fails if the p50 is 100 ms or more.
//
//	go test -run '^$' -bench Queue -benchtime 200x ./worker
func BenchmarkQueue(b *testing.B) {
	f := newFixture(&testing.T{}, nil, func(c *worker.Config) { c.Routing = shippedRouting(&testing.T{}) })
	tpl := f.submit(&testing.T{}, "key-bench-queue", steady(0))["id"].(string)
	var owner string
	if err := f.db.QueryRow(`SELECT owner FROM leads WHERE id = ?`, tpl).Scan(&owner); err != nil || owner == "" {
		b.Fatalf("the lead's owner %q: %v", owner, err)
	}
	cloneLeads(b, f.db, tpl, 4999, 0)
	if _, err := f.db.Exec(`UPDATE leads SET due_at = CASE WHEN rowid % 10 = 0 THEN NULL ELSE due_at + (rowid % 997) * 60000 END,
		tier = CASE rowid % 3 WHEN 0 THEN 'hot' WHEN 1 THEN 'warm' ELSE 'cool' END`); err != nil {
		b.Fatal(err)
	}
	f.clock.Advance(54 * time.Hour) // Wednesday 16:00 in Paris: those due in its first hour are overdue

	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(f.srv.URL+"/admin/login", url.Values{"token": {"tok"}, "next": {"/admin"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	cookie := resp.Header.Get("Set-Cookie")
	cookie, _, _ = strings.Cut(cookie, ";")
	get := func(page string) string {
		req := httptest.NewRequest("GET", page, nil)
		req.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("GET %s: %d", page, w.Code)
		}
		body, _ := io.ReadAll(w.Body)
		return string(body)
	}
	first := "/admin/queue?owner=" + url.QueryEscape(owner)
	if body := get(first); !strings.Contains(body, "5000 open leads") || strings.Count(body, `<tr class="overdue">`) == 0 ||
		strings.Count(body, "<th scope=\"row\">") != 50 {
		b.Fatalf("the page does not list the first 50 of 5000 open leads, some overdue")
	}
	for _, c := range []struct{ name, page string }{{"first", first}, {"last", first + "&page=100"}} {
		b.Run(c.name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for range b.N {
				began := time.Now()
				get(c.page)
				times = append(times, time.Since(began))
			}
			slices.Sort(times)
			p50, p99 := times[len(times)/2], times[len(times)*99/100]
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			if p50 >= 100*time.Millisecond {
				b.Errorf("a page of the queue takes %v (p50), want under 100 ms", p50)
			}
		})
	}
}
