package worker

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// Error is what the API refuses a request with: a code for programs, a
// message for people, and the problem with each field, if any. The code
// decides the status (statusOf): one table for every route.
type Error struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
	// Retry is when a refused request may be tried again (rate_limited):
	// sent as Retry-After.
	Retry time.Duration `json:"-"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Error codes, and the status of each.
var statusOf = map[string]int{
	"bad_request":            http.StatusBadRequest,
	"unauthorized":           http.StatusUnauthorized,
	"origin":                 http.StatusForbidden,
	"not_found":              http.StatusNotFound,
	"conflict":               http.StatusConflict,
	"too_large":              http.StatusRequestEntityTooLarge,
	"unsupported_media_type": http.StatusUnsupportedMediaType,
	"invalid":                http.StatusUnprocessableEntity,
	"rate_limited":           http.StatusTooManyRequests,
	"database":               http.StatusServiceUnavailable,
	"unavailable":            http.StatusServiceUnavailable,
}

// Status is the HTTP status of e's code.
func (e *Error) Status() int {
	if s, ok := statusOf[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// newError makes an Error; fields name what is wrong, if anything.
func newError(code, msg string, fields ...fieldError) *Error {
	return &Error{Code: code, Message: msg, Errors: fields}
}

type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func fieldErrors(errs qualify.FieldErrors) []fieldError {
	out := make([]fieldError, len(errs))
	for i, e := range errs {
		out[i] = fieldError{e.Field, e.Code, e.Message}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

// writeError answers with e, as JSON, at its status.
func writeError(w http.ResponseWriter, e *Error) {
	if e.Retry > 0 {
		retryAfter(w, e.Retry)
	}
	writeJSON(w, e.Status(), e)
}

// retryAfter sets Retry-After to retry in whole seconds, rounded up, and
// returns them.
func retryAfter(w http.ResponseWriter, retry time.Duration) int64 {
	secs := int64(retry.Seconds() + 0.999)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	return secs
}

// nulPath reports whether the request's path holds NUL: no route has
// one, so such a request is answered 404 before anything is looked up.
func nulPath(r *http.Request) bool { return strings.IndexByte(r.URL.Path, 0) >= 0 }
