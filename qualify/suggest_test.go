package qualify

import "testing"

func TestSuggestEmail(t *testing.T) {
	for in, want := range map[string]string{
		"ana@gmial.com":      "ana@gmail.com",
		"ana@gmail.con":      "ana@gmail.com",
		"Ana@GMAIL.CO":       "Ana@gmail.com",
		"ana@hotmial.com":    "ana@hotmail.com",
		"ana@yahooo.com":     "ana@yahoo.com",
		"ana@outlok.com":     "ana@outlook.com",
		"ana@gmail.com":      "",
		"ana@northwind.io":   "",
		"ana@mailinator.com": "",
		"ana@gmx.at":         "",
		"ana@hotmial.co.uk":  "ana@hotmail.co.uk",
		"ana@yahoo.com.br":   "", // a country's variant, in the table: never corrected
		"ana@gmail.com.br":   "",
		"ana@mailinator.net": "",
		"ana@yahoo.cm":       "ana@yahoo.com",
		"not an address":     "",
		"ana@":               "",
	} {
		if got := SuggestEmail(in); got != want {
			t.Errorf("SuggestEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkSuggestEmail is the typo check the widget runs on every
// keystroke in the email field, for a mistyped free-mail domain.
func BenchmarkSuggestEmail(b *testing.B) {
	for b.Loop() {
		if SuggestEmail("ana@gmail.co") != "ana@gmail.com" {
			b.Fatal("no suggestion")
		}
	}
}
