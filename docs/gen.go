//go:build ignore

// Gen writes openapi.json, the OpenAPI document the worker serves, from
// openapi.yaml, its source: go generate ./docs.
package main

import (
	"bytes"
	"encoding/json"
	"log"
	"os"

	"github.com/goccy/go-yaml"
)

func main() {
	src, err := os.ReadFile("openapi.yaml")
	if err != nil {
		log.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(src)
	if err != nil {
		log.Fatal("openapi.yaml: ", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, js, "", "  "); err != nil {
		log.Fatal(err)
	}
	out.WriteByte('\n')
	if err := os.WriteFile("openapi.json", out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
