package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"
	"time"
)

var files = []file{
	{"winnow", []byte("\x7fELF program"), 0o755},
	{"README.md", []byte("# Winnow\n"), 0o644},
}

var date = time.Date(2026, 12, 6, 7, 21, 25, 0, time.UTC)

// entry is what an archive holds for one name.
type entry struct {
	data string
	mode os.FileMode
	date time.Time
}

func TestTarGz(t *testing.T) {
	var buf bytes.Buffer
	if err := writeArchive(&buf, "tar.gz", "winnow_v0.3.0_linux_amd64", files, date); err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]entry{}
	var names []string
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		names = append(names, h.Name)
		got[h.Name] = entry{string(data), h.FileInfo().Mode(), h.ModTime.UTC()}
	}
	checkEntries(t, names, got)
}

func TestZip(t *testing.T) {
	var buf bytes.Buffer
	if err := writeArchive(&buf, "zip", "winnow_v0.3.0_linux_amd64", files, date); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]entry{}
	var names []string
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		names = append(names, f.Name)
		got[f.Name] = entry{string(data), f.Mode(), f.Modified.UTC()}
	}
	checkEntries(t, names, got)
}

func checkEntries(t *testing.T, names []string, got map[string]entry) {
	t.Helper()
	want := map[string]entry{
		"winnow_v0.3.0_linux_amd64/":          {"", os.ModeDir | 0o755, date},
		"winnow_v0.3.0_linux_amd64/winnow":    {"\x7fELF program", 0o755, date},
		"winnow_v0.3.0_linux_amd64/README.md": {"# Winnow\n", 0o644, date},
	}
	if len(names) != len(want) || names[0] != "winnow_v0.3.0_linux_amd64/" {
		t.Errorf("entries %q, want the directory first, then its %d files", names, len(want)-1)
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("no entry %s", name)
			continue
		}
		if g.data != w.data || g.mode != w.mode || !g.date.Equal(w.date) {
			t.Errorf("%s = %q %v %v, want %q %v %v", name, g.data, g.mode, g.date, w.data, w.mode, w.date)
		}
	}
}

// Two archives of the same files are the same bytes: a release built twice
// from one commit has the same sums.
func TestArchiveReproducible(t *testing.T) {
	for _, format := range []string{"tar.gz", "zip"} {
		var a, b bytes.Buffer
		writeArchive(&a, format, "d", files, date)
		writeArchive(&b, format, "d", files, date)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two archives of the same files differ", format)
		}
	}
}

func TestSumLine(t *testing.T) {
	if got, want := sumLine("a.tar.gz", []byte("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.tar.gz\n"; got != want {
		t.Errorf("sumLine = %q, want %q", got, want)
	}
}

func TestVersionPattern(t *testing.T) {
	for v, ok := range map[string]bool{
		"v0.3.0": true, "v1.12.0": true, "v0.0.0-test": true, "v1.0.0-rc.1": true,
		"0.3.0": false, "v0.3": false, "v01.2.3": false, "v1.2.3+build": false, "v1.2.3-": false, "": false,
	} {
		if got := versionPattern.MatchString(v); got != ok {
			t.Errorf("versionPattern matches %q: %v, want %v", v, got, ok)
		}
	}
}

func TestOptionsRejected(t *testing.T) {
	for _, o := range []options{
		{version: ""},
		{version: "0.3.0"},
		{version: "v0.3.0", targets: []string{"linux"}},
		{version: "v0.3.0", targets: []string{"linux/amd64/v2"}},
	} {
		if err := o.release(); err == nil {
			t.Errorf("release with %+v: no error", o)
		}
	}
}
