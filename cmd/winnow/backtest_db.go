package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker/modelcheck"
)

// runBacktestDB is winnow backtest --db: the backtest of the leads stored
// in the SQLite database at path (winnow dev's and winnow serve's) whose
// outcome sales recorded, each scored as it came in (modelcheck.ReadDecided),
// with the report, --suggest and the patch of the CSV's backtest.
func runBacktestDB(e *env, o backtestOptions, path string) error {
	if o.suggest {
		if err := checkOut(o); err != nil {
			return err
		}
	}
	c, err := loadDir(e, o.dir)
	if err != nil {
		return err
	}
	m := c.Model
	db, path, err := openDB(path)
	if err != nil {
		return err
	}
	defer db.Close()
	opt := modelcheck.DecidedOptions{}
	if e.stderrTerminal {
		opt.Progress = progress(e.stderr, path)
	}
	dec, err := modelcheck.ReadDecided(context.Background(), db, m, opt)
	if opt.Progress != nil {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if s := dec.RejectedText(); s != "" {
		fmt.Fprintln(e.stderr, path+": "+s)
	}
	d := dec.Data
	rep, err := backtest.Measure(d)
	if err != nil {
		return fmt.Errorf("%s: the leads with an outcome (won or lost): %w", path, err)
	}
	res := &backtest.Result{File: path, Data: d, Report: rep}
	if o.suggest {
		if res.Suggestion, err = backtest.Suggest(d, backtest.SuggestOptions{Folds: o.folds, Seed: o.seed, Cuts: o.cuts}); err != nil {
			return fmt.Errorf("--suggest: %w", err)
		}
		o.csv = "the leads with an outcome in " + path
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

// contentPatch returns the dashboard's modelcheck.Checker.Patch for model
// m, built from the content directory dir: the patch of dir's scoring and
// fields files as they are now, which are what m was loaded from
// (contentFiles).
func contentPatch(dir string, m *qualify.Model) func(*backtest.Suggestion, string) ([]byte, error) {
	files, err := contentFiles(dir)
	if err != nil {
		return func(*backtest.Suggestion, string) ([]byte, error) { return nil, err }
	}
	return modelcheck.SourcePatch(files, m)
}

// contentFiles reads the scoring and fields files of the content
// directory dir for a patch, named in the diff from the directory that
// holds dir when dir is below the working directory, as `winnow serve`
// and `make edge` run in it.
func contentFiles(dir string) (backtest.PatchFiles, error) {
	base := filepath.Base(dir)
	if clean := filepath.Clean(dir); !filepath.IsAbs(clean) && clean != ".." && !strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		base = clean
	}
	name := func(file string) string { return filepath.ToSlash(filepath.Join(base, file)) }
	f := backtest.PatchFiles{ScoringPath: name(content.ScoringFile), FieldsPath: name(content.FieldsFile)}
	var err error
	if f.Scoring, err = os.ReadFile(filepath.Join(dir, content.ScoringFile)); err != nil {
		return f, err
	}
	f.Fields, err = os.ReadFile(filepath.Join(dir, content.FieldsFile))
	return f, err
}
