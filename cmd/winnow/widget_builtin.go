package main

import (
	"io/fs"
	"os"
	"path/filepath"
)

// builtinWidget is the browser widget built into a release binary
// (winnow.wasm with its brotli and gzip forms, and wasm_exec.js): set by
// widget_embed.go, which only `go build -tags widget` compiles, as make
// release does. It is nil in other builds.
var builtinWidget fs.FS

// builtinWidgetName names the built-in widget in diagnostics.
const builtinWidgetName = "(widget built into winnow)"

// widgetAssets returns the files build and dev publish like static ones,
// and the name of their directory: the directory dir (--assets) when it
// exists, else the built-in widget, if any.
func widgetAssets(dir string) (fs.FS, string) {
	if info, err := os.Stat(dir); err == nil && info.IsDir() {
		return os.DirFS(dir), filepath.ToSlash(filepath.Clean(dir))
	}
	if builtinWidget != nil {
		return builtinWidget, builtinWidgetName
	}
	return nil, filepath.ToSlash(filepath.Clean(dir))
}
