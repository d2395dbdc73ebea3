//go:build js && wasm

package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/winnowhq/winnow/worker/store"
)

// The D1 database as a database/sql driver whose I/O goes through the
// caller's event (a context without one is an error). It replaces
// syumai/workers' cloudflare/d1, which queries through a binding it read
// from the first event and in whatever event's context is current. A
// statement and its arguments cross into JavaScript as one JSON text, and
// its rows come back as one: every value crossing on its own is a
// JavaScript reference Go must track and finalize.

// openD1 opens the D1 database bound to the Worker under binding.
func openD1(binding string) *sql.DB {
	return sql.OpenDB(d1Connector{binding})
}

type d1Connector struct{ binding string }

func (c d1Connector) Connect(context.Context) (driver.Conn, error) { return &d1Conn{c.binding}, nil }
func (c d1Connector) Driver() driver.Driver                        { return d1Driver{} }

type d1Driver struct{}

func (d1Driver) Open(binding string) (driver.Conn, error) { return &d1Conn{binding}, nil }

type d1Conn struct{ binding string }

var (
	_ driver.QueryerContext = (*d1Conn)(nil)
	_ driver.ExecerContext  = (*d1Conn)(nil)
)

var errNoTx = errors.New("d1: no transactions: run the statements as one batch (store.Batch)")

func (c *d1Conn) Prepare(query string) (driver.Stmt, error) { return &d1Stmt{c, query}, nil }
func (c *d1Conn) Close() error                              { return nil }
func (c *d1Conn) Begin() (driver.Tx, error)                 { return nil, errNoTx }

func (c *d1Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	e, err := eventOf(ctx)
	if err != nil {
		return nil, err
	}
	v, err := e.call("query", c.binding, string(appendStmt(nil, query, args)))
	if err != nil {
		return nil, errors.New("d1: " + err.Error())
	}
	return newRows(v.String())
}

func (c *d1Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, err := eventOf(ctx)
	if err != nil {
		return nil, err
	}
	v, err := e.call("exec", c.binding, string(appendStmt(nil, query, args)))
	if err != nil {
		return nil, errors.New("d1: " + err.Error())
	}
	n, err := numbers(v.String())
	if err != nil || len(n) != 2 {
		return nil, errors.New("d1: malformed result of a statement")
	}
	return d1Result{changes: n[0], lastID: n[1]}, nil
}

// appendStmt appends [query, [args...]] as JSON: what runtime.mjs binds
// to a D1 statement. database/sql has made every argument nil, int64,
// float64, bool, string or []byte, and Winnow passes times as Unix
// milliseconds: D1 binds no other type.
func appendStmt(b []byte, query string, args []driver.NamedValue) []byte {
	b = append(b, '[')
	b = appendString(b, query)
	b = append(b, ",["...)
	for i, a := range args {
		if i > 0 {
			b = append(b, ',')
		}
		switch v := a.Value.(type) {
		case nil:
			b = append(b, "null"...)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case float64:
			if math.IsInf(v, 0) || math.IsNaN(v) {
				b = append(b, "null"...)
			} else {
				b = strconv.AppendFloat(b, v, 'g', -1, 64)
			}
		case bool:
			b = strconv.AppendBool(b, v)
		case string:
			b = appendString(b, v)
		case []byte:
			b = appendString(b, string(v))
		}
	}
	return append(b, "]]"...)
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json makes it.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&15])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// numbers reads integers written "n,n,...".
func numbers(s string) ([]int64, error) {
	var out []int64
	for s != "" {
		var f string
		f, s, _ = strings.Cut(s, ",")
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

type d1Stmt struct {
	c     *d1Conn
	query string
}

func (s *d1Stmt) Close() error  { return nil }
func (s *d1Stmt) NumInput() int { return -1 }
func (s *d1Stmt) Exec([]driver.Value) (driver.Result, error) {
	return nil, errors.New("d1: Exec without a context")
}
func (s *d1Stmt) Query([]driver.Value) (driver.Rows, error) {
	return nil, errors.New("d1: Query without a context")
}
func (s *d1Stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.c.ExecContext(ctx, s.query, args)
}
func (s *d1Stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.c.QueryContext(ctx, s.query, args)
}

type d1Result struct{ changes, lastID int64 }

func (r d1Result) LastInsertId() (int64, error) { return r.lastID, nil }
func (r d1Result) RowsAffected() (int64, error) { return r.changes, nil }

// d1Batch runs statements with D1's batch(): D1 runs them in order as one
// SQL transaction, and when one fails it rolls them all back. The driver
// has no transactions, so this is how the handler's writes stay atomic at
// the edge.
func d1Batch(binding string) store.Batch {
	return func(ctx context.Context, stmts []store.Stmt) ([]int64, error) {
		if len(stmts) == 0 {
			return nil, nil
		}
		e, err := eventOf(ctx)
		if err != nil {
			return nil, err
		}
		list := []byte{'['}
		for i, s := range stmts {
			args := make([]driver.NamedValue, len(s.Args))
			for j, a := range s.Args {
				v, err := driver.DefaultParameterConverter.ConvertValue(a)
				if err != nil {
					return nil, errors.New("d1 batch: statement " + strconv.Itoa(i+1) + ", argument " + strconv.Itoa(j+1) + ": " + err.Error())
				}
				args[j] = driver.NamedValue{Ordinal: j + 1, Value: v}
			}
			if i > 0 {
				list = append(list, ',')
			}
			list = appendStmt(list, s.SQL, args)
		}
		v, err := e.call("batch", binding, string(append(list, ']')))
		if err != nil {
			return nil, errors.New("d1 batch: " + err.Error())
		}
		changed, err := numbers(v.String())
		if err != nil || len(changed) != len(stmts) {
			return nil, errors.New("d1 batch: malformed result")
		}
		return changed, nil
	}
}

// rows reads a result as runtime.mjs writes it: the JSON of an array
// whose first element is the column names and the others the rows, each
// an array of nulls, numbers and strings. Rows are decoded one at a time.
type rows struct {
	cols []string
	p    jsonArrays
}

func newRows(text string) (*rows, error) {
	r := &rows{p: jsonArrays{s: text}}
	if !r.p.open() {
		return nil, r.p.fail()
	}
	if !r.p.more() {
		return r, nil // no rows, and D1 sends no names then
	}
	names, err := r.p.row(nil)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		s, _ := n.(string)
		r.cols = append(r.cols, s)
	}
	return r, nil
}

func (r *rows) Columns() []string { return r.cols }
func (r *rows) Close() error      { return nil }

func (r *rows) Next(dest []driver.Value) error {
	if !r.p.more() {
		if r.p.err != nil {
			return r.p.err
		}
		return io.EOF
	}
	_, err := r.p.row(dest)
	return err
}

// jsonArrays decodes an array of arrays of JSON scalars as JSON.stringify
// writes them (no whitespace).
type jsonArrays struct {
	s   string
	i   int
	err error
}

func (p *jsonArrays) fail() error {
	if p.err == nil {
		p.err = errors.New("d1: malformed result at byte " + strconv.Itoa(p.i))
	}
	return p.err
}

// open reads the outer array's '['.
func (p *jsonArrays) open() bool {
	if p.i < len(p.s) && p.s[p.i] == '[' {
		p.i++
		return true
	}
	return false
}

// more reports whether another inner array follows, reading the comma
// before it.
func (p *jsonArrays) more() bool {
	if p.err != nil || p.i >= len(p.s) {
		return false
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return p.i < len(p.s) && p.s[p.i] == '['
	case '[':
		return true
	case ']':
		p.i++
		return false
	}
	p.fail()
	return false
}

// row reads one inner array into dest, or, when dest is nil, into a new
// slice.
func (p *jsonArrays) row(dest []driver.Value) ([]driver.Value, error) {
	p.i++ // '['
	collect := dest == nil
	n := 0
	for p.i < len(p.s) && p.s[p.i] != ']' {
		if n > 0 {
			if p.s[p.i] != ',' {
				return nil, p.fail()
			}
			p.i++
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		switch {
		case collect:
			dest = append(dest, v)
		case n < len(dest):
			dest[n] = v
		default:
			return nil, errors.New("d1: a row has more values than columns")
		}
		n++
	}
	if p.i >= len(p.s) {
		return nil, p.fail()
	}
	p.i++ // ']'
	return dest, nil
}

// value reads null, a number (int64 if written without a fraction or an
// exponent and in range, else float64), or a string.
func (p *jsonArrays) value() (driver.Value, error) {
	if p.i >= len(p.s) {
		return nil, p.fail()
	}
	switch c := p.s[p.i]; {
	case c == 'n':
		if len(p.s)-p.i >= 4 && p.s[p.i:p.i+4] == "null" {
			p.i += 4
			return nil, nil
		}
	case c == '"':
		return p.str()
	case c == '-' || '0' <= c && c <= '9':
		start, float := p.i, false
		for p.i < len(p.s) {
			c := p.s[p.i]
			if c == '.' || c == 'e' || c == 'E' || c == '+' {
				float = true
			} else if c != '-' && (c < '0' || c > '9') {
				break
			}
			p.i++
		}
		num := p.s[start:p.i]
		if !float {
			if n, err := strconv.ParseInt(num, 10, 64); err == nil {
				return n, nil
			}
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return nil, p.fail()
		}
		return f, nil
	}
	return nil, p.fail()
}

// str reads a JSON string.
func (p *jsonArrays) str() (string, error) {
	p.i++ // '"'
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '"' && p.s[p.i] != '\\' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '"' {
		p.i++
		return p.s[start : p.i-1], nil // no escapes: the common case
	}
	b := []byte(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), nil
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			break
		}
		esc := p.s[p.i+1]
		p.i += 2
		switch esc {
		case '"', '\\', '/':
			b = append(b, esc)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail()
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					p.i += 2
					r2, _ = p.hex4()
				}
				r = utf16.DecodeRune(r, r2)
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", p.fail()
		}
	}
	return "", p.fail()
}

func (p *jsonArrays) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}
