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
}

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
	Points int     `json:"points"` // the suggested points
	Min    int     `json:"min"`    // the least points the rule may get
	Max    int     `json:"max"`    // the most points the rule may get
	Capped bool    `json:"capped"` // the scaled weight fell outside Min..Max
	Rate   float64 `json:"rate"`   // conversion rate of the leads it holds for
	// Kind is the kind of point rule: a model rule's own; for a candidate,
	// the kind its column's mapping states.
	Kind qualify.PointKind `json:"-"`
	// A candidate holds when its column's attribute (Attr) is missing
	// (Missing), equals Value, is another value than the column's named
	// ones (Other), or is above Cut (a number; cuts over one column add up).
	Attr    string  `json:"attribute,omitempty"`
	Missing bool    `json:"missing,omitempty"`
	Value   string  `json:"value,omitempty"`
	Other   bool    `json:"other,omitempty"`
	Cut     float64 `json:"cut,omitempty"`
	HasCut  bool    `json:"-"`
	kind    qualify.PointKind
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
	Points     float64 `json:"points"`     // the suggested whole points, held to the kinds' ranges
	// Unbounded is the AUC of whole points held to ±MaxPoints only, not to
	// the range the model allows each kind of rule: what the ranges cost.
	Unbounded float64      `json:"unbounded"`
	Folds     [][4]float64 `json:"folds"` // per fold: current, regression, points, unbounded
}

// Suggestion is a set of point values fitted to past outcomes.
type Suggestion struct {
	Folds     int       `json:"folds"`
	Seed      uint64    `json:"seed"`
	Lambda    float64   `json:"lambda"` // the L2 penalty chosen
	Penalties []Penalty `json:"penalties"`
	// Scale turns weights into points: points = round(Scale × weight),
	// held to each rule's range. It is chosen for the AUC of the training
	// leads.
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
func Suggest(d *Data, opt SuggestOptions) (*Suggestion, error) {
	if opt.Folds == 0 {
		opt.Folds = 5
	}
	if opt.Folds < 2 {
		return nil, errors.New("cross-validation needs at least 2 folds")
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
	feats, active := features(d)
	fold := assignFolds(d.Outcome, opt.Folds, opt.Seed)
	pt := collapse(active, d.Outcome, fold, opt.Folds)
	k := opt.Folds

	s := &Suggestion{Folds: k, Seed: opt.Seed}
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
			fit(pt.act, ff.train, lambda, ff.beta)
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

	// The three scores on each fold's held-out leads.
	lo, hi := bounds(feats)
	wide, wideHi := make([]int, len(feats)), make([]int, len(feats))
	for j := range feats {
		wide[j], wideHi[j] = -MaxPoints, MaxPoints
	}
	s.HeldOut.Folds = make([][4]float64, k)
	inFolds(k, func(f int) {
		ff := &fits[f]
		beta := ff.betas[best]
		points, _ := toPoints(pt, beta, lo, hi, ff.train)
		var cur []float64
		var ys []bool
		for i := range fold {
			if int(fold[i]) == f {
				cur, ys = append(cur, d.Score[i]), append(ys, d.Outcome[i])
			}
		}
		unbounded, _ := toPoints(pt, beta, wide, wideHi, ff.train)
		s.HeldOut.Folds[f] = [4]float64{AUC(cur, ys), weightedAUC(pt.predict(beta), ff.test),
			intAUC(pt, points, ff.test), intAUC(pt, unbounded, ff.test)}
	})
	for _, auc := range s.HeldOut.Folds {
		s.HeldOut.Current += auc[0] / float64(k)
		s.HeldOut.Regression += auc[1] / float64(k)
		s.HeldOut.Points += auc[2] / float64(k)
		s.HeldOut.Unbounded += auc[3] / float64(k)
	}

	all := make([]float64, 2*len(pt.act))
	pt.split(-1, all, nil)
	beta := slices.Clone(fits[0].betas[best])
	fit(pt.act, all, s.Lambda, beta)
	points, scale := toPoints(pt, beta, lo, hi, all)
	s.Scale = scale
	for j := range feats {
		f := &feats[j]
		f.Weight = beta[j+1]
		f.Points = points[j]
		f.Capped = roundHalf(scale*f.Weight) != float64(f.Points)
	}
	for r, pr := range d.Model.Points {
		if j := slices.IndexFunc(feats, func(f Feature) bool { return f.Rule == r }); j >= 0 {
			s.Rules = append(s.Rules, feats[j])
			continue
		}
		f := Feature{Rule: r, Name: pr.Name, Label: pr.Label, Current: pr.Points, Points: pr.Points}
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

func bounds(feats []Feature) (lo, hi []int) {
	for _, f := range feats {
		lo = append(lo, f.Min)
		hi = append(hi, f.Max)
	}
	return lo, hi
}

// features lists the features of the regression and, for each lead, the
// features that hold.
func features(d *Data) ([]Feature, [][]uint16) {
	m, n := d.Model, d.Len()
	var feats []Feature
	active := make([][]uint16, n)
	for r, pr := range m.Points {
		h := 0
		conv := 0
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
			Rate: ratio(conv, h), kind: pr.Kind}
		f.Min, f.Max = pointBounds(pr.Kind)
		j := uint16(len(feats))
		feats = append(feats, f)
		for i := range n {
			if d.Holds(i, r) {
				active[i] = append(active[i], j)
			}
		}
	}
	for _, x := range d.Extra {
		var cands []candidate
		if x.Numeric() {
			cands = numericCandidates(x, n)
		} else {
			cands = categoricalCandidates(x, n)
		}
		for _, c := range cands {
			j := uint16(len(feats))
			h, conv := 0, 0
			for i := range n {
				if c.holds(i) {
					active[i] = append(active[i], j)
					h++
					if d.Outcome[i] {
						conv++
					}
				}
			}
			c.f.Rule, c.f.Holds, c.f.Fitted, c.f.Rate = -1, h, true, ratio(conv, h)
			c.f.Min, c.f.Max = -MaxPoints, MaxPoints
			feats = append(feats, c.f)
		}
	}
	return feats, active
}

// candidate is a rule made from an extra column.
type candidate struct {
	f     Feature
	holds func(row int) bool
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

// categoricalCandidates makes a rule "column is value" for each value held
// by at least 1% of the leads, up to the 20 most common; the other values
// are pooled into "column is another value". The most common value is the
// baseline and gets no rule.
func categoricalCandidates(x *Extra, n int) []candidate {
	order := make([]int, len(x.Values))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return x.Counts[b] - x.Counts[a] })
	minRows := max((n+99)/100, MinSupport)
	keep := make([]int, len(x.Values)) // code -> feature: 0 baseline, >0 own, -1 other
	for i := range keep {
		keep[i] = -1
	}
	var out []candidate
	var kept []*qualify.Expr
	id := slug(x.Name, '_')
	for rank, c := range order {
		if rank >= 21 || x.Counts[c] < minRows {
			break
		}
		v := x.Values[c]
		kept = append(kept, str(v))
		if rank == 0 {
			keep[c] = 0
			continue
		}
		keep[c] = len(out) + 1
		code := int32(c)
		out = append(out, candidate{
			f: Feature{Name: slug(x.Name, '-') + "-" + slug(v, '-'), Column: x.Name,
				Label: x.Name + " is " + strconv.Quote(v),
				When:  qualify.Print(&qualify.Expr{Op: qualify.OpEq, Args: []*qualify.Expr{name(id), str(v)}})},
			holds: func(i int) bool { return x.Code[i] == code },
		})
	}
	other := 0
	for c, k := range keep {
		if k < 0 {
			other += x.Counts[c]
		}
	}
	if other >= MinSupport && len(kept) > 0 {
		notIn := &qualify.Expr{Op: qualify.OpNotIn, Args: append([]*qualify.Expr{name(id)}, kept...)}
		known := &qualify.Expr{Op: qualify.OpCall, Name: "known", Args: []*qualify.Expr{name(id)}}
		out = append(out, candidate{
			f: Feature{Name: slug(x.Name, '-') + "-other", Column: x.Name,
				Label: x.Name + " is another value",
				When:  qualify.Print(&qualify.Expr{Op: qualify.OpAnd, Args: []*qualify.Expr{known, notIn}})},
			holds: func(i int) bool { return x.Code[i] >= 0 && keep[x.Code[i]] < 0 },
		})
	}
	return out
}

// numericCandidates makes rules "column > c" at the quintiles of the
// column's values, rounded to readable numbers.
func numericCandidates(x *Extra, n int) []candidate {
	var vals []float64
	for _, v := range x.Num {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	var out []candidate
	var cuts []float64
	id := slug(x.Name, '_')
	for q := 1; q <= 4; q++ {
		c := Readable(vals[len(vals)*q/5])
		if slices.Contains(cuts, c) {
			continue
		}
		above := len(vals) - upperBound(vals, c)
		if above < max(MinSupport, n/100) || len(vals)-above < max(MinSupport, n/100) {
			continue
		}
		cuts = append(cuts, c)
		num := qualify.FormatNumber(c)
		out = append(out, candidate{
			f: Feature{Name: slug(x.Name, '-') + "-over-" + strings.NewReplacer(".", "-", "-", "minus-").Replace(num), Column: x.Name,
				Label: x.Name + " > " + num,
				When:  qualify.Print(&qualify.Expr{Op: qualify.OpGt, Args: []*qualify.Expr{name(id), {Op: qualify.OpNumber, Num: c}}})},
			holds: func(i int) bool { return x.Num[i] > c },
		})
	}
	return out
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

// patterns are the distinct sets of features that hold, with the leads
// of each per fold and outcome: the regression's work is per pattern, not
// per lead.
type patterns struct {
	act   [][]uint16
	k     int
	count []float64 // [pattern][fold][converted?]: leads
}

func collapse(active [][]uint16, y []bool, fold []uint8, k int) *patterns {
	pt := &patterns{k: k}
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

// predict returns each pattern's log-odds under beta (beta[0] is the
// intercept).
func (pt *patterns) predict(beta []float64) []float64 {
	eta := make([]float64, len(pt.act))
	for p, a := range pt.act {
		e := beta[0]
		for _, j := range a {
			e += beta[j+1]
		}
		eta[p] = e
	}
	return eta
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
func fit(act [][]uint16, w []float64, lambda float64, beta []float64) {
	p := len(beta)
	h := make([]float64, p*p)
	g := make([]float64, p)
	prev := slices.Clone(beta)
	var delta []float64
	prevObj, step := math.Inf(1), 1.0
	for range 100 {
		obj := newtonPass(act, w, lambda, beta, g, h)
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

// newtonPass returns the penalised objective at beta and fills in its
// gradient g and Hessian h (p×p, row major).
func newtonPass(act [][]uint16, w []float64, lambda float64, beta, g, h []float64) float64 {
	p := len(beta)
	clear(h)
	clear(g)
	obj := 0.0
	for i, a := range act {
		neg, pos := w[2*i], w[2*i+1]
		if neg+pos == 0 {
			continue
		}
		e := beta[0]
		for _, j := range a {
			e += beta[j+1]
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
		g[0] += r
		h[0] += v
		for x, j := range a {
			jj := int(j) + 1
			g[jj] += r
			h[jj] += v // row 0, column jj
			row := h[jj*p+1:]
			for _, l := range a[:x+1] {
				row[l] += v
			}
		}
	}
	// Mirror row 0 and the lower triangle; add the penalty.
	for j := 1; j < p; j++ {
		obj += lambda / 2 * beta[j] * beta[j]
		h[j*p] = h[j]
		g[j] += lambda * beta[j]
		h[j*p+j] += lambda
		for l := 1; l < j; l++ {
			h[l*p+j] = h[j*p+l]
		}
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

// intAUC is weightedAUC for the whole points of each pattern, in linear
// time: the scores are counted in buckets.
func intAUC(pt *patterns, points []int, w []float64) float64 {
	lo, hi := 0, 0
	for _, v := range points {
		if v < 0 {
			lo += v
		} else {
			hi += v
		}
	}
	buckets := make([]float64, 2*(hi-lo+1))
	for p, a := range pt.act {
		s := -lo
		for _, j := range a {
			s += points[j]
		}
		buckets[2*s] += w[2*p]
		buckets[2*s+1] += w[2*p+1]
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

// toPoints turns weights into whole points: round(scale × weight), held
// to lo..hi. It tries 24 scales, evenly apart on a log scale, from the one
// that gives the largest weight 1 point to the one that gives the median
// weight 20 (so that one very large weight, held to its range anyway, does
// not crush the others), and keeps the one with the best AUC on the leads
// w, the smallest on ties.
func toPoints(pt *patterns, beta []float64, lo, hi []int, w []float64) ([]int, float64) {
	var mags []float64
	for _, b := range beta[1:] {
		if b != 0 {
			mags = append(mags, math.Abs(b))
		}
	}
	points := make([]int, len(beta)-1)
	if len(mags) == 0 {
		return points, 0
	}
	slices.Sort(mags)
	from, to := 1/mags[len(mags)-1], 2*MaxPoints/mags[len(mags)/2]
	const steps = 24
	best, bestScale, bestAUC := points, 0.0, math.Inf(-1)
	for i := range steps {
		scale := from * math.Pow(to/from, float64(i)/(steps-1))
		pts := make([]int, len(points))
		for j, b := range beta[1:] {
			pts[j] = min(max(int(roundHalf(scale*b)), lo[j]), hi[j])
		}
		if auc := intAUC(pt, pts, w); auc > bestAUC+1e-12 {
			best, bestScale, bestAUC = pts, scale, auc
		}
	}
	return best, bestScale
}
