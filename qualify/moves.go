package qualify

// Move is one change to a lead that would move it further along the
// funnel: a signal recorded, or a question answered, and the stage the
// lead would then be in.
type Move struct {
	Signal int    // index into Model.Signals of the signal recorded, or -1
	Field  int    // index into Model.Fields of the question answered, or -1
	Value  string // the answer, for a question
	Stage  int    // index into Model.Stages of the stage it would be in
}

// Moves returns the single changes that would move lead, at now (Unix
// seconds), to a funnel stage further along the model's line of stages
// than the one it is in: each signal of the model recorded at now, and
// each answer to a question the lead has not answered (every option of
// a choice, yes to a yes/no question, the smallest number a number
// question takes). Free text is not guessed at. A lead in an exit stage
// moves by reaching a funnel stage. The nearest stage comes first; moves
// to one stage keep the model's order, signals before questions.
func Moves(m *Model, lead *Lead, now int64) []Move {
	s := moves{m: m, now: now, from: Evaluate(m, lead, now).StageIndex}
	s.exit = s.from < 0 || m.Stages[s.from].Exit
	c := Lead{Values: make([]Value, len(lead.Values)), Signals: make([]int64, len(lead.Signals))}
	copy(c.Values, lead.Values)
	for j := range m.Signals {
		if m.Signals[j].Reason || j >= len(lead.Signals) || lead.Signals[j] >= now {
			continue
		}
		copy(c.Signals, lead.Signals)
		c.Signals[j] = now
		s.try(&c, j, -1, "")
	}
	copy(c.Signals, lead.Signals)
	for i := range m.Fields {
		f := &m.Fields[i]
		if f.Hidden || i >= len(lead.Values) || lead.Values[i].Known {
			continue
		}
		switch f.Type {
		case Choice:
			for k, o := range f.Options {
				c.Values[i] = Value{Known: true, Int: int64(k)}
				s.try(&c, -1, i, o.Value)
			}
		case YesNo:
			c.Values[i] = Value{Known: true, Int: 1}
			s.try(&c, -1, i, "yes")
		case Number:
			n := 1.0
			if f.HasMin {
				n = f.Min
			}
			c.Values[i] = Value{Known: true, Num: n}
			s.try(&c, -1, i, FormatNumber(n))
		}
		c.Values[i] = lead.Values[i]
	}
	// Nearest first, keeping the order found: an insertion sort, as the
	// list is short.
	out := s.out
	for i := 1; i < len(out); i++ {
		for k := i; k > 0 && out[k].Stage < out[k-1].Stage; k-- {
			out[k], out[k-1] = out[k-1], out[k]
		}
	}
	return out
}

// moves is a search of Moves: where the lead stands, and what moves it.
type moves struct {
	m    *Model
	now  int64
	from int  // the lead's stage
	exit bool // an exit stage, or none
	out  []Move
}

// try keeps the change that made l, if it moves the lead on.
func (s *moves) try(l *Lead, signal, field int, value string) {
	to := Evaluate(s.m, l, s.now).StageIndex
	if to >= 0 && !s.m.Stages[to].Exit && (s.exit || to > s.from) {
		s.out = append(s.out, Move{Signal: signal, Field: field, Value: value, Stage: to})
	}
}
