package templates_test

import (
	"github.com/a-h/templ"

	"github.com/winnowhq/winnow/templates"
)

// The fixtures are a small slice of Winnow's own site, written out by hand
// as the site builder would fill the view structs.

var site = templates.Site{
	Name:     "Winnow",
	BaseURL:  "https://winnow.example",
	Language: "en",
	Nav: []templates.Link{
		{Title: "Product", URL: "/product/"},
		{Title: "Blog", URL: "/blog/"},
		{Title: "Glossary", URL: "/glossary/"},
	},
	CTA: templates.Link{Title: "Talk to us", URL: "/signup/"},
	Footer: []templates.Link{
		{Title: "Glossary", URL: "/glossary/"},
		{Title: "Service levels", URL: "/sla/"},
		{Title: "Scoring", URL: "/scoring/"},
		{Title: "Atom feed", URL: "/feed.xml"},
	},
	CSS:     "/assets/site.3f2a9c1b0d.css",
	Favicon: "/assets/favicon.8e41c07a2b.svg",
	Feed:    "/feed.xml",
}

func devSite() templates.Site {
	s := site
	s.BaseURL = "http://127.0.0.1:8080"
	s.LiveReload = "/_winnow/events"
	return s
}

// trackedSite is the site with tracking on, waiting for the visitor's
// consent.
func trackedSite() templates.Site {
	s := site
	s.Beacon = "/assets/js/beacon.5b1e07c3d9.js"
	s.Consent = "With your consent we set two cookies of our own. Nothing is shared with anyone else."
	return s
}

var pricingHead = templates.Head{
	Title:       "Pricing",
	Description: "Winnow is open source and free to self-host.",
	Path:        "/pricing/",
	Type:        "website",
	Signal:      "pricing_visit",
}

var homeHead = templates.Head{
	Title:       "Winnow",
	Description: "Lead qualification as code. One shared definition of lead, prospect and opportunity.",
	Path:        "/",
	Type:        "website",
}

var postHead = templates.Head{
	Title:       "Why your MQL means something else to sales",
	Description: "Marketing and sales count leads differently. One written model ends the argument.",
	Path:        "/blog/why-mql/",
	Type:        "article",
	Published:   "2026-03-02",
	JSONLD:      `{"@context":"https://schema.org","@type":"Article","headline":"Why your MQL means something else to sales","datePublished":"2026-03-02","description":"Scores \u003c 12 stay with marketing","url":"https://winnow.example/blog/why-mql/"}`,
}

var postCrumbs = []templates.Link{
	{Title: "Home", URL: "/"},
	{Title: "Blog", URL: "/blog/"},
	{Title: "Why your MQL means something else to sales", URL: "/blog/why-mql/"},
}

var notFoundHead = templates.Head{Title: "Page not found", Path: "/404.html", NoIndex: true}

var post = templates.Article{
	Title:     "Why your MQL means something else to sales",
	Funnel:    "TOFU",
	FunnelURL: "/glossary/tofu/",
	Date:      "2 March 2026",
	DateISO:   "2026-03-02",
	TOC: []templates.Heading{
		{Level: 2, ID: "two-teams-two-funnels", Text: "Two teams, two funnels"},
		{Level: 3, ID: "what-marketing-counts", Text: "What marketing counts"},
		{Level: 3, ID: "what-sales-counts", Text: "What sales counts"},
		{Level: 2, ID: "one-written-model", Text: "One written model"},
	},
	Body: `<p>Ask marketing how many <a class="term" href="/glossary/mql/" title="Marketing qualified lead">MQLs</a> came in last month, then ask sales.</p>` +
		`<h2 id="two-teams-two-funnels">Two teams, two funnels <a class="anchor" href="#two-teams-two-funnels" aria-label="Link to this section">#</a></h2>` +
		`<h3 id="what-marketing-counts">What marketing counts</h3><p>Form fills and downloads.</p>` +
		`<h3 id="what-sales-counts">What sales counts</h3><p>Conversations that led somewhere.</p>` +
		`<h2 id="one-written-model">One written model</h2><pre><code>fit &gt;= "B" and score &gt;= mql</code></pre>`,
}

var shortPage = templates.Article{
	Title: "About Winnow",
	TOC: []templates.Heading{
		{Level: 2, ID: "who-we-are", Text: "Who we are"},
		{Level: 2, ID: "what-we-believe", Text: "What we believe"},
	},
	Body: `<p>We build lead qualification that both teams can read.</p><h2 id="who-we-are">Who we are</h2><p>A small team.</p><h2 id="what-we-believe">What we believe</h2><p>Definitions belong in writing.</p>`,
}

var blog = templates.SectionList{
	Title: "Blog",
	Intro: "<p>What we learn about qualifying leads.</p>",
	Items: []templates.ListItem{
		{Title: "Why your MQL means something else to sales", URL: "/blog/why-mql/", Description: "One written model ends the argument.", Date: "2 March 2026", DateISO: "2026-03-02", Funnel: "TOFU"},
		{Title: "Scoring that fades", URL: "/blog/decay/", Description: "A download a year ago is not a hot signal today.", Date: "10 February 2026", DateISO: "2026-02-10"},
		{Title: "A field guide to BANT", URL: "/blog/bant/", Funnel: "MOFU"},
	},
}

func glossaryIndex() templates.GlossaryIndex {
	g := templates.GlossaryIndex{
		Title: "Glossary",
		Intro: "<p>The definitions marketing and sales agreed on.</p>",
	}
	terms := map[string][]templates.TermRef{
		"B": {
			{Name: "bad lead", Title: "Bad lead", URL: "/glossary/bad-lead/", Description: "Contact details that are wrong, fake or unreachable.", Kind: "stage"},
			{Name: "BANT", Title: "Budget, authority, need, timeline", URL: "/glossary/bant/", Description: "The classic qualification framework.", Kind: "framework"},
		},
		"F": {{Name: "fit grade", Title: "Fit grade", URL: "/glossary/fit-grade/", Description: "A letter from A to D for how well a lead matches the ideal customer profile.", Kind: "term"}},
		"M": {{Name: "MQL", Title: "Marketing qualified lead", URL: "/glossary/mql/", Description: "A lead that fits and has engaged enough for sales to call.", Kind: "stage"}},
	}
	for c := 'A'; c <= 'Z'; c++ {
		l := string(c)
		g.Letters = append(g.Letters, templates.Letter{Letter: l, ID: "letter-" + string(c+'a'-'A'), Terms: terms[l]})
	}
	return g
}

var mqlCard = templates.StageCard{
	Name:       "MQL",
	Rule:       `fit >= "B" and score >= mql`,
	RuleSource: "content/stages/mql.md:7",
	CheckOrder: 7,
	Funnel:     "MOFU",
	FunnelURL:  "/glossary/middle-of-the-funnel/",
	Previous:   &templates.Link{Title: "cold lead", URL: "/glossary/cold-lead/"},
	Following:  &templates.Link{Title: "SAL", URL: "/glossary/sal/"},
	SLA:        templates.SLAView{Owner: "Sales development", Within: "24 hours", Every: "2 days", Attempts: "5"},
	Next: templates.NextView{Kind: "contact", Label: "Talk to a specialist",
		Message: "A specialist will call you within one business day to understand what you need."},
	Points: []templates.PointRow{
		{Name: "target-industry", Label: "Works in an industry we serve best", Kind: "fit", Points: "+2", Rule: "industry in target_industries"},
		{Name: "pricing", Label: "Looked at pricing", Kind: "behaviour", Points: "+2", Rule: "known(pricing_visit)", Decay: "halves every 30 days"},
		{Name: "competitor", Label: "Works for a competitor", Kind: "negative", Points: "-25", Rule: "domain(email) in competitors"},
	},
	Examples: []templates.ExampleRow{
		{Name: "Ana Souza", Note: "Director at a software company who looked at pricing", Stage: "MQL", Fit: "A", Score: "13.87", Tier: "warm"},
	},
}

var mqlPage = templates.TermPage{
	Name:    "MQL",
	Title:   "Marketing qualified lead",
	Kind:    "stage",
	Aliases: []string{"MQLs", "marketing qualified leads", "marketing-qualified lead"},
	Body:    `<p>A marketing qualified lead <strong>fits who we sell to and has shown it is interested</strong>.</p>`,
	Stage:   &mqlCard,
	Related: []templates.TermRef{
		{Name: "fit grade", Title: "Fit grade", URL: "/glossary/fit-grade/", Description: "A letter from A to D.", Kind: "term"},
		{Name: "SAL", Title: "Sales accepted lead", URL: "/glossary/sal/", Kind: "stage"},
	},
}

var coldLeadPage = templates.TermPage{
	Name:  "cold lead",
	Title: "Cold lead",
	Kind:  "stage",
	Body:  `<p>A cold lead has <strong>real contact details but has not yet engaged</strong>.</p>`,
	Stage: &templates.StageCard{
		Name:       "cold lead",
		Default:    true,
		CheckOrder: 8,
		Funnel:     "TOFU",
		FunnelURL:  "/glossary/top-of-the-funnel/",
		Following:  &templates.Link{Title: "MQL", URL: "/glossary/mql/"},
		Next: templates.NextView{Kind: "nurture", Label: "Read the buyer's guide",
			Message: "Thanks. While you look around, our guide shows how other teams set it up.", URL: "/guides/lead-qualification/"},
	},
}

var badLeadCard = templates.StageCard{
	Name:       "bad lead",
	Rule:       "disposable_email(email) or known(website) or fill_seconds < fast_fill or gibberish(name) or score < -20",
	RuleSource: "content/stages/bad-lead.md:6",
	Exit:       true,
	CheckOrder: 1,
	SLA:        templates.SLAView{Owner: "Marketing operations", Within: "3 days", Attempts: "1"},
	Next:       templates.NextView{Kind: "none"},
}

var bantPage = templates.TermPage{
	Name:  "BANT",
	Title: "Budget, authority, need, timeline",
	Kind:  "framework",
	Body:  `<p>BANT asks four questions of every lead.</p>`,
	Framework: &templates.FrameworkCard{
		Name: "BANT", Title: "Budget, authority, need, timeline", Selected: true,
		Criteria: []templates.CriterionRow{
			{Name: "budget", Label: "Budget", Rule: `budget >= "under_10k"`},
			{Name: "authority", Label: "Authority", Rule: `authority >= "recommend" or seniority >= "director"`},
			{Name: "need", Label: "Need", Rule: `need != "exploring"`},
			{Name: "timeline", Label: "Timeline", Rule: `timeline <= "this_year"`},
		},
	},
}

var leadPage = templates.TermPage{
	Name:  "lead",
	Title: "Lead",
	Kind:  "term",
	Body:  `<p>A person who gave us a way to reach them.</p>`,
}

var slaPage = templates.SLAPage{
	Title: "Service levels",
	Intro: "<p>What marketing and sales promise each other.</p>",
	Rows: []templates.SLARow{
		{Stage: templates.Link{Title: "bad lead", URL: "/glossary/bad-lead/"}, Funnel: "exit", Owner: "Marketing operations", Within: "3 days", Attempts: "1", Next: "Check your email address"},
		{Stage: templates.Link{Title: "cold lead", URL: "/glossary/cold-lead/"}, Funnel: "TOFU", Next: "Read the buyer's guide"},
		{Stage: templates.Link{Title: "MQL", URL: "/glossary/mql/"}, Funnel: "MOFU", Owner: "Sales development", Within: "24 hours", Every: "2 days", Attempts: "5", Next: "Talk to a specialist"},
	},
}

var scoringPage = templates.ScoringPage{
	Title: "Scoring",
	Intro: "<p>How a lead's score and fit grade are made.</p>",
	Groups: []templates.PointGroup{
		{Kind: "fit", Title: "Fit", Description: "Who the lead is.", Rows: []templates.PointRow{
			{Name: "target-industry", Label: "Works in an industry we serve best", Kind: "fit", Points: "+2", Rule: "industry in target_industries"},
		}},
		{Kind: "negative", Title: "Negative", Description: "Spam-like input and leads we cannot sell to.", Rows: []templates.PointRow{
			{Name: "honeypot", Label: "Filled in the field only robots see", Kind: "negative", Points: "-25", Rule: "known(website)"},
		}},
	},
	Grades: []templates.GradeRow{{Name: "A", Label: "Ideal customer", Min: "6"}, {Name: "D", Label: "Poor fit", Min: "0"}},
	Tiers: []templates.TierRow{
		{Name: "hot", Label: "Call today", Min: "25"},
		{Name: "cool", Label: "Nurture"},
	},
	Thresholds: []templates.ThresholdRow{{Name: "mql", Value: "12"}, {Name: "fast_fill", Value: "4"}},
	Decay: []templates.DecayRow{
		{Signal: "pricing_visit", Label: "Visited the pricing page", Kind: "behaviour", HalfLife: "30 days"},
		{Signal: "sales_accepted", Label: "Sales accepted the lead", Kind: "sales", HalfLife: "no decay"},
	},
}

var signup = templates.FormDef{
	Title:        "Talk to us",
	Intro:        "<p>Tell us a little about your team and what you need.</p>",
	Action:       "/api/leads",
	ModelVersion: "ec939b973be2",
	ModelURL:     "/assets/model.ec939b973b.txt",
	Submit:       "Send my request",
	Sections: []templates.FormSection{
		{ID: "section-contact", Title: "Your details", Fields: []templates.FormField{
			{Name: "name", Label: "Full name", Input: "text", Autocomplete: "name", Required: true, MaxLength: "100"},
			{Name: "email", Label: "Work email", Input: "email", Autocomplete: "email", Required: true,
				Help: "We use it to send what you asked for, nothing else.", Placeholder: "name@company.com", MaxLength: "254", MinLength: "3"},
			{Name: "phone", Label: "Phone", Input: "tel", Autocomplete: "tel", Help: "Optional. Only if you would like a call back.", MaxLength: "40"},
		}},
		{ID: "section-company", Title: "Your company", Fields: []templates.FormField{
			{Name: "company_size", Label: "Company size", Input: "select", Options: []templates.FormOption{
				{Value: "1-10", Label: "1–10 people"}, {Value: "11-50", Label: "11–50 people"}, {Value: "5000+", Label: "More than 5,000 people"},
			}},
		}},
		{ID: "section-plans", Title: "Your plans", Fields: []templates.FormField{
			{Name: "seats", Label: "How many people would use it?", Input: "number", Min: "1", Max: "100000", Ask: `fit >= "C"`},
			{Name: "start", Label: "When would you start?", Input: "date", Ask: `fit >= "B"`},
			{Name: "message", Label: "Anything else we should know?", Input: "textarea", MaxLength: "2000"},
		}},
		{ID: "section-consent", Title: "Consent", Fields: []templates.FormField{
			{Name: "consent", Label: "I agree that Winnow may contact me about my request.", Input: "checkbox", Required: true},
		}},
		{ID: "section-hidden", Fields: pageFields},
	},
}

// pageFields are the fields the page fills in, which every form carries.
var pageFields = []templates.FormField{
	{Name: "website", Label: "Leave this field empty", Input: "text", Help: "Only robots fill this in.", Autocomplete: "off", Honeypot: true},
	{Name: "fill_seconds", Label: "Seconds taken to fill the form", Input: "hidden"},
	{Name: "pasted", Label: "Every answer was pasted", Input: "hidden"},
}

// demo is a form of the model in three steps, with the widget: an extra
// question for a returning visitor, consent asked again, the email's
// hint, the verdict and a thank-you.
var demo = templates.FormDef{
	Name:         "demo",
	Title:        "Book a demo",
	Intro:        "<p>We show you Winnow on your own process.</p>",
	Action:       "/api/leads",
	ModelVersion: "ec939b973be2",
	ModelURL:     "/assets/model.ec939b973b.txt",
	WidgetJS:     "/assets/js/widget.1a2b3c4d5e.js",
	WorkerJS:     "/assets/js/widget-worker.2b3c4d5e6f.js",
	WasmExecURL:  "/assets/wasm_exec.3c4d5e6f7a.js",
	WasmURL:      "/assets/winnow.4d5e6f7a8b.wasm",
	Profile:      "/api/profile",
	Steps:        true,
	Sections: []templates.FormSection{
		{ID: "step-1", Title: "Your details", Fields: []templates.FormField{
			{Name: "name", Label: "Full name", Input: "text", Autocomplete: "name", Required: true, MaxLength: "100"},
			{Name: "email", Label: "Work email", Input: "email", Autocomplete: "email", Required: true, Hint: true,
				Help: "We use it to send what you asked for, nothing else.", MaxLength: "254"},
		}},
		{ID: "step-2", Title: "Your company", Fields: []templates.FormField{
			{Name: "company_size", Label: "Company size", Input: "select", Options: []templates.FormOption{
				{Value: "1-10", Label: "1–10 people"}, {Value: "5000+", Label: "More than 5,000 people"},
			}},
		}},
		{ID: "step-3", Title: "Your plans", Fields: []templates.FormField{
			{Name: "seats", Label: "How many people would use it?", Input: "number", Min: "1", Max: "100000", Ask: `fit >= "C"`},
			{Name: "consent", Label: "I agree that Winnow may contact me about my request.", Input: "checkbox", Required: true, Again: true},
		}},
		{ID: "section-hidden", Fields: pageFields},
	},
	Extra: []templates.FormField{
		{Name: "how_heard", Label: "Where did you hear about us?", Input: "select", Options: []templates.FormOption{
			{Value: "search", Label: "Search engine"}, {Value: "referral", Label: "A colleague or friend"},
		}},
	},
	Submit:    "Ask for my demo",
	Verdict:   true,
	Thanks:    templates.Thanks{Title: "Thank you for your request", Message: "We answer within a day.", Label: "Read the guide", URL: "/guides/lead-qualification/"},
	ShowScore: true,
}

// fortune is the fortune teller of a small model.
var fortune = templates.Fortune{
	Title:       "The fortune teller",
	Intro:       "<p>Describe a lead.</p>",
	ModelURL:    "/assets/model.ec939b973b.txt",
	WasmURL:     "/assets/winnow.4d5e6f7a8b.wasm",
	WasmExecURL: "/assets/wasm_exec.3c4d5e6f7a.js",
	Script:      "/assets/js/fortune.5e6f7a8b9c.js",
	Sections: []templates.FormSection{
		{ID: "section-contact", Title: "Your details", Fields: []templates.FormField{
			{Name: "email", Label: "Work email", Input: "email", MaxLength: "254"},
		}},
		{ID: "section-recorded", Title: "Recorded by the page or from the visit", Fields: []templates.FormField{
			{Name: "pasted", Label: "Every answer was pasted", Input: "checkbox"},
		}},
	},
	Signals:    []templates.FortuneSignal{{Name: "demo_request", Label: "Asked for a demo"}, {Name: "pricing_visit", Label: "Visited the pricing page"}},
	Frameworks: []templates.FormOption{{Value: "BANT", Label: "BANT (the model's)"}, {Value: "CHAMP", Label: "CHAMP"}},
	Points: []templates.PointRow{
		{Name: "business-email", Label: "Gave a company email address", Kind: "fit", Points: "+1", Rule: "known(email) and not free_email(email)"},
		{Name: "demo-request", Label: "Asked for a demo", Kind: "engagement", Points: "+5", Rule: "known(demo_request)", Decay: "halves every 90 days"},
	},
	Stages: []templates.FortuneStage{
		{Index: 0, Name: "bad lead", URL: "/glossary/bad-lead/", Rule: "disposable_email(email)"},
		{Index: 2, Name: "MQL", URL: "/glossary/mql/", Rule: `fit >= "B" and score >= mql`},
		{Index: 1, Name: "cold lead", URL: "/glossary/cold-lead/"},
	},
}

// page renders a view inside the layout, as the site builder does.
func page(s templates.Site, h templates.Head, crumbs []templates.Link, c templ.Component) templ.Component {
	return templates.Layout(s, h, crumbs, c)
}
