package domains

import (
	"errors"
	"hash/fnv"
	"strings"
	"sync"

	"github.com/FastFilter/xorfilter"

	"github.com/winnowhq/winnow/qualify"
)

// AssetPath is where the site publishes lists.bin for the edge, which
// reads it with Parse once per instance instead of carrying it in the
// worker (344 KB gzipped).
const AssetPath = "/edge/domains.bin"

// Lists are the parsed lists; a *Lists is a qualify.DomainClassifier.
type Lists struct {
	free, wildcards set
	disposable      *xorfilter.BinaryFuse[uint16]
}

// Parse reads lists in the form the generator writes (lists.bin).
func Parse(data string) (l *Lists, err error) {
	defer func() {
		if recover() != nil {
			l, err = nil, errors.New("domains: the lists are damaged")
		}
	}()
	l = &Lists{}
	rest := data
	l.free, rest = parseSet(rest)
	l.wildcards, rest = parseSet(rest)
	l.disposable, err = xorfilter.LoadBinaryFuse[uint16](strings.NewReader(rest))
	if err != nil {
		return nil, errors.New("domains: the lists are damaged: " + err.Error())
	}
	return l, nil
}

// Data is lists.bin, as the site publishes it for the edge.
func Data() string { return lists }

// Hash is the key of a domain in the disposable filter: 64-bit FNV-1a.
func Hash(domain string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(domain))
	return h.Sum64()
}

// Full classifies domains with the full lists embedded in the program; it
// knows what the core's short table knows too.
var Full qualify.DomainClassifier = embedded{}

var (
	once sync.Once
	full *Lists
)

type embedded struct{}

func (embedded) lists() *Lists {
	once.Do(func() {
		var err error
		if full, err = Parse(lists); err != nil {
			panic(err)
		}
	})
	return full
}

func (e embedded) Free(domain string) bool       { return e.lists().Free(domain) }
func (e embedded) Disposable(domain string) bool { return e.lists().Disposable(domain) }

// Free reports a free mail provider's domain.
func (l *Lists) Free(domain string) bool {
	d := strings.ToLower(domain)
	return qualify.CommonDomains.Free(d) || l.free.has(reverse(d)) && !l.isDisposable(d)
}

// Disposable reports a disposable-address service's domain, or a domain
// under one whose every subdomain is one. A common free provider is never
// disposable, whatever a list says.
func (l *Lists) Disposable(domain string) bool {
	d := strings.ToLower(domain)
	if qualify.CommonDomains.Free(d) {
		return false
	}
	return qualify.CommonDomains.Disposable(d) || l.isDisposable(d)
}

func (l *Lists) isDisposable(d string) bool {
	if l.disposable.Contains(Hash(d)) {
		return true
	}
	r := reverse(d)
	// Wildcards: any parent domain listed makes its subdomains disposable.
	for i := len(r) - 1; i > 0; i-- {
		if r[i] == '.' && l.wildcards.has(r[:i]) {
			return true
		}
	}
	return false
}

// Sizes returns how many free and wildcard domains the exact sets hold,
// and the bytes of the disposable filter's fingerprints.
func Sizes() (freeDomains, wildcardDomains, filterBytes int) {
	l := embedded{}.lists()
	return l.free.n, l.wildcards.n, 2 * len(l.disposable.Fingerprints)
}
