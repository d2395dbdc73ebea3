//go:build js && wasm

package main

// The Go half of the worker's runtime; runtime.mjs is the other, and says
// why every I/O goes through the event's port.
//
// syumai/workers' own glue assumes one Go program per event: it reads the
// event's env from a global, closes a channel when the first response is
// read (ending the program), and does I/O in whatever event's context is
// current. A program that serves every event of its isolate needs each
// event's I/O done in that event's context, so the glue is ours: events
// come in through the handlers main registers, and leave through ports.
//
// Go's timers fire only while the event that was running when they were
// set lives, so nothing here waits on one: the timeouts of I/O are set in
// JavaScript (AbortSignal.timeout).

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"syscall/js"
)

var (
	uint8Array = js.Global().Get("Uint8Array")
)

type eventKey struct{}

// event is the Go side of one event's port: it submits operations to the
// event's loop and gets their outcomes through complete.
type event struct {
	port     js.Value
	complete js.Func

	mu      sync.Mutex
	next    int
	waiting map[int]chan outcome
	tasks   sync.WaitGroup // work after the response (after)
}

type outcome struct {
	v   js.Value
	err error
}

// newEvent takes an event's port and sets its complete callback.
func newEvent(port js.Value) *event {
	e := &event{port: port, waiting: map[int]chan outcome{}}
	e.complete = js.FuncOf(func(_ js.Value, args []js.Value) any {
		id := args[0].Int()
		o := outcome{v: args[1]}
		if msg := args[2]; msg.Type() == js.TypeString {
			o.err = errors.New(msg.String())
		}
		e.mu.Lock()
		ch := e.waiting[id]
		delete(e.waiting, id)
		e.mu.Unlock()
		if ch != nil {
			ch <- o
		}
		return nil
	})
	port.Set("complete", e.complete)
	return e
}

// context returns a context that carries the event, for the I/O done on
// its behalf.
func (e *event) context() context.Context {
	return context.WithValue(context.Background(), eventKey{}, e)
}

// eventOf returns the event a context carries.
func eventOf(ctx context.Context) (*event, error) {
	e, ok := ctx.Value(eventKey{}).(*event)
	if !ok {
		return nil, errors.New("edge: I/O outside of an event")
	}
	return e, nil
}

// call runs op in the event's loop with args and waits for its outcome.
func (e *event) call(op string, args ...any) (js.Value, error) {
	ch := make(chan outcome, 1)
	e.mu.Lock()
	id := e.next
	e.next++
	e.waiting[id] = ch
	e.mu.Unlock()
	e.port.Call("submit", id, op, args)
	o := <-ch
	return o.v, o.err
}

// send submits op without waiting: respond and end have no outcome.
func (e *event) send(op string, args ...any) {
	e.port.Call("submit", -1, op, args)
}

// after runs fn in its own goroutine; the event lives until it returns
// (waitUntil), while its response is already on its way.
func (e *event) after(fn func()) {
	e.tasks.Add(1)
	go func() {
		defer e.tasks.Done()
		fn()
	}()
}

// end tells the loop that Go is done with the event, once the work begun
// with after is.
func (e *event) end() {
	e.tasks.Wait()
	e.send("end")
	e.complete.Release()
}

// bytesJS copies b into a new Uint8Array.
func bytesJS(b []byte) js.Value {
	u := uint8Array.New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// bytesGo copies a Uint8Array into Go.
func bytesGo(u js.Value) []byte {
	b := make([]byte, u.Length())
	js.CopyBytesToGo(b, u)
	return b
}

// handlerFunc registers a Go function as an event handler: it is called
// with the event's port, on a goroutine of its own.
func handlerFunc(run func(e *event)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := newEvent(args[0])
		spawn(func() { run(e) })
		return nil
	})
}

// idle hands work to a goroutine that finished an event and waits for
// the next. A new goroutine starts with a small stack, which an event's
// calls (net/http, encoding/json, database/sql) grow by copying it
// several times: a goroutine that served an event already has the stack
// it needs.
var idle = make(chan func())

// spawn runs fn on an idle goroutine, or on a new one if none waits.
func spawn(fn func()) {
	select {
	case idle <- fn:
	default:
		go func() {
			for {
				fn()
				fn = <-idle
			}
		}()
	}
}

// serveFetch serves fetch events with h.
func serveFetch(h http.Handler, log *consoleLog) js.Func {
	return handlerFunc(func(e *event) {
		defer e.end()
		w := &responseWriter{e: e, header: http.Header{}}
		defer func() {
			if p := recover(); p != nil {
				if p != http.ErrAbortHandler {
					log.Error("panic serving a request", "panic", p, "stack", string(debug.Stack()))
				}
				if w.sent {
					// The answer has begun: it is cut off, not ended, so
					// that the client sees it fail (http.ErrAbortHandler).
					w.abort()
					return
				}
				w.header, w.status = http.Header{}, 0
				w.buf.Reset()
				http.Error(w, "the request failed: the worker's log says why", http.StatusInternalServerError)
			}
			w.finish()
		}()
		req, err := request(e)
		if err != nil {
			http.Error(w, "the request cannot be read: "+err.Error(), http.StatusBadRequest)
			return
		}
		h.ServeHTTP(w, req)
	})
}

// request reads the event's request: head is its method, URL and headers
// as "method\0URL\0name\0value\0...", and body its bytes or null.
func request(e *event) (*http.Request, error) {
	method, rest, _ := strings.Cut(e.port.Get("head").String(), "\x00")
	url, headers, _ := strings.Cut(rest, "\x00")
	var body io.Reader = http.NoBody
	if b := e.port.Get("body"); b.Truthy() {
		body = bytes.NewReader(bytesGo(b))
	}
	req, err := http.NewRequestWithContext(e.context(), method, url, body)
	if err != nil {
		return nil, err
	}
	req.Header = parseHeaders(headers)
	req.RequestURI = req.URL.RequestURI()
	return req, nil
}

// parseHeaders reads headers written "name\0value\0...".
func parseHeaders(s string) http.Header {
	h := http.Header{}
	for s != "" {
		k, rest, _ := strings.Cut(s, "\x00")
		v, rest2, _ := strings.Cut(rest, "\x00")
		h.Add(k, v)
		s = rest2
	}
	return h
}

// flatHeaders writes headers as "name\0value\0...".
func flatHeaders(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(k)
			b.WriteByte(0)
			b.WriteString(v)
			b.WriteByte(0)
		}
	}
	return b.String()
}

// responseWriter keeps the response until the handler returns, then
// responds with it whole; after a Flush it streams the rest.
type responseWriter struct {
	e      *event
	header http.Header
	status int
	buf    bytes.Buffer
	sent   bool     // the status and headers are sent
	stream js.Value // the body's stream, after a Flush
	err    error    // the stream's failure: the client went away
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if !w.sent {
		return w.buf.Write(p)
	}
	if w.err != nil {
		return 0, w.err
	}
	if _, w.err = w.e.call("write", w.stream, bytesJS(p)); w.err != nil {
		return 0, w.err
	}
	return len(p), nil
}

// Flush sends the status, the headers and what is written so far; what
// follows streams.
func (w *responseWriter) Flush() {
	if w.sent {
		return
	}
	w.WriteHeader(http.StatusOK)
	w.stream, w.err = w.e.call("stream")
	if w.err != nil {
		return
	}
	w.sent = true
	w.e.send("respond", []any{w.status, flatHeaders(w.header), nil, w.stream})
	if w.buf.Len() > 0 {
		b := w.buf.Bytes()
		w.buf.Reset()
		w.Write(b)
	}
}

// finish sends the response, or ends its stream.
// abort errors the body of a streamed answer: the client sees the
// response fail rather than end.
func (w *responseWriter) abort() {
	if w.err == nil {
		w.e.call("abort", w.stream)
		w.err = errAborted
	}
}

// errAborted is a streamed answer's error once it was aborted.
var errAborted = errors.New("the answer was cut off")

func (w *responseWriter) finish() {
	if w.sent {
		if w.err == nil {
			w.e.call("close", w.stream)
		}
		return
	}
	w.WriteHeader(http.StatusOK)
	w.sent = true
	w.e.send("respond", []any{w.status, flatHeaders(w.header), bytesJS(w.buf.Bytes()), nil})
}
