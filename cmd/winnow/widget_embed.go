//go:build widget

package main

import (
	"embed"
	"io/fs"
)

// widgetFiles is the widget make release stages beside this file, in
// build/widget (ignored by git, removed after the release), from make
// widget's build/widget.
//
//go:embed build/widget
var widgetFiles embed.FS

func init() {
	sub, err := fs.Sub(widgetFiles, "build/widget")
	if err != nil {
		panic(err)
	}
	builtinWidget = sub
}
