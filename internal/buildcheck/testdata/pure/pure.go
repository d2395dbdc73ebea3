// Package pure imports nothing a pure package may not: make guard passes on it.
package pure

import "strconv"

// Itoa is strconv.Itoa.
func Itoa(n int) string { return strconv.Itoa(n) }
