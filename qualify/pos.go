package qualify

import (
	"slices"
	"strconv"

	"github.com/winnowhq/winnow/qualify/internal/str"
)

// Pos is a position in a content file. Line and Col count from 1; the zero
// Pos means "no position".
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p names a place in a file.
func (p Pos) IsValid() bool { return p.File != "" || p.Line > 0 }

// String formats p as file:line:col, leaving out the parts that are unknown.
func (p Pos) String() string {
	var b str.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
		if p.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Col))
		}
	}
	return b.String()
}

// Less orders positions by file, line and column.
func (p Pos) Less(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Diag is one problem found in content, at a position.
type Diag struct {
	Pos Pos
	Msg string
}

// String formats d as "file:line:col: message".
func (d Diag) String() string {
	if !d.Pos.IsValid() {
		return d.Msg
	}
	return d.Pos.String() + ": " + d.Msg
}

// Diags is a list of problems. A non-empty Diags is an error.
type Diags []Diag

// Add appends a problem at p.
func (ds *Diags) Add(p Pos, msg string) { *ds = append(*ds, Diag{p, msg}) }

// Sort orders the problems by position, then message, and drops exact
// duplicates.
func (ds *Diags) Sort() {
	s := *ds
	slices.SortStableFunc(s, func(a, b Diag) int {
		switch {
		case a.Pos.Less(b.Pos):
			return -1
		case b.Pos.Less(a.Pos):
			return 1
		}
		return str.Compare(a.Msg, b.Msg)
	})
	out := s[:0]
	for i, d := range s {
		if i > 0 && d == s[i-1] {
			continue
		}
		out = append(out, d)
	}
	*ds = out
}

// Error lists the problems one per line.
func (ds Diags) Error() string {
	var b str.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Err returns ds as an error, or nil when there are no problems.
func (ds Diags) Err() error {
	if len(ds) == 0 {
		return nil
	}
	return ds
}
