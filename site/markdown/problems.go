package markdown

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/parser"
)

// Problem is a mistake in a document that the extensions of this package
// found: a component or an attribute that does not exist, a directive
// never closed, a model value the model lacks.
type Problem struct {
	Line int // 1-based line of the document
	Col  int // 1-based column, in characters
	Msg  string
}

// Problems are the problems of a document, in the order of the source.
// Render returns them as its error.
type Problems []Problem

// Error implements error: one problem a line, as line:col: message.
func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) + ": " + p.Msg)
	}
	return b.String()
}

// problems collects problems by their offset in the source while a
// document is parsed and rendered.
type problems struct {
	list []offsetProblem
}

type offsetProblem struct {
	offset int
	msg    string
}

func (p *problems) add(offset int, msg string) {
	if p != nil {
		p.list = append(p.list, offsetProblem{offset, msg})
	}
}

// resolve turns the offsets into lines and columns of src, sorted.
func (p *problems) resolve(src []byte) Problems {
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b offsetProblem) int { return a.offset - b.offset })
	out := make(Problems, 0, len(p.list))
	line, lineStart, at := 1, 0, 0
	for _, q := range p.list {
		off := min(max(q.offset, 0), len(src))
		for ; at < off; at++ {
			if src[at] == '\n' {
				line, lineStart = line+1, at+1
			}
		}
		out = append(out, Problem{Line: line, Col: utf8.RuneCount(src[lineStart:off]) + 1, Msg: q.msg})
	}
	return out
}

var problemsKey = parser.NewContextKey()

// report records a problem of the document being parsed at an offset of
// its source.
func report(pc parser.Context, offset int, msg string) {
	if p, ok := pc.Get(problemsKey).(*problems); ok {
		p.add(offset, msg)
	}
}
