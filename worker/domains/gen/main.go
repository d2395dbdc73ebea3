// Command gen writes lists.bin, the compact form of the maintained domain
// lists, from the npm packages free-email-domains and
// disposable-email-domains under a node_modules directory; with -table, it
// writes the widget's table of common providers instead (table.go).
//
//	go run ./gen -out lists.bin ../../node_modules
//	go run ../worker/domains/gen -table domains_table.go ../node_modules
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/FastFilter/xorfilter"

	"github.com/winnowhq/winnow/worker/domains"
)

const restart = 32

func main() {
	out := flag.String("out", "lists.bin", "the file to write")
	tableOut := flag.String("table", "", "write the widget's table to this Go file instead")
	flag.Parse()
	modules := flag.Arg(0)
	if *tableOut != "" {
		if err := writeTable(*tableOut, modules); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	read := func(name string) []string {
		var list []string
		data, err := os.ReadFile(filepath.Join(modules, name))
		if err == nil {
			err = json.Unmarshal(data, &list)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: %s: %v (run npm ci)\n", name, err)
			os.Exit(1)
		}
		return list
	}
	var buf bytes.Buffer
	// The free providers and the wildcard parents exactly, front-coded;
	// the 120,000 disposable domains in a binary fuse filter with 16-bit
	// fingerprints (one false positive in 65,536 domains, a quarter of
	// the bytes of the exact set).
	writeSet(&buf, read("free-email-domains/domains.json"))
	writeSet(&buf, read("disposable-email-domains/wildcard.json"))
	var keys []uint64
	for _, d := range read("disposable-email-domains/index.json") {
		keys = append(keys, domains.Hash(strings.ToLower(strings.TrimSpace(d))))
	}
	f, err := xorfilter.NewBinaryFuse[uint16](keys)
	if err == nil {
		err = f.Save(&buf)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// writeSet writes the reversed, sorted, deduplicated domains front-coded.
func writeSet(w *bytes.Buffer, list []string) {
	keys := make([]string, 0, len(list))
	for _, d := range list {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" || len(d) > 253 || strings.ContainsAny(d, " *") {
			continue
		}
		labels := strings.Split(d, ".")
		slices.Reverse(labels)
		keys = append(keys, strings.Join(labels, "."))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var data bytes.Buffer
	var restarts []uint32
	prev := ""
	for i, k := range keys {
		if len(k) > 255 {
			continue
		}
		if i%restart == 0 {
			restarts = append(restarts, uint32(data.Len()))
			data.WriteByte(byte(len(k)))
			data.WriteString(k)
		} else {
			shared := 0
			for shared < len(k) && shared < len(prev) && shared < 255 && k[shared] == prev[shared] {
				shared++
			}
			data.WriteByte(byte(shared))
			data.WriteByte(byte(len(k) - shared))
			data.WriteString(k[shared:])
		}
		prev = k
	}
	binary.Write(w, binary.LittleEndian, uint32(len(keys)))
	binary.Write(w, binary.LittleEndian, uint32(len(restarts)))
	for _, r := range restarts {
		binary.Write(w, binary.LittleEndian, r)
	}
	binary.Write(w, binary.LittleEndian, uint32(data.Len()))
	w.Write(data.Bytes())
}
