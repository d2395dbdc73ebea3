//go:build !js

package qualify_test

import (
	"math/rand/v2"
	"testing"

	"github.com/winnowhq/winnow/qualify"
)

// decision is what a re-score must notice: the stage, the fit grade and
// the tier.
func decision(m *qualify.Model, lead *qualify.Lead, at int64) [3]string {
	v := qualify.Evaluate(m, lead, at)
	return [3]string{v.Stage, v.Fit, v.Tier}
}

// NextChange never comes after a change: for random leads of the shipped
// model with random signals, the verdict is the same at every instant
// before it, and where it returns 0, over the next three years.
func TestNextChange(t *testing.T) {
	m := defaultModel(t).Model
	now := int64(1_780_000_000)
	r := rand.New(rand.NewPCG(1, 2))
	answers := []qualify.Input{
		{"name": "Ana Souza", "email": "ana@northwind.io", "company": "Northwind", "consent": "yes",
			"industry": "software", "role": "marketing", "company_size": "201-1000", "seniority": "director", "country": "DE"},
		{"name": "Bo Li", "email": "bo@gmail.com", "company": "Li & Co", "consent": "yes", "industry": "retail"},
		{"name": "Cy Ray", "email": "cy@acme.io", "company": "Acme", "consent": "yes", "industry": "healthcare",
			"role": "sales", "seniority": "manager", "country": "US", "budget": "10k_50k", "timeline": "this_quarter"},
	}
	changes, never := 0, 0
	for i := range 300 {
		lead, errs := m.Lead(answers[i%len(answers)], now-int64(r.IntN(40))*qualify.SecondsPerDay)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		for j := range m.Signals {
			if r.IntN(3) == 0 {
				lead.Signals[j] = now - int64(r.IntN(200*qualify.SecondsPerDay))
			}
		}
		at := now
		for step := 0; step < 6; step++ {
			next := qualify.NextChange(m, &lead, at)
			want := decision(m, &lead, at)
			end := next
			if next == 0 {
				never++
				end = at + 3*365*qualify.SecondsPerDay
			} else if next <= at {
				t.Fatalf("lead %d: NextChange(%d) = %d, not after it", i, at, next)
			}
			// Every four hours up to the end, and the second before it.
			for s := at + 1; s < end; s += 4 * 3600 {
				if got := decision(m, &lead, s); got != want {
					t.Fatalf("lead %d: the verdict changed at %d from %v to %v, before NextChange's %d", i, s, want, got, next)
				}
			}
			if got := decision(m, &lead, end-1); got != want {
				t.Fatalf("lead %d: the verdict changed before %d", i, end)
			}
			if next == 0 {
				break
			}
			if decision(m, &lead, next) != want {
				changes++
			}
			at = next
		}
	}
	if changes == 0 || never == 0 {
		t.Errorf("%d changes found at NextChange's instants and %d leads time never changes: the cases do not cover both", changes, never)
	}
	t.Logf("%d changes at NextChange's instants, %d leads whose verdict time alone never changes", changes, never)
}

func BenchmarkNextChange(b *testing.B) {
	m := defaultModel(b).Model
	now := int64(1_780_000_000)
	lead := fullLead(b, m, now)
	for b.Loop() {
		qualify.NextChange(m, &lead, now)
	}
}
