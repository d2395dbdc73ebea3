package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"

	"github.com/andybalholm/brotli"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/site/cachepolicy"
)

// mediaTypes are the static files the build minifies.
var mediaTypes = map[string]string{
	".css": "text/css", ".js": "application/javascript", ".svg": "image/svg+xml",
	".json": "application/json", ".xml": "application/xml",
}

// required are the static files the layout links to.
var required = []string{"css/site.css", "favicon.svg"}

// beaconScript is the static file of the beacon, which the layout loads
// on every page when tracking is on.
const beaconScript = "js/beacon.js"

// fingerprinted reports whether a static file is published under a name
// that holds its hash, so that it can be cached for ever: stylesheets,
// scripts, WebAssembly and the icon. Pages name such a file by its path
// under static/ and get its published URL from the asset table.
func fingerprinted(name string) bool {
	switch path.Ext(name) {
	case ".css", ".js", ".mjs", ".wasm":
		return true
	}
	return name == "favicon.svg"
}

// addStatic minifies the static files and the assets, publishes the
// fingerprinted ones under assets/ and copies the rest.
func (b *builder) addStatic() qualify.Diags {
	var diags qualify.Diags
	for _, dir := range []struct {
		fsys fs.FS
		name string
	}{{b.opts.Static, b.opts.StaticDir}, {b.opts.Assets, b.opts.AssetsDir}} {
		if dir.fsys == nil {
			continue
		}
		err := fs.WalkDir(dir.fsys, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if ext := path.Ext(name); (ext == ".br" || ext == ".gz") && dir.fsys == b.opts.Assets {
				return nil // the compressed form of another asset
			}
			data, err := readAll(dir.fsys, name)
			if err != nil {
				diags.Add(qualify.Pos{File: path.Join(dir.name, name)}, "cannot read: "+err.Error())
				return nil
			}
			if mt := mediaTypes[path.Ext(name)]; mt != "" {
				out, err := b.min.Bytes(mt, data)
				if err != nil {
					diags.Add(qualify.Pos{File: path.Join(dir.name, name)}, "cannot minify: "+err.Error())
					return nil
				}
				data = out
			}
			if fingerprinted(name) {
				b.assets[name] = "/" + b.publishCompressed(dir.fsys, name, data, &b.static)
				return nil
			}
			b.file(name, data)
			b.static = append(b.static, name)
			return nil
		})
		if err != nil {
			diags.Add(qualify.Pos{File: dir.name}, "cannot read: "+err.Error())
		}
	}
	for _, name := range required {
		if b.assets[name] == "" {
			diags.Add(qualify.Pos{File: path.Join(b.opts.StaticDir, name)}, "missing: the site's layout needs it")
		}
	}
	return diags
}

// addModel publishes the model's canonical text.
func (b *builder) addModel() {
	b.assets["model"] = "/" + b.publishCompressed(nil, "model.txt", []byte(b.modelText), &b.model)
}

// packKey names a compressed form of a file: the SHA-256 of the file
// and the form's extension, ".br" or ".gz".
type packKey struct {
	sum [32]byte
	enc string
}

// publishCompressed publishes a fingerprinted asset with its brotli and
// gzip forms beside it (name.br, name.gz), for servers that send them as
// they are, and appends the paths of the three files to files. Forms
// made beforehand (next to the file in fsys, and only if the file was not
// minified here) are used as they are; others are made, or taken from
// b.packed when an earlier build made them of the same bytes.
func (b *builder) publishCompressed(fsys fs.FS, name string, data []byte, files *[]string) string {
	sum := sha256.Sum256(data)
	p := b.publish(name, data, sum)
	minified := mediaTypes[path.Ext(name)] != ""
	for _, enc := range []string{".br", ".gz"} {
		var out []byte
		if !minified && fsys != nil {
			out, _ = fs.ReadFile(fsys, name+enc)
		}
		if out == nil {
			key := packKey{sum, enc}
			var ok bool
			if out, ok = b.packed[key]; !ok {
				out = compress(enc, data)
				if b.packed != nil {
					b.packed[key] = out
				}
			}
		}
		b.file(p+enc, out)
	}
	*files = append(*files, p, p+".br", p+".gz")
	return p
}

// publish keeps data under assets/ with a name holding the start of its
// SHA-256, sum, e.g. assets/css/site.3f2a9c1b.css, and returns that path.
func (b *builder) publish(name string, data []byte, sum [32]byte) string {
	ext := path.Ext(name)
	p := strings.TrimPrefix(cachepolicy.Assets, "/") + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
	b.file(p, data)
	return p
}

// compress returns data compressed with brotli (".br", best quality for
// files a browser waits for) or gzip (".gz").
func compress(enc string, data []byte) []byte {
	var buf bytes.Buffer
	if enc == ".br" {
		q := 11
		if len(data) > 1<<20 {
			q = 9 // big files made here, not by the widget's own build
		}
		w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: q, LGWin: brotliWindow(len(data))})
		w.Write(data)
		w.Close()
		return buf.Bytes()
	}
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// brotliWindow is the brotli window, as a power of two, for n bytes: the
// smallest that holds them all, as the brotli tool chooses, and at least
// 2^16, whose header is shortest. Matches reach as far back with it as
// with the largest, 2^24, but at quality 10 and 11 the encoder allocates
// 8 bytes per byte of window whatever the input's size: 128 MB a file at
// 2^24, where 2^16 takes 512 KB.
func brotliWindow(n int) int {
	lg := 16
	for lg < 24 && 1<<lg-16 < n { // the window holds 2^lg - 16 bytes
		lg++
	}
	return lg
}
