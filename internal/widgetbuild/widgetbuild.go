// Package widgetbuild builds the signup form's widget: package wasm
// compiled to WebAssembly, with the wasm_exec.js of the Go that compiled
// it. It is the widget's one build recipe: make widget (through
// internal/cmd/widgetbuild), the widget's browser tests and
// bench/widgetperf all build with it, so that what they test and measure
// is what the site ships.
package widgetbuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// pkg is the widget's package.
const pkg = "github.com/winnowhq/winnow/wasm"

// flags are the widget's build flags. It is built without inlining (-l),
// the runtime's included: its brotli form is 30 KB smaller (472 KB, not
// 503), and an evaluation still takes well under a millisecond
// (bench/widgetperf). Without paths, symbols, DWARF or a build ID it is
// smaller still, and the same from any checkout.
var flags = []string{"-trimpath", "-gcflags=all=-l", "-ldflags=-s -w -buildid="}

// Build builds the widget into dir as winnow.wasm, beside wasm_exec.js,
// with tags added to the build (a test's hooks; none for the site). A
// file is written only when its content changed, so that its
// modification time says when the widget last did.
//
// It builds with the go command of the root that go env GOROOT names
// (the toolchain the go command on $PATH selects), whose wasm_exec.js
// matches its compiler, in the current directory, which must be inside
// the module.
func Build(ctx context.Context, dir string, tags ...string) error {
	goroot, err := gorootDir(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// go build writes its output in a directory of its own beside the
	// result, from which it is renamed into place if it differs.
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	args := append([]string{"build"}, flags...)
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	built := filepath.Join(tmp, "winnow.wasm")
	args = append(args, "-o", built, pkg)
	cmd := exec.CommandContext(ctx, filepath.Join(goroot, "bin", "go"), args...)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the widget: %v\n%s", err, out)
	}
	if err := update(filepath.Join(dir, "winnow.wasm"), built); err != nil {
		return err
	}
	return update(filepath.Join(dir, "wasm_exec.js"), filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"))
}

// gorootDir returns the root of the Go toolchain in use.
func gorootDir(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		var stderr []byte
		if e, ok := err.(*exec.ExitError); ok {
			stderr = e.Stderr
		}
		return "", fmt.Errorf("finding Go's root: go env GOROOT: %v\n%s", err, stderr)
	}
	return strings.TrimSpace(string(out)), nil
}

// update makes name hold what from holds, unless it already does.
func update(name, from string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
		return nil
	}
	tmp := name + ".new"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
