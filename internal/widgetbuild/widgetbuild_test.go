package widgetbuild_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/internal/widgetbuild"
)

// TestBuild builds the widget as the site ships it: WebAssembly without
// the parity test's hook, beside the wasm_exec.js of the Go in use; built
// again unchanged, neither file is rewritten. With the paritytest tag it
// has the hook.
func TestBuild(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := widgetbuild.Build(ctx, dir); err != nil {
		t.Fatal(err)
	}
	wasm := read(t, filepath.Join(dir, "winnow.wasm"))
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		t.Fatalf("winnow.wasm is no WebAssembly: % x", wasm[:min(8, len(wasm))])
	}
	if bytes.Contains(wasm, []byte("winnowParity")) {
		t.Error("the widget the site ships has the parity test's hook")
	}
	root, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, filepath.Join(dir, "wasm_exec.js")), read(t, filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"))) {
		t.Error("wasm_exec.js is not that of the Go in use")
	}

	before := modTimes(t, dir)
	if err := widgetbuild.Build(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if after := modTimes(t, dir); after != before {
		t.Errorf("an unchanged build rewrote its files: modification times %v, then %v", before, after)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, ".*")); len(names) > 0 {
		t.Errorf("the build left %v", names)
	}

	hooked := t.TempDir()
	if err := widgetbuild.Build(ctx, hooked, "paritytest"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(read(t, filepath.Join(hooked, "winnow.wasm")), []byte("winnowParity")) {
		t.Error("the paritytest build has no hook")
	}
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// modTimes returns the modification times of the built files.
func modTimes(t *testing.T, dir string) [2]int64 {
	t.Helper()
	var times [2]int64
	for i, name := range []string{"winnow.wasm", "wasm_exec.js"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		times[i] = info.ModTime().UnixNano()
	}
	return times
}
