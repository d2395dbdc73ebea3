package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/report"
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
SLA was kept, with the most overdue breaches. The README's "Funnel and SLA
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
		h, err := worker.New(worker.Config{DB: db, Model: c.Model, Now: func() time.Time { return now }, Secret: "report"})
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
		return writeReportCSV(e.stdout, r)
	}
	return writeReportText(e.stdout, r)
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

// zone returns the zone the report's months are cut in.
func zone(r *report.Report) *time.Location {
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// writeReportText prints the report as tables.
func writeReportText(w io.Writer, r *report.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	loc := zone(r)
	p("Funnel and SLA report, %s to %s (%s), at %s, model %s\n", r.From, r.To, r.TimeZone,
		r.Now.In(loc).Format("2006-01-02 15:04 MST"), r.Model)
	var now []string
	for _, s := range r.Totals.Stages {
		now = append(now, fmt.Sprintf("%s %d", s.Stage, s.Leads))
	}
	p("%d leads, %d of them spam (left out below). Now: %s.\n", r.Totals.Leads, r.Totals.Spam, orNone(strings.Join(now, ", ")))

	funnelTables(p, "", r.Stages)
	funnelTables(p, "By funnel position. ", r.Positions)
	for _, seg := range []struct {
		title string
		segs  []report.Segment
	}{{"source", r.Sources}, {"fit grade", r.Fits}} {
		if len(seg.segs) == 0 {
			continue
		}
		p("\nConversions by %s over the range\n", seg.title)
		header(p, seg.title, append([]string{"created"}, pairs(seg.segs[0].Funnel.Line)...)...)
		for _, s := range seg.segs {
			row := []string{orNone(s.Value), strconv.Itoa(s.Funnel.Total.Created)}
			for _, c := range s.Funnel.Total.Conversions {
				row = append(row, rate(c))
			}
			p("%s\n", strings.Join(row, "\t"))
		}
	}

	p("\nSLA compliance (entries in the range)\n")
	header(p, "stage", "owner", "within", "entered", "met", "late", "breached", "not due", "compliance")
	for _, s := range r.SLA {
		p("%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", s.Stage, s.Owner, qualify.FormatDuration(s.WithinSeconds),
			s.Entered, s.Met, s.Late, s.Breached, s.NotDue, percent(s.Compliance))
	}
	p("\nBreaches: %d\n", len(r.Breaches))
	if len(r.Breaches) > 0 {
		header(p, "lead", "stage", "owner", "entered", "age", "over")
		for _, b := range r.Breaches {
			p("%s\t%s\t%s\t%s\t%s\t%s\n", b.Lead, b.Stage, b.Owner, b.EnteredAt.In(loc).Format("2006-01-02 15:04"),
				span(float64(b.AgeSeconds)), span(float64(b.OverSeconds)))
		}
	}
	return tw.Flush()
}

// funnelTables prints a funnel's entries, conversions and median times
// per month.
func funnelTables(p func(string, ...any), title string, f report.Funnel) {
	months := append(f.Months, f.Total)
	label := func(m report.Period) string {
		if m.Month == f.Total.Month {
			return "range"
		}
		return m.Month
	}
	p("\n%sLeads entering each step (re-entries included; reopened: how many were re-entries)\n", title)
	header(p, "month", append(f.Steps, "reopened")...)
	for _, m := range months {
		row, again := []string{label(m)}, 0
		for _, s := range m.Steps {
			row = append(row, strconv.Itoa(s.Entered))
			again += s.Reopened
		}
		p("%s\t%d\n", strings.Join(row, "\t"), again)
	}
	p("\n%sConversions of the leads created each month (converted/reached)\n", title)
	header(p, "month", append([]string{"created"}, pairs(f.Line)...)...)
	for _, m := range months {
		row := []string{label(m), strconv.Itoa(m.Created)}
		for _, c := range m.Conversions {
			row = append(row, rate(c))
		}
		p("%s\n", strings.Join(row, "\t"))
	}
	p("\n%sMedian time in each step (stays that ended in the month)\n", title)
	header(p, "month", f.Steps...)
	for _, m := range months {
		row := []string{label(m)}
		for _, s := range m.Steps {
			if s.MedianSeconds == nil {
				row = append(row, "-")
			} else {
				row = append(row, span(*s.MedianSeconds))
			}
		}
		p("%s\n", strings.Join(row, "\t"))
	}
}

func header(p func(string, ...any), first string, cols ...string) {
	p("%s\n", strings.Join(append([]string{first}, cols...), "\t"))
}

// pairs names the conversions of a line: "MQL>SAL".
func pairs(line []string) []string {
	var out []string
	for i := 1; i < len(line); i++ {
		out = append(out, line[i-1]+">"+line[i])
	}
	return out
}

// rate prints a conversion as "67% 2/3", or "-" with nothing to divide.
func rate(c report.Conversion) string {
	if c.Rate == nil {
		return "-"
	}
	return fmt.Sprintf("%s %d/%d", percent(c.Rate), c.Converted, c.Reached)
}

func percent(x *float64) string {
	if x == nil {
		return "-"
	}
	return strconv.FormatFloat(*x*100, 'f', 0, 64) + "%"
}

// span prints seconds as days and hours, hours and minutes, or minutes.
func span(sec float64) string {
	s := int64(sec + 0.5)
	d, h, m := s/86400, s%86400/3600, s%3600/60
	switch {
	case d > 0:
		return fmt.Sprintf("%dd %dh", d, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// writeReportCSV prints the report as one flat table, a figure a row.
func writeReportCSV(w io.Writer, r *report.Report) error {
	cw := csv.NewWriter(w)
	row := func(section, segment, month, step, to, metric, value string) {
		cw.Write([]string{section, report.EscapeCell(segment), month, step, to, metric, value})
	}
	num := func(x *float64) string {
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	}
	itoa := strconv.Itoa
	row("section", "segment", "month", "step", "to", "metric", "value")
	row("totals", "", "", "", "", "leads", itoa(r.Totals.Leads))
	row("totals", "", "", "", "", "spam", itoa(r.Totals.Spam))
	for _, s := range r.Totals.Stages {
		row("totals", "", "", s.Stage, "", "leads_now", itoa(s.Leads))
	}
	funnel := func(section, segment string, f report.Funnel) {
		for _, m := range append(f.Months, f.Total) {
			row(section, segment, m.Month, "", "", "created", itoa(m.Created))
			for _, s := range m.Steps {
				row(section, segment, m.Month, s.Step, "", "entered", itoa(s.Entered))
				row(section, segment, m.Month, s.Step, "", "reopened", itoa(s.Reopened))
				row(section, segment, m.Month, s.Step, "", "stays", itoa(s.Stays))
				row(section, segment, m.Month, s.Step, "", "median_seconds", num(s.MedianSeconds))
			}
			for _, c := range m.Conversions {
				row(section, segment, m.Month, c.From, c.To, "reached", itoa(c.Reached))
				row(section, segment, m.Month, c.From, c.To, "converted", itoa(c.Converted))
				row(section, segment, m.Month, c.From, c.To, "rate", num(c.Rate))
			}
		}
	}
	funnel("stages", "", r.Stages)
	funnel("positions", "", r.Positions)
	for _, s := range r.Sources {
		funnel("source", s.Value, s.Funnel)
	}
	for _, s := range r.Fits {
		funnel("fit", s.Value, s.Funnel)
	}
	for _, s := range r.SLA {
		for _, f := range []struct {
			metric, value string
		}{{"within_seconds", strconv.FormatInt(s.WithinSeconds, 10)}, {"entered", itoa(s.Entered)}, {"met", itoa(s.Met)},
			{"late", itoa(s.Late)}, {"breached", itoa(s.Breached)}, {"not_due", itoa(s.NotDue)}, {"compliance", num(s.Compliance)}} {
			row("sla", s.Owner, "", s.Stage, "", f.metric, f.value)
		}
	}
	for _, b := range r.Breaches {
		month := report.MonthOf(b.EnteredAt, zone(r)).String()
		row("breach", b.Lead, month, b.Stage, "", "entered_at", b.EnteredAt.UTC().Format(time.RFC3339))
		row("breach", b.Lead, month, b.Stage, "", "age_seconds", strconv.FormatInt(b.AgeSeconds, 10))
		row("breach", b.Lead, month, b.Stage, "", "over_seconds", strconv.FormatInt(b.OverSeconds, 10))
	}
	cw.Flush()
	return cw.Error()
}
