package str

import "unicode/utf8"

// Quote returns s in double quotes: a quote, a backslash, a control
// character or a byte that is not UTF-8 is escaped (\", \\, \n, \r, \t,
// \xHH); all other text is kept as it is. Unquote reads it back.
// strconv.Quote would also do, but its tables of printable characters
// would weigh on the widget.
func Quote(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		clean = c >= 0x20 && c != 0x7f && c != '"' && c != '\\' && c < utf8.RuneSelf
	}
	if clean {
		return `"` + s + `"`
	}
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)+8)
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || n > 1 {
				b = append(b, s[i:i+n]...)
				i += n
				continue
			}
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20 || c >= 0x7f:
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
		i++
	}
	return string(append(b, '"'))
}

// Unquote reads a string that Quote wrote, quotes included.
func Unquote(q string) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	q = q[1 : len(q)-1]
	if IndexByte(q, '\\') < 0 { // nothing escaped: the text itself, if it is clean
		for i := 0; i < len(q); i++ {
			if c := q[i]; c == '"' || c < 0x20 || c == 0x7f {
				return "", false
			}
		}
		return q, true
	}
	b := make([]byte, 0, len(q))
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '"' || c < 0x20 || c == 0x7f:
			return "", false
		case c != '\\':
			b = append(b, c)
			continue
		}
		i++
		if i == len(q) {
			return "", false
		}
		switch q[i] {
		case '"', '\\':
			b = append(b, q[i])
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'x':
			if i+2 >= len(q) {
				return "", false
			}
			h, l := unhex(q[i+1]), unhex(q[i+2])
			if h < 0 || l < 0 {
				return "", false
			}
			b = append(b, byte(h<<4|l))
			i += 2
		default:
			return "", false
		}
	}
	return string(b), true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}
