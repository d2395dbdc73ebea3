//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/winnowhq/winnow/qualify"
)

// widget is the live state of one form.
type widget struct {
	m    *qualify.Model
	g    js.Value
	doc  js.Value
	form js.Value

	fields   []fieldState // per model field
	status   js.Value     // the form's aria-live region
	funcs    []js.Func    // listeners, released when the widget stops
	pending  bool         // an evaluation is scheduled for the next frame
	started  float64      // ms: the first focus of a field
	dead     bool         // stopped after a fault: the plain form takes over
	inputted bool         // the visitor has typed: conditional fields may change
	sending  bool
	key      string // the submission's idempotency key

	lead    qualify.Lead
	verdict qualify.Verdict
	input   qualify.Input
}

// fieldState is what the widget knows of one field on the page.
type fieldState struct {
	box      js.Value // the .field element, if the field is shown
	control  js.Value
	err      js.Value // the error slot
	hint     js.Value // created for the email field
	touched  bool     // left at least once, or the form was submitted
	shown    bool     // a conditional field currently asked
	typed    bool     // keystrokes went into it
	pasted   bool     // a paste went into it
	msg      string   // the error shown
	hintText string   // the hint shown
}

// bind finds the form's fields and listens to the form.
func (w *widget) bind() {
	for i := range w.m.Fields {
		f := &w.m.Fields[i]
		s := &w.fields[i]
		s.shown = true
		s.box = w.form.Call("querySelector", `[data-field="`+f.Name+`"]`)
		if s.box.IsNull() {
			continue
		}
		s.control = w.doc.Call("getElementById", "f-"+f.Name)
		s.err = w.doc.Call("getElementById", "f-"+f.Name+"-error")
	}
	w.status = w.form.Call("querySelector", ".form-status")
	w.listen("input", w.onInput)
	w.listen("change", w.onInput)
	w.listen("focusout", w.onLeave)
	w.listen("focusin", w.onFocus)
	w.listen("paste", w.onPaste)
	w.listen("submit", w.onSubmit)
	w.listen("click", w.onClick)
}

// listen adds a listener to the form that stops the widget, not the
// page, when it fails.
func (w *widget) listen(event string, f func(ev js.Value)) {
	fn := js.FuncOf(func(this js.Value, args []js.Value) any {
		if w.dead {
			return nil
		}
		defer w.guard()
		f(args[0])
		return nil
	})
	w.funcs = append(w.funcs, fn)
	w.form.Call("addEventListener", event, fn)
}

// guard stops the widget after a panic: its listeners go, and the form is
// the plain HTML form again.
func (w *widget) guard() {
	if r := recover(); r != nil {
		w.stop("the widget stopped after a fault; the form works as a plain form")
	}
}

func (w *widget) stop(why string) {
	w.dead = true
	w.g.Get("console").Call("warn", "winnow: "+why)
	w.form.Call("removeAttribute", "data-winnow-ready")
}

// ready marks the form and evaluates what the visitor typed before the
// widget arrived, without changing which fields show (no layout shift
// without input).
func (w *widget) ready() {
	w.form.Call("setAttribute", "data-winnow-ready", "")
	// The loader saw the first focus, before the widget could.
	if f := w.g.Get("winnowFocus"); f.Type() == js.TypeNumber {
		w.started = f.Float()
	}
	w.evaluate()
}

func now() float64 { return js.Global().Get("Date").Call("now").Float() }

func (w *widget) onFocus(ev js.Value) {
	if w.started == 0 {
		w.started = now()
	}
}

func (w *widget) onInput(ev js.Value) {
	w.inputted = true
	if i := w.fieldOf(ev); i >= 0 {
		t := ev.Get("inputType")
		if t.Type() == js.TypeString {
			if strings.HasPrefix(t.String(), "insertFromPaste") || t.String() == "insertFromDrop" {
				w.fields[i].pasted = true
			} else {
				w.fields[i].typed = true
			}
		}
	}
	w.schedule()
}

func (w *widget) onPaste(ev js.Value) {
	if i := w.fieldOf(ev); i >= 0 {
		w.fields[i].pasted = true
	}
}

func (w *widget) onLeave(ev js.Value) {
	if i := w.fieldOf(ev); i >= 0 && !w.fields[i].touched {
		w.fields[i].touched = true
		w.schedule()
	}
}

// onClick applies an email suggestion.
func (w *widget) onClick(ev js.Value) {
	t := ev.Get("target")
	v := t.Call("getAttribute", "data-winnow-use")
	if v.Type() != js.TypeString {
		return
	}
	if i := w.m.FieldIndex("email"); i >= 0 && !w.fields[i].control.IsNull() {
		w.fields[i].control.Set("value", v.String())
		w.fields[i].control.Call("focus")
		w.schedule()
	}
}

// fieldOf returns the model field an event's target belongs to, or -1.
func (w *widget) fieldOf(ev js.Value) int {
	name := ev.Get("target").Get("name")
	if name.Type() != js.TypeString {
		return -1
	}
	return w.m.FieldIndex(name.String())
}

// schedule evaluates at the next animation frame: a burst of keystrokes
// costs one evaluation per frame.
func (w *widget) schedule() {
	if w.pending {
		return
	}
	w.pending = true
	var fn js.Func
	fn = js.FuncOf(func(js.Value, []js.Value) any {
		fn.Release()
		w.pending = false
		if w.dead {
			return nil
		}
		defer w.guard()
		w.evaluate()
		return nil
	})
	w.g.Call("requestAnimationFrame", fn)
}

// read takes the form's answers in one crossing from JavaScript:
// "name\x1fvalue\x1e" for each answer.
func (w *widget) read() qualify.Input {
	s := w.g.Call("winnowRead", w.form).String()
	in := make(qualify.Input, len(w.m.Fields))
	for len(s) > 0 {
		rec, rest, _ := strings.Cut(s, "\x1e")
		s = rest
		name, value, ok := strings.Cut(rec, "\x1f")
		if ok && value != "" {
			in[name] = value
		}
	}
	return in
}

// evaluate scores the answers and brings the page up to date.
func (w *widget) evaluate() {
	in := w.read()
	w.signals(in)
	t := int64(now() / 1000)
	lead, errs := w.m.Lead(in, t)
	w.input, w.lead = in, lead
	w.verdict = qualify.Evaluate(w.m, &w.lead, t)
	w.showErrors(errs)
	w.showEmail(in["email"])
	if w.inputted {
		w.ask(t)
	}
}

// signals fills the hidden fields the model's spam rules read: how long
// the form took, and whether every answer was pasted.
func (w *widget) signals(in qualify.Input) {
	if i := w.m.FieldIndex("fill_seconds"); i >= 0 && w.started > 0 {
		in["fill_seconds"] = strconv.Itoa(int((now() - w.started) / 1000))
	}
	if i := w.m.FieldIndex("pasted"); i >= 0 {
		typed, pasted := 0, 0
		for j := range w.fields {
			if w.fields[j].typed {
				typed++
			} else if w.fields[j].pasted {
				pasted++
			}
		}
		if typed == 0 && pasted >= 2 {
			in["pasted"] = "yes"
		}
	}
}

// showErrors shows the validation message of each field the visitor has
// left, the same message the server gives.
func (w *widget) showErrors(errs qualify.FieldErrors) {
	for i := range w.m.Fields {
		s := &w.fields[i]
		if s.err.IsUndefined() || s.err.IsNull() {
			continue
		}
		msg := ""
		if e, ok := errs.Get(w.m.Fields[i].Name); ok && s.touched && s.shown {
			msg = e.Message
		}
		if msg == s.msg {
			continue
		}
		s.msg = msg
		s.err.Set("textContent", msg)
		if msg != "" {
			s.control.Call("setAttribute", "aria-invalid", "true")
		} else {
			s.control.Call("removeAttribute", "aria-invalid")
		}
	}
}

// showEmail offers a correction for a likely typo in the email's domain
// and says when the address is a free or disposable one.
func (w *widget) showEmail(addr string) {
	i := w.m.FieldIndex("email")
	if i < 0 || w.fields[i].box.IsUndefined() || w.fields[i].box.IsNull() {
		return
	}
	s := &w.fields[i]
	text, use := "", ""
	if norm, ok := qualify.NormalizeEmail(strings.TrimSpace(addr)); ok {
		domain := norm[strings.LastIndexByte(norm, '@')+1:]
		switch {
		case w.m.Domains.Disposable(domain):
			text = "This looks like a disposable address: we cannot reach you there for long. Please use your work email."
		case qualify.SuggestEmail(norm) != "":
			use = qualify.SuggestEmail(norm)
			text = "Did you mean " + use + "?"
		case w.m.Domains.Free(domain):
			text = "A work address helps us find your company and answer sooner."
		}
	}
	if s.hint.IsUndefined() {
		if text == "" {
			return
		}
		s.hint = w.doc.Call("createElement", "p")
		s.hint.Set("className", "hint")
		s.hint.Set("id", "f-email-hint")
		s.box.Call("append", s.hint)
		d := s.control.Call("getAttribute", "aria-describedby")
		ids := "f-email-hint"
		if d.Type() == js.TypeString {
			ids = d.String() + " " + ids
		}
		s.control.Call("setAttribute", "aria-describedby", ids)
	}
	if text == s.hintText {
		return
	}
	s.hintText = text
	s.hint.Set("textContent", text)
	if use != "" {
		b := w.doc.Call("createElement", "button")
		b.Set("type", "button")
		b.Set("className", "link")
		b.Call("setAttribute", "data-winnow-use", use)
		b.Set("textContent", "Use "+use)
		s.hint.Call("append", " ", b)
	}
}

// ask shows a conditional field while its rule holds, and hides it
// otherwise, announcing what appeared.
func (w *widget) ask(t int64) {
	appeared := 0
	for i := range w.m.Fields {
		f := &w.m.Fields[i]
		s := &w.fields[i]
		if f.Ask == nil || s.box.IsUndefined() || s.box.IsNull() {
			continue
		}
		show := qualify.Holds(w.m, f.Ask, &w.lead, t, &w.verdict)
		if show == s.shown {
			continue
		}
		s.shown = show
		s.box.Set("hidden", !show)
		if !s.control.IsNull() {
			s.control.Set("disabled", !show)
		}
		if show {
			appeared++
		}
	}
	if appeared > 0 {
		msg := "One more question appeared below."
		if appeared > 1 {
			msg = strconv.Itoa(appeared) + " more questions appeared below."
		}
		w.announce(msg)
	}
}

func (w *widget) announce(msg string) {
	if !w.status.IsNull() {
		w.status.Set("textContent", msg)
	}
}
