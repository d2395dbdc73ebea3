package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// A median read from the stays' bins is within 2.2 % of the exact median
// (and the second it is rounded to), for counts odd and even, lengths
// from none at all to years.
func TestMedianBound(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 2000 {
		n := 1 + r.IntN(40)
		xs := make([]float64, n)
		bins := map[int]int64{}
		for i := range xs {
			switch r.IntN(5) {
			case 0:
				xs[i] = 0
			default:
				xs[i] = math.Round(math.Exp(r.Float64() * math.Log(3e7)))
			}
			bins[bin(xs[i])]++
		}
		slices.Sort(xs)
		exact := xs[n/2]
		if n%2 == 0 {
			exact = (xs[n/2-1] + exact) / 2
		}
		got := medianOf(bins)
		if got == nil || math.Abs(*got-exact) > 0.022*exact+1 {
			t.Fatalf("round %d: the median of %v is %v from the bins, want %v within 2.2 %%", round, xs, *got, exact)
		}
	}
	if medianOf(nil) != nil {
		t.Error("the median of no stays is not nil")
	}
}

// The 90th percentile read from bins is the nearest rank's length within
// the bins' bound: 2.2 % and the second it is rounded to.
func TestP90Bound(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 2000 {
		n := 1 + r.IntN(40)
		xs := make([]float64, n)
		bins := map[int]int64{}
		for i := range xs {
			xs[i] = math.Round(math.Exp(r.Float64() * math.Log(3e6)))
			bins[bin(xs[i])]++
		}
		slices.Sort(xs)
		exact := xs[int(math.Ceil(0.9*float64(n)))-1]
		got := p90Of(bins)
		if got == nil || math.Abs(*got-exact) > 0.022*exact+1 {
			t.Fatalf("round %d: the 90th percentile of %v is %v from the bins, want %v within 2.2 %%", round, xs, *got, exact)
		}
	}
	if got := p90Of(map[int]int64{bin(60): 9, bin(3600): 1}); got == nil || math.Abs(*got-60) > 2 {
		t.Errorf("nine minutes and an hour: the 90th percentile is %v, want a minute", got)
	}
	if p90Of(nil) != nil {
		t.Error("the 90th percentile of nothing is not nil")
	}
}

// Tallies add and subtract: a tally minus itself is empty, and Diff gives
// what turns one into the other.
func TestTallyDiff(t *testing.T) {
	a := Tally{{"UTC", 202603, ""}: {"n": 2, "e|MQL": 1}}
	b := Tally{{"UTC", 202603, ""}: {"n": 3}, {"UTC", 202604, "s|api"}: {"e|SAL": 1}}
	d := a.Diff(b)
	sum := Tally{}
	sum.Add(a, 1)
	sum.Add(d, 1)
	for row, cells := range b {
		for k, n := range cells {
			if sum[row][k] != n {
				t.Errorf("a + a.Diff(b) has %v %s = %d, want %d", row, k, sum[row][k], n)
			}
		}
	}
	if got := sum[Row{"UTC", 202603, ""}]["e|MQL"]; got != 0 {
		t.Errorf("a cell b lacks is %d after the diff, want 0", got)
	}
	if len(a.Diff(a)) != 0 {
		t.Errorf("a tally differs from itself: %v", a.Diff(a))
	}
}

// medianOf reads the median of the stays counted in bins (bin → count),
// as medianDense does.
func medianOf(bins map[int]int64) *float64 { return medianDense(dense(bins)) }

// p90Of reads the 90th percentile of the lengths counted in bins (bin →
// count), as quantileDense does.
func p90Of(bins map[int]int64) *float64 { return quantileDense(dense(bins), 0.9) }

// dense returns counts by bin (bin → count) as a slice indexed by bin.
func dense(bins map[int]int64) []int64 {
	var out []int64
	for b, n := range bins {
		if b >= len(out) {
			out = append(out, make([]int64, b+1-len(out))...)
		}
		out[b] += n
	}
	return out
}
