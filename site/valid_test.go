package site_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/site"
)

// vnu is the Nu Html Checker, which .ci/run installs with npm; it runs on
// the machine's Java.
const vnu = "../node_modules/vnu-jar/build/dist/vnu.jar"

// TestValidHTML builds the shipped content and checks every page with the
// Nu Html Checker: no error is allowed.
func TestValidHTML(t *testing.T) {
	if _, err := os.Stat(vnu); err != nil {
		t.Fatalf("the Nu Html Checker is missing (%v): run npm ci (.ci/run does)", err)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Fatal("java is missing: the Nu Html Checker needs it")
	}
	dir := filepath.Join(t.TempDir(), "public")
	_, diags := site.Build(context.Background(), site.Options{
		Content: os.DirFS("../content"), ContentDir: "content", Static: os.DirFS("../static"), StaticDir: "static",
		Out: &site.Dir{Path: dir},
	})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	out, _ := exec.Command(java, "-jar", vnu, "--errors-only", "--skip-non-html", "--format", "json", dir).CombinedOutput()
	var res struct {
		Messages []struct {
			Type, URL, Message string
			LastLine           int
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("the checker's output is not JSON (%v):\n%s", err, out)
	}
	for _, m := range res.Messages {
		if m.Type == "error" || m.Type == "non-document-error" {
			t.Errorf("%s:%d: %s", strings.TrimPrefix(m.URL, "file:"+dir+"/"), m.LastLine, m.Message)
		}
	}
}
