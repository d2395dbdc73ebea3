// Package qualify is Winnow's core: the qualification model, its rule
// language, Evaluate, the canonical text form of a model and the validation
// of a lead's input.
//
// It imports only a small part of the standard library (no fmt, encoding/json,
// reflect, regexp, time, net or os) because the browser widget compiles it to
// WebAssembly and every package counts against the widget's size budget.
// Instants are Unix seconds, passed in by the caller.
package qualify

// FieldType says what a field holds and how the form asks for it.
type FieldType uint8

// Field types.
const (
	Text     FieldType = iota + 1 // one line of text
	LongText                      // several lines of text
	Email                         // an email address
	Phone                         // a telephone number
	Number                        // a number, optionally within Min..Max
	Choice                        // one of the field's Options, in order
	YesNo                         // a yes/no answer (a checkbox)
	Date                          // a calendar day, held as Unix seconds
)

var fieldTypeNames = [...]string{
	Text: "text", LongText: "longtext", Email: "email", Phone: "phone",
	Number: "number", Choice: "choice", YesNo: "yesno", Date: "date",
}

// String returns the name content uses for t.
func (t FieldType) String() string {
	if int(t) < len(fieldTypeNames) && fieldTypeNames[t] != "" {
		return fieldTypeNames[t]
	}
	return "invalid"
}

// ParseFieldType returns the field type named s.
func ParseFieldType(s string) (FieldType, bool) {
	for i, n := range fieldTypeNames {
		if n != "" && n == s {
			return FieldType(i), true
		}
	}
	return 0, false
}

// kind returns the rule-language kind of values of the field type.
func (t FieldType) kind() Kind {
	switch t {
	case Text, LongText, Email, Phone:
		return KindString
	case Number:
		return KindNumber
	case Choice:
		return KindEnum
	case YesNo:
		return KindBool
	case Date:
		return KindTime
	}
	return KindInvalid
}

// Option is one answer of a Choice field. Options are ordered: rules may
// compare a choice with <, <=, > and >=, by the order they are listed in.
type Option struct {
	Value  string // what the form posts and rules name
	Label  string // what the visitor reads
	Signal string // a signal the answer records when the lead is submitted, or ""
}

// Field is one piece of information about a lead, asked by the signup form
// or recorded by the page (hidden fields).
//
// An attribute field (Attribute) is recorded from the visit or filled in
// by integrations, and never asked: the server copies it from the
// attribution cookie the site sets on the visitor's first page view (the
// campaign's utm_ parameters, the referring site, the landing page) when
// the lead is submitted, and integrations send it with a lead's answers
// (what a CRM or an enrichment service knows, such as the time spent on
// the site). It is hidden, of type Text or Number, and never a honeypot;
// the form and the widget leave it out.
type Field struct {
	Name         string
	Type         FieldType
	Label        string
	Help         string
	Placeholder  string
	Autocomplete string // the HTML autocomplete token, e.g. "email"
	Section      string // the form section the field belongs to
	Required     bool
	Hidden       bool // not shown to visitors: honeypots and page-recorded facts
	Attribute    bool // recorded from the visit or sent by integrations, never asked: see Field
	MinLen       int  // in characters, for text fields
	MaxLen       int  // in characters, for text fields; 0 means the type's default
	Min, Max     float64
	HasMin       bool
	HasMax       bool
	Options      []Option
	Ask          *Rule // when set, the widget asks the field only while the rule holds
	Pos          Pos
}

// Honeypot reports whether the field is a trap for robots: a hidden text
// field that is not recorded from the visit. A person never fills it in;
// a submission that does is spam.
func (f *Field) Honeypot() bool {
	return f.Hidden && !f.Attribute && (f.Type == Text || f.Type == LongText)
}

// SignalKind groups signals; decay is set per kind and may be overridden.
type SignalKind uint8

// Signal kinds.
const (
	Engagement SignalKind = iota + 1 // what the lead did with us: newsletter, form, call
	Behaviour                        // what the lead did on their own: pricing page, groups
	Sales                            // what sales recorded: accepted, discovery call, meeting
)

var signalKindNames = [...]string{Engagement: "engagement", Behaviour: "behaviour", Sales: "sales"}

// String returns the name content uses for k.
func (k SignalKind) String() string {
	if int(k) < len(signalKindNames) && signalKindNames[k] != "" {
		return signalKindNames[k]
	}
	return "invalid"
}

// ParseSignalKind returns the signal kind named s.
func ParseSignalKind(s string) (SignalKind, bool) {
	for i, n := range signalKindNames {
		if n != "" && n == s {
			return SignalKind(i), true
		}
	}
	return 0, false
}

// Signal is something a lead did, or sales did with it, at an instant.
// A lead holds the latest instant of each signal.
//
// A reason signal (Reason) carries a value when it is recorded: the name
// of one of the model's close reasons, such as why sales disqualified the
// lead. A model with a reason signal has close reasons.
type Signal struct {
	Name     string
	Kind     SignalKind
	Label    string
	HalfLife int64 // seconds after which points earned by the signal are halved; 0: no decay
	Reason   bool  // its value names one of Model.CloseReasons
	Pos      Pos
}

// PointKind says which axis a point rule scores.
type PointKind uint8

// Point kinds. Fit points grade who the lead is; the score adds up all kinds.
const (
	Fit PointKind = iota + 1
	EngagementPoints
	BehaviourPoints
	Negative
)

var pointKindNames = [...]string{Fit: "fit", EngagementPoints: "engagement", BehaviourPoints: "behaviour", Negative: "negative"}

// String returns the name content uses for k.
func (k PointKind) String() string {
	if int(k) < len(pointKindNames) && pointKindNames[k] != "" {
		return pointKindNames[k]
	}
	return "invalid"
}

// ParsePointKind returns the point kind named s.
func ParsePointKind(s string) (PointKind, bool) {
	for i, n := range pointKindNames {
		if n != "" && n == s {
			return PointKind(i), true
		}
	}
	return 0, false
}

// PointRange is the inclusive range of points a rule of kind k may give.
func PointRange(k PointKind) (lo, hi int) {
	switch k {
	case Fit:
		return 1, 5
	case EngagementPoints:
		return 1, 10
	case BehaviourPoints:
		return 1, 5
	case Negative:
		return -50, -1
	}
	return 0, 0
}

// PointRule gives Points to a lead when its condition holds. A rule tied to
// a signal holds while the lead has the signal, and its points decay with the
// signal's age by the signal's half-life.
type PointRule struct {
	Name   string
	Kind   PointKind
	Points int
	Label  string
	When   *Rule // nil when the rule is tied to a signal only
	Signal int   // index into Model.Signals, or -1
	Pos    Pos
}

// Grade is a fit grade: a lead gets the first grade (best first) whose Min
// its fit points reach.
type Grade struct {
	Name  string
	Label string
	Min   int
	Pos   Pos
}

// Tier tells sales how hard to pursue a lead: the first tier (highest
// first) whose Min the score reaches. The last tier has no minimum.
type Tier struct {
	Name  string
	Label string
	Min   float64
	Pos   Pos
}

// Const is a named number rules may use, such as a score threshold.
type Const struct {
	Name  string
	Value float64
	Pos   Pos
}

// List is a named list of values rules may test with `in`.
type List struct {
	Name   string
	Values []string
	Pos    Pos
}

// Criterion is one criterion of a framework, such as BANT's Budget.
type Criterion struct {
	Name  string
	Label string
	When  *Rule
	Pos   Pos
}

// Framework is a set of criteria a lead is checked against (BANT, CHAMP,
// ANNUM). Rules read the number of criteria met by the framework's name, or
// by `framework` for the model's selected one.
type Framework struct {
	Name     string
	Title    string
	Criteria []Criterion
	Pos      Pos
}

// Funnel is the position of a stage in the funnel.
type Funnel uint8

// Funnel positions.
const (
	NoFunnel Funnel = iota
	TOFU            // awareness
	MOFU            // consideration
	BOFU            // decision
)

var funnelNames = [...]string{NoFunnel: "", TOFU: "TOFU", MOFU: "MOFU", BOFU: "BOFU"}

// String returns "TOFU", "MOFU", "BOFU" or "".
func (f Funnel) String() string {
	if int(f) < len(funnelNames) {
		return funnelNames[f]
	}
	return ""
}

// ParseFunnel returns the funnel position named s.
func ParseFunnel(s string) (Funnel, bool) {
	for i, n := range funnelNames {
		if n != "" && n == s {
			return Funnel(i), true
		}
	}
	return 0, false
}

// SLA says who acts on a lead in a stage, how soon, how often they follow
// up and after how many unanswered attempts they stop.
type SLA struct {
	Owner    string
	Within   int64 // seconds from entering the stage to the first action
	Every    int64 // seconds between follow-ups; 0: no follow-up
	Attempts int   // attempts before stopping; 0: no limit set
}

// NextKind says what the visitor is offered after submitting.
type NextKind uint8

// Next-step kinds.
const (
	NoNext  NextKind = iota
	Book             // book a meeting now
	Contact          // we will contact you
	Nurture          // a resource to read next
	FixData          // correct your details
)

var nextKindNames = [...]string{NoNext: "none", Book: "book", Contact: "contact", Nurture: "nurture", FixData: "fix"}

// String returns the name content uses for k.
func (k NextKind) String() string {
	if int(k) < len(nextKindNames) {
		return nextKindNames[k]
	}
	return "invalid"
}

// ParseNextKind returns the next-step kind named s.
func ParseNextKind(s string) (NextKind, bool) {
	for i, n := range nextKindNames {
		if n == s {
			return NextKind(i), true
		}
	}
	return 0, false
}

// Next is the step a visitor in a stage is offered.
type Next struct {
	Kind    NextKind
	Label   string // the call to action
	Message string // one or two sentences shown with it
	URL     string // the booking page or resource, if any
}

// Stage is a step of the qualification funnel. Stages form one ordered
// line. Exit stages (bad lead, disqualified) are checked first, in order;
// then the other stages from the last to the first; the first whose rule
// holds is the lead's stage. The first non-exit stage has no rule: a lead
// that meets no other rule is there.
type Stage struct {
	Name   string
	Title  string
	Exit   bool
	Rule   *Rule // nil only for the first non-exit stage
	Funnel Funnel
	SLA    SLA
	Next   Next
	// CRMStage is the stage's name in the CRM the lead is sent to, such
	// as HubSpot's lifecycle stage marketingqualifiedlead (its internal
	// value; a custom stage's is a number), or "": not set.
	CRMStage string
	Pos      Pos
}

// CloseReason is why sales marks a lead lost or disqualifies it: the value
// of a reason signal or of a lost outcome.
type CloseReason struct {
	Name  string // what the events API and the CRM mapping say, e.g. no_budget
	Label string // what people read, e.g. No budget
	Pos   Pos
}

// CRMRule says what Winnow records when the CRM's webhook reports that a
// lead's Property took Value: either the signal Signal, or the outcome
// Outcome, "won" or "lost"; a lost outcome has a Reason, the name of one
// of the model's close reasons.
type CRMRule struct {
	Property string // the CRM's property, e.g. lifecyclestage or dealstage
	Value    string // the value it took, e.g. salesqualifiedlead
	Signal   string // the signal recorded, or ""
	Outcome  string // "won", "lost", or "" when the rule records a signal
	Reason   string // the close reason of a lost outcome, or ""
	Pos      Pos
}

// Form is one of the site's forms, such as a demo request or a
// newsletter signup: which of the model's fields it asks, the signal a
// submission of it records, and what the visitor is told after sending
// it. The widget, the plain HTML form and the edge read the same Form: a
// submission naming a form answers its questions only.
type Form struct {
	Name string
	// Signal is the index into Model.Signals of the signal a submission
	// records, besides the model's form signal; -1 for none.
	Signal int
	Fields []int // indexes into Model.Fields of the questions asked, in order
	// Extra are the questions asked, in this order, in place of those a
	// returning lead answered before; they are never required.
	Extra []int
	// Again are the questions of Fields asked even of a lead who answered
	// them before, such as consent: a submission must answer them itself.
	Again  []int
	Thanks Thanks
	Pos    Pos
}

// Thanks is what a form tells the visitor after they sent it, before the
// next step of their stage; every part may be empty.
type Thanks struct {
	Title   string // the heading, e.g. "Your guide is ready"
	Message string
	Label   string // the call to action, e.g. "Download the guide"
	URL     string // where it leads
}

// Asks reports whether the form asks the field of index i, as one of its
// questions or as an extra one.
func (f *Form) Asks(i int) bool { return has(f.Fields, i) || has(f.Extra, i) }

// has reports whether list holds i.
func has(list []int, i int) bool {
	for _, j := range list {
		if j == i {
			return true
		}
	}
	return false
}

// Rule is a checked expression of the rule language and where it was written.
type Rule struct {
	Expr *Expr
	Pos  Pos
}

// String prints the rule in canonical form.
func (r *Rule) String() string {
	if r == nil {
		return ""
	}
	return Print(r.Expr)
}

// Model is a whole qualification model. Build one with the loader (native)
// or Decode (anywhere); the zero Model is empty.
type Model struct {
	Name       string
	Version    string // identifies the model's content; set by the loader
	Fields     []Field
	Signals    []Signal
	Consts     []Const
	Lists      []List
	Points     []PointRule
	Grades     []Grade // best first
	Tiers      []Tier  // highest first
	Frameworks []Framework
	Framework  int // index of the selected framework, or -1
	Stages     []Stage
	FormSignal string // the signal a form submission records, or ""
	ShowScore  bool   // whether visitors may see their score
	Retention  int64  // seconds personal data is kept; 0: not set
	// TimeZone is the team's time zone, an IANA name such as
	// Europe/Paris ("" for UTC): the report's months are kept in it, and
	// in UTC.
	TimeZone string

	// Forms are the site's forms (content/forms), by name in the order
	// content lists them. A model without forms has one form: every
	// field, as Lead checks them.
	Forms []Form

	// CloseReasons are why sales closes a lead, in the order content
	// lists them.
	CloseReasons []CloseReason
	// HubSpot maps changes HubSpot reports (a property's new value) to
	// what they record, in the order content lists them.
	HubSpot []CRMRule

	// Domains classifies email domains for free_email and disposable_email.
	// Nil means the built-in table of common providers. It is not part of
	// the canonical text: each runtime sets its own.
	Domains DomainClassifier
}

// DomainClassifier says whether a lower-case email domain is a free mail
// provider or a disposable-address service.
type DomainClassifier interface {
	Free(domain string) bool
	Disposable(domain string) bool
}

// FieldIndex returns the index of the field named name, or -1.
func (m *Model) FieldIndex(name string) int {
	for i := range m.Fields {
		if m.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// SignalIndex returns the index of the signal named name, or -1.
func (m *Model) SignalIndex(name string) int {
	for i := range m.Signals {
		if m.Signals[i].Name == name {
			return i
		}
	}
	return -1
}

// FormIndex returns the index of the form named name, or -1.
func (m *Model) FormIndex(name string) int {
	for i := range m.Forms {
		if m.Forms[i].Name == name {
			return i
		}
	}
	return -1
}

// StageIndex returns the index of the stage named name, or -1.
func (m *Model) StageIndex(name string) int {
	for i := range m.Stages {
		if m.Stages[i].Name == name {
			return i
		}
	}
	return -1
}

// FrameworkIndex returns the index of the framework named name, or -1.
func (m *Model) FrameworkIndex(name string) int {
	for i := range m.Frameworks {
		if m.Frameworks[i].Name == name {
			return i
		}
	}
	return -1
}

// GradeIndex returns the index of the grade named name, or -1.
func (m *Model) GradeIndex(name string) int {
	for i := range m.Grades {
		if m.Grades[i].Name == name {
			return i
		}
	}
	return -1
}

// CloseReasonIndex returns the index of the close reason named name, or -1.
func (m *Model) CloseReasonIndex(name string) int {
	for i := range m.CloseReasons {
		if m.CloseReasons[i].Name == name {
			return i
		}
	}
	return -1
}

// HubSpotRule returns the rule for HubSpot's report that property took
// value, and whether there is one.
func (m *Model) HubSpotRule(property, value string) (CRMRule, bool) {
	for _, r := range m.HubSpot {
		if r.Property == property && r.Value == value {
			return r, true
		}
	}
	return CRMRule{}, false
}

// DefaultStage returns the index of the stage a lead is in when no rule
// holds: the first non-exit stage. It returns -1 for a model without one.
func (m *Model) DefaultStage() int {
	for i := range m.Stages {
		if !m.Stages[i].Exit {
			return i
		}
	}
	return -1
}

// CheckOrder returns the stage indexes in the order Evaluate checks them:
// exit stages in order, then the other stages from last to first, ending
// with the default stage.
func (m *Model) CheckOrder() []int {
	order := make([]int, 0, len(m.Stages))
	for i := range m.Stages {
		if m.Stages[i].Exit {
			order = append(order, i)
		}
	}
	for i := len(m.Stages) - 1; i >= 0; i-- {
		if !m.Stages[i].Exit {
			order = append(order, i)
		}
	}
	return order
}
