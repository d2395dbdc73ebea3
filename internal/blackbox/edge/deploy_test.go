//go:build edge

package edge_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/blackbox"
	"github.com/winnowhq/winnow/internal/wrangler"
)

// TestDeployAsDocumented follows the README's deploy steps exactly, up to
// the first that needs a Cloudflare account, and checks the bundle the
// dry run made: under the free plan's 3 MiB gzipped, with its bindings.
func TestDeployAsDocumented(t *testing.T) {
	root := repoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	steps := deploySteps(t, string(readme))
	var out []byte
	for _, step := range steps {
		cmd := exec.Command("bash", "-c", step)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "WRANGLER_SEND_METRICS=false", "NO_COLOR=1", "CI=true")
		began := time.Now()
		out, err = cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", step, err, out)
		}
		t.Logf("%s: %v", step, time.Since(began).Round(time.Millisecond))
	}
	if !strings.Contains(steps[len(steps)-1], "--dry-run") {
		t.Fatalf("the last step before the account is %q, want the dry run", steps[len(steps)-1])
	}
	m := regexp.MustCompile(`Total Upload: ([0-9.]+) KiB / gzip: ([0-9.]+) KiB`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the dry run does not say the bundle's size:\n%s", out)
	}
	gz, _ := strconv.ParseFloat(string(m[2]), 64)
	t.Logf("the bundle: %s KiB, %s KiB gzipped", m[1], m[2])
	if gz > 3072 {
		t.Errorf("the bundle is %.0f KiB gzipped, over the free plan's 3,072", gz)
	}
	for _, b := range []string{"env.DB", "env.ASSETS"} {
		if !bytes.Contains(out, []byte(b)) {
			t.Errorf("the dry run lists no binding %s:\n%s", b, out)
		}
	}
}

// deploySteps returns the commands of the README's deploy section before
// the first that needs an account (wrangler login).
func deploySteps(t *testing.T, readme string) []string {
	_, section, ok := strings.Cut(readme, "\n## Deploying to Cloudflare\n")
	if !ok {
		t.Fatal("README.md has no section Deploying to Cloudflare")
	}
	_, block, ok := strings.Cut(section, "```sh\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("the deploy section has no sh block")
	}
	var steps []string
	for _, line := range strings.Split(block, "\n") {
		cmd, _, _ := strings.Cut(line, " #")
		cmd = strings.TrimSpace(cmd)
		if cmd == "" {
			continue
		}
		if strings.Contains(cmd, "wrangler login") {
			return steps
		}
		steps = append(steps, cmd)
	}
	t.Fatal("the deploy section never logs in: no step needs an account?")
	return nil
}

// TestQueues runs the worker with the queues block of wrangler.jsonc
// uncommented, as the README says to: a lead's webhook arrives through the
// queue, with no cron trigger run.
func TestQueues(t *testing.T) {
	root := repoRoot(t)
	config := queuesConfig(t, root)
	rec := blackbox.NewReceiver(t)
	d := wrangler.Start(t, wrangler.Options{Root: root, Config: config, Vars: blackbox.Env(rec, blackbox.NewHubSpot(t))})
	run := time.Now().UnixNano()
	body, _ := json.Marshal(map[string]any{
		"fields":          map[string]string{"name": "Ada Lovelace", "email": fmt.Sprintf("queue.%d@northwind.io", run), "company": "Analytical", "consent": "yes"},
		"idempotency_key": fmt.Sprintf("queue-%d", run),
	})
	began := time.Now()
	resp, err := http.Post(d.URL+"/api/leads", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var lead struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&lead)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/leads: %s", resp.Status)
	}
	for rec.Deliveries(lead.ID) == 0 {
		if time.Since(began) > 20*time.Second {
			t.Fatalf("no webhook for lead %s 20 s after it was stored: the queue did not carry it", lead.ID)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the webhook arrived through the queue %v after the lead was posted", time.Since(began).Round(time.Millisecond))
	// The cron trigger's sweep finds nothing left to send.
	if err := d.Scheduled(); err != nil {
		t.Fatal(err)
	}
	if n := rec.Deliveries(lead.ID); n != 1 {
		t.Errorf("the lead's webhook was delivered %d times, want once", n)
	}
}

// queuesConfig writes wrangler.jsonc with its queues block uncommented
// and its paths absolute, into a temporary directory.
func queuesConfig(t *testing.T, root string) string {
	src, err := os.ReadFile(filepath.Join(root, "wrangler.jsonc"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, `// "queues": {`):
			in = true
		case in && trimmed == "// },":
			line, in = strings.Replace(line, "// ", "", 1), false
		}
		if in {
			line = strings.Replace(line, "// ", "", 1)
		}
		out = append(out, line)
	}
	text := strings.Join(out, "\n")
	if !strings.Contains(text, `"queues": {`) || strings.Contains(text, `// "queues"`) {
		t.Fatal("wrangler.jsonc has no commented queues block to enable")
	}
	for _, p := range []string{"build/edge/worker.mjs", "build/public", "worker/migrations", "node_modules/wrangler/config-schema.json"} {
		text = strings.Replace(text, `"`+p+`"`, strconv.Quote(filepath.Join(root, p)), 1)
	}
	path := filepath.Join(t.TempDir(), "wrangler.jsonc")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}
