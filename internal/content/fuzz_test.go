package content_test

import (
	"os"
	"reflect"
	"runtime/debug"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// FuzzLoad replaces one file of the test content with the fuzzer's bytes:
// the loader must never panic, every problem must have a position in a
// file, and content it accepts must survive the canonical round trip.
func FuzzLoad(f *testing.F) {
	files := []string{"model.yaml", "fields.yaml", "scoring.yaml", "stages/mql.md", "frameworks/f2.md", "examples/examples.yaml", "forms/demo.yaml"}
	for i, name := range files {
		data, err := os.ReadFile(testContent + "/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
	}
	f.Add(uint8(2), []byte("grades: [{name: A, min: *x}]\n&x\n"))
	f.Add(uint8(3), []byte("---\nname: mql\nrule: |\n  fit >= \"B\" and\n\n  score > 1\n---\n"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		base := overlay(t, &txtar.Archive{}).(fstest.MapFS)
		name := files[int(which)%len(files)]
		base[name] = &fstest.MapFile{Data: data}
		// Load runs aside, so that a hang fails the input rather than
		// stalling the fuzzer.
		type result struct {
			c      *content.Content
			diags  qualify.Diags
			panick any
			stack  []byte
		}
		done := make(chan result, 1)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					done <- result{panick: p, stack: debug.Stack()}
				}
			}()
			c, diags := content.Load(base, "content")
			done <- result{c: c, diags: diags}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Load with this %s has not finished after 10s", name)
		}
		if r.panick != nil {
			t.Fatalf("Load with this %s panicked: %v\n%s", name, r.panick, r.stack)
		}
		c, diags := r.c, r.diags
		for _, d := range diags {
			if d.Pos.File == "" {
				t.Fatalf("diagnostic without a file: %q", d.Msg)
			}
		}
		if len(diags) > 0 {
			return
		}
		m := c.Model
		back, err := qualify.Decode(qualify.Encode(m))
		if err != nil {
			t.Fatalf("Decode(Encode(m)): %v", err)
		}
		if !reflect.DeepEqual(back, m) {
			t.Fatal("Decode(Encode(m)) differs from m")
		}
		c.Run()
	})
}
