package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

var backtestCmd = &command{
	name:    "backtest",
	summary: "measure the model on past leads with known outcomes",
	usage:   "backtest (--map mapping.yaml FILE.csv | --db FILE) [--content dir] [--at DATE] [--json] [--suggest [--out FILE] [--force] [--folds N] [--seed N] [--cuts N]]",
	help: `
Backtest scores past leads whose outcome is known with the model in the
content directory and measures how well its verdicts predict the outcome:
precision, recall and lift of each stage taken as a threshold (leads at the
stage or later), the ROC AUC of the score, the conversion rate per score
decile and per fit grade, and how much each point rule says about the outcome
on its own, ranked by information value.

The mapping file says which CSV column holds the outcome, which columns hold
the model's fields and signals, and which other columns --suggest may turn
into new rules:

  outcome: {column: converted, positive: [yes, won], negative: [no, lost]}
  at: created_at                   # the instant each lead is scored at
  fields: {email: work_email, company_size: {column: employees, values: {Enterprise: 5000+}}}
  signals: {pricing_visit: visited_pricing, demo_request: {column: source, values: {Demo: yes}}}
  missing: [NA, Select]            # values that mean no answer (a default list otherwise)
  extra: [time_on_site_minutes, {column: lead_source, type: text, kind: engagement}]

A field or signal not listed reads the column of its own name, if there is
one and it is not listed as extra. Each lead is scored as if its answers were
sent through the signup form at its instant. Rows that cannot be used are
skipped and an answer the model rejects is treated as missing; problems are
grouped by column and message, with a count and examples.

With --db, the leads are those the database holds with an outcome (won or
lost), each scored as it was when it came in; no mapping or CSV is needed.

With --suggest, backtest fits whole points to the outcomes (a regularised
logistic regression chosen by cross-validation) and turns the extra columns
into candidate rules: a text column's common values, a number's cuts
(column > c at up to --cuts quantiles, which add up), a missing value. It
prints the held-out AUC and top-decile lift of the model's score, of the
regression and of the suggested points, explains the candidates in words,
and writes a patch to review and apply with git apply: scoring.yaml gets the
suggested points and the candidates with points as rules, each of a stated
kind; fields.yaml declares the attributes they read (attribute: true, never
asked: integrations fill them in). The patch goes into
build/backtest/suggest.patch unless --out names another file, never inside
the content directory, and backtest says where. It never changes the
content itself.`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		var o backtestOptions
		fs.StringVar(&o.dir, "content", "content", "the content directory")
		fs.StringVar(&o.mapping, "map", "", "the mapping `file` (YAML) from CSV columns to the model")
		fs.StringVar(&o.at, "at", "", "score leads at this `DATE` when the mapping names no at column (default now)")
		fs.BoolVar(&o.json, "json", false, "print the report as JSON")
		fs.BoolVar(&o.suggest, "suggest", false, "fit points to the outcomes and write them as a patch")
		fs.StringVar(&o.out, "out", filepath.Join("build", "backtest", "suggest.patch"), "with --suggest, write the patch to this `file` (its directory is made if need be)")
		fs.BoolVar(&o.force, "force", false, "with --suggest, overwrite the --out file if it exists")
		fs.IntVar(&o.folds, "folds", 5, "with --suggest, cross-validation folds")
		fs.Uint64Var(&o.seed, "seed", 1, "with --suggest, the seed that assigns leads to folds")
		fs.IntVar(&o.cuts, "cuts", backtest.DefaultCuts, "with --suggest, the most quantiles of a numeric extra column tried as cuts (column > c)")
		db := fs.String("db", "", "read the leads with an outcome from this SQLite `FILE` (winnow dev's, winnow serve's) instead of a CSV")
		return func(e *env, args []string) error {
			if *db != "" {
				if len(args) > 0 || o.mapping != "" {
					fmt.Fprintln(e.stderr, "winnow backtest: read --db or a CSV with --map, not both")
					fmt.Fprintln(e.stderr, "Run 'winnow backtest --help' for usage.")
					return errUsage
				}
				return runBacktestDB(e, o, *db)
			}
			if len(args) != 1 || o.mapping == "" {
				fmt.Fprintln(e.stderr, "winnow backtest: want one CSV file and --map mapping.yaml")
				fmt.Fprintln(e.stderr, "Run 'winnow backtest --help' for usage.")
				return errUsage
			}
			o.csv = args[0]
			return runBacktest(e, o)
		}
	},
}

type backtestOptions struct {
	dir, mapping, at, csv, out string
	json, suggest, force       bool
	folds, cuts                int
	seed                       uint64
}

func runBacktest(e *env, o backtestOptions) error {
	now, err := atFlag(o.at)
	if err != nil {
		return err
	}
	if o.suggest {
		if o.cuts < 1 {
			return fmt.Errorf("--cuts %d: want at least 1", o.cuts)
		}
		if err := checkOut(o); err != nil {
			return err
		}
	}
	c, err := loadDir(e, o.dir)
	if err != nil {
		return err
	}
	m := c.Model
	src, err := os.ReadFile(o.mapping)
	if err != nil {
		return fmt.Errorf("reading the mapping: %w", err)
	}
	mp, err := backtest.ParseMapping(src, o.mapping, m)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return errQuiet
	}
	f, err := os.Open(o.csv)
	if err != nil {
		return err
	}
	defer f.Close()
	opt := backtest.Options{Now: now}
	if e.stderrTerminal {
		opt.Progress = progress(e.stderr, o.csv)
	}
	d, err := backtest.Read(f, m, mp, opt)
	if opt.Progress != nil {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", o.csv, err)
	}
	rep, err := backtest.Measure(d)
	if err != nil {
		d.WriteProblems(e.stderr, o.csv)
		return fmt.Errorf("%s: %w", o.csv, err)
	}
	res := &backtest.Result{File: o.csv, Data: d, Report: rep}
	if o.suggest {
		if res.Suggestion, err = backtest.Suggest(d, backtest.SuggestOptions{Folds: o.folds, Seed: o.seed, Cuts: o.cuts}); err != nil {
			return fmt.Errorf("--suggest: %w", err)
		}
		written, err := writePatch(o, m, res.Suggestion)
		if err != nil {
			return err
		}
		if written {
			res.Patch = o.out
		}
	}
	if o.json {
		return res.WriteJSON(e.stdout)
	}
	return res.WriteText(e.stdout)
}

// checkOut refuses an --out file that exists (without --force) or that is
// inside the content directory.
func checkOut(o backtestOptions) error {
	out, err1 := filepath.Abs(o.out)
	dir, err2 := filepath.Abs(o.dir)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(dir, out); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("--out %s is inside the content directory %s: backtest never writes content; write the patch elsewhere", o.out, o.dir)
		}
	}
	if _, err := os.Stat(o.out); err == nil && !o.force {
		return fmt.Errorf("--out %s exists: remove it, choose another file, or pass --force", o.out)
	}
	return nil
}

// progress returns a function that shows the rows read on a terminal, at
// most ten times a second.
func progress(w io.Writer, name string) func(int) {
	var last time.Time
	return func(rows int) {
		if t := time.Now(); t.Sub(last) >= 100*time.Millisecond {
			last = t
			fmt.Fprintf(w, "\r%s: %d rows read", name, rows)
		}
	}
}

// writePatch writes the suggestion as a diff of the scoring and fields
// files, unless it changes nothing, and reports whether it wrote one.
func writePatch(o backtestOptions, m *qualify.Model, s *backtest.Suggestion) (bool, error) {
	scoring, err := os.ReadFile(filepath.Join(o.dir, content.ScoringFile))
	if err != nil {
		return false, err
	}
	fields, err := os.ReadFile(filepath.Join(o.dir, content.FieldsFile))
	if err != nil {
		return false, err
	}
	// The diff names the files from the working directory when the
	// content is below it, else from the directory that holds the content
	// directory.
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return false, err
	}
	applyIn, prefix := filepath.Dir(dir), filepath.Base(dir)
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			applyIn, prefix = wd, rel
		}
	}
	files := backtest.PatchFiles{Scoring: scoring, Fields: fields,
		ScoringPath: filepath.ToSlash(filepath.Join(prefix, content.ScoringFile)),
		FieldsPath:  filepath.ToSlash(filepath.Join(prefix, content.FieldsFile))}
	out, err := filepath.Abs(o.out)
	if err != nil {
		return false, err
	}
	h := &s.HeldOut
	note := fmt.Sprintf("Points for %s fitted by winnow backtest to the outcomes in %s.\n"+
		"Held-out ROC AUC over %d folds: model now %.4f, regression %.4f, these points %.4f;\n"+
		"top-decile lift: model now %.2f, these points %.2f.\n"+
		"New rules read attributes the form never asks: integrations fill them in (see fields.yaml).\n"+
		"Stage thresholds, tiers and grades read the score and fit points, and winnow check\n"+
		"compares the example leads' verdicts: check them too.\n"+
		"Review, then apply in %s: git apply %s",
		o.dir, o.csv, s.Folds, h.Current, h.Regression, h.Points, h.Lift.Current, h.Lift.Points, applyIn, out)
	patch, err := backtest.Patch(files, m, s, note)
	if err != nil || patch == nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return false, err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if o.force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(o.out, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return false, fmt.Errorf("--out %s exists: remove it, choose another file, or pass --force", o.out)
	}
	if err != nil {
		return false, err
	}
	if _, err := f.Write(patch); err != nil {
		f.Close()
		return false, err
	}
	return true, f.Close()
}
