// Package num reads and writes numbers as package qualify needs them,
// rather than by strconv.ParseFloat and strconv.Atoi, whose tables and
// slow paths would weigh on the widget's WebAssembly more than every other
// part of the core together. Forms and content write numbers with a few
// digits, which ParseDecimal reads exactly; FormatExact writes any other
// number in hexadecimal, which ParseExact also reads exactly.
package num

import (
	"math"
	"strconv"
)

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// ParseDecimal reads an optional minus, digits and an optional fraction
// (at least one digit in all; "5." and ".5" are numbers), refusing one
// too large for a float64. It is exact,
// the float64 nearest the decimal, when the number has at most 15
// significant digits and at most 22 after the point, as every number a
// person types into a form does; otherwise it is within one unit in the
// last place.
func ParseDecimal(s string) (float64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	var mant uint64
	digits, sig, scale := 0, 0, 0 // scale: the power of ten mant is short of
	dot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			digits++
			if sig == 0 && c == '0' {
				if dot {
					scale--
				}
				continue
			}
			if sig < 19 {
				mant = mant*10 + uint64(c-'0')
				sig++
				if dot {
					scale--
				}
			} else if !dot {
				scale++ // a digit beyond what mant holds
			}
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	v := float64(mant)
	for scale > 0 {
		k := min(scale, 22)
		v *= pow10[k]
		scale -= k
	}
	for scale < 0 {
		k := min(-scale, 22)
		v /= pow10[k]
		scale += k
	}
	if v > math.MaxFloat64 {
		return 0, false // too large for a float64, as ParseFloat refuses it
	}
	if neg {
		v = -v
	}
	return v, true
}

// FormatExact writes v so that ParseExact reads it back exactly: in
// decimal without an exponent (strconv's 'f' format) when ParseDecimal
// reads that back exactly, in hexadecimal otherwise.
func FormatExact(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if back, ok := ParseDecimal(s); ok && back == v && (v != 0 || !math.Signbit(v)) {
		return s
	}
	return strconv.FormatFloat(v, 'x', -1, 64)
}

// ParseExact reads what FormatExact writes.
func ParseExact(s string) (float64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) < 2 || s[0] != '0' || s[1] != 'x' {
		v, ok := ParseDecimal(s)
		if neg {
			v = -v
		}
		return v, ok && (len(s) == 0 || s[0] != '-')
	}
	v, ok := parseHex(s[2:])
	if neg {
		v = -v
	}
	return v, ok
}

// parseHex reads the hexadecimal mantissa and binary exponent that
// strconv.FormatFloat(v, 'x', -1, 64) writes after its 0x: "1.8p+01".
func parseHex(s string) (float64, bool) {
	var mant uint64
	exp, digits, dot := 0, 0, false
	i := 0
	for ; i < len(s) && s[i] != 'p'; i++ {
		c := s[i]
		var d uint64
		switch {
		case c == '.' && !dot:
			dot = true
			continue
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		default:
			return 0, false
		}
		if digits == 15 { // 1 + 13 digits hold a float64's 53 bits
			return 0, false
		}
		mant = mant<<4 | d
		digits++
		if dot {
			exp -= 4
		}
	}
	if digits == 0 || i+2 >= len(s) || s[i+1] != '+' && s[i+1] != '-' {
		return 0, false
	}
	e, ok := Atoi(s[i+2:])
	if !ok || e > 2000 {
		return 0, false
	}
	if s[i+1] == '-' {
		e = -e
	}
	return math.Ldexp(float64(mant), exp+int(e)), true
}

// Itoa formats n in decimal.
func Itoa(n int) string {
	if n >= 0 && n < 10 {
		return string(rune('0' + n))
	}
	var buf [20]byte
	i := len(buf)
	u := uint64(n)
	if n < 0 {
		u = uint64(-n)
	}
	for u >= 10 {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	i--
	buf[i] = byte('0' + u)
	if n < 0 {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

// Atoi parses a decimal whole number of at most 18 digits, optionally
// negative, faster than strconv.
func Atoi(s string) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
