package backtest

import "github.com/winnowhq/winnow/qualify"

// Builder makes Data from leads given one at a time, wherever they come
// from (the leads Winnow stored with their outcomes, a program's own
// records): each is scored as Read scores a row of a CSV. It keeps a few
// numbers per lead.
type Builder struct {
	m *qualify.Model
	d *Data
}

// NewBuilder returns a Builder of leads scored with m. extras are the
// columns Suggest may turn into candidate rules (Name, Attr and Kind set;
// the values come with each lead); none is needed.
func NewBuilder(m *qualify.Model, extras ...*Extra) *Builder {
	return &Builder{m: m, d: &Data{Model: m, words: (len(m.Points) + 63) / 64, Extra: extras}}
}

// Add scores one lead at instant at (Unix seconds) and keeps it with its
// outcome. The lead is evaluated as if its answers in were sent through
// the signup form at at: the model's form signal and the signals of the
// chosen options are recorded then. Each of signals (by the model's
// signal name; instants in Unix seconds) then decides its signal, 0 for
// "did not happen"; one dated after at happened after the lead was scored
// and is ignored, and counted in Data.Later. Names the model lacks are
// ignored. extra holds the lead's values of the extra columns, in the
// order NewBuilder was given them ("" or too few: missing).
//
// Add returns the answers the model rejects (an empty answer is missing,
// not an error): they are treated as missing and the rest of the lead is
// used. It leaves Data's Read, Skipped and Problems to the caller.
func (b *Builder) Add(in qualify.Input, signals map[string]int64, at int64, converted bool, extra ...string) qualify.FieldErrors {
	m, d := b.m, b.d
	lead, ferrs := m.Lead(in, at)
	var errs qualify.FieldErrors
	for _, fe := range ferrs {
		if fe.Code != qualify.CodeRequired {
			errs = append(errs, fe)
		}
	}
	for name, t := range signals {
		j := m.SignalIndex(name)
		if j < 0 {
			continue
		}
		if t > at {
			d.Later++
			t = 0
		}
		lead.Signals[j] = t
	}

	v := qualify.Evaluate(m, &lead, at)
	d.Score = append(d.Score, v.Score)
	d.Stage = append(d.Stage, int16(v.StageIndex))
	d.Grade = append(d.Grade, int16(m.GradeIndex(v.Fit)))
	d.Outcome = append(d.Outcome, converted)
	base := len(d.holds)
	for range d.words {
		d.holds = append(d.holds, 0)
	}
	for _, r := range v.Reasons {
		if r.Kind == qualify.ReasonPoints {
			d.holds[base+r.Index/64] |= 1 << (r.Index % 64)
		}
	}
	for k, x := range d.Extra {
		var s string
		if k < len(extra) {
			s = extra[k]
		}
		x.add(s)
	}
	return errs
}

// Data returns the leads added, once the last is added: each extra
// column is then decided numeric or text by its rows, as Read decides it
// at the end of the file.
func (b *Builder) Data() *Data {
	for _, x := range b.d.Extra {
		x.decide()
	}
	return b.d
}
