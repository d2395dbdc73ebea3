package backtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/winnowhq/winnow/qualify"
)

// Result is a backtest as winnow backtest prints it: the leads read from
// a file, the report measured on them and the suggestion fitted to them.
type Result struct {
	File       string      // the CSV file the leads were read from
	Data       *Data       // the leads read, with Data.Model the model that scored them
	Report     *Report     // what Measure made of them
	Suggestion *Suggestion // what Suggest fitted to them; nil when not asked for
	Patch      string      // the file the suggestion's patch was written to; "" when none was
}

// WriteText writes the result for people: the rows read, the problems,
// the ROC AUC, the stages as thresholds, the score deciles, the fit
// grades and the point rules by information value; then the suggestion,
// if any, with its held-out AUCs, its points beside the model's, the
// candidate rules and where its patch was written.
func (res *Result) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	res.writeReport(ew)
	if res.Suggestion != nil {
		res.writeSuggestion(ew)
	}
	return ew.err
}

// WriteProblems writes the problems of reading the file name, one a line
// with its line and column, and how many more there were and rows were
// skipped. It writes nothing when there were none.
func (d *Data) WriteProblems(w io.Writer, name string) {
	if len(d.Problems) == 0 {
		return
	}
	fmt.Fprintf(w, "\nproblems (%d", len(d.Problems)+d.More)
	if d.Skipped > 0 {
		fmt.Fprintf(w, "; %d row%s skipped", d.Skipped, plural(d.Skipped))
	}
	fmt.Fprintln(w, ")")
	for _, p := range d.Problems {
		fmt.Fprintf(w, "  %s:%s\n", name, strings.TrimPrefix(p.String(), "line "))
	}
	if d.More > 0 {
		fmt.Fprintf(w, "  and %d more\n", d.More)
	}
}

func (res *Result) writeReport(w io.Writer) {
	m, d, r := res.Data.Model, res.Data, res.Report
	fmt.Fprintf(w, "%s: model %s (%s)\n", res.File, m.Version, m.Name)
	fmt.Fprintf(w, "%d rows read, %d used, %d skipped; %d converted (%s)\n", d.Read, r.Leads, d.Skipped, r.Converted, pct(r.BaseRate))
	if d.Later > 0 {
		fmt.Fprintf(w, "%d signal time%s after the lead's own instant ignored: they happened after it was scored\n", d.Later, plural(d.Later))
	}
	d.WriteProblems(w, res.File)

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "\nROC AUC of the score: %.4f (Mann–Whitney; tied scores count half)\n", r.AUC)
	fmt.Fprintln(w, "\nstages as thresholds (leads at the stage or a later one)")
	fmt.Fprintln(tw, "  stage\tleads\tconverted\tprecision\trecall\tlift")
	for _, s := range r.Stages {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\t%s\t%.2f\n", s.Stage, s.Reached, s.Converted, pct(s.Precision), pct(s.Recall), s.Lift)
	}
	tw.Flush()

	fmt.Fprintln(w, "\nscore deciles (1: the highest scores; tied scores share a decile)")
	fmt.Fprintln(tw, "  decile\tleads\tconverted\trate\tscores")
	for _, dc := range r.Deciles {
		scores := "-"
		if dc.Leads > 0 {
			scores = qualify.FormatNumber(dc.MinScore) + " to " + qualify.FormatNumber(dc.MaxScore)
		}
		fmt.Fprintf(tw, "  %d\t%d\t%d\t%s\t%s\n", dc.Decile, dc.Leads, dc.Converted, pct(dc.Rate), scores)
	}
	tw.Flush()

	fmt.Fprintln(w, "\nfit grades")
	fmt.Fprintln(tw, "  grade\tleads\tconverted\trate")
	for _, g := range r.Grades {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", labelled(g.Grade, g.Label), g.Leads, g.Converted, pct(g.Rate))
	}
	tw.Flush()

	fmt.Fprintln(w, "\npoint rules by information value (IV), most signal first; ! marks points against the data")
	fmt.Fprintln(tw, "  rank\trule\tpoints\tholds\trate when holds\trate when not\tlift\tIV")
	for _, rs := range r.Rules {
		mark := ""
		if !rs.Agrees {
			mark = " !"
		}
		fmt.Fprintf(tw, "  %d\t%s\t%+d%s\t%d\t%s\t%s\t%.2f\t%.4f\n", rs.Rank, rs.Rule, rs.Points, mark, rs.Holds, pct(rs.RateHolds), pct(rs.RateNot), rs.Lift, rs.IV)
	}
	tw.Flush()
}

func (res *Result) writeSuggestion(w io.Writer) {
	s := res.Suggestion
	fmt.Fprintf(w, "\nsuggested points: L2 logistic regression, penalty %.3g chosen by %d-fold cross-validation (seed %d)\n", s.Lambda, s.Folds, s.Seed)
	fmt.Fprintf(w, "held-out ROC AUC, mean of %d folds: model now %.4f, regression %.4f, suggested points %.4f\n",
		s.Folds, s.HeldOut.Current, s.HeldOut.Regression, s.HeldOut.Points)
	fmt.Fprintf(w, "(whole points within ±%d alone, not held to the range of each kind of rule: %.4f)\n", MaxPoints, s.HeldOut.Unbounded)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  rule\tnow\tsuggested\tweight\tholds\trate when holds\tnote")
	for _, f := range s.Rules {
		note := ""
		switch {
		case !f.Fitted:
			note = fmt.Sprintf("kept: holds for fewer than %d leads, or all but %d", MinSupport, MinSupport)
		case f.Capped:
			note = fmt.Sprintf("held to %d..%d", f.Min, f.Max)
		}
		row := fmt.Sprintf("  %s\t%+d\t%+d\t%.3f\t%d\t%s\t%s", f.Name, f.Current, f.Points, f.Weight, f.Holds, pct(f.Rate), note)
		fmt.Fprintln(tw, strings.TrimRight(row, "\t"))
	}
	tw.Flush()
	if len(s.Candidates) > 0 {
		fmt.Fprintln(w, "\ncandidate rules from the extra columns (0: no points suggested)")
		fmt.Fprintln(tw, "  rule\tsuggested\tweight\tholds\trate when holds")
		for _, f := range s.Candidates {
			fmt.Fprintf(tw, "  %s\t%+d\t%.3f\t%d\t%s\n", f.Label, f.Points, f.Weight, f.Holds, pct(f.Rate))
		}
		tw.Flush()
	}
	if res.Patch == "" {
		fmt.Fprintln(w, "\nthe suggestion changes nothing: no patch written")
		return
	}
	fmt.Fprintf(w, "\npatch written to %s: review it, then git apply %s\n", res.Patch, res.Patch)
}

// resultJSON is a Result as WriteJSON writes it.
type resultJSON struct {
	File       string      `json:"file"`
	Model      string      `json:"model"`
	Read       int         `json:"rows_read"`
	Skipped    int         `json:"rows_skipped"`
	Problems   []Problem   `json:"problems"`
	More       int         `json:"more_problems"`
	Later      int         `json:"later_signals_ignored"`
	RuleRank   string      `json:"rules_ranked_by"`
	Report     *Report     `json:"report"`
	Suggestion *Suggestion `json:"suggestion,omitempty"`
	Patch      string      `json:"patch,omitempty"`
}

// WriteJSON writes the result as one indented JSON object: the file, the
// model's version, the rows read and skipped, the problems, the report,
// the suggestion and the patch's file (both only when there are some).
func (res *Result) WriteJSON(w io.Writer) error {
	d := res.Data
	out := resultJSON{File: res.File, Model: d.Model.Version, Read: d.Read, Skipped: d.Skipped,
		Problems: d.Problems, More: d.More, Later: d.Later, RuleRank: "information value", Report: res.Report,
		Suggestion: res.Suggestion, Patch: res.Patch}
	if out.Problems == nil {
		out.Problems = []Problem{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// errWriter keeps the first error of the writes to w and skips the
// writes after it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

// labelled joins a name and its label, if it has one: "A: Ideal customer".
func labelled(name, label string) string {
	if label == "" {
		return name
	}
	return name + ": " + label
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
