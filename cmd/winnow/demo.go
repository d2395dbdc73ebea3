package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
	"github.com/winnowhq/winnow/worker/domains"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

var demoCmd = &command{
	name:    "demo",
	summary: "fill the dev database and a CSV of past leads with synthetic demo data",
	usage:   "demo [--content dir] [--db FILE] [--csv FILE] [--leads N] [--rows N] [--seed N] [--end DATE]",
	help: `
Demo makes a year of synthetic leads to try Winnow with, the same for
the same seed.

It fills the database of 'winnow dev' through the API, as visitors and a
sales team would have: every lead is submitted with POST /api/leads at the
time it arrived, then moved along the funnel (SAL, SQL, opportunity, won
or lost) with stage events, some late, some never, a few lost and
reopened months later; the webhooks of a day the CRM was down are left
dead-lettered. Every request carries an idempotency key, so running demo
again adds nothing.

It also writes a CSV of past leads with their outcomes, and the mapping
file beside it, for 'winnow backtest'. The outcomes follow a known
process, documented in the package demo, that agrees with some of the
model's points and not with others: a backtest has something to find.

--leads 0 leaves the database alone; --rows 0 writes no CSV.`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		var o demoOptions
		fs.StringVar(&o.content, "content", "content", "the content directory")
		fs.StringVar(&o.db, "db", filepath.Join("build", "winnow.db"), "the SQLite database to fill (winnow dev's)")
		fs.StringVar(&o.csv, "csv", filepath.Join("build", "demo", "history.csv"), "the CSV of past leads to write; mapping.yaml goes beside it")
		fs.IntVar(&o.leads, "leads", 600, "leads to submit to the database")
		fs.IntVar(&o.rows, "rows", 20000, "past leads to write to the CSV")
		fs.Int64Var(&o.seed, "seed", 1, "the seed every value is drawn from")
		end := fs.String("end", "", "the `DATE` the data ends at (YYYY-MM-DD or RFC 3339; default today, UTC)")
		return func(e *env, args []string) error {
			if len(args) > 0 || o.leads < 0 || o.rows < 0 {
				fmt.Fprintln(e.stderr, "winnow demo: no arguments, and counts of 0 or more")
				return errUsage
			}
			o.end = time.Now()
			if *end != "" {
				t, ok := content.ParseInstant(*end)
				if !ok {
					return fmt.Errorf("--end %q: want a date like 2026-03-31", *end)
				}
				o.end = time.Unix(t, 0)
			}
			c, err := loadDir(e, o.content)
			if err != nil {
				return err
			}
			return runDemo(context.Background(), e, o, c.Model, c.Routing)
		}
	},
}

type demoOptions struct {
	content, db, csv string
	leads, rows      int
	seed             int64
	end              time.Time
}

func runDemo(ctx context.Context, e *env, o demoOptions, m *qualify.Model, r *routing.Routing) error {
	if o.leads > 0 {
		st, err := fillDemo(ctx, o.db, demo.Options{Model: m, Routing: r, Leads: o.leads, Seed: o.seed, End: o.end})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %d leads (%d new), %d stage events\n", o.db, st.Leads, st.New, st.Events)
		if st.New > 0 {
			fmt.Fprintf(e.stdout, "  webhooks: %d delivered, %d dead-lettered (the CRM was down %s to %s)\n",
				st.Webhooks.Delivered, st.Webhooks.Dead, st.Outage[0].Format("2006-01-02 15:04"), st.Outage[1].Format("2006-01-02 15:04 MST"))
		}
		if st.Refused > 0 {
			fmt.Fprintf(e.stdout, "  %d leads or events refused: the model differs from the one the demo was made for\n", st.Refused)
		}
	}
	if o.rows > 0 {
		leads := demo.NewGenerator(o.seed, o.end).Leads(0, o.rows)
		if err := writeDemoCSV(o.csv, leads); err != nil {
			return err
		}
		converted := 0
		for _, l := range leads {
			if l.Converted {
				converted++
			}
		}
		mapping := filepath.Join(filepath.Dir(o.csv), "mapping.yaml")
		fmt.Fprintf(e.stdout, "%s: %d past leads, %d converted (%.1f%%)\n%s: how its columns map onto the model\n",
			o.csv, len(leads), converted, 100*float64(converted)/float64(len(leads)), mapping)
		fmt.Fprintf(e.stdout, "\nNext:\n  winnow backtest %s --map %s --suggest\n  winnow report\n", o.csv, mapping)
	}
	return nil
}

// fillDemo fills the database at path with demo leads.
func fillDemo(ctx context.Context, path string, o demo.Options) (demo.Stats, error) {
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		return demo.Stats{}, err
	}
	defer db.Close()
	o.DB, o.Domains = db, domains.Full
	return demo.Fill(ctx, o)
}

// writeDemoCSV writes the CSV of past leads and the mapping beside it.
func writeDemoCSV(path string, leads []demo.Lead) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	err = demo.WriteCSV(w, leads)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(filepath.Dir(path), "mapping.yaml"), []byte(demo.Mapping()), 0o644)
}
