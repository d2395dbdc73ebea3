package worker

import "net/http"

// RoutePattern is the pattern of the route of h that serves r, or "" if
// none does: for the tests that hold the API's document to the handler.
func RoutePattern(h *Handler, r *http.Request) string {
	_, pattern := h.mux.Handler(r)
	return pattern
}
