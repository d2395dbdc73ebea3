package devserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A templ component that does not compile stops the program's rebuild
// with the templ error's position; nothing is built or replaced.
func TestTemplateError(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.templ")
	if err := os.WriteFile(bad, []byte("package templates\n\ntempl Broken() {\n\t<p>{ \n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	d := &server{o: Options{Stdout: &out, Stderr: &out}}
	_, err := d.rebuildProgram(context.Background(), dir)
	if err == nil {
		t.Fatal("a broken component rebuilt the program")
	}
	if !strings.Contains(err.Error(), "templ generate") || !strings.Contains(err.Error(), "broken.templ") {
		t.Errorf("the error names neither the step nor the file:\n%v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "broken_templ.go")); err == nil {
		t.Error("templ wrote code for a broken component")
	}
}
