package backtest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

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

// WriteProblems writes the problems of reading the file name, grouped:
// one line per column and message, with how many times it came up and
// the lines and values of the first few; a problem that came up once as
// file:line, column "name": message. It writes nothing when there were
// none.
func (d *Data) WriteProblems(w io.Writer, name string) {
	if len(d.Groups) == 0 {
		return
	}
	fmt.Fprintf(w, "\nproblems (%d", len(d.Problems)+d.More)
	if d.Skipped > 0 {
		fmt.Fprintf(w, "; %d row%s skipped", d.Skipped, plural(d.Skipped))
	}
	fmt.Fprintln(w, ")")
	for _, g := range d.Groups {
		if g.Count == 1 && len(g.Examples) == 1 {
			fmt.Fprintf(w, "  %s:%s\n", name, strings.TrimPrefix(g.Examples[0].String(), "line "))
			continue
		}
		where := name
		if g.Column != "" {
			where += ", column " + strconv.Quote(g.Column)
		}
		more := ""
		if g.Count > len(g.Examples) {
			more = ", …"
		}
		fmt.Fprintf(w, "  %s: %d times: %s; %s%s\n", where, g.Count, g.Message, examples(g.Examples), more)
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
	fmt.Fprintf(w, "\nROC AUC of the score: %.4f (Mann–Whitney; tied scores count half); top-decile lift %s\n", r.AUC, topLift(d))
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
	h := &s.HeldOut
	fmt.Fprintf(w, "held-out ROC AUC, mean of %d folds: model now %.4f (top-decile lift %s), regression %.4f (%s), suggested points %.4f (%s)\n",
		s.Folds, h.Current, formatLift(h.Lift.Current), h.Regression, formatLift(h.Lift.Regression), h.Points, formatLift(h.Lift.Points))
	fmt.Fprintf(w, "(whole points within ±%d alone, not held to the range of each kind of rule: AUC %.4f)\n", MaxPoints, h.Unbounded)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  rule\tnow\tsuggested\tweight\tholds\trate when holds\tnote")
	for _, f := range s.Rules {
		note, suggested := "", fmt.Sprintf("%+d", f.Points)
		switch {
		case !f.Fitted:
			note = fmt.Sprintf("kept: holds for fewer than %d leads, or all but %d", MinSupport, MinSupport)
		case f.Remove:
			suggested, note = "removed", "remove: beside the other rules it is worth less than half a point"
		case f.Capped:
			note = fmt.Sprintf("held to %d..%d", f.Min, f.Max)
		}
		if stated, k, changed := proposedKind(res.Data.Model, &f); changed {
			note = strings.TrimPrefix(note+"; kind "+k.String()+", was "+stated.String()+": the points go against it", "; ")
		}
		row := fmt.Sprintf("  %s\t%+d\t%s\t%.3f\t%d\t%s\t%s", f.Name, f.Current, suggested, f.Weight, f.Holds, pct(f.Rate), note)
		fmt.Fprintln(tw, strings.TrimRight(row, "\t"))
	}
	tw.Flush()
	if len(s.Candidates) > 0 {
		res.writeCandidates(w)
	}
	if res.Patch == "" {
		fmt.Fprintln(w, "\nthe suggestion changes nothing: no patch written")
		return
	}
	fmt.Fprintf(w, "\npatch written to %s: review it, then git apply %s\n", res.Patch, res.Patch)
}

// writeCandidates explains the candidate rules in words, grouped by
// column: what each holds for and its points (a cut's on top of the cuts
// below it, with the total), its kind, and the leads it holds for.
func (res *Result) writeCandidates(w io.Writer) {
	s, m := res.Suggestion, res.Data.Model
	fmt.Fprintln(w, "\ncandidate rules from the extra columns, in words: points, kind, leads it holds for, rate converted (0: no rule)")
	for _, g := range candidateGroups(s.Candidates) {
		first := &g[0]
		what := "text"
		for _, f := range g {
			if f.HasCut {
				what = "number"
			}
		}
		attr := candidateAttr(*first)
		if i := m.FieldIndex(attr); i >= 0 {
			fmt.Fprintf(w, "  %s: column %s, read as the model's %s field %s\n", columnLabel(first.Column), first.Column, m.Fields[i].Type, attr)
		} else {
			fmt.Fprintf(w, "  %s: column %s, read as the %s attribute %s\n", columnLabel(first.Column), first.Column, what, attr)
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		total, below := 0, ""
		for i := range g {
			f := &g[i]
			points := fmt.Sprintf("%+d", f.Points)
			switch {
			case f.HasCut && below != "" && f.Points == 0:
				points = fmt.Sprintf("0, still %+d in all", total)
			case f.HasCut && below != "":
				points = fmt.Sprintf("%+d on top of the %+d for %s, %+d in all", f.Points, total, below, total+f.Points)
			case f.Points == 0:
				points = "0"
			}
			if f.HasCut {
				total += f.Points
				below = condition(f)
			}
			if f.Capped {
				points += fmt.Sprintf(" (held to %d..%d)", f.Min, f.Max)
			}
			var kind string
			switch stated, k, changed := proposedKind(m, f); {
			case !f.Fitted:
				kind = fmt.Sprintf("not fitted: fewer than %d leads", MinSupport)
			case f.Points == 0:
				kind = "-"
			case changed:
				kind = fmt.Sprintf("%s (the mapping says %s)", k, stated)
			default:
				kind = k.String()
			}
			fmt.Fprintf(tw, "    %s: %s\t%s\t%d\t%s\n", condition(f), points, kind, f.Holds, pct(f.Rate))
		}
		tw.Flush()
	}
}

// candidateGroups groups candidates by column, in the order the columns
// first come, each group in the order: left blank, the values, another
// value, the cuts from the lowest.
func candidateGroups(cands []Feature) [][]Feature {
	var groups [][]Feature
	at := map[string]int{}
	for _, f := range cands {
		key := f.Column + "\x00" + candidateAttr(f)
		i, ok := at[key]
		if !ok {
			i = len(groups)
			at[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], f)
	}
	rank := func(f *Feature) int {
		switch {
		case f.Missing:
			return 0
		case f.HasCut:
			return 3
		case f.Other:
			return 2
		}
		return 1
	}
	for _, g := range groups {
		slices.SortStableFunc(g, func(a, b Feature) int {
			if c := cmp.Compare(rank(&a), rank(&b)); c != 0 {
				return c
			}
			return cmp.Compare(a.Cut, b.Cut)
		})
	}
	return groups
}

// condition says in words what a candidate holds for: "left blank",
// `is "Chat"`, "is another value", "more than 400".
func condition(f *Feature) string {
	switch {
	case f.Missing:
		return "left blank"
	case f.HasCut:
		return "more than " + qualify.FormatNumber(f.Cut)
	case f.Other:
		return "is another value"
	case f.Value != "" || f.Attr != "":
		return "is " + strconv.Quote(f.Value)
	}
	return f.Label
}

// ruleLabel is the label of a candidate's rule: its column and what it
// holds for, "Time on site more than 400".
func ruleLabel(f *Feature) string {
	if f.Column == "" {
		return f.Label
	}
	c := condition(f)
	if c == f.Label {
		return c
	}
	return columnLabel(f.Column) + " " + c
}

// columnLabel makes a label of a column's name: "time_on_site" becomes
// "Time on site".
func columnLabel(column string) string {
	words := strings.FieldsFunc(column, func(r rune) bool { return r == '_' || r == '-' || r == ' ' })
	s := strings.Join(words, " ")
	if s == "" {
		return column
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// topLift is the top-decile lift of the score of the leads read: how
// many times the base rate the tenth of them that score highest convert.
func topLift(d *Data) string {
	return formatLift(TopDecileLift(d.Score, d.Outcome))
}

func formatLift(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return fmt.Sprintf("%.2f", x)
}

// resultJSON is a Result as WriteJSON writes it.
type resultJSON struct {
	File     string    `json:"file"`
	Model    string    `json:"model"`
	Read     int       `json:"rows_read"`
	Skipped  int       `json:"rows_skipped"`
	Problems []Problem `json:"problems"`
	More     int       `json:"more_problems"`
	// Groups are the problems grouped by column and message, as the text
	// shows them; they count the problems beyond Problems too.
	Groups     []ProblemGroup `json:"problem_groups"`
	Later      int            `json:"later_signals_ignored"`
	RuleRank   string         `json:"rules_ranked_by"`
	Report     *Report        `json:"report"`
	Suggestion *Suggestion    `json:"suggestion,omitempty"`
	Patch      string         `json:"patch,omitempty"`
}

// WriteJSON writes the result as one indented JSON object: the file, the
// model's version, the rows read and skipped, the problems and the same
// grouped by column and message, the report,
// the suggestion and the patch's file (both only when there are some).
func (res *Result) WriteJSON(w io.Writer) error {
	d := res.Data
	out := resultJSON{File: res.File, Model: d.Model.Version, Read: d.Read, Skipped: d.Skipped,
		Problems: d.Problems, More: d.More, Groups: d.Groups, Later: d.Later, RuleRank: "information value", Report: res.Report,
		Suggestion: res.Suggestion, Patch: res.Patch}
	if out.Problems == nil {
		out.Problems = []Problem{}
	}
	if out.Groups == nil {
		out.Groups = []ProblemGroup{}
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
