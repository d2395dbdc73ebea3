package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/report/reporttext"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/sqlitedb"
)

var reportCmd = &command{
	name:    "report",
	summary: "print the funnel and SLA report of the stored leads",
	usage: "report [--content dir] [--db FILE | FILE.csv] [--from YYYY-MM] [--to YYYY-MM] [--tz ZONE] [--json | --csv]\n" +
		"       report [--content dir] [--db FILE] --rebuild | --check",
	help: `
Report prints the funnel and SLA report of the leads stored by the API:
the leads entering each stage per month, the conversions of each month's
cohort from stage to stage, the median time in each stage, the same per
funnel position, per source and per fit grade, and how well each stage's
SLA was kept (the first action, then the follow-ups, in the business hours
of the team each SLA names in routing.yaml), with the most overdue
breaches, and per owner and per team: the leads they own, their speed to
lead, how they kept the rhythm, the leads they accepted and rejected, and
how many became opportunities and won. The README's "Funnel and SLA
report" says what each figure means.

It reads the SQLite database of winnow dev and winnow serve (--db, default
build/winnow.db), from the sums the API keeps as leads change (counting
them from the events first where they are not), or a CSV export of GET
/api/export.csv given as an argument, whose events it counts itself. The
stages and SLAs are those of the model in the content directory.

The range is the last 12 full months and the current one unless --from and
--to say otherwise; months are cut in the model's time zone, or in --tz
(UTC or the model's, for a database). --json prints the report as GET
/api/report gives it; --csv prints it as one flat table (section, segment,
month, step, to, metric, value).

--check counts every lead's contribution to the report from its events
again and compares it with the database's sums, printing the cells that
differ (and failing if any do); --rebuild counts the sums anew from the
events, after --check where both are given.`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		var o reportOptions
		fs.StringVar(&o.content, "content", "content", "the content directory")
		fs.StringVar(&o.db, "db", "", "the SQLite `FILE` (default build/winnow.db)")
		fs.StringVar(&o.from, "from", "", "the first month, `YYYY-MM`")
		fs.StringVar(&o.to, "to", "", "the last month, `YYYY-MM` (default this month)")
		fs.StringVar(&o.tz, "tz", "", "the time `ZONE` months are cut in, e.g. Europe/Paris (default the model's time_zone, or UTC)")
		fs.StringVar(&o.now, "now", "", "measure SLA breaches at this `DATE` (2026-03-31 or RFC 3339; default now)")
		fs.BoolVar(&o.json, "json", false, "print the report as JSON")
		fs.BoolVar(&o.csv, "csv", false, "print the report as one flat CSV table")
		fs.BoolVar(&o.rebuild, "rebuild", false, "count the database's report sums anew from the events")
		fs.BoolVar(&o.check, "check", false, "compare the database's report sums with the events; fail where they differ")
		return func(e *env, args []string) error {
			return runReport(e, o, args)
		}
	},
}

type reportOptions struct {
	content, db, from, to, tz, now string
	json, csv, rebuild, check      bool
}

func runReport(e *env, o reportOptions, args []string) error {
	switch {
	case len(args) > 1:
		fmt.Fprintln(e.stderr, "winnow report: at most one CSV export")
		return errUsage
	case len(args) == 1 && o.db != "":
		fmt.Fprintln(e.stderr, "winnow report: read --db or a CSV export, not both")
		return errUsage
	case o.json && o.csv:
		fmt.Fprintln(e.stderr, "winnow report: --json or --csv, not both")
		return errUsage
	case (o.rebuild || o.check) && len(args) == 1:
		fmt.Fprintln(e.stderr, "winnow report: --rebuild and --check work on a database (--db), not an export")
		return errUsage
	}
	now := time.Now()
	if o.now != "" {
		t, ok := content.ParseInstant(o.now)
		if !ok {
			return fmt.Errorf("--now %q: want a date like 2026-03-31 or 2026-03-31T09:30:00Z", o.now)
		}
		now = time.Unix(t, 0).UTC()
	}
	c, err := loadDir(e, o.content)
	if err != nil {
		return err
	}
	tz := o.tz
	if tz == "" {
		tz = c.Model.TimeZone
	}
	optionErr := func(err error) error {
		var oe *report.OptionError
		if errors.As(err, &oe) {
			return fmt.Errorf("--%s: %s", oe.Option, oe.Message)
		}
		var we *worker.Error
		if errors.As(err, &we) && len(we.Errors) > 0 {
			return fmt.Errorf("--%s: %s", we.Errors[0].Field, we.Errors[0].Message)
		}
		return err
	}
	opts, err := report.ParseOptions(o.from, o.to, tz, now)
	if err != nil {
		return optionErr(err)
	}
	opts.Routing = c.Routing
	var r *report.Report
	if len(args) == 1 {
		b, err := report.NewBuilder(c.Model, opts)
		if err != nil {
			return err
		}
		if err := readExport(b, args[0]); err != nil {
			return err
		}
		r = b.Report()
	} else {
		db, path, err := openDB(o.db)
		if err != nil {
			return err
		}
		defer db.Close()
		h, err := worker.New(worker.Config{DB: db, Model: c.Model, Routing: c.Routing, Now: func() time.Time { return now }, Secret: "report"})
		if err != nil {
			return err
		}
		ctx := context.Background()
		if o.check || o.rebuild {
			return rebuildReport(e, h, path, o.check, o.rebuild)
		}
		for done := false; !done; {
			if done, err = h.CountRollups(ctx, time.Minute); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		if r, err = h.Report(ctx, o.from, o.to, tz, "", worker.BreachPage); err != nil {
			return optionErr(err)
		}
	}
	switch {
	case o.json:
		enc := json.NewEncoder(e.stdout)
		return enc.Encode(r)
	case o.csv:
		return reporttext.WriteFlatCSV(e.stdout, r)
	}
	return reporttext.Write(e.stdout, r)
}

// rebuildReport checks the report's sums against the events, and counts
// them anew.
func rebuildReport(e *env, h *worker.Handler, path string, check, rebuild bool) error {
	ctx := context.Background()
	var differ error
	if check {
		began := time.Now()
		c, err := h.CheckRollups(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(e.stdout, "checked the report's sums (generation %d) against the events of %d leads in %v\n", c.Gen, c.Leads,
			time.Since(began).Round(time.Millisecond))
		if !c.OK() {
			for _, line := range c.Describe() {
				fmt.Fprintln(e.stdout, "  "+line)
			}
			differ = fmt.Errorf("%s: the report's sums differ from the events", path)
		}
	}
	if rebuild {
		began := time.Now()
		n, err := h.RebuildRollups(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(e.stdout, "counted the report's sums anew from the events of %d leads in %v\n", n, time.Since(began).Round(time.Millisecond))
		return nil
	}
	return differ
}

// readExport adds the leads of a CSV export to b.
func readExport(b *report.Builder, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	leads, err := report.ReadCSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, l := range leads {
		b.AddLead(l)
	}
	return nil
}

// openDB opens the SQLite database at path (build/winnow.db for "").
func openDB(path string) (*sql.DB, string, error) {
	if path == "" {
		path = filepath.Join("build", "winnow.db")
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, path, fmt.Errorf("%s: no database: winnow dev and winnow serve make one, or give --db FILE or an export FILE.csv", path)
		}
		return nil, path, err
	}
	db, err := sqlitedb.Open(context.Background(), path)
	return db, path, err
}
