// Package templates holds the site's templ components and the plain view
// structs they render. The site builder fills the structs from content and
// the model; the components decide nothing but markup.
package templates

// Site is what every page shows of the site as a whole.
type Site struct {
	Name       string // the site's name, e.g. "Winnow"
	BaseURL    string // absolute URL of the site root, without a trailing slash
	Language   string // BCP 47 language of the pages, e.g. "en"
	Nav        []Link // the main navigation
	CTA        Link   // the call to action beside it (the signup form), or none
	Footer     []Link // links in the footer
	CSS        string // URL of the fingerprinted stylesheet
	Favicon    string // URL of the fingerprinted SVG favicon
	Feed       string // URL of the Atom feed
	LiveReload string // dev server only: URL of the reload event stream; "" in builds
	// Beacon is the URL of the fingerprinted beacon script (page signals
	// and attribution), loaded by every page; "" when tracking is off.
	Beacon string
	// Consent is the consent bar's text when tracking waits for the
	// visitor's consent; "" when consent is implied.
	Consent string
}

// Link is a titled URL. URLs are site-absolute paths ("/glossary/") or
// absolute URLs.
type Link struct {
	Title string
	URL   string
}

// Head is what a page puts in its <head> besides the site-wide parts.
type Head struct {
	Title       string // the page's own title; the layout appends the site name
	Description string
	Path        string // the page's site-absolute path, e.g. "/glossary/mql/"
	Type        string // Open Graph type: "website" or "article"
	Published   string // ISO 8601 date of an article, or ""
	JSONLD      string // a JSON-LD document, already serialised, or ""
	NoIndex     bool   // keep the page out of search engines (404)
	Signal      string // the model's signal a view of the page records (the beacon's "s"), or ""
}

// Heading is an entry of a table of contents.
type Heading struct {
	Level int // 2 or 3
	ID    string
	Text  string
}

// Layouts are the layouts a page can ask for in its front matter:
// "article" (the default) has breadcrumbs and, on a long page, a table of
// contents beside the text on a wide screen; "landing" has neither and
// gives the content the full width, for the marketing components.
var Layouts = []string{"article", "landing"}

// Article is a Markdown page.
type Article struct {
	Layout    string // one of Layouts; "" is "article"
	Title     string
	Funnel    string // "TOFU", "MOFU", "BOFU" or ""
	FunnelURL string // the glossary page of the funnel position
	Date      string // for people, e.g. "2 March 2026", or ""
	DateISO   string // for <time datetime>, e.g. "2026-03-02"
	TOC       []Heading
	Body      string // trusted HTML rendered from Markdown
	// Hero: the body opens with a hero, which holds the page's h1, so the
	// page shows no title of its own.
	Hero bool
}

// ListItem is one page in a section list.
type ListItem struct {
	Title       string
	URL         string
	Description string
	Date        string
	DateISO     string
	Funnel      string
}

// SectionList is the list page of a section of pages.
type SectionList struct {
	Title string
	Intro string // trusted HTML: the section's own Markdown, may be ""
	Items []ListItem
}

// TermRef is a glossary entry in a list.
type TermRef struct {
	Name        string // as used in running text, e.g. "MQL"
	Title       string // full name, e.g. "Marketing qualified lead"
	URL         string
	Description string
	Kind        string // "stage", "framework" or "term"
}

// Letter groups the glossary entries that start with one letter.
type Letter struct {
	Letter string // "A".."Z", or "#" for the rest
	ID     string // fragment id of the group, e.g. "letter-a"
	Terms  []TermRef
}

// GlossaryIndex is the page with every term, A to Z.
type GlossaryIndex struct {
	Title   string
	Intro   string   // trusted HTML
	Letters []Letter // all 26 letters in order (and "#" if used); empty ones have no terms
}

// TermPage is the page of one glossary entry.
type TermPage struct {
	Name      string
	Title     string
	Kind      string // "stage", "framework" or "term"
	Aliases   []string
	Body      string // trusted HTML: the definition
	Stage     *StageCard
	Framework *FrameworkCard
	Related   []TermRef
}

// StageCard is what the glossary shows of a stage beside its definition:
// the exact rule the widget and the edge execute, printed from the model.
type StageCard struct {
	Name       string
	Rule       string // canonical rule text; "" for the first funnel stage
	RuleSource string // where the rule is written, e.g. "content/stages/mql.md:7"
	Default    bool   // the first funnel stage: where a lead stands when no rule holds
	Exit       bool   // checked before every other stage; leaves the funnel
	CheckOrder int    // 1-based position in the order stages are checked
	Funnel     string
	FunnelURL  string
	Previous   *Link // the stage before it in the funnel line
	Following  *Link // the stage after it
	SLA        SLAView
	Next       NextView
	Points     []PointRow // the point rules the rule's score and fit grade come from
	Examples   []ExampleRow
}

// SLAView is a stage's service level in words.
type SLAView struct {
	Owner    string // "" when the stage has no SLA
	Within   string // e.g. "24 hours"
	Every    string // e.g. "2 days", or ""
	Attempts string // e.g. "5", or ""
}

// NextView is the step a visitor in a stage is offered.
type NextView struct {
	Kind    string // "book", "contact", "nurture", "fix" or "none"
	Label   string
	Message string
	URL     string
}

// PointRow is one point rule.
type PointRow struct {
	Name   string
	Label  string
	Kind   string // "fit", "engagement", "behaviour", "negative"
	Points string // signed, e.g. "+2", "-25"
	Rule   string // canonical rule text, or the signal it is tied to
	Decay  string // e.g. "halves every 90 days", or ""
}

// ExampleRow is an example lead and the verdict it gets.
type ExampleRow struct {
	Name  string
	Note  string
	Stage string
	Fit   string
	Score string
	Tier  string
}

// FrameworkCard shows a framework's criteria and their rules.
type FrameworkCard struct {
	Name     string
	Title    string
	Selected bool // the model's selected framework, read by `framework` in rules
	Criteria []CriterionRow
}

// CriterionRow is one criterion of a framework.
type CriterionRow struct {
	Name  string
	Label string
	Rule  string
}

// SLARow is one stage of the SLA page.
type SLARow struct {
	Stage    Link
	Funnel   string
	Owner    string
	Within   string
	Every    string
	Attempts string
	Next     string
}

// SLAPage lists who does what within what time, per stage.
type SLAPage struct {
	Title string
	Intro string // trusted HTML
	Rows  []SLARow
}

// GradeRow is a fit grade.
type GradeRow struct {
	Name  string
	Label string
	Min   string
}

// TierRow is a tier of the score.
type TierRow struct {
	Name  string
	Label string
	Min   string // "" for the last tier
}

// DecayRow is the half-life of a signal.
type DecayRow struct {
	Signal   string
	Label    string
	Kind     string
	HalfLife string // e.g. "90 days", or "no decay"
}

// PointGroup is the point rules of one kind.
type PointGroup struct {
	Kind        string
	Title       string
	Description string
	Rows        []PointRow
}

// ThresholdRow is a named number rules read.
type ThresholdRow struct {
	Name  string
	Value string
}

// ScoringPage shows every point rule, the fit grades, the tiers and decay.
type ScoringPage struct {
	Title      string
	Intro      string // trusted HTML
	Groups     []PointGroup
	Grades     []GradeRow
	Tiers      []TierRow
	Thresholds []ThresholdRow
	Decay      []DecayRow
}

// FormOption is one answer of a select.
type FormOption struct {
	Value string
	Label string
}

// FormField is one field of the signup form, as generated from the model.
type FormField struct {
	Name         string
	Label        string
	Help         string
	Placeholder  string
	Input        string // "text", "email", "tel", "number", "date", "textarea", "select", "checkbox", "hidden"
	Autocomplete string
	Required     bool
	Min          string // number range, or "" when unset
	Max          string
	MaxLength    string // text length, or ""
	MinLength    string
	Options      []FormOption
	Ask          string // the model's rule for asking the field (data-ask), or "" to always ask
	Honeypot     bool   // a trap for robots: off screen, out of the tab order
	Again        bool   // asked even of a returning lead who answered it (consent)
	Hint         bool   // the email address the widget comments on (disposable, free, a typo)
}

// FormSection groups fields under a heading: a section of a one-page
// form, or a step of a multi-step one.
type FormSection struct {
	ID     string
	Title  string
	Fields []FormField
}

// FormDef is a form as a page shows it, generated from the model and the
// form's definition in content/forms. It posts as a plain HTML form; the
// widget enhances it when it loads.
type FormDef struct {
	// Name is the model's form, posted as the hidden field "form"; "" for
	// the one signup form of a content directory without forms.
	Name         string
	Title        string // the heading of its page
	Intro        string // trusted HTML
	Aside        string // trusted HTML, beside the form on its page, or ""
	Action       string // where the form posts, e.g. "/api/leads"
	ModelVersion string // sent as the hidden field "model"
	ModelURL     string // URL of the canonical model text, for the widget
	// The widget: its loader, Go's wasm_exec.js and the WebAssembly. The
	// form works without them; with them it is enhanced.
	WidgetJS, WorkerJS, WasmExecURL, WasmURL string // the widget: its page side, its worker, Go's glue, the core
	// Profile is where the widget asks which questions a returning
	// visitor has answered (GET /api/profile), or "" not to ask.
	Profile string
	// Sections are the sections of a one-page form, or the steps of a
	// multi-step one (Steps); the fields the page fills in come last, in
	// a section nobody sees.
	Sections []FormSection
	Steps    bool
	// Extra are the questions asked only in place of those a returning
	// lead answered: the plain form leaves them out.
	Extra   []FormField
	Submit  string // the button's label
	Verdict bool   // tell the visitor what the model makes of their answers, and what happens next
	// Thanks is what the form tells the visitor after sending it.
	Thanks    Thanks
	ShowScore bool // the model shows visitors their score
}

// Thanks is a form's thank-you: a heading, a message and a call to
// action, each optional.
type Thanks struct {
	Title, Message, Label, URL string
}

// NextStep is what the visitor is offered after submitting the form.
type NextStep struct {
	Title     string // the page's heading
	Label     string // the call to action
	Message   string
	URL       string // where the call to action goes (a booking page), or ""
	FixURL    string // the form, when the visitor should correct their details
	Reference string // the lead's id, to quote when writing to us
	Score     string // the visitor's score, when the content shows it, or ""
	// Stage is the lead's stage, when the site tells visitors what the
	// model makes of them (site.yaml's form verdict), or "".
	Stage string
	// The thank-you of the form sent, shown before the stage's next step:
	// a message and a call to action, each optional.
	ThanksMessage, ThanksLabel, ThanksURL string
}

// SubmitErrors is why a form post could not be taken.
type SubmitErrors struct {
	Title    string
	Message  string
	Problems []Problem
	FormURL  string
}

// Problem is one field's problem. URL points at the field on the form.
type Problem struct {
	Label   string
	Message string
	URL     string
}

// Fortune is the fortune teller's page: questions about any lead and
// what the model makes of them, which the page computes in the browser
// with the widget's core.
type Fortune struct {
	Title string
	Intro string // trusted HTML
	// The core: the model's canonical text, the widget's WebAssembly, Go's
	// wasm_exec.js and the page's script. Without the WebAssembly the
	// page shows the questions and the rules, and cannot answer.
	ModelURL, WasmURL, WasmExecURL, Script string
	Sections                               []FormSection   // who the lead is: every field of the model, none required
	Signals                                []FortuneSignal // what the lead did: every signal of the model
	Frameworks                             []FormOption    // the frameworks, the model's selected one first
	Points                                 []PointRow      // every point rule, in the model's order
	Stages                                 []FortuneStage  // every stage, in the order they are checked
}

// FortuneSignal is a signal of the model the fortune teller asks about.
type FortuneSignal struct {
	Name  string
	Label string
}

// FortuneStage is a stage of the model and its rule.
type FortuneStage struct {
	Index int    // in the model's stages
	Name  string // e.g. "MQL"
	URL   string // its glossary page
	Rule  string // canonical rule text; "" for the first funnel stage
}
