package worker

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/winnowhq/winnow/qualify"
)

// apiError is the body of every error answer: a code for programs, a
// message for people, and the problems with each field, if any.
type apiError struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
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

func writeError(w http.ResponseWriter, status int, code, msg string, fields ...fieldError) {
	writeJSON(w, status, apiError{Code: code, Message: msg, Errors: fields})
}

// nulPath reports whether the request's path holds NUL: no route has
// one, so such a request is answered 404 before anything is looked up.
func nulPath(r *http.Request) bool { return strings.IndexByte(r.URL.Path, 0) >= 0 }
