package qualify

import (
	"github.com/winnowhq/winnow/qualify/internal/num"
	"github.com/winnowhq/winnow/qualify/internal/str"
)

// The canonical text form of a model is what the build writes once and the
// widget and the edge load: one record per line, words separated by single
// spaces, text in Go-quoted strings, a position as @file:line:col (file by
// index into the file table), and a rule, when a record has one, after a
// lone ":" to the end of the line, in the prefix form Polish writes (see
// polish.go). Numbers are decimal, or hexadecimal when a short decimal
// would not read back exactly. Records come in a
// fixed order, so equal models encode to equal text, and
// Decode(Encode(m)) equals m. The sizes record only tells Decode how much
// to allocate.
//
//	winnow-model 1
//	model "name" "version" framework "form-signal" show-score retention "time-zone"
//	sizes fields options signals consts lists reasons hubspot points grades tiers frameworks criteria stages rules files rule-bytes
//	file "content/model.yaml"
//	field name type flags min-len max-len min max @pos ["label" ["help" ["placeholder" ["autocomplete" ["section"]]]]]
//	option "value" ["label" ["signal"]]   (no label: the same as the value)
//	ask @pos : rule
//	signal name kind reason half-life @pos ["label"]
//	const name value @pos
//	list name @pos "value"...
//	reason name @pos "label"
//	hubspot "property" "value" @pos ["signal" ["outcome" ["reason"]]]
//	point "name" kind points signal|- @pos "label" [@pos : rule]
//	grade "name" min @pos ["label"]
//	tier "name" min @pos ["label"]
//	framework name @pos "title"
//	criterion name @pos "label" @pos : rule
//	stage "name" exit funnel @pos "title" "owner" within every attempts next-kind "label" "message" "url" "crm-stage" [@pos : rule]
//	form name signal|- @pos ["title" ["message" ["label" ["url"]]]]
//	asks field...   (the form's questions: =field asked again, +field an extra one)
//	end
//
// A field's flags add up: 1 required, 2 hidden, 4 has a min, 8 has a max,
// 16 recorded from the visit (an attribute field). A form's texts are what
// it tells the visitor after sending it (Thanks). A signal's reason is 1
// when its value names a close reason (a reason record), else 0. A hubspot
// record gives a signal, or the outcome won, or lost and a close reason.
const canonHeader = "winnow-model 1"

const (
	flagRequired = 1 << iota
	flagHidden
	flagHasMin
	flagHasMax
	flagAttribute
)

type encoder struct {
	b     str.Builder
	files map[string]int
}

// Encode returns the canonical text form of m.
func Encode(m *Model) string {
	e := &encoder{files: map[string]int{}}
	e.line(canonHeader)
	e.word("model")
	e.quote(m.Name)
	e.quote(m.Version)
	e.int(int64(m.Framework))
	e.quote(m.FormSignal)
	e.bool(m.ShowScore)
	e.int(m.Retention)
	e.quote(m.TimeZone)
	e.end()
	h := sizes(m)
	e.word("sizes")
	for _, p := range h.fields() {
		e.int(int64(*p))
	}
	e.end()
	// The file table, in order of first use.
	var files []string
	addFile := func(p Pos) {
		if _, ok := e.files[p.File]; !ok && p.File != "" {
			e.files[p.File] = len(files)
			files = append(files, p.File)
		}
	}
	forEachPos(m, addFile)
	for _, f := range files {
		e.word("file")
		e.quote(f)
		e.end()
	}
	for i := range m.Fields {
		f := &m.Fields[i]
		flags := 0
		if f.Required {
			flags |= flagRequired
		}
		if f.Hidden {
			flags |= flagHidden
		}
		if f.HasMin {
			flags |= flagHasMin
		}
		if f.HasMax {
			flags |= flagHasMax
		}
		if f.Attribute {
			flags |= flagAttribute
		}
		e.word("field")
		e.word(f.Name)
		e.word(f.Type.String())
		e.int(int64(flags))
		e.int(int64(f.MinLen))
		e.int(int64(f.MaxLen))
		e.word(num.FormatExact(f.Min))
		e.word(num.FormatExact(f.Max))
		e.pos(f.Pos)
		e.quotes(f.Label, f.Help, f.Placeholder, f.Autocomplete, f.Section)
		e.end()
		for _, o := range f.Options {
			e.word("option")
			label := o.Label
			if label == o.Value {
				label = ""
			}
			e.quotes(o.Value, label, o.Signal)
			e.end()
		}
		if f.Ask != nil {
			e.word("ask")
			e.rule(f.Ask)
		}
	}
	for _, s := range m.Signals {
		e.word("signal")
		e.word(s.Name)
		e.word(s.Kind.String())
		e.bool(s.Reason)
		e.int(s.HalfLife)
		e.pos(s.Pos)
		e.quotes(s.Label)
		e.end()
	}
	for _, c := range m.Consts {
		e.word("const")
		e.word(c.Name)
		e.word(num.FormatExact(c.Value))
		e.pos(c.Pos)
		e.end()
	}
	for _, l := range m.Lists {
		e.word("list")
		e.word(l.Name)
		e.pos(l.Pos)
		for _, v := range l.Values {
			e.quote(v)
		}
		e.end()
	}
	for _, r := range m.CloseReasons {
		e.named("reason", r.Name, r.Pos, r.Label)
		e.end()
	}
	for _, r := range m.HubSpot {
		e.word("hubspot")
		e.quote(r.Property)
		e.quote(r.Value)
		e.pos(r.Pos)
		e.quotes(r.Signal, r.Outcome, r.Reason)
		e.end()
	}
	for _, p := range m.Points {
		e.word("point")
		e.quote(p.Name)
		e.word(p.Kind.String())
		e.int(int64(p.Points))
		if p.Signal >= 0 && p.Signal < len(m.Signals) {
			e.word(m.Signals[p.Signal].Name)
		} else {
			e.word("-")
		}
		e.pos(p.Pos)
		e.quote(p.Label)
		if p.When != nil {
			e.rule(p.When)
		} else {
			e.end()
		}
	}
	for _, g := range m.Grades {
		e.word("grade")
		e.quote(g.Name)
		e.int(int64(g.Min))
		e.pos(g.Pos)
		e.quotes(g.Label)
		e.end()
	}
	for _, t := range m.Tiers {
		e.word("tier")
		e.quote(t.Name)
		e.word(num.FormatExact(t.Min))
		e.pos(t.Pos)
		e.quotes(t.Label)
		e.end()
	}
	for _, f := range m.Frameworks {
		e.named("framework", f.Name, f.Pos, f.Title)
		e.end()
		for _, c := range f.Criteria {
			e.named("criterion", c.Name, c.Pos, c.Label)
			e.rule(c.When)
		}
	}
	for _, s := range m.Stages {
		e.word("stage")
		e.quote(s.Name)
		e.bool(s.Exit)
		if s.Funnel == NoFunnel {
			e.word("-")
		} else {
			e.word(s.Funnel.String())
		}
		e.pos(s.Pos)
		e.quote(s.Title)
		e.quote(s.SLA.Owner)
		e.int(s.SLA.Within)
		e.int(s.SLA.Every)
		e.int(int64(s.SLA.Attempts))
		e.word(s.Next.Kind.String())
		e.quote(s.Next.Label)
		e.quote(s.Next.Message)
		e.quote(s.Next.URL)
		e.quote(s.CRMStage)
		if s.Rule != nil {
			e.rule(s.Rule)
		} else {
			e.end()
		}
	}
	for i := range m.Forms {
		f := &m.Forms[i]
		e.word("form")
		e.word(f.Name)
		if f.Signal >= 0 && f.Signal < len(m.Signals) {
			e.word(m.Signals[f.Signal].Name)
		} else {
			e.word("-")
		}
		e.pos(f.Pos)
		e.quotes(f.Thanks.Title, f.Thanks.Message, f.Thanks.Label, f.Thanks.URL)
		e.end()
		e.word("asks")
		for _, j := range f.Fields {
			if has(f.Again, j) {
				e.word("=" + m.Fields[j].Name)
			} else {
				e.word(m.Fields[j].Name)
			}
		}
		for _, j := range f.Extra {
			e.word("+" + m.Fields[j].Name)
		}
		e.end()
	}
	e.line("end")
	return e.b.String()
}

// forEachPos calls f with every position in m, in encoding order.
func forEachPos(m *Model, f func(Pos)) {
	for i := range m.Fields {
		f(m.Fields[i].Pos)
		if m.Fields[i].Ask != nil {
			f(m.Fields[i].Ask.Pos)
		}
	}
	for _, s := range m.Signals {
		f(s.Pos)
	}
	for _, c := range m.Consts {
		f(c.Pos)
	}
	for _, l := range m.Lists {
		f(l.Pos)
	}
	for _, r := range m.CloseReasons {
		f(r.Pos)
	}
	for _, r := range m.HubSpot {
		f(r.Pos)
	}
	for _, p := range m.Points {
		f(p.Pos)
		if p.When != nil {
			f(p.When.Pos)
		}
	}
	for _, g := range m.Grades {
		f(g.Pos)
	}
	for _, t := range m.Tiers {
		f(t.Pos)
	}
	for _, fw := range m.Frameworks {
		f(fw.Pos)
		for _, c := range fw.Criteria {
			f(c.Pos)
			if c.When != nil {
				f(c.When.Pos)
			}
		}
	}
	for _, s := range m.Stages {
		f(s.Pos)
		if s.Rule != nil {
			f(s.Rule.Pos)
		}
	}
	for i := range m.Forms {
		f(m.Forms[i].Pos)
	}
}

func (e *encoder) line(s string) {
	e.b.WriteString(s)
	e.b.WriteByte('\n')
}

func (e *encoder) sep() {
	if n := e.b.Len(); n > 0 {
		if s := e.b.String(); s[n-1] != '\n' {
			e.b.WriteByte(' ')
		}
	}
}

func (e *encoder) word(s string)  { e.sep(); e.b.WriteString(s) }
func (e *encoder) quote(s string) { e.sep(); e.b.WriteString(str.Quote(s)) }
func (e *encoder) int(n int64)    { e.sep(); e.b.WriteString(num.Itoa(int(n))) }

// quotes writes strings that end a record, leaving out the empty ones at
// the end: Decode reads a missing string as "".
func (e *encoder) quotes(ss ...string) {
	n := len(ss)
	for n > 0 && ss[n-1] == "" {
		n--
	}
	for _, s := range ss[:n] {
		e.quote(s)
	}
}
func (e *encoder) end() { e.b.WriteByte('\n') }

func (e *encoder) bool(v bool) {
	if v {
		e.word("1")
	} else {
		e.word("0")
	}
}

func (e *encoder) pos(p Pos) {
	e.sep()
	e.b.WriteByte('@')
	if p.File != "" {
		e.b.WriteString(num.Itoa(e.files[p.File]))
	} else {
		e.b.WriteByte('-')
	}
	e.b.WriteByte(':')
	e.b.WriteString(num.Itoa(p.Line))
	e.b.WriteByte(':')
	e.b.WriteString(num.Itoa(p.Col))
}

// named writes the start of a record of a name, where it is written and
// its text: kind name @pos "text".
func (e *encoder) named(kind, name string, p Pos, text string) {
	e.word(kind)
	e.word(name)
	e.pos(p)
	e.quote(text)
}

func (e *encoder) rule(r *Rule) {
	e.pos(r.Pos)
	e.word(":")
	e.sep()
	writePolish(&e.b, r.Expr)
	e.end()
}

// DecodeError is a problem with canonical text, at a line.
type DecodeError struct {
	Line int
	Msg  string
}

func (e *DecodeError) Error() string {
	return "model text line " + num.Itoa(e.Line) + ": " + e.Msg
}

type decoder struct {
	m        *Model
	files    []string
	lineNo   int
	rest     string // what is left of the current line
	err      *DecodeError
	pending  []pendingRule
	arena    arena       // every rule's nodes
	rules    []Rule      // every rule, allocated together
	options  []Option    // every field's options, in order
	criteria []Criterion // every framework's criteria, in order
}

type pendingRule struct {
	rule *Rule
	ctx  Context
	line int
}

// Decode reads the canonical text form of a model, checks every rule in it
// and returns the model. It never panics, whatever the text.
func Decode(text string) (*Model, error) {
	m := &Model{Framework: -1}
	d := &decoder{m: m}
	lines := text
	header := true
	ended := false
	var field *Field
	var fw *Framework
	var form *Form
	optStart, critStart := 0, 0 // where the current field's options and framework's criteria begin
	for len(lines) > 0 && d.err == nil {
		nl := str.IndexByte(lines, '\n')
		var line string
		if nl < 0 {
			line, lines = lines, ""
		} else {
			line, lines = lines[:nl], lines[nl+1:]
		}
		d.lineNo++
		if ended {
			d.fail("text after end")
			break
		}
		if header {
			if line != canonHeader {
				d.fail("not a model: the first line must be " + str.Quote(canonHeader))
			}
			header = false
			continue
		}
		d.rest = line
		switch kind := d.word(); kind {
		case "model":
			m.Name = d.quoted()
			m.Version = d.quoted()
			m.Framework = d.int()
			m.FormSignal = d.quoted()
			m.ShowScore = d.bool()
			m.Retention = d.int64()
			m.TimeZone = d.quoted()
		case "sizes":
			var h sizeHints
			for _, p := range h.fields() {
				*p = d.int()
			}
			if d.err == nil {
				d.presize(h, len(text))
			}
		case "file":
			d.files = append(d.files, d.quoted())
		case "field":
			optStart = len(d.options)
			m.Fields = append(m.Fields, d.field())
			field = &m.Fields[len(m.Fields)-1]
		case "option":
			if field == nil {
				d.fail("option before any field")
				break
			}
			o := Option{Value: d.quoted(), Label: d.optQuoted(), Signal: d.optQuoted()}
			if o.Label == "" {
				o.Label = o.Value
			}
			d.options = append(d.options, o)
			field.Options = d.options[optStart:len(d.options):len(d.options)]
		case "ask":
			if field == nil {
				d.fail("ask before any field")
				break
			}
			field.Ask = d.rule(InAsk)
		case "signal":
			s := Signal{Name: d.name()}
			k, ok := ParseSignalKind(d.word())
			if !ok {
				d.fail("unknown signal kind")
			}
			s.Kind = k
			s.Reason = d.bool()
			s.HalfLife = d.int64()
			s.Pos = d.pos()
			s.Label = d.optQuoted()
			m.Signals = append(m.Signals, s)
		case "const":
			m.Consts = append(m.Consts, Const{Name: d.name(), Value: d.number(), Pos: d.pos()})
		case "list":
			l := List{Name: d.name(), Pos: d.pos()}
			for d.rest != "" && d.err == nil {
				l.Values = append(l.Values, d.quoted())
			}
			m.Lists = append(m.Lists, l)
		case "reason":
			m.CloseReasons = append(m.CloseReasons, CloseReason{Name: d.name(), Pos: d.pos(), Label: d.quoted()})
		case "hubspot":
			r := CRMRule{Property: d.quoted(), Value: d.quoted(), Pos: d.pos(), Signal: d.optQuoted(), Outcome: d.optQuoted(), Reason: d.optQuoted()}
			if !m.recordable(&r) {
				d.fail("a hubspot record must give a signal of the model, won, or lost and a close reason of the model")
			}
			m.HubSpot = append(m.HubSpot, r)
		case "point":
			p := PointRule{Name: d.quoted(), Signal: -1}
			k, ok := ParsePointKind(d.word())
			if !ok {
				d.fail("unknown point kind")
			}
			p.Kind = k
			p.Points = d.int()
			if sig := d.word(); sig != "-" {
				if p.Signal = m.SignalIndex(sig); p.Signal < 0 {
					d.fail("point " + p.Name + " names unknown signal " + str.Quote(sig))
				}
			}
			p.Pos = d.pos()
			p.Label = d.quoted()
			if d.rest != "" {
				p.When = d.rule(InPoint)
			}
			m.Points = append(m.Points, p)
		case "grade":
			m.Grades = append(m.Grades, Grade{Name: d.quoted(), Min: d.int(), Pos: d.pos(), Label: d.optQuoted()})
		case "tier":
			m.Tiers = append(m.Tiers, Tier{Name: d.quoted(), Min: d.number(), Pos: d.pos(), Label: d.optQuoted()})
		case "framework":
			m.Frameworks = append(m.Frameworks, Framework{Name: d.name(), Pos: d.pos(), Title: d.quoted()})
			fw = &m.Frameworks[len(m.Frameworks)-1]
			critStart = len(d.criteria)
		case "criterion":
			if fw == nil {
				d.fail("criterion before any framework")
				break
			}
			c := Criterion{Name: d.name(), Pos: d.pos(), Label: d.quoted()}
			c.When = d.rule(InCriterion)
			d.criteria = append(d.criteria, c)
			fw.Criteria = d.criteria[critStart:len(d.criteria):len(d.criteria)]
		case "stage":
			s := Stage{Name: d.quoted(), Exit: d.bool()}
			if f := d.word(); f != "-" {
				s.Funnel, _ = ParseFunnel(f)
				if s.Funnel == NoFunnel {
					d.fail("unknown funnel position " + str.Quote(f))
				}
			}
			s.Pos = d.pos()
			s.Title = d.quoted()
			s.SLA = SLA{Owner: d.quoted(), Within: d.int64(), Every: d.int64(), Attempts: d.int()}
			k, ok := ParseNextKind(d.word())
			if !ok {
				d.fail("unknown next-step kind")
			}
			s.Next = Next{Kind: k, Label: d.quoted(), Message: d.quoted(), URL: d.quoted()}
			s.CRMStage = d.quoted()
			if d.rest != "" {
				s.Rule = d.rule(InStage)
			}
			m.Stages = append(m.Stages, s)
		case "form":
			f := Form{Name: d.name(), Signal: -1}
			if sig := d.word(); sig != "-" && d.err == nil {
				if f.Signal = m.SignalIndex(sig); f.Signal < 0 {
					d.fail("form " + f.Name + " names unknown signal " + str.Quote(sig))
				}
			}
			if m.FormIndex(f.Name) >= 0 {
				d.fail("form " + f.Name + " is defined twice")
			}
			f.Pos = d.pos()
			f.Thanks = Thanks{Title: d.optQuoted(), Message: d.optQuoted(), Label: d.optQuoted(), URL: d.optQuoted()}
			m.Forms = append(m.Forms, f)
			form = &m.Forms[len(m.Forms)-1]
		case "asks":
			if form == nil {
				d.fail("asks before any form")
				break
			}
			d.asks(form)
			form = nil
		case "end":
			ended = true
		default:
			d.fail("unknown record " + str.Quote(kind))
		}
		if d.err == nil && d.rest != "" {
			d.fail("unexpected " + str.Quote(d.rest))
		}
	}
	if d.err == nil && header {
		d.fail("empty text")
	}
	if d.err == nil && !ended {
		d.fail("missing end: the text is cut short")
	}
	if d.err != nil {
		return nil, d.err
	}
	// Frameworks (for field ask rules) and everything else are known now.
	if m.Framework >= len(m.Frameworks) || m.Framework < -1 {
		return nil, &DecodeError{1, "selected framework out of range"}
	}
	for _, p := range d.pending {
		if !m.resolve(p.rule.Expr, p.ctx) {
			return nil, &DecodeError{p.line, "the rule is not valid here (winnow check says why in its source)"}
		}
	}
	if m.FormSignal != "" && m.SignalIndex(m.FormSignal) < 0 {
		return nil, &DecodeError{2, "unknown form signal " + str.Quote(m.FormSignal)}
	}
	if err := m.checkShape(); err != "" {
		return nil, &DecodeError{1, err}
	}
	for i := range m.Forms {
		if len(m.Forms[i].Fields) == 0 {
			return nil, &DecodeError{1, "form " + m.Forms[i].Name + " asks no question"}
		}
	}
	return m, nil
}

// asks reads the questions of form f: field names, each prefixed with =
// when the form asks it again of a lead who answered it, or with + when
// it is an extra question. A form asks a field once.
func (d *decoder) asks(f *Form) {
	m := d.m
	for d.rest != "" && d.err == nil {
		w := d.word()
		mark := byte(0)
		if w != "" && (w[0] == '=' || w[0] == '+') {
			mark, w = w[0], w[1:]
		}
		i := m.FieldIndex(w)
		switch {
		case i < 0:
			d.fail("form " + f.Name + " asks unknown field " + str.Quote(w))
		case f.Asks(i):
			d.fail("form " + f.Name + " asks " + w + " twice")
		case mark == '+':
			f.Extra = append(f.Extra, i)
		case mark == '=':
			f.Again = append(f.Again, i)
			fallthrough
		default:
			f.Fields = append(f.Fields, i)
		}
	}
}

// field reads a field record after its kind.
func (d *decoder) field() (f Field) {
	f.Name = d.name()
	t, ok := ParseFieldType(d.word())
	if !ok {
		d.fail("unknown field type")
	}
	f.Type = t
	flags := d.int()
	f.Required, f.Hidden = flags&flagRequired != 0, flags&flagHidden != 0
	f.HasMin, f.HasMax = flags&flagHasMin != 0, flags&flagHasMax != 0
	f.Attribute = flags&flagAttribute != 0
	f.MinLen = d.int()
	f.MaxLen = d.int()
	f.Min = d.number()
	f.Max = d.number()
	f.Pos = d.pos()
	f.Label = d.optQuoted()
	f.Help = d.optQuoted()
	f.Placeholder = d.optQuoted()
	f.Autocomplete = d.optQuoted()
	f.Section = d.optQuoted()
	return f
}

// sizeHints are the counts the sizes record gives, in its order.
type sizeHints struct {
	field, option, signal, cnst, list, reason, crm, point, grade, tier, fw, crit, stage, rule, file, ruleBytes int
}

func (h *sizeHints) fields() []*int {
	return []*int{&h.field, &h.option, &h.signal, &h.cnst, &h.list, &h.reason, &h.crm, &h.point, &h.grade,
		&h.tier, &h.fw, &h.crit, &h.stage, &h.rule, &h.file, &h.ruleBytes}
}

// sizes counts the records of m for the sizes record.
func sizes(m *Model) sizeHints {
	h := sizeHints{field: len(m.Fields), signal: len(m.Signals), cnst: len(m.Consts), list: len(m.Lists),
		reason: len(m.CloseReasons), crm: len(m.HubSpot), point: len(m.Points), grade: len(m.Grades), tier: len(m.Tiers), fw: len(m.Frameworks), stage: len(m.Stages)}
	files := map[string]bool{}
	forEachPos(m, func(p Pos) {
		if p.File != "" {
			files[p.File] = true
		}
	})
	h.file = len(files)
	rule := func(r *Rule) {
		if r != nil {
			h.rule++
			h.ruleBytes += len(Polish(r.Expr)) + 3
		}
	}
	for i := range m.Fields {
		h.option += len(m.Fields[i].Options)
		rule(m.Fields[i].Ask)
	}
	for i := range m.Points {
		rule(m.Points[i].When)
	}
	for i := range m.Frameworks {
		h.crit += len(m.Frameworks[i].Criteria)
		for j := range m.Frameworks[i].Criteria {
			rule(m.Frameworks[i].Criteria[j].When)
		}
	}
	for i := range m.Stages {
		rule(m.Stages[i].Rule)
	}
	return h
}

// presize allocates the model's slices at the sizes the sizes record
// gives, so that decoding appends without growing them. The hints are
// bounded by the length of the text, so a lying record cannot make Decode
// allocate much; a wrong one only costs growth.
func (d *decoder) presize(h sizeHints, textLen int) {
	limit := textLen/8 + 1
	for _, p := range h.fields() {
		*p = max(0, min(*p, limit))
	}
	m := d.m
	m.Fields = make([]Field, 0, h.field)
	m.Signals = make([]Signal, 0, h.signal)
	m.Points = make([]PointRule, 0, h.point)
	m.Stages = make([]Stage, 0, h.stage)
	m.Frameworks = make([]Framework, 0, h.fw)
	if h.cnst > 0 {
		m.Consts = make([]Const, 0, h.cnst)
	}
	if h.list > 0 {
		m.Lists = make([]List, 0, h.list)
	}
	if h.reason > 0 {
		m.CloseReasons = make([]CloseReason, 0, h.reason)
	}
	if h.crm > 0 {
		m.HubSpot = make([]CRMRule, 0, h.crm)
	}
	m.Grades = make([]Grade, 0, h.grade)
	m.Tiers = make([]Tier, 0, h.tier)
	d.options = make([]Option, 0, h.option)
	d.criteria = make([]Criterion, 0, h.crit)
	d.files = make([]string, 0, h.file)
	d.pending = make([]pendingRule, 0, h.rule)
	d.rules = make([]Rule, 0, h.rule)
	// A node takes about seven bytes of rule text.
	d.arena.nodes = make([]Expr, 0, h.ruleBytes/7+8)
	d.arena.args = make([]*Expr, 0, h.ruleBytes/7+8)
}

// checkShape checks what Evaluate relies on beyond checked rules: option
// ordinals fit the bit sets and there is a default stage.
func (m *Model) checkShape() string {
	for i, s := range m.Stages {
		if s.Rule == nil && i != m.DefaultStage() {
			return "stage " + str.Quote(s.Name) + " has no rule but is not the first funnel stage"
		}
	}
	if len(m.Stages) > 0 && m.DefaultStage() < 0 {
		return "no funnel stage"
	}
	return ""
}

// recordable reports whether r records what the edge can: a signal of the
// model that carries no close reason (HubSpot's report gives none), the
// outcome won, or the outcome lost with one of the model's close reasons.
func (m *Model) recordable(r *CRMRule) bool {
	switch i := m.SignalIndex(r.Signal); {
	case r.Signal != "":
		return r.Outcome == "" && r.Reason == "" && i >= 0 && !m.Signals[i].Reason
	case r.Outcome == "won":
		return r.Reason == ""
	}
	return r.Outcome == "lost" && m.CloseReasonIndex(r.Reason) >= 0
}

// stripOffsets zeroes the source offsets of a checked rule: a model holds
// rules in canonical form, wherever their text came from.
func stripOffsets(e *Expr) { Walk(e, func(x *Expr) { x.Off = 0 }) }

// StripOffsets prepares a checked rule for a model: see Model's invariant
// that rules carry no source offsets.
func StripOffsets(r *Rule) {
	if r != nil {
		stripOffsets(r.Expr)
	}
}

//go:noinline
func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = &DecodeError{d.lineNo, msg}
	}
	d.rest = ""
}

// word returns the next space-separated word. Decode calls it, fail and
// optQuoted from many places: inlined, they would grow the widget.
//
//go:noinline
func (d *decoder) word() string {
	if d.err != nil {
		return ""
	}
	if d.rest == "" {
		d.fail("line ends too early")
		return ""
	}
	// Words are short: a loop beats IndexByte's set-up.
	r := d.rest
	for i := 0; i < len(r); i++ {
		if r[i] == ' ' {
			d.rest = r[i+1:]
			return r[:i]
		}
	}
	d.rest = ""
	return r
}

func (d *decoder) name() string {
	w := d.word()
	if d.err == nil && !IsName(w) {
		d.fail("invalid name " + str.Quote(w))
	}
	return w
}

// optQuoted reads a string that may be left out at the end of a record.
//
//go:noinline
func (d *decoder) optQuoted() string {
	if d.rest == "" {
		return ""
	}
	return d.quoted()
}

func (d *decoder) quoted() string {
	if d.err != nil {
		return ""
	}
	if !str.HasPrefix(d.rest, `"`) {
		d.fail("expected a quoted string")
		return ""
	}
	// Find the closing quote, skipping escapes.
	r, i, escaped := d.rest, 1, false
	for ; i < len(r) && r[i] != '"'; i++ {
		if r[i] == '\\' {
			i++
			escaped = true
		} else if i == 24 && !escaped {
			// A long string: let IndexByte find the quote, unless
			// an escape comes first.
			if j := str.IndexByte(r[i:], '"'); j >= 0 && str.IndexByte(r[i:i+j], '\\') < 0 {
				i += j
				break
			}
		}
	}
	if i >= len(r) {
		d.fail("string is not terminated")
		return ""
	}
	q := d.rest[:i+1]
	d.rest = d.rest[i+1:]
	if d.rest != "" {
		if d.rest[0] != ' ' {
			d.fail("expected a space after a string")
			return ""
		}
		d.rest = d.rest[1:]
	}
	if !escaped {
		return q[1 : len(q)-1]
	}
	s, ok := str.Unquote(q)
	if !ok {
		d.fail("invalid string " + q)
	}
	return s
}

func (d *decoder) int64() int64 {
	w := d.word()
	if d.err != nil {
		return 0
	}
	n, ok := num.Atoi(w)
	if !ok {
		d.fail("expected a whole number, found " + str.Quote(w))
	}
	return n
}

func (d *decoder) int() int {
	n := d.int64()
	if n > 1<<31-1 || n < -1<<31 {
		d.fail("number out of range")
		return 0
	}
	return int(n)
}

func (d *decoder) bool() bool {
	switch d.word() {
	case "1":
		return true
	case "0":
		return false
	}
	d.fail("expected 0 or 1")
	return false
}

func (d *decoder) number() float64 {
	w := d.word()
	if d.err != nil {
		return 0
	}
	v, ok := num.ParseExact(w)
	if !ok || v != v || v > 1e300 || v < -1e300 {
		d.fail("expected a number, found " + str.Quote(w))
	}
	return v
}

func (d *decoder) pos() Pos {
	w := d.word()
	if d.err != nil {
		return Pos{}
	}
	if len(w) < 2 || w[0] != '@' {
		d.fail("expected a position")
		return Pos{}
	}
	var parts [3]string
	k, start := 0, 1
	for i := 1; i < len(w) && k < 2; i++ {
		if w[i] == ':' {
			parts[k], start = w[start:i], i+1
			k++
		}
	}
	if k != 2 {
		d.fail("expected a position @file:line:col")
		return Pos{}
	}
	parts[2] = w[start:]
	var p Pos
	if parts[0] != "-" {
		fi, ok := num.Atoi(parts[0])
		if !ok || fi < 0 || fi >= int64(len(d.files)) {
			d.fail("unknown file in position " + w)
			return Pos{}
		}
		p.File = d.files[fi]
	}
	line, ok1 := num.Atoi(parts[1])
	col, ok2 := num.Atoi(parts[2])
	if !ok1 || !ok2 || line < 0 || col < 0 || line > 1<<31 || col > 1<<31 {
		d.fail("invalid position " + w)
	}
	p.Line, p.Col = int(line), int(col)
	return p
}

func (d *decoder) rule(ctx Context) *Rule {
	p := d.pos()
	if d.err != nil {
		return nil
	}
	if !str.HasPrefix(d.rest, ": ") {
		d.fail("expected : and a rule")
		return nil
	}
	src := d.rest[2:]
	d.rest = ""
	e, err := readPolish(src, &d.arena)
	if err != "" {
		d.fail("rule: " + err)
		return nil
	}
	var r *Rule
	if len(d.rules) < cap(d.rules) {
		d.rules = append(d.rules, Rule{Expr: e, Pos: p})
		r = &d.rules[len(d.rules)-1]
	} else {
		r = &Rule{Expr: e, Pos: p}
	}
	d.pending = append(d.pending, pendingRule{r, ctx, d.lineNo})
	return r
}
