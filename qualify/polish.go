package qualify

import (
	"github.com/winnowhq/winnow/qualify/internal/num"
	"github.com/winnowhq/winnow/qualify/internal/str"
)

// Canonical text holds each rule in prefix (Polish) notation: every node
// one word, its operation before its operands, so that reading it back
// needs neither the rule parser nor the checker's diagnostics, which the
// browser's widget would otherwise carry. `fit >= "B" and seats in (10,
// 50)` is written
//
//	& >= fit "B" in/2 seats 10 50
//
// Words: a number; a string in Go quotes; true, false; a name; an
// operation: ~ (negation), + -, == != < <= > >=, ! (not), & (and), | (or);
// in/N and !in/N (not in) before the value and N list items; in:list and
// !in:list for a named list; f/N for a call of function f with N
// arguments. Strings never hold a space unquoted: canonical strings are
// quoted with every space kept inside the quotes, so words split on the
// spaces outside quotes.

var polishOps = [...]string{
	OpNeg: "~", OpAdd: "+", OpSub: "-", OpEq: "==", OpNe: "!=", OpLt: "<", OpLe: "<=",
	OpGt: ">", OpGe: ">=", OpNot: "!", OpAnd: "&", OpOr: "|",
}

// writePolish appends the prefix form of e to b.
func writePolish(b *str.Builder, e *Expr) {
	switch e.Op {
	case OpNumber:
		b.WriteString(num.FormatExact(e.Num))
	case OpString:
		b.WriteString(str.Quote(e.Name))
	case OpTrue:
		b.WriteString("true")
	case OpFalse:
		b.WriteString("false")
	case OpName:
		b.WriteString(e.Name)
	case OpCall:
		b.WriteString(e.Name)
		b.WriteByte('/')
		b.WriteString(num.Itoa(len(e.Args)))
	case OpIn, OpNotIn:
		if e.Op == OpNotIn {
			b.WriteByte('!')
		}
		if e.Name != "" {
			b.WriteString("in:")
			b.WriteString(e.Name)
		} else {
			b.WriteString("in/")
			b.WriteString(num.Itoa(len(e.Args) - 1))
		}
	default:
		b.WriteString(polishOps[e.Op])
	}
	for _, a := range e.Args {
		b.WriteByte(' ')
		writePolish(b, a)
	}
}

// Polish returns the prefix form of e, as canonical text holds it.
func Polish(e *Expr) string {
	var b str.Builder
	writePolish(&b, e)
	return b.String()
}

// polishReader reads a rule's prefix form into nodes of an arena.
type polishReader struct {
	src string
	a   *arena
	err string
}

func (r *polishReader) fail(msg string) *Expr {
	if r.err == "" {
		r.err = msg
	}
	return nil
}

// word returns the next word: up to a space outside quotes.
func (r *polishReader) word() string {
	s := r.src
	i := 0
	if i < len(s) && s[0] == '"' {
		for i = 1; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' {
				i++
			}
		}
		i++
	}
	for i < len(s) && s[i] != ' ' {
		i++
	}
	w := s[:min(i, len(s))]
	if i < len(s) {
		i++ // the space
	}
	r.src = s[min(i, len(s)):]
	return w
}

// count reads the N of in/N or f/N.
func (r *polishReader) count(s string) int {
	n, ok := num.Atoi(s)
	if !ok || n < 0 || n > int64(len(r.src)) {
		r.fail("bad operand count " + str.Quote(s))
		return -1
	}
	return int(n)
}

func (r *polishReader) node(depth int) *Expr {
	if r.err != "" {
		return nil
	}
	if depth > maxDepth {
		return r.fail("rule is nested too deeply")
	}
	if r.src == "" {
		return r.fail("rule ends too early")
	}
	w := r.word()
	if w == "" {
		return r.fail("empty word in a rule")
	}
	e := Expr{Op: OpInvalid}
	arity := 0
	switch c := w[0]; {
	case c == '"':
		s, ok := str.Unquote(w)
		if !ok {
			return r.fail("invalid string " + w)
		}
		e.Op, e.Name = OpString, s
	case c >= '0' && c <= '9':
		v, ok := num.ParseExact(w)
		if !ok || v > 1e15 {
			return r.fail("invalid number " + str.Quote(w))
		}
		e.Op, e.Num = OpNumber, v
	case w == "true":
		e.Op = OpTrue
	case w == "false":
		e.Op = OpFalse
	case str.HasPrefix(w, "in/") || str.HasPrefix(w, "!in/"):
		e.Op = OpIn
		if c == '!' {
			e.Op = OpNotIn
		}
		arity = r.count(w[str.IndexByte(w, '/')+1:])
		if arity < 1 {
			return r.fail("the list after in is empty")
		}
		arity++
	case str.HasPrefix(w, "in:") || str.HasPrefix(w, "!in:"):
		e.Op = OpIn
		if c == '!' {
			e.Op = OpNotIn
		}
		e.Name = w[str.IndexByte(w, ':')+1:]
		if !IsName(e.Name) {
			return r.fail("invalid list name " + str.Quote(e.Name))
		}
		arity = 1
	case isLetter(c):
		name, n, call := str.Cut(w, '/')
		if !IsName(name) {
			return r.fail("invalid name " + str.Quote(w))
		}
		e.Name = name
		e.Op = OpName
		if call {
			e.Op, arity = OpCall, r.count(n)
		}
	default:
		for op, text := range polishOps {
			if text == w && text != "" {
				e.Op = Op(op)
			}
		}
		switch e.Op {
		case OpInvalid:
			return r.fail("unknown word " + str.Quote(w) + " in a rule")
		case OpNeg, OpNot:
			arity = 1
		default:
			arity = 2
		}
	}
	if r.err != "" {
		return nil
	}
	x := r.a.node(e)
	if arity > 0 {
		var buf [16]*Expr
		args := buf[:0]
		for range arity {
			a := r.node(depth + 1)
			if a == nil {
				return nil
			}
			args = append(args, a)
		}
		x.Args = r.a.list(args...)
	}
	return x
}

// readPolish reads a rule in prefix form, which must end with the text.
func readPolish(src string, a *arena) (*Expr, string) {
	r := &polishReader{src: src, a: a}
	e := r.node(1)
	if r.err == "" && r.src != "" {
		r.fail("unexpected " + str.Quote(r.src) + " after the end of the rule")
	}
	if r.err != "" {
		return nil, r.err
	}
	return e, ""
}
