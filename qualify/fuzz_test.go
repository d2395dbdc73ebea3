package qualify_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/qualify"
)

// ruleSeeds returns every rule of the golden cases and of the shipped
// content, for the fuzzers to start from.
func ruleSeeds(tb testing.TB) []string {
	var seeds []string
	paths, _ := filepath.Glob(filepath.Join("testdata", "rules", "*.txt"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		_, after, _ := strings.Cut(string(data), "-- rule --\n")
		rule, _, _ := strings.Cut(after, "\n--")
		seeds = append(seeds, rule)
	}
	// Rules in content are written after these keys, one per line.
	for _, dir := range []string{"../content", "testdata/content"} {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			for _, line := range strings.Split(string(data), "\n") {
				line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
				for _, key := range []string{"rule: ", "when: ", "ask: "} {
					if rule, ok := strings.CutPrefix(line, key); ok {
						seeds = append(seeds, rule)
					}
				}
			}
			return nil
		})
	}
	return seeds
}

// FuzzParse checks that the parser never panics and that whatever it
// accepts prints to text that parses back to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range ruleSeeds(f) {
		f.Add(s)
	}
	m := testModel(f)
	lead, _ := m.Lead(qualify.Input{"email": "a@b.io", "consent": "yes", "seats": "3", "size": "large"}, 1772409600)
	f.Fuzz(func(t *testing.T, src string) {
		e, err := qualify.Parse(src)
		if err != nil {
			if _, ok := err.(*qualify.RuleError); !ok {
				t.Fatalf("Parse error is %T", err)
			}
			return
		}
		printed := qualify.Print(e)
		again, err := qualify.Parse(printed)
		if err != nil {
			t.Fatalf("Parse(Print(Parse(%q))) = %v; printed %q", src, err, printed)
		}
		if !qualify.Equal(e, again) {
			t.Fatalf("Parse(Print(x)) != x for %q; printed %q", src, printed)
		}
		if p2 := qualify.Print(again); p2 != printed {
			t.Fatalf("Print is not stable for %q: %q then %q", src, printed, p2)
		}
		// Decode's resolver must accept exactly what Check accepts, in
		// every context, and resolve to the same tree.
		for _, ctx := range []qualify.Context{qualify.InPoint, qualify.InCriterion, qualify.InStage, qualify.InAsk} {
			checked, err := qualify.Parse(src)
			if err != nil {
				t.Fatal(err)
			}
			errs := m.Check(checked, ctx)
			qualify.StripOffsets(&qualify.Rule{Expr: checked})
			resolved, ok := m.ResolvePolish(qualify.Polish(e), ctx)
			if ok != (len(errs) == 0) {
				t.Fatalf("%q in context %d: Check says %v, resolve says %v (prefix form %q)", src, ctx, errs, ok, qualify.Polish(e))
			}
			if ok && !reflect.DeepEqual(checked, resolved) {
				t.Fatalf("%q in context %d: resolve's tree differs from Check's", src, ctx)
			}
		}
		if errs := m.Check(e, qualify.InAsk); len(errs) == 0 {
			m.Never(e)
			m.Always(e)
			v := qualify.Evaluate(m, &lead, 1772409600)
			qualify.Holds(m, &qualify.Rule{Expr: e}, &lead, 1772409600, &v)
		}
	})
}

// FuzzDecode checks that Decode never panics, and that a model it accepts
// encodes to text that decodes to the same model, and can be evaluated.
func FuzzDecode(f *testing.F) {
	src, err := os.ReadFile(filepath.Join("testdata", "model.txt"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(src))
	for _, s := range contentModels(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m, err := qualify.Decode(text)
		if err != nil {
			if _, ok := err.(*qualify.DecodeError); !ok {
				t.Fatalf("Decode error is %T", err)
			}
			return
		}
		enc := qualify.Encode(m)
		back, err := qualify.Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(m)) = %v\n%s", err, enc)
		}
		if again := qualify.Encode(back); again != enc {
			t.Fatalf("Encode(Decode(Encode(m))) differs:\n%s\n---\n%s", enc, again)
		}
		// Evaluate must not panic on any model Decode accepts.
		in := qualify.Input{}
		for _, fd := range m.Fields {
			if len(fd.Options) > 0 {
				in[fd.Name] = fd.Options[len(fd.Options)-1].Value
			} else {
				in[fd.Name] = "1"
			}
		}
		lead, _ := m.Lead(in, 1772409600)
		v := qualify.Evaluate(m, &lead, 1772409600)
		qualify.Explain(m, &lead, 1772409600)
		empty := m.NewLead()
		qualify.Evaluate(m, &empty, 0)
		_ = v
	})
}

// FuzzLead feeds arbitrary answers to every field of the test model: Lead
// must never panic, every error must name its field and say something, and
// a value it accepts must be accepted again as the model stores it.
func FuzzLead(f *testing.F) {
	for _, s := range []string{"", " ", "yes", "ana@northwind.io", "2026-02-30", "1e3", "-0.5",
		"small", "\xff\xfe", "a\u202eb", strings.Repeat("x", 6000), "+44 20 7946 0000"} {
		f.Add(s, uint8(0))
	}
	m := testModel(f)
	f.Fuzz(func(t *testing.T, value string, which uint8) {
		fd := &m.Fields[int(which)%len(m.Fields)]
		in := qualify.Input{"email": "a@b.io", "consent": "yes", fd.Name: value}
		lead, errs := m.Lead(in, 1772409600)
		for _, e := range errs {
			if e.Field == "" || e.Code == "" || e.Message == "" {
				t.Fatalf("error without field, code or message: %+v", e)
			}
		}
		fe, ok := fd.Check(value)
		if _, bad := errs.Get(fd.Name); ok == bad {
			t.Fatalf("Check(%q) = %v, %v but Lead gives %v", value, fe, ok, errs)
		}
		v := lead.Values[m.FieldIndex(fd.Name)]
		if v.Known && fd.Type == qualify.Email {
			if _, ok := qualify.NormalizeEmail(v.Str); !ok {
				t.Fatalf("stored email %q is not valid", v.Str)
			}
		}
		qualify.Evaluate(m, &lead, 1772409600)
	})
}
