package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"testing/fstest"
)

func TestVersionLine(t *testing.T) {
	vcs := func(version, revision, modified string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/winnowhq/winnow", Version: version}}
		if revision != "" {
			info.Settings = []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: revision},
				{Key: "vcs.time", Value: "2026-12-06T07:21:25Z"}, {Key: "vcs.modified", Value: modified}}
		}
		return info
	}
	const rev = "7bd9053c6a1f0d52e8f3b7a4c9e1d2f3a4b5c6d7"
	for _, c := range []struct {
		name    string
		stamped string
		info    *debug.BuildInfo
		want    string
	}{
		{"make release", "v0.3.0", vcs("v0.0.0-20261206072125-7bd9053c6a1f", rev, "false"), "winnow v0.3.0 (commit 7bd9053c6a1f) go1.26.8 linux/amd64"},
		{"make release, uncommitted changes", "v0.3.0-rc.1", vcs("v0.0.0-20261206072125-7bd9053c6a1f+dirty", rev, "true"), "winnow v0.3.0-rc.1 (commit 7bd9053c6a1f, modified) go1.26.8 linux/amd64"},
		{"go install @v0.3.0", "", vcs("v0.3.0", "", ""), "winnow v0.3.0 go1.26.8 linux/amd64"},
		{"go build in a clone", "", vcs("v0.0.0-20261206072125-7bd9053c6a1f", rev, "false"), "winnow v0.0.0-20261206072125-7bd9053c6a1f go1.26.8 linux/amd64"},
		{"go build in a changed clone", "", vcs("v0.0.0-20261206072125-7bd9053c6a1f+dirty", rev, "true"), "winnow v0.0.0-20261206072125-7bd9053c6a1f+dirty go1.26.8 linux/amd64"},
		{"go build -buildvcs=false", "", vcs("(devel)", "", ""), "winnow (devel) go1.26.8 linux/amd64"},
		{"no build information", "", nil, "winnow (devel) go1.26.8 linux/amd64"},
	} {
		if got := versionLine(c.stamped, c.info, "go1.26.8", "linux/amd64"); got != c.want {
			t.Errorf("%s: got\n\t%s\nwant\n\t%s", c.name, got, c.want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	code, out, errs := runWinnow(t, "", "version")
	if code != 0 {
		t.Fatalf("winnow version = %d\n%s", code, errs)
	}
	if want := " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"; !strings.HasPrefix(out, "winnow ") || !strings.HasSuffix(out, want) {
		t.Errorf("winnow version printed %q, want winnow <version>%s", out, want)
	}
	if code, _, _ := runWinnow(t, "", "version", "now"); code != 2 {
		t.Errorf("winnow version now = %d, want 2", code)
	}
}

// TestVersionStamped builds winnow as make release does and runs it: the
// stamp reaches the variable version reads.
func TestVersionStamped(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "winnow")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version=v9.8.7-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "winnow v9.8.7-test "; !strings.HasPrefix(string(out), want) {
		t.Errorf("winnow version printed %q, want it to start with %q", out, want)
	}
}

// TestBuiltinWidget: with --assets missing, build publishes the widget
// built into the binary, with its brotli and gzip forms as they are, and
// version says the widget is built in; an --assets directory wins.
func TestBuiltinWidget(t *testing.T) {
	// A pointer: site.Build compares the Assets it is given with ==.
	builtinWidget = &fstest.MapFS{
		"winnow.wasm":    {Data: []byte("\x00asm built in")},
		"winnow.wasm.br": {Data: []byte("brotli form")},
		"winnow.wasm.gz": {Data: []byte("gzip form")},
		"wasm_exec.js":   {Data: []byte(`"use strict";globalThis.Go=class{};`)},
	}
	t.Cleanup(func() { builtinWidget = nil })

	dir := t.TempDir()
	out := filepath.Join(dir, "public")
	code, _, errs := runWinnow(t, "", "build", "--static", "../../static", "--assets", filepath.Join(dir, "missing"), "--out", out, shippedContent)
	if code != 0 {
		t.Fatalf("winnow build = %d\n%s", code, errs)
	}
	wasm, _ := filepath.Glob(filepath.Join(out, "assets", "winnow.*.wasm"))
	if len(wasm) != 1 {
		t.Fatalf("published %v, want one assets/winnow.*.wasm", wasm)
	}
	for name, want := range map[string]string{wasm[0]: "\x00asm built in", wasm[0] + ".br": "brotli form", wasm[0] + ".gz": "gzip form"} {
		if got, err := os.ReadFile(name); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	if js, _ := filepath.Glob(filepath.Join(out, "assets", "wasm_exec.*.js")); len(js) != 1 {
		t.Errorf("published %v, want one assets/wasm_exec.*.js", js)
	}
	if _, out, _ := runWinnow(t, "", "version"); !strings.Contains(out, "\nwith the widget built in") {
		t.Errorf("winnow version printed %q, without the built-in widget", out)
	}

	assets := filepath.Join(dir, "widget")
	os.MkdirAll(assets, 0o755)
	os.WriteFile(filepath.Join(assets, "winnow.wasm"), []byte("\x00asm from --assets"), 0o644)
	os.WriteFile(filepath.Join(assets, "wasm_exec.js"), []byte(`"use strict";`), 0o644)
	out = filepath.Join(dir, "public2")
	if code, _, errs := runWinnow(t, "", "build", "--static", "../../static", "--assets", assets, "--out", out, shippedContent); code != 0 {
		t.Fatalf("winnow build --assets = %d\n%s", code, errs)
	}
	wasm, _ = filepath.Glob(filepath.Join(out, "assets", "winnow.*.wasm"))
	if len(wasm) != 1 {
		t.Fatalf("published %v, want one assets/winnow.*.wasm", wasm)
	}
	if got, _ := os.ReadFile(wasm[0]); string(got) != "\x00asm from --assets" {
		t.Errorf("published %q, want the --assets directory's", got)
	}
}
