//go:build js && wasm

package main

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/domains"
)

// assets reads files of the site's static assets once per instance: data
// the worker needs but need not carry (the domain lists, the time zones),
// which would cost it 450 KB of its 3 MB gzipped.
type assets struct {
	mu    sync.Mutex
	files map[string][]byte
	zones map[string]*time.Location
}

// file returns the asset at path, reading it on first use. Concurrent
// callers wait for one read; a failed read is tried again by the next.
func (a *assets) file(ctx context.Context, path string) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if b, ok := a.files[path]; ok {
		return b, nil
	}
	e, err := eventOf(ctx)
	if err != nil {
		return nil, err
	}
	v, err := e.call("asset", path)
	if err != nil {
		return nil, err
	}
	if a.files == nil {
		a.files = map[string][]byte{}
	}
	b := bytesGo(v)
	a.files[path] = b
	return b, nil
}

// forget drops a file read before.
func (a *assets) forget(path string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.files, path)
}

// zone reads a time zone from the site's copy of Go's zoneinfo.zip.
func (a *assets) zone(ctx context.Context, name string) (*time.Location, error) {
	if name == "UTC" {
		return time.UTC, nil
	}
	zip, err := a.file(ctx, worker.ZoneinfoPath)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if loc, ok := a.zones[name]; ok {
		return loc, nil
	}
	data, err := storedFile(zip, name)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocationFromTZData(name, data)
	if err != nil {
		return nil, err
	}
	if a.zones == nil {
		a.zones = map[string]*time.Location{}
	}
	a.zones[name] = loc
	return loc, nil
}

// storedFile returns a file of a zip archive whose files are stored
// uncompressed, as Go's zoneinfo.zip is.
func storedFile(zip []byte, name string) ([]byte, error) {
	le := binary.LittleEndian
	// The end of central directory record: 22 bytes, no comment.
	end := len(zip) - 22
	if end < 0 || le.Uint32(zip[end:]) != 0x06054b50 {
		return nil, errors.New("zoneinfo: not a zip archive")
	}
	n, at := int(le.Uint16(zip[end+10:])), int(le.Uint32(zip[end+16:]))
	for range n {
		if at+46 > len(zip) || le.Uint32(zip[at:]) != 0x02014b50 {
			return nil, errors.New("zoneinfo: damaged central directory")
		}
		method, size := le.Uint16(zip[at+10:]), int(le.Uint32(zip[at+24:]))
		nameLen, extra, comment := int(le.Uint16(zip[at+28:])), int(le.Uint16(zip[at+30:])), int(le.Uint16(zip[at+32:]))
		local := int(le.Uint32(zip[at+42:]))
		if at+46+nameLen > len(zip) {
			return nil, errors.New("zoneinfo: damaged central directory")
		}
		if string(zip[at+46:at+46+nameLen]) == name {
			if method != 0 || local+30 > len(zip) {
				return nil, errors.New("zoneinfo: " + name + " is not stored uncompressed")
			}
			data := local + 30 + int(le.Uint16(zip[local+26:])) + int(le.Uint16(zip[local+28:]))
			if data+size > len(zip) {
				return nil, errors.New("zoneinfo: " + name + " is truncated")
			}
			return zip[data : data+size], nil
		}
		at += 46 + nameLen + extra + comment
	}
	return nil, errors.New("unknown time zone " + name)
}

// domainLists classifies domains with the lists of the site's assets,
// read on first use (worker.Loader).
type domainLists struct {
	assets *assets
	mu     sync.Mutex
	lists  *domains.Lists
}

var _ worker.Loader = (*domainLists)(nil)

// Load reads the lists, once.
func (d *domainLists) Load(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lists != nil {
		return nil
	}
	b, err := d.assets.file(ctx, domains.AssetPath)
	if err != nil {
		return errors.New("the domain lists: " + err.Error())
	}
	if d.lists, err = domains.Parse(string(b)); err != nil {
		return err
	}
	d.assets.forget(domains.AssetPath) // the lists hold what they need
	return nil
}

// loaded returns the lists; Load has run, or the core's short table
// answers.
func (d *domainLists) loaded() qualify.DomainClassifier {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lists == nil {
		return qualify.CommonDomains
	}
	return d.lists
}

func (d *domainLists) Free(domain string) bool       { return d.loaded().Free(domain) }
func (d *domainLists) Disposable(domain string) bool { return d.loaded().Disposable(domain) }
