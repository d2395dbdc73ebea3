package qualify

import (
	"strconv"
)

// Kind is the kind of a value in the rule language.
type Kind uint8

// Value kinds.
const (
	KindInvalid Kind = iota
	KindBool
	KindNumber
	KindString
	KindEnum // a choice field's options, or the fit grades
	KindTime // an instant: a date field or a signal
)

// Type is the type of an expression. Enum types are told apart by Enum:
// the index of the choice field, or EnumGrades.
type Type struct {
	Kind Kind
	Enum int32
}

// EnumGrades is the Enum of the type of `fit`.
const EnumGrades = -1

var (
	typeBool   = Type{Kind: KindBool}
	typeNumber = Type{Kind: KindNumber}
	typeString = Type{Kind: KindString}
	typeTime   = Type{Kind: KindTime}
	typeGrade  = Type{Kind: KindEnum, Enum: EnumGrades}
)

// Context says where a rule stands, which decides the names it may use:
// points make the score, so a point rule cannot read it.
type Context uint8

// Rule contexts.
const (
	InPoint     Context = iota + 1 // a point rule: fields and signals
	InCriterion                    // a framework criterion: also score and fit
	InStage                        // a stage rule: also frameworks
	InAsk                          // when the form asks a field: everything
)

type refKind uint8

const (
	refNone refKind = iota
	refField
	refSignal
	refConst
	refScore
	refFit
	refFitPoints
	refFramework // idx < 0: the selected framework
	refList
	refOption // a string literal naming an option: idx is its ordinal
	refBuiltin
)

type builtin uint8

const (
	bKnown builtin = iota
	bCount
	bDaysSince
	bDomain
	bFreeEmail // bFreeEmail, bDisposableEmail and bGibberish stay in this order: Evaluate memoises them by offset
	bDisposableEmail
	bGibberish
	bLinks
	bLen
	bContains
	bStartsWith
	bEndsWith
)

type builtinSpec struct {
	name   string
	args   []Kind // KindInvalid: any kind
	vararg bool   // the last argument repeats, at least once
	result Kind
}

var builtins = [...]builtinSpec{
	bKnown:           {"known", []Kind{KindInvalid}, false, KindBool},                  // the value is known (a field answered, a signal recorded)
	bCount:           {"count", []Kind{KindInvalid}, true, KindNumber},                 // how many of the conditions hold; a value that is not a condition counts when known
	bDaysSince:       {"days_since", []Kind{KindTime}, false, KindNumber},              // whole days from a date or signal to now
	bDomain:          {"domain", []Kind{KindString}, false, KindString},                // the lower-case domain of an email address
	bFreeEmail:       {"free_email", []Kind{KindString}, false, KindBool},              // the email address (or domain) belongs to a free mail provider
	bDisposableEmail: {"disposable_email", []Kind{KindString}, false, KindBool},        // the email address (or domain) belongs to a disposable-address service
	bGibberish:       {"gibberish", []Kind{KindString}, false, KindBool},               // the text looks like keyboard mashing rather than words
	bLinks:           {"links", []Kind{KindString}, false, KindNumber},                 // how many web links the text holds
	bLen:             {"len", []Kind{KindString}, false, KindNumber},                   // the length of the text in characters
	bContains:        {"contains", []Kind{KindString, KindString}, false, KindBool},    // the text holds the second text, ignoring case (Latin, Greek, Cyrillic)
	bStartsWith:      {"starts_with", []Kind{KindString, KindString}, false, KindBool}, // the text starts with the second text, ignoring case
	bEndsWith:        {"ends_with", []Kind{KindString, KindString}, false, KindBool},   // the text ends with the second text, ignoring case
}

// Reserved names that rules read besides fields, signals and constants.
const (
	NameScore     = "score"
	NameFit       = "fit"
	NameFitPoints = "fit_points"
	NameFramework = "framework"
)

// IsReserved reports whether name is a keyword, a function or a reserved
// name of the rule language, which a field, signal or constant cannot take.
func IsReserved(name string) bool {
	switch name {
	case "and", "or", "not", "in", "true", "false", NameScore, NameFit, NameFitPoints, NameFramework:
		return true
	}
	for _, b := range builtins {
		if b.name == name {
			return true
		}
	}
	return false
}

// IsName reports whether s can be a name in a rule: a letter or underscore,
// then letters, digits and underscores.
func IsName(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// TypeString describes t for a message.
func (m *Model) TypeString(t Type) string {
	switch t.Kind {
	case KindBool:
		return "a condition"
	case KindNumber:
		return "a number"
	case KindString:
		return "text"
	case KindTime:
		return "a date"
	case KindEnum:
		if t.Enum == EnumGrades {
			return "a fit grade"
		}
		if t.Enum >= 0 && int(t.Enum) < len(m.Fields) {
			return "a choice of " + m.Fields[t.Enum].Name
		}
		return "a choice"
	}
	return "nothing"
}

// Compile parses and checks the text of a rule for use in context ctx. It
// returns every problem found, each at a byte offset of src.
func (m *Model) Compile(src string, ctx Context) (*Expr, []RuleError) {
	e, err := Parse(src)
	if err != nil {
		return nil, []RuleError{*err.(*RuleError)}
	}
	if errs := m.Check(e, ctx); len(errs) > 0 {
		return nil, errs
	}
	return e, nil
}

// Check resolves the names of e against the model, checks its types and
// that it is a condition, and returns every problem found.
func (m *Model) Check(e *Expr, ctx Context) []RuleError {
	c := checker{m: m, ctx: ctx}
	t := c.expr(e)
	if t.Kind != KindInvalid && t.Kind != KindBool {
		c.errorf(e.Off, "a rule must be a condition, but this is "+m.TypeString(t))
	}
	return c.errs
}

type checker struct {
	m    *Model
	ctx  Context
	errs []RuleError
}

func (c *checker) errorf(off int32, msg string) {
	c.errs = append(c.errs, RuleError{int(off), msg})
}

func (c *checker) expr(e *Expr) Type {
	t := c.node(e)
	e.Type = t
	return t
}

func (c *checker) node(e *Expr) Type {
	m := c.m
	switch e.Op {
	case OpNumber:
		return typeNumber
	case OpString:
		return typeString
	case OpTrue, OpFalse:
		return typeBool
	case OpName:
		return c.name(e)
	case OpCall:
		return c.call(e)
	case OpNeg:
		c.want(e.Args[0], typeNumber, "-")
		return typeNumber
	case OpAdd, OpSub:
		c.want(e.Args[0], typeNumber, opText[e.Op])
		c.want(e.Args[1], typeNumber, opText[e.Op])
		return typeNumber
	case OpNot:
		c.want(e.Args[0], typeBool, "not")
		return typeBool
	case OpAnd, OpOr:
		c.want(e.Args[0], typeBool, opText[e.Op])
		c.want(e.Args[1], typeBool, opText[e.Op])
		return typeBool
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		c.compare(e)
		return typeBool
	case OpIn, OpNotIn:
		c.in(e)
		return typeBool
	}
	c.errorf(e.Off, "invalid expression")
	_ = m
	return Type{}
}

// want checks that e has type t, as the operand of op.
func (c *checker) want(e *Expr, t Type, op string) {
	got := c.expr(e)
	if got.Kind == KindInvalid || got == t {
		return
	}
	if t == typeBool {
		c.errorf(e.Off, op+" needs a condition, but this is "+c.m.TypeString(got))
		return
	}
	c.errorf(e.Off, op+" needs "+c.m.TypeString(t)+", but this is "+c.m.TypeString(got))
}

func (c *checker) name(e *Expr) Type {
	m := c.m
	if t, ok := m.refValue(e); ok {
		return t
	}
	for i := range m.Lists {
		if m.Lists[i].Name == e.Name {
			c.errorf(e.Off, "list "+e.Name+" can only follow in")
			return Type{}
		}
	}
	switch e.Name {
	case NameScore, NameFitPoints, NameFit:
		if c.ctx == InPoint {
			c.errorf(e.Off, e.Name+" cannot be used in a point rule: points make the score and the fit grade")
			return Type{}
		}
		switch e.Name {
		case NameScore:
			e.ref = refScore
			return typeNumber
		case NameFitPoints:
			e.ref = refFitPoints
			return typeNumber
		}
		e.ref = refFit
		return typeGrade
	case NameFramework:
		if c.ctx == InPoint || c.ctx == InCriterion {
			c.errorf(e.Off, "framework can only be used in stage rules and ask conditions")
			return Type{}
		}
		if len(m.Frameworks) == 0 {
			c.errorf(e.Off, "framework is used but the model defines no framework")
			return Type{}
		}
		e.ref, e.idx = refFramework, -1
		return typeNumber
	}
	if i := m.FrameworkIndex(e.Name); i >= 0 {
		if c.ctx == InPoint || c.ctx == InCriterion {
			c.errorf(e.Off, "framework "+e.Name+" can only be used in stage rules and ask conditions")
			return Type{}
		}
		e.ref, e.idx = refFramework, int32(i)
		return typeNumber
	}
	for _, b := range builtins {
		if b.name == e.Name {
			c.errorf(e.Off, e.Name+" is a function: call it as "+e.Name+"(...)")
			return Type{}
		}
	}
	c.errorf(e.Off, "unknown field "+strconv.Quote(e.Name)+c.suggest(e.Name, m.names()))
	return Type{}
}

// names lists every name a rule may read, for suggestions.
func (m *Model) names() []string {
	var out []string
	for _, f := range m.Fields {
		out = append(out, f.Name)
	}
	for _, s := range m.Signals {
		out = append(out, s.Name)
	}
	for _, k := range m.Consts {
		out = append(out, k.Name)
	}
	for _, f := range m.Frameworks {
		out = append(out, f.Name)
	}
	return append(out, NameScore, NameFit, NameFitPoints, NameFramework)
}

func (c *checker) suggest(name string, candidates []string) string {
	return DidYouMean(name, candidates)
}

// DidYouMean returns ` (did you mean "x"?)` for the candidate nearest to
// s when it is a likely typo (see Closest), or "".
func DidYouMean(s string, candidates []string) string {
	if c := Closest(s, candidates); c != "" {
		return " (did you mean " + strconv.Quote(c) + "?)"
	}
	return ""
}

// Closest returns the candidate nearest to s by edit distance, ignoring
// case, if it is near enough to be a likely typo; otherwise "".
func Closest(s string, candidates []string) string {
	limit := max(1, min(3, len(s)/3))
	best, bestD := "", limit+1
	for _, c := range candidates {
		if d := editDistance(toLower(s), toLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (with adjacent
// transpositions) between two short strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 64
	}
	// Distances are at most 64: a byte holds them, and the rows stay small
	// to clear (the email typo check runs this on every keystroke).
	var rows [3][65]uint8
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = uint8(j)
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = uint8(i)
		for j := 1; j <= len(b); j++ {
			cost := uint8(1)
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return int(prev[len(b)])
}

func (c *checker) call(e *Expr) Type {
	var spec *builtinSpec
	for i := range builtins {
		if builtins[i].name == e.Name {
			spec = &builtins[i]
			e.ref, e.idx = refBuiltin, int32(i)
			break
		}
	}
	if spec == nil {
		names := make([]string, len(builtins))
		for i, b := range builtins {
			names[i] = b.name
		}
		c.errorf(e.Off, "unknown function "+strconv.Quote(e.Name)+c.suggest(e.Name, names))
		for _, a := range e.Args {
			c.expr(a)
		}
		return Type{}
	}
	n := len(spec.args)
	if spec.vararg && len(e.Args) < n || !spec.vararg && len(e.Args) != n {
		want := strconv.Itoa(n) + " argument"
		if n != 1 {
			want += "s"
		}
		if spec.vararg {
			want = "at least " + want
		}
		c.errorf(e.Off, e.Name+" takes "+want+", not "+strconv.Itoa(len(e.Args)))
	}
	for i, a := range e.Args {
		k := spec.args[min(i, n-1)]
		if i >= n && !spec.vararg {
			c.expr(a)
			continue
		}
		if k == KindInvalid {
			c.expr(a)
			continue
		}
		got := c.expr(a)
		if got.Kind != KindInvalid && got.Kind != k {
			c.errorf(a.Off, e.Name+" needs "+c.m.TypeString(Type{Kind: k})+", but this is "+c.m.TypeString(got))
		}
	}
	return Type{Kind: spec.result}
}

// literalFor resolves lit, a string literal compared with a value of type
// t, to an option of t. It reports false (and an error) if it names none.
func (c *checker) literalFor(lit *Expr, t Type) bool {
	m := c.m
	if t.Enum == EnumGrades {
		if i := m.GradeIndex(lit.Name); i >= 0 {
			lit.ref, lit.idx, lit.Type = refOption, int32(gradeOrdinal(m, i)), t
			return true
		}
		names := make([]string, len(m.Grades))
		for i, g := range m.Grades {
			names[i] = g.Name
		}
		if len(names) == 0 {
			c.errorf(lit.Off, "fit is compared with "+strconv.Quote(lit.Name)+" but the model defines no fit grades")
			return false
		}
		c.errorf(lit.Off, "fit has no grade "+strconv.Quote(lit.Name)+c.suggest(lit.Name, names)+"; grades are "+join(names, ", "))
		return false
	}
	f := &m.Fields[t.Enum]
	for i, o := range f.Options {
		if o.Value == lit.Name {
			lit.ref, lit.idx, lit.Type = refOption, int32(i), t
			return true
		}
	}
	names := make([]string, len(f.Options))
	for i, o := range f.Options {
		names[i] = o.Value
	}
	c.errorf(lit.Off, f.Name+" has no option "+strconv.Quote(lit.Name)+c.suggest(lit.Name, names))
	return false
}

// gradeOrdinal orders grades worst first, so that fit >= "B" reads "B or
// better": grade i of len(Grades) (best first) has ordinal len-1-i.
func gradeOrdinal(m *Model, i int) int { return len(m.Grades) - 1 - i }

func (c *checker) compare(e *Expr) {
	a, b := e.Args[0], e.Args[1]
	ta, tb := c.expr(a), c.expr(b)
	if ta.Kind == KindInvalid || tb.Kind == KindInvalid {
		return
	}
	// A string literal compared with a choice names one of its options.
	if ta.Kind == KindEnum && b.Op == OpString {
		if c.literalFor(b, ta) {
			tb = ta
		} else {
			return
		}
	} else if tb.Kind == KindEnum && a.Op == OpString {
		if c.literalFor(a, tb) {
			ta = tb
		} else {
			return
		}
	}
	op := opText[e.Op]
	if ta != tb {
		c.errorf(e.Off, "cannot compare "+c.m.TypeString(ta)+" with "+c.m.TypeString(tb))
		return
	}
	switch ta.Kind {
	case KindTime:
		c.errorf(e.Off, "cannot compare dates with "+op+": use days_since(...)")
	case KindBool, KindString:
		if e.Op != OpEq && e.Op != OpNe {
			c.errorf(e.Off, "cannot order "+c.m.TypeString(ta)+" with "+op+": only == and != apply")
		}
	}
}

func (c *checker) in(e *Expr) {
	m := c.m
	t := c.expr(e.Args[0])
	if t.Kind == KindInvalid {
		for _, a := range e.Args[1:] {
			c.expr(a)
		}
		return
	}
	switch t.Kind {
	case KindString, KindEnum, KindNumber:
	default:
		c.errorf(e.Args[0].Off, "in needs text, a number or a choice on its left, but this is "+m.TypeString(t))
		return
	}
	if e.Name != "" {
		li := -1
		for i := range m.Lists {
			if m.Lists[i].Name == e.Name {
				li = i
			}
		}
		if li < 0 {
			var names []string
			for _, l := range m.Lists {
				names = append(names, l.Name)
			}
			c.errorf(e.Off, "unknown list "+strconv.Quote(e.Name)+c.suggest(e.Name, names))
			return
		}
		e.ref, e.idx = refList, int32(li)
		switch t.Kind {
		case KindNumber:
			c.errorf(e.Off, "list "+e.Name+" holds text, but the left side is a number")
		case KindEnum:
			for _, v := range m.Lists[li].Values {
				lit := &Expr{Op: OpString, Name: v, Off: e.Off}
				if c.literalFor(lit, t) {
					setBit(&e.set, int(lit.idx))
				}
			}
		}
		return
	}
	if len(e.Args) < 2 {
		c.errorf(e.Off, "the list after in is empty")
		return
	}
	for _, a := range e.Args[1:] {
		switch {
		case a.Op == OpString && (t.Kind == KindString || t.Kind == KindEnum):
			a.Type = typeString
			if t.Kind == KindEnum && c.literalFor(a, t) {
				setBit(&e.set, int(a.idx))
			}
		case a.Op == OpNumber && t.Kind == KindNumber:
			a.Type = typeNumber
		default:
			want := "text"
			if t.Kind == KindNumber {
				want = "number"
			}
			c.errorf(a.Off, "the list after in holds "+want+" literals only")
		}
	}
}

// setBit sets bit i of *set, allocating the set on first use.
func setBit(set **[]uint64, i int) {
	if *set == nil {
		*set = new([]uint64)
	}
	s := *set
	for len(*s) <= i/64 {
		*s = append(*s, 0)
	}
	(*s)[i/64] |= 1 << (i % 64)
}

func hasBit(set *[]uint64, i int) bool {
	return set != nil && bit(*set, i)
}

func bit(set []uint64, i int) bool {
	return i/64 < len(set) && set[i/64]&(1<<(i%64)) != 0
}
