package qualify

import (
	"strconv"
	"unicode/utf8"
)

// Op is the operation of an expression node.
type Op uint8

// Expression operations.
const (
	OpInvalid Op = iota
	OpNumber     // a number literal: Num
	OpString     // a string literal: its value in Name
	OpTrue       // true
	OpFalse      // false
	OpName       // a name: a field, signal, constant, framework, score, fit, ...
	OpCall       // Name(Args...)
	OpNeg        // -Args[0]
	OpAdd        // Args[0] + Args[1]
	OpSub        // Args[0] - Args[1]
	OpEq         // ==
	OpNe         // !=
	OpLt         // <
	OpLe         // <=
	OpGt         // >
	OpGe         // >=
	OpIn         // Args[0] in (Args[1:]...), or Args[0] in Name (a named list)
	OpNotIn      // Args[0] not in ...
	OpNot        // not Args[0]
	OpAnd        // Args[0] and Args[1]
	OpOr         // Args[0] or Args[1]
)

// opText is the text of each operation that has one, as rules write it.
var opText = [...]string{
	OpNeg: "-", OpAdd: "+", OpSub: "-", OpEq: "==", OpNe: "!=", OpLt: "<", OpLe: "<=",
	OpGt: ">", OpGe: ">=", OpIn: "in", OpNotIn: "not in", OpNot: "not", OpAnd: "and", OpOr: "or",
}

// Expr is a node of a rule's syntax tree. Parse builds it; Check resolves
// names and types in place.
type Expr struct {
	Op   Op
	ref  refKind // filled in by Check, like Type, idx and set
	Type Type
	idx  int32   // index of what ref names, an option's ordinal, or a builtin
	Name string  // OpName, OpCall, OpIn/OpNotIn with a named list; OpString: the value
	Num  float64 // OpNumber
	Args []*Expr
	Off  int32     // byte offset of the node in the rule's source text
	set  *[]uint64 // `in` over a choice: the ordinals listed, as bits
}

// RuleError is an error in a rule's text, at a byte offset.
type RuleError struct {
	Off int
	Msg string
}

func (e *RuleError) Error() string { return "offset " + strconv.Itoa(e.Off) + ": " + e.Msg }

// MaxRuleLen is the longest rule the loader accepts from content, in
// bytes. Parse itself takes any length: it is linear, and its nesting is
// bounded.
const MaxRuleLen = 4096

// maxDepth bounds the nesting of a rule's tree. The parser's own recursion
// is bounded more loosely (redundant parentheses nest it without nesting
// the tree), so that no input exhausts the stack.
const (
	maxDepth     = 64
	maxRecursion = 1024
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tName
	tNumber
	tString
	tLParen
	tRParen
	tComma
	tPlus
	tMinus
	tEq
	tNe
	tLt
	tLe
	tGt
	tGe
	tAnd
	tOr
	tNot
	tIn
	tTrue
	tFalse
)

type token struct {
	kind tokKind
	off  int
	text string // the token's source text
}

type lexer struct {
	src string
	off int
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// next returns the next token, or a syntax error.
func (lx *lexer) next() (token, *RuleError) {
	s := lx.src
	for lx.off < len(s) && (s[lx.off] == ' ' || s[lx.off] == '\t' || s[lx.off] == '\n' || s[lx.off] == '\r') {
		lx.off++
	}
	start := lx.off
	if start >= len(s) {
		return token{kind: tEOF, off: start}, nil
	}
	c := s[start]
	tok := func(k tokKind, n int) (token, *RuleError) {
		lx.off = start + n
		return token{kind: k, off: start, text: s[start : start+n]}, nil
	}
	peek := byte(0)
	if start+1 < len(s) {
		peek = s[start+1]
	}
	switch {
	case isLetter(c):
		end := start + 1
		for end < len(s) && (isLetter(s[end]) || isDigit(s[end])) {
			end++
		}
		k := tName
		switch s[start:end] {
		case "and":
			k = tAnd
		case "or":
			k = tOr
		case "not":
			k = tNot
		case "in":
			k = tIn
		case "true":
			k = tTrue
		case "false":
			k = tFalse
		}
		return tok(k, end-start)
	case isDigit(c) || c == '.' && isDigit(peek):
		end := start
		for end < len(s) && isDigit(s[end]) {
			end++
		}
		if end < len(s) && s[end] == '.' {
			end++
			if end >= len(s) || !isDigit(s[end]) {
				return token{}, &RuleError{end, "expected a digit after the decimal point"}
			}
			for end < len(s) && isDigit(s[end]) {
				end++
			}
		}
		if end < len(s) && (isLetter(s[end]) || s[end] == '.') {
			return token{}, &RuleError{end, "unexpected " + quoteChar(s[end]) + " in a number"}
		}
		return tok(tNumber, end-start)
	case c == '"':
		end := start + 1
		for {
			if end >= len(s) || s[end] == '\n' {
				return token{}, &RuleError{start, "string is not terminated"}
			}
			switch b := s[end]; {
			case b == '\\':
				end += 2
				continue
			case b == '"':
				end++
				return tok(tString, end-start)
			case b < 0x20 || b == 0x7f:
				return token{}, &RuleError{end, "control character in a string: write it as an escape such as \\t"}
			case b >= 0x80:
				r, n := utf8.DecodeRuneInString(s[end:])
				if r == utf8.RuneError && n <= 1 {
					return token{}, &RuleError{end, "a string holds bytes that are not UTF-8 text"}
				}
				end += n
				continue
			}
			end++
		}
	case c == '(':
		return tok(tLParen, 1)
	case c == ')':
		return tok(tRParen, 1)
	case c == ',':
		return tok(tComma, 1)
	case c == '+':
		return tok(tPlus, 1)
	case c == '-':
		return tok(tMinus, 1)
	case c == '=' && peek == '=':
		return tok(tEq, 2)
	case c == '=':
		return token{}, &RuleError{start, "unexpected \"=\": compare with =="}
	case c == '!' && peek == '=':
		return tok(tNe, 2)
	case c == '!':
		return token{}, &RuleError{start, "unexpected \"!\": negate with not"}
	case c == '<' && peek == '=':
		return tok(tLe, 2)
	case c == '<':
		return tok(tLt, 1)
	case c == '>' && peek == '=':
		return tok(tGe, 2)
	case c == '>':
		return tok(tGt, 1)
	case c == '&':
		return token{}, &RuleError{start, "unexpected \"&\": combine conditions with and"}
	case c == '|':
		return token{}, &RuleError{start, "unexpected \"|\": combine conditions with or"}
	case c == '\'':
		return token{}, &RuleError{start, "unexpected \"'\": quote strings with \""}
	}
	return token{}, &RuleError{start, "unexpected " + quoteChar(c)}
}

func quoteChar(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return "byte " + strconv.QuoteToASCII(string(rune(c)))
	}
	return strconv.Quote(string(rune(c)))
}

// arena hands out nodes and argument lists from shared slabs, so that
// parsing a rule, or every rule of a model, takes a few allocations rather
// than one per node.
type arena struct {
	nodes []Expr
	args  []*Expr
}

func (a *arena) node(x Expr) *Expr {
	if len(a.nodes) == cap(a.nodes) {
		a.nodes = make([]Expr, 0, 128)
	}
	a.nodes = append(a.nodes, x)
	return &a.nodes[len(a.nodes)-1]
}

// list returns a copy of xs whose capacity is its length, so that an
// append to it never writes into the slab.
func (a *arena) list(xs ...*Expr) []*Expr {
	n := len(xs)
	if cap(a.args)-len(a.args) < n {
		a.args = make([]*Expr, 0, max(256, n))
	}
	l := len(a.args)
	a.args = a.args[:l+n]
	s := a.args[l : l+n : l+n]
	copy(s, xs)
	return s
}

type parser struct {
	lx    lexer
	tok   token
	err   *RuleError
	depth int
	a     *arena
}

// Parse parses the text of a rule. The tree is unchecked: names are not
// resolved until Check.
func Parse(src string) (*Expr, error) {
	return parse(src, &arena{})
}

func parse(src string, a *arena) (*Expr, error) {
	p := &parser{lx: lexer{src: src}, a: a}
	p.advance()
	e := p.expr()
	if p.err == nil && p.tok.kind != tEOF {
		p.fail(p.tok.off, "unexpected "+describe(p.tok)+" after the end of the rule")
	}
	if p.err != nil {
		return nil, p.err
	}
	if deep := tooDeep(e, 1); deep != nil {
		return nil, &RuleError{int(deep.Off), "rule is nested too deeply"}
	}
	return e, nil
}

// tooDeep returns the first node deeper than maxDepth, or nil.
func tooDeep(e *Expr, depth int) *Expr {
	if depth > maxDepth {
		return e
	}
	for _, a := range e.Args {
		if d := tooDeep(a, depth+1); d != nil {
			return d
		}
	}
	return nil
}

func (p *parser) fail(off int, msg string) {
	if p.err == nil {
		p.err = &RuleError{off, msg}
	}
	p.tok = token{kind: tEOF, off: off}
}

func (p *parser) advance() {
	if p.err != nil {
		return
	}
	t, err := p.lx.next()
	if err != nil {
		p.fail(err.Off, err.Msg)
		return
	}
	p.tok = t
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of rule"
	case tName:
		return "name " + strconv.Quote(t.text)
	case tNumber:
		return "number " + t.text
	case tString:
		return "string " + t.text
	}
	return strconv.Quote(t.text)
}

func (p *parser) enter() bool {
	p.depth++
	if p.depth > maxRecursion {
		p.fail(p.tok.off, "rule is nested too deeply")
		return false
	}
	return true
}

func (p *parser) expr() *Expr {
	if !p.enter() {
		return nil
	}
	defer func() { p.depth-- }()
	x := p.and()
	for p.err == nil && p.tok.kind == tOr {
		off := p.tok.off
		p.advance()
		x = p.a.node(Expr{Op: OpOr, Args: p.a.list(x, p.and()), Off: int32(off)})
	}
	return x
}

func (p *parser) and() *Expr {
	x := p.not()
	for p.err == nil && p.tok.kind == tAnd {
		off := p.tok.off
		p.advance()
		x = p.a.node(Expr{Op: OpAnd, Args: p.a.list(x, p.not()), Off: int32(off)})
	}
	return x
}

func (p *parser) not() *Expr {
	if p.tok.kind == tNot {
		if !p.enter() {
			return nil
		}
		defer func() { p.depth-- }()
		off := p.tok.off
		p.advance()
		return p.a.node(Expr{Op: OpNot, Args: p.a.list(p.not()), Off: int32(off)})
	}
	return p.cmp()
}

func (p *parser) cmp() *Expr {
	x := p.sum()
	if p.err != nil {
		return x
	}
	var op Op
	switch p.tok.kind {
	case tEq:
		op = OpEq
	case tNe:
		op = OpNe
	case tLt:
		op = OpLt
	case tLe:
		op = OpLe
	case tGt:
		op = OpGt
	case tGe:
		op = OpGe
	case tIn:
		return p.in(x, OpIn, p.tok.off)
	case tNot:
		off := p.tok.off
		p.advance()
		if p.tok.kind != tIn {
			p.fail(p.tok.off, "expected in after not, found "+describe(p.tok))
			return x
		}
		return p.in(x, OpNotIn, off)
	default:
		return x
	}
	off := p.tok.off
	p.advance()
	y := p.sum()
	if p.err == nil {
		switch p.tok.kind {
		case tEq, tNe, tLt, tLe, tGt, tGe, tIn:
			p.fail(p.tok.off, "comparisons cannot be chained: join them with and")
		}
	}
	return p.a.node(Expr{Op: op, Args: p.a.list(x, y), Off: int32(off)})
}

func (p *parser) in(x *Expr, op Op, off int) *Expr {
	p.advance() // in
	e := p.a.node(Expr{Op: op, Off: int32(off)})
	var buf [16]*Expr
	items := append(buf[:0], x)
	switch p.tok.kind {
	case tName:
		e.Name = p.tok.text
		p.advance()
	case tLParen:
		p.advance()
		for p.err == nil {
			items = append(items, p.sum())
			if p.tok.kind == tComma {
				p.advance()
				continue
			}
			if p.tok.kind != tRParen {
				p.fail(p.tok.off, "expected , or ) in the list, found "+describe(p.tok))
				break
			}
			p.advance()
			break
		}
	default:
		p.fail(p.tok.off, "expected a list in parentheses or a list name after in, found "+describe(p.tok))
	}
	e.Args = p.a.list(items...)
	if p.err == nil {
		switch p.tok.kind {
		case tEq, tNe, tLt, tLe, tGt, tGe, tIn:
			p.fail(p.tok.off, "comparisons cannot be chained: join them with and")
		}
	}
	return e
}

func (p *parser) sum() *Expr {
	x := p.unary()
	for p.err == nil && (p.tok.kind == tPlus || p.tok.kind == tMinus) {
		op := OpAdd
		if p.tok.kind == tMinus {
			op = OpSub
		}
		off := p.tok.off
		p.advance()
		x = p.a.node(Expr{Op: op, Args: p.a.list(x, p.unary()), Off: int32(off)})
	}
	return x
}

func (p *parser) unary() *Expr {
	if p.tok.kind == tMinus {
		if !p.enter() {
			return nil
		}
		defer func() { p.depth-- }()
		off := p.tok.off
		p.advance()
		return p.a.node(Expr{Op: OpNeg, Args: p.a.list(p.unary()), Off: int32(off)})
	}
	return p.primary()
}

func (p *parser) primary() *Expr {
	t := p.tok
	switch t.kind {
	case tNumber:
		p.advance()
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil || v > 1e15 {
			p.fail(t.off, "number "+t.text+" is too large")
			return nil
		}
		return p.a.node(Expr{Op: OpNumber, Num: v, Off: int32(t.off)})
	case tString:
		p.advance()
		s, err := strconv.Unquote(t.text)
		if err != nil {
			p.fail(t.off, "invalid escape in string "+t.text)
			return nil
		}
		return p.a.node(Expr{Op: OpString, Name: s, Off: int32(t.off)})
	case tTrue:
		p.advance()
		return p.a.node(Expr{Op: OpTrue, Off: int32(t.off)})
	case tFalse:
		p.advance()
		return p.a.node(Expr{Op: OpFalse, Off: int32(t.off)})
	case tName:
		p.advance()
		if p.tok.kind != tLParen {
			return p.a.node(Expr{Op: OpName, Name: t.text, Off: int32(t.off)})
		}
		p.advance()
		call := p.a.node(Expr{Op: OpCall, Name: t.text, Off: int32(t.off)})
		if p.tok.kind == tRParen {
			p.advance()
			return call
		}
		var buf [16]*Expr
		args := buf[:0]
		for p.err == nil {
			args = append(args, p.expr())
			if p.tok.kind == tComma {
				p.advance()
				continue
			}
			if p.tok.kind != tRParen {
				p.fail(p.tok.off, "expected , or ) after an argument of "+t.text+", found "+describe(p.tok))
				break
			}
			p.advance()
			break
		}
		call.Args = p.a.list(args...)
		return call
	case tLParen:
		p.advance()
		x := p.expr()
		if p.err == nil && p.tok.kind != tRParen {
			p.fail(p.tok.off, "expected ), found "+describe(p.tok))
		}
		p.advance()
		return x
	}
	p.fail(t.off, "expected a value, found "+describe(t))
	return nil
}

// Walk calls f for e and every node below it, parents first.
func Walk(e *Expr, f func(*Expr)) {
	if e == nil {
		return
	}
	f(e)
	for _, a := range e.Args {
		Walk(a, f)
	}
}

// Equal reports whether two trees are the same rule: the same operations,
// names and literals, whatever their offsets.
func Equal(a, b *Expr) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Op != b.Op || a.Name != b.Name || len(a.Args) != len(b.Args) {
		return false
	}
	if a.Num != b.Num && !(a.Num != a.Num && b.Num != b.Num) {
		return false
	}
	for i := range a.Args {
		if !Equal(a.Args[i], b.Args[i]) {
			return false
		}
	}
	return true
}
