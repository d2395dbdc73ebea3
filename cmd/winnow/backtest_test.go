package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/internal/demo"
)

// pastLeads writes n past leads of the shipped model to a CSV file in dir:
// leads that asked for a demo or came from an event convert more often.
func pastLeads(t *testing.T, dir string, n int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 5))
	var b strings.Builder
	b.WriteString("work_email,employees,industry,request,created_at,visited_pricing,lead_source,minutes,converted\n")
	for i := range n {
		request := []string{"demo", "question", "pricing", "newsletter"}[rng.IntN(4)]
		source := []string{"ads", "ads", "search", "event"}[rng.IntN(4)]
		p := 0.15
		if request == "demo" {
			p += 0.35
		}
		if source == "event" {
			p += 0.2
		}
		outcome := "lost"
		if rng.Float64() < p {
			outcome = "won"
		}
		pricing := ""
		if rng.IntN(3) == 0 {
			pricing = "2026-02-01"
		}
		fmt.Fprintf(&b, "lead%d@%s,%s,%s,%s,2026-02-%02d,%s,%s,%d,%s\n", i,
			[]string{"acme.com", "gmail.com"}[rng.IntN(2)], []string{"1-10", "51-200", "Enterprise"}[rng.IntN(3)],
			[]string{"software", "retail"}[rng.IntN(2)], request, 2+rng.IntN(27), pricing, source, rng.IntN(30), outcome)
	}
	path := filepath.Join(dir, "leads.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const pastMapping = `outcome: {column: converted, positive: [won], negative: [lost]}
at: created_at
fields:
  email: work_email
  company_size: {column: employees, values: {Enterprise: "5000+"}}
signals:
  pricing_visit: visited_pricing
extra: [lead_source, minutes]
`

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// backtestOK runs winnow backtest, which must succeed, and checks that
// its output holds each of wants.
func backtestOK(t *testing.T, args []string, wants ...string) string {
	t.Helper()
	code, out, errs := runWinnow(t, "", append([]string{"backtest"}, args...)...)
	if code != 0 {
		t.Fatalf("winnow backtest %s = %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(errs, "\r") {
		t.Errorf("progress shown on a stderr that is not a terminal: %q", errs)
	}
	return out
}

func TestBacktestReport(t *testing.T) {
	dir := t.TempDir()
	csv := pastLeads(t, dir, 2000)
	mapping := writeFile(t, filepath.Join(dir, "mapping.yaml"), pastMapping)
	backtestOK(t, []string{"--content", shippedContent, "--map", mapping, csv},
		"2000 rows read, 2000 used, 0 skipped",
		"ROC AUC of the score: 0.",
		"stages as thresholds",
		"  MQL ",
		"score deciles",
		"fit grades",
		"A: Ideal customer",
		"point rules by information value (IV)",
		"demo-request")

	out := backtestOK(t, []string{"--content", shippedContent, "--map", mapping, "--json", csv})
	var rep struct {
		Read     int    `json:"rows_read"`
		RankedBy string `json:"rules_ranked_by"`
		Report   struct {
			Leads   int     `json:"leads"`
			AUC     float64 `json:"auc"`
			Deciles []struct {
				Leads int `json:"leads"`
			} `json:"deciles"`
			Rules []struct {
				Rule string `json:"rule"`
				Rank int    `json:"rank"`
			} `json:"rules"`
		} `json:"report"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	total := 0
	for _, d := range rep.Report.Deciles {
		total += d.Leads
	}
	if rep.Read != 2000 || rep.Report.Leads != 2000 || total != 2000 || rep.Report.AUC <= 0.5 || rep.RankedBy != "information value" {
		t.Errorf("--json report = %+v", rep)
	}
	// Demo requests drive the outcome: the rule ranks first.
	if len(rep.Report.Rules) == 0 || rep.Report.Rules[0].Rule != "demo-request" {
		t.Errorf("rules ranked %+v, want demo-request first", rep.Report.Rules)
	}
}

func TestBacktestSuggest(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatal("git is needed to check the patch: ", err)
	}
	dir := t.TempDir()
	contentDir := filepath.Join(dir, "content")
	copyTree(t, shippedContent, contentDir)
	before, _ := os.ReadFile(filepath.Join(contentDir, "scoring.yaml"))
	csv := pastLeads(t, dir, 3000)
	mapping := writeFile(t, filepath.Join(dir, "mapping.yaml"), pastMapping)
	patch := filepath.Join(dir, "suggest.patch")
	args := []string{"--content", contentDir, "--map", mapping, "--suggest", "--out", patch, csv}
	backtestOK(t, args, "suggested points: L2 logistic regression", "held-out ROC AUC, mean of 5 folds: model now 0.",
		"(top-decile lift ", "regression 0.", "suggested points 0.",
		"\n  Lead source: column lead_source, read as the text attribute lead_source\n", `    is "event": +`,
		"\n  Minutes: column minutes, read as the number attribute minutes\n", "patch written to "+patch)
	after, _ := os.ReadFile(filepath.Join(contentDir, "scoring.yaml"))
	if string(after) != string(before) {
		t.Error("backtest --suggest changed the content")
	}
	text, err := os.ReadFile(patch)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--- a/content/scoring.yaml\n+++ b/content/scoring.yaml\n", "--- a/content/fields.yaml\n+++ b/content/fields.yaml\n",
		"\n+  - name: lead_source\n+    type: text\n", "\n+  - name: lead-source-event\n"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the patch lacks %q:\n%s", want, text)
		}
	}
	cmd := exec.Command(git, "apply", "--check", patch)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("git apply --check: %v\n%s\n%s", err, out, text)
	}

	// A second run refuses to overwrite the patch, unless forced.
	code, _, errs := runWinnow(t, "", append([]string{"backtest"}, args...)...)
	if code != 1 || !strings.Contains(errs, "exists: remove it, choose another file, or pass --force") {
		t.Errorf("second run = %d, %q; want a refusal", code, errs)
	}
	backtestOK(t, append([]string{"--force"}, args...))
	// Nor does it write into the content.
	code, _, errs = runWinnow(t, "", "backtest", "--content", contentDir, "--map", mapping, "--suggest", "--out", filepath.Join(contentDir, "x.patch"), csv)
	if code != 1 || !strings.Contains(errs, "is inside the content directory") {
		t.Errorf("--out inside content = %d, %q; want a refusal", code, errs)
	}
}

// Without --out, the patch goes under build/ in the working directory,
// in a directory made for it, and the output says where.
func TestBacktestSuggestDefaultOut(t *testing.T) {
	dir := t.TempDir()
	contentDir := filepath.Join(dir, "content")
	copyTree(t, shippedContent, contentDir)
	csv := pastLeads(t, dir, 2000)
	mapping := writeFile(t, filepath.Join(dir, "mapping.yaml"), pastMapping)
	t.Chdir(dir)
	want := filepath.Join("build", "backtest", "suggest.patch")
	backtestOK(t, []string{"--content", contentDir, "--map", mapping, "--suggest", csv},
		"patch written to "+want+": review it, then git apply "+want)
	text, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "+++ b/content/scoring.yaml\n") {
		t.Errorf("the patch does not name content/scoring.yaml:\n%s", text)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, " "), "build content leads.csv mapping.yaml"; got != want {
		t.Errorf("the working directory holds %s, want %s: no patch at its root", got, want)
	}
}

func TestBacktestBadInput(t *testing.T) {
	dir := t.TempDir()
	csv := writeFile(t, filepath.Join(dir, "leads.csv"),
		"\ufeffWork_Email,Employees,won?\r\nana@acme.com,Enterprise,won\r\n")
	mapping := writeFile(t, filepath.Join(dir, "mapping.yaml"), pastMapping)
	code, _, errs := runWinnow(t, "", "backtest", "--content", shippedContent, "--map", mapping, csv)
	if want := `the outcome column "converted" is not in the file; columns found: Work_Email, Employees, won?`; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("unknown outcome column = %d, %q; want %q", code, errs, want)
	}

	bad := writeFile(t, filepath.Join(dir, "bad.yaml"), "outcome: converted\nfields:\n  email: work_email\n  company_sise: employees\n")
	code, _, errs = runWinnow(t, "", "backtest", "--content", shippedContent, "--map", bad, csv)
	if want := bad + `:4:3: fields: the model has no field "company_sise" (did you mean "company_size"?)`; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("unknown field = %d, %q; want %q", code, errs, want)
	}

	// Rows that cannot be used are listed with their line and column,
	// and the others are used.
	rows := writeFile(t, filepath.Join(dir, "rows.csv"),
		"work_email,employees,industry,created_at,converted\n"+
			"ana@acme.com,1-10,software,2026-02-01,won\n"+
			"bo@acme.com,Huge,software,2026-02-01,lost\n"+
			"cy@acme.com,1-10,software,2026-02-01,maybe\n"+
			"dee@acme.com,1-10,\"soft\nware\",2026-02-01,lost\n")
	backtestOK(t, []string{"--content", shippedContent, "--map", mapping, rows},
		"4 rows read, 3 used, 1 skipped",
		"problems (6; 1 row skipped)",
		rows+`:1, column "visited_pricing": no such column in the header; signal pricing_visit is missing from every lead (columns found: work_email, employees, industry, created_at, converted)`,
		rows+`:3, column "employees": field company_size: "Huge" is not one of its options (1-10, 11-50, 51-200, 201-1000, 1001-5000, 5000+); the field is treated as missing`,
		rows+`:4, column "converted": unknown outcome "maybe"`,
		rows+`:5, column "industry": field industry: "soft\nware" is refused by the form (Industry contains control characters); the field is treated as missing`)
}

// TestBacktestDemo backtests the past leads winnow demo writes, through
// the mapping it writes: the format both share. The demo's outcomes do not
// follow the newsletter's points, and do follow the lead's source.
func TestBacktestDemo(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	if err := demo.WriteCSV(&b, demo.NewGenerator(5, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)).Leads(0, 4000)); err != nil {
		t.Fatal(err)
	}
	csv := writeFile(t, filepath.Join(dir, "history.csv"), b.String())
	mapping := writeFile(t, filepath.Join(dir, "mapping.yaml"), demo.Mapping())
	out := backtestOK(t, []string{"--content", shippedContent, "--map", mapping, "--json", "--suggest", "--out", filepath.Join(dir, "s.patch"), csv})
	var rep struct {
		Skipped int `json:"rows_skipped"`
		Report  struct {
			Leads int `json:"leads"`
			Rules []struct {
				Rule   string `json:"rule"`
				Agrees bool   `json:"agrees"`
			} `json:"rules"`
		} `json:"report"`
		Suggestion struct {
			Candidates []struct {
				Column string `json:"column"`
			} `json:"candidates"`
		} `json:"suggestion"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if rep.Skipped != 0 || rep.Report.Leads != 4000 {
		t.Errorf("%d leads used, %d skipped; want 4000, 0", rep.Report.Leads, rep.Skipped)
	}
	for _, r := range rep.Report.Rules {
		if r.Rule == "newsletter" && r.Agrees {
			t.Error("the newsletter's points agree with the demo's outcomes, which ignore them")
		}
	}
	sources := 0
	for _, c := range rep.Suggestion.Candidates {
		if c.Column == "lead_source" {
			sources++
		}
	}
	if sources == 0 {
		t.Errorf("no candidate rules from lead_source: %+v", rep.Suggestion.Candidates)
	}
}

// TestBacktestSuggestApplies backtests the demo's past leads with
// --suggest, applies the patch to a copy of the content with git apply,
// loads the patched model, then backtests it again with the new
// attributes read from their columns as fields: the patched model's
// held-out AUC is the suggestion's, within a small tolerance.
func TestBacktestSuggestApplies(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatal("git is needed to apply the patch: ", err)
	}
	dir := t.TempDir()
	contentDir := filepath.Join(dir, "content")
	copyTree(t, shippedContent, contentDir)
	var b strings.Builder
	if err := demo.WriteCSV(&b, demo.NewGenerator(5, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)).Leads(0, 6000)); err != nil {
		t.Fatal(err)
	}
	csv := writeFile(t, filepath.Join(dir, "history.csv"), b.String())
	mapping := writeFile(t, filepath.Join(dir, "mapping.yaml"), demo.Mapping())
	patch := filepath.Join(dir, "s.patch")
	type suggestion struct {
		HeldOut struct {
			Current float64 `json:"current"`
			Points  float64 `json:"points"`
		} `json:"held_out"`
		Candidates []struct {
			Column string `json:"column"`
			Attr   string `json:"attribute"`
			Points int    `json:"points"`
		} `json:"candidates"`
	}
	var first struct {
		Suggestion suggestion `json:"suggestion"`
	}
	out := backtestOK(t, []string{"--content", contentDir, "--map", mapping, "--json", "--suggest", "--out", patch, csv})
	if err := json.Unmarshal([]byte(out), &first); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	cmd := exec.Command(git, "apply", patch)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		text, _ := os.ReadFile(patch)
		t.Fatalf("git apply: %v\n%s\n%s", err, out, text)
	}
	c, diags := content.Load(os.DirFS(contentDir), "content")
	if len(diags) > 0 {
		text, _ := os.ReadFile(patch)
		t.Fatalf("the patched model does not load:\n%v\n%s", diags, text)
	}

	// The attributes the new rules read, each from its column.
	columns := map[string]string{}
	for _, cand := range first.Suggestion.Candidates {
		if cand.Points != 0 {
			columns[cand.Attr] = cand.Column
		}
	}
	if len(columns) == 0 {
		t.Fatalf("no candidate rule with points: %s", out)
	}
	var fields strings.Builder
	for attr, column := range columns {
		i := c.Model.FieldIndex(attr)
		if i < 0 || !c.Model.Fields[i].Attribute {
			t.Errorf("the patched model has no attribute %s", attr)
		}
		fmt.Fprintf(&fields, "  %s: %s\n", attr, column)
	}
	m := demo.Mapping()
	m = m[:strings.Index(m, "\nextra:")+1] + "fields:\n" + fields.String()
	again := writeFile(t, filepath.Join(dir, "again.yaml"), m)
	var second struct {
		Suggestion suggestion `json:"suggestion"`
	}
	out = backtestOK(t, []string{"--content", contentDir, "--map", again, "--json", "--suggest", "--out", filepath.Join(dir, "again.patch"), csv})
	if err := json.Unmarshal([]byte(out), &second); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	// Both runs draw the same folds (the seed is the default's); the
	// patched score decays its signals' points, which the fit does not.
	const tolerance = 0.01
	t.Logf("held-out AUC: model before %.4f, suggested points %.4f, patched model %.4f",
		first.Suggestion.HeldOut.Current, first.Suggestion.HeldOut.Points, second.Suggestion.HeldOut.Current)
	if got, want := second.Suggestion.HeldOut.Current, first.Suggestion.HeldOut.Points; got < want-tolerance {
		t.Errorf("held-out AUC of the patched model %.4f, the suggestion's %.4f", got, want)
	}
	if got, was := second.Suggestion.HeldOut.Current, first.Suggestion.HeldOut.Current; got <= was {
		t.Errorf("held-out AUC of the patched model %.4f, of the model before %.4f", got, was)
	}
}

// TestBacktestProgress checks that progress rewrites one line and shows
// at most one update in a tenth of a second.
func TestBacktestProgress(t *testing.T) {
	var b strings.Builder
	show := progress(&b, "leads.csv")
	show(1024)
	show(2048)
	if got, want := b.String(), "\rleads.csv: 1024 rows read"; got != want {
		t.Errorf("progress wrote %q, want %q", got, want)
	}
}
