package content_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// TestAttributeFields checks the shipped model's fields recorded from the
// visit: hidden text, optional, at most 200 characters, never honeypots;
// and that the one honeypot stays one.
func TestAttributeFields(t *testing.T) {
	m := mustLoad(t, "../../content").Model
	want := []string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "referrer", "landing_page"}
	var got, honeypots []string
	for _, f := range m.Fields {
		if f.Honeypot() {
			honeypots = append(honeypots, f.Name)
		}
		if !f.Attribute {
			continue
		}
		got = append(got, f.Name)
		if !f.Hidden || f.Type != qualify.Text || f.Required || f.MaxLen != 200 || f.Ask != nil || len(f.Options) > 0 {
			t.Errorf("attribute field %s: hidden %v, type %s, required %v, max %d, ask %v, %d options; want hidden optional text of at most 200",
				f.Name, f.Hidden, f.Type, f.Required, f.MaxLen, f.Ask, len(f.Options))
		}
	}
	if g, w := strings.Join(got, " "), strings.Join(want, " "); g != w {
		t.Errorf("attribute fields %s, want %s", g, w)
	}
	if g := strings.Join(honeypots, " "); g != "website" {
		t.Errorf("honeypots %s, want website", g)
	}
}

// TestPageSignals checks the signal a page's front matter names against
// the model: an unknown one is reported at its value, with a suggestion
// and the signals there are.
func TestPageSignals(t *testing.T) {
	fsys := fstest.MapFS{
		"pages/pricing.md": {Data: []byte("---\ntitle: Pricing\nsignal: pricing\n---\nPlans.\n")},
		"pages/plans.md":   {Data: []byte("---\ntitle: Plans\nmenu: true\nsignal: pricng\n---\nPlans.\n")},
		"pages/stories.md": {Data: []byte("---\ntitle: Stories\nsignal: \"case_study\"\n---\nStories.\n")},
		"pages/about.md":   {Data: []byte("---\ntitle: About\n---\nUs.\n")},
	}
	pages, diags := content.Pages(fsys, "content", false)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	signals := map[string]string{}
	for _, p := range pages {
		signals[p.URL] = p.Signal
	}
	if signals["/pricing/"] != "pricing" || signals["/about/"] != "" {
		t.Errorf("signals read: %v", signals)
	}
	m := mustLoad(t, testContent).Model
	var got []string
	for _, d := range content.CheckPages(m, pages) {
		got = append(got, d.String())
	}
	want := []string{
		`content/pages/plans.md:4:9: signal "pricng" is not declared in content/scoring.yaml (did you mean "pricing"?); signals: form, newsletter, demo, pricing, accepted`,
		`content/pages/stories.md:3:9: signal "case_study" is not declared in content/scoring.yaml; signals: form, newsletter, demo, pricing, accepted`,
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("problems:\n%s\nwant:\n%s", g, w)
	}
}
