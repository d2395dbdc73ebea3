//go:build js && wasm && paritytest

// The parity test's hook, only in a build with the paritytest tag: the
// widget the site ships does not have it. cmd/winnow's TestWidgetParity
// drives the page itself; this hook is for what a visitor cannot give the
// page: signals recorded before the form, another framework, an instant
// other than now, and a way to end the Go program.

package main

import (
	"syscall/js"

	"github.com/winnowhq/winnow/qualify"
)

func init() { hook = exposeParity }

// exposeParity sets winnowParity(answers, signals, at, framework): the
// verdict of the widget's own core for a lead given as "name\x1fvalue\x1e"
// records, its signals as "name\x1funix-seconds\x1e" records, at an
// instant in Unix seconds, with a framework selected instead of the
// model's when one is named. The signals given replace those the answers
// imply. It answers "stage\tfit\ttier\tscore-in-hundredths\treasons", each
// reason "kind:index:points-in-hundredths" and space-separated, or
// "invalid\t" and the answers' errors. Called without its arguments, it
// panics, and the Go program ends.
func exposeParity(m *qualify.Model) {
	js.Global().Set("winnowParity", js.FuncOf(func(_ js.Value, args []js.Value) any {
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
				lead.Signals[j] = atoi(rec[1])
			}
		}
		v := qualify.Evaluate(mm, &lead, at)
		return v.Line()
	}))
}

// atoi reads a whole number of seconds; anything else is 0.
func atoi(s string) int64 {
	var n int64
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
