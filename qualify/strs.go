package qualify

import (
	"unicode/utf8"
	"unsafe"
)

// This package does without the strings package: importing it brings the
// unicode package's tables and their initialisation into every program
// that links the core, which for the browser's widget is several
// kilobytes for nothing. What the core needs of it is here.

// builder is the part of strings.Builder the core uses.
type builder struct{ buf []byte }

func (b *builder) WriteString(s string) { b.buf = append(b.buf, s...) }
func (b *builder) WriteByte(c byte) error {
	b.buf = append(b.buf, c)
	return nil
}
func (b *builder) Len() int { return len(b.buf) }
func (b *builder) Grow(n int) {
	if cap(b.buf)-len(b.buf) < n {
		buf := make([]byte, len(b.buf), 2*cap(b.buf)+n)
		copy(buf, b.buf)
		b.buf = buf
	}
}

// String returns the text built so far, without copying it: the builder
// only ever appends, so the bytes it shares are never written again.
func (b *builder) String() string { return unsafe.String(unsafe.SliceData(b.buf), len(b.buf)) }

func hasPrefix(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func lastIndexByte(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func index(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func contains(s, sub string) bool { return index(s, sub) >= 0 }

func cut(s string, sep byte) (before, after string, found bool) {
	if i := indexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func join(ss []string, sep string) string {
	var b builder
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

// lower returns the lower case of r in the Latin (Basic, Latin-1,
// Extended-A and Extended Additional), Greek and Cyrillic alphabets, and r
// itself otherwise: the alphabets of the names, companies and domains the
// core compares, without the unicode package's tables. The tests hold it
// to unicode.ToLower over those blocks.
func lower(r rune) rune {
	switch {
	case r < 0x80:
		if r >= 'A' && r <= 'Z' {
			return r + 32
		}
	case r < 0x100:
		if r >= 0xC0 && r <= 0xDE && r != 0xD7 {
			return r + 32
		}
	case r < 0x180: // Latin Extended-A: pairs, the upper case first
		switch {
		case r == 0x130:
			return 'i'
		case r == 0x178:
			return 0xFF
		case r >= 0x139 && r <= 0x148 || r >= 0x179 && r <= 0x17E:
			if r%2 == 1 {
				return r + 1
			}
		case r == 0x131 || r == 0x138 || r == 0x149 || r == 0x17F:
		case r%2 == 0:
			return r + 1
		}
	case r >= 0x386 && r <= 0x3AB: // Greek
		switch {
		case r >= 0x391 && r <= 0x3AB && r != 0x3A2:
			return r + 32
		case r == 0x386:
			return 0x3AC
		case r >= 0x388 && r <= 0x38A:
			return r + 37
		case r == 0x38C:
			return 0x3CC
		case r == 0x38E || r == 0x38F:
			return r + 63
		}
	case r >= 0x400 && r < 0x500: // Cyrillic
		switch {
		case r < 0x410:
			return r + 80
		case r < 0x430:
			return r + 32
		case r == 0x4C0:
			return 0x4CF
		case r >= 0x4C1 && r <= 0x4CE:
			if r%2 == 1 {
				return r + 1
			}
		case r >= 0x460 && r <= 0x481 || r >= 0x48A && r <= 0x4BF || r >= 0x4D0:
			if r%2 == 0 {
				return r + 1
			}
		}
	case r >= 0x1E00 && r <= 0x1EFF: // Latin Extended Additional
		if r%2 == 0 && (r <= 0x1E95 || r >= 0x1EA0) {
			return r + 1
		}
		if r == 0x1E9E {
			return 0xDF
		}
	}
	return r
}

// fold is lower as strings.EqualFold sees it: the final sigma is σ, and
// İ only itself.
func fold(r rune) rune {
	switch r {
	case 0x3C2:
		return 0x3C3
	case 0x130: // İ is not I or i ignoring case, though its lower case is i
		return r
	}
	return lower(r)
}

// equalFold reports whether a and b are the same text ignoring case, as
// strings.EqualFold does within the alphabets lower knows.
func equalFold(a, b string) bool {
	for a != "" && b != "" {
		var r1, r2 rune
		if a[0] < utf8.RuneSelf && b[0] < utf8.RuneSelf {
			r1, r2 = rune(a[0]), rune(b[0])
			a, b = a[1:], b[1:]
		} else {
			var n1, n2 int
			r1, n1 = utf8.DecodeRuneInString(a)
			r2, n2 = utf8.DecodeRuneInString(b)
			a, b = a[n1:], b[n2:]
		}
		if r1 != r2 && fold(r1) != fold(r2) {
			return false
		}
	}
	return a == b
}

// toLower returns s in lower case, as far as lower knows it.
func toLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
			b := make([]byte, 0, len(s))
			b = append(b, s[:i]...)
			for _, r := range s[i:] {
				b = utf8.AppendRune(b, lower(r))
			}
			return string(b)
		}
	}
	return s
}
