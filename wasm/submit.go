//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/winnowhq/winnow/qualify"
)

// onSubmit checks every answer, then sends the lead as JSON with an
// idempotency key and the browser's verdict, and shows the visitor the
// next step the server decides. If the request cannot be made, the form
// is submitted the plain way.
func (w *widget) onSubmit(ev js.Value) {
	defer func() {
		// A fault after the default was prevented: submit the plain way.
		if r := recover(); r != nil {
			w.stop("the widget stopped after a fault; the form is sent as a plain form")
			w.form.Call("submit")
		}
	}()
	if w.sending {
		ev.Call("preventDefault")
		return
	}
	for i := range w.fields {
		w.fields[i].touched = true
	}
	w.evaluate()
	_, errs := w.m.Lead(w.input, 0)
	var shown qualify.FieldErrors
	for _, e := range errs {
		if i := w.m.FieldIndex(e.Field); i >= 0 && w.fields[i].shown && !w.fields[i].box.IsNull() {
			shown = append(shown, e)
		}
	}
	if len(shown) > 0 {
		ev.Call("preventDefault")
		w.announce(problems(len(shown)))
		w.fields[w.m.FieldIndex(shown[0].Field)].control.Call("focus")
		return
	}
	ev.Call("preventDefault")
	if w.key == "" {
		w.key = w.g.Get("crypto").Call("randomUUID").String()
	}
	w.setHidden("idempotency_key", w.key)
	w.setHidden("fill_seconds", w.input["fill_seconds"])
	w.setHidden("pasted", w.input["pasted"])
	w.sending = true
	w.announce("Sending…")
	action := w.form.Call("getAttribute", "action").String()
	var done js.Func
	done = js.FuncOf(func(_ js.Value, args []js.Value) any {
		done.Release()
		w.sending = false
		defer func() {
			if recover() != nil {
				w.plainSubmit()
			}
		}()
		w.answered(args[0].Int(), args[1])
		return nil
	})
	w.g.Call("winnowPost", action, w.body(), w.key, done)
}

func problems(n int) string {
	if n == 1 {
		return "One answer needs a correction."
	}
	return strconv.Itoa(n) + " answers need a correction."
}

// plainSubmit hands the form to the browser, as if there were no widget.
func (w *widget) plainSubmit() {
	w.dead = true
	w.form.Call("submit")
}

// setHidden sets a hidden input's value, so that a plain submission
// carries it too.
func (w *widget) setHidden(name, value string) {
	el := w.form.Call("querySelector", `input[type="hidden"][name="`+name+`"]`)
	if !el.IsNull() {
		el.Set("value", value)
	}
}

// body is the JSON the API takes: the answers, the key, the model version
// and the browser's verdict (advice only: the server decides).
func (w *widget) body() string {
	var b strings.Builder
	b.WriteString(`{"fields":{`)
	first := true
	for i := range w.m.Fields {
		name := w.m.Fields[i].Name
		v, ok := w.input[name]
		if !ok || !w.fields[i].shown {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		jsonString(&b, name)
		b.WriteByte(':')
		jsonString(&b, v)
	}
	b.WriteString(`},"idempotency_key":`)
	jsonString(&b, w.key)
	b.WriteString(`,"model":`)
	jsonString(&b, w.m.Version)
	b.WriteString(`,"verdict":{"stage":`)
	jsonString(&b, w.verdict.Stage)
	b.WriteString(`,"fit":`)
	jsonString(&b, w.verdict.Fit)
	b.WriteString(`,"tier":`)
	jsonString(&b, w.verdict.Tier)
	b.WriteString("}}")
	return b.String()
}

// jsonString writes s as a JSON string.
func jsonString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// answered routes the visitor by the server's answer.
func (w *widget) answered(status int, a js.Value) {
	switch {
	case status == 200 || status == 201:
		w.route(a)
	case status == 422 && a.Type() == js.TypeObject:
		// The server's own field errors: show them where they belong.
		errs := a.Get("errors")
		n := errs.Length()
		first := -1
		for k := 0; k < n; k++ {
			e := errs.Index(k)
			i := w.m.FieldIndex(e.Get("field").String())
			if i < 0 || w.fields[i].err.IsUndefined() || w.fields[i].err.IsNull() {
				continue
			}
			w.fields[i].msg = e.Get("message").String()
			w.fields[i].err.Set("textContent", w.fields[i].msg)
			w.fields[i].control.Call("setAttribute", "aria-invalid", "true")
			if first < 0 {
				first = i
			}
		}
		w.announce(problems(max(n, 1)))
		if first >= 0 {
			w.fields[first].control.Call("focus")
		}
	case status == 429 && a.Type() == js.TypeObject:
		w.announce(a.Get("message").String())
	default:
		// No answer, or the server failed: the browser posts the form
		// itself, with the same key, and shows the server's page.
		w.plainSubmit()
	}
}

// route shows the next step: a meeting to book now for an opportunity
// (prefilled with the visitor's name and email), the next step for the
// others, and a chance to fix the email when the lead is a bad one.
func (w *widget) route(a js.Value) {
	next := a.Get("next")
	kind, label, msg, url := str(next, "kind"), str(next, "label"), str(next, "message"), str(next, "url")
	if kind == qualify.FixData.String() {
		w.announce(orDefault(msg, "Please check your details."))
		if i := w.m.FieldIndex("email"); i >= 0 && !w.fields[i].control.IsNull() {
			w.fields[i].control.Call("focus")
		}
		w.key = "" // a corrected submission is a new one
		return
	}
	panel := w.doc.Call("createElement", "section")
	panel.Set("className", "next-step")
	panel.Call("setAttribute", "tabindex", "-1")
	panel.Call("setAttribute", "aria-labelledby", "next-step-title")
	h := w.doc.Call("createElement", "h2")
	h.Set("id", "next-step-title")
	title := "Thank you"
	if kind == qualify.Book.String() {
		title = "Book your meeting now"
	}
	h.Set("textContent", title)
	panel.Call("append", h)
	if msg != "" {
		p := w.doc.Call("createElement", "p")
		p.Set("textContent", msg)
		panel.Call("append", p)
	}
	if url != "" && (strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "/")) {
		link := w.doc.Call("createElement", "a")
		link.Set("className", "button")
		if kind == qualify.Book.String() {
			url = prefill(url, w.input["name"], w.input["email"])
		}
		link.Set("href", url)
		link.Set("textContent", orDefault(label, "Continue"))
		panel.Call("append", link)
	} else if label != "" {
		p := w.doc.Call("createElement", "p")
		p.Set("className", "next")
		p.Set("textContent", label)
		panel.Call("append", p)
	}
	w.form.Call("replaceWith", panel)
	panel.Call("focus")
}

func str(v js.Value, key string) string {
	if v.Type() != js.TypeObject {
		return ""
	}
	x := v.Get(key)
	if x.Type() != js.TypeString {
		return ""
	}
	return x.String()
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// prefill adds the visitor's name and email to a booking URL.
func prefill(url, name, email string) string {
	enc := js.Global().Get("encodeURIComponent")
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	if name != "" {
		url += sep + "name=" + enc.Invoke(name).String()
		sep = "&"
	}
	if email != "" {
		url += sep + "email=" + enc.Invoke(email).String()
	}
	return url
}
