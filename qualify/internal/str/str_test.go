package str

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

// TestEqualFoldMatchesStrings compares EqualFold with strings.EqualFold
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
			if got, want := EqualFold(a, b), strings.EqualFold(a, b); got != want {
				t.Errorf("EqualFold(%q, %q) = %v, strings.EqualFold says %v", a, b, got, want)
			}
		}
	}
	for _, c := range [][2]string{{"Müller", "MÜLLER"}, {"ΣΟΦΙΑ", "σοφια"}, {"ΣΟΦΙΑΣ", "σοφιας"}, {"ПРИВЕТ", "привет"},
		{"İstanbul", "istanbul"}, {"Straße", "STRASSE"}, {"a", "ab"}, {"\xff", "\xff"}, {"Nguyễn", "NGUYỄN"}} {
		if got, want := EqualFold(c[0], c[1]), strings.EqualFold(c[0], c[1]); got != want {
			t.Errorf("EqualFold(%q, %q) = %v, strings.EqualFold says %v", c[0], c[1], got, want)
		}
	}
}

func TestToLower(t *testing.T) {
	for _, s := range []string{"", "plain", "Gmail.COM", "BÜCHER.de", "ПОЧТА.РФ", "\xffX", "ΣΟΦΙΑΣ"} {
		if got, want := ToLower(s), strings.ToLower(s); got != want {
			t.Errorf("ToLower(%q) = %q, strings.ToLower says %q", s, got, want)
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
	var b Builder
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

func TestIndexFold(t *testing.T) {
	tests := []struct {
		s, sub string
		want   int
	}{
		{"Hello World", "world", 6},
		{"hello", "HELLO", 0},
		{"abc", "", 0},
		{"", "", 0},
		{"", "a", -1},
		{"abc", "abcd", -1},
		{"xXyZ", "xyz", 1},
		{"Price: 10", "PRICE", 0},
		{"aab", "AB", 1},
		{"123-abc", "3-A", 2},
		{"mobile APP", "app", 7},
		{"banana", "NAN", 2},
		{"ab", "ba", -1},
		{"Straße", "SSE", -1},
		{"über Uber", "UBER", 6},
		{"Müller GmbH", "müller", 0},
		{"a@Gmail.COM", "gmail.com", 2},
	}
	for _, tt := range tests {
		t.Run(tt.s+"/"+tt.sub, func(t *testing.T) {
			if got := IndexFold(tt.s, tt.sub); got != tt.want {
				t.Errorf("IndexFold(%q, %q) = %d, want %d", tt.s, tt.sub, got, tt.want)
			}
		})
	}
}

func TestIndexFoldMatchesLowerIndex(t *testing.T) {
	words := []string{"", "a", "A", "ab", "Ab", "aB", "ba", "b@", "@", "-z", "Z-", "zz", "aab", "ABA"}
	for _, s := range words {
		for _, u := range words {
			for _, sub := range words {
				hay := s + u + s
				want := strings.Index(strings.ToLower(hay), strings.ToLower(sub))
				if got := IndexFold(hay, sub); got != want {
					t.Errorf("IndexFold(%q, %q) = %d, want %d", hay, sub, got, want)
				}
			}
		}
	}
}

func TestToLowerASCII(t *testing.T) {
	for _, s := range []string{"", "plain", "Gmail.COM", "ÄBC.de", "\xffX", "@Z[`a{"} {
		want := []byte(s)
		for i, c := range want {
			want[i] = LowerASCII(c)
		}
		if got := ToLowerASCII(s); got != string(want) {
			t.Errorf("ToLowerASCII(%q) = %q, want %q", s, got, want)
		}
	}
	for c := 0; c < 256; c++ {
		want := byte(c)
		if c < 0x80 {
			want = strings.ToLower(string(rune(c)))[0]
		}
		if got := LowerASCII(byte(c)); got != want {
			t.Errorf("LowerASCII(%#x) = %#x, want %#x", c, got, want)
		}
	}
}

func TestSearch(t *testing.T) {
	for _, c := range [][2]string{{"", ""}, {"a", ""}, {"", "a"}, {"abcabc", "c"}, {"abcabc", "bc"}, {"abc", "abcd"}, {"a/b/c", "/"}} {
		s, sub := c[0], c[1]
		if got, want := Index(s, sub), strings.Index(s, sub); got != want {
			t.Errorf("Index(%q, %q) = %d, want %d", s, sub, got, want)
		}
		if got, want := Contains(s, sub), strings.Contains(s, sub); got != want {
			t.Errorf("Contains(%q, %q) = %v, want %v", s, sub, got, want)
		}
		if got, want := HasPrefix(s, sub), strings.HasPrefix(s, sub); got != want {
			t.Errorf("HasPrefix(%q, %q) = %v, want %v", s, sub, got, want)
		}
		if got, want := Compare(s, sub), strings.Compare(s, sub); got != want {
			t.Errorf("Compare(%q, %q) = %d, want %d", s, sub, got, want)
		}
		if sub == "" {
			continue
		}
		if got, want := IndexByte(s, sub[0]), strings.IndexByte(s, sub[0]); got != want {
			t.Errorf("IndexByte(%q, %q) = %d, want %d", s, sub[0], got, want)
		}
		if got, want := LastIndexByte(s, sub[0]), strings.LastIndexByte(s, sub[0]); got != want {
			t.Errorf("LastIndexByte(%q, %q) = %d, want %d", s, sub[0], got, want)
		}
		b, a, ok := Cut(s, sub[0])
		wb, wa, wok := strings.Cut(s, sub[:1])
		if b != wb || a != wa || ok != wok {
			t.Errorf("Cut(%q, %q) = %q, %q, %v; want %q, %q, %v", s, sub[0], b, a, ok, wb, wa, wok)
		}
	}
	for _, ss := range [][]string{nil, {"a"}, {"a", "b", "c"}, {"", ""}} {
		if got, want := Join(ss, ", "), strings.Join(ss, ", "); got != want {
			t.Errorf("Join(%q) = %q, want %q", ss, got, want)
		}
	}
}
