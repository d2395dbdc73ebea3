// Command budget compresses the widget's build and holds it to its size
// budget.
//
//	go run ./bench/widgetbudget -compress build/widget/winnow.wasm ...
//	go run ./bench/widgetbudget build/public
//
// With -compress it writes each file's brotli (quality 11) and gzip forms
// beside it, for the site build to publish. Otherwise it finds the
// widget's published files in a built site's assets, prints their sizes,
// and exits 1 when the WebAssembly is over 480 KB brotli or the scripts
// (the page side, the worker and wasm_exec.js) together over 5 KB brotli.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/andybalholm/brotli"
)

const (
	wasmBudget = 480 << 10
	jsBudget   = 5 << 10
)

func main() {
	compress := flag.Bool("compress", false, "write FILE.br and FILE.gz beside each FILE")
	flag.Parse()
	if *compress {
		for _, name := range flag.Args() {
			data, err := os.ReadFile(name)
			if err != nil {
				fail(err)
			}
			br, gz := compressed(data)
			if err := os.WriteFile(name+".br", br, 0o644); err != nil {
				fail(err)
			}
			if err := os.WriteFile(name+".gz", gz, 0o644); err != nil {
				fail(err)
			}
		}
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: budget -compress FILE... | budget SITE-DIR")
		os.Exit(2)
	}
	site := flag.Arg(0)
	wasm := find(site, "assets/winnow.*.wasm")
	loader := find(site, "assets/js/widget.*.js")
	worker := find(site, "assets/js/widget-worker.*.js")
	exec := find(site, "assets/wasm_exec.*.js")
	over := false
	line := func(what string, files []string, budget int) {
		raw, br, gz := 0, 0, 0
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				fail(err)
			}
			b, g := compressed(data)
			raw, br, gz = raw+len(data), br+len(b), gz+len(g)
		}
		verdict := "within"
		if br > budget {
			verdict, over = "OVER", true
		}
		fmt.Printf("widget %-26s %9d raw %8d gzip %8d brotli  (budget %d brotli: %s)\n", what, raw, gz, br, budget, verdict)
	}
	line("WebAssembly", []string{wasm}, wasmBudget)
	line("scripts (page, worker, wasm_exec.js)", []string{loader, worker, exec}, jsBudget)
	if over {
		os.Exit(1)
	}
}

// find returns the one file matching pattern under dir.
func find(dir, pattern string) string {
	m, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(m) != 1 {
		fail(fmt.Errorf("%s: %d files match %s, want 1 (build the widget, then the site)", dir, len(m), pattern))
	}
	return m[0]
}

func compressed(data []byte) (br, gz []byte) {
	var b, g bytes.Buffer
	w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: 11, LGWin: 24})
	w.Write(data)
	w.Close()
	z, _ := gzip.NewWriterLevel(&g, gzip.BestCompression)
	z.Write(data)
	z.Close()
	return b.Bytes(), g.Bytes()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "budget:", err)
	os.Exit(1)
}
