package store

import (
	"encoding/json"
	"maps"
	"testing"
)

// parseAnswers reads what encoding/json reads; what it refuses is no
// answers.
func FuzzParseAnswers(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"b"}`, `{"email":"ana@northwind.io","name":"Ana"}`, `{"a":"b\"c"}`, `{"a":"\u003c"}`,
		`{"a":1}`, `{"a":"b",}`, `{"a":"b"} x`, `{"é":"ü"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", `{"a":"b","a":"c"}`,
		` { "a" : "b" } `, `[]`, `{"a":null}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := map[string]string{}
		if json.Unmarshal([]byte(s), &want) != nil {
			want = map[string]string{}
		}
		if got := parseAnswers(s); !maps.Equal(got, want) {
			t.Fatalf("%q: parseAnswers %v, encoding/json %v", s, got, want)
		}
	})
}
