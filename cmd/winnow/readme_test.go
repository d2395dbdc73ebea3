package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeEval runs the `winnow eval` example of README.md and checks that
// every line the README shows is what the command prints, in order (a line
// "..." stands for lines left out, a line ending in "..." for the rest of
// it), so the README cannot show a model or a
// verdict that no longer exists.
func TestReadmeEval(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const start = "```sh\n$ winnow eval "
	i := strings.Index(string(readme), start)
	if i < 0 {
		t.Fatal("README.md has no `$ winnow eval` example")
	}
	block := string(readme[i+len("```sh\n$ "):])
	block = block[:strings.Index(block, "```")]
	lines := strings.Split(block, "\n")
	// The command: lines joined while they end in a backslash.
	var cmd string
	for len(lines) > 0 {
		l := lines[0]
		lines = lines[1:]
		if s, ok := strings.CutSuffix(l, `\`); ok {
			cmd += s
			continue
		}
		cmd += l
		break
	}
	args := shellWords(t, cmd)
	if len(args) < 2 || args[0] != "winnow" || args[1] != "eval" {
		t.Fatalf("README example command = %q", args)
	}
	// Run from the repository's root, as the README's reader does.
	t.Chdir("../..")
	args = args[1:]
	code, out, errs := runWinnow(t, "", args...)
	if code != 0 {
		t.Fatalf("winnow %s = %d\n%s", strings.Join(args, " "), code, errs)
	}
	got := strings.Split(out, "\n")
	for n, want := range lines {
		w := strings.Join(strings.Fields(want), " ")
		if w == "" || w == "..." {
			continue
		}
		// A line ending in "..." is cut short: the command's line starts with it.
		prefix, cut := strings.CutSuffix(w, "...")
		found := false
		for len(got) > 0 && !found {
			g := strings.Join(strings.Fields(got[0]), " ")
			found = g == w || cut && strings.HasPrefix(g, prefix)
			got = got[1:]
		}
		if !found {
			t.Fatalf("README.md's eval example, output line %d:\n  %s\nis not printed (in this order) by winnow eval, which prints:\n%s", n+1, want, out)
		}
	}
}

// shellWords splits a command line as a POSIX shell would for the README's
// examples: words separated by blanks, double quotes grouping.
func shellWords(t *testing.T, s string) []string {
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", s)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}
