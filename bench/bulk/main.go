// Command bulk fills a database with a year of demo leads in minutes,
// for benchmarks: the leads `winnow demo` submits, each with the facts
// of its journey, imported with worker.Handler.Import (demo.Bulk), which
// stores what the API would (leads, events with their stage entries,
// score history) without HTTP, rate limits or webhooks.
//
//	go run ./bench/bulk --db /tmp/x.db --leads 1000000 [--seed 1] [--end 2026-06-15]
//
// fills /tmp/x.db (made and migrated if need be) and prints the progress,
// the rates and the time taken. With --d1 it writes the same rows as SQL
// for a local D1 instead (from a temporary database, or from --db's):
//
//	go run ./bench/bulk --d1 /tmp/x.sql --leads 200000
//	node_modules/.bin/wrangler d1 migrations apply DB --local
//	node_modules/.bin/wrangler d1 execute DB --local --file /tmp/x.sql
//
// The hashes stored with the leads are keyed with --secret, or with the
// secret the database keeps (made there if it has none, and copied to
// the SQL): a server must key its own with the same (WINNOW_SECRET) to
// find the people it stored. The report's sums are counted at the end,
// as a server's scheduled work would count them.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

func main() {
	var o options
	flag.StringVar(&o.db, "db", "", "the SQLite database to fill (made and migrated if need be)")
	flag.StringVar(&o.d1, "d1", "", "write the rows as SQL for `wrangler d1 execute --file` to this file")
	flag.IntVar(&o.leads, "leads", 100000, "leads to draw and import")
	flag.Int64Var(&o.seed, "seed", 1, "the seed every value is drawn from")
	end := flag.String("end", "", "the `DATE` the data ends at (YYYY-MM-DD or RFC 3339; default today, UTC)")
	flag.StringVar(&o.content, "content", "content", "the content directory whose model scores the leads")
	flag.StringVar(&o.secret, "secret", "", "the key of the stored hashes (the server's WINNOW_SECRET); default the database's own")
	cpu := flag.String("cpuprofile", "", "write a CPU profile of the run to this `file`")
	flag.Parse()
	o.end = time.Now()
	if *end != "" {
		t, ok := content.ParseInstant(*end)
		if !ok {
			fail(fmt.Errorf("--end %q: want a date like 2026-06-15", *end))
		}
		o.end = time.Unix(t, 0)
	}
	if flag.NArg() > 0 || o.db == "" && o.d1 == "" || o.leads < 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/bulk (--db FILE | --d1 FILE.sql) [--leads N] [--seed S] [--end DATE] [--secret S]")
		os.Exit(2)
	}
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, o)
	stop()
	pprof.StopCPUProfile()
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bulk:", err)
	os.Exit(1)
}

// options are the command's flags.
type options struct {
	db, d1, content, secret string
	leads                   int
	seed                    int64
	end                     time.Time
}

// run fills the database, and writes the SQL if asked to.
func run(ctx context.Context, o options) error {
	c, diags := content.Load(os.DirFS(o.content), filepath.ToSlash(filepath.Clean(o.content)))
	if len(diags) > 0 {
		return fmt.Errorf("%s: the model has %d problems, the first: %v (winnow check lists them)", o.content, len(diags), diags[0])
	}
	path := o.db
	if path == "" {
		dir, err := os.MkdirTemp("", "winnow-bulk-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "bulk.db")
	}
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := tune(ctx, db); err != nil {
		return err
	}

	began := time.Now()
	last := began
	fmt.Printf("%s: %d leads of seed %d, ending %s\n", path, o.leads, o.seed, o.end.UTC().Format("2006-01-02"))
	st, err := demo.Bulk(ctx, demo.BulkOptions{DB: db, Model: c.Model, Domains: domains.Full, Leads: o.leads, Seed: o.seed,
		End: o.end, Secret: o.secret, Progress: func(st demo.BulkStats) {
			if now := time.Now(); now.Sub(last) >= 5*time.Second {
				last = now
				secs := now.Sub(began).Seconds()
				fmt.Printf("  %d leads, %d facts in %.0f s: %.0f leads/s, %.0f facts/s\n", st.Leads, st.Facts, secs,
					float64(st.Leads)/secs, float64(st.Facts)/secs)
			}
		}})
	if err != nil {
		return err
	}
	took := time.Since(began)
	var leads, events, scores int64
	for q, n := range map[string]*int64{`SELECT count(*) FROM leads`: &leads, `SELECT count(*) FROM events`: &events,
		`SELECT count(*) FROM scores`: &scores} {
		if err := db.QueryRowContext(ctx, q).Scan(n); err != nil {
			return err
		}
	}
	secs := took.Seconds()
	fmt.Printf("imported %d submissions (%d of people who came back, %d left out: their lead has later events) and %d facts in %s\n",
		st.Leads, st.Returning, st.Skipped, st.Facts, took.Round(time.Second))
	fmt.Printf("  %.0f submissions/s, %.0f events/s; the database holds %d leads, %d events, %d score rows, %s\n",
		float64(st.Leads)/secs, float64(st.Leads+st.Facts)/secs, leads, events, scores, size(path))
	if err := count(ctx, db, c.Model, c.Routing, o.secret); err != nil {
		return err
	}
	if o.d1 == "" {
		return nil
	}
	return writeD1(ctx, db, o.d1)
}

// count counts the report's sums of the leads imported, as the scheduled
// work of a server would, so that the database (and its SQL) is ready to
// report on.
func count(ctx context.Context, db *sql.DB, m *qualify.Model, r *routing.Routing, secret string) error {
	began := time.Now()
	if err := demo.Count(ctx, demo.BulkOptions{DB: db, Model: m, Routing: r, Domains: domains.Full, Secret: secret}); err != nil {
		return err
	}
	fmt.Printf("counted the report's sums in %s\n", time.Since(began).Round(time.Second))
	return nil
}

// tune sets up the database for a bulk import: two connections (one
// writes a transaction while the other reads for the next), each with a
// page cache of 1 GiB (the indexes of a million leads), statement
// journals in memory, no waiting for the disk (a crash loses the file,
// which is made again), and the write-ahead log copied to the database
// every 40 MB rather than 4.
func tune(ctx context.Context, db *sql.DB) error {
	const conns = 2
	db.SetMaxOpenConns(conns)
	var held []*sql.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range conns {
		c, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		held = append(held, c)
		for _, p := range []string{`PRAGMA cache_size = -1048576`, `PRAGMA temp_store = MEMORY`, `PRAGMA synchronous = OFF`,
			`PRAGMA wal_autocheckpoint = 10000`} {
			if _, err := c.ExecContext(ctx, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeD1 writes the database's rows as SQL to path.
func writeD1(ctx context.Context, db *sql.DB, path string) error {
	began := time.Now()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	st, err := demo.WriteD1(ctx, db, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d rows in %d statements, %s, written in %s; load it into a local D1, migrated, with\n"+
		"  node_modules/.bin/wrangler d1 execute DB --local --file %s\n",
		path, st.Rows, st.Statements, size(path), time.Since(began).Round(time.Second), path)
	return nil
}

// size is the size of a file (and of its write-ahead log), in MB.
func size(path string) string {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
