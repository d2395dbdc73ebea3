// Package docs holds the documents integrators read, embedded for the
// worker to serve: the API as an OpenAPI 3.1 document and the JSON Schema
// of the webhooks. openapi.yaml is the source; openapi.json is made from
// it by go generate (gen.go), and a test fails while the two differ.
package docs

import _ "embed"

//go:generate go run gen.go

// OpenAPI is the API's OpenAPI 3.1 document, as JSON (openapi.json). It
// refers to the webhooks' schema by the relative URL webhook.schema.json:
// serve WebhookSchema beside it.
//
//go:embed openapi.json
var OpenAPI string

// WebhookSchema is the JSON Schema (draft 2020-12) of the body a json
// webhook target receives (webhook.schema.json).
//
//go:embed webhook.schema.json
var WebhookSchema string
