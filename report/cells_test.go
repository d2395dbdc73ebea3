package report

import (
	"encoding/json"
	"maps"
	"testing"
)

// ParseCells reads what encoding/json reads, and refuses what it refuses.
func FuzzParseCells(f *testing.F) {
	for _, s := range []string{`{}`, ` { } `, `{"n":1}`, `{"e|MQL": 12, "h|MQL|214": -3}`, `{"a":1,"a":2}`,
		`{"a\"b":1}`, `{"a":1.5}`, `{"a":1e3}`, `{"a":"1"}`, `{"a":1,}`, `{"a":1} x`, `[1]`, `{"a":}`, `{"a":-}`,
		`{"é":9223372036854775807}`, `{"a":99999999999999999999}`, `{"a" : 1 , "b" :2 }`, ``, `{`, `{"a":1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCells(s)
		want := Cells{}
		werr := json.Unmarshal([]byte(s), &want)
		if (err != nil) != (werr != nil) {
			// Leading zeros are the one thing read directly that JSON
			// refuses; rollups never hold them.
			if werr != nil && err == nil && hasLeadingZero(s) {
				return
			}
			t.Fatalf("%q: ParseCells error %v, encoding/json %v", s, err, werr)
		}
		if err == nil && !maps.Equal(got, want) {
			t.Fatalf("%q: ParseCells %v, encoding/json %v", s, got, want)
		}
	})
}

func hasLeadingZero(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '0' && s[i+1] >= '0' && s[i+1] <= '9' && (i == 0 || s[i-1] < '0' || s[i-1] > '9') {
			return true
		}
	}
	return false
}

func BenchmarkParseCells(b *testing.B) {
	c := Cells{}
	for i := range 700 {
		c["h|MQL|"+string(rune('a'+i%26))+string(rune('a'+i/26))] = int64(i * 37)
	}
	js, _ := json.Marshal(c)
	b.Run("ParseCells", func(b *testing.B) {
		for b.Loop() {
			ParseCells(string(js))
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			parseCellsJSON(string(js))
		}
	})
}
