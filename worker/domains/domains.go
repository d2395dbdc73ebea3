package domains

import (
	"hash/fnv"
	"strings"
	"sync"

	"github.com/FastFilter/xorfilter"

	"github.com/winnowhq/winnow/qualify"
)

var (
	once            sync.Once
	free, wildcards set
	disposable      *xorfilter.BinaryFuse[uint16]
)

func load() {
	rest := lists
	free, rest = parseSet(rest)
	wildcards, rest = parseSet(rest)
	f, err := xorfilter.LoadBinaryFuse[uint16](strings.NewReader(rest))
	if err != nil {
		panic("domains: lists.bin is damaged: " + err.Error())
	}
	disposable = f
}

// Hash is the key of a domain in the disposable filter: 64-bit FNV-1a.
func Hash(domain string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(domain))
	return h.Sum64()
}

// Full classifies domains with the full lists; it knows what the core's
// short table knows too.
var Full qualify.DomainClassifier = full{}

type full struct{}

// Free reports a free mail provider's domain.
func (full) Free(domain string) bool {
	once.Do(load)
	d := strings.ToLower(domain)
	return qualify.CommonDomains.Free(d) || free.has(reverse(d)) && !isDisposable(d)
}

// Disposable reports a disposable-address service's domain, or a domain
// under one whose every subdomain is one. A common free provider is never
// disposable, whatever a list says.
func (full) Disposable(domain string) bool {
	once.Do(load)
	d := strings.ToLower(domain)
	if qualify.CommonDomains.Free(d) {
		return false
	}
	return qualify.CommonDomains.Disposable(d) || isDisposable(d)
}

func isDisposable(d string) bool {
	if disposable.Contains(Hash(d)) {
		return true
	}
	r := reverse(d)
	// Wildcards: any parent domain listed makes its subdomains disposable.
	for i := len(r) - 1; i > 0; i-- {
		if r[i] == '.' && wildcards.has(r[:i]) {
			return true
		}
	}
	return false
}

// Sizes returns how many free and wildcard domains the exact sets hold,
// and the bytes of the disposable filter's fingerprints.
func Sizes() (freeDomains, wildcardDomains, filterBytes int) {
	once.Do(load)
	return free.n, wildcards.n, 2 * len(disposable.Fingerprints)
}
