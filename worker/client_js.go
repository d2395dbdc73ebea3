//go:build js

package worker

// defaultClient is nil in WebAssembly: cmd/edge passes the runtime's fetch.
func defaultClient() Doer { return nil }
