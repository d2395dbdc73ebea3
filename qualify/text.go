package qualify

import "github.com/winnowhq/winnow/qualify/internal/str"

// Gibberish reports whether a name or company looks like keyboard mashing:
// a run of seven consonants (sch, ch, ck, gh, ph, sh, th, sz and cz
// counting as one, so that Rechtsschutz and Knightsbridge pass), a word of
// five letters or more without a vowel, a letter repeated four times, a
// word of one repeated letter, or a run along a keyboard row. Only ASCII
// letters are judged, so names in other scripts never are.
func Gibberish(s string) bool {
	start := -1
	for i := 0; i <= len(s); i++ {
		letter := i < len(s) && asciiLetter(s[i])
		if letter && start < 0 {
			start = i
		}
		if !letter && start >= 0 {
			if gibberishWord(s[start:i]) {
				return true
			}
			start = -1
		}
	}
	return false
}

func asciiLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func vowel(c byte) bool {
	switch str.LowerASCII(c) {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// digraph reports whether consonants a and b spell one sound, such as the
// c-h of "ch" (and so the s-c-h of "sch").
func digraph(a, b byte) bool {
	switch b {
	case 'h':
		return a == 'c' || a == 'g' || a == 'p' || a == 's' || a == 't'
	case 'k':
		return a == 'c'
	case 'z':
		return a == 's' || a == 'c'
	case 'c':
		return a == 's' // the s-c of "sch"
	}
	return false
}

// keys places each lower-case letter on a keyboard row: row<<4 | column,
// rows numbered from 1 (0: not a letter).
var keys = func() (t [256]uint8) {
	for r, row := range [...]string{"qwertyuiop", "asdfghjkl", "zxcvbnm"} {
		for c := 0; c < len(row); c++ {
			t[row[c]] = uint8(r+1)<<4 | uint8(c)
		}
	}
	return t
}()

// runLength is how many keys in a row along a keyboard row count as
// mashing: the top row needs five, because "liberty" and "property" hold
// four of it.
var runLength = [4]int{0, 5, 4, 4}

func gibberishWord(w string) bool {
	vowels, run, same := 0, 0, 1
	allSame := true
	fwd, back := 1, 1
	var prev byte
	for i := 0; i < len(w); i++ {
		c := str.LowerASCII(w[i])
		if vowel(c) {
			vowels++
			run = 0
		} else if i == 0 || !digraph(str.LowerASCII(w[i-1]), c) {
			if run++; run >= 7 {
				return true
			}
		}
		if i > 0 {
			if c == prev {
				if same++; same >= 4 {
					return true
				}
			} else {
				same, allSame = 1, false
			}
			a, b := keys[prev], keys[c]
			if a>>4 != 0 && a>>4 == b>>4 {
				switch b & 15 {
				case a&15 + 1:
					fwd, back = fwd+1, 1
				case a&15 - 1:
					fwd, back = 1, back+1
				default:
					fwd, back = 1, 1
				}
				if n := runLength[a>>4]; fwd >= n || back >= n {
					return true
				}
			} else {
				fwd, back = 1, 1
			}
		}
		prev = c
	}
	if len(w) >= 3 && allSame {
		return true
	}
	return len(w) >= 5 && vowels == 0
}

// Links counts the web links in a text: words that hold "://" or start
// with "www.".
func Links(s string) int {
	n := 0
	for i := 0; i < len(s); {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		if w := s[i:j]; str.Contains(w, "://") || len(w) > 4 && str.EqualFold(w[:4], "www.") {
			n++
		}
		i = j
	}
	return n
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// domainSet is a sorted list of domains searched by bisection.
type domainSet []string

func (s domainSet) has(d string) bool {
	lo, hi := 0, len(s)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s[mid] < d {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(s) && s[lo] == d
}

type commonDomains struct{}

func (commonDomains) Free(d string) bool       { return freeDomains.has(d) }
func (commonDomains) Disposable(d string) bool { return disposableDomains.has(d) }

// CommonDomains knows the most common free mail providers and disposable
// address services. Runtimes with room for more set Model.Domains.
var CommonDomains DomainClassifier = commonDomains{}

// The tables of domains_table.go, generated from the npm lists (go
// generate; see worker/domains/gen/table.go).
//
//go:generate go run ../worker/domains/gen -table domains_table.go ../node_modules
var (
	freeDomains       = newDomainSet(freeTable)
	disposableDomains = newDomainSet(disposableTable)
	suggestDomains    = newDomainSet(suggestTable)
)

// newDomainSet splits a sorted table of one domain per line.
func newDomainSet(table string) domainSet {
	s := make(domainSet, 0, len(table)/10)
	for table != "" {
		d, rest, _ := str.Cut(table, '\n')
		s, table = append(s, d), rest
	}
	return s
}
