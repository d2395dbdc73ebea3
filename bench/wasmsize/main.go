// Command wasmsize tells where the bytes of a Go WebAssembly module go:
// its size raw and gzipped, and the functions' code per Go package, biggest
// first, from the module's name section.
//
//	go run ./bench/wasmsize [-top 25] [-strip OUT] [-max BYTES] app.wasm
//
// The module must be linked with its names (no -s): -strip writes a copy
// without the name section, the one to deploy, and the sizes printed are
// the stripped copy's. Each package's code is gzipped alone, so its figure
// is what the package costs compressed, give or take what it shares with
// the rest; data (strings, tables, the runtime's function metadata) is
// reported as a whole. -max exits 1 when the stripped module is over BYTES
// gzipped.
package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
)

func main() {
	top := flag.Int("top", 25, "packages to list")
	strip := flag.String("strip", "", "write the module without its name section to this file")
	limit := flag.Int("max", 0, "exit 1 when the stripped module is over this many bytes gzipped (0: no limit)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: wasmsize [-top N] [-strip OUT] [-max BYTES] app.wasm")
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	m, err := parse(data)
	if err != nil {
		fail(fmt.Errorf("%s: %w", flag.Arg(0), err))
	}
	stripped := m.stripped()
	if *strip != "" {
		if err := os.WriteFile(*strip, stripped, 0o644); err != nil {
			fail(err)
		}
	}
	name := flag.Arg(0)
	if *strip != "" {
		name = *strip
	}
	gz := gzipLen(stripped)
	fmt.Printf("%s: %d bytes, %d gzipped\n", name, len(stripped), gz)
	code, dataBytes := m.byPackage()
	fmt.Printf("  %-44s %9s %9s\n", "functions' code by package", "raw", "gzip")
	for i, p := range code {
		if i == *top {
			rest, restGz := 0, 0
			for _, q := range code[i:] {
				rest += q.raw
				restGz += q.gz
			}
			fmt.Printf("  %-44s %9d %9d\n", fmt.Sprintf("%d more packages", len(code)-i), rest, restGz)
			break
		}
		fmt.Printf("  %-44s %9d %9d\n", p.name, p.raw, p.gz)
	}
	fmt.Printf("  %-44s %9d %9d\n", "data (strings, tables, function metadata)", len(dataBytes), gzipLen(dataBytes))
	if *limit > 0 && gz > *limit {
		fmt.Fprintf(os.Stderr, "wasmsize: %s is %d bytes gzipped, over the limit of %d by %d\n", name, gz, *limit, gz-*limit)
		os.Exit(1)
	}
}

// module is a parsed WebAssembly binary: its sections in order, the
// bodies of its functions and their names.
type module struct {
	data     []byte
	sections []section
	imported int      // functions imported, which come first in the index space
	bodies   [][]byte // defined functions' bodies
	names    map[int]string
	dataSeg  []byte // the data section's contents
}

type section struct {
	id         byte
	name       string // of a custom section
	start, end int    // the whole section, header included
}

func parse(b []byte) (*module, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module")
	}
	m := &module{data: b, names: map[int]string{}}
	r := reader{b: b, i: 8}
	for r.i < len(b) {
		start := r.i
		id := r.byte()
		size := int(r.uleb())
		body := r.i
		end := body + size
		if r.err != nil || end > len(b) {
			return nil, errors.New("truncated section")
		}
		s := section{id: id, start: start, end: end}
		sr := reader{b: b[:end], i: body}
		switch id {
		case 0:
			n := int(sr.uleb())
			s.name = string(b[sr.i : sr.i+n])
			sr.i += n
			if s.name == "name" {
				m.readNames(&sr)
			}
		case 2: // imports
			for n := sr.uleb(); n > 0; n-- {
				sr.skipName()
				sr.skipName()
				switch kind := sr.byte(); kind {
				case 0:
					sr.uleb()
					m.imported++
				case 1:
					sr.byte()
					sr.limits()
				case 2:
					sr.limits()
				case 3:
					sr.byte()
					sr.byte()
				}
			}
		case 10: // code
			for n := sr.uleb(); n > 0; n-- {
				size := int(sr.uleb())
				m.bodies = append(m.bodies, b[sr.i:sr.i+size])
				sr.i += size
			}
		case 11:
			m.dataSeg = b[body:end]
		}
		if sr.err != nil {
			return nil, fmt.Errorf("section %d: %w", id, sr.err)
		}
		m.sections = append(m.sections, s)
		r.i = end
	}
	return m, nil
}

// readNames reads the function names of a name section.
func (m *module) readNames(r *reader) {
	for r.i < len(r.b) && r.err == nil {
		sub := r.byte()
		size := int(r.uleb())
		end := r.i + size
		if sub == 1 {
			for n := r.uleb(); n > 0 && r.err == nil; n-- {
				idx := int(r.uleb())
				l := int(r.uleb())
				if r.i+l > len(r.b) {
					r.err = errors.New("truncated name")
					return
				}
				m.names[idx] = string(r.b[r.i : r.i+l])
				r.i += l
			}
		}
		r.i = end
	}
}

// stripped returns the module without its name section.
func (m *module) stripped() []byte {
	var out bytes.Buffer
	out.Write(m.data[:8])
	for _, s := range m.sections {
		if s.id == 0 && s.name == "name" {
			continue
		}
		out.Write(m.data[s.start:s.end])
	}
	return out.Bytes()
}

type pkgSize struct {
	name    string
	raw, gz int
}

// byPackage sums the functions' code per Go package, biggest gzipped first.
func (m *module) byPackage() ([]pkgSize, []byte) {
	code := map[string]*bytes.Buffer{}
	for i, body := range m.bodies {
		p := pkgOf(m.names[m.imported+i])
		if code[p] == nil {
			code[p] = &bytes.Buffer{}
		}
		code[p].Write(body)
	}
	var out []pkgSize
	for p, b := range code {
		out = append(out, pkgSize{p, b.Len(), gzipLen(b.Bytes())})
	}
	slices.SortFunc(out, func(a, b pkgSize) int {
		return cmp.Or(cmp.Compare(b.gz, a.gz), strings.Compare(a.name, b.name))
	})
	return out, m.dataSeg
}

// pkgOf is the package of a function's name as Go's linker writes it in
// the name section, slashes made underscores: "net_http.(*Request).Write",
// "github.com_syumai_workers.Serve" ("github.com/syumai/workers").
func pkgOf(sym string) string {
	if sym == "" {
		return "(unnamed)"
	}
	from := 0
	if u := strings.IndexByte(sym, '_'); u > 0 && strings.Contains(sym[:u-1], ".") {
		from = u // a module path that starts with a domain
	}
	if dot := strings.IndexByte(sym[from:], '.'); dot >= 0 {
		sym = sym[:from+dot]
	}
	return strings.ReplaceAll(sym, "_", "/")
}

func gzipLen(b []byte) int {
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return out.Len()
}

type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) byte() byte {
	if r.i >= len(r.b) {
		r.err = errors.New("unexpected end")
		return 0
	}
	c := r.b[r.i]
	r.i++
	return c
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			break
		}
	}
	return v
}

func (r *reader) skipName() { r.i += int(r.uleb()) }

func (r *reader) limits() {
	if r.byte()&1 != 0 {
		r.uleb()
	}
	r.uleb()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "wasmsize:", err)
	os.Exit(1)
}
