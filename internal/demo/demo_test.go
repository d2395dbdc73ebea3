package demo_test

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/demo"
	"github.com/winnowhq/winnow/qualify"
)

var end = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

func csvOf(t *testing.T, leads []demo.Lead) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := demo.WriteCSV(&b, leads); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDeterministic: a seed and an end give the same leads, byte for byte;
// another seed other leads; and lead n is the same however many are drawn.
func TestDeterministic(t *testing.T) {
	a := csvOf(t, demo.NewGenerator(7, end).Leads(0, 500))
	b := csvOf(t, demo.NewGenerator(7, end.Add(5*time.Hour)).Leads(0, 500)) // same day
	if !bytes.Equal(a, b) {
		t.Error("the same seed and day gave different leads")
	}
	if c := csvOf(t, demo.NewGenerator(8, end).Leads(0, 500)); bytes.Equal(a, c) {
		t.Error("seeds 7 and 8 gave the same leads")
	}
	g := demo.NewGenerator(7, end)
	few := g.Leads(0, 50)
	i := slices.IndexFunc(few, func(l demo.Lead) bool { return l.N == 42 })
	if got, want := csvOf(t, few[i:i+1]), csvOf(t, []demo.Lead{g.Lead(42)}); !bytes.Equal(got, want) {
		t.Errorf("lead 42 depends on how many leads are drawn:\n%s\n%s", got, want)
	}
}

// rows parses the CSV of n leads into records by column name.
func rows(t *testing.T, n int) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(csvOf(t, demo.NewGenerator(1, end).Leads(0, n)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], demo.Header()) {
		t.Fatalf("header %v, want %v", recs[0], demo.Header())
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

// share is a converted share with its standard error.
type share struct{ n, yes float64 }

func (s *share) add(r map[string]string) {
	s.n++
	if r["converted"] == "yes" {
		s.yes++
	}
}

func (s share) rate() float64 { return s.yes / s.n }

// differ reports whether two shares differ by more than three standard
// errors of their difference, and the difference in those units.
func differ(a, b share) (bool, float64) {
	se := math.Sqrt(a.rate()*(1-a.rate())/a.n + b.rate()*(1-b.rate())/b.n)
	z := (a.rate() - b.rate()) / se
	return math.Abs(z) > 3, z
}

// spam reports a row the model's negative rules would call a robot's.
func spam(r map[string]string) bool {
	secs, _ := strconv.Atoi(r["fill_seconds"])
	return r["website"] != "" || secs < 4 || qualify.Gibberish(r["name"]) || qualify.Gibberish(r["company"])
}

// TestCSVOutcomes reads 20,000 rows back and checks that the documented
// weights show in them: what matters raises the converted share, the
// newsletter (3 points in the model, no weight in the process) does not.
func TestCSVOutcomes(t *testing.T) {
	rs := rows(t, 20000)
	var all, spamRows share
	var target, other, referral, paid, newsletter, noNewsletter share
	var times []float64
	from := end.AddDate(0, 0, -demo.Year)
	for _, r := range rs {
		at, err := time.Parse(time.RFC3339, r["created_at"])
		if err != nil || at.Before(from) || !at.Before(end) {
			t.Fatalf("created_at %q outside the year before %v (%v)", r["created_at"], end, err)
		}
		if c := r["converted"]; c != "yes" && c != "no" {
			t.Fatalf("converted %q", c)
		}
		all.add(r)
		if spam(r) {
			spamRows.add(r)
			continue
		}
		m, _ := strconv.ParseFloat(r["time_on_site_minutes"], 64)
		times = append(times, m)
		switch r["industry"] {
		case "software", "financial_services", "healthcare":
			target.add(r)
		default:
			other.add(r)
		}
		switch r["lead_source"] {
		case "referral":
			referral.add(r)
		case "paid_search":
			paid.add(r)
		}
		if r["request"] != "newsletter" {
			if r["newsletter_signup"] != "" {
				newsletter.add(r)
			} else {
				noNewsletter.add(r)
			}
		}
	}
	if r := all.rate(); r < 0.03 || r > 0.3 {
		t.Errorf("converted share %.3f, want a B2B-like 3 to 30 %%", r)
	}
	if spamRows.n == 0 || spamRows.yes > 0 {
		t.Errorf("%v spam rows, %v of them converted; want some, none", spamRows.n, spamRows.yes)
	}
	// Thirds of the time on site. Intent lengthens visits and brings the
	// signals that weigh, so the thirds are compared within strata of what
	// intent drives most (request, pricing visit, need), and the
	// differences pooled.
	sorted := slices.Sorted(slices.Values(times))
	lo, hi := sorted[len(sorted)/3], sorted[2*len(sorted)/3]
	strata := map[string]*[3]share{}
	for _, r := range rs {
		if spam(r) {
			continue
		}
		k := r["request"] + "/" + strconv.FormatBool(r["pricing_visit"] != "") + "/" + strconv.FormatBool(r["need"] == "exploring")
		if strata[k] == nil {
			strata[k] = &[3]share{}
		}
		m, _ := strconv.ParseFloat(r["time_on_site_minutes"], 64)
		switch {
		case m < lo:
			strata[k][0].add(r)
		case m >= hi:
			strata[k][2].add(r)
		}
	}
	var diff, variance, weight float64
	for _, s := range strata {
		if s[0].n < 20 || s[2].n < 20 {
			continue
		}
		w := s[0].n + s[2].n
		diff += w * (s[2].rate() - s[0].rate())
		variance += w * w * (s[2].rate()*(1-s[2].rate())/s[2].n + s[0].rate()*(1-s[0].rate())/s[0].n)
		weight += w
	}
	if z := diff / math.Sqrt(variance); z < 3 {
		t.Errorf("the longest visits convert %.3f more than the shortest, within strata (%.1f standard errors); want clearly more",
			diff/weight, z)
	}
	for _, c := range []struct {
		name          string
		better, worse share
	}{
		{"target industries, the others", target, other},
		{"referrals, paid search", referral, paid},
	} {
		if ok, z := differ(c.better, c.worse); !ok || z < 0 {
			t.Errorf("%s: converted %.3f vs %.3f (%.1f standard errors), want clearly higher", c.name, c.better.rate(), c.worse.rate(), z)
		}
	}
	if ok, z := differ(newsletter, noNewsletter); ok {
		t.Errorf("newsletter signup: converted %.3f vs %.3f (%.1f standard errors), want no clear difference",
			newsletter.rate(), noNewsletter.rate(), z)
	}
}

// TestCalibrated: the outcomes are draws of the documented probability:
// their mean matches the mean probability within three standard errors,
// and the likelier half converts more than the other.
func TestCalibrated(t *testing.T) {
	leads := demo.NewGenerator(3, end).Leads(0, 20000)
	var sumP, conv, varP float64
	for _, l := range leads {
		sumP += l.P
		varP += l.P * (1 - l.P)
		if l.Converted {
			conv++
		}
	}
	if d := math.Abs(conv - sumP); d > 3*math.Sqrt(varP) {
		t.Errorf("%v converted, the probabilities expect %.0f ± %.0f", conv, sumP, math.Sqrt(varP))
	}
	slices.SortFunc(leads, func(a, b demo.Lead) int { return cmp.Compare(a.P, b.P) })
	low, high := 0, 0
	for i, l := range leads {
		if l.Converted && i < len(leads)/2 {
			low++
		} else if l.Converted {
			high++
		}
	}
	if high <= 2*low {
		t.Errorf("converted: %d in the likelier half, %d in the other; want more than twice as many", high, low)
	}
}

// TestJourney: events come in order, after the lead and before the end;
// likelier leads are won more often; leads that cannot convert never are.
func TestJourney(t *testing.T) {
	g := demo.NewGenerator(1, end)
	within := func(string) time.Duration { return 24 * time.Hour }
	var won [2]share
	for _, l := range g.Leads(0, 3000) {
		evs := g.Journey(&l, "MQL", within)
		prev := l.At
		w := false
		for _, e := range evs {
			if e.At.Before(prev) || !e.At.Before(g.End()) {
				t.Fatalf("lead %d: event %s at %v, after %v and before %v expected", l.N, e.Stage, e.At, prev, g.End())
			}
			prev = e.At
			w = w || e.Stage == "won"
		}
		if w && l.P == 0 {
			t.Fatalf("lead %d cannot convert and was won: %+v", l.N, evs)
		}
		if l.P > 0 {
			r := map[string]string{"converted": map[bool]string{true: "yes", false: "no"}[w]}
			won[boolIndex(l.P > 0.15)].add(r)
		}
	}
	if ok, z := differ(won[1], won[0]); !ok || z < 0 {
		t.Errorf("won: %.3f of likely leads, %.3f of the others (%.1f standard errors)", won[1].rate(), won[0].rate(), z)
	}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestMapping names the CSV's outcome, instant, signals and extra columns.
func TestMapping(t *testing.T) {
	m := demo.Mapping()
	header := demo.Header()
	for _, want := range append([]string{"column: converted", "at: created_at"}, demo.SignalColumns...) {
		if !bytes.Contains([]byte(m), []byte(want)) {
			t.Errorf("mapping lacks %q:\n%s", want, m)
		}
	}
	for _, c := range append(demo.SignalColumns, demo.ExtraColumns...) {
		if !slices.Contains(header, c) {
			t.Errorf("mapping names %q, the CSV has no such column", c)
		}
	}
}
