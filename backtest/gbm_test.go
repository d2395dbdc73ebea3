package backtest_test

import (
	"math"
	"slices"
	"sync"

	"github.com/winnowhq/winnow/backtest"
)

// A gradient-boosted trees model of the log-odds, the reference Suggest's
// points are measured against: trees of depth gbmDepth on the raw columns
// (each point rule's holding, each extra column's value), gbmRounds of
// them, each shrunk by gbmShrink, fitted by second-order steps of the log
// loss. Numbers are binned at their quantiles, a missing value is a bin of
// its own that a split sends either way, and a text column's values are
// split as LightGBM splits categories: ordered by gradient over Hessian.
const (
	gbmDepth    = 3
	gbmRounds   = 200
	gbmShrink   = 0.1
	gbmLambda   = 1.0 // L2 penalty on a leaf's value
	gbmMinHess  = 1.0 // the least Hessian a leaf may hold
	gbmMaxBins  = 64  // bins of a numeric column, besides the missing one
	gbmMaxCodes = 255 // values of a text column kept apart; the rest share a bin
)

// gbmColumn is a column as the trees see it: a bin per lead, 0 for a
// missing value; ordered bins for numbers and yes/no, unordered for text.
type gbmColumn struct {
	bin         []uint8
	bins        int
	categorical bool
}

// gbmColumns bins the raw columns of d.
func gbmColumns(d *backtest.Data) []gbmColumn {
	n := d.Len()
	var cols []gbmColumn
	for r := range d.Model.Points {
		c := gbmColumn{bin: make([]uint8, n), bins: 3}
		for i := range n {
			c.bin[i] = 1
			if d.Holds(i, r) {
				c.bin[i] = 2
			}
		}
		cols = append(cols, c)
	}
	for _, x := range d.Extra {
		c := gbmColumn{bin: make([]uint8, n)}
		var vals []float64
		for _, v := range x.Num {
			if !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 {
			slices.Sort(vals)
			var edges []float64 // a number's bin is 1 + the edges below it
			for q := 1; q < gbmMaxBins; q++ {
				e := vals[len(vals)*q/gbmMaxBins]
				if len(edges) == 0 || e > edges[len(edges)-1] {
					edges = append(edges, e)
				}
			}
			c.bins = len(edges) + 2
			for i, v := range x.Num {
				if !math.IsNaN(v) {
					b, _ := slices.BinarySearch(edges, v)
					c.bin[i] = uint8(1 + b)
				}
			}
		} else {
			c.categorical = true
			c.bins = min(len(x.Values), gbmMaxCodes) + 1
			for i, code := range x.Code {
				if code >= 0 {
					c.bin[i] = uint8(1 + min(int(code), gbmMaxCodes-1))
				}
			}
		}
		cols = append(cols, c)
	}
	return cols
}

// gbmNode is a node of a tree: a split (left holds the bins sent left)
// or a leaf.
type gbmNode struct {
	col         int // -1 for a leaf
	left        [256]bool
	value       float64
	lo, hi      int // children
	leafRows    []int32
	grad, hess  float64
	depth       int
	bestGain    float64
	bestCol     int
	bestLeftSet [256]bool
}

// gbmTree is a fitted tree.
type gbmTree []gbmNode

func (t gbmTree) predict(cols []gbmColumn, i int) float64 {
	k := 0
	for t[k].col >= 0 {
		if t[k].left[cols[t[k].col].bin[i]] {
			k = t[k].lo
		} else {
			k = t[k].hi
		}
	}
	return t[k].value
}

// gbmFit fits trees to the rows train and returns the held-out log-odds
// of the rows test.
func gbmFit(cols []gbmColumn, y []bool, train, test []int32) []float64 {
	pos := 0
	for _, i := range train {
		if y[i] {
			pos++
		}
	}
	base := math.Log(float64(pos) / float64(len(train)-pos))
	f := make([]float64, len(y))
	for i := range f {
		f[i] = base
	}
	g, h := make([]float64, len(y)), make([]float64, len(y))
	hist := make([]float64, 2*256)
	for range gbmRounds {
		for _, i := range train {
			p := 1 / (1 + math.Exp(-f[i]))
			g[i], h[i] = p, p*(1-p)
			if y[i] {
				g[i] = p - 1
			}
		}
		tree := gbmTree{{col: -1, leafRows: train}}
		for k := 0; k < len(tree); k++ {
			nd := &tree[k]
			for _, i := range nd.leafRows {
				nd.grad += g[i]
				nd.hess += h[i]
			}
			nd.value = -gbmShrink * nd.grad / (nd.hess + gbmLambda)
			if nd.depth == gbmDepth {
				continue
			}
			parent := nd.grad * nd.grad / (nd.hess + gbmLambda)
			for c, col := range cols {
				clear(hist)
				for _, i := range nd.leafRows {
					b := col.bin[i]
					hist[2*b] += g[i]
					hist[2*b+1] += h[i]
				}
				order := make([]int, 0, col.bins)
				for b := 1; b < col.bins; b++ {
					if hist[2*b+1] > 0 {
						order = append(order, b)
					}
				}
				if col.categorical {
					order = append(order, 0)
					slices.SortFunc(order, func(a, b int) int {
						return cmpFloat(hist[2*a]/(hist[2*a+1]+gbmLambda), hist[2*b]/(hist[2*b+1]+gbmLambda))
					})
				}
				// Ordered bins: the missing bin goes left, then right.
				for _, missLeft := range []bool{true, false} {
					if col.categorical && !missLeft {
						break
					}
					var gl, hl float64
					if !col.categorical && missLeft {
						gl, hl = hist[0], hist[1]
					}
					for x, b := range order[:max(len(order)-1, 0)] {
						gl += hist[2*b]
						hl += hist[2*b+1]
						gr, hr := nd.grad-gl, nd.hess-hl
						if hl < gbmMinHess || hr < gbmMinHess {
							continue
						}
						gain := gl*gl/(hl+gbmLambda) + gr*gr/(hr+gbmLambda) - parent
						if gain > nd.bestGain+1e-12 {
							nd.bestGain, nd.bestCol = gain, c
							clear(nd.bestLeftSet[:])
							for _, l := range order[:x+1] {
								nd.bestLeftSet[l] = true
							}
							if !col.categorical {
								nd.bestLeftSet[0] = missLeft
							}
						}
					}
				}
			}
			if nd.bestGain <= 0 {
				continue
			}
			var lo, hi []int32
			col := cols[nd.bestCol]
			for _, i := range nd.leafRows {
				if nd.bestLeftSet[col.bin[i]] {
					lo = append(lo, i)
				} else {
					hi = append(hi, i)
				}
			}
			nd.col, nd.left, nd.lo, nd.hi, nd.leafRows = nd.bestCol, nd.bestLeftSet, len(tree), len(tree)+1, nil
			depth := nd.depth + 1
			tree = append(tree, gbmNode{col: -1, leafRows: lo, depth: depth}, gbmNode{col: -1, leafRows: hi, depth: depth})
		}
		for _, i := range train {
			f[i] += tree.predict(cols, int(i))
		}
		for _, i := range test {
			f[i] += tree.predict(cols, int(i))
		}
	}
	out := make([]float64, len(test))
	for x, i := range test {
		out[x] = f[i]
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// gbmHeldOut fits the trees on each fold's other folds, with Suggest's
// folds for the seed, and returns the mean held-out ROC AUC and top-decile
// lift over the folds.
func gbmHeldOut(d *backtest.Data, folds int, seed uint64) (auc, lift float64) {
	cols := gbmColumns(d)
	fold := backtest.AssignFolds(d.Outcome, folds, seed)
	aucs, lifts := make([]float64, folds), make([]float64, folds)
	var wg sync.WaitGroup
	for f := range folds {
		wg.Go(func() {
			var train, test []int32
			for i, g := range fold {
				if int(g) == f {
					test = append(test, int32(i))
				} else {
					train = append(train, int32(i))
				}
			}
			score := gbmFit(cols, d.Outcome, train, test)
			ys := make([]bool, len(test))
			for x, i := range test {
				ys[x] = d.Outcome[i]
			}
			aucs[f], lifts[f] = backtest.AUC(score, ys), backtest.TopDecileLift(score, ys)
		})
	}
	wg.Wait()
	for f := range folds {
		auc += aucs[f] / float64(folds)
		lift += lifts[f] / float64(folds)
	}
	return auc, lift
}
