package qualify

// resolve does for a rule read from canonical text what Check does for a
// rule from content: it resolves names, types, option ordinals and sets in
// place, by the same rules. Canonical text comes from a checked model, so
// resolve only says whether the rule is valid in ctx; Check says why not,
// with messages and suggestions the widget has no use for. Both must agree
// on every rule: FuzzParse holds them to it.
func (m *Model) resolve(e *Expr, ctx Context) bool {
	r := resolver{m: m, ctx: ctx, ok: true}
	return r.expr(e).Kind == KindBool && r.ok
}

type resolver struct {
	m   *Model
	ctx Context
	ok  bool
}

func (r *resolver) expr(e *Expr) Type {
	t := r.node(e)
	e.Type = t
	return t
}

func (r *resolver) node(e *Expr) Type {
	switch e.Op {
	case OpNumber:
		return typeNumber
	case OpString:
		return typeString
	case OpTrue, OpFalse:
		return typeBool
	case OpName:
		return r.name(e)
	case OpCall:
		return r.call(e)
	case OpNeg:
		r.want(e.Args[0], typeNumber)
		return typeNumber
	case OpAdd, OpSub:
		r.want(e.Args[0], typeNumber)
		r.want(e.Args[1], typeNumber)
		return typeNumber
	case OpNot:
		r.want(e.Args[0], typeBool)
		return typeBool
	case OpAnd, OpOr:
		r.want(e.Args[0], typeBool)
		r.want(e.Args[1], typeBool)
		return typeBool
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		r.compare(e)
		return typeBool
	case OpIn, OpNotIn:
		r.in(e)
		return typeBool
	}
	return r.fail()
}

func (r *resolver) fail() Type {
	r.ok = false
	return Type{}
}

func (r *resolver) want(e *Expr, t Type) {
	if got := r.expr(e); got != t {
		r.fail()
	}
}

// refValue resolves e, a name, when it names a field, a signal or a
// constant, and returns its type; ok is false when it names none.
func (m *Model) refValue(e *Expr) (t Type, ok bool) {
	if i := m.FieldIndex(e.Name); i >= 0 {
		e.ref, e.idx = refField, int32(i)
		k := m.Fields[i].Type.kind()
		if k == KindEnum {
			return Type{Kind: KindEnum, Enum: int32(i)}, true
		}
		return Type{Kind: k}, true
	}
	if i := m.SignalIndex(e.Name); i >= 0 {
		e.ref, e.idx = refSignal, int32(i)
		return typeTime, true
	}
	for i := range m.Consts {
		if m.Consts[i].Name == e.Name {
			e.ref, e.idx = refConst, int32(i)
			return typeNumber, true
		}
	}
	return Type{}, false
}

func (r *resolver) name(e *Expr) Type {
	m := r.m
	if t, ok := m.refValue(e); ok {
		return t
	}
	for i := range m.Lists {
		if m.Lists[i].Name == e.Name {
			return r.fail()
		}
	}
	switch e.Name {
	case NameScore, NameFitPoints, NameFit:
		if r.ctx == InPoint {
			return r.fail()
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
		if r.ctx == InPoint || r.ctx == InCriterion || len(m.Frameworks) == 0 {
			return r.fail()
		}
		e.ref, e.idx = refFramework, -1
		return typeNumber
	}
	if i := m.FrameworkIndex(e.Name); i >= 0 {
		if r.ctx == InPoint || r.ctx == InCriterion {
			return r.fail()
		}
		e.ref, e.idx = refFramework, int32(i)
		return typeNumber
	}
	return r.fail()
}

func (r *resolver) call(e *Expr) Type {
	var spec *builtinSpec
	for i := range builtins {
		if builtins[i].name == e.Name {
			spec = &builtins[i]
			e.ref, e.idx = refBuiltin, int32(i)
			break
		}
	}
	if spec == nil {
		return r.fail()
	}
	n := len(spec.args)
	if spec.vararg && len(e.Args) < n || !spec.vararg && len(e.Args) != n {
		return r.fail()
	}
	for i, a := range e.Args {
		k := spec.args[min(i, n-1)]
		if got := r.expr(a); k != KindInvalid && got.Kind != k {
			r.fail()
		}
	}
	return Type{Kind: spec.result}
}

// literal resolves lit, a string literal compared with a value of type t,
// to an option of t, as checker.literalFor does.
func (r *resolver) literal(lit *Expr, t Type) bool {
	m := r.m
	if t.Enum == EnumGrades {
		if i := m.GradeIndex(lit.Name); i >= 0 {
			lit.ref, lit.idx, lit.Type = refOption, int32(gradeOrdinal(m, i)), t
			return true
		}
		r.fail()
		return false
	}
	for i, o := range m.Fields[t.Enum].Options {
		if o.Value == lit.Name {
			lit.ref, lit.idx, lit.Type = refOption, int32(i), t
			return true
		}
	}
	r.fail()
	return false
}

func (r *resolver) compare(e *Expr) {
	a, b := e.Args[0], e.Args[1]
	ta, tb := r.expr(a), r.expr(b)
	if ta.Kind == KindInvalid || tb.Kind == KindInvalid {
		r.fail()
		return
	}
	if ta.Kind == KindEnum && b.Op == OpString {
		if !r.literal(b, ta) {
			return
		}
		tb = ta
	} else if tb.Kind == KindEnum && a.Op == OpString {
		if !r.literal(a, tb) {
			return
		}
		ta = tb
	}
	if ta != tb || ta.Kind == KindTime ||
		(ta.Kind == KindBool || ta.Kind == KindString) && e.Op != OpEq && e.Op != OpNe {
		r.fail()
	}
}

func (r *resolver) in(e *Expr) {
	m := r.m
	t := r.expr(e.Args[0])
	switch t.Kind {
	case KindString, KindEnum, KindNumber:
	default:
		r.fail()
		return
	}
	if e.Name != "" {
		li := -1
		for i := range m.Lists {
			if m.Lists[i].Name == e.Name {
				li = i
			}
		}
		if li < 0 || t.Kind == KindNumber {
			r.fail()
			return
		}
		e.ref, e.idx = refList, int32(li)
		if t.Kind == KindEnum {
			for _, v := range m.Lists[li].Values {
				lit := &Expr{Op: OpString, Name: v}
				if r.literal(lit, t) {
					setBit(&e.set, int(lit.idx))
				}
			}
		}
		return
	}
	if len(e.Args) < 2 {
		r.fail()
		return
	}
	for _, a := range e.Args[1:] {
		switch {
		case a.Op == OpString && (t.Kind == KindString || t.Kind == KindEnum):
			a.Type = typeString
			if t.Kind == KindEnum && r.literal(a, t) {
				setBit(&e.set, int(a.idx))
			}
		case a.Op == OpNumber && t.Kind == KindNumber:
			a.Type = typeNumber
		default:
			r.fail()
		}
	}
}
