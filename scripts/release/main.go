// Command release builds a release of Winnow into build/release: the
// winnow program for each platform as an archive, and SHA256SUMS.
//
//	make release VERSION=v0.3.0
//	go run ./scripts/release -version v0.3.0 [-targets linux/amd64,...]
//
// Run it from the repository's root after make widget (make release does
// both). It stages the widget (build/widget) in cmd/winnow/build/widget,
// which cmd/winnow/widget_embed.go embeds under the build tag widget, so
// that the binaries publish the signup form without a Go toolchain; the
// stage is removed afterwards. Every binary is built with CGO_ENABLED=0
// (SQLite is modernc.org/sqlite, in Go), -trimpath, without symbols, and
// with the version stamped (-X main.version).
//
// An archive, winnow_VERSION_OS_ARCH.tar.gz (.zip for Windows), holds the
// directory winnow_VERSION_OS_ARCH: winnow (winnow.exe), README.md,
// LICENSE, NOTICE, and THIRD_PARTY_LICENSES, the licence files of Go and
// of every module compiled into that binary. Files are dated by the
// commit (or SOURCE_DATE_EPOCH), so that a release built twice from one
// commit has the same sums. SHA256SUMS is in the form sha256sum -c reads.
//
// The binary for this machine's platform, when it is one of the targets,
// is run before the release is done: it must print the version, say that
// it carries the widget, and publish that widget in a site it builds.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// allTargets are the platforms a release is built for.
const allTargets = "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"

// stage is where cmd/winnow/widget_embed.go embeds the widget from; git
// ignores it (build/).
const stage = "cmd/winnow/build/widget"

// versionPattern is a version go install accepts for a tag:
// vMAJOR.MINOR.PATCH with an optional pre-release.
var versionPattern = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

// licenceFile matches the names of a module's licence files.
var licenceFile = regexp.MustCompile(`(?i)^(licen[cs]e|copying|notice|patents)([-._].*)?$`)

func main() {
	var o options
	flag.StringVar(&o.version, "version", "", "the release's `version`, e.g. v0.3.0")
	targets := flag.String("targets", allTargets, "the `platforms` to build for, GOOS/GOARCH, comma-separated")
	flag.StringVar(&o.widget, "widget", filepath.Join("build", "widget"), "the `dir` of the widget make widget built")
	flag.StringVar(&o.out, "out", filepath.Join("build", "release"), "the `dir` written to (emptied first)")
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	o.targets = strings.Split(*targets, ",")
	if err := o.release(); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

// options are what to release and where.
type options struct {
	version string
	targets []string // GOOS/GOARCH
	widget  string
	out     string
}

func (o *options) release() error {
	if o.version == "" {
		return errors.New("no version: make release VERSION=v0.3.0")
	}
	if !versionPattern.MatchString(o.version) {
		return fmt.Errorf("version %q: want vMAJOR.MINOR.PATCH or vMAJOR.MINOR.PATCH-PRERELEASE, as go install reads tags", o.version)
	}
	for _, t := range o.targets {
		if goos, goarch, ok := strings.Cut(t, "/"); !ok || goos == "" || goarch == "" || strings.Contains(goarch, "/") {
			return fmt.Errorf("target %q: want GOOS/GOARCH", t)
		}
	}
	if _, err := os.Stat(filepath.Join("cmd", "winnow", "main.go")); err != nil {
		return errors.New("run from the repository's root (make release does)")
	}
	for _, name := range []string{"winnow.wasm", "wasm_exec.js"} {
		if _, err := os.Stat(filepath.Join(o.widget, name)); err != nil {
			return fmt.Errorf("the widget: %v (make widget builds it)", err)
		}
	}
	docs := map[string][]byte{}
	for _, name := range []string{"README.md", "LICENSE", "NOTICE"} {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		docs[name] = data
	}
	date := sourceDate()

	unstage, err := stageWidget(o.widget)
	defer unstage()
	if err != nil {
		return err
	}
	if err := os.RemoveAll(o.out); err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "winnow-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	var sums strings.Builder
	native := ""
	for _, t := range o.targets {
		goos, goarch, _ := strings.Cut(t, "/")
		start := time.Now()
		exe := "winnow"
		if goos == "windows" {
			exe += ".exe"
		}
		bin := filepath.Join(work, goos+"_"+goarch, exe)
		if err := build(goos, goarch, o.version, bin); err != nil {
			return fmt.Errorf("%s: %v", t, err)
		}
		if t == runtime.GOOS+"/"+runtime.GOARCH {
			native = bin
		}
		program, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		licences, err := thirdParty(goos, goarch)
		if err != nil {
			return fmt.Errorf("%s: %v", t, err)
		}
		dir := fmt.Sprintf("winnow_%s_%s_%s", o.version, goos, goarch)
		files := []file{
			{exe, program, 0o755},
			{"README.md", docs["README.md"], 0o644},
			{"LICENSE", docs["LICENSE"], 0o644},
			{"NOTICE", docs["NOTICE"], 0o644},
			{"THIRD_PARTY_LICENSES", licences, 0o644},
		}
		format := "tar.gz"
		if goos == "windows" {
			format = "zip"
		}
		var archive bytes.Buffer
		if err := writeArchive(&archive, format, dir, files, date); err != nil {
			return err
		}
		name := dir + "." + format
		if err := os.WriteFile(filepath.Join(o.out, name), archive.Bytes(), 0o644); err != nil {
			return err
		}
		sums.WriteString(sumLine(name, archive.Bytes()))
		fmt.Printf("%-14s %-10s %5.1f MB  %-42s %5.1f MB  (%v)\n", t, exe, mb(len(program)), name, mb(archive.Len()), time.Since(start).Round(time.Second))
	}
	if err := os.WriteFile(filepath.Join(o.out, "SHA256SUMS"), []byte(sums.String()), 0o644); err != nil {
		return err
	}
	if native != "" {
		if err := smoke(native, o.version, o.widget); err != nil {
			return fmt.Errorf("the %s/%s binary: %v", runtime.GOOS, runtime.GOARCH, err)
		}
		fmt.Printf("the %s/%s binary prints %s, carries the widget and publishes it\n", runtime.GOOS, runtime.GOARCH, o.version)
	}
	fmt.Printf("release %s: %d archive(s) and SHA256SUMS in %s\n", o.version, len(o.targets), o.out)
	notes(o.version)
	return nil
}

// file is one file of an archive.
type file struct {
	name string
	data []byte
	mode int64
}

// mb is n bytes in megabytes.
func mb(n int) float64 { return float64(n) / 1e6 }

// sourceDate is the date of the archives' files: SOURCE_DATE_EPOCH, else
// the date of HEAD's commit, else now.
func sourceDate() time.Time {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		out, _ := exec.Command("git", "log", "-1", "--format=%ct").Output()
		s = strings.TrimSpace(string(out))
	}
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(sec, 0).UTC()
	}
	return time.Now().UTC().Truncate(time.Second)
}

// stageWidget copies the widget's files where widget_embed.go embeds them
// from, and returns what removes them.
func stageWidget(widget string) (unstage func(), err error) {
	unstage = func() {
		os.RemoveAll(stage)
		os.Remove(filepath.Dir(stage)) // cmd/winnow/build, if empty
	}
	if err := os.RemoveAll(stage); err != nil {
		return unstage, err
	}
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return unstage, err
	}
	entries, err := os.ReadDir(widget)
	if err != nil {
		return unstage, err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(widget, e.Name()))
		if err != nil {
			return unstage, err
		}
		if err := os.WriteFile(filepath.Join(stage, e.Name()), data, 0o644); err != nil {
			return unstage, err
		}
	}
	return unstage, nil
}

// build compiles winnow for goos/goarch into bin, with the widget built
// in and the version stamped.
func build(goos, goarch, version, bin string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "widget",
		"-ldflags", "-s -w -buildid= -X main.version="+version, "-o", bin, "./cmd/winnow")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// thirdParty is THIRD_PARTY_LICENSES for winnow on goos/goarch: the
// licence files of Go and of every module compiled in.
func thirdParty(goos, goarch string) ([]byte, error) {
	cmd := exec.Command("go", "list", "-deps", "-tags", "widget",
		"-f", "{{with .Module}}{{if not .Main}}{{.Path}}\t{{.Version}}\t{{.Dir}}{{end}}{{end}}", "./cmd/winnow")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v", err)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT: %v", err)
	}
	goVersion, _ := exec.Command("go", "env", "GOVERSION").Output()
	modules := []string{"Go " + strings.TrimSpace(string(goVersion)) + "\t" + strings.TrimSpace(string(goroot))}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	slices.Sort(lines)
	for _, line := range slices.Compact(lines) {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[2] == "" {
			return nil, fmt.Errorf("go list printed %q: no module directory", line)
		}
		modules = append(modules, f[0]+" "+f[1]+"\t"+f[2])
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "The licences of the code compiled into winnow for %s/%s besides Winnow's\nown (LICENSE, NOTICE): Go's and those of the Go modules below.\n", goos, goarch)
	for _, m := range modules {
		name, dir, _ := strings.Cut(m, "\t")
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, e := range entries {
			if e.IsDir() || !licenceFile.MatchString(e.Name()) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "\n%s\n%s: %s\n%s\n\n%s", strings.Repeat("=", 78), name, e.Name(), strings.Repeat("=", 78), data)
			if !bytes.HasSuffix(data, []byte("\n")) {
				b.WriteByte('\n')
			}
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("%s has no licence file in %s", name, dir)
		}
	}
	return b.Bytes(), nil
}

// writeArchive writes files, under the directory dir, as a gzipped tar
// ("tar.gz") or a zip ("zip"), every entry dated date.
func writeArchive(w io.Writer, format, dir string, files []file, date time.Time) error {
	switch format {
	case "tar.gz":
		gz, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		tw := tar.NewWriter(gz)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: date, Format: tar.FormatUSTAR}); err != nil {
			return err
		}
		for _, f := range files {
			h := &tar.Header{Typeflag: tar.TypeReg, Name: path.Join(dir, f.name), Mode: f.mode, Size: int64(len(f.data)), ModTime: date, Format: tar.FormatUSTAR}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			if _, err := tw.Write(f.data); err != nil {
				return err
			}
		}
		if err := tw.Close(); err != nil {
			return err
		}
		return gz.Close()
	case "zip":
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestCompression)
		})
		h := &zip.FileHeader{Name: dir + "/", Modified: date}
		h.SetMode(os.ModeDir | 0o755)
		if _, err := zw.CreateHeader(h); err != nil {
			return err
		}
		for _, f := range files {
			h := &zip.FileHeader{Name: path.Join(dir, f.name), Method: zip.Deflate, Modified: date}
			h.SetMode(os.FileMode(f.mode))
			fw, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			if _, err := fw.Write(f.data); err != nil {
				return err
			}
		}
		return zw.Close()
	}
	return fmt.Errorf("archive format %q: want tar.gz or zip", format)
}

// sumLine is the line of SHA256SUMS for the file name holding data.
func sumLine(name string, data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) + "  " + name + "\n"
}

// smoke runs the binary built for this machine: it must print the
// version and that it carries the widget, and publish that widget in a
// site it builds from content/ and static/ with no --assets directory.
func smoke(bin, version, widget string) error {
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("winnow version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "winnow "+version+" ") || !strings.Contains(string(out), "\nwith the widget built in") {
		return fmt.Errorf("winnow version printed %q, not version %s with the widget built in", out, version)
	}
	tmp, err := os.MkdirTemp("", "winnow-release-site-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	public := filepath.Join(tmp, "public")
	out, err = exec.Command(bin, "build", "--assets", filepath.Join(tmp, "no-widget"), "--out", public, "content").CombinedOutput()
	if err != nil {
		return fmt.Errorf("winnow build: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(widget, "winnow.wasm"))
	if err != nil {
		return err
	}
	published, _ := filepath.Glob(filepath.Join(public, "assets", "winnow.*.wasm"))
	if len(published) != 1 {
		return fmt.Errorf("winnow build published %v, want one assets/winnow.*.wasm", published)
	}
	if got, err := os.ReadFile(published[0]); err != nil || !bytes.Equal(got, want) {
		return fmt.Errorf("winnow build published %s, not the widget of %s", published[0], widget)
	}
	return nil
}

// notes prints what remains to publish the release: a tag on the commit,
// which go install …@version reads, and a warning when the release was
// built from uncommitted changes.
func notes(version string) {
	if out, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(out) > 0 {
		fmt.Printf("note: the working tree has uncommitted changes: this release is not the commit's\n")
	}
	out, err := exec.Command("git", "tag", "--points-at", "HEAD").Output()
	if err == nil && !slices.Contains(strings.Fields(string(out)), version) {
		fmt.Printf("next: git tag %s && git push origin %s (go install github.com/winnowhq/winnow/cmd/winnow@%s reads the tag), then publish build/release/*\n", version, version, version)
	}
}
