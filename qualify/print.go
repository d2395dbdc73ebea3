package qualify

import (
	"strconv"

	"github.com/winnowhq/winnow/qualify/internal/str"
)

// Precedence levels, loosest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precCmp
	precSum
	precUnary
	precPrimary
)

func precedence(e *Expr) int {
	switch e.Op {
	case OpOr:
		return precOr
	case OpAnd:
		return precAnd
	case OpNot:
		return precNot
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn:
		return precCmp
	case OpAdd, OpSub:
		return precSum
	case OpNeg:
		return precUnary
	}
	return precPrimary
}

// Print returns the canonical text of a rule: single spaces around
// operators, parentheses only where the tree needs them, strings in double
// quotes. Parse(Print(e)) is equal to e.
func Print(e *Expr) string {
	var b str.Builder
	printExpr(&b, e, precOr)
	return b.String()
}

// FormatNumber formats a number the way rules print it: no exponent, no
// trailing zeros.
func FormatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func printExpr(b *str.Builder, e *Expr, min int) {
	if e == nil {
		b.WriteString("<nil>")
		return
	}
	p := precedence(e)
	if p < min {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch e.Op {
	case OpNumber:
		b.WriteString(FormatNumber(e.Num))
	case OpString:
		b.WriteString(strconv.Quote(e.Name))
	case OpTrue:
		b.WriteString("true")
	case OpFalse:
		b.WriteString("false")
	case OpName:
		b.WriteString(e.Name)
	case OpCall:
		b.WriteString(e.Name)
		b.WriteByte('(')
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			printExpr(b, a, precOr)
		}
		b.WriteByte(')')
	case OpNeg:
		// -(-x) and -(a + b) rather than --x and -a + b.
		b.WriteByte('-')
		printExpr(b, e.Args[0], precPrimary)
	case OpNot:
		// not (seats >= 10) reads better than the equal not seats >= 10.
		b.WriteString("not ")
		printExpr(b, e.Args[0], precPrimary)
	case OpAdd, OpSub, OpAnd, OpOr:
		// Left-associative: the right operand binds one level tighter.
		printExpr(b, e.Args[0], p)
		b.WriteByte(' ')
		b.WriteString(opText[e.Op])
		b.WriteByte(' ')
		printExpr(b, e.Args[1], p+1)
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		printExpr(b, e.Args[0], precSum)
		b.WriteByte(' ')
		b.WriteString(opText[e.Op])
		b.WriteByte(' ')
		printExpr(b, e.Args[1], precSum)
	case OpIn, OpNotIn:
		printExpr(b, e.Args[0], precSum)
		b.WriteByte(' ')
		b.WriteString(opText[e.Op])
		b.WriteByte(' ')
		if e.Name != "" {
			b.WriteString(e.Name)
			break
		}
		b.WriteByte('(')
		for i, a := range e.Args[1:] {
			if i > 0 {
				b.WriteString(", ")
			}
			printExpr(b, a, precSum)
		}
		b.WriteByte(')')
	default:
		b.WriteString("<invalid>")
	}
}
