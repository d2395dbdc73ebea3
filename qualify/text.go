package qualify

import "strings"

// Gibberish reports whether a name or company looks like keyboard mashing:
// a long run of consonants, a long word without vowels, a letter repeated
// four times, a word of one repeated letter, or a run along a keyboard row.
// Only ASCII letters are judged, so names in other scripts never are.
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

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func vowel(c byte) bool {
	switch lowerByte(c) {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// keyboardRuns are runs along a keyboard row that no word contains, with
// the length that counts as mashing for each row: the top row needs five,
// because "liberty" and "property" hold four of it.
var keyboardRuns = [...]struct {
	row string
	n   int
}{{"qwertyuiop", 5}, {"asdfghjkl", 4}, {"zxcvbnm", 4}}

func gibberishWord(w string) bool {
	vowels, run, same := 0, 0, 1
	allSame := true
	for i := 0; i < len(w); i++ {
		c := lowerByte(w[i])
		if vowel(c) {
			vowels++
			run = 0
		} else if run++; run >= 6 {
			return true
		}
		if i > 0 {
			if c == lowerByte(w[i-1]) {
				if same++; same >= 4 {
					return true
				}
			} else {
				same, allSame = 1, false
			}
		}
	}
	if len(w) >= 3 && allSame {
		return true
	}
	if len(w) >= 5 && vowels == 0 {
		return true
	}
	for _, k := range keyboardRuns {
		if keyboardRun(w, k.row, k.n) {
			return true
		}
	}
	return false
}

// keyboardRun reports whether w holds n letters in a row that follow each
// other on row, forwards or backwards.
func keyboardRun(w, row string, n int) bool {
	fwd, back := 1, 1
	for i := 1; i < len(w); i++ {
		a := strings.IndexByte(row, lowerByte(w[i-1]))
		b := strings.IndexByte(row, lowerByte(w[i]))
		if a >= 0 && b == a+1 {
			fwd++
		} else {
			fwd = 1
		}
		if a >= 0 && b >= 0 && b == a-1 {
			back++
		} else {
			back = 1
		}
		if fwd >= n || back >= n {
			return true
		}
	}
	return false
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
		if w := s[i:j]; strings.Contains(w, "://") || len(w) > 4 && strings.EqualFold(w[:4], "www.") {
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

// freeDomains are common free mail providers, sorted.
var freeDomains = domainSet{
	"126.com", "163.com", "aol.com", "att.net", "btinternet.com", "comcast.net",
	"fastmail.com", "free.fr", "gmail.com", "gmx.com", "gmx.de", "gmx.net",
	"googlemail.com", "hanmail.net", "hey.com", "hotmail.co.uk", "hotmail.com",
	"hotmail.de", "hotmail.fr", "hotmail.it", "icloud.com", "interia.pl",
	"laposte.net", "libero.it", "live.com", "mac.com", "mail.com", "mail.ru",
	"me.com", "msn.com", "naver.com", "orange.fr", "outlook.com", "outlook.de",
	"pm.me", "proton.me", "protonmail.com", "qq.com", "rediffmail.com",
	"sbcglobal.net", "seznam.cz", "t-online.de", "tutanota.com", "verizon.net",
	"wanadoo.fr", "web.de", "wp.pl", "yahoo.co.jp", "yahoo.co.uk", "yahoo.com",
	"yahoo.de", "yahoo.fr", "yandex.com", "yandex.ru", "ymail.com", "zoho.com",
}

// disposableDomains are common disposable-address services, sorted.
var disposableDomains = domainSet{
	"10minutemail.com", "burnermail.io", "discard.email", "dispostable.com",
	"emailondeck.com", "fakeinbox.com", "getnada.com", "grr.la",
	"guerrillamail.com", "guerrillamail.net", "guerrillamailblock.com",
	"mailcatch.com", "maildrop.cc", "mailinator.com", "mailnesia.com",
	"mintemail.com", "moakt.com", "mohmal.com", "mytemp.email",
	"sharklasers.com", "spam4.me", "spamgourmet.com", "temp-mail.org",
	"tempail.com", "tempmail.com", "tempr.email", "throwawaymail.com",
	"trash-mail.com", "trashmail.com", "yopmail.com",
}
