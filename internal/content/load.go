// Package load reads a content directory (YAML and Markdown written by
// marketing) into a qualification model, its example leads and the
// documents of the glossary. Every problem is reported as a diagnostic at
// file:line:col; all of them are collected, sorted, and none panics.
package content

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/routing"
)

// The files of a content directory.
const (
	ModelFile    = "model.yaml"   // name, framework, thresholds, lists, close reasons, hubspot map
	ScoringFile  = "scoring.yaml" // grades, tiers, decay, signals, points
	FieldsFile   = "fields.yaml"  // the lead's fields, as the form asks them
	StagesDir    = "stages"       // one Markdown file per stage
	FrameworkDir = "frameworks"   // one Markdown file per framework
	GlossaryDir  = "glossary"     // one Markdown file per term
	ExamplesDir  = "examples"     // YAML files of example leads
	RoutingFile  = "routing.yaml" // teams, people and territories; optional
)

// DocKind says what a glossary document defines.
type DocKind uint8

// Document kinds.
const (
	DocStage DocKind = iota + 1
	DocFramework
	DocTerm
)

// Doc is a Markdown document that defines a stage, a framework or a term:
// the text of the shared glossary.
type Doc struct {
	Kind        DocKind
	Name        string // the stage, framework or term as content names it
	Title       string // the full name, e.g. "Marketing qualified lead"
	Description string // one sentence, for lists and meta tags
	Aliases     []string
	Body        string      // Markdown after the front matter
	Pos         qualify.Pos // the start of the file
	BodyLine    int         // the file line the body starts on
}

// Content is a loaded content directory.
type Content struct {
	Model    *qualify.Model
	Examples []Example
	Docs     []Doc
	// Routing is the teams, people and territories of routing.yaml,
	// compiled for routing.Routing.Route, or nil when the content has no
	// routing.yaml.
	Routing *routing.Routing
	// Forms are the site's forms of content/forms, in the order of their
	// files' names; what each asks and records is the model's form of
	// the same name.
	Forms []Form
}

// loader holds the state of one Load.
type loader struct {
	fsys    fs.FS
	root    string
	diags   qualify.Diags
	m       *qualify.Model
	c       *Content
	pending []pendingRule
	names   map[string]qualify.Pos // every name rules can read, for clashes
	stages  []stageDef
	broken  bool // a file the model needs could not be read: skip what would only echo it

	optionSignals []optionSignal // checked once signals are read
	crmSignals    []optionSignal // the hubspot map's, checked once signals are read
}

type pendingRule struct {
	f    *file
	n    ast.Node
	rule *qualify.Rule
	ctx  qualify.Context
	what string
	// limit, when set, reports what a rule that type-checks reads but
	// may not where it stands, at offsets of its text.
	limit func(e *qualify.Expr) []qualify.RuleError
}

// Load reads the content directory at the root of fsys. root is the path
// diagnostics give for that directory, such as "content". It returns what
// it could read even when there are problems; the content is usable only
// when the diagnostics are empty.
func Load(fsys fs.FS, root string) (*Content, qualify.Diags) {
	l := &loader{
		fsys:  fsys,
		root:  root,
		m:     &qualify.Model{Framework: -1},
		names: map[string]qualify.Pos{},
	}
	l.c = &Content{Model: l.m}
	l.run()
	l.diags.Sort()
	return l.c, l.diags
}

func (l *loader) run() {
	var selected ast.Node
	if body, f := l.yaml(ModelFile, true); f != nil {
		selected = l.readModel(f, body)
	}
	if body, f := l.yaml(FieldsFile, true); f != nil {
		l.readFields(f, body)
	}
	if body, f := l.yaml(ScoringFile, true); f != nil {
		l.readScoring(f, body)
	}
	l.readFrameworks()
	l.readStages()
	l.readTerms()
	l.selectFramework(selected)
	if l.broken {
		// Rules and examples would only report what the broken file lacks.
		return
	}
	l.checkRules()
	l.orderStages()
	l.readForms()
	l.fingerprint()
	l.readRouting()
	l.readExamples()
}

// filePath is the path diagnostics give for name inside the root.
func (l *loader) filePath(name string) string {
	if l.root == "" || l.root == "." {
		return name
	}
	return path.Join(l.root, name)
}

// yaml reads and parses a YAML file of the root. It returns a nil file if
// the file cannot be read or is not valid YAML.
func (l *loader) yaml(name string, required bool) (ast.Node, *file) {
	f := &file{name: l.filePath(name), diags: &l.diags}
	src, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		if required {
			l.diags.Add(qualify.Pos{File: f.name}, "cannot read the file: "+errText(err))
			l.broken = true
		}
		return nil, nil
	}
	before := len(l.diags)
	body := f.parse(src)
	if body == nil && len(l.diags) > before {
		l.broken = true
		return nil, nil
	}
	return body, f
}

func errText(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// claim registers a name rules can read; names are shared by fields,
// signals, constants, lists and frameworks.
func (l *loader) claim(f *file, n ast.Node, name, what string) bool {
	p := f.pos(n)
	if !qualify.IsName(name) {
		f.errPos(p, what+" name "+strconv.Quote(name)+" must start with a letter and hold only letters, digits and _")
		return false
	}
	if qualify.IsReserved(name) {
		f.errPos(p, what+" name "+strconv.Quote(name)+" is reserved by the rule language")
		return false
	}
	if first, ok := l.names[name]; ok {
		f.errPos(p, what+" name "+strconv.Quote(name)+" is already used at "+first.String())
		return false
	}
	l.names[name] = p
	return true
}

// rule parses a rule now and checks it once every name is known.
func (l *loader) rule(f *file, n ast.Node, ctx qualify.Context, what string) *qualify.Rule {
	r := l.parseRule(f, n, what)
	if r != nil {
		l.pending = append(l.pending, pendingRule{f: f, n: n, rule: r, ctx: ctx, what: what})
	}
	return r
}

// parseRule parses the rule of node n, reporting a syntax error at its
// position, and returns it unchecked, or nil.
func (l *loader) parseRule(f *file, n ast.Node, what string) *qualify.Rule {
	src := strings.TrimSpace(f.str(n, what))
	if src == "" {
		f.err(n, what+" is empty")
		return nil
	}
	if len(src) > qualify.MaxRuleLen {
		f.err(n, what+" is longer than "+strconv.Itoa(qualify.MaxRuleLen)+" bytes: split it with thresholds and lists")
		return nil
	}
	e, err := qualify.Parse(src)
	if err != nil {
		re := err.(*qualify.RuleError)
		f.errPos(f.textPos(n, re.Off+leadingSpace(f.str(n, what))), what+": "+re.Msg)
		return nil
	}
	return &qualify.Rule{Expr: e, Pos: f.textPos(n, leadingSpace(f.str(n, what)))}
}

func leadingSpace(s string) int { return len(s) - len(strings.TrimLeft(s, " \t\n")) }

func (l *loader) checkRules() {
	for _, p := range l.pending {
		l.checkRule(p)
	}
}

// checkRule checks one rule and reports whether it is free of problems.
func (l *loader) checkRule(p pendingRule) bool {
	errs := l.m.Check(p.rule.Expr, p.ctx)
	if len(errs) == 0 && p.limit != nil {
		errs = p.limit(p.rule.Expr)
	}
	lead := leadingSpace(p.f.str(p.n, p.what))
	for _, e := range errs {
		p.f.errPos(p.f.textPos(p.n, e.Off+lead), p.what+": "+e.Msg)
	}
	qualify.StripOffsets(p.rule)
	return len(errs) == 0
}

// readModel reads model.yaml and returns the node naming the selected
// framework, resolved once frameworks are read.
func (l *loader) readModel(f *file, body ast.Node) (framework ast.Node) {
	m := l.m
	var reasonsN, hubspotN ast.Node
	f.fields(body, "model", map[string]func(ast.Node){
		"name":       func(n ast.Node) { m.Name = f.str(n, "name") },
		"framework":  func(n ast.Node) { framework = n },
		"show_score": func(n ast.Node) { m.ShowScore = f.bool(n, "show_score") },
		"form_signal": func(n ast.Node) {
			m.FormSignal = f.str(n, "form_signal")
			l.optionSignals = append(l.optionSignals, optionSignal{f, n, m.FormSignal, "form_signal"})
		},
		"retention": func(n ast.Node) { m.Retention = f.duration(n, "retention") },
		"time_zone": func(n ast.Node) {
			m.TimeZone = f.str(n, "time_zone")
			if _, err := time.LoadLocation(m.TimeZone); err != nil || m.TimeZone == "" || m.TimeZone == "Local" {
				f.err(n, "time_zone: "+strconv.Quote(m.TimeZone)+" is not a time zone: name one of the IANA database, such as Europe/Paris or America/New_York")
			}
		},
		"thresholds": func(n ast.Node) {
			for _, e := range f.mapping(n, "thresholds") {
				if !l.claim(f, e.keyN, e.key, "threshold") {
					continue
				}
				v, _ := f.number(e.value, "threshold "+e.key)
				m.Consts = append(m.Consts, qualify.Const{Name: e.key, Value: v, Pos: f.pos(e.keyN)})
			}
		},
		"lists": func(n ast.Node) {
			for _, e := range f.mapping(n, "lists") {
				if !l.claim(f, e.keyN, e.key, "list") {
					continue
				}
				vals := f.strs(e.value, "list "+e.key)
				seen := map[string]bool{}
				for i, v := range vals {
					if seen[v] {
						f.err(f.seq(e.value, "")[i], "list "+e.key+": "+strconv.Quote(v)+" is listed twice")
					}
					seen[v] = true
				}
				m.Lists = append(m.Lists, qualify.List{Name: e.key, Values: vals, Pos: f.pos(e.keyN)})
			}
		},
		"close_reasons": func(n ast.Node) { reasonsN = n },
		"hubspot":       func(n ast.Node) { hubspotN = n },
	})
	if m.Name == "" && body != nil {
		f.err(body, "model: name is missing")
	}
	l.readCloseReasons(f, reasonsN)
	l.readHubSpot(f, hubspotN)
	return framework
}

func (l *loader) selectFramework(n ast.Node) {
	if n == nil {
		return
	}
	f := &file{name: l.filePath(ModelFile), diags: &l.diags}
	name := f.str(n, "framework")
	if i := l.m.FrameworkIndex(name); i >= 0 {
		l.m.Framework = i
		return
	}
	var names []string
	for _, fw := range l.m.Frameworks {
		names = append(names, fw.Name)
	}
	f.err(n, "framework "+strconv.Quote(name)+" is not defined in "+l.filePath(FrameworkDir)+"; defined: "+strings.Join(names, ", "))
}

// knownAutocomplete are the HTML autocomplete tokens a lead form uses.
var knownAutocomplete = []string{
	"off", "on", "name", "honorific-prefix", "given-name", "additional-name", "family-name",
	"nickname", "email", "username", "organization-title", "organization", "street-address",
	"address-line1", "address-line2", "address-level1", "address-level2", "country",
	"country-name", "postal-code", "tel", "tel-country-code", "tel-national", "url", "language",
}

func (l *loader) readFields(f *file, body ast.Node) {
	m := l.m
	f.fields(body, "fields file", map[string]func(ast.Node){
		"fields": func(n ast.Node) {
			for _, item := range f.seq(n, "fields") {
				fd := qualify.Field{Pos: f.pos(item)}
				var nameN, typeN, optsN, minN, maxN, hiddenN, attrN, requiredN, askN ast.Node
				f.fields(item, "field", map[string]func(ast.Node){
					"name":        func(n ast.Node) { fd.Name, nameN = f.str(n, "field name"), n },
					"type":        func(n ast.Node) { typeN = n },
					"label":       func(n ast.Node) { fd.Label = f.str(n, "label") },
					"help":        func(n ast.Node) { fd.Help = f.str(n, "help") },
					"placeholder": func(n ast.Node) { fd.Placeholder = f.str(n, "placeholder") },
					"section":     func(n ast.Node) { fd.Section = f.str(n, "section") },
					"required":    func(n ast.Node) { fd.Required, requiredN = f.bool(n, "required"), n },
					"hidden":      func(n ast.Node) { fd.Hidden, hiddenN = f.bool(n, "hidden"), n },
					"attribute":   func(n ast.Node) { fd.Attribute, attrN = f.bool(n, "attribute"), n },
					"options":     func(n ast.Node) { optsN = n },
					"min":         func(n ast.Node) { minN = n },
					"max":         func(n ast.Node) { maxN = n },
					"ask":         func(n ast.Node) { fd.Ask, askN = l.rule(f, n, qualify.InAsk, "ask"), n },
					"autocomplete": func(n ast.Node) {
						fd.Autocomplete = f.str(n, "autocomplete")
						for _, tok := range strings.Fields(fd.Autocomplete) {
							if !slices.Contains(knownAutocomplete, tok) && !strings.HasPrefix(tok, "section-") {
								f.err(n, "autocomplete: unknown token "+strconv.Quote(tok)+qualify.DidYouMean(tok, knownAutocomplete))
							}
						}
					},
				})
				what := "field"
				if nameN == nil {
					f.err(item, "field: name is missing")
				} else if what = "field " + fd.Name; slices.Contains(postedNames, fd.Name) {
					f.err(nameN, what+": the name is taken: a form posts "+strings.Join(postedNames, ", ")+" of its own")
				} else {
					l.claim(f, nameN, fd.Name, "field")
				}
				if typeN == nil {
					f.err(item, what+": type is missing")
				} else if t, ok := qualify.ParseFieldType(f.str(typeN, "type")); ok {
					fd.Type = t
				} else {
					f.err(typeN, what+": unknown type "+f.describeValue(typeN)+"; types are text, longtext, email, phone, number, choice, yesno, date")
				}
				l.fieldLimits(f, &fd, what, minN, maxN)
				if optsN != nil && fd.Type != qualify.Choice && !fd.Attribute {
					f.err(optsN, what+": only choice fields have options")
				}
				if fd.Type == qualify.Choice {
					fd.Options = l.options(f, optsN, item, what)
				}
				if fd.Attribute {
					l.attribute(f, &fd, what, attrN, typeN, requiredN, hiddenN, optsN, askN)
				}
				m.Fields = append(m.Fields, fd)
			}
		},
	})
	if len(m.Fields) == 0 && body != nil {
		f.err(body, "fields: the model has no fields")
	}
}

// attribute checks a field recorded from the visit or filled in by
// integrations (attribute: true), which is never asked: hidden, of type
// text or number, optional, without options or an ask rule. It is hidden
// whether or not it says so. A number attribute may have a min and a max,
// which the answers integrations send are checked against.
func (l *loader) attribute(f *file, fd *qualify.Field, what string, attrN, typeN, requiredN, hiddenN, optsN, askN ast.Node) {
	const never = ": an attribute field is recorded from the visit or filled in by integrations, never asked, so it "
	if fd.Type != qualify.Text && fd.Type != qualify.Number && fd.Type != 0 {
		f.err(typeN, what+never+"is of type text or number, not "+fd.Type.String())
	}
	if fd.Required {
		f.err(requiredN, what+never+"cannot be required")
		fd.Required = false
	}
	if hiddenN != nil && !fd.Hidden {
		f.err(hiddenN, what+never+"is hidden")
	}
	if optsN != nil {
		f.err(optsN, what+never+"has no options")
	}
	if askN != nil {
		f.err(askN, what+never+"has no ask rule")
	}
	fd.Hidden = true
}

// fieldLimits reads min and max: lengths for text, a range for numbers.
func (l *loader) fieldLimits(f *file, fd *qualify.Field, what string, minN, maxN ast.Node) {
	switch fd.Type {
	case qualify.Text, qualify.LongText:
		if minN != nil {
			fd.MinLen, _ = f.int(minN, what+": min (length)")
		}
		if maxN != nil {
			fd.MaxLen, _ = f.int(maxN, what+": max (length)")
			if fd.MaxLen <= 0 || fd.MaxLen > qualify.DefaultMaxLongText {
				f.err(maxN, what+": max length must be between 1 and "+strconv.Itoa(qualify.DefaultMaxLongText))
			}
		}
		if fd.MaxLen > 0 && fd.MinLen > fd.MaxLen {
			f.err(minN, what+": min length is greater than max length")
		}
	case qualify.Number:
		if minN != nil {
			fd.Min, fd.HasMin = f.number(minN, what+": min")
		}
		if maxN != nil {
			fd.Max, fd.HasMax = f.number(maxN, what+": max")
		}
		if fd.HasMin && fd.HasMax && fd.Min > fd.Max {
			f.err(minN, what+": min is greater than max")
		}
	default:
		for _, n := range []ast.Node{minN, maxN} {
			if n != nil {
				f.err(n, what+": min and max apply to text and number fields only")
			}
		}
	}
}

func (l *loader) options(f *file, n, item ast.Node, what string) []qualify.Option {
	var opts []qualify.Option
	seen := map[string]bool{}
	for _, on := range f.seq(n, what+": options") {
		var o qualify.Option
		if s, ok := f.scalar(on); ok {
			o.Value, o.Label = s, s
		} else {
			var sigN ast.Node
			f.fields(on, what+": option", map[string]func(ast.Node){
				"value":  func(n ast.Node) { o.Value = f.str(n, "option value") },
				"label":  func(n ast.Node) { o.Label = f.str(n, "option label") },
				"signal": func(n ast.Node) { o.Signal, sigN = f.str(n, "option signal"), n },
			})
			if o.Label == "" {
				o.Label = o.Value
			}
			if sigN != nil {
				l.optionSignals = append(l.optionSignals, optionSignal{f, sigN, o.Signal, what + ": option " + strconv.Quote(o.Value)})
			}
		}
		if o.Value == "" {
			f.err(on, what+": an option has no value")
			continue
		}
		if seen[o.Value] {
			f.err(on, what+": option "+strconv.Quote(o.Value)+" is listed twice")
			continue
		}
		seen[o.Value] = true
		opts = append(opts, o)
	}
	if len(opts) == 0 {
		f.err(item, what+": a choice needs options")
	}
	return opts
}

// optionSignal is a signal named before signals are read: by an option or
// as the form signal.
type optionSignal struct {
	f    *file
	n    ast.Node
	name string
	what string
}

func (l *loader) readScoring(f *file, body ast.Node) {
	m := l.m
	decay := map[qualify.SignalKind]int64{}
	var signalsN, pointsN ast.Node
	f.fields(body, "scoring", map[string]func(ast.Node){
		"grades": func(n ast.Node) { l.readGrades(f, n) },
		"tiers":  func(n ast.Node) { l.readTiers(f, n) },
		"decay": func(n ast.Node) {
			for _, e := range f.mapping(n, "decay") {
				k, ok := qualify.ParseSignalKind(e.key)
				if !ok || k == qualify.Sales {
					f.err(e.keyN, "decay: unknown signal kind "+strconv.Quote(e.key)+"; decay applies to engagement and behaviour")
					continue
				}
				decay[k] = f.duration(e.value, "decay "+e.key)
			}
		},
		"signals": func(n ast.Node) { signalsN = n },
		"points":  func(n ast.Node) { pointsN = n },
	})
	for _, item := range f.seq(signalsN, "signals") {
		s := qualify.Signal{Pos: f.pos(item)}
		var nameN, kindN, halfN, reasonN ast.Node
		f.fields(item, "signal", map[string]func(ast.Node){
			"name":      func(n ast.Node) { s.Name, nameN = f.str(n, "signal name"), n },
			"kind":      func(n ast.Node) { kindN = n },
			"label":     func(n ast.Node) { s.Label = f.str(n, "label") },
			"half_life": func(n ast.Node) { halfN = n },
			"reason":    func(n ast.Node) { s.Reason, reasonN = f.bool(n, "reason"), n },
		})
		if nameN == nil {
			f.err(item, "signal: name is missing")
			continue
		}
		l.claim(f, nameN, s.Name, "signal")
		if kindN == nil {
			f.err(item, "signal "+s.Name+": kind is missing (engagement, behaviour or sales)")
		} else if k, ok := qualify.ParseSignalKind(f.str(kindN, "kind")); ok {
			s.Kind = k
		} else {
			f.err(kindN, "signal "+s.Name+": unknown kind "+f.describeValue(kindN)+"; kinds are engagement, behaviour, sales")
		}
		s.HalfLife = decay[s.Kind]
		if halfN != nil {
			s.HalfLife = f.duration(halfN, "signal "+s.Name+": half_life")
		}
		if s.Reason && len(m.CloseReasons) == 0 && !l.broken {
			f.err(reasonN, "signal "+s.Name+": its value names a close reason, but "+l.filePath(ModelFile)+
				" lists none: add them under close_reasons there, or leave reason out")
		}
		m.Signals = append(m.Signals, s)
	}
	for _, os := range l.optionSignals {
		if m.SignalIndex(os.name) < 0 {
			os.f.err(os.n, os.what+": unknown signal "+strconv.Quote(os.name)+qualify.DidYouMean(os.name, signalNames(m)))
		}
	}
	l.checkCRMSignals()
	seen := map[string]qualify.Pos{}
	for _, item := range f.seq(pointsN, "points") {
		p := qualify.PointRule{Pos: f.pos(item), Signal: -1}
		var nameN, kindN, pointsN, signalN ast.Node
		var whenN ast.Node
		f.fields(item, "point rule", map[string]func(ast.Node){
			"name":   func(n ast.Node) { p.Name, nameN = f.str(n, "point rule name"), n },
			"kind":   func(n ast.Node) { kindN = n },
			"points": func(n ast.Node) { pointsN = n },
			"label":  func(n ast.Node) { p.Label = f.str(n, "label") },
			"signal": func(n ast.Node) { signalN = n },
			"when":   func(n ast.Node) { whenN = n },
		})
		what := "point rule"
		if nameN == nil {
			f.err(item, "point rule: name is missing")
		} else {
			what = "point rule " + p.Name
			if first, ok := seen[p.Name]; ok {
				f.err(nameN, what+": the name is already used at "+first.String())
			}
			seen[p.Name] = f.pos(nameN)
		}
		if kindN == nil {
			f.err(item, what+": kind is missing (fit, engagement, behaviour or negative)")
		} else if k, ok := qualify.ParsePointKind(f.str(kindN, "kind")); ok {
			p.Kind = k
		} else {
			f.err(kindN, what+": unknown kind "+f.describeValue(kindN)+"; kinds are fit, engagement, behaviour, negative")
		}
		if pointsN == nil {
			f.err(item, what+": points are missing")
		} else if v, ok := f.int(pointsN, what+": points"); ok {
			p.Points = v
			if lo, hi := qualify.PointRange(p.Kind); p.Kind != 0 && (v < lo || v > hi) {
				f.err(pointsN, what+": "+p.Kind.String()+" points must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi)+", not "+strconv.Itoa(v))
			}
		}
		if signalN != nil {
			name := f.str(signalN, "signal")
			if p.Signal = m.SignalIndex(name); p.Signal < 0 {
				f.err(signalN, what+": unknown signal "+strconv.Quote(name)+qualify.DidYouMean(name, signalNames(m)))
			} else if p.Kind == qualify.Fit {
				f.err(signalN, what+": fit points describe who the lead is and cannot be tied to a signal")
			}
		}
		if whenN != nil {
			p.When = l.rule(f, whenN, qualify.InPoint, what+": when")
		} else if signalN == nil {
			f.err(item, what+": needs a when rule, a signal, or both")
		}
		m.Points = append(m.Points, p)
	}
}

func signalNames(m *qualify.Model) []string {
	return nameList(m.Signals, func(s *qualify.Signal) string { return s.Name })
}

// nameList returns the name of each of items, for messages that list what
// there is.
func nameList[T any](items []T, name func(*T) string) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = name(&items[i])
	}
	return out
}

func (l *loader) readGrades(f *file, n ast.Node) {
	m := l.m
	items := f.seq(n, "grades")
	for i, item := range items {
		g := qualify.Grade{Pos: f.pos(item)}
		var minN ast.Node
		f.fields(item, "grade", map[string]func(ast.Node){
			"name":  func(n ast.Node) { g.Name = f.str(n, "grade name") },
			"label": func(n ast.Node) { g.Label = f.str(n, "label") },
			"min":   func(n ast.Node) { minN = n },
		})
		if g.Name == "" {
			f.err(item, "grade: name is missing")
		} else if m.GradeIndex(g.Name) >= 0 {
			f.err(item, "grade "+g.Name+" is listed twice")
		}
		if minN == nil {
			f.err(item, "grade "+g.Name+": min (fit points) is missing")
		} else {
			g.Min, _ = f.int(minN, "grade "+g.Name+": min")
			if len(m.Grades) > 0 && g.Min >= m.Grades[len(m.Grades)-1].Min {
				f.err(minN, "grade "+g.Name+": grades go from best to worst, so min must be lower than "+strconv.Itoa(m.Grades[len(m.Grades)-1].Min)+" of grade "+m.Grades[len(m.Grades)-1].Name)
			}
			if i == len(items)-1 && g.Min != 0 {
				f.err(minN, "grade "+g.Name+": the last grade must start at 0 fit points, so that every lead gets a grade")
			}
		}
		m.Grades = append(m.Grades, g)
	}
	if len(items) == 0 {
		f.err(n, "grades: at least one fit grade is needed")
	}
}

func (l *loader) readTiers(f *file, n ast.Node) {
	m := l.m
	items := f.seq(n, "tiers")
	for i, item := range items {
		t := qualify.Tier{Pos: f.pos(item)}
		var minN ast.Node
		f.fields(item, "tier", map[string]func(ast.Node){
			"name":  func(n ast.Node) { t.Name = f.str(n, "tier name") },
			"label": func(n ast.Node) { t.Label = f.str(n, "label") },
			"min":   func(n ast.Node) { minN = n },
		})
		if t.Name == "" {
			f.err(item, "tier: name is missing")
		}
		last := i == len(items)-1
		switch {
		case minN == nil && !last:
			f.err(item, "tier "+t.Name+": min (score) is missing; only the last tier has none")
		case minN != nil && last:
			f.err(minN, "tier "+t.Name+": the last tier takes every score below the others and has no min")
		case minN != nil:
			t.Min, _ = f.number(minN, "tier "+t.Name+": min")
			if len(m.Tiers) > 0 && t.Min >= m.Tiers[len(m.Tiers)-1].Min {
				f.err(minN, "tier "+t.Name+": tiers go from highest to lowest, so min must be lower than "+qualify.FormatNumber(m.Tiers[len(m.Tiers)-1].Min))
			}
		}
		m.Tiers = append(m.Tiers, t)
	}
}

// fingerprint sets the model's version: the start of the SHA-256 of its
// canonical text without a version.
func (l *loader) fingerprint() {
	if len(l.diags) > 0 {
		return
	}
	l.m.Version = ""
	sum := sha256.Sum256([]byte(qualify.Encode(l.m)))
	l.m.Version = hex.EncodeToString(sum[:6])
}
