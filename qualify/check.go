package qualify

import (
	"strconv"

	"github.com/winnowhq/winnow/qualify/internal/str"
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
	typeNumber = Type{Kind: KindNumber}
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
	return builtinIndex(name) >= 0
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
	if t.Kind == KindEnum {
		if t.Enum == EnumGrades {
			return "a fit grade"
		}
		if t.Enum >= 0 && int(t.Enum) < len(m.Fields) {
			return "a choice of " + m.Fields[t.Enum].Name
		}
	}
	return kindString(t.Kind)
}

// kindString describes a value of kind k for a message.
func kindString(k Kind) string {
	switch k {
	case KindBool:
		return "a condition"
	case KindNumber:
		return "a number"
	case KindString:
		return "text"
	case KindTime:
		return "a date"
	case KindEnum:
		return "a choice"
	}
	return "nothing"
}

// kindsString describes the kinds of s for a message, in the order
// messages name them: "text, a number or a choice".
func kindsString(s kinds) string {
	var names []string
	for _, k := range [...]Kind{KindString, KindNumber, KindEnum, KindBool, KindTime} {
		if s.has(k) {
			names = append(names, kindString(k))
		}
	}
	return listString(names, " or ")
}

// listString lists names for a message, with last between the last two:
// "a, b and c" with " and ".
func listString(names []string, last string) string {
	if len(names) < 2 {
		return str.Join(names, "")
	}
	return str.Join(names[:len(names)-1], ", ") + last + names[len(names)-1]
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

// node types e by its operation's signature.
func (c *checker) node(e *Expr) Type {
	s := signatureOf(e.Op)
	switch s.form {
	case formLiteral:
	case formName:
		return c.name(e)
	case formCall:
		return c.call(e)
	case formArgs:
		c.operands(e, s, opText[e.Op])
	case formCompare:
		c.compare(e, s)
	case formMember:
		c.in(e, s)
	default:
		c.errorf(e.Off, "invalid expression")
		return Type{}
	}
	return Type{Kind: s.result}
}

// operands types the operands of e, an operation or a call of a function
// called name, by its signature s.
func (c *checker) operands(e *Expr, s *signature, name string) {
	n := s.arity()
	if len(e.Args) < n || !s.vararg && len(e.Args) != n {
		want := strconv.Itoa(n) + " argument"
		if n != 1 {
			want += "s"
		}
		if s.vararg {
			want = "at least " + want
		}
		c.errorf(e.Off, name+" takes "+want+", not "+strconv.Itoa(len(e.Args)))
	}
	for i, a := range e.Args {
		got := c.expr(a)
		if i >= n && !s.vararg || got.Kind == KindInvalid {
			continue
		}
		if k := s.args[min(i, n-1)]; !k.has(got.Kind) {
			c.errorf(a.Off, name+" needs "+kindsString(k)+", but this is "+c.m.TypeString(got))
		}
	}
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
	if builtinIndex(e.Name) >= 0 {
		c.errorf(e.Off, e.Name+" is a function: call it as "+e.Name+"(...)")
		return Type{}
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
		if d := editDistance(str.ToLower(s), str.ToLower(c)); d < bestD {
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
	i := builtinIndex(e.Name)
	if i < 0 {
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
	e.ref, e.idx = refBuiltin, int32(i)
	s := &builtins[i].signature
	c.operands(e, s, e.Name)
	return Type{Kind: s.result}
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
		c.errorf(lit.Off, "fit has no grade "+strconv.Quote(lit.Name)+c.suggest(lit.Name, names)+"; grades are "+str.Join(names, ", "))
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

// compare types a comparison whose signature is s.
func (c *checker) compare(e *Expr, s *signature) {
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
	switch {
	case s.args[0].has(ta.Kind):
	case ta.Kind == KindTime:
		c.errorf(e.Off, "cannot compare dates with "+op+": use days_since(...)")
	default:
		c.errorf(e.Off, "cannot order "+c.m.TypeString(ta)+" with "+op+": only "+comparisons(ta.Kind)+" apply")
	}
}

// comparisons lists the comparison operators that take values of kind k:
// "== and !=".
func comparisons(k Kind) string {
	var ops []string
	for op, s := range signatures {
		if s.form == formCompare && s.args[0].has(k) {
			ops = append(ops, opText[op])
		}
	}
	return listString(ops, " and ")
}

// in types a test of membership in a list, whose signature is s.
func (c *checker) in(e *Expr, s *signature) {
	m := c.m
	t := c.expr(e.Args[0])
	if t.Kind == KindInvalid {
		for _, a := range e.Args[1:] {
			c.expr(a)
		}
		return
	}
	if !s.args[0].has(t.Kind) {
		c.errorf(e.Args[0].Off, "in needs "+kindsString(s.args[0])+" on its left, but this is "+m.TypeString(t))
		return
	}
	item := literalKind(t.Kind)
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
		switch {
		case item != KindString:
			c.errorf(e.Off, "list "+e.Name+" holds text, but the left side is "+m.TypeString(t))
		case t.Kind == KindEnum:
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
		if as := signatureOf(a.Op); as.form != formLiteral || as.result != item {
			want := "text"
			if item == KindNumber {
				want = "number"
			}
			c.errorf(a.Off, "the list after in holds "+want+" literals only")
			continue
		}
		a.Type = Type{Kind: item}
		if t.Kind == KindEnum && c.literalFor(a, t) {
			setBit(&e.set, int(a.idx))
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
