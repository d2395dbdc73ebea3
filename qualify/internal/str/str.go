// Package str is what package qualify needs of the strings package, and
// a quoting of its own, written without strings or strconv's quoting:
// strings brings the unicode package's tables and their initialisation
// into every program that links it, and strconv.Quote its tables of
// printable characters, which for the browser's widget are kilobytes for
// nothing. Each function named after one of strings does what that one
// does, within the limits its comment states.
package str

import (
	"unicode/utf8"
	"unsafe"
)

// Builder is the part of strings.Builder the core uses. Its zero value is
// an empty text.
type Builder struct{ buf []byte }

// WriteString appends s.
func (b *Builder) WriteString(s string) { b.buf = append(b.buf, s...) }

// WriteByte appends c; its error is always nil.
func (b *Builder) WriteByte(c byte) error {
	b.buf = append(b.buf, c)
	return nil
}

// Len returns the number of bytes built so far.
func (b *Builder) Len() int { return len(b.buf) }

// Grow makes room for n more bytes.
func (b *Builder) Grow(n int) {
	if cap(b.buf)-len(b.buf) < n {
		buf := make([]byte, len(b.buf), 2*cap(b.buf)+n)
		copy(buf, b.buf)
		b.buf = buf
	}
}

// String returns the text built so far, without copying it: the builder
// only ever appends, so the bytes it shares are never written again.
func (b *Builder) String() string { return unsafe.String(unsafe.SliceData(b.buf), len(b.buf)) }

// HasPrefix reports whether s begins with prefix.
func HasPrefix(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

// IndexByte returns the index of the first c in s, or -1.
func IndexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// LastIndexByte returns the index of the last c in s, or -1.
func LastIndexByte(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// Index returns the index of the first sub in s, or -1.
func Index(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// Contains reports whether sub is in s.
func Contains(s, sub string) bool { return Index(s, sub) >= 0 }

// Cut slices s around the first sep: the text before and after it, and
// whether it is there (if not, before is s).
func Cut(s string, sep byte) (before, after string, found bool) {
	if i := IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// Compare returns -1, 0 or 1 as a is less than, equal to or greater
// than b.
func Compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Join concatenates ss with sep between them.
func Join(ss []string, sep string) string {
	var b Builder
	for i, s := range ss {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	return b.String()
}

// TrimSpace returns s without leading and trailing white space, as
// Unicode defines it: what strings.TrimSpace removes.
func TrimSpace(s string) string {
	start, end := 0, len(s)
	for start < end {
		r, n := utf8.DecodeRuneInString(s[start:])
		if !isWhite(r) {
			break
		}
		start += n
	}
	for end > start {
		r, n := utf8.DecodeLastRuneInString(s[start:end])
		if !isWhite(r) {
			break
		}
		end -= n
	}
	return s[start:end]
}

// isWhite reports whether r has Unicode's White_Space property.
func isWhite(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}
