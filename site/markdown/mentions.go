package markdown

import (
	"unicode/utf8"
)

// Mentions finds the Markdown documents that may use some glossary
// terms, as NewGlossary links them. A builder that keeps the pages of
// its last build asks it which of them a change to those terms can
// change.
type Mentions struct {
	first map[string]bool // case-folded first words of every spelling
}

// NewMentions returns a Mentions for terms: their names and aliases,
// whatever their URLs.
func NewMentions(terms []Term) *Mentions {
	m := &Mentions{first: map[string]bool{}}
	for _, t := range terms {
		for _, spelling := range append([]string{t.Name}, t.Aliases...) {
			folded := foldPhrase(spelling)
			if start := indexWord(folded); start >= 0 {
				m.first[folded[start:wordEnd(folded, start)]] = true
			}
		}
	}
	return m
}

// In reports whether src may use one of the terms: whether one of its
// words, ignoring case, is the first word of one of their spellings. It
// may say yes where no use is linked (the rest of the spelling differs,
// the word stands in code or a heading), but never no where one is: the
// text the glossary reads is cut from src, and a word of that text is a
// word of src.
func (m *Mentions) In(src []byte) bool {
	if len(m.first) == 0 {
		return false
	}
	var key []byte
	for i := 0; i < len(src); {
		if c := src[i]; c < utf8.RuneSelf {
			if !isASCIIWordByte(c) {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRune(src[i:]); !isWordRune(r) {
			i += size
			continue
		}
		key = key[:0]
		for i < len(src) {
			if c := src[i]; c < utf8.RuneSelf {
				if !isASCIIWordByte(c) {
					break
				}
				key = append(key, lowerASCII(c))
				i++
				continue
			}
			r, size := utf8.DecodeRune(src[i:])
			if !isWordRune(r) {
				break
			}
			key = utf8.AppendRune(key, foldRune(r))
			i += size
		}
		if m.first[string(key)] {
			return true
		}
	}
	return false
}
