package str

import "testing"

func TestQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", `a "quoted" \ word`, "tab\tnew\nline\rret", "\x00\x1f\x7f", "\xff\xfe bytes",
		"émoji 🚀 and עברית", "\u2028", "\x80"} {
		q := Quote(s)
		back, ok := Unquote(q)
		if !ok || back != s {
			t.Errorf("Unquote(Quote(%q)) = %q, %v (quoted %s)", s, back, ok, q)
		}
		for i := 1; i < len(q)-1; i++ {
			if q[i] == '\n' || q[i] == '\r' {
				t.Errorf("Quote(%q) = %q holds a line break", s, q)
			}
		}
	}
	for _, bad := range []string{``, `"`, `"a`, `a"`, `"\q"`, `"\x4"`, `"\xzz"`, `"a"b"`, "\"\x01\"", `"\"`} {
		if s, ok := Unquote(bad); ok {
			t.Errorf("Unquote(%q) = %q, want refused", bad, s)
		}
	}
}
