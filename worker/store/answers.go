package store

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// parseAnswers reads a lead's answers as stored (a JSON object of
// strings, as encoding/json writes it), several times faster than
// encoding/json for the usual answers, which hold no escapes: those are
// read directly, anything else by encoding/json. What it cannot read is
// no answers.
func parseAnswers(s string) map[string]string {
	if out, ok := plainAnswers(s); ok {
		return out
	}
	out := map[string]string{}
	if json.Unmarshal([]byte(s), &out) != nil {
		return map[string]string{}
	}
	return out
}

// plainAnswers reads an object of strings without escapes or control
// characters, in valid UTF-8; ok is false for anything else.
func plainAnswers(s string) (out map[string]string, ok bool) {
	if strings.IndexByte(s, '\\') >= 0 || !utf8.ValidString(s) {
		return nil, false
	}
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return nil, false
	}
	out = make(map[string]string, strings.Count(s, `":`))
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return out, skipWS(s, i+1) == len(s)
	}
	for {
		k, j, ok := plainString(s, i)
		if !ok {
			return nil, false
		}
		i = skipWS(s, j)
		if i >= len(s) || s[i] != ':' {
			return nil, false
		}
		v, j, ok := plainString(s, skipWS(s, i+1))
		if !ok {
			return nil, false
		}
		out[k] = v
		i = skipWS(s, j)
		if i >= len(s) {
			return nil, false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case '}':
			return out, skipWS(s, i+1) == len(s)
		default:
			return nil, false
		}
	}
}

// plainString reads the string at s[i] (without escapes), and where it
// ends.
func plainString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	end := strings.IndexByte(s[i+1:], '"')
	if end < 0 {
		return "", 0, false
	}
	v := s[i+1 : i+1+end]
	for k := 0; k < len(v); k++ {
		if v[k] < 0x20 {
			return "", 0, false
		}
	}
	return v, i + end + 2, true
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}
