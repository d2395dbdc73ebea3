//go:build js && wasm

// Command wasm is the signup form's widget: the qualification core
// compiled to WebAssembly. It runs in a worker (static/js/widget-worker.js),
// off the page's main thread; static/js/widget.js, the page side, reads
// the form and paints what this concludes: it hands over every answer in
// one string and gets back, in one string, the verdict, which conditional
// questions the model asks, each field's error (the server's own message)
// and what to say about the email address. One evaluation is one crossing
// between JavaScript and Go, and one message each way.
//
// The worker sets winnowModel (the model's canonical text) and winnowBoot
// before starting this; main decodes the model and hands winnowBoot the
// evaluation function and the model's version. If the model cannot be
// read, main returns and the form stays the plain form.
package main

import (
	"syscall/js"

	"github.com/winnowhq/winnow/qualify"
)

func main() {
	g := js.Global()
	text := g.Get("winnowModel")
	if text.Type() != js.TypeString {
		return
	}
	m, err := qualify.Decode(text.String())
	if err != nil {
		g.Get("console").Call("warn", "winnow: the model cannot be read: "+err.Error())
		return
	}
	m.Domains = qualify.CommonDomains
	exposeEvaluate(m)
	g.Call("winnowBoot", js.FuncOf(func(_ js.Value, args []js.Value) (out any) {
		defer func() {
			if recover() != nil {
				out = "" // the page side stops the widget: the form is the plain form
			}
		}()
		return evaluate(m, args[0].String(), int64(args[1].Float()))
	}), m.Version)
	select {} // serve evaluations until the page goes
}

// evaluate scores the answers given as "name\x1fvalue\x1e" records at
// Unix time now. It answers records separated by \x1e, their parts by
// \x1f: first the verdict and the email hint,
//
//	stage fit tier hint address
//
// hint being "" (none), "disposable", "typo" (address: the corrected one)
// or "free"; then one record per field of the model,
//
//	name ask error
//
// ask being "" for a question always asked, "1" or "0" for a conditional
// one the model asks now or not, and error the server's message for the
// answer, or "".
func evaluate(m *qualify.Model, answers string, now int64) string {
	in := make(qualify.Input, len(m.Fields))
	for _, rec := range records(answers) {
		if rec[1] != "" {
			in[rec[0]] = rec[1]
		}
	}
	lead, errs := m.Lead(in, now)
	v := qualify.Evaluate(m, &lead, now)
	b := make([]byte, 0, 64+48*len(m.Fields))
	b = append(b, v.Stage+"\x1f"+v.Fit+"\x1f"+v.Tier+"\x1f"...)
	if norm, ok := qualify.NormalizeEmail(qualify.TrimSpace(in["email"])); ok {
		domain := qualify.Domain(norm)
		switch {
		case m.Domains.Disposable(domain):
			b = append(b, "disposable\x1f"...)
		case qualify.SuggestEmail(norm) != "":
			b = append(b, "typo\x1f"+qualify.SuggestEmail(norm)...)
		case m.Domains.Free(domain):
			b = append(b, "free\x1f"...)
		default:
			b = append(b, '\x1f')
		}
	} else {
		b = append(b, '\x1f')
	}
	for i := range m.Fields {
		f := &m.Fields[i]
		b = append(b, "\x1e"+f.Name+"\x1f"...)
		if f.Ask != nil {
			if qualify.Holds(m, f.Ask, &lead, now, &v) {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
		}
		b = append(b, '\x1f')
		if e, ok := errs.Get(f.Name); ok {
			b = append(b, e.Message...)
		}
	}
	return string(b)
}
