//go:build js && wasm

// Command wasm is the signup form's widget: the qualification core
// compiled to WebAssembly. It scores the visitor while they fill the form,
// asks the conditional questions only while the model says they matter,
// checks each answer with the server's own messages, helps with the email
// address, and routes the visitor on submit. It never makes the form
// worse: whatever goes wrong, the plain HTML form submits as it would
// without it.
//
// static/js/widget.js starts it, after setting winnowModel (the model's
// canonical text) and the helpers winnowRead and winnowPost.
package main

import (
	"syscall/js"

	"github.com/winnowhq/winnow/qualify"
)

func main() {
	w, ok := start()
	if !ok {
		return
	}
	w.ready()
	select {} // serve events until the page goes
}

// start decodes the model and finds the form; without both, the page
// keeps its plain form.
func start() (w *widget, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	g := js.Global()
	doc := g.Get("document")
	form := doc.Call("querySelector", "form[data-winnow-form]")
	text := g.Get("winnowModel")
	if form.IsNull() || text.Type() != js.TypeString {
		return nil, false
	}
	m, err := qualify.Decode(text.String())
	if err != nil {
		g.Get("console").Call("warn", "winnow: the model cannot be read: "+err.Error())
		return nil, false
	}
	m.Domains = qualify.CommonDomains
	exposeEvaluate(m)
	w = &widget{m: m, g: g, doc: doc, form: form, fields: make([]fieldState, len(m.Fields))}
	w.bind()
	return w, true
}
