package qualify

import (
	"unicode/utf8"

	"github.com/winnowhq/winnow/qualify/internal/str"
)

// Value is the value of one field of a lead. Which member holds it depends
// on the field's type; a value that is not Known is missing.
type Value struct {
	Known bool
	Str   string  // Text, LongText, Email, Phone
	Num   float64 // Number
	Int   int64   // Choice: the option's ordinal; YesNo: 0 or 1; Date: Unix seconds
}

// Lead is what is known about one lead, laid out for a model: a value per
// field and the latest instant of each signal.
type Lead struct {
	Values  []Value // indexed like Model.Fields
	Signals []int64 // indexed like Model.Signals: Unix seconds, 0 when never
}

// NewLead returns an empty lead laid out for m.
func (m *Model) NewLead() Lead {
	return Lead{Values: make([]Value, len(m.Fields)), Signals: make([]int64, len(m.Signals))}
}

// SecondsPerDay is the length of a day as rules count it.
const SecondsPerDay = 86400

// evaluation holds the state of one Evaluate: the lead, the clock, and what
// has been computed so far.
type evaluation struct {
	m         *Model
	lead      *Lead
	now       int64
	score     float64
	fitPoints int
	grade     int    // index into m.Grades
	fwDone    uint64 // frameworks whose criteria are counted in fwMet
	fwMet     [8]uint64

	// Text tests of a field (free_email(email), gibberish(name)) asked by
	// several rules are computed once: bit i for field i < 64.
	memoDone [3]uint64
	memoTrue [3]uint64
}

func (ev *evaluation) value(i int) *Value {
	if i < len(ev.lead.Values) {
		return &ev.lead.Values[i]
	}
	return &missing
}

// missing is the value of a field a lead has no slot for.
var missing Value

func (ev *evaluation) signal(i int) int64 {
	if i < len(ev.lead.Signals) {
		return ev.lead.Signals[i]
	}
	return 0
}

// met returns the criteria of framework i that the lead meets, as bits.
func (ev *evaluation) met(i int) uint64 {
	if i < 0 || i >= len(ev.m.Frameworks) {
		return 0
	}
	if i < len(ev.fwMet) && ev.fwDone&(1<<i) != 0 {
		return ev.fwMet[i]
	}
	var bits uint64
	for j := range ev.m.Frameworks[i].Criteria {
		if j < 64 && ev.truth(ev.m.Frameworks[i].Criteria[j].When.Expr) {
			bits |= 1 << j
		}
	}
	if i < len(ev.fwMet) {
		ev.fwDone |= 1 << i
		ev.fwMet[i] = bits
	}
	return bits
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// truth evaluates a condition. A comparison with a missing value is false.
func (ev *evaluation) truth(e *Expr) bool {
	switch e.Op {
	case OpTrue:
		return true
	case OpFalse:
		return false
	case OpNot:
		return !ev.truth(e.Args[0])
	case OpAnd:
		return ev.truth(e.Args[0]) && ev.truth(e.Args[1])
	case OpOr:
		return ev.truth(e.Args[0]) || ev.truth(e.Args[1])
	case OpName:
		v, ok := ev.boolean(e)
		return ok && v
	case OpCall:
		return ev.callBool(e)
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		return ev.compare(e)
	case OpIn, OpNotIn:
		in, ok := ev.in(e)
		return ok && in == (e.Op == OpIn)
	}
	return false
}

// boolean reads a yes/no field.
func (ev *evaluation) boolean(e *Expr) (bool, bool) {
	if e.Op == OpName && e.ref == refField {
		v := ev.value(int(e.idx))
		return v.Int != 0, v.Known
	}
	return ev.truth(e), true
}

func (ev *evaluation) compare(e *Expr) bool {
	a, b := e.Args[0], e.Args[1]
	var c int
	switch a.Type.Kind {
	case KindNumber:
		x, ok1 := ev.num(a)
		y, ok2 := ev.num(b)
		if !ok1 || !ok2 {
			return false
		}
		switch {
		case x < y:
			c = -1
		case x > y:
			c = 1
		}
	case KindEnum:
		x, ok1 := ev.ord(a)
		y, ok2 := ev.ord(b)
		if !ok1 || !ok2 {
			return false
		}
		c = x - y
	case KindString:
		x, ok1 := ev.str(a)
		y, ok2 := ev.str(b)
		if !ok1 || !ok2 {
			return false
		}
		c = str.Compare(x, y)
	case KindBool:
		x, ok1 := ev.boolean(a)
		y, ok2 := ev.boolean(b)
		if !ok1 || !ok2 {
			return false
		}
		if x != y {
			c = 1
		}
	default:
		return false
	}
	switch e.Op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	}
	return false
}

// in reports whether the left side is in the list; ok is false when the
// left side is missing.
func (ev *evaluation) in(e *Expr) (in, ok bool) {
	x := e.Args[0]
	switch x.Type.Kind {
	case KindEnum:
		o, ok := ev.ord(x)
		return ok && hasBit(e.set, o), ok
	case KindNumber:
		v, ok := ev.num(x)
		if !ok {
			return false, false
		}
		for _, a := range e.Args[1:] {
			if a.Num == v {
				return true, true
			}
		}
		return false, true
	case KindString:
		s, ok := ev.str(x)
		if !ok {
			return false, false
		}
		if e.ref == refList {
			for _, v := range ev.m.Lists[e.idx].Values {
				if v == s {
					return true, true
				}
			}
			return false, true
		}
		for _, a := range e.Args[1:] {
			if a.Name == s {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

func (ev *evaluation) num(e *Expr) (float64, bool) {
	switch e.Op {
	case OpNumber:
		return e.Num, true
	case OpNeg:
		v, ok := ev.num(e.Args[0])
		return -v, ok
	case OpAdd, OpSub:
		x, ok1 := ev.num(e.Args[0])
		y, ok2 := ev.num(e.Args[1])
		if e.Op == OpSub {
			y = -y
		}
		return x + y, ok1 && ok2
	case OpName:
		switch e.ref {
		case refField:
			v := ev.value(int(e.idx))
			return v.Num, v.Known
		case refConst:
			return ev.m.Consts[e.idx].Value, true
		case refScore:
			return ev.score, true
		case refFitPoints:
			return float64(ev.fitPoints), true
		case refFramework:
			i := e.idx
			if i < 0 {
				i = int32(ev.m.Framework)
			}
			return float64(popcount(ev.met(int(i)))), true
		}
	case OpCall:
		switch builtin(e.idx) {
		case bCount:
			n := 0
			for _, a := range e.Args {
				if a.Type.Kind == KindBool {
					if ev.truth(a) {
						n++
					}
				} else if ev.known(a) {
					n++
				}
			}
			return float64(n), true
		case bDaysSince:
			t, ok := ev.time(e.Args[0])
			if !ok {
				return 0, false
			}
			return float64(floorDiv(ev.now-t, SecondsPerDay)), true
		case bLen:
			s, ok := ev.str(e.Args[0])
			return float64(utf8.RuneCountInString(s)), ok
		case bLinks:
			s, ok := ev.str(e.Args[0])
			return float64(Links(s)), ok
		}
	}
	return 0, false
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (ev *evaluation) ord(e *Expr) (int, bool) {
	switch e.Op {
	case OpString:
		return int(e.idx), e.ref == refOption
	case OpName:
		switch e.ref {
		case refField:
			v := ev.value(int(e.idx))
			return int(v.Int), v.Known
		case refFit:
			return gradeOrdinal(ev.m, ev.grade), true
		}
	}
	return 0, false
}

func (ev *evaluation) str(e *Expr) (string, bool) {
	switch e.Op {
	case OpString:
		return e.Name, true
	case OpName:
		if e.ref == refField {
			v := ev.value(int(e.idx))
			return v.Str, v.Known
		}
	case OpCall:
		if builtin(e.idx) == bDomain {
			s, ok := ev.str(e.Args[0])
			return Domain(s), ok
		}
	}
	return "", false
}

func (ev *evaluation) time(e *Expr) (int64, bool) {
	if e.Op == OpName {
		switch e.ref {
		case refField:
			v := ev.value(int(e.idx))
			return v.Int, v.Known
		case refSignal:
			t := ev.signal(int(e.idx))
			return t, t != 0
		}
	}
	return 0, false
}

// known reports whether a value of any kind is known.
func (ev *evaluation) known(e *Expr) bool {
	switch e.Type.Kind {
	case KindBool:
		_, ok := ev.boolean(e)
		return ok
	case KindNumber:
		_, ok := ev.num(e)
		return ok
	case KindString:
		s, ok := ev.str(e)
		return ok && s != ""
	case KindEnum:
		_, ok := ev.ord(e)
		return ok
	case KindTime:
		_, ok := ev.time(e)
		return ok
	}
	return false
}

func (ev *evaluation) callBool(e *Expr) bool {
	switch b := builtin(e.idx); b {
	case bKnown:
		return ev.known(e.Args[0])
	case bFreeEmail, bDisposableEmail, bGibberish:
		a := e.Args[0]
		if a.Op != OpName || a.ref != refField || a.idx >= 64 {
			return ev.textTest(b, a)
		}
		k, bit := b-bFreeEmail, uint64(1)<<a.idx
		if ev.memoDone[k]&bit == 0 {
			ev.memoDone[k] |= bit
			if ev.textTest(b, a) {
				ev.memoTrue[k] |= bit
			}
		}
		return ev.memoTrue[k]&bit != 0
	case bContains, bStartsWith, bEndsWith:
		s, ok1 := ev.str(e.Args[0])
		t, ok2 := ev.str(e.Args[1])
		if !ok1 || !ok2 {
			return false
		}
		switch builtin(e.idx) {
		case bContains:
			return str.IndexFold(s, t) >= 0
		case bStartsWith:
			return len(s) >= len(t) && str.EqualFold(s[:len(t)], t)
		default:
			return len(s) >= len(t) && str.EqualFold(s[len(s)-len(t):], t)
		}
	}
	return false
}

// textTest runs free_email, disposable_email or gibberish on a value.
func (ev *evaluation) textTest(b builtin, arg *Expr) bool {
	s, ok := ev.str(arg)
	if !ok {
		return false
	}
	if b == bGibberish {
		return Gibberish(s)
	}
	d := Domain(s)
	if d == "" {
		return false
	}
	c := ev.m.Domains
	if c == nil {
		c = CommonDomains
	}
	if b == bFreeEmail {
		return c.Free(d)
	}
	return c.Disposable(d)
}

// Domain returns the lower-case domain of an email address: what follows
// the last @, or the whole text when there is no @.
func Domain(email string) string {
	d := email[str.LastIndexByte(email, '@')+1:]
	for i := 0; i < len(d); i++ {
		if c := d[i]; c >= 'A' && c <= 'Z' {
			return str.ToLower(d)
		}
	}
	return d
}

// decayed returns points × 2^(-age/halfLife) in hundredths of a point,
// rounded half up, with integers only: the exponent in 2^-24 steps, the
// fraction of a half-life read from halfPow and interpolated linearly.
func decayed(points int, age, halfLife int64) int64 {
	cents := int64(points) * 100
	if halfLife <= 0 || age <= 0 {
		return cents
	}
	if age/62 >= halfLife {
		return 0 // below a hundredth of a point for any points a rule may give
	}
	// Half-lives longer than 2^38 s (8,700 years) lose precision they
	// cannot use, so that the shifts below cannot overflow.
	x, h := uint64(age), uint64(halfLife)
	for h >= 1<<38 {
		x, h = x>>1, h>>1
	}
	q := x/h<<24 + x%h<<24/h // age/halfLife in 2^-24 steps
	whole, idx, rem := q>>24, (q>>16)&255, q&0xffff
	lo := uint64(halfPow[idx])
	hi := uint64(halfPow[0]) / 2
	if idx < 255 {
		hi = uint64(halfPow[idx+1])
	}
	f := int64((lo - (lo-hi)*rem>>16) >> whole)
	neg := cents < 0
	if neg {
		cents = -cents
	}
	v := (cents*f + 1<<29) >> 30
	if neg {
		v = -v
	}
	return v
}
