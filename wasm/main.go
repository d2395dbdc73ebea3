//go:build js && wasm

// Command wasm is the signup form's widget: the qualification core
// compiled to WebAssembly. static/js/widget.js, the page side, reads the
// form and paints what this concludes: it hands over every answer in one
// string and gets back, in one string, the verdict, which conditional
// questions the model asks, each field's error (the server's own message)
// and what to say about the email address. One evaluation is one crossing
// between JavaScript and Go.
//
// It runs twice: first in a worker (static/js/widget-worker.js), where it
// warms up, evaluating leads that take every path the form will, so that
// the browser compiles those functions there; then on the page, from the
// module the worker compiled, whose code it shares. Each time the caller
// sets winnowModel (the model's canonical text) and winnowBoot; main
// decodes the model and hands winnowBoot the evaluation function and the
// model's version. If the model cannot be read, main returns and the form
// stays the plain form.
package main

import (
	"syscall/js"

	"github.com/winnowhq/winnow/qualify"
)

func main() {
	g := js.Global()
	page := !g.Get("document").IsUndefined()
	if page {
		yield() // starting the runtime was one task; reading the model is the next
	}
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
	if !page {
		warmUp(m) // in the worker: see static/js/widget-worker.js
	}
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

// yield lets the browser run its other tasks before going on.
func yield() {
	done := make(chan struct{})
	var f js.Func
	f = js.FuncOf(func(js.Value, []js.Value) any {
		f.Release()
		close(done)
		return nil
	})
	js.Global().Call("setTimeout", f, 0)
	<-done
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
		switch typo := qualify.SuggestEmail(norm); {
		case m.Domains.Disposable(domain):
			b = append(b, "disposable\x1f"...)
		case typo != "":
			b = append(b, "typo\x1f"+typo...)
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

// warmUp evaluates an empty lead and one that answers every field, with a
// mistyped free-mail address, so that every function an evaluation calls
// has run once.
func warmUp(m *qualify.Model) {
	full := make([]byte, 0, 32*len(m.Fields))
	for i := range m.Fields {
		f := &m.Fields[i]
		v := "Ana Souza"
		switch f.Type {
		case qualify.Email:
			v = "ana@gmial.com"
		case qualify.Number:
			v = qualify.FormatNumber(f.Min + 1)
		case qualify.Choice:
			if len(f.Options) > 0 {
				v = f.Options[len(f.Options)-1].Value
			}
		case qualify.YesNo:
			v = "yes"
		case qualify.Date:
			v = "2026-03-31"
		case qualify.Phone:
			v = "+44 20 7946 0000"
		}
		full = append(full, f.Name+"\x1f"+v+"\x1e"...)
	}
	const now = 1772409600
	evaluate(m, "", now)
	evaluate(m, string(full), now)
	evaluate(m, "email\x1fana@mailinator.com\x1e", now)
}
