package str

import "unicode/utf8"

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

// EqualFold reports whether a and b are the same text ignoring case, as
// strings.EqualFold does within the alphabets lower knows: Latin, Greek
// and Cyrillic.
func EqualFold(a, b string) bool {
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

// ToLower returns s in lower case, as strings.ToLower does within the
// alphabets lower knows.
func ToLower(s string) string {
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

// IndexFold is strings.Index ignoring case (as EqualFold compares),
// without allocating. It looks for the first byte both ways before
// comparing the rest.
func IndexFold(s, sub string) int {
	if sub == "" {
		return 0
	}
	first := sub[0]
	other := first
	if c := LowerASCII(first); c != first {
		other = c
	} else if c >= 'a' && c <= 'z' {
		other = c - 'a' + 'A'
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if c := s[i]; c != first && c != other {
			continue
		}
		if EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// LowerASCII returns the lower case of c if it is an ASCII letter, and c
// otherwise.
func LowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// ToLowerASCII lowers the ASCII letters of s and keeps every other byte.
func ToLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
