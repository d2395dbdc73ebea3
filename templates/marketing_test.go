package templates_test

import (
	"testing"

	"github.com/winnowhq/winnow/templates"
)

// The marketing components as the site builder fills them from a page's
// directives.

var hero = templates.HeroView{
	Eyebrow:   "Lead qualification as code",
	Title:     "One definition of a qualified lead",
	Lede:      "<p>Marketing and sales agree once on what an MQL is.</p>",
	Primary:   templates.Link{Title: "Talk to us", URL: "/signup/"},
	Secondary: templates.Link{Title: "See how it works", URL: "/product/"},
	Note:      "Open source",
	Picture: &templates.ProductPicture{
		File: "stages/mql.md",
		Code: []templates.CodeLine{{Key: "name", Value: "MQL"}, {Key: "rule", Value: `fit >= "B" and score >= mql`},
			{Key: "sla"}, {Indent: true, Key: "within", Value: "24h"}},
		Lead: "Ana Souza", Company: "Northwind Software", Stage: "MQL", Fit: "A", Score: "12", Tier: "warm",
		Reasons: []templates.PictureReason{{Points: "+4", Label: "Filled in a form"}, {Points: "+2", Label: "Works in an industry we serve best"}},
		More:    "and 5 more point rules",
		Next:    "Talk to a specialist", NextSLA: "Sales development acts within 24 hours",
		Caption: "The default model at work.",
	},
}

var features = templates.FeaturesView{
	BandHead: templates.BandHead{ID: "platform", Eyebrow: "The platform", Title: "Everything the hand-off needs", Intro: "<p>One file.</p>"},
	Items: []templates.Feature{
		{Title: "Write the model once", Icon: "model", Body: "<p>Stages and points.</p>", Link: templates.Link{Title: "How it works", URL: "/product/"}},
		{Title: "Decide at the edge", Body: "<p>Scored again.</p>"},
	},
}

var testimonials = templates.TestimonialsView{
	BandHead: templates.BandHead{Title: "Fewer arguments"},
	Items: []templates.Testimonial{
		{Quote: "<p>Our reviews are about the pipeline now.</p>", Name: "Ana Souza", Role: "Marketing director", Company: "Northwind Software"},
		{Quote: "<p>Faster.</p>", Name: "Piotr", Company: "Nowak Logistics"},
	},
	Note: "From the demo data.",
}

var pricing = templates.PricingView{
	BandHead: templates.BandHead{ID: "plans", Title: "Every plan runs the same model"},
	Plans: []templates.Plan{
		{Name: "Open source", Price: "$0", Period: "forever", Summary: "The complete product.", Body: "<ul><li>All of it</li></ul>",
			CTA: templates.Link{Title: "Read the guide", URL: "/guides/"}},
		{Name: "Onboarding", Price: "Custom", Body: "<ul><li>A workshop</li></ul>", CTA: templates.Link{Title: "Talk to us", URL: "/signup/"},
			Featured: true, Badge: "Most teams start here"},
	},
}

var faq = templates.FAQView{
	BandHead: templates.BandHead{Title: "Questions"},
	Items:    []templates.Question{{Question: "Is it free?", Answer: "<p>Yes.</p>"}},
	JSONLD:   `{"@context":"https://schema.org","@type":"FAQPage","mainEntity":[{"@type":"Question","name":"Is it free?","acceptedAnswer":{"@type":"Answer","text":"\u003cp\u003eYes.\u003c/p\u003e"}}]}`,
}

var cta = templates.CTAView{Title: "Put it to work", Body: "<p>Tell us.</p>",
	Primary: templates.Link{Title: "Talk to us", URL: "/signup/"}, Secondary: templates.Link{Title: "Read the glossary", URL: "/glossary/"}}

func marketingGoldenCases() []goldenCase {
	return []goldenCase{
		{"hero", templates.Hero(hero)},
		{"hero-plain", templates.Hero(templates.HeroView{Title: "Free to run", Lede: "<p>Open source.</p>", Primary: templates.Link{Title: "Talk to us", URL: "/signup/"}})},
		{"features", templates.Features(features)},
		{"logos", templates.Logos(templates.LogosView{Title: "Teams that agree", Body: "<ul><li>Northwind Software</li><li>Meridian Health</li></ul>"})},
		{"stats", templates.Stats(templates.StatsView{Body: "<ul><li><strong>8</strong> stages</li></ul>"})},
		{"testimonials", templates.Testimonials(testimonials)},
		{"pricing", templates.Pricing(pricing)},
		{"faq", templates.FAQ(faq)},
		{"cta", templates.CTA(cta)},
		{"form-band", templates.FormBand(templates.FormBandView{Title: "Talk to us", Body: "<p>We answer.</p>", Form: signup})},
		{"landing", templates.ArticleView(templates.Article{Title: "Home", Layout: "landing", Hero: true, Body: "<section class=\"band hero\"><h1>Home</h1></section>"})},
	}
}

// TestIcons: every icon a feature can name draws something, and a name
// that is not one of them is reported as such.
func TestIcons(t *testing.T) {
	for _, name := range templates.Icons {
		if !templates.HasIcon(name) {
			t.Errorf("icon %q is listed but not drawn", name)
		}
	}
	if templates.HasIcon("rocket") {
		t.Error("HasIcon(rocket) = true")
	}
}
