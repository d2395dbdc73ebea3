package backtest_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/qualify"
)

// readShipped reads, scores and measures the leads in csv.
func readShipped(b *testing.B, m *qualify.Model, mp *backtest.Mapping, csv []byte) *backtest.Data {
	d, err := backtest.Read(bytes.NewReader(csv), m, mp, backtest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if d.Len() != 100000 {
		b.Fatalf("%d leads used of 100000: %v", d.Len(), d.Problems)
	}
	if _, err := backtest.Measure(d); err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkBacktest100k reads, scores and measures 100,000 leads of the
// shipped model from CSV: the work of `winnow backtest` without --suggest.
func BenchmarkBacktest100k(b *testing.B) {
	m := shippedModel(b)
	mp := MustMapping(b, m, shippedMapping)
	csv := synthCSV(writeShipped, 100000, 1)
	b.SetBytes(int64(len(csv)))
	b.ResetTimer()
	for b.Loop() {
		readShipped(b, m, mp, csv)
	}
}

// BenchmarkSuggest100k is BenchmarkBacktest100k with --suggest: the points
// fitted by 5-fold cross-validation over the penalties and the patch.
func BenchmarkSuggest100k(b *testing.B) {
	m := shippedModel(b)
	mp := MustMapping(b, m, shippedMapping)
	csv := synthCSV(writeShipped, 100000, 1)
	src, err := os.ReadFile("../content/scoring.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(csv)))
	b.ResetTimer()
	for b.Loop() {
		d := readShipped(b, m, mp, csv)
		s, err := backtest.Suggest(d, backtest.SuggestOptions{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := backtest.Patch(src, "content/scoring.yaml", m, s, ""); err != nil {
			b.Fatal(err)
		}
	}
}
