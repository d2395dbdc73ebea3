//go:build js

package qualify_test

import "testing"

// contentModels is empty under js: the loader of the shipped content reads
// YAML natively, outside the core's wasm tests.
func contentModels(testing.TB) []string { return nil }
