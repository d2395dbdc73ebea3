package qualify

import (
	"strings"
	"testing"
	"unicode"
)

// known reports whether r is in the alphabets lower knows: Latin (Basic,
// Latin-1, Extended-A, Extended Additional), Greek and Cyrillic.
func known(r rune) bool {
	return r < 0x180 || r >= 0x386 && r <= 0x3CE || r >= 0x400 && r < 0x500 || r >= 0x1E00 && r <= 0x1EFF
}

// TestLowerMatchesUnicode holds lower to unicode.ToLower over the
// alphabets it knows, and to leaving every other rune as it is.
func TestLowerMatchesUnicode(t *testing.T) {
	for r := rune(0); r < 0x2000; r++ {
		want := r
		if known(r) {
			want = unicode.ToLower(r)
		}
		if got := lower(r); got != want {
			t.Errorf("lower(%U %c) = %U, want %U", r, r, got, want)
		}
	}
	if got := lower(0x1E9E); got != 0xDF {
		t.Errorf("lower(ẞ) = %U", got)
	}
}

// TestEqualFoldMatchesStrings compares equalFold with strings.EqualFold
// on every pair of a rune and its cases within the alphabets lower knows.
// Letters outside them that fold into them (the Kelvin sign K, the long s
// ſ, µ, Greek symbol forms such as ϐ) are compared as they are.
func TestEqualFoldMatchesStrings(t *testing.T) {
	for r := rune(0); r < 0x500; r++ {
		if !known(r) || r == 0xB5 || r == 0x17F {
			continue
		}
		for _, o := range []rune{r, unicode.ToUpper(r), unicode.ToLower(r), unicode.SimpleFold(r), r + 1, r - 1} {
			if !known(o) || o == 0xB5 || o == 0x17F {
				continue
			}
			a, b := "x"+string(r)+"y", "X"+string(o)+"Y"
			if got, want := equalFold(a, b), strings.EqualFold(a, b); got != want {
				t.Errorf("equalFold(%q, %q) = %v, strings.EqualFold says %v", a, b, got, want)
			}
		}
	}
	for _, c := range [][2]string{{"Müller", "MÜLLER"}, {"ΣΟΦΙΑ", "σοφια"}, {"ΣΟΦΙΑΣ", "σοφιας"}, {"ПРИВЕТ", "привет"},
		{"İstanbul", "istanbul"}, {"Straße", "STRASSE"}, {"a", "ab"}, {"\xff", "\xff"}, {"Nguyễn", "NGUYỄN"}} {
		if got, want := equalFold(c[0], c[1]), strings.EqualFold(c[0], c[1]); got != want {
			t.Errorf("equalFold(%q, %q) = %v, strings.EqualFold says %v", c[0], c[1], got, want)
		}
	}
}

func TestToLower(t *testing.T) {
	for _, s := range []string{"", "plain", "Gmail.COM", "BÜCHER.de", "ПОЧТА.РФ", "\xffX", "ΣΟΦΙΑΣ"} {
		if got, want := toLower(s), strings.ToLower(s); got != want {
			t.Errorf("toLower(%q) = %q, strings.ToLower says %q", s, got, want)
		}
	}
}

func TestTrimSpace(t *testing.T) {
	for _, s := range []string{"", " ", " a ", "\t\n a b \r\v\f", "\u00a0x\u3000", "\u2000\u200a\u200b", "\u0085y\u2028\u2029",
		"\u202f\u205f\u1680z", "\xff ", " \xff"} {
		if got, want := TrimSpace(s), strings.TrimSpace(s); got != want {
			t.Errorf("TrimSpace(%q) = %q, strings.TrimSpace says %q", s, got, want)
		}
	}
	for r := rune(0); r < 0x3100; r++ {
		if isWhite(r) != unicode.IsSpace(r) {
			t.Errorf("isWhite(%U) = %v, unicode.IsSpace says %v", r, isWhite(r), unicode.IsSpace(r))
		}
	}
}

func TestBuilder(t *testing.T) {
	var b builder
	b.Grow(2)
	b.WriteString("ab")
	s := b.String()
	b.WriteByte('c')
	b.Grow(100)
	b.WriteString("d")
	if s != "ab" || b.String() != "abcd" || b.Len() != 4 {
		t.Errorf("builder: %q then %q (len %d)", s, b.String(), b.Len())
	}
}
