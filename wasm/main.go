//go:build js && wasm

// Command wasm is the signup form's widget: the qualification core
// compiled to WebAssembly. static/js/widget.js, the page side, reads the
// form and paints what this concludes: it hands over every answer in one
// string and gets back, in one string, the verdict, which conditional
// questions the model asks, each field's error (the server's own message)
// and what to say about the email address. One evaluation is three calls
// of the module's exports (a buffer for the answers, the evaluation, the
// result's address) and no call back into JavaScript.
//
// It runs twice: first in a worker (static/js/widget-worker.js), where it
// warms up, evaluating leads that take every path the form will, so that
// the browser compiles those functions there; then on the page, from the
// module the worker compiled, whose code it shares. Each time the caller
// sets winnowModel (the model's canonical text) and winnowBoot; main
// decodes the model and calls winnowBoot with the model's version, and the
// page then evaluates through the module's exports (winnowInput,
// winnowEvaluate, winnowOutput). If the model cannot be read, main returns
// and the form stays the plain form.
package main

import (
	"syscall/js"
	"unsafe"

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
	if hook != nil {
		hook(m) // a test build's: see parity.go
	}
	if !page {
		warmUp(m) // in the worker: see static/js/widget-worker.js
	}
	model = m
	g.Call("winnowBoot", m.Version)
	select {} // serve evaluations until the page goes
}

// The page calls the exports below directly, not through syscall/js: a
// call costs about a microsecond instead of the scheduler's round trip
// (a tenth to half a millisecond once the page has been idle). The answers
// and the result pass through buffers in this module's memory, as UTF-8.
var (
	model         *qualify.Model // set by main
	input, output []byte
)

// hook, when a test build sets it, is given the model before the page
// evaluates; the widget the site ships has none.
var hook func(*qualify.Model)

// winnowInput returns the address of a buffer of n bytes for the page to
// write the answers into.
//
//go:wasmexport winnowInput
//lint:ignore U1000 the page calls it: staticcheck does not see go:wasmexport
func winnowInput(n int32) uint32 {
	if int(n) > cap(input) {
		input = make([]byte, n)
	}
	input = input[:n]
	if n == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&input[0])))
}

// winnowEvaluate evaluates the first n bytes of the input buffer at now
// (Unix seconds) and returns the length of the result, which
// winnowOutput locates; -1 if the core failed, and the page then stops
// the widget: the form is the plain form.
//
//go:wasmexport winnowEvaluate
//lint:ignore U1000 the page calls it: staticcheck does not see go:wasmexport
func winnowEvaluate(n int32, now float64) (size int32) {
	defer func() {
		if recover() != nil {
			size = -1
		}
	}()
	if model == nil || n < 0 || int(n) > len(input) {
		return -1
	}
	output = append(output[:0], evaluate(model, string(input[:n]), int64(now))...)
	return int32(len(output))
}

// winnowOutput returns the address of the last result.
//
//go:wasmexport winnowOutput
//lint:ignore U1000 the page calls it: staticcheck does not see go:wasmexport
func winnowOutput() uint32 {
	if len(output) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&output[0])))
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
// Unix time now, as sent with the form the record "form" names (the page's
// hidden field), if the model has it. It answers records separated by
// \x1e, their parts by \x1f: first the verdict, the email hint and what
// happens next,
//
//	stage fit tier hint address next
//
// hint being "" (none), "disposable", "typo" (address: the corrected one)
// or "free", and next the stage's next step in words; then one record per
// field of the model but those recorded from the visit (attribute fields,
// which the form never asks),
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
	lead, errs := m.FormLead(m.FormIndex(in["form"]), in, now)
	v := qualify.Evaluate(m, &lead, now)
	b := make([]byte, 0, 64+48*len(m.Fields))
	b = append(b, v.Stage+"\x1f"+v.Fit+"\x1f"+v.Tier+"\x1f"...)
	hint, typo := "", ""
	if norm, ok := qualify.NormalizeEmail(qualify.TrimSpace(in["email"])); ok {
		domain := qualify.Domain(norm)
		switch typo = qualify.SuggestEmail(norm); {
		case m.Domains.Disposable(domain):
			hint, typo = "disposable", ""
		case typo != "":
			hint = "typo"
		case m.Domains.Free(domain):
			hint = "free"
		}
	}
	next := v.Next.Message
	if next == "" {
		next = v.Next.Label
	}
	b = append(b, hint+"\x1f"+typo+"\x1f"+next...)
	for i := range m.Fields {
		f := &m.Fields[i]
		if f.Attribute {
			continue
		}
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

// records splits "name\x1fvalue\x1e" records.
func records(s string) [][2]string {
	var out [][2]string
	start, sep := 0, -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\x1f':
			if sep < 0 {
				sep = i
			}
		case '\x1e':
			if sep >= 0 {
				out = append(out, [2]string{s[start:sep], s[sep+1 : i]})
			}
			start, sep = i+1, -1
		}
	}
	if sep >= 0 {
		out = append(out, [2]string{s[start:sep], s[sep+1:]})
	}
	return out
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
