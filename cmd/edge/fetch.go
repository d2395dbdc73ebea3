//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"syscall/js"
	"time"
)

var (
	jsFetch         = js.Global().Get("fetch")
	jsHeaders       = js.Global().Get("Headers")
	abortController = js.Global().Get("AbortController")
)

// fetcher sends the webhooks with the Workers runtime's fetch(). Go's own
// js/wasm transport cannot: it calls fetch as a method of syumai/workers'
// proxy of globalThis, which workerd refuses ("Illegal invocation"). The
// request's context aborts the fetch, so timeouts hold. A redirect is an
// answer like any other: an http.Client over fetcher follows it by its own
// rules, fetcher.Do does not. Answers are read whole: webhook targets are
// configured by the operator and answer briefly.
type fetcher struct {
	timeout time.Duration // for Do; 0: none
}

// Do sends one request, aborted after f.timeout. Unlike an http.Client it
// does not link net/http's own transport (dialer, TLS, HTTP/2) into the
// worker.
func (f fetcher) Do(req *http.Request) (*http.Response, error) {
	if f.timeout > 0 {
		ctx, cancel := context.WithTimeout(req.Context(), f.timeout)
		defer cancel() // the answer is read whole before RoundTrip returns
		req = req.WithContext(ctx)
	}
	return f.RoundTrip(req)
}

// RoundTrip sends one request with fetch().
func (fetcher) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	headers := jsHeaders.New()
	for k, vs := range req.Header {
		for _, v := range vs {
			headers.Call("append", k, v)
		}
	}
	init := map[string]any{"method": req.Method, "headers": headers, "redirect": "manual"}
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if len(b) > 0 {
			u := uint8Array.New(len(b))
			js.CopyBytesToJS(u, b)
			init["body"] = u
		}
	}
	abort := abortController.New()
	init["signal"] = abort.Get("signal")
	stop := context.AfterFunc(ctx, func() { abort.Call("abort") })
	defer stop()

	res, err := await(jsFetch.Invoke(req.URL.String(), init))
	if err == nil {
		var buf js.Value
		if buf, err = await(res.Call("arrayBuffer")); err == nil {
			return response(req, res, buf), nil
		}
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, ctxErr
	}
	return nil, errors.New("fetch: " + err.Error())
}

// response makes a fetch() Response and its body an http.Response.
func response(req *http.Request, res, buf js.Value) *http.Response {
	src := uint8Array.New(buf)
	body := make([]byte, src.Length())
	js.CopyBytesToGo(body, src)
	header := http.Header{}
	each := js.FuncOf(func(_ js.Value, args []js.Value) any {
		header.Add(args[1].String(), args[0].String())
		return nil
	})
	res.Get("headers").Call("forEach", each)
	each.Release()
	code := res.Get("status").Int()
	return &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
