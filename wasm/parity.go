//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/winnowhq/winnow/qualify"
)

// exposeEvaluate sets winnowEvaluate(answers, signals, at, framework): the verdict of
// the widget's own core for a lead given as "name\x1fvalue\x1e" records,
// its signals as "name\x1funix-seconds\x1e" records, at an instant in Unix
// seconds, with a framework selected instead of the model's when one is
// named. The signals given replace those the answers imply. It answers "stage\tfit\ttier\tscore-in-hundredths\treasons",
// each reason "kind:index:points-in-hundredths" and space-separated. The
// parity test compares it with the native verdict of every example lead.
func exposeEvaluate(m *qualify.Model) {
	js.Global().Set("winnowEvaluate", js.FuncOf(func(_ js.Value, args []js.Value) any {
		in := qualify.Input{}
		for _, rec := range records(args[0].String()) {
			in[rec[0]] = rec[1]
		}
		at := int64(args[2].Float())
		mm := m
		if fw := args[3].String(); fw != "" {
			c := *m
			c.Framework = m.FrameworkIndex(fw)
			mm = &c
		}
		lead, errs := mm.Lead(in, at)
		if len(errs) > 0 {
			return "invalid\t" + errs.Error()
		}
		for _, rec := range records(args[1].String()) {
			if j := m.SignalIndex(rec[0]); j >= 0 {
				t, _ := strconv.Atoi(rec[1])
				lead.Signals[j] = int64(t)
			}
		}
		v := qualify.Evaluate(mm, &lead, at)
		return v.Line()
	}))
}

func records(s string) [][2]string {
	var out [][2]string
	for len(s) > 0 {
		rec, rest, _ := strings.Cut(s, "\x1e")
		s = rest
		if k, v, ok := strings.Cut(rec, "\x1f"); ok {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}
