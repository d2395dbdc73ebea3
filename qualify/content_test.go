//go:build !js

package qualify_test

import (
	"os"
	"testing"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// defaultModel loads the shipped content (natively only: the loader reads
// YAML, which the core's wasm tests leave out).
func defaultModel(tb testing.TB) *content.Content {
	tb.Helper()
	c, diags := content.Load(os.DirFS("../content"), "content")
	if len(diags) > 0 {
		tb.Fatal(diags)
	}
	return c
}

func contentModels(tb testing.TB) []string {
	return []string{qualify.Encode(defaultModel(tb).Model)}
}

// fullLead is a lead with every field of the default model answered and
// several signals, the worst case for Evaluate.
func fullLead(tb testing.TB, m *qualify.Model, now int64) qualify.Lead {
	tb.Helper()
	lead, errs := m.Lead(qualify.Input{
		"name": "Ana Souza", "email": "ana.souza@northwind.io", "phone": "+49 30 1234567",
		"company": "Northwind Software", "company_size": "201-1000", "industry": "software",
		"role": "marketing", "seniority": "director", "country": "DE", "request": "demo",
		"need": "replace_tool", "how_heard": "search", "seats": "40", "timeline": "this_quarter",
		"budget": "10k_50k", "authority": "decide", "priority": "high",
		"message": "We are replacing our spreadsheet scoring before the next campaign.",
		"consent": "yes", "fill_seconds": "95", "pasted": "no",
	}, now)
	if len(errs) > 0 {
		tb.Fatal(errs)
	}
	for _, s := range []string{"newsletter_signup", "email_reply", "pricing_visit", "case_study_read", "sales_accepted"} {
		lead.Signals[m.SignalIndex(s)] = now - 12*qualify.SecondsPerDay
	}
	return lead
}

func BenchmarkEvaluate(b *testing.B) {
	m := defaultModel(b).Model
	const now = 1772409600
	lead := fullLead(b, m, now)
	b.ReportAllocs()
	for b.Loop() {
		qualify.Evaluate(m, &lead, now)
	}
}

func BenchmarkDecode(b *testing.B) {
	text := qualify.Encode(defaultModel(b).Model)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := qualify.Decode(text); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	m := defaultModel(b).Model
	b.ReportAllocs()
	for b.Loop() {
		qualify.Encode(m)
	}
}

func BenchmarkValidate(b *testing.B) {
	m := defaultModel(b).Model
	in := qualify.Input{"name": "Ana Souza", "email": "ana.souza@northwind.io", "company": "Northwind",
		"company_size": "201-1000", "industry": "software", "seats": "40", "consent": "yes"}
	b.ReportAllocs()
	for b.Loop() {
		m.Lead(in, 1772409600)
	}
}

// TestEvaluateAllocs holds Evaluate to one allocation (the reasons) on the
// default model with a full lead.
func TestEvaluateAllocs(t *testing.T) {
	m := defaultModel(t).Model
	lead := fullLead(t, m, 1772409600)
	if n := testing.AllocsPerRun(100, func() { qualify.Evaluate(m, &lead, 1772409600) }); n > 1 {
		t.Errorf("Evaluate allocates %v times per call, want at most 1", n)
	}
}
