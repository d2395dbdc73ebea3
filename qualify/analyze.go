package qualify

// Never reports whether a checked condition can be proven never to hold:
// false itself, a conjunction whose comparisons of one value contradict
// each other (score > 10 and score < 5, industry == "a" and industry ==
// "b"), or the negation of a condition that always holds. It is
// conservative: false means "not proven", not "satisfiable".
func (m *Model) Never(e *Expr) bool {
	switch e.Op {
	case OpFalse:
		return true
	case OpNot:
		return m.Always(e.Args[0])
	case OpOr:
		return m.Never(e.Args[0]) && m.Never(e.Args[1])
	case OpAnd:
		if m.Never(e.Args[0]) || m.Never(e.Args[1]) {
			return true
		}
		return m.contradicts(e)
	}
	return m.contradicts(e)
}

// Always reports whether a checked condition can be proven always to hold.
func (m *Model) Always(e *Expr) bool {
	switch e.Op {
	case OpTrue:
		return true
	case OpNot:
		return m.Never(e.Args[0])
	case OpOr:
		return m.Always(e.Args[0]) || m.Always(e.Args[1])
	case OpAnd:
		return m.Always(e.Args[0]) && m.Always(e.Args[1])
	}
	return false
}

// bounds is what a conjunction allows for one value: an interval and, for
// choices, a set of ordinals.
type bounds struct {
	lo, hi       float64
	loOpen       bool
	hiOpen       bool
	enum         bool
	set          []uint64 // allowed ordinals; nil: all within the interval
	excluded     []uint64 // ordinals ruled out by !=
	excludedNums []float64
}

// contradicts reports whether the comparisons of a conjunction rule each
// other out for some value.
func (m *Model) contradicts(e *Expr) bool {
	var atoms []*Expr
	var flatten func(*Expr)
	flatten = func(x *Expr) {
		if x.Op == OpAnd {
			flatten(x.Args[0])
			flatten(x.Args[1])
			return
		}
		atoms = append(atoms, x)
	}
	flatten(e)
	vals := map[string]*bounds{}
	get := func(key string, enum bool, size int) *bounds {
		b := vals[key]
		if b == nil {
			b = &bounds{lo: -1e300, hi: 1e300, enum: enum}
			if enum {
				b.lo, b.hi = 0, float64(size-1)
			}
			vals[key] = b
		}
		return b
	}
	for _, a := range atoms {
		switch a.Op {
		case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
			x, lit, op := a.Args[0], a.Args[1], a.Op
			if x.Op != OpName && lit.Op == OpName {
				x, lit, op = lit, x, flip(op)
			}
			if x.Op != OpName {
				continue
			}
			var v float64
			switch {
			case lit.Op == OpNumber && x.Type.Kind == KindNumber:
				v = lit.Num
			case lit.Op == OpString && lit.ref == refOption && x.Type.Kind == KindEnum:
				v = float64(lit.idx)
			default:
				continue
			}
			b := get(x.Name, x.Type.Kind == KindEnum, m.enumSize(x.Type))
			switch op {
			case OpEq:
				b.tighten(v, false, v, false)
			case OpLt:
				b.tighten(-1e300, false, v, true)
			case OpLe:
				b.tighten(-1e300, false, v, false)
			case OpGt:
				b.tighten(v, true, 1e300, false)
			case OpGe:
				b.tighten(v, false, 1e300, false)
			case OpNe:
				if b.enum {
					for len(b.excluded) <= int(v)/64 {
						b.excluded = append(b.excluded, 0)
					}
					b.excluded[int(v)/64] |= 1 << (int(v) % 64)
				} else {
					b.excludedNums = append(b.excludedNums, v)
				}
			}
		case OpIn:
			x := a.Args[0]
			if x.Op != OpName || x.Type.Kind != KindEnum {
				continue
			}
			b := get(x.Name, true, m.enumSize(x.Type))
			var words []uint64
			if a.set != nil {
				words = *a.set
			}
			if b.set == nil {
				b.set = append([]uint64{}, words...)
			} else {
				for i := range b.set {
					if i < len(words) {
						b.set[i] &= words[i]
					} else {
						b.set[i] = 0
					}
				}
			}
		case OpNotIn:
			x := a.Args[0]
			if x.Op != OpName || x.Type.Kind != KindEnum {
				continue
			}
			b := get(x.Name, true, m.enumSize(x.Type))
			if a.set == nil {
				continue
			}
			for i, w := range *a.set {
				for len(b.excluded) <= i {
					b.excluded = append(b.excluded, 0)
				}
				b.excluded[i] |= w
			}
		}
	}
	for _, b := range vals {
		if b.empty() {
			return true
		}
	}
	return false
}

func flip(op Op) Op {
	switch op {
	case OpLt:
		return OpGt
	case OpLe:
		return OpGe
	case OpGt:
		return OpLt
	case OpGe:
		return OpLe
	}
	return op
}

func (m *Model) enumSize(t Type) int {
	if t.Enum == EnumGrades {
		return len(m.Grades)
	}
	if t.Enum >= 0 && int(t.Enum) < len(m.Fields) {
		return len(m.Fields[t.Enum].Options)
	}
	return 0
}

func (b *bounds) tighten(lo float64, loOpen bool, hi float64, hiOpen bool) {
	if lo > b.lo || lo == b.lo && loOpen {
		b.lo, b.loOpen = lo, loOpen
	}
	if hi < b.hi || hi == b.hi && hiOpen {
		b.hi, b.hiOpen = hi, hiOpen
	}
}

func (b *bounds) empty() bool {
	if b.lo > b.hi || b.lo == b.hi && (b.loOpen || b.hiOpen) {
		return true
	}
	if !b.enum {
		if b.lo == b.hi {
			for _, v := range b.excludedNums {
				if v == b.lo {
					return true
				}
			}
		}
		return false
	}
	// Choices: look for one allowed ordinal.
	for o := int(b.lo); float64(o) <= b.hi; o++ {
		if float64(o) == b.lo && b.loOpen || float64(o) == b.hi && b.hiOpen {
			continue
		}
		if b.set != nil && !bit(b.set, o) || bit(b.excluded, o) {
			continue
		}
		return false
	}
	return true
}
