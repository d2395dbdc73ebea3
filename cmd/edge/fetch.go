//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// fetcher sends the webhooks with the Workers runtime's fetch(), through
// the event the request's context carries. An *http.Client would link
// net/http's own transport (dialer, TLS, HTTP/2): a third of the worker's
// size. A redirect is an answer like any other. Answers are read whole:
// webhook targets are configured by the operator and answer briefly.
type fetcher struct {
	timeout time.Duration // the longest a request may take; 0: no limit but the context's
}

// Do sends one request and reads its answer, within f.timeout and the
// context's deadline (both enforced by the runtime: see runtime.go).
func (f fetcher) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	e, err := eventOf(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	var body any
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if len(b) > 0 {
			body = bytesJS(b)
		}
	}
	v, err := e.call("fetch", req.URL.String(), req.Method, flatHeaders(req.Header), body, timeout(ctx, f.timeout).Milliseconds())
	if err != nil {
		return nil, errors.New("fetch: " + err.Error())
	}
	code := v.Index(0).Int()
	data := bytesGo(v.Index(2))
	return &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        parseHeaders(v.Index(1).String()),
		Body:          io.NopCloser(bytes.NewReader(data)),
		ContentLength: int64(len(data)),
		Request:       req,
	}, nil
}

// timeout is the shorter of limit and the time left before ctx's
// deadline, at least a millisecond; 0 when neither applies.
func timeout(ctx context.Context, limit time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		left := max(time.Until(dl), time.Millisecond)
		if limit == 0 || left < limit {
			return left
		}
	}
	return limit
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
