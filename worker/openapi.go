package worker

import (
	"io"
	"net/http"

	"github.com/winnowhq/winnow/docs"
)

// routeDocs adds the routes of the documents integrators read (package
// docs): the API as OpenAPI 3.1, and the webhooks' JSON Schema, which the
// document refers to by the relative URL webhook.schema.json.
func (h *Handler) routeDocs() {
	h.mux.HandleFunc("GET /api/openapi.json", serveDoc(docs.OpenAPI, "application/json; charset=utf-8"))
	h.mux.HandleFunc("GET /api/webhook.schema.json", serveDoc(docs.WebhookSchema, "application/schema+json; charset=utf-8"))
}

// serveDoc answers with a document. It is public and the same for every
// client: any origin may read it (an API viewer on another site), and
// caches may keep it a few minutes.
func serveDoc(doc, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		io.WriteString(w, doc)
	}
}
