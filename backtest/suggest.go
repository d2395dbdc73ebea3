package backtest

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/winnowhq/winnow/qualify"
)

// SuggestOptions control Suggest. The zero value is useful.
type SuggestOptions struct {
	Folds   int       // cross-validation folds; 0 means 5
	Seed    uint64    // seeds the assignment of leads to folds
	Lambdas []float64 // L2 penalties to choose from; nil means n × 10^-6 … n × 10^-2 in half decades, for n leads
	// Cuts is how many quantiles of a numeric column are tried as cuts
	// "column > c", evenly apart; 0 means 19 (every twentieth).
	Cuts int
}

// DefaultCuts is the number of quantiles of a numeric column Suggest
// tries as cuts when SuggestOptions.Cuts is 0.
const DefaultCuts = 19

// MaxPoints bounds the points Suggest gives a rule, either way.
const MaxPoints = 10

// MinSupport is the fewest leads a rule must hold for, and not hold for,
// to be fitted; a rule with fewer keeps its points.
const MinSupport = 20

// Feature is a yes/no feature of the regression: one of the model's point
// rules, or a candidate rule made from an extra column.
type Feature struct {
	Rule    int    `json:"-"`                // index into Model.Points, or -1 for a candidate
	Name    string `json:"name"`             // the rule's name, or one made for a candidate
	Label   string `json:"label"`            // what the rule says, for people
	Column  string `json:"column,omitempty"` // a candidate's extra column
	When    string `json:"when,omitempty"`   // a candidate's rule, in the rule language
	Holds   int    `json:"holds"`            // leads it holds for
	Fitted  bool   `json:"fitted"`           // false: it holds for too few leads, or too many, to fit
	Current int    `json:"current"`          // a model rule's points now
	// Weight is the rule's coefficient in the regression fitted on every
	// lead: the change in the log-odds of converting when it holds.
	Weight float64 `json:"weight"`
	// Points are the suggested points, as a patch writes them: of the sign
	// of the scaled weight, within the range of SuggestKind, or 0 when the
	// scaled weight rounds to 0: no rule. No kind allows 0 points, so a
	// candidate with 0 is not added and a model rule with 0 is removed
	// (Remove).
	Points int  `json:"points"`
	Min    int  `json:"min"`    // the least points SuggestKind allows, within ±MaxPoints
	Max    int  `json:"max"`    // the most points SuggestKind allows, within ±MaxPoints
	Capped bool `json:"capped"` // the scaled weight was held to Min..Max
	// Remove proposes removing a fitted model rule whose points round to
	// 0: given the other rules, it tells nothing of who converts.
	Remove bool `json:"remove,omitempty"`
	// Rate is the conversion rate of the leads it holds for.
	Rate float64 `json:"rate"`
	// Kind is the kind of point rule: a model rule's own; for a candidate,
	// the kind its column's mapping states, engagement when it states none.
	Kind qualify.PointKind `json:"-"`
	// SuggestKind is the kind the suggested points need: Kind, unless the
	// fitted weight has the sign Kind does not allow. A rule of a positive
	// kind whose points are negative becomes negative; a negative rule whose
	// points are positive becomes engagement. KindChanged reports that
	// SuggestKind is not Kind.
	SuggestKind qualify.PointKind `json:"-"`
	KindChanged bool              `json:"kind_changed,omitempty"`
	// A candidate holds when its column's attribute (Attr) is missing
	// (Missing), equals Value, is another value than the column's named
	// ones (Other), or is above Cut (a number; cuts over one column add up).
	Attr    string  `json:"attribute,omitempty"`
	Missing bool    `json:"missing,omitempty"`
	Value   string  `json:"value,omitempty"`
	Other   bool    `json:"other,omitempty"`
	Cut     float64 `json:"cut,omitempty"`
	HasCut  bool    `json:"-"`
}

// Penalty is the cross-validated fit of one L2 penalty.
type Penalty struct {
	Lambda  float64 `json:"lambda"`
	LogLoss float64 `json:"log_loss"` // mean held-out log loss per lead
}

// HeldOut is the ROC AUC of three scores on held-out leads, as the mean
// over the folds: each fold is scored by a fit on the other folds.
type HeldOut struct {
	Current    float64 `json:"current"`    // the model's score as it is
	Regression float64 `json:"regression"` // the regression's unrounded log-odds
	// Points is the AUC of the suggested whole points as a patch writes
	// them: each rule within the range of its suggested kind, a removed
	// rule at 0.
	Points float64 `json:"points"`
	// Unbounded is the AUC of whole points held to ±MaxPoints only, not to
	// the range the model allows each kind of rule: what the ranges cost.
	Unbounded float64      `json:"unbounded"`
	Folds     [][4]float64 `json:"folds"` // per fold: current, regression, points, unbounded
	// Lift is the top-decile lift of the model's score, the regression and
	// the suggested points on the same held-out leads.
	Lift Lift `json:"top_decile_lift"`
}

// Lift is the top-decile lift of three scores, as the mean over the folds
// of each fold's held-out leads: the conversion rate of the tenth of them
// that score highest, over the rate of them all (see TopDecileLift).
type Lift struct {
	Current    float64 `json:"current"`
	Regression float64 `json:"regression"`
	Points     float64 `json:"points"`
}

// Suggestion is a set of point values fitted to past outcomes.
type Suggestion struct {
	Folds     int       `json:"folds"`
	Seed      uint64    `json:"seed"`
	Cuts      int       `json:"cuts"`   // quantiles of a numeric column tried as cuts
	Lambda    float64   `json:"lambda"` // the L2 penalty chosen
	Penalties []Penalty `json:"penalties"`
	Leads     int       `json:"leads"` // the past leads fitted
	// Scale turns weights into points: a rule's points are round(Scale ×
	// weight) held to its range, and the cuts over one numeric column
	// share the rounding, so that each lead's points for the column are
	// its rounded scaled sum. It is the scale whose points lose the least
	// log-likelihood of the leads, to second order (see toPoints).
	Scale      float64   `json:"scale"`
	HeldOut    HeldOut   `json:"held_out"`
	Rules      []Feature `json:"rules"`      // the model's point rules, in model order
	Candidates []Feature `json:"candidates"` // new rules from the extra columns
}

// Suggest fits integer points to the outcomes in d: an L2-regularised
// logistic regression on whether each point rule holds and on candidate
// rules made from the extra columns, its penalty chosen by k-fold
// cross-validation (by held-out log loss), its weights scaled to whole
// points of at most MaxPoints either way. It is deterministic for a seed.
//
// A text column gives a rule per common value and one for the rare
// values pooled; a missing value is a level of its own, with a rule
// `not known(attribute)` unless it is the column's most common level, the
// baseline that gets no rule. A numeric column gives cumulative rules
// `attribute > c` at up to opt.Cuts quantiles, which add up to a step
// function of the number, and a rule for the number being missing.
func Suggest(d *Data, opt SuggestOptions) (*Suggestion, error) {
	if opt.Folds == 0 {
		opt.Folds = 5
	}
	if opt.Folds < 2 {
		return nil, errors.New("cross-validation needs at least 2 folds")
	}
	if opt.Cuts <= 0 {
		opt.Cuts = DefaultCuts
	}
	n, pos := d.Len(), 0
	if opt.Lambdas == nil {
		for e := -12; e <= -4; e++ {
			opt.Lambdas = append(opt.Lambdas, float64(n)*math.Pow(10, float64(e)/2))
		}
	}
	for _, y := range d.Outcome {
		if y {
			pos++
		}
	}
	if pos < opt.Folds || n-pos < opt.Folds {
		return nil, fmt.Errorf("%d converted and %d not converted leads: too few for %d folds", pos, n-pos, opt.Folds)
	}
	ds := features(d, opt.Cuts)
	feats := ds.feats
	fold := assignFolds(d.Outcome, opt.Folds, opt.Seed)
	pt := collapse(ds.active, ds.units, d.Outcome, fold, opt.Folds)
	k := opt.Folds

	s := &Suggestion{Folds: k, Seed: opt.Seed, Cuts: opt.Cuts, Leads: n}
	lambdas := slices.Clone(opt.Lambdas)
	slices.SortFunc(lambdas, func(a, b float64) int { return cmp.Compare(b, a) }) // largest first: warm starts
	p := len(feats)
	// Each fold is fitted on the others, in parallel, for each penalty from
	// the largest down, each fit starting from the last. The path stops
	// when two penalties in a row do not lower the mean held-out log loss
	// by a thousandth of a percent: smaller ones fit the same.
	type foldFit struct {
		train, test []float64 // leads per pattern
		beta        []float64
		betas       [][]float64 // per penalty
		loss        float64
	}
	fits := make([]foldFit, k)
	inFolds(k, func(f int) {
		ff := &fits[f]
		ff.train, ff.test = make([]float64, 2*len(pt.act)), make([]float64, 2*len(pt.act))
		pt.split(f, ff.train, ff.test)
		ff.beta = make([]float64, p+1)
	})
	best, flat := 0, 0
	for li, lambda := range lambdas {
		inFolds(k, func(f int) {
			ff := &fits[f]
			fit(pt, ff.train, lambda, ff.beta)
			ff.betas = append(ff.betas, slices.Clone(ff.beta))
			ff.loss = logLoss(pt.predict(ff.beta), ff.test)
		})
		pen := Penalty{Lambda: lambda}
		for _, ff := range fits {
			pen.LogLoss += ff.loss / float64(k)
		}
		s.Penalties = append(s.Penalties, pen)
		if bestLoss := s.Penalties[best].LogLoss; li > 0 && pen.LogLoss > bestLoss*(1-1e-5) {
			flat++
		} else {
			flat = 0
		}
		if pen.LogLoss < s.Penalties[best].LogLoss {
			best = li
		}
		if flat == 2 {
			break
		}
	}
	s.Lambda = lambdas[best]

	// The scores on each fold's held-out leads.
	s.HeldOut.Folds = make([][4]float64, k)
	lifts := make([][3]float64, k)
	inFolds(k, func(f int) {
		ff := &fits[f]
		beta := ff.betas[best]
		points, _, _ := toPoints(pt, feats, beta, ff.train, true)
		unbounded, _, _ := toPoints(pt, feats, beta, ff.train, false)
		var cur []float64
		var ys []bool
		for i := range fold {
			if int(fold[i]) == f {
				cur, ys = append(cur, d.Score[i]), append(ys, d.Outcome[i])
			}
		}
		eta := pt.predict(beta)
		s.HeldOut.Folds[f] = [4]float64{AUC(cur, ys), weightedAUC(eta, ff.test),
			intAUC(pt, points, ff.test), intAUC(pt, unbounded, ff.test)}
		lifts[f] = [3]float64{TopDecileLift(cur, ys), weightedLift(eta, ff.test), weightedLift(pt.score(points), ff.test)}
	})
	for f, auc := range s.HeldOut.Folds {
		s.HeldOut.Current += auc[0] / float64(k)
		s.HeldOut.Regression += auc[1] / float64(k)
		s.HeldOut.Points += auc[2] / float64(k)
		s.HeldOut.Unbounded += auc[3] / float64(k)
		s.HeldOut.Lift.Current += lifts[f][0] / float64(k)
		s.HeldOut.Lift.Regression += lifts[f][1] / float64(k)
		s.HeldOut.Lift.Points += lifts[f][2] / float64(k)
	}

	all := make([]float64, 2*len(pt.act))
	pt.split(-1, all, nil)
	beta := slices.Clone(fits[0].betas[best])
	fit(pt, all, s.Lambda, beta)
	points, held, scale := toPoints(pt, feats, beta, all, true)
	s.Scale = scale
	for j := range feats {
		f := &feats[j]
		f.Weight = beta[j+1]
		f.Points = points[j]
		f.SuggestKind, f.Capped = held[j].kind, held[j].capped
		f.KindChanged = f.SuggestKind != f.Kind
		f.Min, f.Max = pointBounds(f.SuggestKind)
		f.Remove = f.Rule >= 0 && f.Points == 0
	}
	for r, pr := range d.Model.Points {
		if j := slices.IndexFunc(feats, func(f Feature) bool { return f.Rule == r }); j >= 0 {
			s.Rules = append(s.Rules, feats[j])
			continue
		}
		f := Feature{Rule: r, Name: pr.Name, Label: pr.Label, Current: pr.Points, Points: pr.Points,
			Kind: pr.Kind, SuggestKind: pr.Kind}
		f.Min, f.Max = pointBounds(pr.Kind)
		conv := 0
		for i := range n {
			if d.Holds(i, r) {
				f.Holds++
				if d.Outcome[i] {
					conv++
				}
			}
		}
		f.Rate = ratio(conv, f.Holds)
		s.Rules = append(s.Rules, f)
	}
	for _, f := range feats {
		if f.Rule < 0 {
			s.Candidates = append(s.Candidates, f)
		}
	}
	return s, nil
}

// inFolds runs do for each of k folds, in parallel, and waits for them.
func inFolds(k int, do func(f int)) {
	var wg sync.WaitGroup
	for f := range k {
		wg.Go(func() { do(f) })
	}
	wg.Wait()
}

// roundHalf rounds half away from zero.
func roundHalf(x float64) float64 { return math.Round(x) }

// pointBounds is the range of points a rule of kind k may get: the model's
// range for the kind, within ±MaxPoints.
func pointBounds(k qualify.PointKind) (lo, hi int) {
	lo, hi = qualify.PointRange(k)
	if lo == 0 && hi == 0 {
		lo, hi = -MaxPoints, MaxPoints
	}
	return max(lo, -MaxPoints), min(hi, MaxPoints)
}

// design is the features of the regression and how the leads hold them.
//
// A unit is one level a lead can be at: a model rule holding, a text
// column's value or its absence, a numeric column's interval between two
// cuts or its absence. A lead is at no more than one unit of each column,
// so it holds few units, while a unit may turn several features on: the
// interval above a column's third cut holds its first three cuts. The
// regression sums over each lead's units and turns the sums into sums
// over features once per pass.
type design struct {
	feats  []Feature
	units  [][]uint16 // per unit, the features it turns on, ascending
	active [][]uint16 // per lead, its units, ascending
}

// features lists the features of the regression, the units and, for each
// lead, the units it is at.
func features(d *Data, cuts int) *design {
	m, n := d.Model, d.Len()
	ds := &design{active: make([][]uint16, n)}
	for r, pr := range m.Points {
		h, conv := 0, 0
		for i := range n {
			if d.Holds(i, r) {
				h++
				if d.Outcome[i] {
					conv++
				}
			}
		}
		if h < MinSupport || n-h < MinSupport {
			continue
		}
		f := Feature{Rule: r, Name: pr.Name, Label: pr.Label, Holds: h, Fitted: true, Current: pr.Points,
			Rate: ratio(conv, h), Kind: pr.Kind}
		f.Min, f.Max = pointBounds(pr.Kind)
		j := uint16(len(ds.feats))
		u := uint16(len(ds.units))
		ds.feats = append(ds.feats, f)
		ds.units = append(ds.units, []uint16{j})
		for i := range n {
			if d.Holds(i, r) {
				ds.active[i] = append(ds.active[i], u)
			}
		}
	}
	for _, x := range d.Extra {
		var lv levels
		if numeric(x) {
			lv = numericLevels(x, n, cuts)
		} else {
			lv = textLevels(x, n)
		}
		if len(lv.feats) == 0 {
			continue
		}
		base, ubase := len(ds.feats), len(ds.units)
		rows, conv := make([]int, len(lv.units)), make([]int, len(lv.units))
		for i, u := range lv.unit {
			if u < 0 {
				continue
			}
			ds.active[i] = append(ds.active[i], uint16(ubase+int(u)))
			rows[u]++
			if d.Outcome[i] {
				conv[u]++
			}
		}
		fconv := make([]int, len(lv.feats))
		for u, fs := range lv.units {
			ids := make([]uint16, len(fs))
			for x, j := range fs {
				ids[x] = uint16(base + j)
				lv.feats[j].Holds += rows[u]
				fconv[j] += conv[u]
			}
			ds.units = append(ds.units, ids)
		}
		for j := range lv.feats {
			f := &lv.feats[j]
			f.Rule, f.Fitted, f.Rate = -1, true, ratio(fconv[j], f.Holds)
			f.Min, f.Max = pointBounds(f.Kind)
		}
		ds.feats = append(ds.feats, lv.feats...)
	}
	return ds
}

// levels are the candidates made from one extra column, the units they
// make (each a list of indices into feats) and each lead's unit, or -1
// for the column's baseline, which holds no candidate.
type levels struct {
	feats []Feature
	units [][]int
	unit  []int32
}

// numeric reports whether Suggest treats x as a number: the column says
// so and holds at least one number.
func numeric(x *Extra) bool {
	if !x.Numeric() {
		return false
	}
	return slices.ContainsFunc(x.Num, func(v float64) bool { return !math.IsNaN(v) })
}

// attrKind returns the attribute a rule over x reads and the kind of its
// candidates.
func attrKind(x *Extra) (string, qualify.PointKind) {
	attr, kind := x.Attr, x.Kind
	if attr == "" {
		attr = slug(x.Name, '_')
	}
	if kind == 0 {
		kind = qualify.EngagementPoints
	}
	return attr, kind
}

// slug turns a column name into a name the rule language and point rule
// names accept: lower case letters, digits and sep.
func slug(s string, sep byte) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && b.String()[b.Len()-1] != sep:
			b.WriteByte(sep)
		}
	}
	out := strings.TrimRight(b.String(), string(sep))
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "x" + string(sep) + out
	}
	return out
}

func name(e string) *qualify.Expr { return &qualify.Expr{Op: qualify.OpName, Name: e} }
func str(s string) *qualify.Expr  { return &qualify.Expr{Op: qualify.OpString, Name: s} }
func known(attr string) *qualify.Expr {
	return &qualify.Expr{Op: qualify.OpCall, Name: "known", Args: []*qualify.Expr{name(attr)}}
}

// blank is the candidate "the column is missing".
func blank(x *Extra, attr string, kind qualify.PointKind) Feature {
	return Feature{Name: slug(x.Name, '-') + "-blank", Column: x.Name, Attr: attr, Kind: kind, Missing: true,
		Label: x.Name + " left blank",
		When:  qualify.Print(&qualify.Expr{Op: qualify.OpNot, Args: []*qualify.Expr{known(attr)}})}
}

// textLevels makes the candidates of a text column. Its levels are its
// values and its absence (Code -1: empty or a missing value). Each level
// held by at least 1% of the leads, up to the 21 most common, is kept; the
// most common is the baseline and gets no rule, the others get one:
// "column is value", or "column left blank" for the missing level. The
// baseline is the most common level even when that is the missing one:
// the penalty shrinks each rule toward the baseline, which is then the
// level best known, and where most leads leave a question blank the rules
// read as what an answer adds. The values not kept are pooled into
// "column is another value"; a missing level too rare to keep stays with
// the baseline.
func textLevels(x *Extra, n int) levels {
	attr, kind := attrKind(x)
	miss := len(x.Values) // the missing level
	counts := make([]int, len(x.Values)+1)
	for _, c := range x.Code {
		if c < 0 {
			counts[miss]++
		} else {
			counts[c]++
		}
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return counts[b] - counts[a] })
	minRows := max((n+99)/100, MinSupport)
	const pooled, baseline = -2, -1
	keep := make([]int, len(counts)) // level -> index into feats, baseline or pooled
	for i := range keep {
		keep[i] = pooled
	}
	var lv levels
	var kept []*qualify.Expr
	id := slug(x.Name, '-')
	for rank, c := range order {
		if rank >= 21 || counts[c] < minRows {
			break
		}
		if c != miss {
			kept = append(kept, str(x.Values[c]))
		}
		if rank == 0 {
			keep[c] = baseline
			continue
		}
		keep[c] = len(lv.feats)
		lv.units = append(lv.units, []int{len(lv.feats)})
		if c == miss {
			lv.feats = append(lv.feats, blank(x, attr, kind))
			continue
		}
		v := x.Values[c]
		lv.feats = append(lv.feats, Feature{Name: id + "-" + slug(v, '-'), Column: x.Name, Attr: attr, Kind: kind, Value: v,
			Label: x.Name + " is " + strconv.Quote(v),
			When:  qualify.Print(&qualify.Expr{Op: qualify.OpEq, Args: []*qualify.Expr{name(attr), str(v)}})})
	}
	other := 0
	for c, k := range keep {
		if k == pooled && c != miss {
			other += counts[c]
		}
	}
	otherFeat := -1
	if other >= MinSupport && (len(kept) > 0 || keep[miss] != pooled) {
		when := known(attr)
		if len(kept) > 0 {
			notIn := &qualify.Expr{Op: qualify.OpNotIn, Args: append([]*qualify.Expr{name(attr)}, kept...)}
			when = &qualify.Expr{Op: qualify.OpAnd, Args: []*qualify.Expr{when, notIn}}
		}
		otherFeat = len(lv.feats)
		lv.units = append(lv.units, []int{otherFeat})
		lv.feats = append(lv.feats, Feature{Name: id + "-other", Column: x.Name, Attr: attr, Kind: kind, Other: true,
			Label: x.Name + " is another value", When: qualify.Print(when)})
	}
	lv.unit = make([]int32, len(x.Code))
	for i, c := range x.Code {
		l := int(c)
		if c < 0 {
			l = miss
		}
		switch k := keep[l]; {
		case k >= 0:
			lv.unit[i] = int32(k)
		case k == pooled && l != miss:
			lv.unit[i] = int32(otherFeat)
		default:
			lv.unit[i] = -1
		}
	}
	return lv
}

// numericLevels makes the candidates of a numeric column: "column > c"
// at up to cuts quantiles of its numbers, evenly apart, each rounded to a
// readable number, and "column left blank" for a missing number. A cut is
// kept when it is above the last one kept, when at least 1% of the leads
// (and MinSupport) have numbers at most it and as many above it, and when
// MinSupport leads have numbers between it and the last one kept. The
// cuts add up: a lead's points for the column are those of every cut its
// number is above, a step function of the number. A missing number holds
// no cut.
func numericLevels(x *Extra, n, cuts int) levels {
	attr, kind := attrKind(x)
	var vals []float64
	for _, v := range x.Num {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	minRows := max(MinSupport, n/100)
	var lv levels
	missFeat := -1
	if miss := len(x.Num) - len(vals); miss >= minRows && len(vals) >= minRows {
		missFeat = len(lv.feats)
		lv.units = append(lv.units, []int{missFeat})
		lv.feats = append(lv.feats, blank(x, attr, kind))
	}
	var cs []float64
	first, below := len(lv.feats), 0
	for q := 1; q <= cuts && len(vals) > 0; q++ {
		c := Readable(vals[len(vals)*q/(cuts+1)])
		if len(cs) > 0 && c <= cs[len(cs)-1] {
			continue
		}
		at := upperBound(vals, c)
		if at < minRows || len(vals)-at < minRows || at-below < MinSupport {
			continue
		}
		cs, below = append(cs, c), at
		num := qualify.FormatNumber(c)
		lv.feats = append(lv.feats, Feature{Name: slug(x.Name, '-') + "-over-" + strings.NewReplacer(".", "-", "-", "minus-").Replace(num),
			Column: x.Name, Attr: attr, Kind: kind, Cut: c, HasCut: true,
			Label: x.Name + " > " + num,
			When:  qualify.Print(&qualify.Expr{Op: qualify.OpGt, Args: []*qualify.Expr{name(attr), {Op: qualify.OpNumber, Num: c}}})})
		// The interval above this cut holds every cut so far.
		unit := make([]int, len(cs))
		for k := range unit {
			unit[k] = first + k
		}
		lv.units = append(lv.units, unit)
	}
	bin0 := len(lv.units) - len(cs) // the units before the intervals: the missing one, if any
	lv.unit = make([]int32, len(x.Num))
	for i, v := range x.Num {
		switch {
		case math.IsNaN(v):
			lv.unit[i] = int32(missFeat) // the missing unit is unit 0, when there is one
		default:
			// The number of cuts below v: the interval it falls in.
			if b, _ := slices.BinarySearch(cs, v); b > 0 {
				lv.unit[i] = int32(bin0 + b - 1)
			} else {
				lv.unit[i] = -1
			}
		}
	}
	return lv
}

// upperBound returns the number of sorted values at most c.
func upperBound(sorted []float64, c float64) int {
	i, _ := slices.BinarySearchFunc(sorted, c, func(v, c float64) int {
		if v <= c {
			return -1
		}
		return 1
	})
	return i
}

// Readable rounds x to the nearest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5 and 8
// times a power of ten: 13 becomes 15, 0.37 becomes 0.4, 1234 becomes 1000.
func Readable(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	sign := 1.0
	if x < 0 {
		sign, x = -1, -x
	}
	mag := math.Pow(10, math.Floor(math.Log10(x)))
	best := mag
	for _, m := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10} {
		if c := m * mag; math.Abs(c-x) < math.Abs(best-x) {
			best = c
		}
	}
	// Powers of ten below one are not exact in binary: round to the digits shown.
	best, _ = strconv.ParseFloat(strconv.FormatFloat(best, 'g', 3, 64), 64)
	return sign * best
}

// assignFolds assigns each lead to a fold at random, converted and not
// converted leads separately so that each fold holds its share of both.
func assignFolds(y []bool, k int, seed uint64) []uint8 {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	fold := make([]uint8, len(y))
	for _, class := range []bool{true, false} {
		var idx []int32
		for i, v := range y {
			if v == class {
				idx = append(idx, int32(i))
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for j, i := range idx {
			fold[i] = uint8(j % k)
		}
	}
	return fold
}

// patterns are the distinct sets of units leads are at, with the leads
// of each per fold and outcome: the regression's work is per pattern, not
// per lead.
type patterns struct {
	act   [][]uint16 // per pattern, its units, ascending
	unit  [][]uint16 // per unit, the features it turns on
	k     int
	count []float64 // [pattern][fold][converted?]: leads
}

func collapse(active, units [][]uint16, y []bool, fold []uint8, k int) *patterns {
	pt := &patterns{k: k, unit: units}
	ids := map[string]int{}
	var key []byte
	for i, a := range active {
		key = key[:0]
		for _, j := range a {
			key = append(key, byte(j), byte(j>>8))
		}
		id, ok := ids[string(key)]
		if !ok {
			id = len(pt.act)
			ids[string(key)] = id
			pt.act = append(pt.act, a)
			pt.count = append(pt.count, make([]float64, 2*k)...)
		}
		c := 0
		if y[i] {
			c = 1
		}
		pt.count[(id*k+int(fold[i]))*2+c]++
	}
	return pt
}

// split fills train with each pattern's leads outside fold f (not
// converted, converted) and test with those in it. f = -1 puts every lead
// in train.
func (pt *patterns) split(f int, train, test []float64) {
	for p := range pt.act {
		var tr, te [2]float64
		for g := range pt.k {
			for c := range 2 {
				v := pt.count[(p*pt.k+g)*2+c]
				if g == f {
					te[c] += v
				} else {
					tr[c] += v
				}
			}
		}
		train[2*p], train[2*p+1] = tr[0], tr[1]
		if test != nil {
			test[2*p], test[2*p+1] = te[0], te[1]
		}
	}
}

// unitSums returns, for each unit, the sum of x over the features it
// turns on; x[j] belongs to feature j.
func (pt *patterns) unitSums(x []float64) []float64 {
	out := make([]float64, len(pt.unit))
	for u, fs := range pt.unit {
		for _, j := range fs {
			out[u] += x[j]
		}
	}
	return out
}

// predict returns each pattern's log-odds under beta (beta[0] is the
// intercept).
func (pt *patterns) predict(beta []float64) []float64 {
	gamma := pt.unitSums(beta[1:])
	eta := make([]float64, len(pt.act))
	for p, a := range pt.act {
		e := beta[0]
		for _, u := range a {
			e += gamma[u]
		}
		eta[p] = e
	}
	return eta
}

// score returns each pattern's sum of points.
func (pt *patterns) score(points []int) []float64 {
	x := make([]float64, len(points))
	for j, v := range points {
		x[j] = float64(v)
	}
	return pt.predict(append([]float64{0}, x...))
}

// softplus is log(1 + e^x), without overflow.
func softplus(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// logLoss is the mean log loss per lead of the log-odds eta for the
// weighted patterns w (not converted, converted).
func logLoss(eta, w []float64) float64 {
	var loss, n float64
	for p, e := range eta {
		loss += w[2*p]*softplus(e) + w[2*p+1]*softplus(-e)
		n += w[2*p] + w[2*p+1]
	}
	return loss / n
}

// fit fits an L2-regularised logistic regression by Newton's method,
// halving a step that does not lower the objective, starting from beta and
// leaving the result in it. The intercept, beta[0], is not penalised.
func fit(pt *patterns, w []float64, lambda float64, beta []float64) {
	p := len(beta)
	nw := newNewton(pt, p)
	h := make([]float64, p*p)
	g := make([]float64, p)
	prev := slices.Clone(beta)
	var delta []float64
	prevObj, step := math.Inf(1), 1.0
	for range 100 {
		obj := nw.pass(w, lambda, beta, g, h)
		if obj > prevObj {
			// The step overshot: try half of it from the last point.
			step /= 2
			if step < 1e-6 {
				break
			}
			for j := range beta {
				beta[j] = prev[j] - step*delta[j]
			}
			continue
		}
		if prevObj-obj <= 1e-10*(1+math.Abs(obj)) {
			return
		}
		d, ok := solve(h, g, p)
		if !ok {
			return
		}
		delta, prevObj, step = d, obj, 1
		copy(prev, beta)
		for j := range beta {
			beta[j] -= delta[j]
		}
	}
	copy(beta, prev)
}

// newton holds the work space of Newton passes over patterns.
type newton struct {
	pt     *patterns
	q      int       // units and the intercept
	gu, hu []float64 // gradient and Hessian over units, 0 the intercept
	at     []float64 // [feature][unit]: Hessian rows summed over the units turning a feature on
	cols   [][]int   // per unit (0 the intercept), the features it turns on (0 the intercept)
	ident  bool      // every unit turns on the feature of its own index alone
}

func newNewton(pt *patterns, p int) *newton {
	q := len(pt.unit) + 1
	nw := &newton{pt: pt, q: q, gu: make([]float64, q), hu: make([]float64, q*q), cols: make([][]int, q)}
	nw.cols[0] = []int{0}
	nw.ident = q == p
	for u, fs := range pt.unit {
		for _, j := range fs {
			nw.cols[u+1] = append(nw.cols[u+1], int(j)+1)
		}
		nw.ident = nw.ident && len(fs) == 1 && int(fs[0]) == u
	}
	if !nw.ident {
		nw.at = make([]float64, p*q)
	}
	return nw
}

// pass returns the penalised objective at beta and fills in its gradient
// g and Hessian h (p×p, row major). It sums over each pattern's units,
// then turns the unit sums into feature sums: g = Mᵀ gu and h = Mᵀ hu M,
// for M the units' features.
func (nw *newton) pass(w []float64, lambda float64, beta, g, h []float64) float64 {
	pt, q, p := nw.pt, nw.q, len(beta)
	gamma := pt.unitSums(beta[1:])
	gu, hu := nw.gu, nw.hu
	clear(hu)
	clear(gu)
	obj := 0.0
	for i, a := range pt.act {
		neg, pos := w[2*i], w[2*i+1]
		if neg+pos == 0 {
			continue
		}
		e := beta[0]
		for _, u := range a {
			e += gamma[u]
		}
		// One exponential gives the probability and both log losses:
		// softplus(e) = max(e, 0) + log1p(exp(-|e|)), softplus(-e) = softplus(e) - e.
		x := math.Exp(-math.Abs(e))
		sp := max(e, 0) + math.Log1p(x)
		pr := 1 / (1 + x)
		if e < 0 {
			pr = x / (1 + x)
		}
		obj += neg*sp + pos*(sp-e)
		r := (neg+pos)*pr - pos
		v := (neg + pos) * pr * (1 - pr)
		gu[0] += r
		hu[0] += v
		for x, u := range a {
			uu := int(u) + 1
			gu[uu] += r
			hu[uu] += v // row 0, column uu
			row := hu[uu*q+1:]
			for _, l := range a[:x+1] {
				row[l] += v
			}
		}
	}
	// Mirror row 0 and the lower triangle.
	for j := 1; j < q; j++ {
		hu[j*q] = hu[j]
		for l := 1; l < j; l++ {
			hu[l*q+j] = hu[j*q+l]
		}
	}
	if nw.ident {
		copy(g, gu)
		copy(h, hu)
	} else {
		clear(g)
		clear(h)
		at := nw.at
		clear(at)
		for u, fs := range nw.cols {
			g0 := gu[u]
			row := hu[u*q : (u+1)*q]
			for _, f := range fs {
				g[f] += g0
				dst := at[f*q : (f+1)*q]
				for v, x := range row {
					dst[v] += x
				}
			}
		}
		for f := range p {
			src := at[f*q : (f+1)*q]
			for v, x := range src {
				if x == 0 {
					continue
				}
				for _, f2 := range nw.cols[v] {
					h[f2*p+f] += x
				}
			}
		}
	}
	for j := 1; j < p; j++ {
		obj += lambda / 2 * beta[j] * beta[j]
		g[j] += lambda * beta[j]
		h[j*p+j] += lambda
	}
	return obj
}

// solve solves h x = g for a symmetric positive definite h (p×p) by
// Cholesky factorisation, overwriting h. It reports false if h is not
// positive definite.
func solve(h, g []float64, p int) ([]float64, bool) {
	for j := range p {
		s := h[j*p+j]
		for k := range j {
			s -= h[j*p+k] * h[j*p+k]
		}
		if s <= 1e-12 {
			// An intercept-only direction with no leads: regularise lightly.
			s = 1e-12
		}
		l := math.Sqrt(s)
		h[j*p+j] = l
		for i := j + 1; i < p; i++ {
			s := h[i*p+j]
			for k := range j {
				s -= h[i*p+k] * h[j*p+k]
			}
			h[i*p+j] = s / l
		}
	}
	x := slices.Clone(g)
	for i := range p {
		for k := range i {
			x[i] -= h[i*p+k] * x[k]
		}
		x[i] /= h[i*p+i]
	}
	for i := p - 1; i >= 0; i-- {
		for k := i + 1; k < p; k++ {
			x[i] -= h[k*p+i] * x[k]
		}
		x[i] /= h[i*p+i]
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	return x, true
}

// intAUC is weightedAUC for the whole points of each feature, in linear
// time: the patterns' sums are counted in buckets.
func intAUC(pt *patterns, points []int, w []float64) float64 {
	up := make([]int, len(pt.unit))
	for u, fs := range pt.unit {
		for _, j := range fs {
			up[u] += points[j]
		}
	}
	sums := make([]int, len(pt.act))
	lo, hi := 0, 0
	for p, a := range pt.act {
		s := 0
		for _, u := range a {
			s += up[u]
		}
		sums[p] = s
		lo, hi = min(lo, s), max(hi, s)
	}
	buckets := make([]float64, 2*(hi-lo+1))
	for p, s := range sums {
		buckets[2*(s-lo)] += w[2*p]
		buckets[2*(s-lo)+1] += w[2*p+1]
	}
	var neg, pos, wins float64
	for s := 0; s < len(buckets); s += 2 {
		q, p := buckets[s], buckets[s+1]
		wins += p * (neg + q/2)
		neg += q
		pos += p
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return wins / (pos * neg)
}

// held is how a rule's points were held: the kind they need and whether
// the scaled weight was cut to the kind's range.
type held struct {
	kind   qualify.PointKind
	capped bool
}

// hold holds r, a rule's rounded scaled weight, to what the rule may get.
// Unbounded, that is ±MaxPoints. Bounded, it is the range of the kind
// whose sign r has: the rule's own kind when its range admits the sign,
// else negative for negative points and engagement for positive ones.
// Either way 0 stays 0: no rule, a candidate not added or a model rule
// removed.
func hold(r int, f *Feature, bounded bool) (int, held) {
	k := f.Kind
	if !bounded {
		v := min(max(r, -MaxPoints), MaxPoints)
		return v, held{k, v != r}
	}
	if r == 0 {
		return 0, held{k, false}
	}
	switch {
	case r < 0 && k != qualify.Negative:
		k = qualify.Negative
	case r > 0 && k == qualify.Negative:
		k = qualify.EngagementPoints
	}
	lo, hi := pointBounds(k)
	v := min(max(r, lo), hi)
	return v, held{k, v != r}
}

// pointsAt turns weights into whole points at scale, into points and
// how. The cuts over one numeric column are rounded together: each cut
// gets the rounded scaled sum of the weights of the cuts up to it, less
// the points of the cuts below it, so that rounding errors do not add up
// along the column.
func pointsAt(feats []Feature, beta []float64, scale float64, bounded bool, points []int, how []held) {
	var target float64 // the scaled sum of the weights along a column's cuts
	var got int        // the points given along them
	for j := range feats {
		f := &feats[j]
		r := int(roundHalf(scale * beta[j+1]))
		if f.HasCut {
			if j == 0 || !feats[j-1].HasCut || feats[j-1].Column != f.Column {
				target, got = 0, 0
			}
			target += scale * beta[j+1]
			r = int(roundHalf(target)) - got
		}
		points[j], how[j] = hold(r, f, bounded)
		got += points[j]
	}
}

// toPoints turns weights into whole points with pointsAt, held to the
// kinds' ranges when bounded. It tries 120 scales, evenly apart on a log
// scale, from the one that gives the largest effect 1 point to the one
// that gives the median effect 2 × MaxPoints (so that one very large
// weight, held to its range anyway, does not crush the others), and keeps
// the one whose points lose the least log-likelihood of the leads w, the
// smallest on ties (see roundingLoss). An effect is a rule's weight or,
// along a numeric column's cuts, the sum of the weights up to a cut.
//
// The loss is smooth in what rounding does, where the AUC of the leads w
// is not: a scale chosen for the best AUC of the training leads picks a
// lucky rounding of them more than a good one of the leads to come.
func toPoints(pt *patterns, feats []Feature, beta []float64, w []float64, bounded bool) ([]int, []held, float64) {
	var mags []float64
	sum := 0.0
	for j, b := range beta[1:] {
		if feats[j].HasCut {
			if j == 0 || !feats[j-1].HasCut || feats[j-1].Column != feats[j].Column {
				sum = 0
			}
			sum += b
			b = sum
		}
		if b != 0 {
			mags = append(mags, math.Abs(b))
		}
	}
	points, how := make([]int, len(feats)), make([]held, len(feats))
	if len(mags) == 0 {
		pointsAt(feats, beta, 0, bounded, points, how)
		return points, how, 0
	}
	slices.Sort(mags)
	from, to := 1/mags[len(mags)-1], 2*MaxPoints/mags[len(mags)/2]
	to = max(to, from)
	rl := newRoundingLoss(pt, beta, w)
	best, bestLoss := from, math.Inf(1)
	const scales = 120
	step := math.Pow(to/from, 1.0/(scales-1))
	for i := range scales {
		scale := from * math.Pow(step, float64(i))
		pointsAt(feats, beta, scale, bounded, points, how)
		if l := rl.loss(points); i == 0 || l < bestLoss-1e-12*math.Abs(bestLoss) {
			best, bestLoss = scale, l
		}
	}
	pointsAt(feats, beta, best, bounded, points, how)
	return points, how, best
}

// roundingLoss measures what whole points lose against the weights beta
// they are made from, on the leads w: to second order, the log-likelihood
// lost by taking a·z + c for beta, where z are the points, c shifts the
// intercept and a is the slope in log-odds per point. Only the order of
// the scores matters, so a and c are those that lose the least:
//
//	min over a, c of (a·u + c·e₀ − β)ᵀ H (a·u + c·e₀ − β),
//
// u the points with 0 for the intercept, e₀ the intercept alone and H the
// Hessian of the log loss of the leads w at beta. Rounding errors that
// cancel out, over rules that hold together, lose little; a rule held to
// its kind's range loses what the other rules cannot make up.
type roundingLoss struct {
	p     int
	h     []float64 // p×p, the intercept first
	hb    []float64 // H β
	bhb   float64   // βᵀ H β
	u, hu []float64 // work space: the points, with 0 for the intercept, and H times them
}

func newRoundingLoss(pt *patterns, beta, w []float64) *roundingLoss {
	p := len(beta)
	rl := &roundingLoss{p: p, h: make([]float64, p*p), hb: make([]float64, p), u: make([]float64, p), hu: make([]float64, p)}
	newNewton(pt, p).pass(w, 0, beta, make([]float64, p), rl.h)
	rl.mul(beta, rl.hb)
	for i, b := range beta {
		rl.bhb += b * rl.hb[i]
	}
	return rl
}

// mul sets out to H x.
func (rl *roundingLoss) mul(x, out []float64) {
	p := rl.p
	for i := range p {
		row, s := rl.h[i*p:(i+1)*p], 0.0
		for k, v := range x {
			if v != 0 {
				s += row[k] * v
			}
		}
		out[i] = s
	}
}

// loss returns the least of the quadratic form over a and c for points.
func (rl *roundingLoss) loss(points []int) float64 {
	for j, v := range points {
		rl.u[j+1] = float64(v)
	}
	rl.mul(rl.u, rl.hu)
	var uhu, uhb float64
	for i, v := range rl.u {
		uhu += v * rl.hu[i]
		uhb += v * rl.hb[i]
	}
	// The normal equations of a and c: [uᵀHu uᵀHe₀; e₀ᵀHu H₀₀] (a, c) = (uᵀHβ, e₀ᵀHβ).
	g11, g12, g22 := uhu, rl.hu[0], rl.h[0]
	r1, r2 := uhb, rl.hb[0]
	if g22 <= 0 {
		return rl.bhb
	}
	det := g11*g22 - g12*g12
	if det <= 1e-12*g11*g22 {
		// The points add nothing but a constant: the intercept alone.
		return rl.bhb - r2*r2/g22
	}
	a := (g22*r1 - g12*r2) / det
	c := (g11*r2 - g12*r1) / det
	return rl.bhb - (a*r1 + c*r2)
}
