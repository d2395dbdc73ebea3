package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitCheckBuild writes a new company's content with init, then checks
// it and builds its site as they come: no problem, every example lead
// passing, and the company's own pages.
func TestInitCheckBuild(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "acme")
	code, out, errs := runWinnow(t, "", "init", "--name", "Acme Analytics", "--domain", "acme.com", "--framework", "CHAMP", "--stages", "simple", dir)
	if code != 0 {
		t.Fatalf("winnow init = %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"wrote " + dir + ": the model (CHAMP; stages bad lead, lead, MQL, SQL, opportunity, disqualified), the site of https://acme.com",
		"winnow check " + dir, "make edge CONTENT=" + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("init's output lacks %q:\n%s", want, out)
		}
	}

	// The test runs in cmd/winnow, not at the checkout's root.
	if !strings.Contains(errs, "note: this directory is not a Winnow checkout") {
		t.Errorf("init does not say the working directory is no checkout:\n%s", errs)
	}

	code, out, errs = runWinnow(t, "", "check", "--verbose", dir)
	if code != 0 {
		t.Fatalf("winnow check = %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"framework CHAMP", "6 stages", "examples: 5 passed, 0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("check's output lacks %q:\n%s", want, out)
		}
	}

	public := filepath.Join(tmp, "public")
	code, out, errs = runWinnow(t, "", "build", "--static", "../../static", "--assets", filepath.Join(tmp, "no-widget"), "--out", public, dir)
	if code != 0 {
		t.Fatalf("winnow build = %d\n%s%s", code, out, errs)
	}
	for file, want := range map[string]string{
		"index.html":                "Acme Analytics works with businesses",
		"pricing/index.html":        "How Acme Analytics prices its work",
		"privacy/index.html":        "mailto:privacy@acme.com",
		"signup/index.html":         "I agree that Acme Analytics may contact me about my request.",
		"glossary/lead/index.html":  "every contact that enters the funnel",
		"glossary/champ/index.html": "CHAMP",
	} {
		data, err := os.ReadFile(filepath.Join(public, filepath.FromSlash(file)))
		if err != nil {
			t.Error(err)
			continue
		}
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("%s lacks %q", file, want)
		}
	}
	wrangler, err := os.ReadFile(filepath.Join(dir, "wrangler.jsonc"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(wrangler, []byte(`"name": "acme-com"`)) || !bytes.Contains(wrangler, []byte(`"pattern": "acme.com"`)) {
		t.Errorf("wrangler.jsonc is not named and routed after the domain:\n%s", wrangler)
	}
}

// TestInitRefusesNonEmpty: a directory that holds anything is refused
// before anything is asked or written.
func TestInitRefusesNonEmpty(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.yaml"), []byte("name: ours\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runWinnow(t, "", "init", "--name", "Acme", "--domain", "acme.com", dir)
	if code != 1 || !strings.Contains(errs, dir+" is not empty") {
		t.Errorf("winnow init on a non-empty directory = %d, stderr:\n%s", code, errs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries after the refusal, want 1", len(entries))
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "model.yaml")); string(data) != "name: ours\n" {
		t.Errorf("model.yaml was changed: %q", data)
	}
}

// TestInitBadFlags: a flag value init cannot use is a usage error naming
// the flag and what it takes, and nothing is written.
func TestInitBadFlags(t *testing.T) {
	tmp := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--framework", "spin"}, `winnow init: --framework: "spin" is not a framework: choose bant, champ, annum`},
		{[]string{"--stages", "long"}, `winnow init: --stages: "long" is not a stage preset: choose classic, simple, full`},
		{[]string{"--domain", "https://acme.com"}, `winnow init: --domain: "https://acme.com" is not a domain: give the host name alone, such as example.com`},
		{[]string{"--domain", ""}, "winnow init: --name and --domain are needed when standard input is not a terminal"},
	} {
		dir := filepath.Join(tmp, "acme")
		args := append(append([]string{"init", "--name", "Acme", "--domain", "acme.com"}, tc.args...), dir)
		// Standard input is a pipe: nothing is asked.
		code, _, errs := runWinnow(t, "\n", args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("winnow %s = %d, want 2 and %q; stderr:\n%s", strings.Join(args, " "), code, tc.want, errs)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("winnow %s wrote %s", strings.Join(args, " "), dir)
		}
	}
	if code, _, errs := runWinnow(t, "", "init", "--name", "Acme", "--domain", "acme.com"); code != 2 || !strings.Contains(errs, "give the one directory") {
		t.Errorf("winnow init without a directory = %d\n%s", code, errs)
	}
}

// TestInitAsks: on a terminal, init asks for what the flags left out, asks
// again after an answer it cannot use, and takes the defaults of empty
// answers.
func TestInitAsks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader("Acme\nacme\nacme.io\nspin\n\n"), stdout: &out, stderr: &errb}
	if code := run(e, []string{"init", "--stages", "full", dir}); code != 0 {
		t.Fatalf("winnow init = %d\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"Company name: ", "Domain of the site, such as example.com: ", `"acme" is not a domain`,
		"Framework: bant, champ, annum [bant]: ", `"spin" is not a framework`} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("the questions lack %q:\n%s", want, errb.String())
		}
	}
	if strings.Contains(errb.String(), "Stages") {
		t.Errorf("init asked for the stages --stages gave:\n%s", errb.String())
	}
	model, _ := os.ReadFile(filepath.Join(dir, "model.yaml"))
	site, _ := os.ReadFile(filepath.Join(dir, "site.yaml"))
	if !bytes.Contains(model, []byte("framework: BANT\n")) || !bytes.Contains(site, []byte("base_url: https://acme.io\n")) {
		t.Errorf("the answers are not in the content:\n%s\n%s", model, site)
	}
	if _, err := os.Stat(filepath.Join(dir, "stages", "prospect.md")); err != nil {
		t.Errorf("--stages full: %v", err)
	}

	// Standard input ends before a name is given: nothing is written.
	dir2 := filepath.Join(t.TempDir(), "acme")
	errb.Reset()
	e = &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	if code := run(e, []string{"init", dir2}); code != 1 || !strings.Contains(errb.String(), "winnow init: no company name given") {
		t.Errorf("winnow init with no answers = %d\n%s", code, errb.String())
	}
	if _, err := os.Stat(dir2); err == nil {
		t.Errorf("init wrote %s without answers", dir2)
	}
}
