// Package impure imports what no pure package may: make guard must fail on it.
package impure

import "strings"

// Upper is strings.ToUpper.
func Upper(s string) string { return strings.ToUpper(s) }
