package qualify

// NextChange returns the earliest instant after now (Unix seconds) at
// which lead's verdict may differ from its verdict at now through the
// passing of time alone: decaying points crossing a tier's bound or a
// threshold a rule compares the score with, or days_since(...) crossing a
// bound a rule compares it with. It returns 0 when time alone never
// changes the verdict.
//
// The instant may be one at which nothing changes after all (a threshold
// crossed where another part of the rule decides): the verdict is then
// computed again and the next instant asked for. It is never later than
// the first change, so a lead re-scored at each instant NextChange gives
// misses none.
func NextChange(m *Model, lead *Lead, now int64) int64 {
	ev := evaluation{m: m, lead: lead, now: now}
	n := nextChange{ev: &ev, now: now}
	for i := range m.Points {
		if w := m.Points[i].When; w != nil {
			n.walk(w.Expr)
		}
	}
	for i := range m.Stages {
		if r := m.Stages[i].Rule; r != nil {
			n.walk(r.Expr)
		}
	}
	for i := range m.Frameworks {
		for j := range m.Frameworks[i].Criteria {
			if w := m.Frameworks[i].Criteria[j].When; w != nil {
				n.walk(w.Expr)
			}
		}
	}
	for i := range m.Tiers {
		n.threshold(m.Tiers[i].Min)
	}
	return n.best
}

type nextChange struct {
	ev   *evaluation
	now  int64
	best int64

	terms  []term // the decaying points that hold now; filled on first use
	fixed  int64  // the points that do not decay, in hundredths
	horizn int64  // when every decaying point is gone
	scored bool
}

// term is a decaying point rule that holds: its points from the instant
// of its signal, halved every half seconds.
type term struct {
	points     int
	since      int64
	half       int64
	descending bool
}

func (n *nextChange) consider(t int64) {
	if t > n.now && (n.best == 0 || t < n.best) {
		n.best = t
	}
}

// walk looks for the comparisons of e whose truth time can change.
func (n *nextChange) walk(e *Expr) {
	if e == nil {
		return
	}
	switch e.Op {
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		a, b := e.Args[0], e.Args[1]
		if c, ok := n.constant(b); ok {
			n.compared(a, c)
		} else if c, ok := n.constant(a); ok {
			n.compared(b, c)
		} else {
			n.loose(a)
			n.loose(b)
		}
		return
	}
	for _, a := range e.Args {
		n.walk(a)
	}
}

// compared handles x compared with the constant c.
func (n *nextChange) compared(x *Expr, c float64) {
	switch {
	case x.Op == OpName && x.ref == refScore:
		n.threshold(c)
	case x.Op == OpCall && builtin(x.idx) == bDaysSince:
		if t, ok := n.ev.time(x.Args[0]); ok {
			// floor((now-t)/day) compared with c flips where it reaches c
			// or c+1, whatever the operator.
			k := int64(c)
			n.consider(t + k*SecondsPerDay)
			n.consider(t + (k+1)*SecondsPerDay)
		}
	default:
		n.loose(x)
	}
}

// loose handles time-dependent terms in an expression of another shape:
// the score's every change of a whole point, and days_since's every day.
func (n *nextChange) loose(e *Expr) {
	switch {
	case e.Op == OpName && e.ref == refScore:
		n.terms0()
		s := n.scoreAt(n.now)
		n.threshold(float64(s-100) / 100)
		n.threshold(float64(s+100) / 100)
	case e.Op == OpCall && builtin(e.idx) == bDaysSince:
		if t, ok := n.ev.time(e.Args[0]); ok {
			n.consider(t + (floorDiv(n.now-t, SecondsPerDay)+1)*SecondsPerDay)
		}
		return
	}
	for _, a := range e.Args {
		n.loose(a)
	}
}

// constant evaluates an expression that does not depend on the lead: a
// number, a named constant, or sums and negations of those.
func (n *nextChange) constant(e *Expr) (float64, bool) {
	switch e.Op {
	case OpNumber:
		return e.Num, true
	case OpName:
		if e.ref == refConst {
			return n.ev.m.Consts[e.idx].Value, true
		}
	case OpNeg:
		v, ok := n.constant(e.Args[0])
		return -v, ok
	case OpAdd, OpSub:
		x, ok1 := n.constant(e.Args[0])
		y, ok2 := n.constant(e.Args[1])
		if e.Op == OpSub {
			y = -y
		}
		return x + y, ok1 && ok2
	}
	return 0, false
}

// terms0 finds the points that hold now, once.
func (n *nextChange) terms0() {
	if n.scored {
		return
	}
	n.scored = true
	m, ev := n.ev.m, n.ev
	for i := range m.Points {
		p := &m.Points[i]
		if !ev.pointHolds(p) {
			continue
		}
		var half, since int64
		if p.Signal >= 0 {
			half, since = m.Signals[p.Signal].HalfLife, ev.signal(p.Signal)
		}
		if half <= 0 {
			n.fixed += int64(p.Points) * 100
			continue
		}
		n.terms = append(n.terms, term{points: p.Points, since: since, half: half, descending: p.Points > 0})
		if end := since + 62*half; end > n.horizn {
			n.horizn = end
		}
	}
}

// scoreAt is the score, in hundredths, of the points that hold now, at t.
func (n *nextChange) scoreAt(t int64) int64 {
	s := n.fixed
	for _, x := range n.terms {
		var age int64
		if t > x.since {
			age = t - x.since
		}
		s += decayed(x.points, age, x.half)
	}
	return s
}

// threshold considers the first instant the score is on another side of
// c (below, at or above it) than it is now.
func (n *nextChange) threshold(c float64) {
	n.terms0()
	if len(n.terms) == 0 || n.horizn <= n.now {
		return
	}
	cents := int64(c*100 + 0.5)
	if c < 0 {
		cents = int64(c*100 - 0.5)
	}
	side := func(t int64) int {
		s := n.scoreAt(t)
		switch {
		case s < cents:
			return -1
		case s > cents:
			return 1
		}
		return 0
	}
	start := side(n.now)
	monotone := true
	for _, x := range n.terms[1:] {
		monotone = monotone && x.descending == n.terms[0].descending
	}
	lo, hi := n.now, n.horizn
	if !monotone {
		// Points of both signs decay: find a step of the time ahead in
		// which the side changes, at most a sixteenth of the shortest
		// half-life long.
		step := n.terms[0].half
		for _, x := range n.terms {
			step = min(step, x.half)
		}
		step = max(step/16, 3600)
		for lo < n.horizn {
			next := min(lo+step, n.horizn)
			if side(next) != start {
				hi = next
				break
			}
			lo = next
			if next-n.now > 4000*step {
				n.consider(next) // look again from there
				return
			}
		}
		if lo >= n.horizn {
			return
		}
	} else if side(hi) == start {
		return
	}
	for hi-lo > 1 { // side(lo) == start, side(hi) != start
		mid := lo + (hi-lo)/2
		if side(mid) == start {
			lo = mid
		} else {
			hi = mid
		}
	}
	n.consider(hi)
}
