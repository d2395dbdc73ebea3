package site_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/winnowhq/winnow/site"
)

// TestDirFS checks that site.DirFS serves a directory as an fs.FS must
// (fstest.TestFS: every file read whole by ReadFile as by Open, listed
// and stat'ed alike), empty and large files included, and reports a
// missing file as not existing.
func TestDirFS(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"index.md":           []byte("---\ntitle: Home\n---\nHello.\n"),
		"empty.md":           nil,
		"pages/blog/big.md":  bytes.Repeat([]byte("A line of a long page.\n"), 3000),
		"static/favicon.svg": []byte("<svg/>"),
	}
	var names []string
	for name, data := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	fsys := site.DirFS(dir)
	if err := fstest.TestFS(fsys, names...); err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		if got, err := fs.ReadFile(fsys, name); err != nil || !bytes.Equal(got, want) {
			t.Errorf("ReadFile(%q) = %d bytes, %v; want %d bytes", name, len(got), err, len(want))
		}
	}
	if _, err := fs.ReadFile(fsys, "missing.md"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := fs.ReadFile(fsys, "../escape"); err == nil {
		t.Error("ReadFile reads outside the directory")
	}
}
