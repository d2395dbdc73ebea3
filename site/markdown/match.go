package markdown

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/util"
)

// A termIndex finds the spellings of glossary terms in text. Each
// spelling is filed under its first word, so a scan looks words up in a
// map and compares text only where a term can start.
type termIndex struct {
	byFirstWord map[string][]phrase // case-folded first word -> phrases, longest first
}

// A phrase is one spelling of a term, case-folded, split around its first
// word. Every run of white space in it is one space, which matches any
// run of white space in the text, a line break included.
type phrase struct {
	term   int    // index of the term in the glossary
	prefix string // what comes before the first word, such as the "." of ".NET"
	rest   string // what follows the first word, such as " qualified lead" or "++"
	size   int    // length of the whole phrase, to try longer phrases first
}

// A match is a use of a term in text: text[from:to] spells terms[term].
type match struct {
	term, from, to int
}

// newTermIndex indexes the name and aliases of each term. A spelling
// without a letter or digit cannot be matched as a word and is left out,
// as is a term without a URL; a spelling that two terms share belongs to
// the first.
func newTermIndex(terms []Term) *termIndex {
	x := &termIndex{byFirstWord: map[string][]phrase{}}
	seen := map[string]bool{}
	for i, t := range terms {
		if t.URL == "" {
			continue
		}
		for _, spelling := range append([]string{t.Name}, t.Aliases...) {
			folded := foldPhrase(spelling)
			start := indexWord(folded)
			if start < 0 || seen[folded] {
				continue
			}
			seen[folded] = true
			end := wordEnd(folded, start)
			first := folded[start:end]
			x.byFirstWord[first] = append(x.byFirstWord[first], phrase{
				term:   i,
				prefix: folded[:start],
				rest:   folded[end:],
				size:   len(folded),
			})
		}
	}
	for _, ps := range x.byFirstWord {
		slices.SortStableFunc(ps, func(a, b phrase) int { return cmp.Compare(b.size, a.size) })
	}
	return x
}

// find appends to dst the terms spelled in text, left to right. Where
// spellings overlap, the leftmost wins, and of those starting there the
// longest: "cold lead" is one use of "cold lead", not a use of "lead".
// key is scratch space for the case-folded word being looked up.
func (x *termIndex) find(dst []match, text []byte, key *[]byte) []match {
	floor := 0 // where the previous match ends: matches do not overlap
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			if c == '&' {
				// A character reference is not text to match: a term
				// spelled like an entity name must not split "&amp;".
				i += max(referenceLen(text[i:]), 1)
				continue
			}
			if !isASCIIWordByte(c) {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRune(text[i:]); !isWordRune(r) {
			i += size
			continue
		}
		// A word starts at i: fold it and look up the phrases it starts.
		start, k := i, (*key)[:0]
		for i < len(text) {
			if c := text[i]; c < utf8.RuneSelf {
				if !isASCIIWordByte(c) {
					break
				}
				k = append(k, lowerASCII(c))
				i++
				continue
			}
			r, size := utf8.DecodeRune(text[i:])
			if !isWordRune(r) {
				break
			}
			k = utf8.AppendRune(k, foldRune(r))
			i += size
		}
		*key = k
		for _, p := range x.byFirstWord[string(k)] {
			if from, to, ok := p.match(text, floor, start, i); ok {
				dst = append(dst, match{term: p.term, from: from, to: to})
				i, floor = to, to
				break
			}
		}
	}
	return dst
}

// match reports whether p is spelled in text around the word
// text[start:end], which is p's first word, and where: text[from:to]. The
// spelling must not begin before floor, and must be a whole word: no
// letter or digit right before or after it.
func (p *phrase) match(text []byte, floor, start, end int) (from, to int, ok bool) {
	from = start - len(p.prefix)
	if from < floor || string(text[from:start]) != p.prefix {
		return 0, 0, false
	}
	if r, _ := utf8.DecodeLastRune(text[:from]); from > 0 && isWordRune(r) {
		return 0, 0, false
	}
	to = end
	for k := 0; k < len(p.rest); {
		if p.rest[k] == ' ' {
			n := spaceLen(text[to:])
			if n == 0 {
				return 0, 0, false
			}
			to += n
			k++
			continue
		}
		want, wsize := utf8.DecodeRuneInString(p.rest[k:])
		got, gsize := utf8.DecodeRune(text[to:])
		if gsize == 0 || foldRune(got) != want {
			return 0, 0, false
		}
		k += wsize
		to += gsize
	}
	if r, size := utf8.DecodeRune(text[to:]); size > 0 && isWordRune(r) {
		return 0, 0, false
	}
	return from, to, true
}

// foldPhrase returns s case-folded, trimmed, with each run of white space
// made one space.
func foldPhrase(s string) string {
	var b []byte
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = utf8.AppendRune(b, foldRune(r))
	}
	return string(b)
}

// indexWord returns the index of the first letter or digit of s, or -1.
func indexWord(s string) int {
	return strings.IndexFunc(s, isWordRune)
}

// wordEnd returns the end of the word that starts at s[start].
func wordEnd(s string, start int) int {
	if n := strings.IndexFunc(s[start:], func(r rune) bool { return !isWordRune(r) }); n >= 0 {
		return start + n
	}
	return len(s)
}

// isWordRune reports whether r belongs to a word: a letter, a digit, or a
// combining mark such as the accent of a decomposed "é".
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIWordByte(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// isASCIIWordByte reports whether the ASCII character c is a letter or a
// digit.
func isASCIIWordByte(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9'
}

// lowerASCII returns c in lower case if it is an ASCII upper case letter,
// else c.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldRune returns the one rune that stands for r and every other case of
// it, so that two runes are equal ignoring case exactly when their folds
// are: the lower case letter for ASCII, and otherwise the smallest rune of
// r's simple case folding orbit (which maps the Kelvin sign to "k", and
// "Σ", "σ" and "ς" to one rune).
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(lowerASCII(byte(r)))
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	if least < utf8.RuneSelf {
		return rune(lowerASCII(byte(least)))
	}
	return least
}

// spaceLen returns the length of the white space b starts with.
func spaceLen(b []byte) int {
	n := 0
	for n < len(b) {
		r, size := utf8.DecodeRune(b[n:])
		if !unicode.IsSpace(r) {
			break
		}
		n += size
	}
	return n
}

// referenceLen returns the length of the character reference b starts
// with, such as "&amp;", "&#233;" or "&#xE9;", or 0 if b does not start
// with one: an entity name HTML5 defines, or a decimal (up to 7 digits)
// or hexadecimal (up to 6) code point, as CommonMark has them.
func referenceLen(b []byte) int {
	if len(b) < 3 || b[0] != '&' {
		return 0
	}
	i := 1
	if b[i] == '#' {
		i++
		digit := func(c byte) bool { return '0' <= c && c <= '9' }
		limit := 7
		if i < len(b) && (b[i] == 'x' || b[i] == 'X') {
			i++
			digit, limit = util.IsHexDecimal, 6
		}
		start := i
		for i < len(b) && i-start < limit && digit(b[i]) {
			i++
		}
		if i == start || i >= len(b) || b[i] != ';' {
			return 0
		}
		return i + 1
	}
	start := i
	for i < len(b) && util.IsAlphaNumeric(b[i]) {
		i++
	}
	if i == start || i >= len(b) || b[i] != ';' {
		return 0
	}
	if _, ok := util.LookUpHTML5EntityByName(util.BytesToReadOnlyString(b[start:i])); !ok {
		return 0
	}
	return i + 1
}
