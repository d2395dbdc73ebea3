package site

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"

	"github.com/winnowhq/winnow/qualify"
)

// mediaTypes are the static files the build minifies.
var mediaTypes = map[string]string{
	".css": "text/css", ".js": "application/javascript", ".svg": "image/svg+xml",
	".json": "application/json", ".xml": "application/xml",
}

// required are the static files the layout links to.
var required = []string{"css/site.css", "favicon.svg"}

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

// addAssets minifies the static files, publishes the fingerprinted ones
// under assets/, copies the rest, and publishes the model's canonical text.
func (b *builder) addAssets() qualify.Diags {
	var diags qualify.Diags
	if b.opts.Static != nil {
		err := fs.WalkDir(b.opts.Static, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := readAll(b.opts.Static, name)
			if err != nil {
				diags.Add(qualify.Pos{File: path.Join(b.opts.StaticDir, name)}, "cannot read: "+err.Error())
				return nil
			}
			if mt := mediaTypes[path.Ext(name)]; mt != "" {
				out, err := b.min.Bytes(mt, data)
				if err != nil {
					diags.Add(qualify.Pos{File: path.Join(b.opts.StaticDir, name)}, "cannot minify: "+err.Error())
					return nil
				}
				data = out
			}
			if fingerprinted(name) {
				b.assets[name] = "/" + b.publish(name, data)
				return nil
			}
			b.file(name, data)
			return nil
		})
		if err != nil {
			diags.Add(qualify.Pos{File: b.opts.StaticDir}, "cannot read: "+err.Error())
		}
	}
	for _, name := range required {
		if b.assets[name] == "" {
			diags.Add(qualify.Pos{File: path.Join(b.opts.StaticDir, name)}, "missing: the site's layout needs it")
		}
	}
	b.modelText = qualify.Encode(b.content.Model)
	b.assets["model"] = "/" + b.publish("model.txt", []byte(b.modelText))
	return diags
}

// publish keeps data under assets/ with a name holding the start of its
// SHA-256, e.g. assets/css/site.3f2a9c1b.css, and returns that path.
func (b *builder) publish(name string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(name)
	p := "assets/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
	b.file(p, data)
	return p
}
