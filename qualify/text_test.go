package qualify_test

import (
	"strconv"
	"testing"

	"github.com/winnowhq/winnow/qualify"
)

func TestGibberish(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"asdfgh", true},
		{"asdf", true},
		{"ASDF", true},
		{"fdsa", true},
		{"lkjh", true},
		{"qwerty", true},
		{"qwert", true},
		{"qwerty uiop", true},
		{"poiuy", true},
		{"zxcv", true},
		{"mnbv", true},
		{"Ana asdf", true},
		{"Abdfgkltra", true},
		{"jkdhfkjsdhf", true},
		{"nrdtk", true},
		{"Bcdfghjk", true},
		{"Saaaam", true},
		{"Jooohn Smiiiith", true},
		{"aaaa", true},
		{"xxx", true},
		{"XXX", true},
		{"Ooo", true},
		{"Ana xxx", true},

		{"", false},
		{"123", false},
		{"qwer", false},
		{"poiu", false},
		{"uiop", false},
		{"asd", false},
		{"zxc", false},
		{"xx", false},
		{"Aaaron", false},
		{"Angstrom", false},
		{"Rhythm", false},
		{"Ana Souza", false},
		{"Krzysztof Wójcik", false},
		{"Nguyen Van Anh", false},
		{"Siobhán O'Connor", false},
		{"Schwarzkopf", false},
		{"Liberty Mutual", false},
		{"Property Partners", false},
		{"IBM", false},
		{"KPMG", false},
		{"PwC", false},
		{"3M", false},
		{"王秀英", false},
		{"Müller GmbH", false},
		{"Tschüss", false},
		{"Mkhwanazi", false},
		{"Llewellyn", false},
		{"Aaron", false},
		{"Strength", false},
		{"Mary-Jane O'Neil", false},
		{"Xu Li", false},
		{"Hänsel & Gretel AG", false},
		{"Knightsbridge Capital", false},
		{"Rechtsschutz Versicherung", false},
		{"Hirschsprung", false},
		{"Angstschweiss", false},
		{"Szczepanski", false},
	}
	for _, tt := range tests {
		t.Run(caseName(tt.in), func(t *testing.T) {
			if got := qualify.Gibberish(tt.in); got != tt.want {
				t.Errorf("Gibberish(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestLinks(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"see https://a.example and www.b.example", 2},
		{"no links here", 0},
		{"email me at a@b.com", 0},
		{"", 0},
		{"   ", 0},
		{"https://a.example", 1},
		{"WWW.Example.com", 1},
		{"Www.example.com", 1},
		{"www.", 0},
		{"awww.example", 0},
		{"(www.example.com)", 0},
		{"ftp://files.example", 1},
		{"HTTP://A.EXAMPLE", 1},
		{"https://a.example/?next=https://b.example", 1},
		{"a.example, b.example", 0},
		{"http://a\nhttp://b\thttp://c\r\nwww.d", 4},
		{"  www.a.example  www.a.example  ", 2},
		{"it://s", 1},
	}
	for _, tt := range tests {
		t.Run(caseName(tt.in), func(t *testing.T) {
			if got := qualify.Links(tt.in); got != tt.want {
				t.Errorf("Links(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestDomain(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"ana@Example.COM", "example.com"},
		{"ana@example.com", "example.com"},
		{"Ana@example.com", "example.com"},
		{"example.com", "example.com"},
		{"EXAMPLE.org", "example.org"},
		{"a@b@c.io", "c.io"},
		{"a@B@C.IO", "c.io"},
		{"ana@", ""},
		{"@example.com", "example.com"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(caseName(tt.in), func(t *testing.T) {
			if got := qualify.Domain(tt.in); got != tt.want {
				t.Errorf("Domain(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"90d", 90 * 86400},
		{"24h", 86400},
		{"2w", 14 * 86400},
		{"30m", 1800},
		{"45s", 45},
		{"0s", 0},
		{"0d", 0},
		{"1s", 1},
		{"007h", 7 * 3600},
		{"36500d", 36500 * 86400},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := qualify.ParseDuration(tt.in)
			if !ok || got != tt.want {
				t.Errorf("ParseDuration(%q) = %d, %v, want %d, true", tt.in, got, ok, tt.want)
			}
		})
	}
}

func TestParseDurationInvalid(t *testing.T) {
	tests := []string{
		"",
		"d",
		"s",
		"10",
		"-1d",
		"-0d",
		"+1d",
		"1.5d",
		"1e3s",
		"0x10d",
		"1_000s",
		"10y",
		"10D",
		"10ms",
		"1dd",
		" 1d",
		"1 d",
		"1d ",
		"999999999999999999d",
		"99999999999999999999s",
		"36501d",
		"5215w",
	}
	for _, in := range tests {
		t.Run(caseName(in), func(t *testing.T) {
			if got, ok := qualify.ParseDuration(in); ok {
				t.Errorf("ParseDuration(%q) = %d, true, want false", in, got)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{90 * 86400, "90d"},
		{14 * 86400, "14d"},
		{86400, "1d"},
		{3600, "1h"},
		{25 * 3600, "25h"},
		{1800, "30m"},
		{120, "2m"},
		{90, "90s"},
		{61, "61s"},
		{1, "1s"},
		{0, "0s"},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatInt(tt.in, 10), func(t *testing.T) {
			got := qualify.FormatDuration(tt.in)
			if got != tt.want {
				t.Errorf("FormatDuration(%d) = %q, want %q", tt.in, got, tt.want)
			}
			if back, ok := qualify.ParseDuration(got); !ok || back != tt.in {
				t.Errorf("ParseDuration(FormatDuration(%d)) = ParseDuration(%q) = %d, %v, want %d, true", tt.in, got, back, ok, tt.in)
			}
		})
	}
}
