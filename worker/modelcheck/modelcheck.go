// Package modelcheck closes the loop of the model: the leads stored with
// an outcome (won, lost) are scored as they came in and measured with the
// backtest (package backtest): the report and suggested points of
// `winnow backtest --db`, and the dashboard's model check, natively and
// at the edge alike: the worker takes a Checker through
// worker.Config.ModelCheck.
package modelcheck

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/templates"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/lead"
	"github.com/winnowhq/winnow/worker/store"
)

// DecidedOptions control ReadDecided.
type DecidedOptions struct {
	// Max is how many leads with an outcome are read at most, the most
	// recent first; 0 reads them all.
	Max int
	// Progress, when set, is called with the leads read so far after each
	// page of them.
	Progress func(leads int)
}

// Decided is what ReadDecided made of the stored leads with an outcome.
type Decided struct {
	Data *backtest.Data // one lead a row, the most recent first; Data.Read counts them
	// More says that Max cut the leads off: older ones have outcomes too.
	More bool
	// First and Last are the instants (Unix ms) the oldest and the newest
	// lead read came in; 0 without leads.
	First, Last int64
	// Rejected counts, by field, the stored answers the model rejects
	// (a field's type or options changed since): they are treated as
	// missing and the rest of the lead is used.
	Rejected map[string]int
}

// decidedPage is how many leads ReadDecided reads at once.
const decidedPage = 500

// ReadDecided reads the leads of db whose latest outcome is won or lost
// (leads merged into others, and leads whose personal data was purged,
// left out) and scores each with m as it was when it came in: the
// answers of its first submission (and any sales recorded by then) and
// the signals it had then (its visitor's page views before it, the
// form's), at the instant of its creation. What happened later is left
// out, as `winnow backtest` leaves out a signal dated after a lead's
// instant. A won lead converted; a lost one did not.
//
// It reads the leads a page at a time, the next page while it scores
// this one, so memory holds two pages and a few numbers per lead however
// many there are.
func ReadDecided(ctx context.Context, db *sql.DB, m *qualify.Model, opt DecidedOptions) (*Decided, error) {
	s := store.New(db, nil)
	type page struct {
		leads []store.Decided
		err   error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan page, 1)
	more := false
	go func() {
		defer close(pages)
		var cur store.DecidedCursor
		read := 0
		for opt.Max <= 0 || read < opt.Max {
			n := decidedPage
			if opt.Max > 0 {
				n = min(n, opt.Max-read)
			}
			leads, next, err := s.DecidedLeads(ctx, cur, n)
			select {
			case pages <- page{leads, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || len(leads) < n {
				return
			}
			cur, read = next, read+len(leads)
		}
		// Cut off: are there older ones?
		leads, _, err := s.DecidedLeads(ctx, cur, 1)
		more = len(leads) > 0
		if err != nil {
			select {
			case pages <- page{err: err}:
			case <-ctx.Done():
			}
		}
	}()
	out := &Decided{Rejected: map[string]int{}}
	b := backtest.NewBuilder(m)
	d := b.Data()
	for p := range pages {
		if p.err != nil {
			return nil, p.err
		}
		for _, l := range p.leads {
			st := lead.NewState()
			for i := range l.Events {
				lead.Apply(m, &st, &l.Events[i])
			}
			for _, fe := range b.Add(st.Answers, st.Signals, l.CreatedAt/1000, l.Outcome == lead.Won) {
				out.Rejected[fe.Field]++
			}
			d.Read++
			out.First = l.CreatedAt
			if out.Last == 0 {
				out.Last = l.CreatedAt
			}
		}
		if opt.Progress != nil {
			opt.Progress(d.Read)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out.Data, out.More = d, more // more is written before pages is closed
	return out, nil
}

// RejectedText says which stored answers the model rejects: "12 stored
// answers the model rejects were treated as missing (company_size 10,
// industry 2)", or "" for none.
func (d *Decided) RejectedText() string {
	total := 0
	var fields []string
	for f, n := range d.Rejected {
		total += n
		fields = append(fields, f)
	}
	if total == 0 {
		return ""
	}
	slices.SortFunc(fields, func(a, b string) int { return cmp.Or(d.Rejected[b]-d.Rejected[a], strings.Compare(a, b)) })
	for i, f := range fields {
		fields[i] = f + " " + strconv.Itoa(d.Rejected[f])
	}
	s := "s"
	if total == 1 {
		s = ""
	}
	return fmt.Sprintf("%d stored answer%s the model rejects (the model changed since) treated as missing: %s",
		total, s, strings.Join(fields, ", "))
}

// MaxLeads is how many of the most recent leads with an outcome a
// Checker reads unless told otherwise: what one page view reads, scores
// and fits in a few seconds.
const MaxLeads = 20000

// MaxEnv is the variable that sets a Checker's Max: a whole number, 0 to
// turn the check off (ParseMax).
const MaxEnv = "WINNOW_MODEL_CHECK_MAX"

// ParseMax reads the value of MaxEnv: def when it is empty, 0 when the
// check is off, else how many leads the check reads.
func ParseMax(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: not a whole number of leads, 0 to turn the model check off: %q", MaxEnv, v)
	}
	return n, nil
}

// SourcePatch returns a Checker's Patch for model m: backtest.Patch of
// files, the text m was loaded from.
func SourcePatch(files backtest.PatchFiles, m *qualify.Model) func(*backtest.Suggestion, string) ([]byte, error) {
	return func(s *backtest.Suggestion, note string) ([]byte, error) {
		return backtest.Patch(files, m, s, note)
	}
}

// SuggestOptions are the cross-validation of the model check: those of
// `winnow backtest --suggest` by default, so that both suggest the same
// points for the same leads.
var SuggestOptions = backtest.SuggestOptions{Folds: 5, Seed: 1}

// Checker is the dashboard's model check (worker.ModelChecker).
type Checker struct {
	// Max is how many of the most recent leads with an outcome it reads;
	// 0 means MaxLeads.
	Max int
	// Patch, if set, writes a suggestion as a patch of the model's source,
	// with note at its head, or nil when it changes nothing (see
	// backtest.Patch); without it the page says how to get one.
	Patch func(s *backtest.Suggestion, note string) ([]byte, error)
	// Now is the clock of "computed at"; nil: time.Now.
	Now func() time.Time
}

// CheckModel reads the leads of db with an outcome, up to Max, scores
// them with m as they came in, measures the score and fits points to the
// outcomes: the page, and the patch when there is one.
func (c Checker) CheckModel(ctx context.Context, db *sql.DB, m *qualify.Model) (*worker.ModelCheck, error) {
	limit := cmp.Or(c.Max, MaxLeads)
	dec, err := ReadDecided(ctx, db, m, DecidedOptions{Max: limit})
	if err != nil {
		return nil, err
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	d := dec.Data
	v := templates.ModelCheck{Model: m.Version, Leads: d.Read, Capped: dec.More, Cap: limit,
		Computed: now().UTC().Format("2006-01-02 15:04 UTC"), Rejected: dec.RejectedText()}
	if d.Read > 0 {
		v.From, v.To = time.UnixMilli(dec.First).UTC().Format(time.DateOnly), time.UnixMilli(dec.Last).UTC().Format(time.DateOnly)
	}
	out := &worker.ModelCheck{}
	rep, err := backtest.Measure(d)
	if err != nil {
		v.Message = "The check needs leads with an outcome, some won and some lost: " + err.Error() +
			". Sales record outcomes on a lead (POST /api/leads/{id}/events with {\"outcome\": \"won\"}) or through the CRM."
		out.View = v
		return out, nil
	}
	v.Converted, v.Rate, v.AUC = rep.Converted, pct(rep.BaseRate), strconv.FormatFloat(rep.AUC, 'f', 3, 64)
	s, err := backtest.Suggest(d, SuggestOptions)
	if err != nil {
		v.NoSuggestion = "No points are suggested: " + err.Error() + "."
		out.View = v
		return out, nil
	}
	v.Folds = s.Folds
	v.HeldOut = [2]string{strconv.FormatFloat(s.HeldOut.Current, 'f', 3, 64), strconv.FormatFloat(s.HeldOut.Points, 'f', 3, 64)}
	v.Lift = [2]string{strconv.FormatFloat(topLift(d, d.Score), 'f', 2, 64),
		strconv.FormatFloat(topLift(d, suggestedScores(d, s)), 'f', 2, 64)}
	for _, f := range s.Rules {
		row := checkRule(f)
		row.Current = signed(f.Current)
		row.Changed = f.Points != f.Current
		v.Rules = append(v.Rules, row)
	}
	for _, f := range s.Candidates {
		v.Candidates = append(v.Candidates, checkRule(f))
	}
	if c.Patch != nil {
		note := fmt.Sprintf("Points for model %s fitted by the dashboard's model check to the outcomes of %d leads (%s).\n"+
			"Held-out ROC AUC over %d folds: model now %.4f, regression %.4f, these points %.4f.\n"+
			"Stage thresholds, tiers and grades read the score and fit points: check them too.\n"+
			"Review, then apply from the directory that holds the content: git apply suggest.patch",
			m.Version, d.Read, v.Computed, s.Folds, s.HeldOut.Current, s.HeldOut.Regression, s.HeldOut.Points)
		if out.Patch, err = c.Patch(s, note); err != nil {
			return nil, fmt.Errorf("writing the patch: %w", err)
		}
	}
	switch {
	case out.Patch != nil:
		v.PatchURL = "/admin/model.patch"
	case c.Patch != nil:
		v.NoPatch = "The suggested points are the model's: there is nothing to change."
	default:
		v.NoPatch = "This server does not have the model's source files, so it cannot write the patch: " +
			"winnow backtest --db FILE --suggest beside the content directory writes it."
	}
	out.View = v
	return out, nil
}

// suggestedScores scores each lead by the suggested points of the model's
// rules that hold for it, as the held-out AUC of the points does.
func suggestedScores(d *backtest.Data, s *backtest.Suggestion) []float64 {
	out := make([]float64, d.Len())
	for i := range out {
		for _, f := range s.Rules {
			if d.Holds(i, f.Rule) {
				out[i] += float64(f.Points)
			}
		}
	}
	return out
}

// topLift is the conversion rate of the decile of d's leads that score
// highest by scores, over that of all of them (ties share a decile, as
// the backtest's report counts them).
func topLift(d *backtest.Data, scores []float64) float64 {
	c := *d
	c.Score = scores
	r, err := backtest.Measure(&c)
	if err != nil || len(r.Deciles) == 0 || r.BaseRate == 0 {
		return 0
	}
	for _, dc := range r.Deciles {
		if dc.Leads > 0 {
			return dc.Rate / r.BaseRate
		}
	}
	return 0
}

func checkRule(f backtest.Feature) templates.ModelCheckRule {
	row := templates.ModelCheckRule{Name: f.Name, Label: f.Label, Suggested: signed(f.Points), Leads: f.Holds,
		Rate: pct(f.Rate), Weight: strconv.FormatFloat(f.Weight, 'f', 3, 64)}
	if f.Holds == 0 {
		row.Rate = "–"
	}
	switch {
	case !f.Fitted:
		row.Weight = "–"
		row.Note = fmt.Sprintf("kept: holds for fewer than %d leads, or all but %d", backtest.MinSupport, backtest.MinSupport)
	case f.Capped:
		row.Note = fmt.Sprintf("held to %d..%d", f.Min, f.Max)
	}
	return row
}

func signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func pct(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" }
