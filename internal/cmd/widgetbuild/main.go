// Command widgetbuild builds the signup form's widget into a directory
// with internal/widgetbuild: winnow.wasm and wasm_exec.js, each written
// only when it changed. make widget runs it.
//
//	go run ./internal/cmd/widgetbuild [-tags TAGS] DIR
//
// -tags adds build tags, as the widget's tests do (paritytest: the hook
// the parity test calls).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/winnowhq/winnow/internal/widgetbuild"
)

func main() {
	tags := flag.String("tags", "", "comma-separated build tags to add")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: widgetbuild [-tags TAGS] DIR")
		os.Exit(2)
	}
	var add []string
	if *tags != "" {
		add = strings.Split(*tags, ",")
	}
	if err := widgetbuild.Build(context.Background(), flag.Arg(0), add...); err != nil {
		fmt.Fprintln(os.Stderr, "widgetbuild:", err)
		os.Exit(1)
	}
}
