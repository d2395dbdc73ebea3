package qualify

// SuggestEmail returns the address with its domain corrected when the
// domain looks like a typo of a common mail provider's ("ana@gmial.com"
// gives "ana@gmail.com"), or "" when it does not. Only the domain is
// compared, in lower case; a domain that is itself known is never
// corrected.
func SuggestEmail(addr string) string {
	at := -1
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '@' {
			at = i
			break
		}
	}
	if at <= 0 || at == len(addr)-1 {
		return ""
	}
	domain := asciiLower(addr[at+1:])
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

// asciiLower lowers the ASCII letters of s.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
