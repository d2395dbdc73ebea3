package qualify_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/qualify"
)

func TestCanonicalRoundTrip(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "model.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := qualify.Decode(string(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := qualify.Encode(m); got != string(src) {
		t.Errorf("Encode(Decode(text)) differs from text:\n%s", got)
	}
	back, err := qualify.Decode(qualify.Encode(m))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Error("Decode(Encode(m)) differs from m")
	}
}

// TestDecodeErrors checks that broken canonical text is refused with the
// line of the problem.
func TestDecodeErrors(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "model.txt"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(src)
	lines := strings.Split(strings.TrimSuffix(good, "\n"), "\n")
	replace := func(i int, line string) string {
		c := append([]string(nil), lines...)
		c[i] = line
		return strings.Join(c, "\n") + "\n"
	}
	find := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return i
			}
		}
		t.Fatalf("no line starts with %q", prefix)
		return -1
	}
	field := find("field email ")
	point := find(`point "industry" `)
	stage := find(`stage "mql" `)
	cases := []struct {
		name, text, want string
	}{
		{"empty", "", "empty text"},
		{"header", "winnow-model 2\n", "line 1: not a model"},
		{"cut short", strings.Join(lines[:len(lines)/2], "\n"), "missing end"},
		{"after end", good + "field x text 0 0 0 0 0 @-:0:0 \"\" \"\" \"\" \"\" \"\"\n", "text after end"},
		{"unknown record", replace(field, "feild email email"), `unknown record "feild"`},
		{"bad type", replace(field, strings.Replace(lines[field], " email 1 ", " mail 1 ", 1)), "unknown field type"},
		{"bad name", replace(field, strings.Replace(lines[field], "field email", "field 1email", 1)), `invalid name "1email"`},
		{"short line", replace(field, "field email email 1"), "line ends too early"},
		{"bad number", replace(field, strings.Replace(lines[field], " 1 0 0 0 0 ", " x 0 0 0 0 ", 1)), "expected a whole number"},
		{"bad position", replace(field, strings.Replace(lines[field], "@0:", "@99:", 1)), "unknown file in position"},
		{"unterminated string", replace(field, lines[field]+` "abc`), "string is not terminated"},
		{"trailing words", replace(field, lines[field]+` "" extra`), `unexpected "extra"`},
		{"unknown signal", replace(point, strings.Replace(lines[point], `"industry" fit 2 -`, `"industry" fit 2 nosuch`, 1)), "unknown signal"},
		{"rule cut short", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+" : >= fit"), "rule: rule ends too early"},
		{"rule too long", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : >= fit "B" 1`), `after the end of the rule`},
		{"rule word", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : && fit "B"`), `unknown word "&&"`},
		{"rule count", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : in/0 fit`), `the list after in is empty`},
		{"rule string", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : == name "a\q"`), `invalid string`},
		{"rule unknown name", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+" : > nosuch 1"), "line 70: the rule is not valid here"},
		{"rule type", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : > fit 1`), "the rule is not valid here"},
		{"rule context", replace(point, lines[point][:strings.Index(lines[point], " : ")]+` : > score 1`), "the rule is not valid here"},
		{"rule not a condition", replace(stage, lines[stage][:strings.Index(lines[stage], " : ")]+` : + 1 2`), "the rule is not valid here"},
		{"option first", "winnow-model 1\noption \"a\" \"a\" \"\"\nend\n", "option before any field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := qualify.Decode(c.text)
			if err == nil {
				t.Fatalf("Decode succeeded (%d fields), want an error containing %q", len(m.Fields), c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Decode error = %q, want it to contain %q", err, c.want)
			}
			if _, ok := err.(*qualify.DecodeError); !ok {
				t.Errorf("error is %T, want *qualify.DecodeError", err)
			}
		})
	}
}
