package qualify

import "github.com/winnowhq/winnow/qualify/internal/str"

// SuggestEmail returns the address with its domain corrected when the
// domain looks like a typo of a common mail provider's ("ana@gmial.com"
// gives "ana@gmail.com"), or "" when it does not. Only the domain is
// compared, in lower case; a domain that is itself known is never
// corrected.
func SuggestEmail(addr string) string {
	at := str.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return ""
	}
	domain := str.ToLowerASCII(addr[at+1:])
	if freeDomains.has(domain) || disposableDomains.has(domain) {
		return ""
	}
	best, bestD := "", 3
	for _, c := range suggestDomains {
		// The distance is at least the difference in length: a domain
		// that much longer or shorter cannot do better than the best.
		if diff := len(domain) - len(c); diff > bestD || -diff > bestD {
			continue
		}
		if d := editDistance(domain, c); d < bestD || d == bestD && best != "" && len(c) < len(best) {
			best, bestD = c, d
		}
	}
	// One edit in a short domain, two in a longer one.
	if best == "" || bestD > 1 && len(domain) < 9 {
		return ""
	}
	return addr[:at+1] + best
}
