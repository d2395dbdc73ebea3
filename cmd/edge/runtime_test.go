//go:build js && wasm

package main

import (
	"archive/zip"
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"syscall/js"
	"testing"
	"time"
)

// The Go side of the runtime, run as WebAssembly under Node.js:
// GOOS=js GOARCH=wasm go test -exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./cmd/edge

func TestRows(t *testing.T) {
	text := `[["id","n","s","x"],["a",1,"q\"b\\\/\u00e9\ud83d\ude00\n",null],["b",-2.5e3,"",1733443200000]]`
	r, err := newRows(text)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Columns(), []string{"id", "n", "s", "x"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("columns %q, want %q", got, want)
	}
	var got [][]driver.Value
	for {
		dest := make([]driver.Value, 4)
		if err := r.Next(dest); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, dest)
	}
	want := [][]driver.Value{{"a", int64(1), "q\"b\\/é😀\n", nil}, {"b", -2500.0, "", int64(1733443200000)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows %#v, want %#v", got, want)
	}
}

func TestRowsEmpty(t *testing.T) {
	r, err := newRows(`[]`)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Next(make([]driver.Value, 1)); err != io.EOF {
		t.Errorf("Next of no rows: %v, want io.EOF", err)
	}
}

func TestRowsMalformed(t *testing.T) {
	for _, text := range []string{``, `{}`, `[["a"],[1,]]`, `[["a"],["x]]`, `[["a"],[tru]]`, `[["a"],["\x"]]`, `[["a"],[1 2]]`, `[["a"],[1,2]]`, `[["a"],["\u12"]]`} {
		r, err := newRows(text)
		if err == nil {
			for err == nil {
				err = r.Next(make([]driver.Value, 1))
			}
			if err == io.EOF {
				err = nil
			}
		}
		if err == nil {
			t.Errorf("%s: no error", text)
		}
	}
}

// FuzzRows checks the decoder against encoding/json on arrays of rows of
// strings and numbers.
func FuzzRows(f *testing.F) {
	f.Add("a\"é\\", 12.5, int64(7))
	f.Add("\u2028\xff<\x01", math.Copysign(0, -1), int64(-1<<53))
	f.Fuzz(func(t *testing.T, s string, x float64, n int64) {
		text, err := json.Marshal([][]any{{"s", "x", "n"}, {s, x, n}})
		if err != nil {
			return
		}
		r, err := newRows(string(text))
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		dest := make([]driver.Value, 3)
		if err := r.Next(dest); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		var want [][]any
		json.Unmarshal(text, &want)
		if dest[0] != want[1][0] {
			t.Errorf("%s: string %q, encoding/json %q", text, dest[0], want[1][0])
		}
		if f := asFloat(dest[1]); f != want[1][1] {
			t.Errorf("%s: number %v, encoding/json %v", text, f, want[1][1])
		}
		if f := asFloat(dest[2]); f != want[1][2] {
			t.Errorf("%s: number %v, encoding/json %v", text, f, want[1][2])
		}
	})
}

func asFloat(v driver.Value) any {
	if n, ok := v.(int64); ok {
		return float64(n)
	}
	return v
}

func TestStoredFile(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string]string{"Europe/Paris": "TZif paris", "UTC": "TZif utc", "Asia/Tokyo": strings.Repeat("x", 5000)}
	for _, name := range []string{"Asia/Tokyo", "Europe/Paris", "UTC"} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[name])
	}
	zw.Close()
	for name, want := range files {
		got, err := storedFile(buf.Bytes(), name)
		if err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := storedFile(buf.Bytes(), "Europe/Nowhere"); err == nil || !strings.Contains(err.Error(), "unknown time zone") {
		t.Errorf("an unknown zone: %v", err)
	}
	for _, n := range []int{0, 10, buf.Len() - 1} {
		if _, err := storedFile(buf.Bytes()[:n], "UTC"); err == nil {
			t.Errorf("the first %d bytes: no error", n)
		}
	}
}

// fakePort is an event's port whose loop answers every operation at
// once: "stream" with a stand-in, the others with null; it records what
// Go submitted.
type fakePort struct {
	js.Value
	ops    []string
	chunks []string
	answer []any // the respond operation's argument
	ended  bool
}

func newFakePort(t *testing.T) *fakePort {
	p := &fakePort{Value: js.Global().Get("Object").New()}
	submit := js.FuncOf(func(_ js.Value, args []js.Value) any {
		id, op, a := args[0].Int(), args[1].String(), args[2]
		p.ops = append(p.ops, op)
		switch op {
		case "respond":
			r := a.Index(0)
			p.answer = []any{r.Index(0).Int(), r.Index(1).String()}
			if b := r.Index(2); b.Truthy() {
				p.answer = append(p.answer, string(bytesGo(b)))
			}
		case "write":
			p.chunks = append(p.chunks, string(bytesGo(a.Index(1))))
		case "end":
			p.ended = true
		}
		if id >= 0 {
			p.Get("complete").Invoke(id, js.Null(), js.Null())
		}
		return nil
	})
	t.Cleanup(submit.Release)
	p.Set("submit", submit)
	return p
}

func TestResponseWhole(t *testing.T) {
	p := newFakePort(t)
	e := newEvent(p.Value)
	w := &responseWriter{e: e, header: http.Header{}}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusTeapot)
	w.WriteHeader(http.StatusOK) // ignored, as net/http does
	io.WriteString(w, "hello, ")
	io.WriteString(w, "world")
	w.finish()
	e.end()
	if got, want := p.answer, []any{418, "Content-Type\x00text/plain\x00", "hello, world"}; !reflect.DeepEqual(got, want) {
		t.Errorf("respond %q, want %q", got, want)
	}
	if !p.ended || !reflect.DeepEqual(p.ops, []string{"respond", "end"}) {
		t.Errorf("operations %q, want respond then end", p.ops)
	}
}

func TestResponseStreamed(t *testing.T) {
	p := newFakePort(t)
	e := newEvent(p.Value)
	w := &responseWriter{e: e, header: http.Header{}}
	io.WriteString(w, "a,b\n")
	w.Flush()
	io.WriteString(w, "1,2\n")
	w.finish()
	e.end()
	if got, want := p.ops, []string{"stream", "respond", "write", "write", "close", "end"}; !reflect.DeepEqual(got, want) {
		t.Errorf("operations %q, want %q", got, want)
	}
	if got, want := p.chunks, []string{"a,b\n", "1,2\n"}; !reflect.DeepEqual(got, want) {
		t.Errorf("chunks %q, want %q", got, want)
	}
	if p.answer[0] != 200 {
		t.Errorf("status %v, want 200", p.answer[0])
	}
}

func TestAfter(t *testing.T) {
	p := newFakePort(t)
	e := newEvent(p.Value)
	done := false
	e.after(func() {
		time.Sleep(time.Millisecond)
		e.call("send", "Q", []any{"x"})
		done = true
	})
	e.end()
	if !done || !reflect.DeepEqual(p.ops, []string{"send", "end"}) {
		t.Errorf("end came before the work begun with after: done %v, operations %q", done, p.ops)
	}
}

func TestHeaders(t *testing.T) {
	h := http.Header{"A": {"1", "2"}, "Set-Cookie": {"x=1"}}
	if got := parseHeaders(flatHeaders(h)); !reflect.DeepEqual(got, h) {
		t.Errorf("round trip %v, want %v", got, h)
	}
	if got := parseHeaders("content-type\x00text/html\x00"); got.Get("Content-Type") != "text/html" {
		t.Errorf("header names are canonical: %v", got)
	}
}

// A handler's panic is answered 500 and the program goes on serving.
func TestPanicAnswers500(t *testing.T) {
	serve := serveFetch(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			w.Header().Set("X-Half", "written")
			panic("boom")
		}
		io.WriteString(w, "fine: "+r.URL.Path)
	}), &consoleLog{})
	defer serve.Release()
	for _, c := range []struct {
		path   string
		status int
		body   string
	}{{"/boom", 500, "the request failed: the worker's log says why\n"}, {"/after", 200, "fine: /after"}} {
		p := newFakePort(t)
		p.Set("head", "GET\x00https://w.example"+c.path+"\x00accept\x00*/*\x00")
		p.Set("body", js.Null())
		serve.Invoke(p.Value)
		for deadline := time.Now().Add(5 * time.Second); !p.ended; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the event never ended: operations %q", c.path, p.ops)
			}
		}
		if p.answer[0] != c.status || p.answer[2] != c.body || strings.Contains(p.answer[1].(string), "X-Half") {
			t.Errorf("%s: answered %q, want %d %q without the half-written header", c.path, p.answer, c.status, c.body)
		}
	}
}

// A statement crosses as JSON that encoding/json reads back as it was.
func TestAppendStmt(t *testing.T) {
	args := []driver.NamedValue{{Value: nil}, {Value: int64(1733443200000)}, {Value: -2.5}, {Value: true},
		{Value: "q\"\\\n\x01é😀\u2028"}, {Value: "bad \xff utf-8"}, {Value: []byte("raw")}}
	text := appendStmt(nil, `SELECT ?`, args)
	var got []any
	if err := json.Unmarshal(text, &got); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	want := []any{"SELECT ?", []any{nil, 1733443200000.0, -2.5, true, "q\"\\\n\x01é😀\u2028", "bad \ufffd utf-8", "raw"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s reads back as %#v, want %#v", text, got, want)
	}
	if n, err := numbers("1,0,12"); err != nil || !reflect.DeepEqual(n, []int64{1, 0, 12}) {
		t.Errorf("numbers: %v, %v", n, err)
	}
}
