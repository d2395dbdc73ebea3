package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// build --edge writes what the edge worker embeds: the model's text, whose
// point rules keep their positions, and the scoring and fields files with
// the paths `winnow serve` names them by, so the edge's model check writes
// the patch winnow serve writes.
func TestBuildEdge(t *testing.T) {
	tmp := t.TempDir()
	embed := filepath.Join(tmp, "embed")
	code, out, errs := runWinnow(t, "", "build", "--static", "../../static", "--assets", filepath.Join(tmp, "no-widget"),
		"--out", filepath.Join(tmp, "public"), "--edge", embed, shippedContent)
	if code != 0 {
		t.Fatalf("winnow build --edge = %d\n%s%s", code, out, errs)
	}
	text, err := os.ReadFile(filepath.Join(embed, "model.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := qualify.Decode(string(text))
	if err != nil {
		t.Fatal(err)
	}
	loaded, diags := content.Load(os.DirFS(shippedContent), "content")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if len(m.Points) != len(loaded.Model.Points) {
		t.Fatalf("model.txt has %d point rules, the content %d", len(m.Points), len(loaded.Model.Points))
	}
	for i, p := range m.Points {
		if got, want := p.Pos, loaded.Model.Points[i].Pos; got.Line != want.Line || got.Col != want.Col {
			t.Errorf("point rule %s at %d:%d in model.txt, %d:%d in the content", p.Name, got.Line, got.Col, want.Line, want.Col)
		}
	}

	b, err := os.ReadFile(filepath.Join(embed, "source.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got backtest.PatchFiles
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want, err := contentFiles(shippedContent)
	if err != nil {
		t.Fatal(err)
	}
	if got.ScoringPath != "content/scoring.yaml" || got.FieldsPath != "content/fields.yaml" {
		t.Errorf("source.json names %s and %s, want content/scoring.yaml and content/fields.yaml", got.ScoringPath, got.FieldsPath)
	}
	if !bytes.Equal(got.Scoring, want.Scoring) || !bytes.Equal(got.Fields, want.Fields) || len(got.Scoring) == 0 {
		t.Error("source.json does not hold the content's scoring and fields files as they are")
	}
}

// TestTightGC: tightGC has the collector run at GOGC=50 while the live
// heap is small, at the default once it has outgrown the limit, and as
// before once restored.
func TestTightGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	gogc := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	restore := tightGC(8 << 20)
	defer restore()
	runtime.GC()
	if got := gogc(); got != 50 {
		t.Fatalf("GOGC=%d with a small heap, want 50", got)
	}
	big := make([][]byte, 16)
	for i := range big {
		big[i] = make([]byte, 1<<20)
	}
	for deadline := time.Now().Add(5 * time.Second); gogc() != 100; {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC=%d with a 16 MB heap, want 100", gogc())
		}
		runtime.GC()
		time.Sleep(time.Millisecond) // the finalizer runs after the collection
	}
	runtime.KeepAlive(big)
	big = nil

	debug.SetGCPercent(80)
	restore = tightGC(8 << 20)
	if got := gogc(); got != 50 {
		t.Fatalf("GOGC=%d with a small heap, want 50", got)
	}
	restore()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := gogc(); got != 80 {
		t.Errorf("GOGC=%d once restored, want 80 as before", got)
	}
}
