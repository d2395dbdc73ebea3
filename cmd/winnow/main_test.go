package main

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runWinnow runs the command line in-process and returns its exit status
// and output.
func runWinnow(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, stdinIsFile: stdin != ""}
	code = run(e, args)
	return code, out.String(), errb.String()
}

const shippedContent = "../../content"

func TestCheckShippedContent(t *testing.T) {
	code, out, errs := runWinnow(t, "", "check", "--verbose", shippedContent)
	if code != 0 {
		t.Fatalf("winnow check = %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"model ", "framework BANT", "ok  MQL at exactly the threshold", " failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("an example fails:\n%s", out)
	}
}

// copyContent copies the shipped shippedContent to a temporary directory.
func copyContent(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	copyTree(t, shippedContent, dir)
	return dir
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckReportsProblems(t *testing.T) {
	dir := copyContent(t)
	edit(t, filepath.Join(dir, "stages", "mql.md"), `rule: fit >= "B" and score >= mql`, `rule: fit >= "B" and scroe >= mql`)
	code, _, errs := runWinnow(t, "", "check", dir)
	if code != 1 {
		t.Errorf("winnow check = %d, want 1", code)
	}
	want := dir + `/stages/mql.md:7:22: stage MQL: rule: unknown field "scroe" (did you mean "score"?)`
	if !strings.Contains(errs, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errs)
	}
	if !strings.Contains(errs, "1 problem in ") {
		t.Errorf("stderr lacks the count:\n%s", errs)
	}
}

// TestCheckReportsSiteProblems: check reads the site's settings and pages
// too, and reports a page's unknown signal and a wrong tracking setting at
// their positions, with the model's problems.
func TestCheckReportsSiteProblems(t *testing.T) {
	dir := copyContent(t)
	edit(t, filepath.Join(dir, "pages", "pricing.md"), "signal: pricing_visit", "signal: pricing_vist")
	edit(t, filepath.Join(dir, "site.yaml"), "  consent: required\n", "  consent: opt-in\n")
	code, _, errs := runWinnow(t, "", "check", dir)
	if code != 1 {
		t.Errorf("winnow check = %d, want 1", code)
	}
	for _, want := range []string{
		dir + `/pages/pricing.md:7:9: signal "pricing_vist" is not declared in ` + dir + `/scoring.yaml (did you mean "pricing_visit"?); signals: social_interaction, newsletter_signup, `,
		dir + `/site.yaml:33:12: tracking: consent must be required (tracking waits for the visitor's consent) or implied (it starts without asking), not "opt-in"`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestCheckReportsMarkdownProblems: check renders the Markdown of the
// pages, the glossary and the forms' pages as the build does, and reports a model value the
// model lacks and a component that does not exist at their line and
// column.
func TestCheckReportsMarkdownProblems(t *testing.T) {
	dir := copyContent(t)
	edit(t, filepath.Join(dir, "pages", "about.md"), "We build Winnow on three principles.",
		"We build Winnow on three principles, and an MQL needs {{threshold.mq}} points.")
	edit(t, filepath.Join(dir, "stages", "sql.md"), "An SQL is qualified but not yet concrete",
		":::heros title=x\n:::\n\nAn SQL is qualified but not yet concrete")
	// A form's introduction (plain YAML text) and aside (a block scalar).
	edit(t, filepath.Join(dir, "forms", "demo.yaml"), "intro: Tell us a little", "intro: Tell us {{threshold.mq}} a little")
	edit(t, filepath.Join(dir, "forms", "demo.yaml"), "{{stage.prospect.sla.within}}", "{{stage.prospect.sla.withn}}")
	code, _, errs := runWinnow(t, "", "check", dir)
	if code != 1 {
		t.Errorf("winnow check = %d, want 1", code)
	}
	for _, want := range []string{
		dir + `/pages/about.md:10:55: the model has no value "threshold.mq" (did you mean "threshold.mql"?)`,
		dir + `/stages/sql.md:25:4: unknown component "heros" (did you mean "hero"?); components: `,
		dir + `/forms/demo.yaml:15:16: the model has no value "threshold.mq" (did you mean "threshold.mql"?)`,
		dir + `/forms/demo.yaml:26:51: the model has no value "stage.prospect.sla.withn" (did you mean "stage.prospect.sla.within"?)`,
		"4 problems in ",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestCheckFailingExample raises the MQL threshold by one point: the
// example at exactly the old threshold must fail, with what it expected
// beside what it got.
func TestCheckFailingExample(t *testing.T) {
	dir := copyContent(t)
	edit(t, filepath.Join(dir, "model.yaml"), "  mql: 12 ", "  mql: 13 ")
	code, out, _ := runWinnow(t, "", "check", dir)
	if code != 1 {
		t.Errorf("winnow check = %d, want 1", code)
	}
	for _, want := range []string{
		`FAIL ` + dir + `/examples/funnel.yaml:`,
		`example "MQL at exactly the threshold"`,
		"stage  want MQL            got cold lead",
		"no   MQL ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, " 0 failed") {
		t.Errorf("output does not count the failure:\n%s", out)
	}
}

func TestEvalArguments(t *testing.T) {
	code, out, errs := runWinnow(t, "", "eval", "--content", shippedContent, "--at", "2026-03-02",
		"name=Ana Souza", "email=ana.souza@northwind.io", "company=Northwind", "consent=yes",
		"industry=software", "role=marketing", "company_size=201-1000", "seniority=director", "country=DE",
		"seats=40", "timeline=this_quarter", "pricing_visit=-3d")
	if code != 0 {
		t.Fatalf("winnow eval = %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"stage  opportunity (BOFU)",
		"fit    A: Ideal customer",
		"+2       target-industry",
		"pricing_visit", // the rule of the pricing points
		"Looked at pricing (2 points, halved every 30d, 3d ago)",
		"YES  opportunity",
		"framework BANT (selected)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalJSONStdin(t *testing.T) {
	in := `{"name": "Jonas Berg", "email": "jonas@stahlwerk-berg.de", "company": "Stahlwerk Berg",
		"consent": true, "seats": 25, "signals": {"sales_accepted": "2026-02-27"}}`
	code, out, errs := runWinnow(t, in, "eval", "--content", shippedContent, "--at", "2026-03-02", "--json")
	if code != 0 {
		t.Fatalf("winnow eval = %d\n%s%s", code, out, errs)
	}
	var v struct {
		Stage   string  `json:"stage"`
		Fit     string  `json:"fit"`
		Score   float64 `json:"score"`
		Reasons []struct {
			Kind, Rule, Pos string
		} `json:"reasons"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if v.Stage != "SAL" || v.Fit != "D" {
		t.Errorf("stage, fit = %s, %s; want SAL, D", v.Stage, v.Fit)
	}
	last := v.Reasons[len(v.Reasons)-1]
	if last.Kind != "stage" || last.Rule != "SAL" || !strings.HasSuffix(last.Pos, "content/stages/sal.md:7:7") {
		t.Errorf("last reason = %+v, want the SAL stage rule and its position", last)
	}
}

func TestEvalFieldError(t *testing.T) {
	code, _, errs := runWinnow(t, "", "eval", "--content", shippedContent, "email=not-an-email", "consent=yes", "name=A", "company=B")
	if code != 1 {
		t.Errorf("winnow eval = %d, want 1", code)
	}
	if want := "email: Enter an email address like name@company.com"; !strings.Contains(errs, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errs)
	}
}

func TestEvalUnknownName(t *testing.T) {
	code, _, errs := runWinnow(t, "", "eval", "--content", shippedContent, "industy=software")
	if code != 1 || !strings.Contains(errs, `"industy" is neither a field nor a signal of the model (did you mean "industry"?)`) {
		t.Errorf("winnow eval = %d, stderr:\n%s", code, errs)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"help", "check"}, {"check", "--help"}, {"eval", "-h"}} {
		code, out, errs := runWinnow(t, "", args...)
		if code != 0 {
			t.Errorf("winnow %s = %d\n%s", strings.Join(args, " "), code, errs)
		}
		if !strings.Contains(out, "Usage:") {
			t.Errorf("winnow %s prints no usage:\n%s", strings.Join(args, " "), out)
		}
	}
	if _, out, _ := runWinnow(t, "", "eval", "--help"); !strings.Contains(out, "-at DATE") || !strings.Contains(out, "JSON") {
		t.Errorf("eval help lacks its flags or the JSON input:\n%s", out)
	}
	code, _, errs := runWinnow(t, "", "bogus")
	if code != 2 || !strings.Contains(errs, `unknown command "bogus"`) {
		t.Errorf("winnow bogus = %d\n%s", code, errs)
	}
	if code, _, _ := runWinnow(t, "", "check", "--nope"); code != 2 {
		t.Errorf("winnow check --nope = %d, want 2", code)
	}
}

// TestReadmeExample builds the worked example of README.md from its code
// blocks and checks it, so that the documentation cannot drift from the
// format.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "### A worked example")
	end := strings.Index(text, "### The rule language")
	if start < 0 || end < start {
		t.Fatal("README.md has no worked example section")
	}
	files := []string{"model.yaml", "fields.yaml", "scoring.yaml", "frameworks/bant.md",
		"stages/new.md", "stages/mql.md", "stages/opportunity.md", "examples/leads.yaml"}
	dir := filepath.Join(t.TempDir(), "content")
	blocks := strings.Split(text[start:end], "```")
	n := 0
	for i := 1; i < len(blocks); i += 2 {
		lang, body, _ := strings.Cut(blocks[i], "\n")
		if lang != "yaml" && lang != "markdown" {
			continue
		}
		if n == len(files) {
			t.Fatalf("the worked example has more than %d files", len(files))
		}
		path := filepath.Join(dir, files[n])
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != len(files) {
		t.Fatalf("the worked example has %d files, want %d", n, len(files))
	}
	code, out, errs := runWinnow(t, "", "check", dir)
	if code != 0 || !strings.Contains(out, "examples: 2 passed, 0 failed") {
		t.Errorf("winnow check on the README example = %d\n%s%s", code, out, errs)
	}
}

// TestDocListsCommands holds the package doc to the commands winnow
// runs: a line "winnow NAME ..." for each, and for no other but help.
func TestDocListsCommands(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	if f.Doc == nil {
		t.Fatal("main.go has no package doc")
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(f.Doc.Text(), "\n") {
		if rest, ok := strings.CutPrefix(line, "\twinnow "); ok {
			name, _, _ := strings.Cut(rest, " ")
			listed[name] = true
		}
	}
	for _, c := range commands {
		if !listed[c.name] {
			t.Errorf("the package doc (main.go) does not list the command %s: add a line \"winnow %s ...\"", c.name, c.usage)
		}
		delete(listed, c.name)
	}
	delete(listed, "help")
	for name := range listed {
		t.Errorf("the package doc (main.go) lists %q, which is no command", name)
	}
}
