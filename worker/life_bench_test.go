package worker_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// cloneLeads stores n copies of lead id, each a person of its own and due
// to be re-scored at next (Unix ms; 0 for never), in one statement, and
// makes lead id itself never due.
func cloneLeads(b *testing.B, db *sql.DB, id string, n int, next int64) {
	b.Helper()
	rows, err := db.Query(`SELECT name FROM pragma_table_info('leads')`)
	if err != nil {
		b.Fatal(err)
	}
	var cols, exprs []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols = append(cols, c)
		switch c {
		case "id":
			c = "'c' || n"
		case "idem_key":
			c = "'k' || n"
		case "person":
			c = "'p' || n"
		case "email_hash":
			c = "'h' || n"
		case "next_check_at":
			c = "NULLIF(?, 0)"
		}
		exprs = append(exprs, c)
	}
	rows.Close()
	q := `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
		INSERT INTO leads (` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(exprs, ", ") + ` FROM seq, leads WHERE leads.id = ?`
	if _, err := db.Exec(q, n, next, id); err != nil {
		b.Fatal(err)
	}
	// The template itself is never due.
	if _, err := db.Exec(`UPDATE leads SET next_check_at = NULL WHERE id = ?`, id); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRescoreOne re-scores one lead that time has changed, among
// 10,000 stored: the scheduled pass finds it, loads it, evaluates it from
// its last verdict to now and stores the change (its new verdict, its
// score history row, its stage entry) in one transaction. It reports the
// p50 and p99 of a re-score.
//
//	go test -run '^$' -bench RescoreOne -benchtime 2000x ./worker
func BenchmarkRescoreOne(b *testing.B) {
	f := newFixture(&testing.T{}, nil, nil)
	tpl := f.submit(&testing.T{}, "key-bench-tpl", ana())["id"].(string) // exactly at the MQL threshold
	cloneLeads(b, f.db, tpl, 10000, 0)
	f.clock.Advance(30 * 24 * time.Hour) // every copy has decayed to a cold lead by now
	ctx := context.Background()
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if _, err := f.db.Exec(`UPDATE leads SET next_check_at = 1 WHERE id = ?`, fmt.Sprint("c", i%10000+1)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began := time.Now()
		n, err := f.h.Rescore(ctx, f.clock.Now())
		times = append(times, time.Since(began))
		if err != nil || n.Leads != 1 {
			b.Fatalf("pass %d: %+v %v", i, n, err)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkScheduledPass runs the scheduled pass over 100,000 stored
// leads of which 0, 100, 1,000 or 10,000 are due: its cost follows the
// leads due, not the leads stored. It reports the pass's time and the
// time per lead due.
//
//	go test -run '^$' -bench ScheduledPass -benchtime 3x ./worker
func BenchmarkScheduledPass(b *testing.B) {
	const stored = 100000
	f := newFixture(&testing.T{}, nil, nil)
	tpl := f.submit(&testing.T{}, "key-bench-tpl", ana())["id"].(string)
	far := f.clock.Now().Add(10 * 365 * 24 * time.Hour).UnixMilli()
	cloneLeads(b, f.db, tpl, stored, far)
	f.clock.Advance(30 * 24 * time.Hour)
	ctx := context.Background()
	for _, due := range []int{0, 100, 1000, 10000} {
		b.Run(fmt.Sprint("due=", due), func(b *testing.B) {
			var total time.Duration
			for i := range b.N {
				// Make `due` leads due again (the pass before re-scored them).
				if _, err := f.db.Exec(`UPDATE leads SET next_check_at = 1, version = version + 1, stage = 'MQL', scored_at = created_at
					WHERE id IN (SELECT id FROM leads WHERE id LIKE 'c%' ORDER BY id LIMIT ?)`, due); err != nil {
					b.Fatal(err)
				}
				_ = i
				began := time.Now()
				n, err := f.h.Rescore(ctx, f.clock.Now())
				total += time.Since(began)
				if err != nil || n.Leads != due {
					b.Fatalf("the pass re-scored %+v (%v), want %d", n, err, due)
				}
			}
			pass := total / time.Duration(b.N)
			b.ReportMetric(float64(pass.Microseconds())/1000, "ms/pass")
			if due > 0 {
				b.ReportMetric(float64(pass.Microseconds())/float64(due), "µs/due-lead")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}
