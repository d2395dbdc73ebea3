//go:build js && wasm

package main

import (
	"strconv"

	"github.com/winnowhq/winnow/qualify"
)

// The fortune teller (static/js/fortune.js) asks the core about any lead,
// not a visitor's: who they are and what they did, and when. It writes
// its question into the input buffer (winnowInput) and calls
// winnowExplain, then reads the answer where winnowOutput says.

// winnowExplain explains the lead described by the first n bytes of the
// input buffer at now (Unix seconds), and returns the length of the
// answer, which winnowOutput locates; -1 if the core failed.
//
//go:wasmexport winnowExplain
//lint:ignore U1000 the page calls it: staticcheck does not see go:wasmexport
func winnowExplain(n int32, now float64) (size int32) {
	defer func() {
		if recover() != nil {
			size = -1
		}
	}()
	if model == nil || n < 0 || int(n) > len(input) {
		return -1
	}
	output = append(output[:0], explain(model, string(input[:n]), int64(now))...)
	return int32(len(output))
}

// explain describes a lead given as "name\x1fvalue\x1e" records: the
// answer to a field, or, for a signal of the model, how long ago it
// happened ("3d", "12h", "0s"; "-1h" for an hour ahead), or "@framework"
// and the framework to select instead of the model's. A choice answered
// records the signal of its option when the lead last sent a form (the
// model's form signal), as the form records it. It answers records
// separated by \x1e, their parts by \x1f: first the verdict,
//
//	stage fit tier score
//
// then each point given, "p index points base age half-life" (age and
// half-life in words, "" without decay); each stage rule in the order
// they are checked, "s index holds" (1 or 0); each criterion of the
// selected framework the lead meets, "c name"; each change that would
// move the lead further along the funnel, "m name value stage" (a field
// and its answer, or a signal and ""); and each answer the model does not
// take, "e field message".
func explain(m *qualify.Model, q string, now int64) string {
	in := qualify.Input{}
	type when struct {
		signal int
		at     int64
	}
	var signals []when
	for _, rec := range records(q) {
		name, v := rec[0], rec[1]
		switch {
		case name == "@framework":
			if i := m.FrameworkIndex(v); i >= 0 && i != m.Framework {
				c := *m
				c.Framework = i
				m = &c
			}
		case m.FieldIndex(name) >= 0:
			in[name] = v
		case m.SignalIndex(name) >= 0 && v != "":
			neg := v[0] == '-'
			if neg {
				v = v[1:]
			}
			if age, ok := qualify.ParseDuration(v); ok {
				if neg {
					age = -age
				}
				signals = append(signals, when{m.SignalIndex(name), now - age})
			}
		}
	}
	lead, errs := m.Answers(in)
	form := int64(0)
	for _, s := range signals {
		lead.Signals[s.signal] = s.at
		if m.Signals[s.signal].Name == m.FormSignal {
			form = s.at
		}
	}
	if form != 0 {
		for i := range m.Fields {
			f := &m.Fields[i]
			if v := lead.Values[i]; v.Known && f.Type == qualify.Choice {
				if j := m.SignalIndex(f.Options[v.Int].Signal); j >= 0 && lead.Signals[j] < form {
					lead.Signals[j] = form
				}
			}
		}
	}
	v := qualify.Evaluate(m, &lead, now)
	b := make([]byte, 0, 1024)
	b = append(b, v.Stage...)
	b = part(b, v.Fit, v.Tier, qualify.FormatNumber(v.Score))
	for _, r := range v.Reasons {
		if r.Kind != qualify.ReasonPoints {
			continue
		}
		age, half := "", ""
		if r.HalfLife > 0 && r.Age > 0 {
			age, half = qualify.FormatAge(r.Age), qualify.FormatDuration(r.HalfLife)
		}
		b = part(append(b, "\x1ep"...), strconv.Itoa(r.Index), qualify.FormatNumber(r.Points), strconv.Itoa(r.Base), age, half)
	}
	stages, _ := qualify.Explain(m, &lead, now)
	for _, s := range stages {
		holds := "0"
		if s.Holds {
			holds = "1"
		}
		b = part(append(b, "\x1es"...), strconv.Itoa(s.Stage), holds)
	}
	if m.Framework >= 0 {
		for j, c := range m.Frameworks[m.Framework].Criteria {
			if v.Criteria&(1<<j) != 0 {
				b = part(append(b, "\x1ec"...), c.Name)
			}
		}
	}
	for _, mv := range qualify.Moves(m, &lead, now) {
		name := m.Fields[max(mv.Field, 0)].Name
		if mv.Signal >= 0 {
			name = m.Signals[mv.Signal].Name
		}
		b = part(append(b, "\x1em"...), name, mv.Value, m.Stages[mv.Stage].Name)
	}
	for _, e := range errs {
		b = part(append(b, "\x1ee"...), e.Field, e.Message)
	}
	return string(b)
}

// part appends parts of a record to b, each after \x1f.
func part(b []byte, parts ...string) []byte {
	for _, p := range parts {
		b = append(append(b, '\x1f'), p...)
	}
	return b
}
