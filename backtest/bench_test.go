package backtest_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
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
	scoring, err := os.ReadFile("../content/scoring.yaml")
	if err != nil {
		b.Fatal(err)
	}
	fields, err := os.ReadFile("../content/fields.yaml")
	if err != nil {
		b.Fatal(err)
	}
	files := backtest.PatchFiles{Scoring: scoring, Fields: fields, ScoringPath: "content/scoring.yaml", FieldsPath: "content/fields.yaml"}
	b.SetBytes(int64(len(csv)))
	b.ResetTimer()
	for b.Loop() {
		d := readShipped(b, m, mp, csv)
		s, err := backtest.Suggest(d, backtest.SuggestOptions{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := backtest.Patch(files, m, s, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSuggestNumeric100k is BenchmarkSuggest100k with three more
// numeric columns, skewed and partly blank, each tried at 19 cuts: the
// leads read and measured, the points fitted and the patch written.
func BenchmarkSuggestNumeric100k(b *testing.B) {
	m := shippedModel(b)
	mp := MustMapping(b, m, shippedMapping)
	csv := synthCSV(writeShipped, 100000, 1)
	scoring, err := os.ReadFile("../content/scoring.yaml")
	if err != nil {
		b.Fatal(err)
	}
	fields, err := os.ReadFile("../content/fields.yaml")
	if err != nil {
		b.Fatal(err)
	}
	files := backtest.PatchFiles{Scoring: scoring, Fields: fields, ScoringPath: "content/scoring.yaml", FieldsPath: "content/fields.yaml"}
	rng := rand.New(rand.NewPCG(1, 2))
	var extra [3][]string
	for range 100000 {
		for c := range extra {
			v := ""
			if rng.Float64() > 0.1 {
				v = strconv.FormatFloat(math.Round(math.Exp(float64(c)+rng.NormFloat64())*10)/10, 'g', -1, 64)
			}
			extra[c] = append(extra[c], v)
		}
	}
	b.SetBytes(int64(len(csv)))
	b.ResetTimer()
	for b.Loop() {
		d := readShipped(b, m, mp, csv)
		for c, name := range []string{"pages", "sessions", "days_to_reply"} {
			d.Extra = append(d.Extra, buildExtra(name, 0, true, extra[c]))
		}
		s, err := backtest.Suggest(d, backtest.SuggestOptions{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := backtest.Patch(files, m, s, ""); err != nil {
			b.Fatal(err)
		}
	}
}
