package qualify

// resolve does for a rule read from canonical text what Check does for a
// rule from content: it resolves names, types, option ordinals and sets in
// place, by the same rules and the same signatures (ops.go). Canonical
// text comes from a checked model, so resolve only says whether the rule
// is valid in ctx; Check says why not, with messages and suggestions the
// widget has no use for. Both must agree on every rule: FuzzParse holds
// them to it.
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

// node types e by its operation's signature, as checker.node does.
func (r *resolver) node(e *Expr) Type {
	s := signatureOf(e.Op)
	switch s.form {
	case formLiteral:
	case formName:
		return r.name(e)
	case formCall:
		return r.call(e)
	case formArgs:
		r.operands(e, s)
	case formCompare:
		r.compare(e, s)
	case formMember:
		r.in(e, s)
	default:
		return r.fail()
	}
	return Type{Kind: s.result}
}

func (r *resolver) fail() Type {
	r.ok = false
	return Type{}
}

// operands types the operands of e by its signature s.
func (r *resolver) operands(e *Expr, s *signature) {
	n := s.arity()
	if len(e.Args) < n || !s.vararg && len(e.Args) != n {
		r.fail()
		return
	}
	for i, a := range e.Args {
		if !s.args[min(i, n-1)].has(r.expr(a).Kind) {
			r.fail()
		}
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
	i := builtinIndex(e.Name)
	if i < 0 {
		return r.fail()
	}
	e.ref, e.idx = refBuiltin, int32(i)
	s := &builtins[i].signature
	r.operands(e, s)
	return Type{Kind: s.result}
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

func (r *resolver) compare(e *Expr, s *signature) {
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
	if ta != tb || !s.args[0].has(ta.Kind) {
		r.fail()
	}
}

func (r *resolver) in(e *Expr, s *signature) {
	m := r.m
	t := r.expr(e.Args[0])
	if !s.args[0].has(t.Kind) {
		r.fail()
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
		if li < 0 || item != KindString {
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
		if as := signatureOf(a.Op); as.form != formLiteral || as.result != item {
			r.fail()
			continue
		}
		a.Type = Type{Kind: item}
		if t.Kind == KindEnum && r.literal(a, t) {
			setBit(&e.set, int(a.idx))
		}
	}
}
