package backtest

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/winnowhq/winnow/qualify"
)

// Report is how well a model's verdicts predict the outcome of past leads.
type Report struct {
	Leads     int     `json:"leads"`     // usable rows
	Converted int     `json:"converted"` // of them, converted
	BaseRate  float64 `json:"base_rate"` // Converted / Leads
	// AUC is the ROC AUC of the score: the chance that a converted lead
	// scores above one that did not, ties counting half (Mann–Whitney).
	AUC     float64        `json:"auc"`
	Stages  []StageMetrics `json:"stages"`
	Deciles []Decile       `json:"deciles"`
	Grades  []GradeMetrics `json:"grades"`
	// Rules holds every point rule, ranked by information value, most
	// signal first.
	Rules []RuleSignal `json:"rules"`
}

// StageMetrics measures a stage as a threshold: a lead reaches it when its
// stage is this one or a later non-exit stage.
type StageMetrics struct {
	Stage     string  `json:"stage"`
	Reached   int     `json:"reached"`   // leads at the stage or later
	Converted int     `json:"converted"` // of them, converted
	Precision float64 `json:"precision"` // Converted / Reached
	Recall    float64 `json:"recall"`    // Converted / all converted
	Lift      float64 `json:"lift"`      // Precision / base rate
}

// Decile is one tenth of the leads by score, 1 holding the highest scores.
// Leads with the same score share a decile (the one their middle rank falls
// in), so deciles may hold unequal counts.
type Decile struct {
	Decile    int     `json:"decile"`
	Leads     int     `json:"leads"`
	Converted int     `json:"converted"`
	Rate      float64 `json:"rate"`
	MinScore  float64 `json:"min_score"`
	MaxScore  float64 `json:"max_score"`
}

// GradeMetrics is the conversion rate of the leads of one fit grade.
type GradeMetrics struct {
	Grade     string  `json:"grade"`
	Label     string  `json:"label,omitempty"`
	Leads     int     `json:"leads"`
	Converted int     `json:"converted"`
	Rate      float64 `json:"rate"`
}

// RuleSignal is how much a point rule says about the outcome on its own.
type RuleSignal struct {
	Rank     int    `json:"rank"` // 1 for the rule with the highest information value
	Rule     string `json:"rule"`
	Points   int    `json:"points"`
	Position string `json:"position"` // where the rule is written
	Holds    int    `json:"holds"`    // leads it holds for
	// RateHolds and RateNot are the conversion rates of the leads the rule
	// holds for and of the others; zero when there are none.
	RateHolds float64 `json:"rate_holds"`
	RateNot   float64 `json:"rate_not"`
	Lift      float64 `json:"lift"` // RateHolds / base rate; 0 when the rule never holds
	// IV is the information value of the rule's holding: the sum over
	// holds and not of (share of converted - share of not converted) × the
	// log of their ratio, with half a lead added to each count.
	IV float64 `json:"information_value"`
	// Agrees is false when the rule gives points against the data: positive
	// points while its leads convert less than the others, or negative
	// points while they convert more.
	Agrees bool `json:"agrees"`
}

// ErrOneOutcome is returned by Measure when every usable lead has the same
// outcome, so that nothing can be told apart.
var ErrOneOutcome = errors.New("every usable lead has the same outcome")

// Measure computes the report of the leads in d.
func Measure(d *Data) (*Report, error) {
	n := d.Len()
	pos := 0
	for _, y := range d.Outcome {
		if y {
			pos++
		}
	}
	if n == 0 {
		return nil, errors.New("no usable leads")
	}
	if pos == 0 || pos == n {
		return nil, fmt.Errorf("%w (%d of %d converted)", ErrOneOutcome, pos, n)
	}
	m := d.Model
	r := &Report{Leads: n, Converted: pos, BaseRate: float64(pos) / float64(n)}
	r.AUC = AUC(d.Score, d.Outcome)
	r.Stages = stageMetrics(m, d, pos)
	r.Deciles = deciles(d.Score, d.Outcome)
	r.Grades = gradeMetrics(m, d)
	r.Rules = ruleSignals(m, d, pos)
	return r, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func stageMetrics(m *qualify.Model, d *Data, pos int) []StageMetrics {
	// order[s] is the place of stage s among the non-exit stages, or -1.
	order := make([]int, len(m.Stages))
	var stages []int
	for i, s := range m.Stages {
		order[i] = -1
		if !s.Exit {
			order[i] = len(stages)
			stages = append(stages, i)
		}
	}
	reached := make([]int, len(stages)+1)
	converted := make([]int, len(stages)+1)
	for i, s := range d.Stage {
		if s < 0 || order[s] < 0 {
			continue
		}
		reached[order[s]]++
		if d.Outcome[i] {
			converted[order[s]]++
		}
	}
	// Leads at a stage or later: sums from the last stage back.
	for k := len(stages) - 1; k >= 0; k-- {
		reached[k] += reached[k+1]
		converted[k] += converted[k+1]
	}
	base := ratio(pos, d.Len())
	out := make([]StageMetrics, len(stages))
	for k, s := range stages {
		p := ratio(converted[k], reached[k])
		out[k] = StageMetrics{Stage: m.Stages[s].Name, Reached: reached[k], Converted: converted[k],
			Precision: p, Recall: ratio(converted[k], pos), Lift: p / base}
	}
	return out
}

// AUC returns the ROC AUC of scores for the outcomes y: the Mann–Whitney
// statistic, with tied scores given their average rank. It returns NaN
// when y holds only one outcome.
func AUC(scores []float64, y []bool) float64 {
	return weightedAUC(scores, outcomeWeights(y))
}

// outcomeWeights weighs each lead once, as not converted or converted: the
// weights weightedAUC and weightedLift take.
func outcomeWeights(y []bool) []float64 {
	w := make([]float64, 2*len(y))
	for i, v := range y {
		if v {
			w[2*i+1] = 1
		} else {
			w[2*i] = 1
		}
	}
	return w
}

// weightedAUC is the ROC AUC of scores, each weighted by the leads in w
// (not converted, converted: w[2i], w[2i+1]); ties count half.
func weightedAUC(score, w []float64) float64 {
	idx := make([]int32, len(score))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return cmp.Compare(score[a], score[b]) })
	var neg, pos, wins float64 // wins: pairs a converted lead wins, ties counting half
	for i := 0; i < len(idx); {
		var p, q float64
		j := i
		for ; j < len(idx) && score[idx[j]] == score[idx[i]]; j++ {
			q += w[2*idx[j]]
			p += w[2*idx[j]+1]
		}
		wins += p * (neg + q/2)
		neg += q
		pos += p
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return wins / (pos * neg)
}

// deciles splits the leads into tenths by score, highest first, keeping
// tied scores together.
func deciles(scores []float64, y []bool) []Decile {
	n := len(scores)
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return cmp.Compare(scores[b], scores[a]) })
	out := make([]Decile, 10)
	for k := range out {
		out[k].Decile = k + 1
	}
	for i := 0; i < n; {
		j := i
		for j < n && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		// The group's middle rank is (i+j-1)/2 counting from 0; its decile
		// is floor(10 × middle / n).
		dec := &out[5*(i+j-1)/n]
		s := scores[idx[i]]
		if dec.Leads == 0 {
			dec.MaxScore = s
		}
		dec.MinScore = s
		for _, r := range idx[i:j] {
			dec.Leads++
			if y[r] {
				dec.Converted++
			}
		}
		i = j
	}
	for k := range out {
		out[k].Rate = ratio(out[k].Converted, out[k].Leads)
	}
	return out
}

func gradeMetrics(m *qualify.Model, d *Data) []GradeMetrics {
	out := make([]GradeMetrics, len(m.Grades))
	for i, g := range m.Grades {
		out[i] = GradeMetrics{Grade: g.Name, Label: g.Label}
	}
	for i, g := range d.Grade {
		if g < 0 {
			continue
		}
		out[g].Leads++
		if d.Outcome[i] {
			out[g].Converted++
		}
	}
	for i := range out {
		out[i].Rate = ratio(out[i].Converted, out[i].Leads)
	}
	return out
}

// informationValue is the information value of a yes/no feature: h leads
// it holds for, ch of them converted, out of n leads of which pos converted.
func informationValue(h, ch, n, pos int) float64 {
	if h == 0 || h == n {
		return 0 // a rule that never or always holds tells nothing
	}
	neg := n - pos
	share := func(k, of int) float64 { return (float64(k) + 0.5) / (float64(of) + 1) }
	iv := 0.0
	for _, c := range [2][2]int{{ch, h - ch}, {pos - ch, neg - (h - ch)}} {
		p, q := share(c[0], pos), share(c[1], neg)
		iv += (p - q) * math.Log(p/q)
	}
	return iv
}

func ruleSignals(m *qualify.Model, d *Data, pos int) []RuleSignal {
	n := d.Len()
	base := ratio(pos, n)
	holds := make([]int, len(m.Points))
	conv := make([]int, len(m.Points))
	for i := range n {
		for w := range d.words {
			word := d.holds[i*d.words+w]
			for word != 0 {
				b := w*64 + bits.TrailingZeros64(word)
				word &= word - 1
				holds[b]++
				if d.Outcome[i] {
					conv[b]++
				}
			}
		}
	}
	out := make([]RuleSignal, len(m.Points))
	for r, p := range m.Points {
		rh, rn := ratio(conv[r], holds[r]), ratio(pos-conv[r], n-holds[r])
		out[r] = RuleSignal{Rule: p.Name, Points: p.Points, Position: p.Pos.String(), Holds: holds[r],
			RateHolds: rh, RateNot: rn, Lift: rh / base,
			IV:     informationValue(holds[r], conv[r], n, pos),
			Agrees: holds[r] == 0 || holds[r] == n || (p.Points > 0) == (rh >= rn)}
	}
	slices.SortStableFunc(out, func(a, b RuleSignal) int { return cmp.Compare(b.IV, a.IV) })
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// TopDecileLift returns the top-decile lift of scores for the outcomes y:
// the conversion rate of the tenth of the leads that score highest over
// the rate of all of them. Leads tied at the tenth's boundary count in
// part, each by the share of their tied group the tenth has room for, so
// the tenth holds exactly a tenth of the leads and ties neither help nor
// hurt. It returns NaN when no lead converted.
func TopDecileLift(scores []float64, y []bool) float64 {
	return weightedLift(scores, outcomeWeights(y))
}

// weightedLift is TopDecileLift for scores each weighted by the leads in w
// (not converted, converted: w[2i], w[2i+1]).
func weightedLift(score, w []float64) float64 {
	idx := make([]int32, len(score))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return cmp.Compare(score[b], score[a]) })
	var total, conv float64
	for i := range score {
		total += w[2*i] + w[2*i+1]
		conv += w[2*i+1]
	}
	if conv == 0 {
		return math.NaN()
	}
	room, top := total/10, 0.0
	for i := 0; i < len(idx) && room > 0; {
		var q, p float64
		j := i
		for ; j < len(idx) && score[idx[j]] == score[idx[i]]; j++ {
			q += w[2*idx[j]]
			p += w[2*idx[j]+1]
		}
		if g := q + p; g > 0 {
			share := min(1, room/g)
			top += share * p
			room -= share * g
		}
		i = j
	}
	return top / (total / 10) / (conv / total)
}
